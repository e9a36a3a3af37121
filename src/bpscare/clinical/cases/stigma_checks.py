"""The stereotype and stigma review: its checklist and the automated checks that support it.

Every case answers each item of ``data/stigma_checklist.yaml`` in its ``stigma_review``;
:func:`stigma_issues` runs the machine checks (flagged terms, red-flag screen, strengths,
interpreter, trust) on a loaded case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from bpscare.clinical.cases.yaml_reader import _data, _read_yaml, _Reader
from bpscare.clinical.formulation import DOMAINS
from bpscare.clinical.language import scan_text

if TYPE_CHECKING:
    from bpscare.clinical.cases.model import Case

__all__ = ["TEACHING_CONTEXT_FIELDS", "ChecklistItem", "stigma_checklist", "stigma_issues"]

# Fields where a flagged term may appear, but only inside quotation marks: a patient's account of
# what they were told (in their experiences of care or in their own interview answers), and the
# teaching and review notes that discuss such words.
TEACHING_CONTEXT_FIELDS = (
    "health_system_history.experiences",
    "interview.answers",
    "teaching_points",
    "stigma_review",
    "sources",
)

_CHECK_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ChecklistItem:
    """One item of the stereotype and stigma review checklist.

    Attributes
    ----------
    id
        Stable id, e.g. ``"group-not-explanation"``.
    question
        The question a reviewer answers for every case.
    why
        Why it matters, with evidence.
    source
        Citation(s).
    automated
        Which machine check in :func:`stigma_issues` supports the item, or ``None``.
    """

    id: str
    question: str
    why: str
    source: str
    automated: str | None


@cache
def _checklist() -> tuple[ChecklistItem, ...]:
    source = _data("stigma_checklist.yaml")
    reader = _Reader(str(source))
    raw = reader.mapping(_read_yaml(source), "")
    reader.keys(raw, "", ["items", "flagged_terms"])
    entries = raw["items"]
    if not isinstance(entries, list) or not entries:
        msg = "expected a non-empty list of checklist items"
        raise reader.fail(msg, "items")
    items = []
    for i, entry in enumerate(entries):
        field = f"items[{i}]"
        data = reader.mapping(entry, field)
        reader.keys(data, field, ["id", "question", "why", "source"], ["automated"])
        automated = data.get("automated")
        items.append(
            ChecklistItem(
                id=reader.pattern(data["id"], f"{field}.id", _CHECK_ID, "group-not-explanation"),
                question=reader.text(data["question"], f"{field}.question"),
                why=reader.text(data["why"], f"{field}.why"),
                source=reader.text(data["source"], f"{field}.source"),
                automated=None
                if automated is None
                else reader.text(automated, f"{field}.automated"),
            )
        )
    return tuple(items)


def stigma_checklist() -> list[ChecklistItem]:
    """Return the stereotype and stigma review checklist every case is reviewed against.

    The items put the implicit-bias recognition framework of Sukhera & Watling (Acad Med
    2018;93:35-40) into checkable questions, with evidence from Sun et al. (Health Aff 2022),
    Park et al. (JAMA Netw Open 2021) and Beach et al. (J Gen Intern Med 2021).

    Returns
    -------
    list of ChecklistItem
        In file order.
    """
    return list(_checklist())


def _in_teaching_context(field: str) -> bool:
    return any(field == f or field.startswith((f + ".", f + "[")) for f in TEACHING_CONTEXT_FIELDS)


def stigma_issues(case: Case) -> list[str]:
    """Return the problems the automated stigma checks find in a case (empty if none).

    Checks, each tied to an item of :func:`stigma_checklist`:

    * flagged terms (:func:`bpscare.clinical.language.scan_text`) anywhere, except inside quotation
      marks in a teaching-context field (:data:`TEACHING_CONTEXT_FIELDS`);
    * a red-flag screen was documented and the plan has a safety net;
    * the protective row of the expert formulation is non-empty;
    * a person who needs an interpreter has ``medical_interpreter`` on the team and
      ``language`` among the access barriers (Karliner et al., Health Serv Res 2007);
    * the plan says what rebuilds this person's trust.

    Parameters
    ----------
    case
        A loaded case.

    Returns
    -------
    list of str
        One sentence per problem, naming the field.
    """
    issues = []
    for field, text in case.text_fields():
        for hit in scan_text(text):
            if hit.quoted and _in_teaching_context(field):
                continue
            where = "outside quotation marks" if _in_teaching_context(field) else "in case text"
            issues.append(
                f"{field}: flagged term {hit.matched!r} {where}; consider: {hit.alternative}"
            )
    if not case.red_flags.present and not case.red_flags.absent:
        issues.append("red_flags: no red-flag screen documented (symptoms-taken-seriously)")
    if not any(case.formulation.cell("protective", d) for d in DOMAINS):
        issues.append("formulation.protective: no strengths placed (strengths-present)")
    if case.demographics.interpreter_needed:
        if "medical_interpreter" not in case.care_plan.team:
            issues.append("care_plan.team: interpreter needed but no medical_interpreter")
        if "language" not in case.care_plan.access_barriers:
            issues.append("care_plan.access_barriers: interpreter needed but 'language' missing")
    if not case.health_system_history.what_helps:
        issues.append("health_system_history.what_helps: empty (trust-experience-validated)")
    return issues
