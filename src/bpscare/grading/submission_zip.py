"""Submitting from Binder: pack an assignment into a zip with a manifest, and read such zips.

nbgrader's exchange needs a shared file system, which Binder does not have. A learner therefore
packs the assignment folder (notebooks and widget answer files) into a zip whose
``manifest.json`` names the learner, the assignment, the time and a SHA-256 checksum of every
file, and uploads it to the school's LMS. The instructor runs ``bpscare collect``
(:mod:`bpscare.grading.collect`) on the LMS's submission export; identity and submission time
come from the LMS there, and the manifest is only a cross-check.

:func:`read_submission` opens one zip held in memory and refuses it, with a one-line
:class:`~bpscare.errors.BpscareError`, when: it is not a zip; an entry is encrypted, uses a
compression method other than stored or deflate, has a name longer than
:data:`MAX_NAME_CHARS` characters, would escape its folder (absolute paths, ``..``, links), is
too large or too compressed (zip bombs), or unpacks to other sizes than its header claims; the
manifest does not match the files (tampered or damaged); or it is for another assignment.
Entries are read with a byte limit, so a header that lies about sizes cannot make it read more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bpscare import __version__, atomic
from bpscare.errors import BpscareError

FORMAT = "bpscare-submission/1"
MANIFEST = "manifest.json"
#: Learner ids: checked with ``fullmatch`` (``$`` would accept a trailing newline).
LEARNER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}")
PACKED_SUFFIXES = (".ipynb", ".answer.json")
MAX_FILE_BYTES = 20_000_000
MAX_TOTAL_BYTES = 60_000_000
MAX_FILES = 200
MAX_RATIO = 200
#: Longest entry name (path inside the zip) accepted, in characters.
MAX_NAME_CHARS = 255
#: Compression methods accepted (others, e.g. bzip2, lzma, deflate64, are refused).
COMPRESSION_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
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
    check_learner(learner)
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
    archive = open_zip(data, origin)
    with archive:
        entries = safe_entries(archive, origin)
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
            contents[name] = read_entry(archive, info, origin)
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


def open_zip(data: bytes, origin: str) -> zipfile.ZipFile:
    """Open zip bytes; any failure of the zip's own structure is a one-line BpscareError."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        msg = f"not a zip file, or a damaged one ({_short(exc)})"
        raise BpscareError(msg, path=origin) from exc
    except (UnicodeDecodeError, NotImplementedError) as exc:
        msg = f"the zip cannot be read ({_short(exc)})"
        raise BpscareError(msg, path=origin) from exc


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, origin: str) -> bytes:
    """Read one entry, never more than its header's size; false sizes or CRC are refused."""
    name = info.filename
    try:
        with archive.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except RuntimeError as exc:  # zipfile's "encrypted, password required"
        msg = f"entry {name!r} is encrypted; encrypted zips are not accepted"
        raise BpscareError(msg, path=origin) from exc
    except NotImplementedError as exc:
        msg = f"entry {name!r} uses a compression method that is not supported ({_short(exc)})"
        raise BpscareError(msg, path=origin) from exc
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
        msg = f"entry {name!r} is damaged or its sizes are false ({_short(exc)})"
        raise BpscareError(msg, path=origin) from exc
    if len(data) != info.file_size:
        msg = (
            f"entry {name!r} unpacks to {len(data)}{'+' if len(data) > info.file_size else ''} "
            f"bytes, but its header says {info.file_size} (false sizes)"
        )
        raise BpscareError(msg, path=origin)
    return data


def safe_entries(
    archive: zipfile.ZipFile, origin: str, *, bulk: bool = False
) -> list[zipfile.ZipInfo]:
    """Check the entry count and every entry (:func:`check_entry`) before anything is read.

    With ``bulk`` (an LMS download: a zip of zips) only the count and total size are checked
    here; the caller checks each inner zip with :func:`check_entry` so one bad entry rejects
    only itself.
    """
    infos = [i for i in archive.infolist() if not i.is_dir()]
    limit_files = MAX_FILES * (50 if bulk else 1)
    if len(infos) > limit_files:
        msg = f"too many entries ({len(infos)} > {limit_files})"
        raise BpscareError(msg, path=origin)
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES * (50 if bulk else 1):
        msg = f"unpacks to {total} bytes, more than allowed"
        raise BpscareError(msg, path=origin)
    if not bulk:
        for info in infos:
            check_entry(info, origin, MAX_FILE_BYTES)
    return infos


def check_entry(info: zipfile.ZipInfo, origin: str, max_bytes: int) -> None:
    """Refuse an entry by its header alone.

    Refused: a long or control-character name, encryption, an unsupported compression method,
    a path escaping its folder, a link, too many bytes or too high a ratio (a zip bomb).
    """
    name = info.filename
    if len(name) > MAX_NAME_CHARS:
        msg = f"entry name of {len(name)} characters (more than {MAX_NAME_CHARS}): {name[:40]!r}..."
        raise BpscareError(msg, path=origin)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        msg = f"entry name {name!r} holds control characters"
        raise BpscareError(msg, path=origin)
    if info.flag_bits & 0x1:
        msg = f"entry {name!r} is encrypted; encrypted zips are not accepted"
        raise BpscareError(msg, path=origin)
    if info.compress_type not in COMPRESSION_METHODS:
        msg = (
            f"entry {name!r} uses compression method {info.compress_type}, which is not "
            "supported (only stored and deflate)"
        )
        raise BpscareError(msg, path=origin)
    pure = PurePosixPath(name)
    if name.startswith(("/", "\\")) or ".." in pure.parts or "\\" in name or ":" in name:
        msg = f"entry {name!r} would escape its folder"
        raise BpscareError(msg, path=origin)
    if stat.S_ISLNK(info.external_attr >> 16):
        msg = f"entry {name!r} is a link; links are not allowed"
        raise BpscareError(msg, path=origin)
    if info.file_size > max_bytes or (
        info.compress_size and info.file_size / info.compress_size > MAX_RATIO
    ):
        msg = f"entry {name!r} is too large ({info.file_size} bytes unpacked)"
        raise BpscareError(msg, path=origin)


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
        check_learner(learner)
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


def check_learner(learner: object) -> None:
    """Refuse a learner id that is not 1-64 safe characters (no control characters)."""
    if not isinstance(learner, str) or not LEARNER_ID.fullmatch(learner):
        msg = (
            f"learner id {learner!r} must be 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
        raise BpscareError(msg)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__


def reason(exc: BpscareError, origin: str) -> str:
    """The error's message without its ``origin: `` prefix."""
    text = str(exc)
    prefix = f"{origin}: "
    return text[len(prefix) :] if text.startswith(prefix) else text
