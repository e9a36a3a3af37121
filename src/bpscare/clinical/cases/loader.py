"""Loading cases: the strict, validating loader for YAML case files and the bundled cases.

The loader is strict, because instructors write their own cases with :func:`load_case_file`:
every problem raises :class:`~bpscare.clinical.cases.yaml_reader.CaseError` naming the file, the
field path (``formulation.perpetuating.social[1]``), the bad value and what is allowed. Care-plan
ids must come from the shared vocabulary (``data/vocabulary.yaml``); interview answers must
refer to the shared question bank (``data/interview/question_bank.yaml``); the stigma review must
answer every item of ``data/stigma_checklist.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType

from bpscare.clinical.cases.interview_questions import _question_bank
from bpscare.clinical.cases.model import (
    INSURANCE_TYPES,
    SETTINGS,
    TRUST_LEVELS,
    CarePlan,
    Case,
    Demographics,
    Finding,
    HealthSystemHistory,
    History,
    Interview,
    PresentingComplaint,
    RedFlags,
    Screeners,
    StigmaReview,
)
from bpscare.clinical.cases.screener_items import item_keys, item_position
from bpscare.clinical.cases.stigma_checks import _checklist
from bpscare.clinical.cases.vocabularies import vocabulary
from bpscare.clinical.cases.yaml_reader import CaseError, _data, _read_yaml, _Reader
from bpscare.clinical.formulation import DOMAINS, FOUR_PS, Formulation

__all__ = ["case_ids", "load_case", "load_case_file", "load_cases"]

_CASE_ID = re.compile(r"^c\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_FINDING_ID = re.compile(r"^f-[a-z0-9]+(?:-[a-z0-9]+)*$")

_TOP_LEVEL = (
    "id",
    "name",
    "title",
    "summary",
    "demographics",
    "presenting_complaint",
    "history",
    "screeners",
    "red_flags",
    "health_system_history",
    "findings",
    "formulation",
    "care_plan",
    "interview",
    "stigma_review",
    "teaching_points",
    "sources",
)
_OPTIONAL_TOP_LEVEL = frozenset({"name"})


# --------------------------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------------------------


def _parse_demographics(r: _Reader, raw: object) -> Demographics:
    f = "demographics"
    data = r.mapping(raw, f)
    required = [
        "age",
        "gender",
        "pronouns",
        "race_ethnicity",
        "preferred_language",
        "interpreter_needed",
        "disability",
        "setting",
        "insurance",
        "occupation",
        "living_situation",
    ]
    r.keys(data, f, required, ["insurance_note"])
    note = data.get("insurance_note")
    return Demographics(
        age=r.integer(data["age"], f"{f}.age", 0, 120),
        gender=r.text(data["gender"], f"{f}.gender"),
        pronouns=r.text(data["pronouns"], f"{f}.pronouns"),
        race_ethnicity=r.text(data["race_ethnicity"], f"{f}.race_ethnicity"),
        preferred_language=r.text(data["preferred_language"], f"{f}.preferred_language"),
        interpreter_needed=r.boolean(data["interpreter_needed"], f"{f}.interpreter_needed"),
        disability=r.text(data["disability"], f"{f}.disability"),
        setting=r.choice(data["setting"], f"{f}.setting", SETTINGS),
        insurance=r.choice(data["insurance"], f"{f}.insurance", INSURANCE_TYPES),
        occupation=r.text(data["occupation"], f"{f}.occupation"),
        living_situation=r.text(data["living_situation"], f"{f}.living_situation"),
        insurance_note=None if note is None else r.text(note, f"{f}.insurance_note"),
    )


def _keyed_items(
    r: _Reader,
    value: object,
    field: str,
    instrument: str,
    high: int,
    *,
    nullable: str | None = None,
) -> tuple[int | None, ...]:
    """Read ``{item key: answer}`` and return the answers in the bundled form's order."""
    keys = item_keys(instrument)
    if not isinstance(value, dict):
        msg = (
            f"expected a mapping of item key to answer ({', '.join(keys)}), got "
            f"{type(value).__name__}; answers are stored by key, not position, so that the "
            "order of a form cannot shift them"
        )
        raise r.fail(msg, field)
    unknown = [str(k) for k in value if k not in keys]
    if unknown:
        msg = f"unknown item key(s) {unknown}; allowed: {', '.join(keys)}"
        raise r.fail(msg, field)
    missing = [k for k in keys if k not in value]
    if missing:
        msg = f"missing item key(s) {missing}; every item needs an answer"
        raise r.fail(msg, field)
    items: list[int | None] = [None] * len(keys)
    for key in keys:
        answer = value[key]
        if answer is None and nullable == key:
            continue
        items[item_position(instrument, key)] = r.integer(answer, f"{field}.{key}", 0, high)
    return tuple(items)


def _complete_items(r: _Reader, value: object, field: str, instrument: str) -> tuple[int, ...]:
    """Return a fully answered 0-3 item list (PHQ-9, GAD-7): case screeners are complete."""
    return tuple(v for v in _keyed_items(r, value, field, instrument, 3) if v is not None)


def _parse_screeners(r: _Reader, raw: object) -> Screeners:
    f = "screeners"
    data = r.mapping(raw, f)
    r.keys(
        data,
        f,
        ["phq9", "gad7", "phq15", "phq15_menstrual_applicable"],
        ["phq9_difficulty", "administration_notes"],
    )
    applicable = r.boolean(data["phq15_menstrual_applicable"], f"{f}.phq15_menstrual_applicable")
    phq15 = _keyed_items(
        r, data["phq15"], f"{f}.phq15", "phq15", 2, nullable=None if applicable else "menstrual"
    )
    if not applicable and phq15[item_position("phq15", "menstrual")] is not None:
        msg = (
            "item 'menstrual' (menstrual problems) must be null when "
            "phq15_menstrual_applicable is false"
        )
        raise r.fail(msg, f"{f}.phq15.menstrual")
    difficulty = data.get("phq9_difficulty")
    notes = data.get("administration_notes")
    return Screeners(
        phq9=_complete_items(r, data["phq9"], f"{f}.phq9", "phq9"),
        gad7=_complete_items(r, data["gad7"], f"{f}.gad7", "gad7"),
        phq15=phq15,
        phq15_menstrual_applicable=applicable,
        phq9_difficulty=None
        if difficulty is None
        else r.integer(difficulty, f"{f}.phq9_difficulty", 0, 3),
        administration_notes=() if notes is None else r.texts(notes, f"{f}.administration_notes"),
    )


def _parse_findings(r: _Reader, raw: object) -> tuple[Finding, ...]:
    if not isinstance(raw, list) or not raw:
        msg = f"expected a non-empty list of {{id, text}} findings, got {raw!r}"
        raise r.fail(msg, "findings")
    findings = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        field = f"findings[{i}]"
        data = r.mapping(entry, field)
        r.keys(data, field, ["id", "text"])
        fid = r.pattern(data["id"], f"{field}.id", _FINDING_ID, "f-family-history-cad")
        if fid in seen:
            msg = f"duplicate finding id {fid!r}"
            raise r.fail(msg, f"{field}.id")
        seen.add(fid)
        findings.append(Finding(fid, r.text(data["text"], f"{field}.text")))
    return tuple(findings)


def _parse_formulation(r: _Reader, raw: object, finding_ids: Sequence[str]) -> Formulation:
    data = r.mapping(raw, "formulation")
    r.keys(data, "formulation", [], FOUR_PS)
    nested: dict[str, dict[str, list[str]]] = {}
    for p, row in data.items():
        if row is None:
            continue
        row_data = r.mapping(row, f"formulation.{p}")
        r.keys(row_data, f"formulation.{p}", [], DOMAINS)
        nested[p] = {}
        for domain, ids in row_data.items():
            field = f"formulation.{p}.{domain}"
            nested[p][domain] = list(r.ids(ids, field, finding_ids))
    formulation = Formulation.from_dict(nested)
    unused = [fid for fid in finding_ids if fid not in formulation.findings()]
    if unused:
        msg = (
            f"finding(s) {unused} are not placed in any formulation cell; every finding must "
            "be used at least once"
        )
        raise r.fail(msg, "formulation")
    return formulation


def _parse_care_plan(r: _Reader, raw: object) -> CarePlan:
    f = "care_plan"
    data = r.mapping(raw, f)
    required = [
        "goals",
        "team",
        "referrals",
        "interventions",
        "medication",
        "red_flags_to_safety_net",
        "follow_up_weeks",
        "measures",
        "access_barriers",
    ]
    r.keys(data, f, required)
    return CarePlan(
        goals=r.texts(data["goals"], f"{f}.goals"),
        team=r.ids(data["team"], f"{f}.team", list(vocabulary("team_roles")), min_items=1),
        referrals=r.ids(data["referrals"], f"{f}.referrals", list(vocabulary("referrals"))),
        interventions=r.ids(
            data["interventions"],
            f"{f}.interventions",
            list(vocabulary("interventions")),
            min_items=1,
        ),
        medication=r.text(data["medication"], f"{f}.medication"),
        red_flags_to_safety_net=r.texts(
            data["red_flags_to_safety_net"], f"{f}.red_flags_to_safety_net"
        ),
        follow_up_weeks=r.integer(data["follow_up_weeks"], f"{f}.follow_up_weeks", 0, 26),
        measures=r.ids(
            data["measures"], f"{f}.measures", list(vocabulary("measures")), min_items=1
        ),
        access_barriers=r.ids(
            data["access_barriers"], f"{f}.access_barriers", list(vocabulary("access_barriers"))
        ),
    )


def _parse_interview(r: _Reader, raw: object) -> Interview:
    f = "interview"
    data = r.mapping(raw, f)
    r.keys(data, f, ["answers", "key_questions"], ["default_answer"])
    bank = [q.id for q in _question_bank()]
    answers_raw = r.mapping(data["answers"], f"{f}.answers")
    answers: dict[str, str] = {}
    for qid, text in answers_raw.items():
        field = f"{f}.answers.{qid}"
        if qid not in bank:
            msg = f"unknown question id {qid!r}; allowed: {', '.join(bank)}"
            raise r.fail(msg, field)
        answers[qid] = r.text(text, field)
    key_questions = r.ids(data["key_questions"], f"{f}.key_questions", bank, min_items=1)
    for i, qid in enumerate(key_questions):
        if qid not in answers:
            msg = f"key question {qid!r} has no answer in interview.answers"
            raise r.fail(msg, f"{f}.key_questions[{i}]")
    default = data.get("default_answer")
    return Interview(
        answers=MappingProxyType(answers),
        key_questions=key_questions,
        default_answer=None if default is None else r.text(default, f"{f}.default_answer"),
    )


def _parse_stigma_review(r: _Reader, raw: object) -> StigmaReview:
    f = "stigma_review"
    data = r.mapping(raw, f)
    r.keys(data, f, ["reviewer_note", "items"])
    checklist = [item.id for item in _checklist()]
    items_raw = r.mapping(data["items"], f"{f}.items")
    items: dict[str, str] = {}
    for key, text in items_raw.items():
        field = f"{f}.items.{key}"
        if key not in checklist:
            msg = f"unknown checklist item {key!r}; allowed: {', '.join(checklist)}"
            raise r.fail(msg, field)
        items[key] = r.text(text, field)
    missing = [item for item in checklist if item not in items]
    if missing:
        msg = f"checklist item(s) not addressed: {', '.join(missing)}"
        raise r.fail(msg, f"{f}.items")
    return StigmaReview(
        reviewer_note=r.text(data["reviewer_note"], f"{f}.reviewer_note"),
        items=MappingProxyType(items),
    )


def _parse_case(raw: object, path: str, expected_id: str | None) -> Case:
    r = _Reader(path)
    data = r.mapping(raw, "")
    r.keys(
        data,
        "",
        [k for k in _TOP_LEVEL if k not in _OPTIONAL_TOP_LEVEL],
        sorted(_OPTIONAL_TOP_LEVEL),
    )
    case_id = r.pattern(data["id"], "id", _CASE_ID, "c01-chest-tightness")
    if expected_id is not None and case_id != expected_id:
        msg = f"got {case_id!r}, but the file is named {expected_id!r}.yaml; they must match"
        raise r.fail(msg, "id")

    pc = r.mapping(data["presenting_complaint"], "presenting_complaint")
    r.keys(pc, "presenting_complaint", ["summary", "duration", "somatic_symptoms"])
    history = r.mapping(data["history"], "history")
    r.keys(history, "history", ["biological", "psychological", "social", "functional_impact"])
    flags = r.mapping(data["red_flags"], "red_flags")
    r.keys(flags, "red_flags", ["present", "absent"])
    hsh = r.mapping(data["health_system_history"], "health_system_history")
    r.keys(hsh, "health_system_history", ["trust_level", "experiences", "what_helps"])

    findings = _parse_findings(r, data["findings"])
    name = data.get("name")
    return Case(
        id=case_id,
        name=None if name is None else r.text(name, "name"),
        title=r.text(data["title"], "title"),
        summary=r.text(data["summary"], "summary"),
        demographics=_parse_demographics(r, data["demographics"]),
        presenting_complaint=PresentingComplaint(
            summary=r.text(pc["summary"], "presenting_complaint.summary"),
            duration=r.text(pc["duration"], "presenting_complaint.duration"),
            somatic_symptoms=r.texts(
                pc["somatic_symptoms"], "presenting_complaint.somatic_symptoms"
            ),
        ),
        history=History(
            biological=r.texts(history["biological"], "history.biological"),
            psychological=r.texts(history["psychological"], "history.psychological"),
            social=r.texts(history["social"], "history.social"),
            functional_impact=r.texts(history["functional_impact"], "history.functional_impact"),
        ),
        screeners=_parse_screeners(r, data["screeners"]),
        red_flags=RedFlags(
            present=r.texts(flags["present"], "red_flags.present", min_items=0),
            absent=r.texts(flags["absent"], "red_flags.absent", min_items=0),
        ),
        health_system_history=HealthSystemHistory(
            trust_level=r.choice(
                hsh["trust_level"], "health_system_history.trust_level", TRUST_LEVELS
            ),
            experiences=r.texts(hsh["experiences"], "health_system_history.experiences"),
            what_helps=r.texts(hsh["what_helps"], "health_system_history.what_helps"),
        ),
        findings=findings,
        formulation=_parse_formulation(r, data["formulation"], [f.id for f in findings]),
        care_plan=_parse_care_plan(r, data["care_plan"]),
        interview=_parse_interview(r, data["interview"]),
        stigma_review=_parse_stigma_review(r, data["stigma_review"]),
        teaching_points=r.texts(data["teaching_points"], "teaching_points"),
        sources=r.texts(data["sources"], "sources"),
        path=path,
    )


# --------------------------------------------------------------------------------------------
# Public loaders
# --------------------------------------------------------------------------------------------


def load_case_file(path: str | Path) -> Case:
    """Load and validate one case file (for instructors' own cases).

    Parameters
    ----------
    path
        A YAML file following the case schema; its stem must equal the case ``id``.

    Returns
    -------
    Case

    Raises
    ------
    CaseError
        Malformed YAML (with line and column), a missing or unknown field, a wrong type, an id
        outside the shared vocabulary or question bank, an unplaced finding, or an unanswered
        checklist item. The message names the file, the field path, the value and what is
        allowed.
    """
    source = Path(path)
    return _parse_case(_read_yaml(source), str(source), source.stem)


def _case_files() -> dict[str, Traversable]:
    folder = _data("cases")
    return {
        entry.name.removesuffix(".yaml"): entry
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(".yaml")
    }


@cache
def _all_cases() -> tuple[Case, ...]:
    cases = []
    for case_id, entry in sorted(_case_files().items()):
        cases.append(_parse_case(_read_yaml(entry), str(entry), case_id))
    return tuple(cases)


def case_ids() -> list[str]:
    """Return the ids of the bundled cases, sorted."""
    return sorted(_case_files())


def load_cases() -> list[Case]:
    """Load every bundled case (validated once, then cached), sorted by id."""
    return list(_all_cases())


def load_case(case_id: str) -> Case:
    """Load one bundled case by id.

    Parameters
    ----------
    case_id
        E.g. ``"c01-chest-tightness"``.

    Returns
    -------
    Case

    Raises
    ------
    CaseError
        If no bundled case has that id (the message lists the known ids), or the file is
        invalid.
    """
    for case in _all_cases():
        if case.id == case_id:
            return case
    msg = f"unknown case id {case_id!r}; known ids: {', '.join(case_ids())}"
    raise CaseError(msg, field="case_id")
