"""Synthetic patient cases: the schema, a validating loader, and the stigma review checks.

Each case is one YAML file in ``data/cases/`` (file name ``<id>.yaml``) describing a person with
a somatic complaint in whom stress and mistrust of health care amplify distress. A case holds
the learner-facing story (demographics, history, screener answers, red flags, experiences of
care, interview answers) and the expert material (the 4P x BPS formulation, the integrated care
plan, teaching points). :meth:`Case.to_public_dict` strips the expert material for learners.

The loader is strict, because instructors write their own cases with
:func:`load_case_file`: every problem raises :class:`CaseError` naming the file, the field path
(``formulation.perpetuating.social[1]``), the bad value and what is allowed. Care-plan ids must
come from the shared vocabulary (``data/vocabulary.yaml``); interview answers must refer to the
shared question bank (``data/interview/question_bank.yaml``); the stigma review must answer
every item of ``data/stigma_checklist.yaml``.

Clinical anchors: Engel's biopsychosocial model (Science 1977;196:129-136); the 4P grid (Bolton,
Philos Psychiatr Psychol 2014;21:179-189); screeners scored by
:func:`bpscare.clinical.instruments.score`
(PHQ-9: Kroenke et al., J Gen Intern Med 2001; GAD-7: Spitzer et al., Arch Intern Med 2006;
PHQ-15: Kroenke et al., Psychosom Med 2002).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from bpscare.clinical.formulation import DOMAINS, FOUR_PS, Formulation
from bpscare.clinical.language import FlaggedTerm, TermHit, flagged_terms, scan_text
from bpscare.errors import BpscareError

if TYPE_CHECKING:
    from bpscare.clinical.instruments import Score

__all__ = [
    "FALLBACK_ANSWER",
    "INSURANCE_TYPES",
    "SETTINGS",
    "TEACHING_CONTEXT_FIELDS",
    "TRUST_LEVELS",
    "CarePlan",
    "Case",
    "CaseError",
    "ChecklistItem",
    "Demographics",
    "Finding",
    "FlaggedTerm",
    "HealthSystemHistory",
    "History",
    "InterviewQuestion",
    "PresentingComplaint",
    "RedFlags",
    "Screeners",
    "StigmaReview",
    "TermHit",
    "case_ids",
    "flagged_terms",
    "load_case",
    "load_case_file",
    "load_cases",
    "question_bank",
    "scan_text",
    "stigma_checklist",
    "stigma_issues",
    "vocabulary",
]

SETTINGS = ("rural", "urban", "suburban")
TRUST_LEVELS = ("low", "mixed", "high")
INSURANCE_TYPES = (
    "private",
    "Medicaid",
    "Medicare",
    "Medicare and Medicaid",
    "Marketplace",
    "uninsured",
    "VA health care",
    "Indian Health Service",
    "TRICARE",
    "other",
)
QUESTION_STYLES = ("open", "closed")

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

FALLBACK_ANSWER = "I'm not sure how to answer that. Could you ask me in a different way?"

_CASE_ID = re.compile(r"^c\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_FINDING_ID = re.compile(r"^f-[a-z0-9]+(?:-[a-z0-9]+)*$")
_QUESTION_ID = re.compile(r"^q-[a-z0-9]+(?:-[a-z0-9]+)*$")
_CHECK_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

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
_EXPERT_FIELDS = ("formulation", "care_plan", "teaching_points", "stigma_review")


class CaseError(BpscareError):
    """A case file (or the question bank or checklist) that does not follow the schema.

    The message names the file, the field path, the bad value and what is allowed, e.g.
    ``c01-x.yaml: care_plan.team[2]: unknown id 'therapist'; allowed: ...``.

    Attributes
    ----------
    path
        The file at fault (``None`` for a case id lookup).
    field
        The dotted field path, e.g. ``"formulation.perpetuating.social[1]"``.
    """

    def __init__(self, message: str, *, path: Path | str | None = None, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message, path=path)
        self.field = field


# --------------------------------------------------------------------------------------------
# Shared data files
# --------------------------------------------------------------------------------------------


def _data(*parts: str) -> Traversable:
    return resources.files("bpscare").joinpath("data", *parts)


def _read_yaml(source: Traversable | Path) -> Any:
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        msg = "file not found"
        raise CaseError(msg, path=str(source)) from error
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        msg = f"malformed YAML at {where}: {problem}"
        raise CaseError(msg, path=str(source)) from error


@cache
def _vocabulary() -> Mapping[str, Mapping[str, str]]:
    source = _data("vocabulary.yaml")
    raw = _read_yaml(source)
    if not isinstance(raw, dict):
        msg = f"expected a mapping of vocabulary names to ids, got {type(raw).__name__}"
        raise CaseError(msg, path=str(source))
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in raw.items()})


def vocabulary(name: str) -> Mapping[str, str]:
    """Return one shared controlled vocabulary (``{id: label}``) from ``data/vocabulary.yaml``.

    Parameters
    ----------
    name
        ``"team_roles"``, ``"interventions"``, ``"referrals"``, ``"access_barriers"``,
        ``"measures"`` or ``"utterance_codes"``.

    Returns
    -------
    Mapping
        Read-only ``{id: label}``.

    Raises
    ------
    ValueError
        For an unknown vocabulary name (the message lists the known ones).
    """
    vocab = _vocabulary()
    if name not in vocab:
        msg = f"unknown vocabulary {name!r}; known: {', '.join(sorted(vocab))}"
        raise ValueError(msg)
    return vocab[name]


@dataclass(frozen=True)
class InterviewQuestion:
    """One question of the shared interview bank used by the virtual-patient widget.

    Attributes
    ----------
    id
        Stable id, e.g. ``"q-open-story"``.
    text
        What the learner asks.
    domain
        The biopsychosocial domain the answer chiefly informs.
    style
        ``"open"`` or ``"closed"``.
    topic
        Short topic label, e.g. ``"sleep"``.
    framework
        The communication framework it comes from (Calgary-Cambridge, ICE, FIFE, BATHE), or
        ``None``.
    """

    id: str
    text: str
    domain: str
    style: str
    topic: str
    framework: str | None


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


class _Reader:
    """Path-aware accessors that raise CaseError naming file, field, value and allowed values."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, message: str, field: str) -> CaseError:
        return CaseError(message, path=self.path, field=field)

    def mapping(self, value: object, field: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            msg = f"expected a mapping, got {type(value).__name__} {value!r}"
            raise self.fail(msg, field)
        return value

    def keys(
        self,
        data: Mapping[str, Any],
        field: str,
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> None:
        allowed = [*required, *optional]
        for key in data:
            if key not in allowed:
                msg = f"unknown field {key!r}; allowed: {', '.join(allowed)}"
                raise self.fail(msg, _join(field, str(key)))
        for key in required:
            if key not in data:
                msg = f"missing required field {key!r}"
                raise self.fail(msg, _join(field, key))

    def text(self, value: object, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            msg = f"expected non-empty text, got {value!r}"
            raise self.fail(msg, field)
        return " ".join(value.split())

    def integer(self, value: object, field: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            msg = f"expected a whole number from {low} to {high}, got {value!r}"
            raise self.fail(msg, field)
        return value

    def boolean(self, value: object, field: str) -> bool:
        if not isinstance(value, bool):
            msg = f"expected true or false, got {value!r}"
            raise self.fail(msg, field)
        return value

    def choice(self, value: object, field: str, allowed: Sequence[str]) -> str:
        if value not in allowed:
            msg = f"got {value!r}; allowed: {', '.join(allowed)}"
            raise self.fail(msg, field)
        return str(value)

    def texts(self, value: object, field: str, *, min_items: int = 1) -> tuple[str, ...]:
        if value is None and min_items == 0:
            return ()
        if not isinstance(value, list):
            msg = f"expected a list of text, got {type(value).__name__} {value!r}"
            raise self.fail(msg, field)
        if len(value) < min_items:
            msg = f"expected at least {min_items} item(s), got {len(value)}"
            raise self.fail(msg, field)
        return tuple(self.text(item, f"{field}[{i}]") for i, item in enumerate(value))

    def ids(
        self, value: object, field: str, allowed: Sequence[str], *, min_items: int = 0
    ) -> tuple[str, ...]:
        if value is None and min_items == 0:
            return ()
        if not isinstance(value, list):
            msg = f"expected a list of ids, got {type(value).__name__} {value!r}"
            raise self.fail(msg, field)
        if len(value) < min_items:
            msg = f"expected at least {min_items} id(s), got {len(value)}"
            raise self.fail(msg, field)
        for i, item in enumerate(value):
            if item not in allowed:
                msg = f"unknown id {item!r}; allowed: {', '.join(allowed)}"
                raise self.fail(msg, f"{field}[{i}]")
        if len(set(value)) != len(value):
            duplicates = sorted({v for v in value if value.count(v) > 1})
            msg = f"duplicate id(s) {duplicates}"
            raise self.fail(msg, field)
        return tuple(value)

    def pattern(self, value: object, field: str, regex: re.Pattern[str], example: str) -> str:
        if not isinstance(value, str) or not regex.match(value):
            msg = f"got {value!r}; expected an id like {example!r} (lowercase, hyphens)"
            raise self.fail(msg, field)
        return value


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


@cache
def _question_bank() -> tuple[InterviewQuestion, ...]:
    source = _data("interview", "question_bank.yaml")
    reader = _Reader(str(source))
    raw = reader.mapping(_read_yaml(source), "")
    reader.keys(raw, "", ["questions"])
    entries = raw["questions"]
    if not isinstance(entries, list) or not entries:
        msg = "expected a non-empty list of questions"
        raise reader.fail(msg, "questions")
    questions = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        field = f"questions[{i}]"
        data = reader.mapping(entry, field)
        reader.keys(data, field, ["id", "text", "domain", "style", "topic"], ["framework"])
        qid = reader.pattern(data["id"], f"{field}.id", _QUESTION_ID, "q-open-story")
        if qid in seen:
            msg = f"duplicate question id {qid!r}"
            raise reader.fail(msg, f"{field}.id")
        seen.add(qid)
        framework = data.get("framework")
        questions.append(
            InterviewQuestion(
                id=qid,
                text=reader.text(data["text"], f"{field}.text"),
                domain=reader.choice(data["domain"], f"{field}.domain", DOMAINS),
                style=reader.choice(data["style"], f"{field}.style", QUESTION_STYLES),
                topic=reader.text(data["topic"], f"{field}.topic"),
                framework=None
                if framework is None
                else reader.text(framework, f"{field}.framework"),
            )
        )
    return tuple(questions)


def question_bank() -> list[InterviewQuestion]:
    """Return the shared interview question bank, in file order.

    Returns
    -------
    list of InterviewQuestion
        30-45 questions covering the presenting story, agenda setting, biological,
        psychological and social history, ICE/FIFE and BATHE (facts sheet §2.3-2.4).
    """
    return list(_question_bank())


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


# --------------------------------------------------------------------------------------------
# The case dataclasses
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demographics:
    """Who the person is, in their own terms (all self-described, all synthetic)."""

    age: int
    gender: str
    pronouns: str
    race_ethnicity: str
    preferred_language: str
    interpreter_needed: bool
    disability: str
    setting: str
    insurance: str
    occupation: str
    living_situation: str
    insurance_note: str | None = None


@dataclass(frozen=True)
class PresentingComplaint:
    """The somatic complaint that brings the person in."""

    summary: str
    duration: str
    somatic_symptoms: tuple[str, ...]


@dataclass(frozen=True)
class History:
    """History by biopsychosocial domain, plus its impact on daily function."""

    biological: tuple[str, ...]
    psychological: tuple[str, ...]
    social: tuple[str, ...]
    functional_impact: tuple[str, ...]


@dataclass(frozen=True)
class Screeners:
    """Raw screener item responses in official item order (score with Case.screener_scores).

    ``phq15[3]`` (item 4, menstrual problems) is ``None`` when it does not apply to the person,
    and then ``phq15_menstrual_applicable`` is ``False`` (Kroenke et al., Psychosom Med 2002).
    """

    phq9: tuple[int, ...]
    gad7: tuple[int, ...]
    phq15: tuple[int | None, ...]
    phq15_menstrual_applicable: bool
    phq9_difficulty: int | None = None


@dataclass(frozen=True)
class RedFlags:
    """Warning signs asked about: those found (``present``) and those not found (``absent``)."""

    present: tuple[str, ...]
    absent: tuple[str, ...]


@dataclass(frozen=True)
class HealthSystemHistory:
    """The person's experience of health care, which shapes their trust."""

    trust_level: str
    experiences: tuple[str, ...]
    what_helps: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """One atom of the formulation: an id the grid uses and the text the learner sees."""

    id: str
    text: str


@dataclass(frozen=True)
class CarePlan:
    """The expert integrated care plan; ids come from the shared vocabulary."""

    goals: tuple[str, ...]
    team: tuple[str, ...]
    referrals: tuple[str, ...]
    interventions: tuple[str, ...]
    medication: str
    red_flags_to_safety_net: tuple[str, ...]
    follow_up_weeks: int
    measures: tuple[str, ...]
    access_barriers: tuple[str, ...]


@dataclass(frozen=True)
class Interview:
    """The person's answers to the shared question bank, and the questions a learner must ask."""

    answers: Mapping[str, str]
    key_questions: tuple[str, ...]
    default_answer: str | None = None


@dataclass(frozen=True)
class StigmaReview:
    """How the case meets each item of the stigma review checklist."""

    reviewer_note: str
    items: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class Case:
    """A synthetic patient case: the learner-facing story plus the expert material.

    Build one with :func:`load_case` or :func:`load_case_file`, never by hand: the loader
    validates every cross-reference. Attributes mirror the YAML schema (see the module
    docstring); lists become tuples and mappings are read-only.
    """

    id: str
    name: str | None
    title: str
    summary: str
    demographics: Demographics
    presenting_complaint: PresentingComplaint
    history: History
    screeners: Screeners
    red_flags: RedFlags
    health_system_history: HealthSystemHistory
    findings: tuple[Finding, ...]
    formulation: Formulation
    care_plan: CarePlan
    interview: Interview
    stigma_review: StigmaReview
    teaching_points: tuple[str, ...]
    sources: tuple[str, ...]
    path: str | None = None

    def __repr__(self) -> str:
        return f"Case({self.id!r})"

    def findings_by_id(self) -> dict[str, str]:
        """Return ``{finding id: text}``, for the messages of :func:`~.formulation.compare`."""
        return {f.id: f.text for f in self.findings}

    def expert_formulation(self) -> Formulation:
        """Return the expert 4P x BPS grid (instructor material; not in the public dict)."""
        return self.formulation

    def answer(self, question_id: str) -> str:
        """Return the person's answer to a bank question, in their own voice.

        Falls back to the case's ``default_answer``, then to :data:`FALLBACK_ANSWER`.

        Raises
        ------
        ValueError
            If ``question_id`` is not in the question bank (the message lists close ids).
        """
        known = [q.id for q in _question_bank()]
        if question_id not in known:
            msg = f"unknown question id {question_id!r}; known ids: {', '.join(known)}"
            raise ValueError(msg)
        if question_id in self.interview.answers:
            return self.interview.answers[question_id]
        return self.interview.default_answer or FALLBACK_ANSWER

    def screener_scores(self) -> dict[str, Score]:
        """Score the case's screeners with :func:`bpscare.clinical.instruments.score`.

        Returns
        -------
        dict
            ``{"phq9": Score, "gad7": Score, "phq15": Score}``.
        """
        from bpscare.clinical.instruments import score  # imported here: instruments may be mid-edit

        phq9_options: dict[str, object] = {}
        if self.screeners.phq9_difficulty is not None:
            phq9_options["difficulty"] = self.screeners.phq9_difficulty
        return {
            "phq9": score("phq9", list(self.screeners.phq9), **phq9_options),
            "gad7": score("gad7", list(self.screeners.gad7)),
            "phq15": score(
                "phq15",
                list(self.screeners.phq15),
                menstrual_applicable=self.screeners.phq15_menstrual_applicable,
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the whole case as plain data in the YAML schema's shape (instructor view)."""
        return _case_to_dict(self)

    def to_public_dict(self) -> dict[str, Any]:
        """Return the case for learners: no formulation, care plan, key questions or teaching.

        Removed: ``formulation``, ``care_plan``, ``interview.key_questions``,
        ``teaching_points`` and ``stigma_review`` (the reviewer's notes discuss the teaching
        points). The findings stay, because learners sort them into the grid; their order is
        the file order, which carries no hint of the cells.
        """
        data = self.to_dict()
        for key in _EXPERT_FIELDS:
            data.pop(key, None)
        data["interview"].pop("key_questions", None)
        data.pop("path", None)
        return data

    def text_fields(self) -> Iterator[tuple[str, str]]:
        """Yield ``(field path, text)`` for every piece of text in the case (for reviews)."""
        yield from _walk_text(self.to_dict(), "")


def _walk_text(value: object, field: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key in {"id", "path"}:
                continue
            yield from _walk_text(item, _join(field, str(key)))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk_text(item, f"{field}[{i}]")


def _case_to_dict(case: Case) -> dict[str, Any]:
    d = case.demographics
    demographics: dict[str, Any] = {
        "age": d.age,
        "gender": d.gender,
        "pronouns": d.pronouns,
        "race_ethnicity": d.race_ethnicity,
        "preferred_language": d.preferred_language,
        "interpreter_needed": d.interpreter_needed,
        "disability": d.disability,
        "setting": d.setting,
        "insurance": d.insurance,
        "occupation": d.occupation,
        "living_situation": d.living_situation,
    }
    if d.insurance_note is not None:
        demographics["insurance_note"] = d.insurance_note
    s = case.screeners
    screeners: dict[str, Any] = {
        "phq9": list(s.phq9),
        "gad7": list(s.gad7),
        "phq15": list(s.phq15),
        "phq15_menstrual_applicable": s.phq15_menstrual_applicable,
    }
    if s.phq9_difficulty is not None:
        screeners["phq9_difficulty"] = s.phq9_difficulty
    cp = case.care_plan
    interview: dict[str, Any] = {
        "answers": dict(case.interview.answers),
        "key_questions": list(case.interview.key_questions),
    }
    if case.interview.default_answer is not None:
        interview["default_answer"] = case.interview.default_answer
    data: dict[str, Any] = {
        "id": case.id,
        "name": case.name,
        "title": case.title,
        "summary": case.summary,
        "demographics": demographics,
        "presenting_complaint": {
            "summary": case.presenting_complaint.summary,
            "duration": case.presenting_complaint.duration,
            "somatic_symptoms": list(case.presenting_complaint.somatic_symptoms),
        },
        "history": {
            "biological": list(case.history.biological),
            "psychological": list(case.history.psychological),
            "social": list(case.history.social),
            "functional_impact": list(case.history.functional_impact),
        },
        "screeners": screeners,
        "red_flags": {
            "present": list(case.red_flags.present),
            "absent": list(case.red_flags.absent),
        },
        "health_system_history": {
            "trust_level": case.health_system_history.trust_level,
            "experiences": list(case.health_system_history.experiences),
            "what_helps": list(case.health_system_history.what_helps),
        },
        "findings": [{"id": f.id, "text": f.text} for f in case.findings],
        "formulation": case.formulation.to_dict(),
        "care_plan": {
            "goals": list(cp.goals),
            "team": list(cp.team),
            "referrals": list(cp.referrals),
            "interventions": list(cp.interventions),
            "medication": cp.medication,
            "red_flags_to_safety_net": list(cp.red_flags_to_safety_net),
            "follow_up_weeks": cp.follow_up_weeks,
            "measures": list(cp.measures),
            "access_barriers": list(cp.access_barriers),
        },
        "interview": interview,
        "stigma_review": {
            "reviewer_note": case.stigma_review.reviewer_note,
            "items": dict(case.stigma_review.items),
        },
        "teaching_points": list(case.teaching_points),
        "sources": list(case.sources),
    }
    if case.name is None:
        data.pop("name")
    return data


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


def _item_list(
    r: _Reader, value: object, field: str, n_items: int, high: int, *, nullable: int | None = None
) -> tuple[int | None, ...]:
    if not isinstance(value, list) or len(value) != n_items:
        got = len(value) if isinstance(value, list) else type(value).__name__
        msg = f"expected a list of {n_items} item responses in official order, got {got}"
        raise r.fail(msg, field)
    items: list[int | None] = []
    for i, item in enumerate(value):
        if item is None and nullable == i:
            items.append(None)
            continue
        items.append(r.integer(item, f"{field}[{i}]", 0, high))
    return tuple(items)


def _complete_items(r: _Reader, value: object, field: str, n_items: int) -> tuple[int, ...]:
    """Return a fully answered 0-3 item list (PHQ-9, GAD-7): case screeners are complete."""
    return tuple(v for v in _item_list(r, value, field, n_items, 3) if v is not None)


def _parse_screeners(r: _Reader, raw: object) -> Screeners:
    f = "screeners"
    data = r.mapping(raw, f)
    r.keys(data, f, ["phq9", "gad7", "phq15", "phq15_menstrual_applicable"], ["phq9_difficulty"])
    applicable = r.boolean(data["phq15_menstrual_applicable"], f"{f}.phq15_menstrual_applicable")
    phq15 = _item_list(r, data["phq15"], f"{f}.phq15", 15, 2, nullable=None if applicable else 3)
    if not applicable and phq15[3] is not None:
        msg = (
            f"item 4 (menstrual problems) must be null when phq15_menstrual_applicable is "
            f"false, got {phq15[3]!r}"
        )
        raise r.fail(msg, f"{f}.phq15[3]")
    difficulty = data.get("phq9_difficulty")
    return Screeners(
        phq9=_complete_items(r, data["phq9"], f"{f}.phq9", 9),
        gad7=_complete_items(r, data["gad7"], f"{f}.gad7", 7),
        phq15=phq15,
        phq15_menstrual_applicable=applicable,
        phq9_difficulty=None
        if difficulty is None
        else r.integer(difficulty, f"{f}.phq9_difficulty", 0, 3),
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


# --------------------------------------------------------------------------------------------
# Automated support for the stigma review
# --------------------------------------------------------------------------------------------


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
