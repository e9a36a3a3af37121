"""The bpscare autograding engine: nbgrader-compatible, parallel and sandboxed.

``autograde(course_dir, assignment, ...)`` grades any nbgrader course folder and writes
``autograded/`` and the gradebook as ``nbgrader autograde`` does. See ``docs/autograding.md``.
The engine is imported lazily, so a grading worker that imports only
:mod:`bpscare.grading.runner` does not pay for nbformat and nbgrader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpscare.grading.engine import AutogradeRun, GradingEvent, StudentResult, autograde

__all__ = ["AutogradeRun", "GradingEvent", "StudentResult", "autograde"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bpscare.grading import engine

        return getattr(engine, name)
    msg = f"module 'bpscare.grading' has no attribute {name!r}"
    raise AttributeError(msg)
