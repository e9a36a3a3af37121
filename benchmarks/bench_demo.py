"""Benchmark ``bpscare demo``: 30 learners x every assignment, with each grading engine.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_demo.py [--learners 30] [--engines bpscare nbgrader]

Prints wall-clock seconds per step for each engine and the autograde speed-up of bpscare's
engine over nbgrader's own autograde on the same cohort (same seed, same submissions).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bpscare.authoring.build import Project
from bpscare.demo import run_demo
from bpscare.nbgrader_course import ensure_tools_on_path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--engines", nargs="+", default=["bpscare", "nbgrader"])
    args = parser.parse_args()
    ensure_tools_on_path()
    results = {}
    for engine in args.engines:
        with tempfile.TemporaryDirectory(prefix=f"bench-demo-{engine}-") as tmp:
            start = time.perf_counter()
            result = run_demo(Project(REPO), out=Path(tmp), learners=args.learners, engine=engine)
            total = time.perf_counter() - start
            results[engine] = (total, result.timings, len(result.grading_failures))
    print(f"\nbpscare demo, {args.learners} learners, per engine (seconds):")
    for engine, (total, timings, failures) in results.items():
        steps = ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
        print(f"  {engine:9s} total {total:6.1f}  [{steps}]  ungraded: {failures}")
    if {"bpscare", "nbgrader"} <= results.keys():
        ratio = results["nbgrader"][1]["autograde"] / results["bpscare"][1]["autograde"]
        print(f"  autograde speed-up, bpscare over nbgrader: {ratio:.1f}x")
    target = 180.0
    bps_total = results.get("bpscare", results.get(args.engines[0]))[0]
    print(
        f"  target: under {target:.0f} s for the bpscare demo -> "
        f"{'met' if bps_total < target else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
