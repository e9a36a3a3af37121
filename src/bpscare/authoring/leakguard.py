"""Leak guard: prove that no solution, hidden test, rubric or canary reaches a learner.

The forbidden fragments are derived from the instructor sources themselves (every distinctive
line inside a solution or hidden-test region, every line of the trusted ``autograders/`` specs),
plus fixed markers and the ``LEAK-CANARY`` comments placed inside solution regions. A scan reads
notebooks cell by cell (sources, outputs and metadata), so JSON escaping cannot hide a match.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

MARKERS = (
    "LEAK-CANARY",
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "BEGIN MARK SCHEME",
)
MIN_FRAGMENT = 20
#: A bare vocabulary id ("behavioral_health_care_manager") names a public option, not an answer:
#: a key lists such ids, and the library's own vocabulary publishes them.
IDENTIFIER = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")
TEXT_SUFFIXES = {
    ".py",
    ".md",
    ".txt",
    ".json",
    ".yaml",
    ".yml",
    ".csv",
    ".html",
    ".js",
    ".cfg",
    ".toml",
    ".sh",
}
GENERIC_LINE = re.compile(
    r"(?:from\s+[\w.]+\s+)?import\s+[\w., ()]+(?:\s+as\s+\w+)?"
    r"|(?:[\w.]+\s*=\s*)?[\w.]+\($"
)
LIBRARY_MODULE = re.compile(r"^bpscare/[a-z_/]+\.py$")
REGIONS: tuple[tuple[str, str], ...] = (
    ("BEGIN SOLUTION", "END SOLUTION"),
    ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
    ("BEGIN MARK SCHEME", "END MARK SCHEME"),
)


@dataclass(frozen=True)
class Fragment:
    """A piece of text that must never appear in learner-facing output, and where it came from."""

    text: str
    origin: str


@dataclass(frozen=True)
class LeakFinding:
    """A forbidden fragment found in a file."""

    path: Path
    fragment: Fragment

    def __str__(self) -> str:
        return f"{self.path}: contains {self.fragment.text!r} (from {self.fragment.origin})"


def secret_lines(nb: nbformat.NotebookNode) -> tuple[set[str], set[str]]:
    """Split a source notebook's distinctive lines into (inside secret regions, outside them)."""
    inside: set[str] = set()
    outside: set[str] = set()
    for cell in nb.cells:
        depth = 0
        for raw in cell.get("source", "").splitlines():
            line = raw.strip()
            if any(begin in line for begin, _ in REGIONS):
                depth += 1
                continue
            if any(end in line for _, end in REGIONS):
                depth = max(0, depth - 1)
                continue
            if len(line) >= MIN_FRAGMENT:
                (inside if depth else outside).add(line)
    return inside, outside


def forbidden_fragments(
    source_notebooks: Iterable[nbformat.NotebookNode], trusted_files: Iterable[Path] = ()
) -> list[Fragment]:
    """Collect every fragment that must not reach a learner."""
    fragments = [Fragment(marker, "marker") for marker in MARKERS]
    public: set[str] = set()
    secret: set[str] = set()
    for nb in source_notebooks:
        inside, outside = secret_lines(nb)
        secret |= inside
        public |= outside
    secret = {line for line in secret if not _generic_line(line)}
    fragments += [Fragment(line, "solution or hidden-test region") for line in sorted(secret)]
    for path in trusted_files:
        for line in sorted(_trusted_lines(path) - public):
            fragments.append(Fragment(line, f"trusted file {path.name}"))
    return fragments


def scan_tree(root: Path, fragments: list[Fragment]) -> list[LeakFinding]:
    """Return every (file, fragment) match under ``root``; an empty list means no leak.

    The bpscare library's own Python modules inside a wheel are public, published source that
    legitimately spells the markers and shares generic lines (a band table) with solutions, so
    they are skipped; the wheel's data files, where a key could slip in, are searched.
    """
    findings: list[LeakFinding] = []
    root = Path(root)
    if not root.exists():
        return findings
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for text, library_code in searchable_parts(path):
            for fragment in fragments:
                if not library_code and fragment.text in text:
                    findings.append(LeakFinding(path, fragment))
    return findings


def searchable_parts(path: Path) -> Iterator[tuple[str, bool]]:
    """Yield (text, is_bpscare_library_module) for a file, or for each text member of a zip."""
    if path.suffix in (".whl", ".zip"):
        yield from _archive_parts(path)
        return
    text = file_text(path)
    if text is not None:
        yield text, False


def file_text(path: Path) -> str | None:
    """Return a file's searchable text: notebooks flattened, archives opened, text as it is."""
    if path.suffix == ".ipynb":
        return notebook_text(path)
    if path.suffix in (".whl", ".zip"):
        return "\n".join(text for text, _ in _archive_parts(path))
    if path.suffix.lower() not in TEXT_SUFFIXES and path.suffix:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def _archive_parts(path: Path) -> Iterator[tuple[str, bool]]:
    """Yield the text members of a zip or wheel (a wheel ships into the learner image)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                suffix = Path(info.filename).suffix.lower()
                if info.is_dir() or (suffix not in TEXT_SUFFIXES and suffix != ".ipynb"):
                    continue
                text = archive.read(info).decode("utf-8", errors="replace")
                library = path.suffix == ".whl" and LIBRARY_MODULE.match(info.filename) is not None
                yield text, library
    except zipfile.BadZipFile:
        yield path.read_bytes().decode("utf-8", errors="replace"), False


def notebook_text(path: Path) -> str:
    """Flatten a notebook into plain text: cell sources, outputs and metadata."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:
        return path.read_text(encoding="utf-8", errors="replace")
    parts = [json.dumps(nb.metadata)]
    for cell in nb.cells:
        parts.append(cell.get("source", ""))
        parts.append(json.dumps(cell.get("metadata", {})))
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") if isinstance(output.get("text"), str) else "")
            for value in output.get("data", {}).values():
                parts.append(value if isinstance(value, str) else json.dumps(value))
            parts.extend(output.get("traceback", []))
            parts.append(str(output.get("evalue", "")))
    return "\n".join(parts)


def _generic_line(line: str) -> bool:
    """True for lines too generic to betray a solution: imports and bare call openers.

    ``from bpscare.clinical.careplan import SmartGoal`` or ``plan = SmartGoal.from_parts(`` in a
    solution says nothing a lesson may not say too; the arguments on the following lines do.
    """
    return bool(GENERIC_LINE.fullmatch(line))


def _trusted_lines(path: Path) -> set[str]:
    if path.suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, OSError):
            return set()
        lines = {s.strip() for s in _strings(data)}
    else:  # a Python file's comments are notes to the grader, not answers
        lines = {raw.strip() for raw in (file_text(path) or "").splitlines()}
        lines = {line for line in lines if not re.fullmatch(r"#.*", line)}
    return {
        line
        for line in lines
        if len(line) >= MIN_FRAGMENT and not _generic_line(line) and not IDENTIFIER.fullmatch(line)
    }


def _strings(data: object) -> Iterable[str]:
    if isinstance(data, str):
        yield from data.splitlines()
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)
