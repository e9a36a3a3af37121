"""Load on loopback: N simulated learners submit a01 within a window; time to feedback.

Usage::

    .venv/bin/python benchmarks/bench_hub_load.py                 # 200 learners in 300 s
    .venv/bin/python benchmarks/bench_hub_load.py --learners 20 --window 30 --workers 2

Starts the real feedback-on-submit service (``bpscare hub-service``, the process JupyterHub
runs) on loopback against a copy of the built code-assignment fixture course
(``tests/fixtures/code_project``: a01-screening with learner functions), releases a01 into a
fresh exchange, waits until the service has prepared it, then drops one submission per learner
into the exchange's inbound folder the way ``nbgrader submit`` writes it (notebook first,
``timestamp.txt`` last), at evenly spread times over ``--window`` seconds. Learners cycle
through three answer sets (the solution, a misconception, unanswered), so each learner's
expected provisional score is known.

Measured per submission: drop → result recorded by the service (its ``done`` time). Reported:
p50/p95/max, how many were lost (no result ``--drain`` seconds after the last drop), how many
were misattributed (a result under another learner's name, or a score that is not the one of
the learner's answer set), and the load averages before and after. Results are written to
``benchmarks/results/bench_hub_load.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import Project, build, load_assignment

REPO = Path(__file__).resolve().parents[1]
#: the code version of a01 (learner functions), the assignment every engine benchmark grades
CODE_PROJECT = REPO / "tests" / "fixtures" / "code_project"
RESULTS = REPO / "benchmarks" / "results"
A01 = "a01-screening"
NB = f"{A01}.ipynb"
COURSE_ID = "bpscare-101"


def built_course() -> Path:
    """The code fixture's course, built once into benchmarks/results/ (reused by later runs)."""
    out = RESULTS / "hub_build_code"
    if not (out / "course" / "release" / A01 / NB).is_file():
        build(Project(CODE_PROJECT), out, learner_wheel=False)
    return out / "course"


def answer_sets(course: Path) -> list[nbformat.NotebookNode]:
    """Three filled notebooks: the solution, a misconception, unanswered."""
    source = load_assignment(Project(CODE_PROJECT), A01).notebooks[NB]
    release = nbformat.read(str(course / "release" / A01 / NB), as_version=4)
    ids = simulated_submissions.answer_cells(release)
    wrong = "def phq9_total(responses):\n    return sum(r or 0 for r in responses)\n"
    plans = [
        dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER),
        {**dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER), "a01_q1_phq9_total": wrong},
        {},
    ]
    return [simulated_submissions.fill_release(release, source, p, "A reflection.") for p in plans]


def drop(inbound: Path, learner: str, nb: nbformat.NotebookNode) -> tuple[str, float]:
    """Write one submission as nbgrader's submit does; return its folder name and drop time."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    name = f"{learner}+{A01}+{stamp}+{os.urandom(6).hex()}"
    folder = inbound / name
    folder.mkdir()
    nbformat.write(nb, str(folder / NB))
    (folder / "timestamp.txt").write_text(stamp)
    return name, time.time()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--window", type=float, default=300.0, help="seconds to spread drops")
    parser.add_argument("--workers", type=int, default=2, help="service grading processes")
    parser.add_argument("--drain", type=float, default=600.0, help="seconds to wait at the end")
    args = parser.parse_args()
    course = built_course()
    nbs = answer_sets(course)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        root = Path(tmp)
        live = root / "course"
        shutil.copytree(course, live)
        exchange = root / "exchange"
        shutil.copytree(live / "release" / A01, exchange / COURSE_ID / "outbound" / A01)
        inbound = exchange / COURSE_ID / "inbound"
        inbound.mkdir()
        state = root / "state"
        env = dict(os.environ, JUPYTERHUB_SERVICE_URL="http://127.0.0.1:0")
        env["JUPYTERHUB_SERVICE_PREFIX"] = "/services/bpscare-feedback/"
        # No hub in this benchmark: nobody opens the page, so the token is never checked.
        env["JUPYTERHUB_API_TOKEN"] = os.urandom(16).hex()
        env["JUPYTERHUB_API_URL"] = "http://127.0.0.1:9/hub/api"
        log = (root / "service.log").open("wb")
        service = subprocess.Popen(
            [sys.executable, "-m", "bpscare", "hub-service", "--course", str(live),
             "--exchange", str(exchange), "--state", str(state), "--workers", str(args.workers),
             "--port", "0"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        try:
            ready = state / "templates" / f"{A01}.ready"
            t = time.monotonic()
            while not ready.exists():
                if service.poll() is not None or time.monotonic() - t > 300:
                    raise SystemExit((root / "service.log").read_text()[-2000:])
                time.sleep(0.5)
            expected: dict[str, int] = {}
            dropped: dict[str, tuple[str, float]] = {}
            start = time.monotonic()
            for i in range(args.learners):
                due = start + i * args.window / max(1, args.learners)
                time.sleep(max(0.0, due - time.monotonic()))
                learner = f"learner-{i:04d}"
                expected[learner] = i % 3
                dropped[learner] = drop(inbound, learner, nbs[i % 3])
            last = time.time()
            results: dict[str, dict] = {}
            while time.time() - last < args.drain:
                results = collect(state, dropped)
                if len(results) == len(dropped):
                    break
                time.sleep(1)
        finally:
            service.terminate()
            service.wait(timeout=60)
        waits = sorted(results[k]["done"] - dropped[k][1] for k in results)
        by_set: dict[int, set[float]] = {}
        misattributed = 0
        for learner, result in results.items():
            if result["student"] != learner or result["key"] != dropped[learner][0]:
                misattributed += 1
            by_set.setdefault(expected[learner], set()).add(result.get("score", -1))
        # every learner of one answer set must have the same score; sets must differ
        inconsistent = sum(len(scores) - 1 for scores in by_set.values())
        report = {
            "learners": args.learners,
            "window_s": args.window,
            "workers": args.workers,
            "graded": sum(r["status"] == "graded" for r in results.values()),
            "lost": len(dropped) - len(results),
            "misattributed": misattributed,
            "inconsistent_scores": inconsistent,
            "scores_by_answer_set": {k: sorted(v) for k, v in sorted(by_set.items())},
            "p50_s": round(statistics.median(waits), 2) if waits else None,
            "p95_s": round(waits[int(0.95 * (len(waits) - 1))], 2) if waits else None,
            "max_s": round(waits[-1], 2) if waits else None,
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
            "cpus": os.cpu_count(),
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_hub_load.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return (
        0 if report["lost"] == report["misattributed"] == report["inconsistent_scores"] == 0 else 1
    )


def collect(state: Path, dropped: dict[str, tuple[str, float]]) -> dict[str, dict]:
    """The finished results the service wrote, by learner (only the dropped submissions)."""
    found: dict[str, dict] = {}
    for learner, (key, _) in dropped.items():
        path = state / "results" / learner / f"{A01}.json"
        if not path.is_file():
            continue
        for attempt in json.loads(path.read_text()):
            if attempt["key"] == key and attempt.get("status") not in (None, "grading"):
                found[learner] = attempt
    return found


if __name__ == "__main__":
    raise SystemExit(main())
