"""The autograded folder and the gradebook change together: both as they were, or both new.

One submission is put in place in these steps, the gradebook transaction being the commit point:

1. the new folder is staged in ``<course>/.bpscare-autograde/`` (same file system);
2. the gradebook rows are written and flushed, *not committed*;
3. a journal entry is written (fsync'd): where the folder goes, the staged folder's inode, and a
   fingerprint of the gradebook rows the commit will leave (:func:`gradebook.fingerprint`);
4. the folders are swapped: one ``renameat2(RENAME_EXCHANGE)`` where Linux offers it, else two
   renames through a backup folder; the old folder is *kept*;
5. the transaction is committed;
6. the old folder and the journal entry are removed.

A process killed anywhere leaves at most one journal entry per submission. :func:`recover`
(run at the start of every ``bpscare autograde`` and ``bpscare feedback``) reads the gradebook:
if it holds the journal's fingerprint the commit happened and the new folder is put (or kept) in
place; otherwise the old folder is put back and the new one dropped. Either way the folder and the
grades match again before anything else reads them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bpscare import atomic
from bpscare.grading import gradebook as gb_mod

JOURNAL = "journal"
#: Staging folder inside the course (same file system as ``autograded/``: renames are atomic).
SCRATCH = ".bpscare-autograde"


@contextlib.contextmanager
def course_lock(course: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the course's grading lock; yield False if another run holds it and not ``wait``.

    One ``bpscare autograde`` per course at a time: a second one would settle the first one's
    journal while its transaction is still open. ``bpscare feedback`` takes it only to settle a
    killed run's journal, and skips that while a run is under way. The lock is a ``flock`` on
    the course folder itself (no file is created); the kernel releases it when the holder dies.
    """
    import fcntl

    fd = os.open(course, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


@dataclass(frozen=True)
class Entry:
    """One journal entry: a swap of ``dest`` that is valid only if the gradebook committed."""

    assignment: str
    student: str
    dest: str  # autograded/<student>/<assignment>
    staging: str  # the new folder before the swap (the old one after an exchange)
    backup: str  # where the old folder waits when the platform cannot exchange
    inode: tuple[int, int]  # (st_dev, st_ino) of the new folder: found wherever it is
    fingerprint: str | None  # the gradebook state the commit leaves

    @property
    def path(self) -> Path:
        """The journal file of this entry."""
        return Path(self.staging).parent / JOURNAL / f"{Path(self.staging).stem}.json"


def journal_dir(scratch: Path) -> Path:
    """The folder of journal entries inside the course's scratch folder."""
    return scratch / JOURNAL


def install(
    scratch: Path,
    staging: Path,
    dest: Path,
    gradebook: Any,
    assignment: str,
    student: str,
    write_rows: Callable[[Callable[[], None]], None],
) -> None:
    """Put ``staging`` at ``dest`` and commit the rows ``write_rows`` writes, as one change.

    ``write_rows(before_commit)`` writes the gradebook rows in one transaction and calls
    ``before_commit`` just before committing (see :func:`gradebook.save_submission`).
    """
    entries: list[Entry] = []

    def before_commit() -> None:
        info = staging.stat()
        entry = Entry(
            assignment=assignment,
            student=student,
            dest=str(dest),
            staging=str(staging),
            backup=str(staging.with_suffix(".previous")),
            inode=(info.st_dev, info.st_ino),
            fingerprint=gb_mod.fingerprint(gradebook, assignment, student),
        )
        write_entry(entry)
        entries.append(entry)
        swap_in(entry)

    try:
        write_rows(before_commit)
    except BaseException:
        for entry in entries:  # normally rolled back; ask the gradebook, it has the last word
            with contextlib.suppress(Exception):  # unreachable: the next run settles it
                now = gb_mod.fingerprint(gradebook, assignment, student)
                settle(entry, committed=now == entry.fingerprint)
        raise
    for entry in entries:
        finish(entry)


def write_entry(entry: Entry) -> None:
    """Write the journal entry durably before anything moves."""
    atomic.write_text(entry.path, json.dumps(asdict(entry), sort_keys=True))


def swap_in(entry: Entry) -> None:
    """Put the new folder at ``dest``, keeping the old one (at ``staging`` or ``backup``)."""
    staging, dest, backup = Path(entry.staging), Path(entry.dest), Path(entry.backup)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists():
        rename(staging, dest)
    elif not exchange(staging, dest):
        rename(dest, backup)
        rename(staging, dest)


def finish(entry: Entry) -> None:
    """After the commit: drop the old folder, then the journal entry."""
    for leftover in (Path(entry.staging), Path(entry.backup)):
        shutil.rmtree(leftover, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        entry.path.unlink()


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (``renameat2``); False where the platform cannot."""
    return atomic.exchange(a, b)


def rename(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` (one atomic step on one file system)."""
    os.rename(src, dst)


def recover(scratch: Path, gradebook: Any) -> list[str]:
    """Settle every journal entry left by a killed run; return ``student/assignment`` of each.

    An entry whose fingerprint the gradebook holds was committed: its new folder stays (or is
    put) in place. Any other entry is rolled back: the old folder is put back.
    """
    settled: list[str] = []
    folder = journal_dir(scratch)
    if not folder.is_dir():
        return settled
    for path in sorted(folder.glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entry = Entry(**{**raw, "inode": tuple(raw["inode"])})
        except (OSError, ValueError, TypeError, KeyError):
            path.unlink()  # a torn write never happens (atomic), but never trust a file blindly
            continue
        now = gb_mod.fingerprint(gradebook, entry.assignment, entry.student)
        settle(entry, committed=now == entry.fingerprint)
        settled.append(f"{entry.student}/{entry.assignment}")
    return settled


def settle(entry: Entry, *, committed: bool) -> None:
    """Leave ``dest`` holding the new folder (committed) or the old one; drop the other."""
    dest, staging, backup = Path(entry.dest), Path(entry.staging), Path(entry.backup)
    aside = Path(entry.backup + ".drop")
    places = (dest, staging, backup, aside)  # ``aside``: a settle killed half-way
    new_at = next((p for p in places if _is(p, entry.inode)), None)
    old_at = next((p for p in places if p.exists() and p != new_at), None)
    keep = new_at if committed else old_at
    if keep is None and committed:
        keep = old_at  # the new folder is gone: keep what there is, the next run regrades
    if keep is None:  # rolling back a first grading: there was no folder before
        if dest.exists():
            rename(dest, aside)
    elif keep != dest:
        if not dest.exists():
            rename(keep, dest)
        elif not exchange(keep, dest):  # ``keep`` now holds what was at ``dest``
            rename(dest, aside)
            rename(keep, dest)
    for leftover in (staging, backup, aside):
        shutil.rmtree(leftover, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        entry.path.unlink()


def tidy(scratch: Path) -> None:
    """Remove the scratch folder, except what an unsettled journal entry still needs."""
    entries = sorted(journal_dir(scratch).glob("*.json")) if scratch.is_dir() else []
    if not entries:
        shutil.rmtree(scratch, ignore_errors=True)
        return
    keep = {journal_dir(scratch)}
    for path in entries:  # the next run settles them; keep their folders
        stem = path.stem
        keep |= {scratch / f"{stem}.incoming", scratch / f"{stem}.previous"}
        keep.add(scratch / f"{stem}.previous.drop")
    for child in scratch.iterdir():
        if child not in keep:
            shutil.rmtree(child, ignore_errors=True)


def _is(path: Path, inode: tuple[int, int]) -> bool:
    try:
        info = path.stat()
    except OSError:
        return False
    return (info.st_dev, info.st_ino) == tuple(inode)
