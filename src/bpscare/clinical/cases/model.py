"""The case data model: a synthetic person's story plus the expert material, as dataclasses.

A :class:`Case` mirrors the YAML schema of ``data/cases/<id>.yaml``: the learner-facing story
(demographics, history, screener answers, red flags, experiences of care, interview answers) and
the expert material (the 4P x BPS formulation, the integrated care plan, teaching points and the
stigma review). Lists become tuples and mappings are read-only. :meth:`Case.to_public_dict`
strips the expert material for learners.

Clinical anchors: Engel's biopsychosocial model (Science 1977;196:129-136); the 4P grid (Bolton,
Philos Psychiatr Psychol 2014;21:179-189); screeners scored by
:func:`bpscare.clinical.instruments.score`
(PHQ-9: Kroenke et al., J Gen Intern Med 2001; GAD-7: Spitzer et al., Arch Intern Med 2006;
PHQ-15: Kroenke et al., Psychosom Med 2002).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpscare.clinical.cases.interview_questions import _question_bank
from bpscare.clinical.cases.screener_items import item_keys
from bpscare.clinical.cases.yaml_reader import _join
from bpscare.clinical.formulation import Formulation

if TYPE_CHECKING:
    from bpscare.clinical.instruments import Score

__all__ = [
    "FALLBACK_ANSWER",
    "INSURANCE_TYPES",
    "SETTINGS",
    "TRUST_LEVELS",
    "CarePlan",
    "Case",
    "Demographics",
    "Finding",
    "HealthSystemHistory",
    "History",
    "Interview",
    "PresentingComplaint",
    "RedFlags",
    "Screeners",
    "StigmaReview",
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

FALLBACK_ANSWER = "I'm not sure how to answer that. Could you ask me in a different way?"

_EXPERT_FIELDS = ("formulation", "care_plan", "teaching_points", "stigma_review")


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
    """Screener answers in the bundled form's item order (score with Case.screener_scores).

    Case files store answers by item key (:mod:`~bpscare.clinical.cases.screener_items`); the
    loader places each at its position on the bundled form, so these tuples always match the
    form a widget shows. The PHQ-15 menstrual item is ``None`` when it does not apply to the
    person, and then ``phq15_menstrual_applicable`` is ``False`` (Kroenke et al., Psychosom Med
    2002). ``administration_notes`` record how a form was given (e.g. an item's wording).
    """

    phq9: tuple[int, ...]
    gad7: tuple[int, ...]
    phq15: tuple[int | None, ...]
    phq15_menstrual_applicable: bool
    phq9_difficulty: int | None = None
    administration_notes: tuple[str, ...] = ()

    def by_key(self, instrument: str) -> dict[str, int | None]:
        """Return ``{item key: answer}`` for ``"phq9"``, ``"gad7"`` or ``"phq15"``."""
        answers: tuple[int | None, ...] = getattr(self, instrument)
        return dict(zip(item_keys(instrument), answers, strict=True))


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
        "phq9": s.by_key("phq9"),
        "gad7": s.by_key("gad7"),
        "phq15": s.by_key("phq15"),
        "phq15_menstrual_applicable": s.phq15_menstrual_applicable,
    }
    if s.phq9_difficulty is not None:
        screeners["phq9_difficulty"] = s.phq9_difficulty
    if s.administration_notes:
        screeners["administration_notes"] = list(s.administration_notes)
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
