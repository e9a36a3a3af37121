"""Benchmark feedback: ``bpscare feedback`` against ``nbgrader generate_feedback``, same content.

Run on demand (not part of the test suite), on an otherwise quiet machine:

    .venv/bin/python benchmarks/bench_feedback.py [--submissions 40] [--workers N] [--repeat 3]

It builds the code-assignment fixture project (``tests/fixtures/code_project``, a01-screening
with learner functions), writes ``--submissions`` a01-screening submissions (the demo's
profile mix, as ``bench_autograde.py`` does), autogrades them once with the bpscare engine, and
copies the graded course twice. One copy gets ``nbgrader generate_feedback a01-screening
--force`` run in the course folder (nbgrader loads the course's ``nbgrader_config.py``, which
registers the learner-safe filter, so both sides run the same preprocessors); the other gets
``bpscare feedback a01-screening --course …``. Both are commands in fresh processes, so each
pays its own start-up and imports. With ``--repeat`` each command runs that many times (the
feedback folder removed in between) and the best time counts.

It then compares every learner's feedback: the file names, the bytes of every file, and the
text a learner reads (tags, styles and scripts removed, entities decoded; nothing in nbgrader's
feedback HTML is volatile, so there is nothing else to normalise). It prints the seconds, the
ratio and the comparison, and writes ``benchmarks/results/feedback.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_autograde import ASSIGNMENT, CODE_PROJECT, make_submissions

from bpscare.authoring.build import Project, build
from bpscare.grading import autograde
from bpscare.nbgrader_course import ensure_tools_on_path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "feedback.json"
TARGET_RATIO = 5.0
BIN = Path(sys.executable).parent


def commands(course: Path, workers: int | None) -> dict[str, tuple[list[str], Path]]:
    """engine → (command, working folder)."""
    ours = [str(BIN / "bpscare"), "feedback", ASSIGNMENT, "--course", str(course / "bpscare")]
    if workers:
        ours += ["--workers", str(workers)]
    theirs = [str(BIN / "nbgrader"), "generate_feedback", ASSIGNMENT, "--force"]
    return {"nbgrader": (theirs, course / "nbgrader"), "bpscare": (ours, REPO)}


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return (wall seconds, CPU seconds of it and its children).

    CPU seconds hardly depend on what else the shared machine runs; wall seconds do.
    """
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        msg = f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        raise SystemExit(msg)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def visible_text(page: str) -> str:
    """What a learner reads: styles, scripts and tags removed, entities decoded, spaces folded."""
    page = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def compare(nbgrader: Path, bpscare: Path) -> dict[str, object]:
    """Compare two feedback trees: files, bytes and learner-visible text."""
    theirs = {p.relative_to(nbgrader): p for p in nbgrader.rglob("*") if p.is_file()}
    ours = {p.relative_to(bpscare): p for p in bpscare.rglob("*") if p.is_file()}
    pages = [rel for rel in theirs if rel.suffix == ".html"]
    text_differs = [
        str(rel)
        for rel in pages
        if rel not in ours
        or visible_text(ours[rel].read_text()) != visible_text(theirs[rel].read_text())
    ]
    bytes_differ = [
        str(rel)
        for rel in theirs
        if rel not in ours or ours[rel].read_bytes() != theirs[rel].read_bytes()
    ]
    return {
        "files": len(theirs),
        "pages": len(pages),
        "same_file_names": sorted(map(str, theirs)) == sorted(map(str, ours)),
        "pages_with_different_text": text_differs,
        "files_with_different_bytes": bytes_differ,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", type=int, help="bpscare feedback workers (default: CPUs)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command; best counts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args()
    ensure_tools_on_path()

    tmp = Path(tempfile.mkdtemp(prefix="bench-feedback-"))
    try:
        print(f"building and autograding the course in {tmp} ...", flush=True)
        built = build(Project(CODE_PROJECT), tmp / "_build", learner_wheel=False)
        base = tmp / "base"
        shutil.copytree(built.out / "course", base)
        make_submissions(base, args.submissions, args.seed)
        graded = autograde(base, ASSIGNMENT)
        if graded.failed:
            raise SystemExit(graded.summary())
        for engine in ("nbgrader", "bpscare"):
            shutil.copytree(base, tmp / engine)

        timings: dict[str, float] = {}
        cpu: dict[str, float] = {}
        load_before = os.getloadavg()
        for engine, (command, cwd) in commands(tmp, args.workers).items():
            print(f"{engine}: {' '.join(command)}", flush=True)
            best, best_cpu = float("inf"), float("inf")
            for _ in range(args.repeat):
                shutil.rmtree(tmp / engine / "feedback", ignore_errors=True)
                wall, used = run(command, cwd)
                best, best_cpu = min(best, wall), min(best_cpu, used)
            timings[engine], cpu[engine] = best, best_cpu
            print(f"  {best:.2f} s wall, {best_cpu:.2f} s CPU", flush=True)
        load_after = os.getloadavg()
        comparison = compare(tmp / "nbgrader" / "feedback", tmp / "bpscare" / "feedback")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ratio = timings["nbgrader"] / timings["bpscare"]
    identical = (
        comparison["same_file_names"]
        and not comparison["pages_with_different_text"]
        and comparison["pages"] == args.submissions
    )
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in load_after],
        },
        "submissions": args.submissions,
        "repeat": args.repeat,
        "bpscare_workers": args.workers or os.cpu_count(),
        "seconds": {k: round(v, 2) for k, v in timings.items()},
        "seconds_per_notebook": {k: round(v / args.submissions, 3) for k, v in timings.items()},
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
        "ratio_nbgrader_over_bpscare": round(ratio, 2),
        "cpu_ratio_nbgrader_over_bpscare": round(cpu["nbgrader"] / cpu["bpscare"], 2),
        "target_ratio": TARGET_RATIO,
        "identical_learner_visible_content": identical,
        "comparison": comparison,
        "command": "python benchmarks/bench_feedback.py " + " ".join(sys.argv[1:]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")

    print(f"\nfeedback, {args.submissions} notebooks of {ASSIGNMENT}, {os.cpu_count()} CPUs:")
    for engine, seconds in timings.items():
        print(
            f"  {engine:9s} {seconds:7.2f} s   {seconds / args.submissions:6.3f} s/notebook   "
            f"{cpu[engine]:6.2f} s CPU"
        )
    print(
        f"  ratio (nbgrader / bpscare): {ratio:.1f}x   target >= {TARGET_RATIO:.0f}x -> "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}"
    )
    print(
        f"  CPU ratio (nbgrader / bpscare): {cpu['nbgrader'] / cpu['bpscare']:.1f}x   "
        f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
        f"({os.cpu_count()} CPUs; wall seconds depend on it)"
    )
    print(
        f"  learner-visible text identical: {identical}; byte-identical files: "
        f"{comparison['files'] - len(comparison['files_with_different_bytes'])} of "
        f"{comparison['files']}"
    )
    print(f"  written to {args.out}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
