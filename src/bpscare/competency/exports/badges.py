"""Open Badges 3.0 (``badges.jsonl``, one credential per line).

One unsigned ``OpenBadgeCredential`` (1EdTech Open Badges 3.0, built on the W3C Verifiable
Credentials Data Model 2.0) per learner per attained competency. The achievement has
``achievementType`` "Competency", a criteria narrative, an ``alignment`` to the framework item
and a ``resultDescription`` whose rubric levels are the framework's levels; the subject's
``result.achievedLevel`` points at the level reached. The learner appears only as an
``IdentityObject`` holding the learner id or pseudonym. Sign the files with your issuer key
before handing them out; unsigned credentials do not verify.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bpscare.competency.frameworks import Competency, Framework
from bpscare.competency.report_data import ReportData

OB_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
OB_CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
#: Namespace for deterministic credential ids.
BADGE_NAMESPACE = uuid.UUID("7d0c3f3e-6a59-5c1e-9d8e-2f3b0b8a6c41")

#: JSON string encoder exactly as ``json.dumps(..., ensure_ascii=False)`` uses it for a str.
_encode_str: Callable[[str], str] = json.encoder.encode_basestring


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
        "name": f"Meeting course expectations: {competency.id} {competency.title}",
        "description": (
            f"Course competency of {course_label}, aligned to {framework.title} - "
            f"{competency.title}: graded evidence from its autograded and manually graded work. "
            "Evidence for a clinical competency committee, not a milestone rating or an "
            "entrustment decision."
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
                "name": f"Course band ({scheme.name})",
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


def write_report_badges(path: Path, data: ReportData, issuer: Issuer) -> int:
    """Write every credential as one line of ``badges.jsonl``; return how many.

    One file rather than one per credential: creating tens of thousands of small files costs
    milliseconds each on network and overlay file systems. Each line is a complete OB 3.0
    credential. :class:`BadgeLineWriter` serialises each competency and level once and fills in
    the four learner-specific values per line.
    """
    n = 0
    learners = data.learners
    with path.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        for k, comp in enumerate(data.competencies):
            if not data.frameworks[comp.framework].badges:
                continue  # no badge for an EPA: entrustment is not the course's to decide
            writer = BadgeLineWriter(
                framework=data.frameworks[comp.framework],
                competency=comp,
                issuer=issuer,
                course_label=data.course_label,
                valid_from=data.generated,
            )
            rows = np.flatnonzero(data.attained[:, k])
            bands = data.band[rows, k].tolist()
            attainment = data.attainment[rows, k].tolist()
            counts = data.evidence_count[rows, k].tolist()
            fh.writelines(
                writer.line(learners[i], b, a, c) + "\n"
                for i, b, a, c in zip(rows.tolist(), bands, attainment, counts, strict=True)
            )
            n += len(rows)
    return n
