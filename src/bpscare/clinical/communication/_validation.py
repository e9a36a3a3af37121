"""Field checks shared by the communication models (private).

Text, lists of text, choices from a fixed vocabulary, unknown keys in dict input, and numbers of
people out of 100. Each raises ``ValueError`` naming the bad field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        msg = f"{name}: expected text, got {value!r}"
        raise ValueError(msg)
    return value


def _texts(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = f"{name}: expected a list of text, got {value!r}"
        raise ValueError(msg)
    items = tuple(value)
    for i, item in enumerate(items):
        _check_text(f"{name}[{i}]", item)
    return items


def _choice(name: str, value: object, allowed: Mapping[str, str], *, blank: bool = True) -> str:
    if (blank and value == "") or (isinstance(value, str) and value in allowed):
        return str(value)
    extra = " or '' (not stated)" if blank else ""
    msg = f"{name}: {value!r} is not a known choice; allowed: {', '.join(allowed)}{extra}"
    raise ValueError(msg)


def _reject_unknown(name: str, data: object, allowed: Iterable[str]) -> Mapping[str, Any]:
    allowed = tuple(allowed)
    if not isinstance(data, Mapping):
        msg = f"{name}: expected an object, got {data!r}"
        raise ValueError(msg)
    for key in data:
        if key not in allowed:
            msg = f"{name}.{key}: unknown field; allowed: {', '.join(allowed)}"
            raise ValueError(msg)
    return data


def _per_100(value: object) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 100
    ):
        msg = f"per_100: expected a number of people out of 100 (0-100) or None, got {value!r}"
        raise ValueError(msg)
    return float(value)
