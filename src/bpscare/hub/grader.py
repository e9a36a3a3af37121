"""Grade exchange submissions in a scratch course and keep only what a learner may see.

Each assignment gets a *template*: the course's ``nbgrader_config.py`` and ``source/<a>/``,
generated into its own SQLite gradebook. A batch of submissions is graded in a fresh copy of
the template with the engine's public :func:`bpscare.grading.autograde`, so the instructor's
course and gradebook are never written. :func:`learner_view` turns the graded output into
what the learner sees: per part, the score, the public checks that did not pass (their texts
are in the released notebook already) and, for hidden checks, only how many did not pass and
the part's question. A line that holds a string only the source's tests cell has is a hidden
check's, even when it starts with a released string (a person's name, say). Any line holding
a hidden-test or solution fragment is dropped.
"""

from __future__ import annotations

import ast
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from bpscare import atomic, nbgrader_course
from bpscare.authoring.leakguard import forbidden_fragments
from bpscare.errors import BpscareError
from bpscare.hub.inbound import Submission

#: Shown beside every on-submit score.
PROVISIONAL = (
    "Provisional: graded automatically when you submitted. Your instructor's own grading "
    "decides the final score."
)
MIN_MESSAGE = 12  # shorter string literals in a test cell are arguments, not messages


@dataclass
class PartView:
    """One graded part as a learner sees it."""

    title: str
    question: str
    score: float
    points: float
    public_not_passed: list[str] = field(default_factory=list)
    hidden_not_passed: int = 0


@dataclass
class PublicInfo:
    """What the released notebook already shows a learner about each tests cell."""

    questions: dict[str, str]  # grade id → the cell's docstring (the concept it checks)
    points: dict[str, float]
    messages: dict[str, list[str]]  # grade id → the public checks' message texts
    forbidden: list[str]  # hidden-test and solution fragments of the assignment's source
    # grade id → string literals of the source's tests cell that the released cell lacks (the
    # hidden checks' messages): a line holding one is a hidden check's, whatever it starts with
    hidden: dict[str, list[str]] = field(default_factory=dict)


class ScratchGrader:
    """Grade submissions of one course in scratch copies of it (thread-safe per assignment)."""

    def __init__(self, course: Path, state: Path, workers: int = 1) -> None:
        self.course = nbgrader_course.require_course(Path(course))
        self.state = Path(state)
        self.workers = workers
        self._templates: dict[str, Path] = {}
        self._public: dict[str, PublicInfo] = {}
        self._lock = threading.Lock()
        self._batch = 0

    def template(self, assignment: str) -> Path:
        """The generated scratch course for ``assignment`` (made once, then reused)."""
        with self._lock:
            if assignment in self._templates:
                return self._templates[assignment]
            source = self.course / "source" / assignment
            if not source.is_dir():
                msg = f"the course has no source for {assignment!r}"
                raise BpscareError(msg, path=self.course)
            final = self.state / "templates" / assignment
            if not final.is_dir():
                with atomic.staged_dir(final, "template") as staging:
                    config = (self.course / "nbgrader_config.py").read_text(encoding="utf-8")
                    db = f"sqlite:///{final / 'gradebook.db'}"
                    config += f"\n# bpscare hub scratch course\nc.CourseDirectory.db_url = {db!r}\n"
                    (staging / "nbgrader_config.py").write_text(config, encoding="utf-8")
                    shutil.copytree(source, staging / "source" / assignment)
                    for extra in ("competency_map.yaml",):
                        if (self.course / extra).is_file():
                            shutil.copy2(self.course / extra, staging / extra)
                # generated in place: the gradebook path above names the final folder
                nbgrader_course.generate_assignment(final, assignment)
            self._templates[assignment] = final
            self._public[assignment] = public_info(self.course, assignment)
            return final

    def grade(self, assignment: str, subs: list[Submission]) -> dict[str, dict[str, Any]]:
        """Grade ``subs`` (one per learner) of ``assignment``; return key → learner's result."""
        template = self.template(assignment)
        with self._lock:
            self._batch += 1
            batch = self.state / "batches" / f"{assignment}-{self._batch}-{time.time_ns()}"
        shutil.copytree(template, batch)
        try:
            for sub in subs:
                dest = batch / "submitted" / sub.student / assignment
                shutil.copytree(sub.folder, dest)
            from bpscare.grading import autograde

            run = autograde(
                batch, assignment, students=[s.student for s in subs], workers=self.workers
            )
            by_student = {r.student: r for r in run.results}
            out: dict[str, dict[str, Any]] = {}
            for sub in subs:
                result = by_student.get(sub.student)
                if result is None or result.error:
                    reason = "the grader could not finish" if result is None else result.error
                    out[sub.key] = {"status": "error", "message": _safe_error(reason)}
                    continue
                outputs = _outputs(batch, sub.student, assignment)
                parts = learner_view(outputs, result.cell_scores, self._public[assignment])
                out[sub.key] = {
                    "status": "graded",
                    "score": round(sum(p.score for p in parts), 2),
                    "max_score": round(sum(p.points for p in parts), 2),
                    "parts": [p.__dict__ for p in parts],
                    "message": PROVISIONAL,
                }
            return out
        finally:
            shutil.rmtree(batch, ignore_errors=True)


def public_info(course: Path, assignment: str) -> PublicInfo:
    """Read the released notebooks (public) and the source notebooks (for the leak filter)."""
    questions: dict[str, str] = {}
    points: dict[str, float] = {}
    messages: dict[str, list[str]] = {}
    released: dict[str, set[str]] = {}
    for path in sorted((course / "release" / assignment).glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("grade") or meta.get("solution") or cell.cell_type != "code":
                continue
            gid = meta["grade_id"]
            points[gid] = float(meta.get("points", 0))
            questions[gid], strings = _string_literals(cell.source)
            released[gid] = set(strings)
            messages[gid] = [s for s in strings if len(s) >= MIN_MESSAGE]
    sources = [
        nbformat.read(str(p), as_version=4)
        for p in sorted((course / "source" / assignment).glob("*.ipynb"))
    ]
    forbidden = [f.text for f in forbidden_fragments(sources)]
    hidden: dict[str, list[str]] = {}
    for nb in sources:
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid in released and cell.cell_type == "code":
                strings = _string_literals(cell.source)[1]
                hidden[gid] = [
                    s for s in strings if len(s.strip()) >= MIN_MESSAGE and s not in released[gid]
                ]
    return PublicInfo(questions, points, messages, forbidden, hidden)


def learner_view(
    outputs: dict[str, str], scores: dict[str, float | None], info: PublicInfo
) -> list[PartView]:
    """The learner-safe view of one graded submission: one :class:`PartView` per tests cell."""
    parts: list[PartView] = []
    for gid, points in info.points.items():
        text = outputs.get(gid, "")
        lines = text.splitlines()
        title = lines[0].split(":")[0].strip() if lines and ":" in lines[0] else gid
        public: list[str] = []
        hidden = 0
        for line in lines[1:]:
            item = line.strip()
            if not item.startswith("- "):
                continue
            item = item[2:]
            hidden_text = any(h.strip() in item for h in info.hidden.get(gid, []))
            if not hidden_text and any(item.startswith(m) for m in info.messages.get(gid, [])):
                public.append(item)
            else:
                hidden += 1
        view = PartView(
            title=_clean(title, info.forbidden) or gid,
            question=_clean(info.questions.get(gid, ""), info.forbidden),
            score=float(scores.get(gid) or 0.0),
            points=points,
            public_not_passed=[p for p in public if _clean(p, info.forbidden)],
            hidden_not_passed=hidden,
        )
        parts.append(view)
    return parts


def _clean(text: str, forbidden: list[str]) -> str:
    """``text``, or "" when it holds any forbidden fragment."""
    return "" if any(fragment in text for fragment in forbidden) else text


def _string_literals(source: str) -> tuple[str, list[str]]:
    """A cell's docstring and its other plain string constants (the checks' messages)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "", []
    docstring = ast.get_docstring(tree) or ""
    found = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value != docstring
    ]
    return docstring, found


def _outputs(course: Path, student: str, assignment: str) -> dict[str, str]:
    from bpscare.grading.backend import cell_outputs

    return cell_outputs(course, assignment, student)


def _safe_error(reason: str | None) -> str:
    """A learner-facing sentence for a grading failure: the engine's reason's first line only."""
    first = (reason or "unknown reason").splitlines()[0][:200]
    return f"your submission could not be graded automatically ({first}); your instructor will."
