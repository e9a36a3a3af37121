"""xAPI statements (``xapi_statements.json``), streamed.

By default one statement per learner x submitted assignment (the assignment is the activity,
the score is the submission's total, the extension lists the competencies it assesses); with
``xapi_detail="cells"`` one statement per learner x grade cell, as follows (ADL Experience API
1.0.3; raw scores rounded to two decimals; a submission with cells awaiting a manual grade
gets no assignment statement until graded, and a pending cell none): actor by ``account``
(home page + learner id or pseudonym, never a name or e-mail), verb
``http://adlnet.gov/expapi/verbs/scored``, the grade cell as the activity, ``result.score``
raw/min/max/scaled, the assignment and course in ``context.contextActivities.grouping`` and the
mapped competencies under the extension :data:`COMPETENCY_EXTENSION`; ``timestamp`` is the
submission time (the report time when nbgrader recorded none). Statement ids are derived
from (learner, assignment, submission time, submission total) and the cell, so re-sending an
unchanged report to an LRS is idempotent and a regrade produces new statements. The file is
one JSON array written as a stream, one statement per line, never held in memory whole.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from bpscare.competency.report_data import GradebookSums, ReportData

XAPI_VERB_SCORED = "http://adlnet.gov/expapi/verbs/scored"
XAPI_QUESTION = "http://adlnet.gov/expapi/activities/question"
XAPI_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
XAPI_COURSE = "http://adlnet.gov/expapi/activities/course"
#: xAPI context extension holding the competencies a grade cell is evidence for.
COMPETENCY_EXTENSION = "urn:bpscare:xapi:extension:competency-alignment"
#: Account home page of learners when the competency map sets none.
DEFAULT_HOME_PAGE = "https://example.org/bpscare/learners"
#: Base of activity ids (``<base>/<course>``) when the competency map sets none.
DEFAULT_ACTIVITY_BASE = "https://example.org/bpscare/courses"

#: JSON string encoder exactly as ``json.dumps`` uses it for a str (C version when built).
_encode_ascii: Callable[[str], str] = json.encoder.encode_basestring_ascii  # the default


def _iri_part(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _hex(data: str, n: int) -> str:
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()[:n]


@dataclass(frozen=True)
class XapiCell:
    """What an xAPI statement needs to know about one grade cell."""

    assignment: str
    notebook: str
    grade_id: str
    max_score: float
    competencies: tuple[tuple[str, str, str], ...]  # (id, framework id, title)


class XapiStatementWriter:
    """Write xAPI statements as a streamed JSON array, from precomputed JSON fragments.

    Each statement is ``head[s] + cell_and_score[c, x] + tail[s]``: the submission's part (id
    prefix, actor, verb, timestamp) and the cell's part (id suffix, object, result, context)
    are serialised once with :func:`json.dumps`, so per grade only three strings are joined.
    """

    def __init__(
        self,
        *,
        home_page: str,
        activity_base: str,
        course_id: str,
        cells: Sequence[XapiCell],
    ) -> None:
        self.home_page = home_page
        self.activity_base = activity_base.rstrip("/")
        self.course_id = course_id
        self.cells = cells
        self._cell_prefix: list[str] = []
        self._cell_rest: list[str] = []
        course_activity = {
            "objectType": "Activity",
            "id": self.activity_base,
            "definition": {"name": {"en-US": course_id}, "type": XAPI_COURSE},
        }
        for cell in cells:
            key = f"{course_id}|{cell.assignment}|{cell.notebook}|{cell.grade_id}"
            h = _hex(key, 15)
            self._cell_prefix.append(f"{'89ab'[int(h[0], 16) % 4]}{h[1:4]}-{h[4:16]}")
            assignment_id = f"{self.activity_base}/{_iri_part(cell.assignment)}"
            obj = {
                "objectType": "Activity",
                "id": (f"{assignment_id}/{_iri_part(cell.notebook)}/{_iri_part(cell.grade_id)}"),
                "definition": {
                    "name": {"en-US": f"{cell.assignment} / {cell.grade_id}"},
                    "type": XAPI_QUESTION,
                },
            }
            context: dict[str, Any] = {
                "contextActivities": {
                    "grouping": [
                        {
                            "objectType": "Activity",
                            "id": assignment_id,
                            "definition": {
                                "name": {"en-US": cell.assignment},
                                "type": XAPI_ASSESSMENT,
                            },
                        },
                        course_activity,
                    ]
                },
                "platform": "nbgrader via bpscare",
            }
            if cell.competencies:
                context["extensions"] = {
                    COMPETENCY_EXTENSION: [
                        {"id": cid, "framework": fid, "targetName": title}
                        for cid, fid, title in cell.competencies
                    ]
                }
            self._cell_rest.append(
                '"object":' + json.dumps(obj) + ',"context":' + json.dumps(context)
            )
        self._cache: dict[tuple[int, float], str] = {}
        self._actors: dict[str, str] = {}
        self._verb = (
            ',"verb":{"id":"' + XAPI_VERB_SCORED + '","display":{"en-US":"scored"}},"timestamp":'
        )
        self._course_activity = course_activity
        self._assignment_rest: dict[str, str] = {}
        self._assignment_cache: dict[tuple[str, float], str] = {}

    def submission_parts(
        self, learner: str, assignment: str, timestamp: str, total: float
    ) -> tuple[str, str]:
        """Return the (head, tail) fragments of every statement of one submission."""
        h = _hex(f"{learner}|{assignment}|{timestamp}|{total!r}", 15)
        head = '{"id":"' + f"{h[0:8]}-{h[8:12]}-8{h[12:15]}-"
        actor = self._actors.get(learner)
        if actor is None:
            account = {"homePage": self.home_page, "name": learner}
            agent = {"objectType": "Agent", "account": account}
            actor = self._actors[learner] = ',"actor":' + json.dumps(agent) + self._verb
        # _encode_ascii(str) is what json.dumps(str) returns.
        return head, actor + _encode_ascii(timestamp) + "}"

    def cell_part(self, c: int, x: float) -> str:
        """Return the fragment for cell ``c`` scored ``x`` (id suffix, object, result, context)."""
        key = (c, x)
        part = self._cache.get(key)
        if part is None:
            mx = self.cells[c].max_score
            score: dict[str, float] = {"raw": round(x, 2)}
            if x >= 0:
                score["min"] = 0
            if mx > 0:
                if x <= mx:
                    score["max"] = mx
                score["scaled"] = round(max(-1.0, min(1.0, x / mx)), 6)
            result = {"score": score, "completion": True}
            part = (
                self._cell_prefix[c] + '",' + self._cell_rest[c] + ',"result":' + json.dumps(result)
            )
            self._cache[key] = part
        return part

    def assignment_part(self, assignment: str, total: float, max_score: float) -> str:
        """Return the fragment of one assignment-level statement (id suffix, object, result)."""
        key = (assignment, total)
        part = self._assignment_cache.get(key)
        if part is None:
            rest = self._assignment_rest.get(assignment)
            if rest is None:
                rest = self._assignment_rest[assignment] = self._assignment_fragment(assignment)
            score: dict[str, float] = {"raw": round(total, 2)}
            if total >= 0:
                score["min"] = 0
            if max_score > 0:
                if total <= max_score:
                    score["max"] = max_score
                score["scaled"] = round(max(-1.0, min(1.0, total / max_score)), 6)
            h = _hex(f"{self.course_id}|{assignment}", 15)
            prefix = f"{'89ab'[int(h[0], 16) % 4]}{h[1:4]}-{h[4:16]}"
            result = {"score": score, "completion": True}
            part = prefix + '",' + rest + ',"result":' + json.dumps(result)
            self._assignment_cache[key] = part
        return part

    def _assignment_fragment(self, assignment: str) -> str:
        assignment_id = f"{self.activity_base}/{_iri_part(assignment)}"
        obj = {
            "objectType": "Activity",
            "id": assignment_id,
            "definition": {"name": {"en-US": assignment}, "type": XAPI_ASSESSMENT},
        }
        context: dict[str, Any] = {
            "contextActivities": {"grouping": [self._course_activity]},
            "platform": "nbgrader via bpscare",
        }
        seen: dict[str, tuple[str, str, str]] = {}
        for cell in self.cells:
            if cell.assignment == assignment:
                for comp in cell.competencies:
                    seen.setdefault(comp[0], comp)
        if seen:
            context["extensions"] = {
                COMPETENCY_EXTENSION: [
                    {"id": cid, "framework": fid, "targetName": title}
                    for cid, fid, title in seen.values()
                ]
            }
        return '"object":' + json.dumps(obj) + ',"context":' + json.dumps(context)

    def write_assignments(
        self,
        fh: TextIO,
        rows: Iterable[tuple[str, str, str, float, float]],
    ) -> int:
        """Stream one statement per submission: rows of (assignment, head, tail, total, max)."""
        n = 0
        fh.write("[")
        sep = "\n"
        cache = self._assignment_cache
        part_of = self.assignment_part
        chunk: list[str] = []
        for assignment, head, tail, total, max_score in rows:
            part = cache.get((assignment, total))
            if part is None:
                part = part_of(assignment, total, max_score)
            chunk.append(head + part + tail)
            if len(chunk) == 4096:
                fh.write(sep + ",\n".join(chunk))
                sep = ",\n"
                n += len(chunk)
                chunk = []
        if chunk:
            fh.write(sep + ",\n".join(chunk))
            n += len(chunk)
        fh.write("\n]\n")
        return n

    def write(
        self,
        fh: TextIO,
        batches: Iterable[Sequence[Sequence[Any]]],
        heads: Sequence[str],
        tails: Sequence[str],
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Stream statements for evidence rows ``(s, c, x)`` into ``fh``; return how many."""
        cache = self._cache
        cell_part = self.cell_part
        n = 0
        fh.write("[")
        sep = "\n"
        for batch in batches:
            out: list[str] = []
            append = out.append
            for s, c, x in batch:
                part = cache.get((c, x))
                if part is None:
                    part = cell_part(c, x)
                append(heads[s] + part + tails[s])
            if out:
                fh.write(sep)
                fh.write(",\n".join(out))
                sep = ",\n"
                n += len(out)
            if on_batch is not None:
                on_batch(n)
        fh.write("\n]\n")
        return n


@dataclass(frozen=True)
class XapiOptions:
    """How the report's statements are written.

    Attributes
    ----------
    activity_base
        Base IRI of activity ids (course, assignments, cells).
    detail
        ``"assignments"``: one statement per learner x submitted assignment; ``"cells"``: one
        per learner x graded cell.
    grade_cells
        grade id -> the competency ids it is evidence for (the competency map).
    """

    activity_base: str
    detail: str = "assignments"
    grade_cells: Mapping[str, Sequence[str]] | None = None


def write_report_xapi(
    path: Path,
    data: ReportData,
    sums: GradebookSums,
    options: XapiOptions,
    evidence: Callable[[], Iterable[Sequence[Sequence[Any]]]],
) -> int:
    """Write ``xapi_statements.json`` of the report; return the number of statements.

    ``evidence`` returns batches of ``(submission, cell, score)`` rows; it is called only for
    ``detail="cells"``.
    """
    comp_titles = {c.id: c for fw in data.frameworks.values() for c in fw.competencies}
    grade_cells = options.grade_cells or {}
    cells = [
        XapiCell(
            assignment=it.assignment,
            notebook=it.notebook,
            grade_id=it.grade_id,
            max_score=it.max_score,
            competencies=tuple(
                (cid, comp_titles[cid].framework, comp_titles[cid].title)
                for cid in grade_cells.get(it.grade_id, ())
            ),
        )
        for it in data.items
    ]
    writer = XapiStatementWriter(
        home_page=data.xapi_home_page,
        activity_base=options.activity_base,
        course_id=data.course_label,
        cells=cells,
    )
    subs = sums.submissions
    a_names = [a.name for a in data.assignments]
    sub_assignment = [a_names[a] for a in subs.assignment.tolist()]
    sub_learner = [data.learners[i] for i in subs.learner.tolist()]
    sub_total = np.asarray(sums.totals, dtype=float).tolist()
    sub_max = data.assignment_max[subs.assignment].tolist() if len(subs.ids) else []
    heads: list[str] = []
    tails: list[str] = []
    for learner, a_name, stamp, total in zip(
        sub_learner, sub_assignment, subs.timestamp, sub_total, strict=True
    ):
        head, tail = writer.submission_parts(learner, a_name, stamp or data.generated, total)
        heads.append(head)
        tails.append(tail)
    with path.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        if options.detail == "cells":
            return writer.write(fh, evidence(), heads, tails)
        rows = zip(sub_assignment, heads, tails, sub_total, sub_max, strict=True)
        graded = sums.pending == 0  # a submission awaiting grading has no score to state yet
        return writer.write_assignments(fh, (r for r, ok in zip(rows, graded, strict=True) if ok))
