"""Submissions in the nbgrader exchange's inbound folder: find them, name them, check them.

nbgrader's ``submit`` copies a learner's folder to
``<Exchange.root>/<course_id>/inbound/<student>+<assignment>+<timestamp>[+<random>]/`` and writes
``timestamp.txt`` after the notebooks. A folder is *ready* once ``timestamp.txt`` exists and
nothing in it has changed for ``settle`` seconds.
"""

from __future__ import annotations

import os
import pwd
import time
from dataclasses import dataclass
from pathlib import Path

#: A submission bigger than this many times its released folder (plus :data:`SIZE_SLACK`) is
#: refused: learners' answers are short text and code, not data sets.
SIZE_FACTOR = 5.0
SIZE_SLACK = 1_000_000


@dataclass(frozen=True)
class Submission:
    """One folder in the exchange inbound: who submitted which assignment, and when."""

    folder: Path
    student: str
    assignment: str
    timestamp: str
    detected: float  # time.time() when the service first saw the folder ready

    @property
    def key(self) -> str:
        """The folder's name: unique for each submission."""
        return self.folder.name


def parse_name(name: str) -> tuple[str, str, str] | None:
    """Return (student, assignment, timestamp) of an inbound folder name, or None."""
    parts = name.split("+")
    if len(parts) not in (3, 4) or not all(parts[:3]):
        return None
    return parts[0], parts[1], parts[2]


def ready_submissions(inbound: Path, known: set[str], settle: float = 0.3) -> list[Submission]:
    """The ready folders of ``inbound`` whose names are not in ``known``, oldest first."""
    found: list[Submission] = []
    try:
        entries = sorted(os.scandir(inbound), key=lambda e: e.name)
    except FileNotFoundError:
        return found
    now = time.time()
    for entry in entries:
        if entry.name in known or entry.name.startswith(".") or not entry.is_dir():
            continue
        parsed = parse_name(entry.name)
        folder = Path(entry.path)
        if parsed is None or not (folder / "timestamp.txt").is_file():
            continue
        if now - _newest_change(folder) < settle:
            continue
        student, assignment, timestamp = parsed
        found.append(Submission(folder, student, assignment, timestamp, now))
    return found


def problem(
    sub: Submission,
    release: Path,
    size_factor: float = SIZE_FACTOR,
    published: set[str] | None = None,
) -> str | None:
    """A learner-facing sentence saying why ``sub`` cannot be graded, or None when it can.

    ``release`` is the course's ``release/`` folder; ``published`` the assignments released to
    learners (the exchange's outbound), when known.
    """
    released = release / sub.assignment
    if not released.is_dir() or (published is not None and sub.assignment not in published):
        if published is None:
            published = (
                {p.name for p in release.iterdir() if p.is_dir()} if release.is_dir() else set()
            )
        known = ", ".join(sorted(published)) or "none yet"
        return (
            f"'{sub.assignment}' is not an assignment of this course (released: {known}); "
            "check the assignment's name and submit it again."
        )
    notebooks = sorted(p.name for p in released.glob("*.ipynb"))
    submitted = sorted(p.name for p in sub.folder.glob("*.ipynb"))
    if not submitted:
        return (
            f"your submission of {sub.assignment} holds no notebook (expected "
            f"{', '.join(notebooks)}); fetch the assignment, answer it and submit it again."
        )
    missing = [name for name in notebooks if name not in submitted]
    if missing:
        return (
            f"your submission of {sub.assignment} lacks {', '.join(missing)}; keep the released "
            "notebook's name and submit it again."
        )
    limit = size_factor * _size(released) + SIZE_SLACK
    size = _size(sub.folder)
    if size > limit:
        return (
            f"your submission of {sub.assignment} is {size / 1e6:.1f} MB, much larger than the "
            f"released assignment (limit {limit / 1e6:.1f} MB); remove large outputs or extra "
            "files (Kernel > Restart and Clear Outputs) and submit it again."
        )
    return None


def owner_mismatch(sub: Submission) -> str | None:
    """Say when the folder belongs to another system user than the learner it names.

    Only meaningful where each learner is a system user (LocalProcessSpawner, TLJH); a folder
    owned by the service's own user (e.g. every user is root in a container) is not judged.
    """
    uid = sub.folder.stat().st_uid
    if uid == os.getuid():
        return None
    try:
        owner = pwd.getpwuid(uid).pw_name
    except KeyError:
        return None
    if owner.removeprefix("jupyter-") != sub.student:
        return f"the folder is owned by {owner}, not by {sub.student}"
    return None


def _newest_change(folder: Path) -> float:
    newest = folder.stat().st_mtime
    for path in folder.rglob("*"):
        try:
            newest = max(newest, path.stat().st_mtime)
        except FileNotFoundError:
            continue
    return newest


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
