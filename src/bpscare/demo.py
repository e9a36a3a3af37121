"""``bpscare demo``: the whole path on a synthetic cohort, on embedded defaults.

authored text → build → live nbgrader course (SQLite gradebook) → synthetic learners fill the
released notebooks (complete, partly right, typical misconceptions, blank, one late) and pack
them as zips, as they would on Binder → ``collect`` → autograde →
learner-safe feedback → program report (HTML with plots, CSV). Learners are identified by
synthetic ids only; no names or emails are made up or stored.

The zips are collected as an LMS would hand them over: a Canvas-style export (file names
``<sortable name>_<user id>_<submission id>_<file>``, ``LATE_`` for the late learner) with a
roster CSV giving each learner's LMS user id and submission time. After autograding, an
instructor's marking is simulated: most reflections get rubric scores and comments written
through nbgrader's gradebook API (as formgrader does); a few stay pending, and the report shows
both states.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from bpscare import nbgrader_course
from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import (
    AssignmentSource,
    Project,
    build,
    load_assignment,
    update_live_course,
)
from bpscare.grading.backend import autograde_students
from bpscare.grading.collect import collect_zips, load_roster
from bpscare.grading.feedback import generate_feedback
from bpscare.grading.submission_zip import pack_submission
from bpscare.progress import event_bar

PROFILES = ("complete", "partly right", "misconception", "blank")
PROFILE_WEIGHTS = (0.4, 0.25, 0.25, 0.1)
#: Chance that a learner works at their usual level on an assignment (else a random profile):
#: learners differ more than assignments do, as in a real cohort.
KEEP_USUAL = 0.75
#: Rubric level of each criterion an instructor gives each of :data:`REFLECTIONS`, in order
#: (1 = full, 0.5 = partial, 0 = none; the last level repeats for further criteria).
REFLECTION_LEVELS = ((1.0,), (1.0, 1.0, 0.5), (0.5, 0.0))
#: Share of reflections the simulated instructor has not graded yet (left pending; at least one
#: per assignment, so the report always shows both states).
PENDING_SHARE = 0.15
REFLECTIONS = (
    "I would start by saying that her chest tightness is real and that we are still looking at "
    "every physical cause. Then I would explain that stress, sleep and mood change how symptoms "
    "feel, so I ask everyone these questions to understand the whole picture, not to label her. "
    "I would ask permission and explain that one question asks about thoughts of self-harm; if "
    "she answers yes, we talk about it today so that she is safe.",
    "I would acknowledge that being told it is 'just anxiety' twice must have been frustrating. "
    "I would explain that the questionnaires help us measure how much the symptoms affect her "
    "life and sleep, and that we will repeat them to see whether the plan is helping. If item 9 "
    "is positive I would calmly ask more about it before she leaves and make a safety plan.",
    "These forms help me understand stress and mood. Everyone gets them.",
)


@dataclass
class DemoResult:
    """Where the demo left its outputs, and how long each step took."""

    out: Path
    course: Path
    report: Path
    learners: int
    assignments: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    grading_failures: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """A short, readable account of what was made and where to look."""
        total = sum(self.timings.values())
        lines = [
            f"demo finished in {total:.1f} s: {self.learners} learners x "
            f"{len(self.assignments)} assignment(s)",
            f"  live nbgrader course : {self.course}",
            f"  gradebook            : {self.course / 'gradebook.db'}",
            f"  learner feedback     : {self.course / 'feedback'}",
            f"  program report       : {self.report / 'index.html'}",
            f"  scores (CSV)         : {self.report / 'assignment_scores.csv'}",
            "  step timings         : "
            + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items()),
        ]
        if self.grading_failures:
            lines.append(f"  {len(self.grading_failures)} submission(s) could not be graded:")
            lines += [f"    {k}: {v}" for k, v in sorted(self.grading_failures.items())]
        return "\n".join(lines)


def learner_ids(count: int) -> list[str]:
    """Return synthetic learner ids: learner-001, learner-002, and so on."""
    width = max(3, len(str(count)))
    return [f"learner-{i:0{width}d}" for i in range(1, count + 1)]


def run_demo(
    project: Project,
    *,
    out: Path | None = None,
    learners: int = 30,
    seed: int = 7,
    engine: str = "bpscare",
    workers: int | None = None,
) -> DemoResult:
    """Run the demo end to end and return where its outputs are."""
    out = Path(out).resolve() if out else Path(tempfile.mkdtemp(prefix="bpscare-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    rng = random.Random(seed)

    def step(name: str) -> float:
        print(f"[demo] {name}", file=sys.stderr, flush=True)
        return time.perf_counter()

    failures: dict[str, str] = {}
    t0 = step("building the course")
    built = build(project, out / "_build", progress=lambda m: print(f"  {m}", file=sys.stderr))
    course = out / "course"
    update_live_course(built.out / "course", course, built.assignments)
    timings["build"] = time.perf_counter() - t0

    t0 = step(f"{learners} learners pack their submissions; collecting the LMS export")
    ids = learner_ids(learners)
    nbgrader_course.add_students(course, ids)
    reflections: dict[tuple[str, str], int] = {}
    sources = {name: load_assignment(project, name) for name in built.assignments}
    late_learner = rng.choice(ids)
    today = dt.datetime.now(dt.UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    for index, name in enumerate(built.assignments):
        # The demo course ran over the past weeks: assignment i was due (n - i) weeks ago.
        due = today - dt.timedelta(weeks=len(built.assignments) - index)
        nbgrader_course.set_due_date(course, name, due.strftime("%Y-%m-%d %H:%M:%S UTC"))
        uploads = out / "lms_uploads" / name
        zips = _submit_cohort(
            project,
            course,
            sources[name],
            ids,
            rng,
            late_learner if index == 0 else "",
            due,
            uploads,
            reflections,
        )
        collected = collect_zips(
            course, name, zips, roster=load_roster(uploads / "roster.csv"), due=due
        )
        problems = collected.rejected + collected.held
        failures.update({f"{name}/{o}": reason for o, reason in problems})
    timings["submissions"] = time.perf_counter() - t0

    t0 = step(f"autograding with the {engine} engine")
    for name in built.assignments:
        with event_bar(f"autograde {name}", total=len(ids)) as tick:
            errors = autograde_students(
                course, name, ids, engine=engine, workers=workers, progress=tick
            )
        failures.update({f"{name}/{s}": e for s, e in errors.items() if e})
    timings["autograde"] = time.perf_counter() - t0

    t0 = step("an instructor grades the reflections (a few left pending)")
    for name in built.assignments:
        rubric = _rubric(project.autograders / name / "rubric.yaml")
        grade_reflections(course, name, ids, reflections, rubric, rng)
    timings["manual grading"] = time.perf_counter() - t0

    t0 = step("generating learner-safe feedback")
    for name in built.assignments:
        generate_feedback(course, name)
    timings["feedback"] = time.perf_counter() - t0

    t0 = step("writing the program report")
    from bpscare.competency.report import run_report

    report = out / "report"
    run_report(course_dir=course, out_dir=report)
    timings["report"] = time.perf_counter() - t0
    return DemoResult(out, course, report, learners, built.assignments, timings, failures)


def _submit_cohort(
    project: Project,
    course: Path,
    assignment: AssignmentSource,
    ids: list[str],
    rng: random.Random,
    late_learner: str,
    due: dt.datetime,
    uploads: Path,
    reflections: dict[tuple[str, str], int],
) -> list[Path]:
    """Each learner fills the release and packs a zip; the LMS export names it Canvas-style.

    Returns the export's files; ``uploads/roster.csv`` gets each learner's LMS user id and
    submission time, and ``reflections`` which reflection each learner wrote.
    """
    name = assignment.name
    release_dir = course / "release" / name
    releases = {
        nb: nbformat.read(str(release_dir / nb), as_version=4) for nb in assignment.notebooks
    }
    misconceptions = simulated_submissions.load_misconceptions(
        project.autograders / name / "misconceptions.yaml"
    )
    key = simulated_submissions.load_key(project.autograders / name / "key.yaml")
    zips = []
    rows: list[tuple[str, str, str]] = []
    for learner in ids:
        usual = random.Random(f"{learner}-usual").choices(PROFILES, PROFILE_WEIGHTS)[0]
        profile = usual if rng.random() < KEEP_USUAL else rng.choices(PROFILES, PROFILE_WEIGHTS)[0]
        if learner == late_learner:
            profile = "complete"
        if profile == "misconception" and not misconceptions:
            profile = "partly right"
        mistake = rng.choice(misconceptions) if profile == "misconception" else None
        notebooks = {}
        choice = -1 if profile == "blank" else rng.randrange(len(REFLECTIONS))
        reflections[(name, learner)] = choice
        for nb_name, source in assignment.notebooks.items():
            ids_in_nb = list(simulated_submissions.answer_cells(releases[nb_name]))
            answers = _answers_for(profile, ids_in_nb, mistake, rng)
            reflection = None if choice < 0 else REFLECTIONS[choice]
            notebooks[nb_name] = simulated_submissions.fill_release(
                releases[nb_name], source, answers, reflection, key=key
            )
        if learner == late_learner:
            when = due + dt.timedelta(days=2, hours=3)
        else:
            when = due - dt.timedelta(hours=rng.randint(2, 150))
        folder = uploads / "work" / learner / name
        folder.mkdir(parents=True, exist_ok=True)
        for nb_name, nb in notebooks.items():
            nbformat.write(nb, str(folder / nb_name))
        # The widgets' saved answers travel in the zip, as a learner's Save button leaves them.
        saved = _saved_answers_for(profile, key, rng)
        files = simulated_submissions.answer_files(
            key, name, learner, overrides=mistake.saved_answers if mistake else None, names=saved
        )
        for file_name, data in files.items():
            (folder / file_name).write_bytes(data)
        # Canvas names the file <sortable name>_[LATE_]<user id>_<submission id>_<file>.
        number = ids.index(learner) + 1
        late = "LATE_" if when > due else ""
        export_name = f"{learner.replace('-', '')}_{late}{1000 + number}_{50000 + number}"
        zips.append(
            pack_submission(
                folder, learner, out=uploads / f"{export_name}_{name}-{learner}.zip", now=when
            )
        )
        rows.append((learner, str(1000 + number), when.isoformat(timespec="seconds")))
    with (uploads / "roster.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("learner", "lms_user_id", "submitted_at"))
        writer.writerows(rows)
    return zips


def _answers_for(
    profile: str,
    grade_ids: list[str],
    mistake: simulated_submissions.Misconception | None,
    rng: random.Random,
) -> dict:
    solution = simulated_submissions.SOLUTION_ANSWER
    if profile == "complete":
        return dict.fromkeys(grade_ids, solution)
    if profile == "blank":
        return {}
    if profile == "partly right":
        keep = rng.sample(grade_ids, k=max(1, len(grade_ids) // 2))
        return dict.fromkeys(keep, solution)
    answers = dict.fromkeys(grade_ids, solution)
    if mistake is not None:
        answers.update({k: v for k, v in mistake.answers.items() if k in grade_ids})
    return answers


def _saved_answers_for(
    profile: str,
    key: simulated_submissions.AnswerKey,
    rng: random.Random,
) -> list[str]:
    """Which widget answers a learner of this profile saved (a misconception's own are added)."""
    names = sorted(key.saved_answers)
    if profile == "blank":
        return []
    if profile == "partly right":  # some saved their work in the widget, some forgot
        return rng.sample(names, k=rng.randint(0, len(names)))
    return names


def _rubric(path: Path) -> dict[str, dict]:
    import yaml

    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def grade_reflections(
    course: Path,
    assignment: str,
    learners: list[str],
    reflections: dict[tuple[str, str], int],
    rubric: dict[str, dict],
    rng: random.Random,
) -> tuple[int, int]:
    """Score and comment the manually graded cells as an instructor would in formgrader.

    Every written reflection awaiting a manual grade gets a rubric score (criterion by criterion,
    :data:`REFLECTION_LEVELS`) and a comment naming each criterion's level, through nbgrader's
    ``Gradebook`` (``manual_score``, ``manual_comment``), except a share :data:`PENDING_SHARE`
    left pending (at least one learner per assignment). Blank reflections were already scored 0
    by nbgrader. Returns (graded, pending).
    """
    from nbgrader.api import Gradebook, MissingEntry

    graded = pending = 0
    writers = [x for x in learners if reflections.get((assignment, x), -1) >= 0]
    left = set(
        rng.sample(writers, k=min(len(writers), max(1, round(PENDING_SHARE * len(writers)))))
    )
    with Gradebook(nbgrader_course.course_db_url(course)) as gradebook:
        for learner in learners:
            choice = reflections.get((assignment, learner), -1)
            try:
                submission = gradebook.find_submission(assignment, learner)
            except MissingEntry:
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.manual_score is not None or grade.auto_score is not None:
                        continue
                    if choice < 0 or learner in left:
                        pending += 1
                        continue
                    score, comment = _rubric_marks(rubric.get(grade.name), grade.max_score, choice)
                    grade.manual_score = score
                    try:
                        comment_row = gradebook.find_comment(
                            grade.name, notebook.name, assignment, learner
                        )
                    except MissingEntry:
                        comment_row = None
                    if comment_row is not None:
                        comment_row.manual_comment = comment
                    graded += 1
        gradebook.db.commit()
    return graded, pending


def _rubric_marks(rubric: dict | None, max_score: float, choice: int) -> tuple[float, str]:
    """The score and comment for reflection ``choice`` under ``rubric`` (or a holistic mark)."""
    levels = REFLECTION_LEVELS[choice]
    criteria = (rubric or {}).get("criteria") or []
    if not criteria:
        share = sum(levels) / len(levels)
        return round(max_score * share, 2), f"Holistic mark: {share:.0%} of the points."
    score = 0.0
    lines = []
    for i, criterion in enumerate(criteria):
        level = levels[min(i, len(levels) - 1)]
        points = float(criterion.get("points", 0))
        score += points * level
        key = {1.0: "full", 0.5: "partial"}.get(level, "none")
        said = {"full": "met", "partial": "partly met", "none": "not yet met"}[key]
        title = criterion.get("title", f"criterion {i + 1}")
        lines.append(f"- {title}: {said}. {criterion.get(key, '')}".rstrip())
    return round(min(score, max_score), 2), "\n".join(lines)
