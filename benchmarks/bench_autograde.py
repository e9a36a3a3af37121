"""Benchmark autograding: bpscare's engine against ``nbgrader autograde`` on the same submissions.

Run on demand (not part of the test suite), once, on an otherwise quiet machine:

    /work/venv/bin/python benchmarks/bench_autograde.py [--submissions 40] [--workers N]

It builds the code-assignment fixture project (``tests/fixtures/code_project``: a01-screening
with learner functions, frozen for the engine's tests and benchmarks) with
``bpscare.authoring.build``, writes ``--submissions`` learner submissions of
a01-screening (the demo's profile mix: complete, partly right, a documented misconception,
blank), copies the course twice, and grades one copy with nbgrader's own autograde and the other
with the bpscare engine. Each engine runs as the ``bpscare autograde`` command in a fresh process
(``--engine nbgrader`` / ``--engine bpscare``), so both pay their own start-up and imports, as
an instructor would. It checks that every per-cell score is identical, prints seconds,
submissions per second and the ratio, and writes ``benchmarks/results/autograde.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import Project, build
from bpscare.demo import PROFILE_WEIGHTS, PROFILES
from bpscare.nbgrader_course import ensure_tools_on_path

REPO = Path(__file__).resolve().parents[1]
#: the code version of a01 (learner functions), the assignment every engine benchmark grades
CODE_PROJECT = REPO / "tests" / "fixtures" / "code_project"
ASSIGNMENT = "a01-screening"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
RESULTS = REPO / "benchmarks" / "results" / "autograde.json"
TARGET_RATIO = 10.0  # issue 18: stays >= 10x nbgrader autograde with identical scores


def make_submissions(course: Path, count: int, seed: int) -> dict[str, str]:
    """Fill the release as the demo's synthetic learners do; return learner → profile."""
    rng = random.Random(seed)
    release = nbformat.read(str(course / "release" / ASSIGNMENT / NOTEBOOK), as_version=4)
    source = nbformat.read(str(course / "source" / ASSIGNMENT / NOTEBOOK), as_version=4)
    mistakes = simulated_submissions.load_misconceptions(
        CODE_PROJECT / "autograders" / ASSIGNMENT / "misconceptions.yaml"
    )
    ids = list(simulated_submissions.answer_cells(release))
    solution = simulated_submissions.SOLUTION_ANSWER
    made = {}
    due = dt.datetime(2027, 2, 15, 17, tzinfo=dt.UTC)
    for index in range(count):
        profile = PROFILES[index % len(PROFILES)] if index < len(PROFILES) else None
        profile = profile or rng.choices(PROFILES, PROFILE_WEIGHTS)[0]
        if profile == "complete":
            answers = dict.fromkeys(ids, solution)
        elif profile == "partly right":
            answers = dict.fromkeys(rng.sample(ids, k=max(1, len(ids) // 2)), solution)
        elif profile == "misconception":
            mistake = rng.choice(mistakes)
            profile = f"misconception {mistake.id}"
            answers = {**dict.fromkeys(ids, solution), **mistake.answers}
        else:
            answers = {}
        learner = f"learner-{index + 1:03d}"
        nb = simulated_submissions.fill_release(
            release, source, answers, reflection="My reflection."
        )
        simulated_submissions.write_submission(
            course, learner, ASSIGNMENT, {NOTEBOOK: nb}, due - dt.timedelta(hours=index + 1)
        )
        made[learner] = profile
    return made


def cell_scores(db: Path) -> dict[str, float | None]:
    """'learner/grade cell' → auto score, straight from the SQLite gradebook."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT s.student_id, c.name, g.auto_score FROM grade g "
            "JOIN submitted_notebook n ON g.notebook_id = n.id "
            "JOIN submitted_assignment s ON n.assignment_id = s.id "
            "JOIN base_cell c ON g.cell_id = c.id"
        ).fetchall()
    return {f"{student}/{cell}": score for student, cell, score in rows}


def grade(course: Path, engine: str, workers: int | None) -> tuple[float, str]:
    """Run ``bpscare autograde`` with one engine in a fresh process; return (seconds, output)."""
    command = [
        str(Path(sys.executable).parent / "bpscare"),
        "autograde",
        ASSIGNMENT,
        "--course",
        str(course),
        "--engine",
        engine,
    ]
    if workers and engine == "bpscare":
        command += ["--workers", str(workers)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        msg = f"{engine} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        raise SystemExit(msg)
    return seconds, done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", type=int, help="bpscare engine workers (default: CPUs)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep the graded courses in this folder")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args()
    ensure_tools_on_path()

    tmp = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    try:
        print(f"building the course in {tmp} ...", flush=True)
        built = build(Project(CODE_PROJECT), tmp / "_build", learner_wheel=False)
        base = tmp / "base"
        shutil.copytree(built.out / "course", base)
        profiles = make_submissions(base, args.submissions, args.seed)
        courses = {engine: tmp / engine for engine in ("nbgrader", "bpscare")}
        for course in courses.values():
            shutil.copytree(base, course)

        timings = {}
        load_before = os.getloadavg()
        for engine, course in courses.items():
            print(f"grading {args.submissions} submissions with {engine} ...", flush=True)
            timings[engine], output = grade(course, engine, args.workers)
            print(f"  {timings[engine]:.1f} s\n  " + output.replace("\n", "\n  "), flush=True)

        reference = cell_scores(courses["nbgrader"] / "gradebook.db")
        ours = cell_scores(courses["bpscare"] / "gradebook.db")
        mismatches = {
            key: {"nbgrader": reference.get(key), "bpscare": ours.get(key)}
            for key in sorted(set(reference) | set(ours))
            if reference.get(key) != ours.get(key)
        }
        ratio = timings["nbgrader"] / timings["bpscare"]
        count = args.submissions
        result = {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                # the machine is shared: the 1/5/15-minute load averages around the timed runs
                "loadavg_before": [round(x, 2) for x in load_before],
                "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            },
            "submissions": count,
            "profiles": sorted(set(profiles.values())),
            "bpscare_workers": args.workers or os.cpu_count(),
            "seconds": {k: round(v, 2) for k, v in timings.items()},
            "submissions_per_second": {k: round(count / v, 3) for k, v in timings.items()},
            "seconds_per_submission": {k: round(v / count, 3) for k, v in timings.items()},
            "ratio_nbgrader_over_bpscare": round(ratio, 2),
            "target_ratio": TARGET_RATIO,
            "cells_compared": len(reference),
            "identical_scores": not mismatches and len(reference) == len(ours) > 0,
            "mismatches": mismatches,
            "command": "python benchmarks/bench_autograde.py " + " ".join(sys.argv[1:]),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for engine, course in courses.items():
                shutil.copytree(course, args.keep / engine, dirs_exist_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nautograde, {count} submissions of {ASSIGNMENT}, {os.cpu_count()} CPUs:")
    for engine, seconds in timings.items():
        print(
            f"  {engine:9s} {seconds:7.1f} s   {count / seconds:6.2f} submissions/s   "
            f"{seconds / count:5.2f} s/submission"
        )
    print(
        f"  ratio (nbgrader / bpscare): {ratio:.1f}x   target >= {TARGET_RATIO:.0f}x -> "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}"
    )
    print(
        f"  per-cell scores identical: {result['identical_scores']} "
        f"({len(reference)} cells, {len(mismatches)} mismatches)"
    )
    print(f"  written to {args.out}")
    return 0 if result["identical_scores"] else 1


if __name__ == "__main__":
    sys.exit(main())
