"""One place for a graded cell's points: its tag. ``Checks(points=N)`` must repeat it exactly.

A tests cell's points are set by its tag (``# %% grading="tests" ... points=3``), which becomes
nbgrader's ``points`` and so the gradebook's maximum. The cell's code also builds
``Checks(points=3, ...)``, which scales the earned weight to points; if the two disagree the
learner sees "3 of 4 points" while the gradebook caps the cell at another number. The build
therefore reads every tests cell's code with :mod:`ast` and rejects a ``Checks`` call whose
``points=`` is not a number literal equal to the tag's points.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat

from bpscare.authoring.textnb import describe_cell
from bpscare.errors import BpscareError

#: The class a tests cell builds; an ``import ... as`` alias of it is followed too.
CHECKS_NAME = "Checks"
TOLERANCE = 1e-9


@dataclass(frozen=True)
class ChecksCall:
    """One ``Checks(...)`` construction in a cell: its line and its literal points, if any."""

    line: int
    points: float | None
    problem: str | None


def check_checks_points(nb: nbformat.NotebookNode, path: Path) -> None:
    """Reject a tests cell whose ``Checks(points=...)`` differs from the cell's tag points.

    Also rejected: a ``Checks`` built without a literal ``points=`` keyword (positional,
    computed or ``**kwargs``), and a tests cell that is not valid Python. Raises
    ``BpscareError`` naming the file and the cell (its grade id).
    """
    for index, cell in enumerate(nb.cells):
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not nbg.get("grade") or nbg.get("solution"):
            continue
        where = describe_cell(index, cell)
        tag_points = float(nbg.get("points", 0))
        for call in checks_calls(cell.source, path, where):
            fix = f"write Checks(points={tag_points:g}, ...) with the points of the cell's tag"
            if call.problem is not None or call.points is None:
                msg = f"line {call.line} of the cell: {call.problem or 'no points'}; {fix}"
                raise BpscareError(msg, path=path, cell=where)
            if abs(call.points - tag_points) > TOLERANCE:
                msg = (
                    f"line {call.line} of the cell: Checks(points={call.points:g}) but the tag "
                    f"says points={tag_points:g}; the tag is the one source of a cell's points, "
                    f"so {fix}"
                )
                raise BpscareError(msg, path=path, cell=where)


def checks_calls(source: str, path: Path, where: str) -> list[ChecksCall]:
    """Find every ``Checks(...)`` call in a cell's code, with its literal ``points=`` if any."""
    tree = _parse(source, path, where)
    names = {CHECKS_NAME}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.update(a.asname for a in node.names if a.name == CHECKS_NAME and a.asname)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_checks(node.func, names):
            found.append(_read_call(node))
    return sorted(found, key=lambda call: call.line)


def _parse(source: str, path: Path, where: str) -> ast.Module:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        # IPython syntax (%magics, !commands) first becomes plain Python, as the kernel does.
        code = TransformerManager().transform_cell(source)
        return ast.parse(code)
    except (SyntaxError, ValueError) as exc:
        detail = f"line {exc.lineno}: {exc.msg}" if isinstance(exc, SyntaxError) else str(exc)
        msg = f"tests cell is not valid Python ({detail})"
        raise BpscareError(msg, path=path, cell=where) from exc


def _is_checks(func: ast.expr, names: set[str]) -> bool:
    if isinstance(func, ast.Name):
        return func.id in names
    return isinstance(func, ast.Attribute) and func.attr == CHECKS_NAME


def _read_call(node: ast.Call) -> ChecksCall:
    if node.args:
        return ChecksCall(node.lineno, None, "Checks gets its points as a positional argument")
    for keyword in node.keywords:
        if keyword.arg is None:
            return ChecksCall(node.lineno, None, "Checks gets its arguments from **kwargs")
        if keyword.arg == "points":
            value = keyword.value
            if (
                isinstance(value, ast.Constant)
                and isinstance(value.value, int | float)
                and not isinstance(value.value, bool)
            ):
                return ChecksCall(node.lineno, float(value.value), None)
            return ChecksCall(node.lineno, None, "Checks(points=...) is not a number literal")
    return ChecksCall(node.lineno, None, "Checks is built without points=")
