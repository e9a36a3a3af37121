"""``bpscare collect``: place LMS submission exports in an nbgrader course, trusting the LMS only.

Who submitted, and when, comes from the LMS, never from the zip:

- **Canvas** names every file of its "Download Submissions" zip
  ``<sortable name>_<user id>_<submission id>_<original file name>``, with ``LATE_`` before the
  user id when Canvas marked the submission late (``doejane_LATE_4321_98765_a01.zip``).
- **Moodle** puts each participant's files in a folder (or, without the folder option, a file
  name prefix) ``<Full Name>_<participant id>_assignsubmission_file_``; the participant id is
  the one the grading worksheet shows as ``Participant <id>``.
- A **roster CSV** maps the LMS's id to the course's learner id and may give the submission
  time: columns ``learner`` and ``lms_user_id``, optional ``submitted_at`` (ISO 8601; without a
  zone, UTC) and ``file`` (a file name, for zips that follow no LMS naming). Canvas gradebook
  exports (``ID``, ``SIS Login ID``) and Moodle grading worksheets (``Identifier`` =
  ``Participant <id>``, ``Last modified (submission)``) are read as they are.

The zip's own manifest is a cross-check: a zip whose manifest names another learner than the LMS
does, or whose LMS id the roster does not know, is **held** for the instructor in
``<course>/collect/held/<assignment>/`` with a ``.reason.txt`` beside it; it never reaches
another learner's folder. The manifest's time is never the submission time: that is the
roster's ``submitted_at``; without one, no ``timestamp.txt`` is written (nbgrader then applies
no late penalty) and the summary says so.

**Attempts.** When a learner has several attempts (in one batch or over several runs), one is
kept in ``submitted/`` by the stated policy (:data:`POLICIES`; default ``latest-before-due``:
the latest attempt submitted by the due date, else the latest late one); every other attempt
is **archived** in ``<course>/collect/archive/<assignment>/<learner>/``, never dropped. An
attempt's time is its LMS time, else the time it was collected (a later export holds the later
attempt); Canvas's ``LATE_`` mark counts as after the due date.

**Each zip alone.** Each zip is checked by :func:`~bpscare.grading.submission_zip
.read_submission`; any failure rejects that zip with its reason and the batch goes on. Files
are written through :func:`bpscare.atomic.staged_dir`, so nothing is left half-written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bpscare import atomic
from bpscare.errors import BpscareError
from bpscare.grading.submission_zip import (
    MAX_TOTAL_BYTES,
    TIMESTAMP_FORMAT,
    Manifest,
    check_entry,
    check_learner,
    open_zip,
    read_entry,
    read_submission,
    reason,
    safe_entries,
)

#: Attempt policies: which attempt stays in ``submitted/`` (the others are archived).
POLICIES = {
    "latest-before-due": "the latest attempt submitted by the due date, else the latest one",
    "latest": "the latest attempt",
    "first": "the first attempt",
}
DEFAULT_POLICY = "latest-before-due"
CANVAS_NAME = re.compile(
    r"(?P<sortable>[^_/]+)_(?P<late>LATE_)?(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>[^/]+)"
)
MOODLE_NAME = re.compile(r"(?P<name>[^_/]+)_(?P<uid>\d+)_assignsubmission_file_/?(?P<file>.+)")
HELD = "held"
ARCHIVE = "archive"
RECORD = "attempt.json"


@dataclass(frozen=True)
class Attempt:
    """One submission zip, with the identity and time its LMS (or roster) gives it."""

    origin: str
    data: bytes
    lms: str  # "canvas", "moodle", "roster" or "" (no identity)
    lms_user_id: str
    learner: str | None
    submitted_at: dt.datetime | None
    late_mark: bool
    order: int


@dataclass
class CollectResult:
    """The outcome of one ``collect`` run."""

    collected: list[str] = field(default_factory=list)
    archived: list[tuple[str, str]] = field(default_factory=list)  # (learner, where)
    held: list[tuple[str, str]] = field(default_factory=list)  # (origin, reason)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (origin, reason)
    untimed: list[str] = field(default_factory=list)
    policy: str = DEFAULT_POLICY

    def summary(self) -> str:
        """Human-readable lines: counts, then one line per held or rejected zip."""
        lines = [
            f"collected {len(self.collected)} submission(s) (policy: {self.policy}, "
            f"{POLICIES[self.policy]})"
            + (f"; archived {len(self.archived)} other attempt(s)" if self.archived else "")
            + (f"; held {len(self.held)} for review" if self.held else "")
            + (f"; rejected {len(self.rejected)}" if self.rejected else "")
        ]
        lines += [f"  held {name}: {why}" for name, why in self.held]
        lines += [f"  rejected {name}: {why}" for name, why in self.rejected]
        if self.untimed:
            lines.append(
                f"  {len(self.untimed)} submission(s) have no LMS submission time (no late "
                "penalty applied): give --roster with a submitted_at column to record it"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class Roster:
    """LMS id -> learner, and submission times by LMS id or file name."""

    learners: dict[str, str]
    times: dict[str, dt.datetime]
    files: dict[str, str]

    @classmethod
    def empty(cls) -> Roster:
        """A roster that knows nobody."""
        return cls({}, {}, {})


def load_roster(path: Path, timezone: dt.tzinfo = dt.UTC) -> Roster:
    """Read a roster CSV (see the module doc); a bad row is a one-line error naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"cannot read the roster ({exc})"
        raise BpscareError(msg, path=path) from exc
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    learner_col = fields.get("learner") or fields.get("sis login id")
    uid_col = fields.get("lms_user_id") or fields.get("id") or fields.get("identifier")
    time_col = fields.get("submitted_at") or fields.get("last modified (submission)")
    file_col = fields.get("file")
    if learner_col is None or (uid_col is None and file_col is None):
        msg = (
            "a roster needs a 'learner' column and an 'lms_user_id' (or 'file') column; "
            f"found {sorted(fields)}"
        )
        raise BpscareError(msg, path=path)
    learners: dict[str, str] = {}
    times: dict[str, dt.datetime] = {}
    files: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        learner = row.get(learner_col) or ""
        where = f"{path}:{line}"
        try:
            check_learner(learner)
        except BpscareError as exc:
            raise BpscareError(str(exc), path=where) from exc
        uid = _lms_id(row.get(uid_col) or "") if uid_col else ""
        when = _parse_time(row.get(time_col) or "", where, timezone) if time_col else None
        if uid:
            if learners.get(uid, learner) != learner:
                msg = f"LMS id {uid} is given to two learners ({learners[uid]}, {learner})"
                raise BpscareError(msg, path=where)
            learners[uid] = learner
            if when is not None:
                times[uid] = when
        name = (row.get(file_col) or "").strip() if file_col else ""
        if name:
            files[name] = learner
            if when is not None:
                times[f"file:{name}"] = when
    return Roster(learners, times, files)


def collect_zips(
    course_dir: Path,
    assignment: str,
    inputs: Sequence[Path],
    *,
    roster: Roster | None = None,
    due: dt.datetime | None = None,
    policy: str = DEFAULT_POLICY,
    now: dt.datetime | None = None,
) -> CollectResult:
    """Collect an LMS submission export (zips, folders or a bulk zip) into ``submitted/``."""
    course_dir = Path(course_dir).resolve()
    if (
        not (course_dir / "source" / assignment).is_dir()
        and not (course_dir / "release" / assignment).is_dir()
    ):
        msg = f"the course has no assignment {assignment!r} (no source/ or release/ folder)"
        raise BpscareError(msg, path=course_dir)
    if policy not in POLICIES:
        msg = f"unknown attempt policy {policy!r}; allowed: {', '.join(POLICIES)}"
        raise BpscareError(msg)
    now = now or dt.datetime.now(dt.UTC)
    roster = roster or Roster.empty()
    result = CollectResult(policy=policy)
    accepted: dict[str, list[tuple[Attempt, Manifest, dict[str, bytes]]]] = {}
    for attempt in _attempts(inputs, roster, result):
        try:
            manifest, contents = read_submission(attempt.data, assignment, attempt.origin)
        except BpscareError as exc:
            result.rejected.append((attempt.origin, reason(exc, attempt.origin)))
            continue
        except Exception as exc:  # one hostile zip must never stop the batch
            result.rejected.append((attempt.origin, f"cannot be read ({type(exc).__name__})"))
            continue
        why = _identity_problem(attempt, manifest)
        if why:
            _hold(course_dir, assignment, attempt, why, now, result)
            continue
        accepted.setdefault(str(attempt.learner), []).append((attempt, manifest, contents))
    for learner, attempts in sorted(accepted.items()):
        try:
            _settle(course_dir, assignment, learner, attempts, due, policy, now, result)
        except (BpscareError, OSError) as exc:
            for attempt, _m, _c in attempts:
                result.rejected.append((attempt.origin, f"could not be placed ({exc})"))
    return result


# -- identity ----------------------------------------------------------------------------------


def identify(name: str, roster: Roster) -> tuple[str, str, bool]:
    """Return (lms, lms user id, LATE mark) from a file's path in an export ("" when none)."""
    path = name.replace("\\", "/")
    base = PurePosixPath(path).name
    moodle = MOODLE_NAME.search(path)
    if moodle:
        return "moodle", moodle["uid"], False
    canvas = CANVAS_NAME.fullmatch(base)
    if canvas:
        return "canvas", canvas["uid"], bool(canvas["late"])
    if base in roster.files:
        return "roster", "", False
    return "", "", False


def _identity_problem(attempt: Attempt, manifest: Manifest) -> str:
    if not attempt.lms:
        return (
            "no LMS identity: the file follows neither Canvas nor Moodle naming and is not in "
            "the roster's 'file' column (the zip's own learner id is not trusted)"
        )
    if attempt.learner is None:
        return (
            f"{attempt.lms} user id {attempt.lms_user_id} is not in the roster "
            "(give --roster mapping LMS ids to learner ids)"
        )
    if manifest.learner != attempt.learner:
        return (
            f"the LMS says learner {attempt.learner!r}, the zip's manifest says "
            f"{manifest.learner!r}; held so that no learner's work is overwritten"
        )
    return ""


def _attempts(inputs: Iterable[Path], roster: Roster, result: CollectResult) -> Iterator[Attempt]:
    for order, (origin, name, data) in enumerate(_expand(inputs, result)):
        lms, uid, late = identify(name, roster)
        base = PurePosixPath(name.replace("\\", "/")).name
        if lms == "roster":
            learner: str | None = roster.files[base]
            when = roster.times.get(f"file:{base}")
        else:
            learner = roster.learners.get(uid) if uid else None
            when = roster.times.get(f"file:{base}") or roster.times.get(uid)
        yield Attempt(origin, data, lms, uid, learner, when, late, order)


def _expand(inputs: Iterable[Path], result: CollectResult) -> Iterator[tuple[str, str, bytes]]:
    """Yield (origin, name in the export, bytes) of each zip: files, folders and bulk zips."""
    for path in inputs:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.rglob("*.zip")):
                if child.is_file() and not child.is_symlink():
                    yield from _expand_file(child, child.relative_to(path).as_posix(), result)
            continue
        yield from _expand_file(path, path.name, result)


def _expand_file(path: Path, name: str, result: CollectResult) -> Iterator[tuple[str, str, bytes]]:
    try:
        if path.stat().st_size > MAX_TOTAL_BYTES * 20:
            result.rejected.append((str(path), "file too large"))
            return
        data = path.read_bytes()
    except OSError as exc:
        result.rejected.append((str(path), f"cannot read: {exc.strerror}"))
        return
    try:
        archive = open_zip(data, str(path))
    except BpscareError as exc:
        result.rejected.append((str(path), reason(exc, str(path))))
        return
    with archive:
        files = [i for i in archive.infolist() if not i.is_dir()]
        if not files or not all(i.filename.lower().endswith(".zip") for i in files):
            yield str(path), name, data
            return
        try:
            inner = safe_entries(archive, str(path), bulk=True)
        except BpscareError as exc:
            result.rejected.append((str(path), reason(exc, str(path))))
            return
        for info in inner:
            origin = f"{path}!{info.filename}"
            try:
                check_entry(info, origin, MAX_TOTAL_BYTES)
                blob = read_entry(archive, info, origin)
            except BpscareError as exc:
                result.rejected.append((origin, reason(exc, origin)))
                continue
            yield origin, info.filename, blob


# -- placing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    when: dt.datetime
    late: bool
    order: int
    attempt: Attempt | None  # None: the submission already in submitted/
    manifest: Manifest | None
    contents: dict[str, bytes] | None


def _settle(
    course_dir: Path,
    assignment: str,
    learner: str,
    attempts: list[tuple[Attempt, Manifest, dict[str, bytes]]],
    due: dt.datetime | None,
    policy: str,
    now: dt.datetime,
    result: CollectResult,
) -> None:
    """Keep one attempt in submitted/ by the policy; archive every other one."""
    final = course_dir / "submitted" / learner / assignment
    candidates = [_existing(final, due)] if final.is_dir() else []
    for attempt, manifest, contents in attempts:
        when = attempt.submitted_at or now
        late = attempt.late_mark or (
            due is not None and attempt.submitted_at is not None and attempt.submitted_at > due
        )
        candidates.append(_Candidate(when, late, attempt.order + 1, attempt, manifest, contents))
    keep = _choose(candidates, policy)
    for cand in candidates:
        if cand is keep or cand.attempt is None:
            continue
        where = _archive_attempt(course_dir, assignment, learner, cand, now)
        result.archived.append((learner, str(where)))
    if keep.attempt is None:
        return  # the submission already collected stays
    if final.is_dir():
        where = _archive_folder(course_dir, assignment, learner, final, now)
        result.archived.append((learner, str(where)))
    assert keep.contents is not None
    with atomic.staged_dir(final, "incoming") as staging:
        for name, data in keep.contents.items():
            (staging / name).write_bytes(data)
        if keep.attempt.submitted_at is not None:
            stamp = keep.attempt.submitted_at.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)
            (staging / "timestamp.txt").write_text(stamp)
    _write_record(course_dir, assignment, learner, keep, now)
    result.collected.append(learner)
    if keep.attempt.submitted_at is None:
        result.untimed.append(learner)


def _choose(candidates: list[_Candidate], policy: str) -> _Candidate:
    if policy == "first":
        return min(candidates, key=lambda c: (c.when, c.order))
    if policy == "latest-before-due":
        on_time = [c for c in candidates if not c.late]
        if on_time:
            candidates = on_time
    return max(candidates, key=lambda c: (c.when, c.order))


def _existing(final: Path, due: dt.datetime | None) -> _Candidate:
    record = _record_path(final)
    when: dt.datetime | None = None
    late = False
    if record.is_file():
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            when = dt.datetime.fromisoformat(data["time"])
            late = bool(data.get("late"))
        except (ValueError, KeyError, TypeError, OSError):
            when = None
    if when is None:
        stamp = final / "timestamp.txt"
        try:
            text = stamp.read_text().strip().removesuffix(" UTC")
            when = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
        except (OSError, ValueError):
            when = dt.datetime.fromtimestamp(final.stat().st_mtime, dt.UTC)
        late = due is not None and when > due
    return _Candidate(when, late, 0, None, None, None)


def _record_path(final: Path) -> Path:
    course_dir = final.parents[2]
    learner, assignment = final.parent.name, final.name
    return course_dir / "collect" / "records" / assignment / f"{learner}.json"


def _write_record(
    course_dir: Path, assignment: str, learner: str, cand: _Candidate, now: dt.datetime
) -> None:
    attempt = cand.attempt
    assert attempt is not None
    path = course_dir / "collect" / "records" / assignment / f"{learner}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, json.dumps(_attempt_json(attempt, cand, now), indent=1) + "\n")


def _attempt_json(attempt: Attempt, cand: _Candidate, now: dt.datetime) -> dict[str, object]:
    return {
        "origin": attempt.origin,
        "lms": attempt.lms,
        "lms_user_id": attempt.lms_user_id,
        "learner": attempt.learner,
        "time": cand.when.isoformat(),
        "time_from": "lms" if attempt.submitted_at is not None else "collection",
        "late": cand.late,
        "collected_at": now.isoformat(timespec="seconds"),
        "sha256": hashlib.sha256(attempt.data).hexdigest(),
    }


def _stamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _unique(parent: Path, stem: str) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(1000):
        candidate = parent / (stem if n == 0 else f"{stem}-{n}")
        if not candidate.exists():
            return candidate
    msg = "too many archived attempts with the same time"
    raise BpscareError(msg, path=parent)


def _archive_attempt(
    course_dir: Path, assignment: str, learner: str, cand: _Candidate, now: dt.datetime
) -> Path:
    assert cand.attempt is not None
    assert cand.contents is not None
    parent = course_dir / "collect" / ARCHIVE / assignment / learner
    dest = _unique(parent, f"{_stamp(cand.when)}-attempt")
    with atomic.staged_dir(dest, "archiving") as staging:
        for name, data in cand.contents.items():
            (staging / name).write_bytes(data)
        (staging / "submission.zip").write_bytes(cand.attempt.data)
        record = _attempt_json(cand.attempt, cand, now) | {"kept": False}
        (staging / RECORD).write_text(json.dumps(record, indent=1) + "\n")
    return dest


def _archive_folder(
    course_dir: Path, assignment: str, learner: str, final: Path, now: dt.datetime
) -> Path:
    parent = course_dir / "collect" / ARCHIVE / assignment / learner
    dest = _unique(parent, f"{_stamp(now)}-replaced")
    with atomic.staged_dir(dest, "archiving") as staging:
        shutil.copytree(final, staging, dirs_exist_ok=True, symlinks=True)
        record = _record_path(final)
        if record.is_file():
            shutil.copy2(record, staging / RECORD)
    return dest


def _hold(
    course_dir: Path,
    assignment: str,
    attempt: Attempt,
    why: str,
    now: dt.datetime,
    result: CollectResult,
) -> None:
    """Keep a zip whose identity is in doubt, with its reason, for the instructor."""
    parent = course_dir / "collect" / HELD / assignment
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", PurePosixPath(attempt.origin).name)[-80:]
    dest = _unique(parent, f"{_stamp(now)}-{attempt.order}-{base.removesuffix('.zip')}")
    with atomic.staged_dir(dest, "holding") as staging:
        (staging / "submission.zip").write_bytes(attempt.data)
        (staging / "reason.txt").write_text(f"{attempt.origin}\n{why}\n", encoding="utf-8")
    result.held.append((attempt.origin, why))


# -- roster values -----------------------------------------------------------------------------


def _lms_id(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("participant"):
        value = value[len("participant") :].strip()
    return value if value.isdigit() else ""


_MOODLE_TIME = "%A, %d %B %Y, %I:%M %p"


def _parse_time(value: str, where: str, timezone: dt.tzinfo) -> dt.datetime | None:
    value = value.strip()
    if not value or value == "-":
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = dt.datetime.strptime(value, _MOODLE_TIME)
        except ValueError as exc:
            msg = (
                f"submission time {value!r} is neither ISO 8601 (2026-03-01T17:00:00Z) nor "
                "Moodle's worksheet form ('Monday, 2 March 2026, 5:00 PM')"
            )
            raise BpscareError(msg, path=where) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone)
    return when.astimezone(dt.UTC)


__all__ = [
    "DEFAULT_POLICY",
    "POLICIES",
    "Attempt",
    "CollectResult",
    "Roster",
    "collect_zips",
    "identify",
    "load_roster",
]
