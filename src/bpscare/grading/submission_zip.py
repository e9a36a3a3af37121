"""Submitting from Binder: pack an assignment into a zip with a manifest, and collect such zips.

nbgrader's exchange needs a shared file system, which Binder does not have. A learner therefore
packs the assignment folder (notebooks and widget answer files) into a zip whose
``manifest.json`` names the learner, the assignment, the time and a SHA-256 checksum of every
file, and uploads it to the school's LMS. The instructor runs ``bpscare collect`` on those zips,
or on the LMS's bulk download (a zip of zips), to place them in the course's ``submitted/``.

Collection rejects, each with a one-line reason: a zip for another assignment, a manifest that
does not match the files (tampered or damaged), a second submission for the same learner in one
batch, a learner already collected (unless ``force``), and any entry that would escape its
folder (absolute paths, ``..``, links) or that is too large. Accepted submissions are assembled
beside their destination and renamed into place, so nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import stat
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bpscare import __version__, atomic
from bpscare.errors import BpscareError

FORMAT = "bpscare-submission/1"
MANIFEST = "manifest.json"
LEARNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}$")
PACKED_SUFFIXES = (".ipynb", ".answer.json")
MAX_FILE_BYTES = 20_000_000
MAX_TOTAL_BYTES = 60_000_000
MAX_FILES = 200
MAX_RATIO = 200
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


@dataclass(frozen=True)
class Manifest:
    """What a submission zip claims: who, which assignment, when, and each file's checksum."""

    learner: str
    assignment: str
    created: dt.datetime
    files: dict[str, str]

    def to_json(self) -> str:
        """Serialise the manifest as it is stored in the zip."""
        return json.dumps(
            {
                "format": FORMAT,
                "learner": self.learner,
                "assignment": self.assignment,
                "created": self.created.isoformat(timespec="seconds"),
                "files": self.files,
                "tool": f"bpscare {__version__}",
            },
            indent=1,
            sort_keys=True,
        )


@dataclass
class CollectResult:
    """The outcome of one ``collect`` run: who was collected and what was rejected, and why."""

    collected: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """Human-readable lines, one per rejection."""
        lines = [
            f"collected {len(self.collected)} submission(s)"
            + (f" ({len(self.replaced)} replaced with --force)" if self.replaced else "")
            + (f", rejected {len(self.rejected)}" if self.rejected else "")
        ]
        lines += [f"  rejected {name}: {reason}" for name, reason in self.rejected]
        return "\n".join(lines)


def pack_submission(
    assignment_dir: Path,
    learner: str,
    *,
    out: Path | None = None,
    assignment: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Zip an assignment folder's notebooks and answer files with a manifest; return the zip."""
    assignment_dir = Path(assignment_dir).resolve()
    assignment = assignment or assignment_dir.name
    _check_learner(learner)
    if not assignment_dir.is_dir():
        msg = "assignment folder not found"
        raise BpscareError(msg, path=assignment_dir)
    files = sorted(
        p
        for p in assignment_dir.iterdir()
        if p.is_file() and not p.is_symlink() and p.name.endswith(PACKED_SUFFIXES)
    )
    if not any(p.suffix == ".ipynb" for p in files):
        msg = "no notebook (.ipynb) to submit in this folder"
        raise BpscareError(msg, path=assignment_dir)
    checksums = {p.name: _sha256(p.read_bytes()) for p in files}
    manifest = Manifest(learner, assignment, now or dt.datetime.now(dt.UTC), checksums)
    out = Path(out) if out else assignment_dir / f"{assignment}-{learner}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{assignment}/{MANIFEST}", manifest.to_json())
        for path in files:
            archive.write(path, f"{assignment}/{path.name}")
    return atomic.write_bytes(out, buffer.getvalue())


def read_submission(data: bytes, assignment: str, origin: str) -> tuple[Manifest, dict[str, bytes]]:
    """Open and verify one submission zip held in memory; raise BpscareError with the reason."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        msg = "not a zip file"
        raise BpscareError(msg, path=origin) from exc
    with archive:
        entries = _safe_entries(archive, origin)
        contents: dict[str, bytes] = {}
        for info in entries:
            parts = PurePosixPath(info.filename).parts
            if len(parts) != 2:
                msg = (
                    f"entry {info.filename!r} is not directly inside one assignment folder "
                    "(expected <assignment>/<file>)"
                )
                raise BpscareError(msg, path=origin)
            folder, name = parts
            if folder != assignment:
                msg = f"this zip is for assignment {folder!r}, not {assignment!r}"
                raise BpscareError(msg, path=origin)
            contents[name] = archive.read(info)
    if MANIFEST not in contents:
        msg = f"no {assignment}/{MANIFEST}; pack the assignment with `bpscare pack` or its button"
        raise BpscareError(msg, path=origin)
    manifest = _parse_manifest(contents.pop(MANIFEST), assignment, origin)
    if set(manifest.files) != set(contents):
        extra = sorted(set(contents) - set(manifest.files))
        missing = sorted(set(manifest.files) - set(contents))
        msg = f"manifest does not match the files (unlisted: {extra}, missing: {missing})"
        raise BpscareError(msg, path=origin)
    for name, data_bytes in contents.items():
        if _sha256(data_bytes) != manifest.files[name]:
            msg = f"checksum of {name} does not match the manifest (file changed after packing)"
            raise BpscareError(msg, path=origin)
    if not any(name.endswith(".ipynb") for name in contents):
        msg = "the submission holds no notebook"
        raise BpscareError(msg, path=origin)
    return manifest, contents


def collect_zips(
    course_dir: Path,
    assignment: str,
    zips: Sequence[Path],
    *,
    force: bool = False,
    now: dt.datetime | None = None,
) -> CollectResult:
    """Collect submission zips (or LMS bulk downloads of them) into ``submitted/``."""
    course_dir = Path(course_dir).resolve()
    if (
        not (course_dir / "source" / assignment).is_dir()
        and not (course_dir / "release" / assignment).is_dir()
    ):
        msg = f"the course has no assignment {assignment!r} (no source/ or release/ folder)"
        raise BpscareError(msg, path=course_dir)
    now = now or dt.datetime.now(dt.UTC)
    result = CollectResult()
    seen: dict[str, str] = {}
    for origin, data in _expand_inputs(zips, result):
        try:
            manifest, contents = read_submission(data, assignment, origin)
            if manifest.created > now + dt.timedelta(minutes=5):
                msg = f"manifest time {manifest.created.isoformat()} is in the future"
                raise BpscareError(msg, path=origin)
            if manifest.learner in seen:
                msg = (
                    f"a second submission for {manifest.learner} (first: {seen[manifest.learner]})"
                )
                raise BpscareError(msg, path=origin)
            seen[manifest.learner] = origin
            replaced = _place(course_dir, assignment, manifest, contents, force=force)
        except BpscareError as exc:
            result.rejected.append((origin, _reason(exc, origin)))
            continue
        result.collected.append(manifest.learner)
        if replaced:
            result.replaced.append(manifest.learner)
    return result


def _place(
    course_dir: Path,
    assignment: str,
    manifest: Manifest,
    contents: dict[str, bytes],
    *,
    force: bool,
) -> bool:
    final = course_dir / "submitted" / manifest.learner / assignment
    exists = final.exists()
    if exists and not force:
        msg = (
            f"{manifest.learner} already has a collected submission; nothing was overwritten "
            "(use --force to replace it)"
        )
        raise BpscareError(msg)
    with atomic.staged_dir(final, "incoming") as staging:
        for name, data in contents.items():
            (staging / name).write_bytes(data)
        (staging / "timestamp.txt").write_text(manifest.created.strftime(TIMESTAMP_FORMAT))
    return exists


def _expand_inputs(zips: Iterable[Path], result: CollectResult) -> Iterable[tuple[str, bytes]]:
    """Yield (origin, zip bytes) for each submission, opening LMS bulk downloads (zips of zips)."""
    for path in zips:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            result.rejected.append((str(path), f"cannot read: {exc.strerror}"))
            continue
        if len(data) > MAX_TOTAL_BYTES * 20:
            result.rejected.append((str(path), "file too large"))
            continue
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            result.rejected.append((str(path), "not a zip file"))
            continue
        with archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
            is_bulk = names and all(n.lower().endswith(".zip") for n in names)
            if not is_bulk:
                yield str(path), data
                continue
            try:
                inner = _safe_entries(archive, str(path), bulk=True)
            except BpscareError as exc:
                result.rejected.append((str(path), _reason(exc, str(path))))
                continue
            for info in inner:
                yield f"{path}!{info.filename}", archive.read(info)


def _safe_entries(
    archive: zipfile.ZipFile, origin: str, *, bulk: bool = False
) -> list[zipfile.ZipInfo]:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    limit_files = MAX_FILES * (50 if bulk else 1)
    if len(infos) > limit_files:
        msg = f"too many entries ({len(infos)} > {limit_files})"
        raise BpscareError(msg, path=origin)
    total = 0
    for info in infos:
        name = info.filename
        pure = PurePosixPath(name)
        if name.startswith(("/", "\\")) or ".." in pure.parts or "\\" in name or ":" in name:
            msg = f"entry {name!r} would escape its folder"
            raise BpscareError(msg, path=origin)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            msg = f"entry {name!r} is a link; links are not allowed"
            raise BpscareError(msg, path=origin)
        per_file = MAX_TOTAL_BYTES if bulk else MAX_FILE_BYTES
        if info.file_size > per_file or (
            info.compress_size and info.file_size / info.compress_size > MAX_RATIO
        ):
            msg = f"entry {name!r} is too large ({info.file_size} bytes unpacked)"
            raise BpscareError(msg, path=origin)
        total += info.file_size
    if total > MAX_TOTAL_BYTES * (50 if bulk else 1):
        msg = f"unpacks to {total} bytes, more than allowed"
        raise BpscareError(msg, path=origin)
    return infos


def _parse_manifest(raw: bytes, assignment: str, origin: str) -> Manifest:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"manifest is not valid JSON ({type(exc).__name__})"
        raise BpscareError(msg, path=origin) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        msg = f"manifest format is not {FORMAT!r}"
        raise BpscareError(msg, path=origin)
    if data.get("assignment") != assignment:
        msg = f"manifest is for assignment {data.get('assignment')!r}, not {assignment!r}"
        raise BpscareError(msg, path=origin)
    learner = data.get("learner")
    try:
        _check_learner(learner)
        created = dt.datetime.fromisoformat(str(data.get("created")))
    except (BpscareError, ValueError) as exc:
        msg = f"manifest has a bad learner id or time ({exc})"
        raise BpscareError(msg, path=origin) from exc
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    files = data.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v)
        for k, v in files.items()
    ):
        msg = "manifest 'files' must map file names to SHA-256 checksums"
        raise BpscareError(msg, path=origin)
    return Manifest(str(learner), assignment, created.astimezone(dt.UTC), dict(files))


def _check_learner(learner: object) -> None:
    if not isinstance(learner, str) or not LEARNER_ID.match(learner):
        msg = (
            f"learner id {learner!r} must be 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
        raise BpscareError(msg)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reason(exc: BpscareError, origin: str) -> str:
    text = str(exc)
    prefix = f"{origin}: "
    return text[len(prefix) :] if text.startswith(prefix) else text
