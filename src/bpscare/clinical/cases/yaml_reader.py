"""Reading the case data files: :class:`CaseError` and a path-aware, validating YAML reader.

Every loader of case data (the cases, the shared vocabulary, the interview question bank and the
stigma checklist) reads its file with :func:`_read_yaml` and checks fields with :class:`_Reader`,
so each problem raises :class:`CaseError` naming the file, the field path, the bad value and what
is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from bpscare.errors import BpscareError

__all__ = ["CaseError"]


class CaseError(BpscareError):
    """A case file (or the question bank or checklist) that does not follow the schema.

    The message names the file, the field path, the bad value and what is allowed, e.g.
    ``c01-x.yaml: care_plan.team[2]: unknown id 'therapist'; allowed: ...``.

    Attributes
    ----------
    path
        The file at fault (``None`` for a case id lookup).
    field
        The dotted field path, e.g. ``"formulation.perpetuating.social[1]"``.
    """

    def __init__(self, message: str, *, path: Path | str | None = None, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message, path=path)
        self.field = field


def _data(*parts: str) -> Traversable:
    return resources.files("bpscare").joinpath("data", *parts)


def _read_yaml(source: Traversable | Path) -> Any:
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        msg = "file not found"
        raise CaseError(msg, path=str(source)) from error
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        msg = f"malformed YAML at {where}: {problem}"
        raise CaseError(msg, path=str(source)) from error


class _Reader:
    """Path-aware accessors that raise CaseError naming file, field, value and allowed values."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, message: str, field: str) -> CaseError:
        return CaseError(message, path=self.path, field=field)

    def mapping(self, value: object, field: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            msg = f"expected a mapping, got {type(value).__name__} {value!r}"
            raise self.fail(msg, field)
        return value

    def keys(
        self,
        data: Mapping[str, Any],
        field: str,
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> None:
        allowed = [*required, *optional]
        for key in data:
            if key not in allowed:
                msg = f"unknown field {key!r}; allowed: {', '.join(allowed)}"
                raise self.fail(msg, _join(field, str(key)))
        for key in required:
            if key not in data:
                msg = f"missing required field {key!r}"
                raise self.fail(msg, _join(field, key))

    def text(self, value: object, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            msg = f"expected non-empty text, got {value!r}"
            raise self.fail(msg, field)
        return " ".join(value.split())

    def integer(self, value: object, field: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            msg = f"expected a whole number from {low} to {high}, got {value!r}"
            raise self.fail(msg, field)
        return value

    def boolean(self, value: object, field: str) -> bool:
        if not isinstance(value, bool):
            msg = f"expected true or false, got {value!r}"
            raise self.fail(msg, field)
        return value

    def choice(self, value: object, field: str, allowed: Sequence[str]) -> str:
        if value not in allowed:
            msg = f"got {value!r}; allowed: {', '.join(allowed)}"
            raise self.fail(msg, field)
        return str(value)

    def texts(self, value: object, field: str, *, min_items: int = 1) -> tuple[str, ...]:
        if value is None and min_items == 0:
            return ()
        if not isinstance(value, list):
            msg = f"expected a list of text, got {type(value).__name__} {value!r}"
            raise self.fail(msg, field)
        if len(value) < min_items:
            msg = f"expected at least {min_items} item(s), got {len(value)}"
            raise self.fail(msg, field)
        return tuple(self.text(item, f"{field}[{i}]") for i, item in enumerate(value))

    def ids(
        self, value: object, field: str, allowed: Sequence[str], *, min_items: int = 0
    ) -> tuple[str, ...]:
        if value is None and min_items == 0:
            return ()
        if not isinstance(value, list):
            msg = f"expected a list of ids, got {type(value).__name__} {value!r}"
            raise self.fail(msg, field)
        if len(value) < min_items:
            msg = f"expected at least {min_items} id(s), got {len(value)}"
            raise self.fail(msg, field)
        for i, item in enumerate(value):
            if item not in allowed:
                msg = f"unknown id {item!r}; allowed: {', '.join(allowed)}"
                raise self.fail(msg, f"{field}[{i}]")
        if len(set(value)) != len(value):
            duplicates = sorted({v for v in value if value.count(v) > 1})
            msg = f"duplicate id(s) {duplicates}"
            raise self.fail(msg, field)
        return tuple(value)

    def pattern(self, value: object, field: str, regex: re.Pattern[str], example: str) -> str:
        if not isinstance(value, str) or not regex.match(value):
            msg = f"got {value!r}; expected an id like {example!r} (lowercase, hyphens)"
            raise self.fail(msg, field)
        return value


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
