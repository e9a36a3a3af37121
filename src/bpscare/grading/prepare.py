"""Prepare submissions in the trusted parent, exactly as nbgrader's sanitize pass does.

For each learner notebook nbgrader's own preprocessors run in-process (``ClearOutput``,
``DeduplicateIds``, ``OverwriteKernelspec``, ``OverwriteCells``, ``CheckCellMetadata``), with
one shared gradebook connection instead of one per preprocessor. Edited locked or test cells are
restored from the gradebook; deleted, duplicated and retyped cells are detected and flagged. A
file that is not a readable notebook (malformed JSON, an unknown nbformat) is replaced by the
released notebook with an error in every graded cell, so it earns 0 with a clear reason.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import nbformat

UNREADABLE = "SubmissionError"


@dataclass
class NotebookInfo:
    """What the gradebook knows about one notebook of the assignment."""

    name: str
    tests: dict[str, str]
    grade_ids: list[str]


@dataclass
class Prepared:
    """One learner's submission, sanitized and ready to execute (plain data for the job)."""

    student: str
    folder: Path
    timestamp: Any
    notebooks: dict[str, nbformat.NotebookNode] = field(default_factory=dict)
    unreadable: dict[str, nbformat.NotebookNode] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    def job(self, tests: dict[str, dict[str, str]], limits: dict[str, Any]) -> dict[str, Any]:
        """Return the plain-data job a worker executes (no paths into the course)."""
        return {
            "student": self.student,
            "notebooks": {name: dumps_notebook(nb) for name, nb in self.notebooks.items()},
            "tests": {name: tests.get(name, {}) for name in self.notebooks},
            "files": {
                rel: base64.b64encode(data).decode("ascii") for rel, data in self.files.items()
            },
            "limits": limits,
        }


def notebook_infos(gradebook: Any, assignment: str) -> dict[str, NotebookInfo]:
    """Read each notebook's test cells (grade id → trusted source) from the gradebook."""
    infos = {}
    for notebook in gradebook.find_assignment(assignment).notebooks:
        sources = {cell.name: cell for cell in notebook.source_cells}
        solutions = {cell.name for cell in notebook.solution_cells}
        tests = {
            cell.name: sources[cell.name].source
            for cell in notebook.grade_cells
            if cell.cell_type == "code" and cell.name not in solutions and cell.name in sources
        }
        infos[notebook.name + ".ipynb"] = NotebookInfo(
            notebook.name + ".ipynb", tests, [c.name for c in notebook.grade_cells]
        )
    return infos


class CachedSourceCells:
    """The gradebook's source and graded cells, read once per run (for ``OverwriteCells``).

    ``OverwriteCells`` asks the gradebook for every cell of every submission; the answers never
    change during a run, so they are read once. Anything else is passed to the real gradebook.
    """

    def __init__(self, gradebook: Any) -> None:
        self._gradebook = gradebook
        self._sources: dict[tuple[str, str], dict[str, Any]] = {}
        self._graded: dict[tuple[str, str], dict[str, Any]] = {}
        self._kernelspecs: dict[tuple[str, str], str | None] = {}

    def _load(self, notebook: str, assignment: str) -> None:
        from types import SimpleNamespace

        key = (notebook, assignment)
        if key in self._sources:
            return
        found = self._gradebook.find_notebook(notebook, assignment)
        self._kernelspecs[key] = found.kernelspec
        self._sources[key] = {
            cell.name: SimpleNamespace(
                name=cell.name,
                cell_type=cell.cell_type,
                locked=cell.locked,
                checksum=cell.checksum,
                source=cell.source,
            )
            for cell in found.source_cells
        }
        self._graded[key] = {
            cell.name: SimpleNamespace(name=cell.name, max_score=cell.max_score)
            for cell in found.grade_cells
        }

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> Any:
        """Return a source cell (a plain snapshot) or raise ``MissingEntry``."""
        from nbgrader.api import MissingEntry

        self._load(notebook, assignment)
        try:
            return self._sources[(notebook, assignment)][name]
        except KeyError:
            raise MissingEntry from None

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> Any:
        """Return a graded cell (a plain snapshot) or raise ``MissingEntry``."""
        from nbgrader.api import MissingEntry

        self._load(notebook, assignment)
        try:
            return self._graded[(notebook, assignment)][name]
        except KeyError:
            raise MissingEntry from None

    def kernelspec(self, notebook: str, assignment: str) -> str | None:
        """Return the notebook's kernelspec JSON as the gradebook stores it (read once)."""
        self._load(notebook, assignment)
        return self._kernelspecs[(notebook, assignment)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gradebook, name)


def _shared_preprocessors(
    config: Any, gradebook: Any, release_sources: dict[str, str]
) -> list[Any]:
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds

    overwrite_cls, kernelspec_cls = _shared_classes()
    overwrite = overwrite_cls(config=config)
    overwrite.changes = []
    overwrite.shared_gradebook = gradebook
    overwrite.release_sources = release_sources
    kernelspec = kernelspec_cls(config=config)
    kernelspec.shared_gradebook = gradebook
    return [
        ClearOutput(config=config),
        DeduplicateIds(config=config),
        kernelspec,
        overwrite,
        CheckCellMetadata(config=config),
    ]


@functools.cache
def _shared_classes() -> tuple[Any, Any]:
    """Return nbgrader's ``OverwriteCells`` on a shared gradebook, and the kernelspec step.

    Built once per process (a traitlets class costs milliseconds to create); each instance gets
    the run's gradebook and the released cell sources as attributes.
    """
    from nbgrader.api import MissingEntry
    from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells

    class SharedOverwriteCells(OverwriteCells):
        changes: list[str]
        shared_gradebook: Any
        release_sources: dict[str, str]

        def preprocess(
            self, nb: nbformat.NotebookNode, resources: dict[str, Any]
        ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
            self.notebook_id = resources["nbgrader"]["notebook"]
            self.assignment_id = resources["nbgrader"]["assignment"]
            self.db_url = resources["nbgrader"]["db_url"]
            self.gradebook = self.shared_gradebook
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
            return nb, resources

        def preprocess_cell(
            self, cell: nbformat.NotebookNode, resources: dict[str, Any], index: int
        ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
            nbg = cell.get("metadata", {}).get("nbgrader")
            if isinstance(nbg, dict) and nbg.get("grade_id"):
                try:
                    self.gradebook.find_source_cell(
                        nbg["grade_id"], self.notebook_id, self.assignment_id
                    )
                except MissingEntry:
                    # nbgrader drops only the id and then fails validation; we drop the
                    # forged metadata, so the cell runs as plain learner code.
                    self.changes.append(
                        f"cell {nbg['grade_id']}: not in the gradebook (a forged graded cell); "
                        "it was not graded"
                    )
                    del cell.metadata["nbgrader"]
                    return cell, resources
            before = cell.source
            cell, resources = super().preprocess_cell(cell, resources, index)
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            released = self.release_sources.get(grade_id)
            if before != cell.source and released is not None and before != released:
                self.changes.append(
                    f"cell {grade_id}: a locked or test cell was edited; the original was restored"
                )
            return cell, resources

        def report_change(self, name: str, attr: str, old: object, new: object) -> None:
            if attr != "checksum":
                self.changes.append(
                    f"cell {name}: its {attr} was changed; the original was restored"
                )

    class SharedKernelspec(NbGraderPreprocessor):
        shared_gradebook: Any

        def preprocess(
            self, nb: nbformat.NotebookNode, resources: dict[str, Any]
        ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
            import json

            notebook = resources["nbgrader"]["notebook"]
            assignment = resources["nbgrader"]["assignment"]
            gradebook = self.shared_gradebook
            if isinstance(gradebook, CachedSourceCells):
                stored = gradebook.kernelspec(notebook, assignment)
            else:
                stored = gradebook.find_notebook(notebook, assignment).kernelspec
            if stored:
                kernelspec = json.loads(stored)
                if kernelspec:
                    nb.metadata["kernelspec"] = kernelspec
            return nb, resources

    return SharedOverwriteCells, SharedKernelspec


class _CachedJsonschema:
    """``jsonschema.validate`` with the validator built once per schema (same checks, faster).

    nbgrader's ``MetadataValidator`` calls ``jsonschema.validate`` for every cell, which checks
    the schema itself each time; that alone cost ~0.4 s per notebook.
    """

    def __init__(self, real: Any) -> None:
        self._real = real
        self._validators: dict[int, Any] = {}

    def validate(self, instance: Any, schema: dict) -> None:
        """Raise the best-matching ``ValidationError``, as ``jsonschema.validate`` does."""
        validator = self._validators.get(id(schema))
        if validator is None:
            cls = self._real.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[id(schema)] = cls(schema)
        error = self._real.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@contextlib.contextmanager
def fast_metadata_validation() -> Iterator[None]:
    """Within the block, nbgrader's cell-metadata validation reuses compiled validators."""
    from nbgrader.nbgraderformat import common

    real = common.jsonschema
    if isinstance(real, _CachedJsonschema):
        yield
        return
    common.jsonschema = _CachedJsonschema(real)
    try:
        yield
    finally:
        common.jsonschema = real


def loads_notebook(text: str) -> nbformat.NotebookNode:
    """Parse notebook JSON of any known version as v4, without the slow schema validation.

    ``nbformat.reads`` only logs validation errors anyway; nbgrader's checks come after.
    """
    from nbformat.converter import convert
    from nbformat.reader import reads

    return convert(reads(text), 4)


def dumps_notebook(nb: nbformat.NotebookNode) -> str:
    """Serialize a v4 notebook exactly as ``nbformat.write`` does (without re-validating)."""
    from nbformat.v4.nbjson import writes

    text = writes(nb)
    return text if text.endswith("\n") else text + "\n"


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """Read a learner's notebook; return (notebook, "") or (None, the reason it is unreadable)."""
    import stat

    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None, "the notebook is not a regular file"
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"the file cannot be read ({exc.strerror})"
    if len(raw) > 64 * 1024 * 1024:
        return None, "the file is larger than 64 MB"
    try:
        nb = loads_notebook(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "the file is not UTF-8 text, so it is not a notebook"
    except Exception as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, f"the file is not a readable notebook ({text[:160]})"
    if not isinstance(nb.get("cells"), list):
        return None, "the file is not a notebook (no list of cells)"
    seen_ids: set[str] = set()
    for cell in nb.cells:
        if isinstance(cell, dict) and "id" in cell:  # as nbformat repairs duplicate cell ids
            if not isinstance(cell["id"], str) or cell["id"] in seen_ids:
                cell["id"] = uuid.uuid4().hex[:8]
            seen_ids.add(cell["id"])
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            return None, "the notebook has a cell that is not a code, markdown or raw cell"
        if not isinstance(cell.get("source", ""), str):
            return None, "the notebook has a cell whose source is not text"
        cell.setdefault("metadata", nbformat.NotebookNode())
        if cell["cell_type"] == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    return nb, ""


class PrepareContext(Protocol):
    """What :func:`prepare` reads from a run; the engine's ``GradingContext`` provides it."""

    @property
    def coursedir(self) -> Any:
        """The course's nbgrader ``CourseDirectory``."""

    @property
    def config(self) -> Any:
        """The course's nbgrader config."""

    @property
    def assignment(self) -> str:
        """The assignment being graded."""

    @property
    def sources(self) -> CachedSourceCells:
        """The gradebook's source and graded cells, read once per run."""

    @property
    def infos(self) -> dict[str, NotebookInfo]:
        """Notebook name → what the gradebook knows about it."""


def prepare(ctx: PrepareContext, student: str) -> Prepared:
    """Sanitize one submission as nbgrader would, recording a flag for everything suspicious."""
    from nbgrader.utils import find_all_files

    coursedir, assignment = ctx.coursedir, ctx.assignment
    folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    prepared = Prepared(student, folder, coursedir.get_existing_timestamp(str(folder)))
    # Other files: the submission's, then the instructor's source files on top (as nbgrader).
    for filename in find_all_files(str(folder), [*coursedir.ignore, "*.ipynb"]):
        rel = os.path.relpath(filename, folder)
        data = _regular_file_bytes(Path(filename), folder)
        if data is None:
            prepared.flags.append(f"{rel}: not a regular file inside the submission (dropped)")
            continue
        prepared.files[rel] = data
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    exclude = set(_exclude_overwriting(ctx.config).get(assignment, []))
    if source.is_dir():
        for filename in find_all_files(str(source), [*coursedir.ignore, "*.ipynb"]):
            rel = os.path.relpath(filename, source)
            if rel not in exclude:
                prepared.files[rel] = Path(filename).read_bytes()
    for name, info in ctx.infos.items():
        path = folder / name
        if not path.exists():
            prepared.missing.append(name)
            prepared.flags.append(f"{name}: notebook missing from the submission (scored 0)")
            continue
        nb, reason = read_notebook(path) if not path.is_symlink() else (None, "")
        if path.is_symlink():
            reason = "the notebook is a symbolic link, not a file"
        if nb is not None:
            try:
                nb = _sanitize(nb, ctx, name, prepared)
            except Exception as exc:
                nb, reason = None, f"its nbgrader cell metadata is invalid ({str(exc)[:160]})"
        if nb is None:
            prepared.flags.append(f"{name}: {reason} (scored 0)")
            prepared.unreadable[name] = unreadable_stand_in(coursedir, assignment, name, reason)
            continue
        _check_cells(nb, info, name, prepared)
        prepared.notebooks[name] = nb
    return prepared


def _regular_file_bytes(path: Path, folder: Path) -> bytes | None:
    """Read a submitted file only if it is a regular file (never a link, FIFO or device)."""
    import stat

    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > 256 * 1024 * 1024:
        return None
    if any(p.is_symlink() for p in [path, *path.parents] if folder in p.parents):
        return None
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _exclude_overwriting(config: Any) -> dict[str, list[str]]:
    try:
        value = config.Autograde.exclude_overwriting
    except AttributeError:
        return {}
    return dict(value) if isinstance(value, dict) else {}


def _sanitize(
    nb: nbformat.NotebookNode, ctx: PrepareContext, name: str, prepared: Prepared
) -> nbformat.NotebookNode:
    coursedir, assignment = ctx.coursedir, ctx.assignment
    resources = {
        "unique_key": name[:-6],
        "output_files_dir": f"{name[:-6]}_files",
        "nbgrader": {
            "student": prepared.student,
            "assignment": assignment,
            "notebook": name[:-6],
            "db_url": coursedir.db_url,
        },
    }
    seen: dict[str, int] = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            seen[grade_id] = seen.get(grade_id, 0) + 1
    for grade_id, times in seen.items():
        if times > 1:
            prepared.flags.append(f"{name}: cell {grade_id} appears {times} times (kept the last)")
    release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / name
    release_sources = _release_sources(release)
    for preprocessor in _shared_preprocessors(ctx.config, ctx.sources, release_sources):
        with fast_metadata_validation():
            nb, resources = preprocessor(nb, resources)
        for cell in nb.cells:  # DeduplicateIds leaves an empty dict that fails validation
            if cell.get("metadata", {}).get("nbgrader", None) == {}:
                del cell.metadata["nbgrader"]
        for change in getattr(preprocessor, "changes", []):
            prepared.flags.append(f"{name}: {change}")
    return nb


_RELEASED: dict[tuple[str, int, int], dict[str, str]] = {}


def _release_sources(release: Path) -> dict[str, str]:
    """Grade id → source of the released notebook's graded cells ({} if unreadable).

    Every submission of an assignment compares against the same released notebook: it is read
    once while its size and modification time stay the same.
    """
    try:
        info = release.stat()
    except OSError:
        return {}
    key = (str(release), info.st_mtime_ns, info.st_size)
    found = _RELEASED.get(key)
    if found is not None:
        return dict(found)
    sources: dict[str, str] = {}
    try:
        for cell in nbformat.read(str(release), as_version=4).cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id:
                sources[grade_id] = cell.source
    except Exception:
        return {}
    if len(_RELEASED) > 64:
        _RELEASED.clear()
    _RELEASED[key] = sources
    return dict(sources)


def _check_cells(
    nb: nbformat.NotebookNode, info: NotebookInfo, name: str, prepared: Prepared
) -> None:
    present = {
        cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for cell in nb.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    }
    for grade_id in info.grade_ids:
        if grade_id not in present:
            prepared.flags.append(f"{name}: graded cell {grade_id} was deleted (not graded)")


def unreadable_stand_in(
    coursedir: Any, assignment: str, name: str, reason: str
) -> nbformat.NotebookNode:
    """Return the released notebook with an error output in each graded code cell."""
    release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / name
    try:
        nb = nbformat.read(str(release), as_version=4)
    except Exception:
        nb = nbformat.v4.new_notebook()
    error = {
        "output_type": "error",
        "ename": UNREADABLE,
        "evalue": f"this submission could not be graded: {reason}",
        "traceback": [f"{UNREADABLE}: this submission could not be graded: {reason}"],
    }
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
                cell.outputs = [nbformat.from_dict(error)]
    return nb
