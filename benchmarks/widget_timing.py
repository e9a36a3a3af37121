"""Timing helpers shared by the widget benchmarks (``bench_widgets_w1.py``, ``_w2.py``)."""

from __future__ import annotations

import argparse
import functools
import itertools
import statistics
import time
from collections.abc import Callable, Iterable, Mapping

Suite = Callable[[int], dict[str, list[float]]]


def time_ms(action: Callable[[], object]) -> float:
    """Run ``action`` once and return its wall time in milliseconds."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000.0


def take(actions: Iterable[Callable[[], object]], runs: int) -> list[float]:
    """Time at least ``runs`` actions (minimum 20), cycling through ``actions``."""
    pool = list(actions)
    return [time_ms(action) for action in itertools.islice(itertools.cycle(pool), max(runs, 20))]


def setter(widget: object, value: object) -> Callable[[], None]:
    """A closure that sets ``widget.value`` (what a user's click or keystroke does)."""
    return functools.partial(setattr, widget, "value", value)


def run_suites(suites: Mapping[str, Suite], description: str) -> int:
    """Parse ``--runs``, run every suite and print median, p90 and max per callback."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=30, help="minimum timed calls per row")
    args = parser.parse_args()
    print(f"{'widget':<22} {'callback':<42} {'n':>5} {'median':>8} {'p90':>8} {'max':>8}  (ms)")
    for widget, bench in suites.items():
        for callback, times in bench(args.runs).items():
            ordered = sorted(times)
            p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
            print(
                f"{widget:<22} {callback:<42} {len(times):>5} {statistics.median(times):>8.2f} "
                f"{p90:>8.2f} {ordered[-1]:>8.2f}"
            )
    return 0
