"""How the report writes numbers, in its CSV files and on its page.

Every formatter returns ``""`` for a missing value (NaN), so an empty cell always means "no
value". The column declarations in :mod:`bpscare.competency.columns` name which formatter each
column uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def num(value: float) -> str:
    """Format points for export: rounded to two decimals, without trailing zeros.

    ``8.309999999999999`` (what ``nbgrader export`` writes for 8.31) becomes ``"8.31"``.
    """
    if value != value:  # NaN
        return ""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def fixed(value: float | None, digits: int = 4) -> str:
    """Format with ``digits`` decimals; ``""`` for None, NaN and infinities."""
    if value is None or not np.isfinite(value):
        return ""
    return f"{value:.{digits}f}"


def fixed2(value: float | None) -> str:
    """Format with 2 decimals (the page's statistics); ``""`` when not finite."""
    return fixed(value, 2)


def pct(value: float | None, digits: int = 0) -> str:
    """Format a share (0-1) as a percentage for the page, e.g. ``0.625`` -> ``"62%"``."""
    return "" if value is None or not np.isfinite(value) else f"{value * 100:.{digits}f}%"


def points(value: float) -> str:
    """Format points for the page, shortest form (``"2"``, ``"2.5"``)."""
    return f"{value:g}"


def pct_number(value: float) -> str:
    """Format a share (0-1) as a percentage number for CSV, one decimal, no sign (``"62.5"``)."""
    return fixed(value * 100, 1)


def memo(func: Callable[[Any], str]) -> Callable[[Any], str]:
    """Cache a formatter by value (report columns repeat few distinct values).

    Zero is never cached, so 0.0 and -0.0 (equal as keys) keep their own formatting.
    """
    cache: dict[Any, str] = {}

    def formatted(value: Any) -> str:
        text = cache.get(value)
        if text is None:
            text = func(value)
            if value:
                cache[value] = text
        return text

    return formatted
