"""Exports for other systems: an LMS gradebook CSV, Open Badges 3.0 credentials, xAPI statements.

LMS gradebook CSV (``lms_gradebook.csv``)
    Follows the Canvas gradebook import convention: the columns ``Student``, ``ID``,
    ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment holding points;
    the second row, ``Points Possible``, gives each assignment's maximum (as in a Canvas gradebook
    export). Canvas matches a row on any one of Student / ID / SIS User ID; here ``Student`` and
    ``SIS User ID`` hold the nbgrader student id (never a name) and ``ID`` holds nbgrader's
    ``lms_user_id`` when the gradebook records one. Unknown assignment columns create new
    assignments on import. Moodle's CSV grade import (Grades > Import > CSV file) needs the
    ``Points Possible`` row deleted first; map ``SIS User ID`` to the user's "ID number" and each
    assignment column to a grade item. A missing submission is written as 0, like
    ``nbgrader export``. With pseudonymisation the ids are pseudonyms and ``ID`` is left empty,
    so such a file is for sharing, not for importing.

Open Badges 3.0 (``badges.jsonl``, one credential per line)
    One unsigned ``OpenBadgeCredential`` (1EdTech Open Badges 3.0, built on the W3C Verifiable
    Credentials Data Model 2.0) per learner per attained competency. The achievement has
    ``achievementType`` "Competency", a criteria narrative, an ``alignment`` to the framework item
    and a ``resultDescription`` whose rubric levels are the framework's levels; the subject's
    ``result.achievedLevel`` points at the level reached. The learner appears only as an
    ``IdentityObject`` holding the learner id or pseudonym. Sign the files with your issuer key
    before handing them out; unsigned credentials do not verify.

xAPI (``xapi_statements.json``)
    By default one statement per learner x submitted assignment (the assignment is the activity,
    the score is the submission's total, the extension lists the competencies it assesses);
    with ``xapi_detail="cells"`` one statement per learner x grade cell, as follows
    (ADL Experience API 1.0.3): actor by
    ``account`` (home page + learner id or pseudonym, never a name or e-mail), verb
    ``http://adlnet.gov/expapi/verbs/scored``, the grade cell as the activity, ``result.score``
    raw/min/max/scaled, the assignment and course in ``context.contextActivities.grouping`` and the
    mapped competencies under the extension :data:`COMPETENCY_EXTENSION`; ``timestamp`` is the
    submission time (the report time when nbgrader recorded none). Statement ids are derived
    from (learner, assignment, submission time, submission total) and the cell, so re-sending an
    unchanged report to an LRS is idempotent and a regrade produces new statements. The file is
    one JSON array written as a stream, one statement per line, never held in memory whole.
"""

from __future__ import annotations

import csv
import hashlib
import json
import json.encoder
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from bpscare.competency.frameworks import Competency, Framework

OB_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
OB_CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
XAPI_VERB_SCORED = "http://adlnet.gov/expapi/verbs/scored"
XAPI_QUESTION = "http://adlnet.gov/expapi/activities/question"
XAPI_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
XAPI_COURSE = "http://adlnet.gov/expapi/activities/course"
#: xAPI context extension holding the competencies a grade cell is evidence for.
COMPETENCY_EXTENSION = "urn:bpscare:xapi:extension:competency-alignment"
#: Namespace for deterministic credential ids.
BADGE_NAMESPACE = uuid.UUID("7d0c3f3e-6a59-5c1e-9d8e-2f3b0b8a6c41")

LMS_FIXED_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]

#: JSON string encoders exactly as ``json.dumps`` uses them for a str (C versions when built).
_encode_str: Callable[[str], str] = json.encoder.encode_basestring  # ensure_ascii=False
_encode_ascii: Callable[[str], str] = json.encoder.encode_basestring_ascii  # the default


def _num(value: float) -> str:
    """Format a number for CSV: integers without a trailing .0, others with up to 6 decimals."""
    if value != value:  # NaN
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


# -- LMS gradebook --------------------------------------------------------------------------


def write_lms_gradebook(
    path: Path,
    learners: Sequence[str],
    lms_ids: Sequence[str],
    assignments: Sequence[str],
    scores: np.ndarray,
    max_scores: np.ndarray,
) -> None:
    """Write the Canvas-convention gradebook CSV (see module docstring).

    Parameters
    ----------
    path
        Output file.
    learners
        Learner ids or pseudonyms, one per row.
    lms_ids
        The LMS user id of each learner, or "" (pseudonymised runs pass "").
    assignments
        Assignment names (column headers), in report order.
    scores
        learners x assignments points (missing submission = 0).
    max_scores
        Maximum points per assignment.
    """
    cache: dict[float, str] = {}

    def num(value: float) -> str:
        text = cache.get(value)
        if text is None:
            text = cache[value] = _num(value)
        return text

    rows = np.asarray(scores, dtype=float).tolist()
    with path.open("w", newline="", encoding="utf-8", buffering=1 << 20) as fh:
        writer = csv.writer(fh)
        writer.writerow([*LMS_FIXED_COLUMNS, *assignments])
        writer.writerow(["Points Possible", "", "", "", "", *(_num(m) for m in max_scores)])
        writer.writerows(
            [learner, lms_ids[i], learner, "", "", *map(num, rows[i])]
            for i, learner in enumerate(learners)
        )


# -- Open Badges 3.0 --------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """The Open Badges issuer profile (an id URI and a name)."""

    id: str
    name: str


def achievement(
    framework: Framework, competency: Competency, course_label: str, issuer: Issuer
) -> dict[str, Any]:
    """Return the OB 3.0 Achievement for one competency in this course (shared by all badges)."""
    scheme = framework.levels
    rd_id = f"{issuer.id}#competency-{competency.id}-level"
    attained = scheme.bands[scheme.attained_index]
    return {
        "id": f"{issuer.id}#achievement-{competency.id}",
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": f"{competency.id}: {competency.title}",
        "description": (
            f"Course-level evidence for {framework.title} - {competency.title}, from the "
            f"autograded and manually graded work of {course_label}."
        ),
        "criteria": {
            "narrative": (
                f"Reach '{attained.label}' or above on {competency.id}: at least "
                f"{scheme.min_evidence} graded cells mapped to the competency and at least "
                f"{attained.min_attainment:.0%} of their points ({scheme.name}). This is a "
                "course-level mapping, not an official decision by the framework's owner."
            )
        },
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": competency.title,
                "targetCode": competency.id,
                "targetFramework": framework.title,
                "targetType": framework.target_type,
                "targetUrl": framework.url,
                "targetDescription": f"Source: {framework.source}",
            }
        ],
        "resultDescription": [
            {
                "id": rd_id,
                "type": ["ResultDescription"],
                "name": f"{framework.id} level ({scheme.name})",
                "resultType": "RubricCriterionLevel",
                "allowedValue": [b.label for b in scheme.bands],
                "requiredLevel": f"{rd_id}-{attained.id}",
                "rubricCriterionLevel": [
                    {
                        "id": f"{rd_id}-{b.id}",
                        "type": ["RubricCriterionLevel"],
                        "name": b.label,
                        "description": b.description,
                        "level": b.label,
                    }
                    for b in scheme.bands
                ],
            }
        ],
    }


def badge_credential(
    *,
    learner: str,
    framework: Framework,
    competency: Competency,
    band_index: int,
    attainment: float,
    evidence_count: int,
    issuer: Issuer,
    course_label: str,
    valid_from: str,
    achievement_obj: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return one unsigned OB 3.0 OpenBadgeCredential for a learner and an attained competency.

    The learner is identified only by ``learner`` (an id or a pseudonym) in an IdentityObject.
    """
    ach = achievement_obj or achievement(framework, competency, course_label, issuer)
    band = framework.levels.bands[band_index]
    rd = ach["resultDescription"][0]
    cred_id = uuid.uuid5(BADGE_NAMESPACE, f"{issuer.id}|{learner}|{competency.id}|{band.id}")
    return {
        "@context": OB_CONTEXT,
        "id": f"urn:uuid:{cred_id}",
        "type": OB_CREDENTIAL_TYPE,
        "name": f"{competency.id} {band.label}: {competency.title}",
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.name},
        "validFrom": valid_from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": learner,
                    "identityType": "identifier",
                    "hashed": False,
                }
            ],
            "achievement": ach,
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": rd["id"],
                    "achievedLevel": f"{rd['id']}-{band.id}",
                    "value": f"{attainment:.3f}",
                }
            ],
            "narrative": (
                f"{evidence_count} graded cells; {attainment:.0%} of available points; "
                f"level {band.label}."
            ),
        },
    }


def credential_uuid(name: str) -> str:
    """Return ``str(uuid.uuid5(BADGE_NAMESPACE, name))``, computed without building UUID objects.

    RFC 4122 section 4.3: the first 16 bytes of SHA-1(namespace bytes + name), with the version
    nibble set to 5 and the variant bits to 10.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_NAMESPACE_BYTES = BADGE_NAMESPACE.bytes


class BadgeLineWriter:
    """Serialise the credentials of one competency as JSON lines, from one template per level.

    ``line(...)`` returns exactly ``json.dumps(badge_credential(...), ensure_ascii=False,
    separators=(",", ":"))``: the credential of each level is serialised once with marker
    strings in the four places that differ between learners (credential id, learner, result
    value, narrative), and each line joins the template's pieces with those four values, JSON
    string-encoded. If a marker cannot be found exactly once, the plain path is used.
    """

    _FIELDS = ("id", "learner", "value", "narrative")

    def __init__(
        self,
        *,
        framework: Framework,
        competency: Competency,
        issuer: Issuer,
        course_label: str,
        valid_from: str,
    ) -> None:
        self.framework = framework
        self.competency = competency
        self.issuer = issuer
        self.course_label = course_label
        self.valid_from = valid_from
        self.achievement = achievement(framework, competency, course_label, issuer)
        self._templates: dict[int, tuple[list[str], list[int]] | None] = {}

    def _credential(
        self, learner: str, band_index: int, attainment: float, evidence_count: int
    ) -> dict[str, Any]:
        return badge_credential(
            learner=learner,
            framework=self.framework,
            competency=self.competency,
            band_index=band_index,
            attainment=attainment,
            evidence_count=evidence_count,
            issuer=self.issuer,
            course_label=self.course_label,
            valid_from=self.valid_from,
            achievement_obj=self.achievement,
        )

    def _template(self, band_index: int) -> tuple[list[str], list[int]] | None:
        token = uuid.uuid4().hex
        marks = [f"@@{name}-{token}@@" for name in self._FIELDS]
        cred = self._credential(marks[1], band_index, 0.0, 0)
        cred["id"] = marks[0]
        subject = cred["credentialSubject"]
        subject["result"][0]["value"] = marks[2]
        subject["narrative"] = marks[3]
        text = json.dumps(cred, ensure_ascii=False, separators=(",", ":"))
        quoted = [f'"{m}"' for m in marks]
        if any(text.count(q) != 1 for q in quoted):
            return None
        order = sorted(range(len(quoted)), key=lambda j: text.index(quoted[j]))
        parts, pos = [], 0
        for j in order:
            at = text.index(quoted[j])
            parts.append(text[pos:at])
            pos = at + len(quoted[j])
        parts.append(text[pos:])
        return parts, order

    def line(self, learner: str, band_index: int, attainment: float, evidence_count: int) -> str:
        """Return one credential as a JSON line (without the newline)."""
        if band_index not in self._templates:
            self._templates[band_index] = self._template(band_index)
        template = self._templates[band_index]
        if template is None:
            cred = self._credential(learner, band_index, attainment, evidence_count)
            return json.dumps(cred, ensure_ascii=False, separators=(",", ":"))
        parts, order = template
        band = self.framework.levels.bands[band_index]
        name = f"{self.issuer.id}|{learner}|{self.competency.id}|{band.id}"
        values = (
            "urn:uuid:" + credential_uuid(name),
            learner,
            f"{attainment:.3f}",
            f"{evidence_count} graded cells; {attainment:.0%} of available points; "
            f"level {band.label}.",
        )
        out = [parts[0]]
        for piece, j in zip(parts[1:], order, strict=True):
            out.append(_encode_str(values[j]))
            out.append(piece)
        return "".join(out)


# -- xAPI -----------------------------------------------------------------------------------


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
            score: dict[str, float] = {"raw": x}
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
            score: dict[str, float] = {"raw": total}
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
            out = []
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
