"""Progress bars for long steps (autograding, feedback), written to stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tqdm import tqdm


@contextmanager
def event_bar(label: str, total: int | None = None) -> Iterator[Callable[[Any], None]]:
    """Yield a callback that advances a bar for each finished item.

    The callback accepts grading events (objects with ``done``/``total`` attributes) or any
    other value, which counts as one finished item.
    """
    bar = tqdm(
        total=total,
        desc=label,
        unit="sub",
        file=sys.stderr,
        leave=True,
        disable=None,
        dynamic_ncols=True,
    )

    def on_event(event: Any = None) -> None:
        event_total = getattr(event, "total", None)
        if event_total and bar.total != event_total:
            bar.total = event_total
            bar.refresh()
        if getattr(event, "done", True):
            bar.update(1)

    try:
        yield on_event
    finally:
        bar.close()
