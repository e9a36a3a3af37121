"""Risk communication formats: natural frequencies ("12 out of 100 people") and icon arrays.

Natural frequencies and icon arrays with a common denominator are the formats the International
Patient Decision Aid Standards (IPDAS) collaboration recommends for outcome probabilities
(Elwyn G, et al., BMJ 2006;333:417). The Elwyn 2006 citation is not in the project's facts file;
check it before quoting in course text.
"""

from __future__ import annotations

import math

from bpscare.clinical.communication._validation import _per_100

__all__ = [
    "icon_array",
    "natural_frequency",
]


def _count(value: float) -> str:
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def natural_frequency(per_100: float, timeframe: str = "") -> str:
    """Say a frequency as "x out of 100 people", the format people understand best.

    Whole numbers are said out of 100. A fractional number is scaled to 1,000 or 10,000 people
    so the count is whole where possible ("2.5 out of 100" -> "25 out of 1,000"), keeping every
    outcome of one aid comparable by denominator within a scale. Natural frequencies are
    recommended over percentages by the IPDAS collaboration (Elwyn et al., BMJ 2006).

    Parameters
    ----------
    per_100
        People out of 100 (0-100).
    timeframe
        Optional period, appended as given ("over 1 year").

    Returns
    -------
    str
        For example ``"12 out of 100 people over 1 year"``.

    Examples
    --------
    >>> natural_frequency(12, "over 1 year")
    '12 out of 100 people over 1 year'
    >>> natural_frequency(2.5)
    '25 out of 1,000 people'
    """
    value = _per_100(per_100)
    if value is None:
        msg = "per_100: expected a number of people out of 100 (0-100), got None"
        raise ValueError(msg)
    count, denominator = value, 100
    for scale in (1_000, 10_000):
        if math.isclose(count, round(count), abs_tol=1e-9):
            break
        count, denominator = value * scale / 100, scale
    tail = f" {timeframe.strip()}" if timeframe.strip() else ""
    return f"{_count(round(count, 1))} out of {denominator:,} people{tail}"


def icon_array(per_100: float, *, filled: str = "●", empty: str = "○") -> list[str]:
    """Draw a 10 x 10 icon array as text rows: one symbol per person out of 100.

    ``per_100`` is rounded to the nearest whole person (halves round up), so 0.4 shows no filled
    icon; say the exact figure next to the array. Icon arrays with a common denominator help
    people compare risks (IPDAS; Elwyn et al., BMJ 2006).

    Returns
    -------
    list[str]
        Ten strings of ten symbols, filled first, row by row.
    """
    value = _per_100(per_100)
    if value is None:
        msg = "per_100: expected a number of people out of 100 (0-100), got None"
        raise ValueError(msg)
    n = math.floor(value + 0.5)
    cells = filled * n + empty * (100 - n)
    return [cells[i : i + 10] for i in range(0, 100, 10)]
