"""Virtual patient interview: pick questions from the shared bank and the case answers.

The pure part (:func:`interview_feedback`, :func:`interview_to_answer`,
:func:`answer_to_interview`) works on question ids and the question bank, so a lesson or a
grader can call it without widgets. :class:`VirtualPatientView` is a view over it: the learner
filters the bank by domain, asks a question, reads the person's answer, watches a coverage
meter per biopsychosocial domain and gets feedback on question style; "Finish" says what was
missed.

Public style rules (usable in practice mode) come from the Calgary-Cambridge guide (Kurtz &
Silverman, Med Educ 1996;30:83-89; Silverman, Kurtz & Draper): open the interview with an open
question, screen for further problems early ("anything else?"), move from open to closed
questions and ask for the person's ideas, concerns and expectations (ICE). The red-flag rule is
the stigma checklist item ``symptoms-taken-seriously`` (Pope et al., N Engl J Med
2000;342:1163-1170); the self-harm rule is the PHQ-9 item 9 teaching rule (Simon et al.,
Psychiatr Serv 2013); the trust rule cites Perlis et al. (JAMA Netw Open 2024;7:e2424984).
The case's key questions are expert material: they stay in a private attribute and are used
only when the learner finishes, and never in practice mode.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.cases import Case, InterviewQuestion, load_case, question_bank
from bpscare.clinical.formulation import DOMAINS
from bpscare.widgets.common import SaveAnswerBar, feedback_html, labelled_html
from bpscare.widgets.page import page_support
from bpscare.widgets.practice_feedback import interview_debrief

__all__ = [
    "KIND",
    "InterviewFeedback",
    "InterviewRecord",
    "VirtualPatientView",
    "answer_to_interview",
    "interview_feedback",
    "interview_to_answer",
    "patient_answer",
    "virtual_patient",
]

KIND = "interview"
"""Answer kind saved by the view: ``{"case_id": ..., "asked": [question ids in order]}``."""

AGENDA_QUESTION = "q-what-else"
RED_FLAG_QUESTION = "q-red-flags"
SELF_HARM_QUESTION = "q-self-harm"
MOOD_QUESTIONS = frozenset({"q-mood", "q-interest"})
ICE_QUESTIONS = frozenset({"q-ideas", "q-concerns", "q-expectations"})
TRUST_QUESTIONS = frozenset({"q-past-care", "q-trust"})
_EARLY = 3  # "early in the interview": within the first three questions
_AFTER_SOME = 5  # rules that need a few questions before they apply
_AFTER_MORE = 8
_ALL_DOMAINS = "all"


@dataclass(frozen=True)
class InterviewRecord:
    """What a learner asked in one interview: the case and the question ids in order."""

    case_id: str
    asked: tuple[str, ...]


@dataclass(frozen=True)
class InterviewFeedback:
    """Coverage, style feedback and (after finishing) what was missed in an interview.

    Attributes
    ----------
    coverage
        Per domain: share of the bank's topics in that domain the learner asked about (0-1).
    topics_asked, topics_total
        Per domain: the counts behind ``coverage``.
    open_count, closed_count
        How many open and closed questions were asked.
    style_messages
        Feedback on question style (Calgary-Cambridge and the public rules in the module
        docstring), one sentence each with its source.
    style_level
        ``"success"`` when no style rule is broken, ``"warning"`` when one is, ``"info"``
        before the first question.
    missed
        Texts of the case's key questions the learner did not ask (empty when no key was
        given, e.g. in practice mode).
    key_asked, key_total
        Key questions asked and available (0 and 0 without a key).
    end_messages
        The end-of-interview summary, one sentence each.
    """

    coverage: Mapping[str, float]
    topics_asked: Mapping[str, int]
    topics_total: Mapping[str, int]
    open_count: int
    closed_count: int
    style_messages: tuple[str, ...]
    style_level: str
    missed: tuple[str, ...]
    key_asked: int
    key_total: int
    end_messages: tuple[str, ...]


def _bank_by_id(bank: Sequence[InterviewQuestion]) -> dict[str, InterviewQuestion]:
    return {q.id: q for q in bank}


def _check_asked(asked: Sequence[str], by_id: Mapping[str, InterviewQuestion]) -> tuple[str, ...]:
    if isinstance(asked, str) or not isinstance(asked, Sequence):
        msg = f"asked must be a list of question ids, got {asked!r}"
        raise ValueError(msg)
    for qid in asked:
        if qid not in by_id:
            msg = f"asked: unknown question id {qid!r}; allowed: {', '.join(by_id)}"
            raise ValueError(msg)
    return tuple(asked)


def _style_rules(asked: Sequence[str], by_id: Mapping[str, InterviewQuestion]) -> list[str]:
    """Return the style problems of an interview so far (empty when none applies)."""
    problems: list[str] = []
    styles = [by_id[q].style for q in asked]
    if styles[0] == "closed":
        problems.append(
            "You opened with a closed question. Open with an open question and let the person "
            "finish their opening statement (Calgary-Cambridge; Kurtz & Silverman 1996)."
        )
    early = styles[:_EARLY]
    if len(early) == _EARLY and early.count("closed") > early.count("open"):
        problems.append(
            "Most of your first questions were closed. Move from open to closed questions: "
            "open questions first, closed ones to check details (Calgary-Cambridge)."
        )
    if len(asked) >= _EARLY and AGENDA_QUESTION not in asked[:_EARLY]:
        problems.append(
            "Screen for further problems early ('Is there anything else?'), so the whole "
            "agenda is known; it was elicited in only 36% of recorded visits (Singh Ospina et "
            "al., J Gen Intern Med 2019)."
        )
    if len(asked) >= _AFTER_SOME and not ICE_QUESTIONS & set(asked):
        problems.append(
            "Ask for the person's own ideas, concerns and expectations (ICE) about the "
            "symptoms (Calgary-Cambridge, patient perspective)."
        )
    if len(asked) >= _AFTER_SOME and RED_FLAG_QUESTION not in asked:
        problems.append(
            "Ask about warning signs: a somatic symptom deserves a red-flag screen, and stress "
            "or mistrust is never a substitute for medical evaluation (stigma checklist "
            "'symptoms-taken-seriously'; Pope et al., N Engl J Med 2000)."
        )
    if MOOD_QUESTIONS & set(asked) and SELF_HARM_QUESTION not in asked:
        problems.append(
            "You asked about mood. When mood is low, ask directly and calmly about thoughts of "
            "being better off dead or of self-harm (PHQ-9 item 9; Simon et al., Psychiatr Serv "
            "2013)."
        )
    if len(asked) >= _AFTER_MORE and not TRUST_QUESTIONS & set(asked):
        problems.append(
            "Ask about past experiences of care and what would help the person trust the plan: "
            "trust in physicians fell from 71.5% to 40.1% between 2020 and 2024 (Perlis et al., "
            "JAMA Netw Open 2024)."
        )
    return problems


def interview_feedback(
    asked: Sequence[str],
    *,
    key_questions: Sequence[str] = (),
    finished: bool = False,
    bank: Sequence[InterviewQuestion] | None = None,
) -> InterviewFeedback:
    """Score an interview so far: domain coverage, question-style feedback and what was missed.

    Coverage per domain is the share of the bank's topics in that domain (Engel's biological,
    psychological and social domains, Science 1977;196:129-136) the learner asked about, so
    asking both PHQ-2 questions covers the topic "mood" once. The style rules are public (see
    the module docstring). What was missed needs the case's key questions (expert material)
    and is reported only when ``finished`` is true.

    Parameters
    ----------
    asked
        Question ids in the order asked (repeats are allowed and counted once for coverage).
    key_questions
        The case's key questions; empty in practice mode.
    finished
        Whether the learner ended the interview (adds ``missed`` and ``end_messages``).
    bank
        The question bank; :func:`bpscare.clinical.cases.question_bank` by default.

    Returns
    -------
    InterviewFeedback

    Raises
    ------
    ValueError
        If an id in ``asked`` or ``key_questions`` is not in the bank.

    Examples
    --------
    >>> fb = interview_feedback(["q-open-story", "q-what-else"])
    >>> fb.open_count, fb.closed_count
    (2, 0)
    """
    questions = list(bank) if bank is not None else question_bank()
    by_id = _bank_by_id(questions)
    asked_ids = _check_asked(asked, by_id)
    keys = _check_asked(key_questions, by_id)
    asked_set = set(asked_ids)

    topics_total = {d: len({q.topic for q in questions if q.domain == d}) for d in DOMAINS}
    topics_asked = {
        d: len({by_id[q].topic for q in asked_set if by_id[q].domain == d}) for d in DOMAINS
    }
    coverage = {d: topics_asked[d] / topics_total[d] if topics_total[d] else 0.0 for d in DOMAINS}
    open_count = sum(by_id[q].style == "open" for q in asked_ids)
    closed_count = len(asked_ids) - open_count

    if not asked_ids:
        style = ["Start with an open question and let the person tell their story."]
        level = "info"
    else:
        style = _style_rules(asked_ids, by_id)
        level = "warning" if style else "success"
        if not style:
            style = ["Your questions so far follow the open-to-closed, patient-centred order."]

    missed: tuple[str, ...] = ()
    key_asked = sum(k in asked_set for k in keys)
    end: list[str] = []
    if finished:
        missed = tuple(by_id[k].text for k in keys if k not in asked_set)
        end.append(
            f"You asked {len(asked_set)} different questions: {open_count} open and "
            f"{closed_count} closed."
        )
        uncovered = [d for d in DOMAINS if topics_asked[d] == 0]
        if uncovered:
            end.append(
                f"No question covered the {' or '.join(uncovered)} domain; a biopsychosocial "
                "assessment needs all three (Engel 1977)."
            )
        if keys:
            end.append(f"You asked {key_asked} of the {len(keys)} key questions for this case.")
            end.extend(f"Missed: {text}" for text in missed)
    return InterviewFeedback(
        coverage=MappingProxyType(coverage),
        topics_asked=MappingProxyType(topics_asked),
        topics_total=MappingProxyType(topics_total),
        open_count=open_count,
        closed_count=closed_count,
        style_messages=tuple(style),
        style_level=level,
        missed=missed,
        key_asked=key_asked,
        key_total=len(keys),
        end_messages=tuple(end),
    )


def patient_answer(case: Case, question_id: str) -> str:
    """Return the person's answer to a bank question, in their own voice (``Case.answer``)."""
    return case.answer(question_id)


def interview_to_answer(case_id: str, asked: Sequence[str]) -> dict[str, Any]:
    """Return the plain-JSON answer ``{"case_id": ..., "asked": [...]}`` saved by the view."""
    return {"case_id": str(case_id), "asked": [str(q) for q in asked]}


def answer_to_interview(data: Mapping[str, Any]) -> InterviewRecord:
    """Rebuild an :class:`InterviewRecord` from a saved ``interview`` answer (for graders).

    Raises
    ------
    ValueError
        If ``data`` lacks ``case_id`` or ``asked``, or ``asked`` is not a list of strings.
    """
    if not isinstance(data, Mapping) or "case_id" not in data or "asked" not in data:
        msg = f"an interview answer needs the keys 'case_id' and 'asked', got {data!r}"
        raise ValueError(msg)
    asked = data["asked"]
    if not isinstance(asked, list) or not all(isinstance(q, str) for q in asked):
        msg = f"interview answer 'asked' must be a list of question ids, got {asked!r}"
        raise ValueError(msg)
    return InterviewRecord(case_id=str(data["case_id"]), asked=tuple(asked))


def _meter(fraction: float, label: str) -> widgets.FloatProgress:
    return widgets.FloatProgress(
        value=fraction,
        min=0.0,
        max=1.0,
        description=label,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="320px"),
    )


class VirtualPatientView(widgets.VBox):
    """Interview a synthetic person: ask bank questions, read answers, see coverage and style.

    Parameters
    ----------
    case_id
        A bundled case id, e.g. ``"c01-chest-tightness"``.
    answer_name
        If given, a Save bar saves ``{"case_id", "asked"}`` as this answer (kind ``interview``).
    folder
        Where the answer file goes (the notebook's folder by default).
    practice
        Practice mode (Voila apps): feedback uses the public style rules and, at the end, a
        debrief from the public question bank (:func:`interview_debrief`).
    compare_with_expert
        Whether the end of the interview also lists the case's key questions missed. Default:
        outside practice mode only; the practice app turns it on for the teaching case alone.
    load
        Loads the case (:func:`bpscare.clinical.cases.load_case`).
    respond
        Returns the person's answer to a question (:func:`patient_answer`).
    feedback
        Scores the interview (:func:`interview_feedback`).
    bank
        The question bank (:func:`bpscare.clinical.cases.question_bank` when ``None``).
    """

    def __init__(
        self,
        case_id: str,
        *,
        answer_name: str | None = None,
        folder: Path | str | None = None,
        practice: bool = False,
        compare_with_expert: bool | None = None,
        load: Callable[[str], Case] = load_case,
        respond: Callable[[Case, str], str] = patient_answer,
        feedback: Callable[..., InterviewFeedback] = interview_feedback,
        bank: Sequence[InterviewQuestion] | None = None,
    ) -> None:
        self._case = load(case_id)
        self._case_id = case_id
        self._practice = practice
        self._respond = respond
        self._feedback = feedback
        self._bank = list(bank) if bank is not None else question_bank()
        self._by_id = _bank_by_id(self._bank)
        # Expert material: a plain attribute, never a trait; in practice mode read only when
        # asked (the practice app asks for the teaching case alone, whose key is public).
        with_expert = (not practice) if compare_with_expert is None else compare_with_expert
        self._key_questions: tuple[str, ...] = (
            tuple(self._case.interview.key_questions) if with_expert else ()
        )
        self._asked: list[str] = []
        self._finished = False

        self.intro = widgets.HTML(self._intro_html())
        self.domain = widgets.ToggleButtons(
            options=[("All", _ALL_DOMAINS)] + [(d.capitalize(), d) for d in DOMAINS],
            value=_ALL_DOMAINS,
            description="Domain",
            tooltips=["Every question"] + [f"Questions about the {d} domain" for d in DOMAINS],
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.question = widgets.Select(
            options=[],
            rows=8,
            description="Question",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="95%"),
        )
        self.ask_button = widgets.Button(
            description="Ask", icon="comment", button_style="primary", tooltip="Ask this question"
        )
        self.finish_button = widgets.Button(
            description="Finish interview",
            icon="flag-checkered",
            tooltip="End the interview and see what was missed",
        )
        self.conversation = widgets.HTML(value="")
        self.meters = {d: _meter(0.0, d.capitalize()) for d in DOMAINS}
        self.meter_labels = {d: widgets.Label(value="") for d in DOMAINS}
        self.style_feedback = widgets.HTML(value="")
        self.end_feedback = widgets.HTML(value="")

        self.domain.observe(self._refresh_questions, names="value")
        self.ask_button.on_click(self._ask)
        self.finish_button.on_click(self._finish)

        meter_rows = [widgets.HBox([self.meters[d], self.meter_labels[d]]) for d in DOMAINS]
        children: list[widgets.Widget] = [
            self.intro,
            self.domain,
            self.question,
            widgets.HBox([self.ask_button, self.finish_button]),
            labelled_html("Conversation so far"),
            self.conversation,
            labelled_html("Coverage of each domain (topics asked of topics in the bank)"),
            *meter_rows,
            self.style_feedback,
            self.end_feedback,
        ]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(answer_name, self.answer, kind=KIND, folder=folder)
            children.append(self.save_bar)
        super().__init__(page_support(self, children))
        self._refresh_questions()
        self._render()

    # Public -------------------------------------------------------------------------------
    @property
    def asked(self) -> tuple[str, ...]:
        """The question ids asked so far, in order."""
        return tuple(self._asked)

    def answer(self) -> dict[str, Any]:
        """Return the interview as the plain-JSON answer (:func:`interview_to_answer`)."""
        return interview_to_answer(self._case_id, self._asked)

    def ask(self, question_id: str) -> None:
        """Ask one bank question by id (what the Ask button does for the selected question)."""
        if self._finished:
            msg = "the interview has ended; start a new one to ask more questions"
            raise ValueError(msg)
        if question_id not in self._by_id:
            msg = f"unknown question id {question_id!r}; allowed: {', '.join(self._by_id)}"
            raise ValueError(msg)
        self._asked.append(question_id)
        self._refresh_questions()
        self._render()

    # Callbacks ----------------------------------------------------------------------------
    def _ask(self, _button: widgets.Button | None = None) -> None:
        if self._finished:
            return
        if self.question.value is None:
            self.style_feedback.value = feedback_html(
                ["Choose a question in the list first."], "info"
            )
            return
        self.ask(self.question.value)

    def _finish(self, _button: widgets.Button | None = None) -> None:
        """End the interview: no further questions, then the debrief."""
        self._finished = True
        for control in (self.domain, self.question, self.ask_button, self.finish_button):
            control.disabled = True
        self._render()

    def _refresh_questions(self, _change: object = None) -> None:
        domain = self.domain.value
        asked = set(self._asked)
        self.question.options = [
            (f"{q.text} ({q.style}, {q.topic})", q.id)
            for q in self._bank
            if q.id not in asked and (domain == _ALL_DOMAINS or q.domain == domain)
        ]

    def _render(self) -> None:
        fb = self._feedback(
            self._asked,
            key_questions=self._key_questions,
            finished=self._finished,
            bank=self._bank,
        )
        for d in DOMAINS:
            self.meters[d].value = fb.coverage[d]
            self.meter_labels[
                d
            ].value = f"{fb.topics_asked[d]} of {fb.topics_total[d]} topics ({fb.coverage[d]:.0%})"
        self.style_feedback.value = feedback_html(
            fb.style_messages, fb.style_level, "Question style"
        )
        if self._finished:
            debrief = interview_debrief(self._asked, self._bank)
            level = "warning" if fb.missed else "info"
            self.end_feedback.value = feedback_html(
                [*fb.end_messages, *debrief], level, "End of interview: debrief"
            )
        self.conversation.value = self._conversation_html()

    def _intro_html(self) -> str:
        case = self._case
        d = case.demographics
        who = case.name or "The person"
        return (
            f"<h4 style='margin:4px 0'>{html.escape(case.title)}</h4>"
            f"<p style='margin:2px 0'>{html.escape(who)}, {d.age}, {html.escape(d.pronouns)}; "
            f"prefers {html.escape(d.preferred_language)}"
            f"{' (with an interpreter)' if d.interpreter_needed else ''}.</p>"
            f"<p style='margin:2px 0'>{html.escape(case.presenting_complaint.summary)}</p>"
            "<p style='margin:2px 0'>Choose a question and press Ask. The person answers in "
            "their own words. (Synthetic case.)</p>"
        )

    def _conversation_html(self) -> str:
        if not self._asked:
            return "<p style='margin:2px 0'><em>No questions asked yet.</em></p>"
        who = html.escape(self._case.name or "Patient")
        turns = []
        for qid in self._asked:
            text = html.escape(self._by_id[qid].text)
            reply = html.escape(self._respond(self._case, qid))
            turns.append(
                f"<p style='margin:4px 0'><strong>You:</strong> {text}<br>"
                f"<strong>{who}:</strong> {reply}</p>"
            )
        return "<div style='max-height:320px;overflow-y:auto'>" + "".join(turns) + "</div>"


def virtual_patient(
    case_id: str,
    answer_name: str | None = None,
    *,
    folder: Path | str | None = None,
    practice: bool = False,
    compare_with_expert: bool | None = None,
) -> VirtualPatientView:
    """Return the virtual-patient interview for a case (one line in a lesson cell)."""
    return VirtualPatientView(
        case_id,
        answer_name=answer_name,
        folder=folder,
        practice=practice,
        compare_with_expert=compare_with_expert,
    )
