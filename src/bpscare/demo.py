"""``bpscare demo``: the whole path on a synthetic cohort, on embedded defaults.

authored text → build → live nbgrader course (SQLite gradebook) → synthetic learners fill the
released notebooks (complete, partly right, typical misconceptions, blank, one late) and pack
them as zips, as they would on Binder → ``collect`` → autograde →
learner-safe feedback → program report (HTML with plots, CSV). Learners are identified by
synthetic ids only; no names or emails are made up or stored.
"""

from __future__ import annotations

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
from bpscare.grading.feedback import generate_feedback
from bpscare.grading.submission_zip import collect_zips, pack_submission
from bpscare.progress import event_bar

PROFILES = ("complete", "partly right", "misconception", "blank")
PROFILE_WEIGHTS = (0.4, 0.25, 0.25, 0.1)
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

    t0 = step(f"{learners} learners pack their submissions; collecting the zips")
    ids = learner_ids(learners)
    nbgrader_course.add_students(course, ids)
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
        )
        collected = collect_zips(course, name, zips)
        if collected.rejected:
            failures.update({f"{name}/{o}": reason for o, reason in collected.rejected})
    timings["submissions"] = time.perf_counter() - t0

    t0 = step(f"autograding with the {engine} engine")
    for name in built.assignments:
        with event_bar(f"autograde {name}", total=len(ids)) as tick:
            errors = autograde_students(
                course, name, ids, engine=engine, workers=workers, progress=tick
            )
        failures.update({f"{name}/{s}": e for s, e in errors.items() if e})
    timings["autograde"] = time.perf_counter() - t0

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
) -> list[Path]:
    """Each learner fills the release as their profile dictates and packs a zip for the LMS."""
    name = assignment.name
    release_dir = course / "release" / name
    releases = {
        nb: nbformat.read(str(release_dir / nb), as_version=4) for nb in assignment.notebooks
    }
    misconceptions = simulated_submissions.load_misconceptions(
        project.autograders / name / "misconceptions.yaml"
    )
    zips = []
    for learner in ids:
        profile = rng.choices(PROFILES, PROFILE_WEIGHTS)[0]
        if learner == late_learner:
            profile = "complete"
        if profile == "misconception" and not misconceptions:
            profile = "partly right"
        mistake = rng.choice(misconceptions) if profile == "misconception" else None
        notebooks = {}
        for nb_name, source in assignment.notebooks.items():
            ids_in_nb = list(simulated_submissions.answer_cells(releases[nb_name]))
            answers = _answers_for(profile, ids_in_nb, mistake, rng)
            reflection = None if profile == "blank" else rng.choice(REFLECTIONS)
            notebooks[nb_name] = simulated_submissions.fill_release(
                releases[nb_name], source, answers, reflection
            )
        if learner == late_learner:
            when = due + dt.timedelta(days=2, hours=3)
        else:
            when = due - dt.timedelta(hours=rng.randint(2, 150))
        folder = uploads / "work" / learner / name
        folder.mkdir(parents=True, exist_ok=True)
        for nb_name, nb in notebooks.items():
            nbformat.write(nb, str(folder / nb_name))
        zips.append(
            pack_submission(folder, learner, out=uploads / f"{name}-{learner}.zip", now=when)
        )
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
