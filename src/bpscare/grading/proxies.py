"""Stand-ins for learner objects in the judge: calls and reads go to the learner's process.

A :class:`LearnerFunction` runs the learner's function in the learner's process on plain data.
A :class:`LearnerObject` is a learner value that is not plain data: it compares unequal to
everything and refuses truth, length, numbers and iteration, so it can never satisfy a check.
Both talk to the learner through the judge's ``Link`` (``remote``, ``pid``, ``flags``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "TRUSTED_PACKAGES",
    "LearnerError",
    "LearnerFunction",
    "LearnerObject",
    "LearnerValueError",
    "flag",
    "trusted_module",
]


class LearnerError(Exception):
    """An exception raised by learner code that is not a builtin exception type."""


class LearnerValueError(TypeError):
    """A learner's answer is not plain data, so it cannot be used as a value."""


class LearnerFunction:
    """A learner function: calling it runs it in the learner's process, on plain data."""

    __slots__ = ("__name__", "_key", "_link", "_origin", "_pid")

    def __init__(self, link: Any, key: int, name: str, origin: str = "") -> None:
        self._link = link
        self._key = key
        self._origin = origin
        self._pid = link.pid()
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the learner's function remotely and return its plain-data result."""
        return self._link.remote(
            self, "call", f"the result of {self.__name__}()", args=args, kwargs=kwargs
        )

    def __repr__(self) -> str:
        return f"<learner function {self.__name__}>"


class LearnerObject:
    """A learner value that is not plain data: it stays in the learner's process.

    It compares unequal to everything and refuses truth, length, numbers and iteration, so it
    can never satisfy a check; attribute reads and calls go to the learner's process.
    """

    __slots__ = ("_key", "_kind", "_link", "_origin", "_pid", "_reason", "_what")

    def __init__(
        self, link: Any, key: int, kind: str, reason: str, what: str, origin: str = ""
    ) -> None:
        for name, value in (
            ("_link", link),
            ("_key", key),
            ("_kind", kind),
            ("_reason", reason),
            ("_what", what),
            ("_origin", origin),
            ("_pid", link.pid() if key else 0),
        ):
            object.__setattr__(self, name, value)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        what = object.__getattribute__(self, "_what")
        kind = object.__getattribute__(self, "_kind")
        reason = object.__getattribute__(self, "_reason")
        text = f"{what} is a {kind} object ({reason}); answers must be plain data"
        flag(object.__getattribute__(self, "_link").flags, f"not plain data: {text}")
        raise LearnerValueError(text)

    def __eq__(self, other: object) -> bool:
        self._note()
        return False

    def __ne__(self, other: object) -> bool:
        self._note()
        return True

    def _note(self) -> None:
        what = object.__getattribute__(self, "_what")
        kind = object.__getattribute__(self, "_kind")
        reason = object.__getattribute__(self, "_reason")
        flag(
            object.__getattribute__(self, "_link").flags,
            f"not plain data: {what} is a {kind} object ({reason})",
        )

    __hash__ = object.__hash__
    __bool__ = __len__ = __iter__ = __float__ = __int__ = __index__ = __complex__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __contains__ = __round__ = __abs__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _refuse

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or object.__getattribute__(self, "_key") == 0:
            raise AttributeError(name)
        link: Any = object.__getattribute__(self, "_link")
        what = f"{object.__getattribute__(self, '_what')}.{name}"
        return link.remote(self, "getattr", what, name=name)

    def __getitem__(self, key: Any) -> Any:
        link: Any = object.__getattribute__(self, "_link")
        what = f"{object.__getattribute__(self, '_what')}[...]"
        return link.remote(self, "getitem", what, key=key)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the learner object in the learner's process."""
        if object.__getattribute__(self, "_key") == 0:
            self._refuse()
        link: Any = object.__getattribute__(self, "_link")
        what = f"the result of {object.__getattribute__(self, '_what')}()"
        return link.remote(self, "call", what, args=args, kwargs=kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        self._refuse()

    def __repr__(self) -> str:
        kind = object.__getattribute__(self, "_kind")
        return f"<learner {kind} object: not plain data>"


def flag(flags: list[str], text: str) -> None:
    """Add ``text`` to ``flags`` once."""
    if text not in flags:
        flags.append(text)


#: Top-level packages whose modules the judge may import when a learner value names one.
#: Anything else (a learner's own module, a fake one named like a standard module) arrives as
#: an opaque object. Modules already loaded in the judge are used only if they come from here.
TRUSTED_PACKAGES = frozenset(
    {
        # standard modules learners and tests commonly name (none that acts when imported)
        *[
            "math",
            "cmath",
            "statistics",
            "random",
            "collections",
            "itertools",
            "functools",
            "operator",
            "re",
            "json",
        ],
        *[
            "datetime",
            "decimal",
            "fractions",
            "string",
            "typing",
            "dataclasses",
            "enum",
            "copy",
            "numbers",
            "heapq",
        ],
        *[
            "bisect",
            "textwrap",
            "time",
            "os",
            "sys",
            "pathlib",
            "warnings",
            "unittest",
            "doctest",
            "inspect",
            "types",
        ],
        *["abc", "array", "calendar", "csv", "io", "pprint", "struct"],
        "numpy",
        "pandas",
        "scipy",
        "matplotlib",
        "IPython",
        "bpscare",
        "nose",
        "pytest",
        "sklearn",
        "statsmodels",
        "seaborn",
    }
)


def trusted_module(name: str) -> Any:
    """Return the grader's own copy of a module the learner referenced, if it is allowlisted.

    Only modules of :data:`TRUSTED_PACKAGES` are considered, and only from the Python
    installation: a learner's file named like a standard module is never imported here.
    """
    if type(name) is not str or name.split(".")[0] not in TRUSTED_PACKAGES:
        return None
    if not all(part.isidentifier() for part in name.split(".")):
        return None
    roots = [Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    package_root = Path(__file__).resolve().parents[2]

    def installed(origin: str | None) -> bool:
        if origin in ("built-in", "frozen"):
            return True
        if not origin:
            return False
        here = Path(origin).resolve()
        return any(r in here.parents for r in [*roots, package_root])

    loaded = sys.modules.get(name)
    if loaded is not None:
        spec = getattr(loaded, "__spec__", None)
        return loaded if spec is None or installed(getattr(spec, "origin", None)) else None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not installed(getattr(spec, "origin", None)):
        return None
    return importlib.import_module(name)
