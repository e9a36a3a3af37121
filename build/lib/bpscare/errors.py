"""One error type for problems a user can fix, so the command line can print them in one line."""

from __future__ import annotations

from pathlib import Path


class BpscareError(ValueError):
    """A problem with the user's input (a file, a cell, a value) rather than a bug.

    The command line prints ``str(error)`` as a single line and exits non-zero, so the message
    must name the file, cell or value at fault and, where it can, what to do about it.
    """

    def __init__(self, message: str, *, path: Path | str | None = None, cell: str | None = None):
        where = []
        if path is not None:
            where.append(str(path))
        if cell is not None:
            where.append(f"cell {cell}")
        prefix = ": ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.path = path
        self.cell = cell
