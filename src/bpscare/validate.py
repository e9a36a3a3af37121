"""``bpscare validate``: build, then prove every assignment grades as intended and nothing leaks.

For each assignment, in a scratch copy of the built course (the build itself stays clean):

- the instructor's source, submitted as a learner, earns full marks on every autograded cell;
- the released notebook, submitted untouched, earns 0 on every autograded cell and the grader
  does not crash;
- each documented misconception (``autograders/<a>/misconceptions.yaml``) earns its expected
  partial score, and its feedback contains the expected phrase;
- the learner edition contains no solution line, hidden test, rubric or canary (checked by the
  build), grade ids are unique and every graded cell maps to a known competency (also the build).

Every failure is collected, so one run lists them all.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import (
    AssignmentSource,
    Project,
    build,
    load_assignment,
    load_course_yaml,
    scan_learner_edition,
)
from bpscare.authoring.textnb import is_choice_cell
from bpscare.grading.backend import autograde_students, cell_outputs, cell_scores

SCORE_TOLERANCE = 0.011
#: The format of a graded cell answered by writing code (no ``format`` tag, or a code answer).
CODE_FORMAT = "code"
SOURCE_LEARNER = "validate-source"
RELEASE_LEARNER = "validate-release"


@dataclass
class ValidationReport:
    """What validation checked and every failure it found."""

    checked: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    points_by_format: dict[str, float] = field(default_factory=dict)

    def format_table(self) -> str:
        """The course's graded points by answer format, as printed by ``bpscare validate``."""
        total = sum(self.points_by_format.values())
        width = max([len(f) for f in self.points_by_format] + [len(CODE_FORMAT)])
        lines = [f"{'answer format':<{width}}  points  share"]
        for fmt, points in sorted(self.points_by_format.items(), key=lambda kv: -kv[1]):
            share = 0.0 if not total else 100 * points / total
            lines.append(f"{fmt:<{width}}  {points:6g}  {share:4.0f} %")
        code = self.points_by_format.get(CODE_FORMAT, 0.0)
        lines.append(f"{'total':<{width}}  {total:6g}")
        lines.append(f"required points that need code: {code:g}")
        return "\n".join(lines)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures


def validate(
    project: Project,
    out: Path,
    *,
    engine: str = "bpscare",
    progress: Callable[[str], None] | None = None,
) -> ValidationReport:
    """Build into ``out`` and validate every assignment; return the full report."""
    say = progress or (lambda _msg: None)
    report = ValidationReport()
    result = build(project, out, progress=say)
    report.checked.append(
        f"build: {len(result.assignments)} assignment(s), {result.grade_cells} graded cells, "
        f"{len(result.lessons)} lesson(s); grade ids unique; competencies known"
    )
    assignments = [load_assignment(project, a) for a in load_course_yaml(project)["assignments"]]
    leaks = scan_learner_edition(result.out / "learner", assignments, project)
    report.failures += [f"leak: {leak}" for leak in leaks]
    report.checked.append("learner edition scanned for solutions, hidden tests and canaries")

    report.points_by_format = points_by_format(assignments)
    needing_code = report.points_by_format.get(CODE_FORMAT, 0.0)
    if needing_code:
        report.failures.append(
            f"{needing_code:g} required points need code: tag every graded cell with a no-code "
            "format and answer it by a choice line or a widget (see docs/item-formats.md)"
        )
    else:
        report.checked.append("every graded point has a no-code answer format")

    scratch = Path(tempfile.mkdtemp(prefix="bpscare-validate-"))
    try:
        course = scratch / "course"
        shutil.copytree(result.out / "course", course)
        for assignment in assignments:
            say(f"validating {assignment.name}")
            _validate_assignment(project, course, assignment, engine, report)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return report


def points_by_format(assignments: list[AssignmentSource]) -> dict[str, float]:
    """Sum the graded points of every assignment by answer format.

    A cell without a format tag, and every tests cell of an assignment that still has a code
    answer cell (``grading="answer"``), counts as ``code``.
    """
    totals: dict[str, float] = {}
    for assignment in assignments:
        has_code_answer = any(
            cell.get("metadata", {}).get("nbgrader", {}).get("solution")
            and not cell.get("metadata", {}).get("nbgrader", {}).get("grade")
            and not is_choice_cell(cell)
            for nb in assignment.notebooks.values()
            for cell in nb.cells
        )
        for cell in assignment.grade_cells:
            fmt = cell.answer_format or CODE_FORMAT
            if cell.kind == "tests" and has_code_answer:
                fmt = CODE_FORMAT
            totals[fmt] = totals.get(fmt, 0.0) + cell.points
    return totals


def _validate_assignment(
    project: Project,
    course: Path,
    assignment: AssignmentSource,
    engine: str,
    report: ValidationReport,
) -> None:
    name = assignment.name
    release_dir = course / "release" / name
    releases = {
        nb: nbformat.read(str(release_dir / nb), as_version=4) for nb in assignment.notebooks
    }
    now = dt.datetime.now(dt.UTC)
    key = simulated_submissions.load_key(project.autograders / name / "key.yaml")
    learners: dict[str, dict[str, nbformat.NotebookNode]] = {}
    files: dict[str, dict[str, bytes]] = {}
    learners[SOURCE_LEARNER] = {
        nb: simulated_submissions.fill_release(
            releases[nb],
            source,
            dict.fromkeys(
                simulated_submissions.answer_cells(releases[nb]),
                simulated_submissions.SOLUTION_ANSWER,
            ),
            key=key,
        )
        for nb, source in assignment.notebooks.items()
    }
    files[SOURCE_LEARNER] = simulated_submissions.answer_files(key, name, SOURCE_LEARNER)
    learners[RELEASE_LEARNER] = dict(releases)
    misconceptions = simulated_submissions.load_misconceptions(
        project.autograders / name / "misconceptions.yaml"
    )
    for mis in misconceptions:
        learner = f"validate-{mis.id.replace('_', '-')}"
        notebooks = {}
        for nb_name, source in assignment.notebooks.items():
            ids = simulated_submissions.answer_cells(releases[nb_name])
            answers = dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER)
            answers.update({k: v for k, v in mis.answers.items() if k in ids})
            notebooks[nb_name] = simulated_submissions.fill_release(
                releases[nb_name], source, answers, key=key
            )
        learners[learner] = notebooks
        files[learner] = simulated_submissions.answer_files(
            key, name, learner, overrides=mis.saved_answers
        )
    for learner, notebooks in learners.items():
        simulated_submissions.write_submission(
            course, learner, name, notebooks, now, answer_bytes=files.get(learner)
        )
    errors = autograde_students(course, name, list(learners), engine=engine)
    for learner, error in errors.items():
        if error:
            report.failures.append(f"{name}: the grader failed on {learner}: {error}")

    auto = {c.grade_id: c.points for c in assignment.grade_cells if c.kind == "tests"}
    source_scores = cell_scores(course, name, SOURCE_LEARNER)
    for grade_id, points in auto.items():
        got = source_scores.get(grade_id)
        if got is None or abs(got - points) > SCORE_TOLERANCE:
            report.failures.append(
                f"{name}/{grade_id}: the source earns {got} of {points} points (expected full "
                "marks: a solution or a test is wrong)"
            )
    report.checked.append(f"{name}: source earns full marks on {len(auto)} autograded cells")

    release_scores = cell_scores(course, name, RELEASE_LEARNER)
    for grade_id in auto:
        got = release_scores.get(grade_id)
        if got is None or got > SCORE_TOLERANCE:
            report.failures.append(
                f"{name}/{grade_id}: the blank release earns {got} points (expected 0: a test "
                "passes without an answer, or a solution leaked into the release)"
            )
    report.checked.append(f"{name}: blank release earns 0 and grades without crashing")

    for mis in misconceptions:
        learner = f"validate-{mis.id.replace('_', '-')}"
        scores = cell_scores(course, name, learner)
        outputs = cell_outputs(course, name, learner)
        for grade_id, (points, phrase) in mis.expected.items():
            got = scores.get(grade_id)
            if got is None or abs(got - points) > SCORE_TOLERANCE:
                report.failures.append(
                    f"{name}/{grade_id}: misconception {mis.id!r} earns {got} points, "
                    f"expected {points}"
                )
            if phrase and phrase not in outputs.get(grade_id, ""):
                report.failures.append(
                    f"{name}/{grade_id}: misconception {mis.id!r} feedback lacks {phrase!r}"
                )
    if misconceptions:
        report.checked.append(
            f"{name}: {len(misconceptions)} misconception(s) earn their expected partial scores"
        )
