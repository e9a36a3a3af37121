"""``bpscare build``: render text sources into an nbgrader course, lessons and a learner edition.

The output folder is regenerable. It is built in a temporary folder beside its destination and
moved into place only when every step succeeded, so a failed build leaves nothing half-written.
A build never replaces a folder that holds learners' work (submitted/, autograded/, feedback/);
a live course is updated in place with :func:`update_live_course`, which touches only the
generated parts (config, source/, release/) and leaves learners' work and grades alone.

Layout (nbgrader's own step names)::

    DIR/course/      nbgrader_config.py, source/<a>/, release/<a>/, gradebook.db, competency map
    DIR/lessons/     <module>/<lesson>.ipynb
    DIR/learner/     lessons/, assignments/<a>/ (released), apps/, binder/, README.md, voila.json
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from bpscare import atomic
from bpscare.apps.voila_config import write_voila_json
from bpscare.authoring import competency_tags, textnb
from bpscare.authoring.leakguard import Fragment, LeakFinding, forbidden_fragments, scan_tree
from bpscare.authoring.points import check_checks_points
from bpscare.errors import BpscareError

NOTEBOOK_SUFFIXES = (".py", ".md")
HIDDEN_PLACEHOLDER = re.compile(r"^### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS$", re.MULTILINE)


@dataclass
class AssignmentSource:
    """One assignment as authored: its notebooks (expanded), data files and trusted specs."""

    name: str
    folder: Path
    title: str
    due: str | None
    module: str | None
    notebooks: dict[str, nbformat.NotebookNode]
    data_files: list[Path]
    grade_cells: list[textnb.GradeCell]


@dataclass
class BuildResult:
    """What a build produced, for the command line and the tests."""

    out: Path
    assignments: list[str]
    lessons: list[Path]
    grade_cells: int
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Project:
    """The authored folders of a bpscare project (all paths are given, never guessed)."""

    root: Path

    @property
    def course(self) -> Path:
        """Course configuration folder."""
        return self.root / "course"

    @property
    def assignments(self) -> Path:
        """Instructor sources of the assignments."""
        return self.root / "assignments"

    @property
    def autograders(self) -> Path:
        """Trusted grading specs."""
        return self.root / "autograders"

    @property
    def modules(self) -> Path:
        """Lessons."""
        return self.root / "modules"

    @property
    def binder(self) -> Path:
        """The learner environment."""
        return self.root / "binder"


def find_project(start: Path) -> Project:
    """Find the project root (the folder with course/course.yaml) at or above ``start``."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / "course" / "course.yaml").is_file():
            return Project(folder)
    msg = "no course/course.yaml here or above; run inside a bpscare project or pass --project"
    raise BpscareError(msg, path=start)


def load_course_yaml(project: Project) -> dict:
    """Read and check ``course/course.yaml``."""
    path = project.course / "course.yaml"
    data = _read_yaml(path)
    if not isinstance(data, dict):
        msg = "must be a mapping with course_id and assignments"
        raise BpscareError(msg, path=path)
    for key in ("course_id", "assignments"):
        if key not in data:
            msg = f"missing key {key!r}"
            raise BpscareError(msg, path=path)
    if not isinstance(data["assignments"], list) or not all(
        isinstance(a, str) for a in data["assignments"]
    ):
        msg = "assignments must be a list of assignment folder names"
        raise BpscareError(msg, path=path)
    return data


def load_assignment(project: Project, name: str) -> AssignmentSource:
    """Load, expand and check one assignment with its hidden tests and rubric merged in."""
    folder = project.assignments / name
    meta_path = folder / "assignment.yaml"
    if not folder.is_dir():
        msg = "assignment folder listed in course/course.yaml does not exist"
        raise BpscareError(msg, path=folder)
    meta = _read_yaml(meta_path) if meta_path.is_file() else {}
    if not isinstance(meta, dict):
        msg = "must be a mapping of keys such as 'title', 'due' and 'notebooks'"
        raise BpscareError(msg, path=meta_path)
    names = meta.get("notebooks") or sorted(
        p.name for p in folder.iterdir() if p.suffix in NOTEBOOK_SUFFIXES and p.is_file()
    )
    if not names:
        msg = "no text notebooks (.py or .md) in the assignment folder"
        raise BpscareError(msg, path=folder)
    hidden = _load_hidden_tests(project.autograders / name / "hidden_tests.py")
    rubric = _load_rubric(project.autograders / name / "rubric.yaml")
    notebooks: dict[str, nbformat.NotebookNode] = {}
    cells: list[textnb.GradeCell] = []
    for text_name in names:
        path = folder / text_name
        nb = textnb.expand_grading(textnb.read_text_notebook(path), path)
        _merge_hidden_tests(nb, hidden, path)
        _merge_rubric(nb, rubric, path)
        check_checks_points(nb, path)  # after the merge: hidden checks count too
        ipynb_name = Path(text_name).with_suffix(".ipynb").name
        notebooks[ipynb_name] = nb
        cells.extend(textnb.grade_cells(nb, ipynb_name))
    unused = sorted(set(hidden) | set(rubric))
    if unused:
        msg = f"grade ids {', '.join(unused)} match no cell of the assignment"
        raise BpscareError(msg, path=project.autograders / name)
    if not any(cell.kind == "tests" for cell in cells):
        msg = 'assignment has no autograder tests cell (grading="tests")'
        raise BpscareError(msg, path=folder)
    data_files = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and p.name not in names
        and p.name != "assignment.yaml"
        and "__pycache__" not in p.parts
    ]
    return AssignmentSource(
        name=name,
        folder=folder,
        title=str(meta.get("title", name)),
        due=meta.get("due"),
        module=meta.get("module"),
        notebooks=notebooks,
        data_files=data_files,
        grade_cells=cells,
    )


def check_course(
    assignments: list[AssignmentSource], known_competencies: set[str]
) -> dict[str, list[str]]:
    """Check ids across the course and return the grade-cell → competency map."""
    seen: dict[str, str] = {}
    mapping: dict[str, list[str]] = {}
    for assignment in assignments:
        for cell in assignment.grade_cells:
            where = f"{assignment.name}/{cell.notebook}"
            if cell.grade_id in seen:
                msg = f"duplicate grade_id {cell.grade_id!r} (also in {seen[cell.grade_id]})"
                raise BpscareError(msg, path=where, cell=cell.grade_id)
            seen[cell.grade_id] = where
            unknown = [c for c in cell.competencies if c not in known_competencies]
            if unknown:
                msg = (
                    f"unknown competency id(s) {', '.join(unknown)}; known ids are listed in "
                    "course/competency_map.yaml's frameworks (e.g. ACGME-MK, EPA-03, IPEC-C)"
                )
                raise BpscareError(msg, path=where, cell=cell.grade_id)
            mapping[cell.grade_id] = list(cell.competencies)
    return mapping


def build(
    project: Project,
    out: Path,
    *,
    progress: Callable[[str], None] | None = None,
    learner_wheel: bool = True,
) -> BuildResult:
    """Build the course, lessons and learner edition into ``out`` atomically.

    With ``learner_wheel`` the bpscare library is built as a wheel into the learner edition's
    ``binder/wheels/``, so the published learner edition installs without the source repository.
    """
    from bpscare import nbgrader_course
    from bpscare.competency.catalogue import course_frameworks, known_competency_ids

    say = progress or (lambda _msg: None)
    out = Path(out).resolve()
    _check_destination(out)
    course_cfg = load_course_yaml(project)
    frameworks = course_frameworks(project.course / "competency_map.yaml")
    say("reading assignments")
    assignments = [load_assignment(project, name) for name in course_cfg["assignments"]]
    mapping = check_course(assignments, known_competency_ids(frameworks))
    reasons = competency_tags.check_reasons(project.course / "competency_map.yaml", mapping)
    lessons = _find_lessons(project)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = atomic.new_staging_dir(out, "building")
    try:
        course_dir = tmp / "course"
        _write_course(project, course_dir, course_cfg, assignments, frameworks, mapping, reasons)
        for assignment in assignments:
            say(f"generating release of {assignment.name} with nbgrader")
            nbgrader_course.generate_assignment(course_dir, assignment.name)
            if assignment.due:
                nbgrader_course.set_due_date(course_dir, assignment.name, assignment.due)
        say("writing lessons")
        lesson_paths = _write_lessons(project, lessons, tmp / "lessons")
        say("assembling the learner edition")
        _write_learner_edition(project, tmp, assignments)
        if learner_wheel:
            say("building the bpscare wheel for the learner image")
            _build_wheel(project, tmp / "learner" / "binder" / "wheels")
        say("scanning the learner edition for leaks")
        leaks = scan_learner_edition(tmp / "learner", assignments, project)
        if leaks:
            first = leaks[0]
            msg = f"{len(leaks)} leak(s) in the learner edition, first: {first}"
            raise BpscareError(msg, path=project.root)
        atomic.replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(
        out=out,
        assignments=[a.name for a in assignments],
        lessons=[out / p.relative_to(tmp) for p in lesson_paths],
        grade_cells=len(mapping),
    )


def update_live_course(built_course: Path, live: Path, assignments: list[str]) -> None:
    """Bring a live course up to date from a built one, never touching learners' work.

    Copies the config and competency map, replaces ``source/<a>/`` for each assignment, and runs
    nbgrader's generate_assignment in the live folder, which refreshes ``release/<a>/`` and the
    gradebook's assignment definitions while leaving submitted/, autograded/, feedback/ and every
    grade in place.
    """
    from bpscare import nbgrader_course

    built_course = Path(built_course)
    live = Path(live)
    if live.exists() and not live.is_dir():
        msg = "the live course path is a file, not a folder"
        raise BpscareError(msg, path=live)
    live.mkdir(parents=True, exist_ok=True)
    # A live course's own gradebook (e.g. PostgreSQL) survives the new config: never SQLite.
    live_db_url = _configured_db_url(live) if (live / "nbgrader_config.py").is_file() else None
    for name in ("nbgrader_config.py", "competency_map.yaml"):
        if (built_course / name).is_file():
            atomic.copy_file(built_course / name, live / name)
    if live_db_url is not None:
        config = live / "nbgrader_config.py"
        text = config.read_text(encoding="utf-8").rstrip("\n")
        kept = "\n\n# Kept from the live course by bpscare build --course: its own gradebook.\n"
        atomic.write_text(config, f"{text}{kept}c.CourseDirectory.db_url = {live_db_url!r}\n")
    for assignment in assignments:
        src = built_course / "source" / assignment
        dst = live / "source" / assignment
        staging = atomic.new_staging_dir(dst)
        shutil.copytree(src, staging, dirs_exist_ok=True)
        atomic.replace_dir(staging, dst)
        nbgrader_course.generate_assignment(live, assignment)
    from nbgrader.api import Gradebook

    with Gradebook(nbgrader_course.course_db_url(built_course)) as built_gb:
        dues = {a: built_gb.find_assignment(a).duedate for a in assignments}
    for assignment, due in dues.items():
        if due is not None:
            nbgrader_course.set_due_date(live, assignment, due.isoformat(sep=" ") + " UTC")


def _configured_db_url(course: Path) -> str | None:
    """The ``CourseDirectory.db_url`` a course's config sets, or None when it sets none."""
    from bpscare import nbgrader_course

    config = nbgrader_course.load_course_config(course)
    if "db_url" in config.CourseDirectory:
        return str(config.CourseDirectory.db_url)
    return None


def scan_learner_edition(
    learner_dir: Path, assignments: list[AssignmentSource], project: Project
) -> list[LeakFinding]:
    """Scan the learner edition for solution lines, hidden tests, rubrics and canaries."""
    return scan_tree(learner_dir, secret_fragments(project, assignments))


def secret_fragments(
    project: Project, assignments: list[AssignmentSource] | None = None
) -> list[Fragment]:
    """Return every fragment no learner-facing file may hold.

    That is the solution and hidden-test regions of the course's assignments (all of
    ``course.yaml`` by default) and the text of ``autograders/``.
    """
    if assignments is None:
        names = load_course_yaml(project)["assignments"]
        assignments = [load_assignment(project, name) for name in names]
    return forbidden_fragments(
        [nb for a in assignments for nb in a.notebooks.values()],
        trusted_files=sorted(p for p in project.autograders.rglob("*") if p.is_file()),
    )


def _check_destination(out: Path) -> None:
    if out.exists() and not out.is_dir():
        msg = "output path is a file, not a folder; choose another --out"
        raise BpscareError(msg, path=out)
    if out.is_dir():
        from bpscare.nbgrader_course import live_data_folders

        live = live_data_folders(out / "course")
        if live:
            msg = (
                f"{live[0]} holds learners' work; a build never replaces a live course. Use "
                "`bpscare build --course LIVE_DIR` to update a live course in place, or build "
                "into another --out"
            )
            raise BpscareError(msg, path=out)


def _write_course(
    project: Project,
    course_dir: Path,
    course_cfg: dict,
    assignments: list[AssignmentSource],
    frameworks: list[str],
    mapping: dict[str, list[str]],
    reasons: dict[str, dict[str, str]],
) -> None:
    course_dir.mkdir(parents=True)
    config_src = project.course / "nbgrader_config.py"
    if config_src.is_file():
        shutil.copy2(config_src, course_dir / "nbgrader_config.py")
    else:
        (course_dir / "nbgrader_config.py").write_text(
            f'c = get_config()\nc.CourseDirectory.course_id = "{course_cfg["course_id"]}"\n'
        )
    from bpscare.grading.feedback import COURSE_CONFIG, GET_GRADES

    config_text = (course_dir / "nbgrader_config.py").read_text()
    if GET_GRADES not in config_text:  # every feedback path must be learner-safe
        (course_dir / "nbgrader_config.py").write_text(config_text + COURSE_CONFIG)
    competency_map = {"frameworks": frameworks, "grade_cells": mapping, "reasons": reasons}
    (course_dir / "competency_map.yaml").write_text(
        "# Generated by `bpscare build` from the competencies tag of each graded cell.\n"
        + yaml.safe_dump(competency_map, sort_keys=True)
    )
    for assignment in assignments:
        src_dir = course_dir / "source" / assignment.name
        for ipynb_name, nb in assignment.notebooks.items():
            textnb.write_notebook_atomic(nb, src_dir / ipynb_name)
        for data_file in assignment.data_files:
            target = src_dir / data_file.relative_to(assignment.folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(data_file, target)


def _find_lessons(project: Project) -> list[Path]:
    if not project.modules.is_dir():
        return []
    return sorted(
        p
        for module in sorted(project.modules.iterdir())
        if module.is_dir() and not module.name.startswith((".", "_"))
        for p in module.glob("*.md")
        if re.match(r"^\d\d-", p.name)
    )


def _write_lessons(project: Project, lessons: list[Path], out_dir: Path) -> list[Path]:
    written = []
    for lesson in lessons:
        nb = textnb.read_text_notebook(lesson)
        for index, cell in enumerate(nb.cells):
            if "nbgrader" in cell.get("metadata", {}) or "grading" in cell.get("metadata", {}):
                msg = "lessons carry no graded cells; graded work belongs in assignments/"
                raise BpscareError(msg, path=lesson, cell=textnb.describe_cell(index, cell))
        target = out_dir / lesson.parent.name / lesson.with_suffix(".ipynb").name
        textnb.write_notebook_atomic(nb, target)
        written.append(target)
        for asset in lesson.parent.iterdir():
            if asset.is_dir() and asset.name in ("data", "images", "figures"):
                dest = target.parent / asset.name
                if not dest.exists():
                    shutil.copytree(asset, dest)
    return written


def _write_learner_edition(
    project: Project, tmp: Path, assignments: list[AssignmentSource]
) -> None:
    learner = tmp / "learner"
    learner.mkdir()
    if (tmp / "lessons").is_dir():
        shutil.copytree(tmp / "lessons", learner / "lessons")
    for assignment in assignments:
        shutil.copytree(
            tmp / "course" / "release" / assignment.name, learner / "assignments" / assignment.name
        )
    (learner / "apps").mkdir()
    apps_src = project.course / "apps"
    if apps_src.is_dir():
        for app in sorted(apps_src.glob("*.py")):
            nb = textnb.read_text_notebook(app)
            textnb.write_notebook_atomic(nb, learner / "apps" / app.with_suffix(".ipynb").name)
        if (apps_src / "practice").is_dir():  # the practice twins' public items
            shutil.copytree(apps_src / "practice", learner / "apps" / "practice")
    for public in ("sources.yaml", "syllabus.md"):  # what every lesson cites, what is asked
        if (project.course / public).is_file():
            shutil.copy2(project.course / public, learner / public)
    if project.binder.is_dir():
        shutil.copytree(project.binder, learner / "binder")
    write_voila_json(learner)
    readme = project.course / "LEARNER_README.md"
    if readme.is_file():
        shutil.copy2(readme, learner / "README.md")


def _build_wheel(project: Project, dest: Path) -> None:
    """Build the bpscare wheel from this project's source (skipped for a course-only project)."""
    pyproject = project.root / "pyproject.toml"
    if not pyproject.is_file() or 'name = "bpscare"' not in pyproject.read_text():
        return
    dest.mkdir(parents=True, exist_ok=True)
    # Build from a clean copy: setuptools' in-tree build/ folder keeps files deleted from src/,
    # and those would ship in the learner image.
    with tempfile.TemporaryDirectory(prefix="bpscare-wheel-") as scratch:
        clean = Path(scratch) / "src-copy"
        clean.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (project.root / name).is_file():
                shutil.copy2(project.root / name, clean / name)
        shutil.copytree(
            project.root / "src",
            clean / "src",
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"),
        )
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dest), str(clean)],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        tail = " | ".join(result.stderr.strip().splitlines()[-3:])
        msg = f"could not build the bpscare wheel for the learner edition: {tail}"
        raise BpscareError(msg, path=project.root)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        msg = "file not found"
        raise BpscareError(msg, path=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        msg = f"malformed YAML{where}: {getattr(exc, 'problem', exc)}"
        raise BpscareError(msg, path=path) from exc


def _load_hidden_tests(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    nb = textnb.read_text_notebook(path)
    hidden: dict[str, str] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or _only_comments(cell.source):
            continue
        grade_id = cell.metadata.get("grade_id")
        if not grade_id:
            msg = 'every hidden-tests cell needs grade_id="<tests cell id>"'
            raise BpscareError(msg, path=path, cell=textnb.describe_cell(index, cell))
        if grade_id in hidden:
            msg = f"two hidden-tests cells for {grade_id!r}"
            raise BpscareError(msg, path=path, cell=textnb.describe_cell(index, cell))
        hidden[grade_id] = cell.source.strip("\n")
    return hidden


def _only_comments(source: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in source.splitlines())


def _load_rubric(path: Path) -> dict[str, dict]:
    if not path.is_file():
        return {}
    data = _read_yaml(path) or {}
    if not isinstance(data, dict):
        msg = "must map grade ids to rubrics"
        raise BpscareError(msg, path=path)
    for grade_id, rubric in data.items():
        criteria = rubric.get("criteria") if isinstance(rubric, dict) else None
        if not criteria or not all(isinstance(c, dict) and "points" in c for c in criteria):
            msg = "rubric needs a list of criteria, each with points"
            raise BpscareError(msg, path=path, cell=grade_id)
        total = sum(c["points"] for c in criteria)
        if "points" in rubric and abs(total - rubric["points"]) > 1e-9:
            msg = f"criteria add up to {total}, but points says {rubric['points']}"
            raise BpscareError(msg, path=path, cell=grade_id)
    return data


def _merge_hidden_tests(nb: nbformat.NotebookNode, hidden: dict[str, str], path: Path) -> None:
    for index, cell in enumerate(nb.cells):
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = nbg.get("grade_id")
        if grade_id not in hidden:
            continue
        if not nbg.get("grade") or cell.cell_type != "code":
            msg = "hidden tests can only go into an autograder tests cell"
            raise BpscareError(msg, path=path, cell=textnb.describe_cell(index, cell))
        if not HIDDEN_PLACEHOLDER.search(cell.source):
            msg = (
                "has hidden tests in autograders/ but no empty '### BEGIN HIDDEN TESTS' / "
                "'### END HIDDEN TESTS' block to receive them"
            )
            raise BpscareError(msg, path=path, cell=textnb.describe_cell(index, cell))
        block = f"### BEGIN HIDDEN TESTS\n{hidden.pop(grade_id)}\n### END HIDDEN TESTS"
        # a literal replacement: backslashes in the tests are not regex escapes
        cell.source = HIDDEN_PLACEHOLDER.sub(block.replace("\\", "\\\\"), cell.source, count=1)


def _merge_rubric(nb: nbformat.NotebookNode, rubric: dict[str, dict], path: Path) -> None:
    for index, cell in enumerate(nb.cells):
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = nbg.get("grade_id")
        if grade_id not in rubric:
            continue
        if not nbg.get("task"):
            msg = 'a rubric goes on a task cell (grading="task"), whose mark scheme nbgrader hides'
            raise BpscareError(msg, path=path, cell=textnb.describe_cell(index, cell))
        spec = rubric.pop(grade_id)
        if abs(sum(c["points"] for c in spec["criteria"]) - float(nbg.get("points", 0))) > 1e-9:
            msg = f"rubric points do not add up to the cell's {nbg.get('points')} points"
            raise BpscareError(msg, path=path, cell=textnb.describe_cell(index, cell))
        cell.source = cell.source.rstrip() + "\n\n" + _rubric_markdown(spec)


def _rubric_markdown(spec: dict) -> str:
    lines = ["=== BEGIN MARK SCHEME ===", "", "**Rubric**", ""]
    for criterion in spec["criteria"]:
        lines.append(f"- **{criterion.get('title', 'Criterion')}** ({criterion['points']} pt)")
        for level in ("full", "partial", "none"):
            if criterion.get(level):
                lines.append(f"  - *{level}*: {criterion[level]}")
    lines += ["", "=== END MARK SCHEME ==="]
    return "\n".join(lines)
