"""Question prompt list: a bank of plain-language questions and the patient's own ordered list.

:class:`QuestionList` and :data:`QUESTION_BANK`: a bank of questions patients may want to ask, by
topic, in plain language; the patient picks and orders them and prints the list. A question prompt
list given immediately before the consultation and endorsed by the clinician increases question
asking and the information given, with no consistent effect on anxiety, satisfaction, recall or
visit length (Sansoni JE, Grootemaat P, Duncan C, Patient Educ Couns 2015 - review of 42 studies,
50 interventions). A Cochrane review of interventions before consultations (Kinnersley P, et al.,
BMJ 2008 / Cochrane Database Syst Rev 2007 - 33 RCTs, 8,244 patients) found small increases in
question asking (SMD 0.27) and satisfaction (SMD 0.09) and no significant change in anxiety,
knowledge or consultation length. The seed "Trust Is a 2-Way Street: Fostering Trust in
Patient-Provider Relationships" reports that a question prompt list helped adolescents ask more
questions about managing their asthma; they were "nearly 5 points more satisfied" with the visit
and 8 times more likely to ask about asthma triggers (the seed's reference 4; its reference list
is not in the project's copy of the seed, so the primary study is unverified here).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bpscare.clinical.communication._validation import (
    _check_text,
    _choice,
    _reject_unknown,
    _texts,
)

__all__ = [
    "QPL_TOPICS",
    "QUESTION_BANK",
    "QuestionList",
    "QuestionPrompt",
    "add_question",
    "move_question",
    "question_bank",
    "question_list_feedback",
    "question_list_text",
    "remove_question",
]

#: Topics of the question bank, in the order a visit usually takes them.
QPL_TOPICS: dict[str, str] = {
    "symptoms": "Understanding my symptoms",
    "tests": "Tests and results",
    "options": "Treatment and other options",
    "daily_life": "Daily life",
    "safety": "Safety and follow-up",
    "together": "Working together",
    "practical": "Practical matters",
}


@dataclass(frozen=True)
class QuestionPrompt:
    """One question a patient may want to ask, written in plain language.

    Parameters
    ----------
    id
        Stable id, e.g. ``"qpl-cause"``.
    topic
        A key of :data:`QPL_TOPICS`.
    text
        The question in the patient's voice.
    """

    id: str
    topic: str
    text: str


def _q(id_: str, topic: str, text: str) -> QuestionPrompt:
    return QuestionPrompt(id_, topic, text)


#: The question bank, written for this project in plain language (no item is copied from a
#: published list). Sansoni et al. 2015 found lists work best when the clinician endorses them.
QUESTION_BANK: tuple[QuestionPrompt, ...] = (
    _q("qpl-cause", "symptoms", "What is most likely causing my symptoms?"),
    _q("qpl-else", "symptoms", "What else could it be, and how will we find out?"),
    _q("qpl-serious", "symptoms", "Is this something serious? How sure are you?"),
    _q("qpl-come-go", "symptoms", "Why do my symptoms come and go?"),
    _q(
        "qpl-stress-sleep",
        "symptoms",
        "Could stress, worry or poor sleep be making my symptoms worse, and what helps with that?",
    ),
    _q("qpl-test-why", "tests", "Why do I need this test, and what will it tell us?"),
    _q("qpl-test-skip", "tests", "What happens if I don't have the test?"),
    _q("qpl-results-when", "tests", "When and how will I get my results?"),
    _q(
        "qpl-results-portal",
        "tests",
        "Will my results show up in the patient portal before someone talks them through with me?",
    ),
    _q("qpl-results-who", "tests", "Who will explain my results to me?"),
    _q("qpl-options", "options", "What are my options, including waiting and watching?"),
    _q("qpl-benefits-risks", "options", "What are the benefits and the risks of each option?"),
    _q("qpl-how-likely", "options", "How likely is this to help someone like me?"),
    _q("qpl-how-long", "options", "How long before I should notice a change?"),
    _q("qpl-self-help", "options", "What can I do myself that will help?"),
    _q("qpl-side-effects", "options", "What side effects should I expect, and what do I do?"),
    _q("qpl-work-family", "daily_life", "How will this affect my work, family life or sleep?"),
    _q("qpl-keep-doing", "daily_life", "What can I keep doing, and what should I change for now?"),
    _q("qpl-what-matters", "daily_life", "How can I get back to the things that matter to me?"),
    _q("qpl-watch-for", "safety", "What should I watch for, and who do I call?"),
    _q(
        "qpl-after-hours",
        "safety",
        "What should I do if things get worse at night or at the weekend?",
    ),
    _q("qpl-check-in", "safety", "When will we check how things are going?"),
    _q("qpl-working", "safety", "How will we know if the plan is working?"),
    _q("qpl-again", "together", "Can you explain that again in a different way?"),
    _q("qpl-team", "together", "Who is on my care team, and what does each person do?"),
    _q("qpl-bring-someone", "together", "Can someone I trust join me for visits or calls?"),
    _q("qpl-interpreter", "together", "Can I have a professional interpreter for my visits?"),
    _q("qpl-reach-you", "together", "What is the best way to reach you between visits?"),
    _q(
        "qpl-past-experiences",
        "together",
        "I have had hard experiences with health care before. Can we talk about what would help "
        "me feel comfortable?",
    ),
    _q("qpl-cost", "practical", "What will this cost me, and is there help with costs?"),
    _q("qpl-remote", "practical", "Can some visits be by phone or video?"),
    _q("qpl-transport", "practical", "Is there help with getting to appointments?"),
    _q(
        "qpl-written",
        "practical",
        "Can I have written information in my language, in large print or another format?",
    ),
)

_BANK_BY_ID = {q.id: q for q in QUESTION_BANK}


def question_bank(topic: str | None = None) -> list[QuestionPrompt]:
    """Return the question bank, or the questions of one topic, in bank order.

    Parameters
    ----------
    topic
        A key of :data:`QPL_TOPICS`, or None for every question.

    Returns
    -------
    list[QuestionPrompt]
        The questions.
    """
    if topic is None:
        return list(QUESTION_BANK)
    _choice("topic", topic, QPL_TOPICS, blank=False)
    return [q for q in QUESTION_BANK if q.topic == topic]


def _clean_question(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class QuestionList:
    """A patient's own question list: questions in priority order, the first ones asked first.

    A visit rarely has time for every question, so the list marks the first ``ask_first``
    questions as the ones to ask first; the rest are asked if there is time.

    Parameters
    ----------
    questions
        Question texts (from :data:`QUESTION_BANK` or in the patient's own words) in priority
        order; blank or repeated questions are rejected.
    ask_first
        How many questions to mark "ask these first" (1-10).
    name
        Whose list, or which visit it is for (optional).
    """

    questions: tuple[str, ...] = ()
    ask_first: int = 3
    name: str = ""

    def __post_init__(self) -> None:
        items = tuple(_clean_question(q) for q in _texts("questions", self.questions))
        seen: set[str] = set()
        for i, item in enumerate(items):
            if not item:
                msg = f"questions[{i}]: a question needs text, got an empty string"
                raise ValueError(msg)
            if item.casefold() in seen:
                msg = f"questions[{i}]: {item!r} is already on the list"
                raise ValueError(msg)
            seen.add(item.casefold())
        object.__setattr__(self, "questions", items)
        value = self.ask_first
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
            msg = f"ask_first: expected an integer in 1-10, got {value!r}"
            raise ValueError(msg)
        _check_text("name", self.name)

    def to_dict(self) -> dict[str, Any]:
        """Return the list as plain JSON-able data."""
        return {"questions": list(self.questions), "ask_first": self.ask_first, "name": self.name}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionList:
        """Rebuild a list from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        data = _reject_unknown("question_list", data, ("questions", "ask_first", "name"))
        return cls(**data)


def add_question(qlist: QuestionList, question: str) -> QuestionList:
    """Return ``qlist`` with ``question`` (a bank id or the patient's own words) added last.

    Parameters
    ----------
    qlist
        The current list.
    question
        A :data:`QUESTION_BANK` id such as ``"qpl-cause"``, or a question in the patient's
        words. Adding a question already on the list returns the list unchanged.

    Returns
    -------
    QuestionList
        A new list.
    """
    text = (
        _BANK_BY_ID[question].text if question in _BANK_BY_ID else _check_text("question", question)
    )
    text = _clean_question(text)
    if not text:
        msg = "question: a question needs text, got an empty string"
        raise ValueError(msg)
    if text.casefold() in {q.casefold() for q in qlist.questions}:
        return qlist
    return replace(qlist, questions=(*qlist.questions, text))


def _index(qlist: QuestionList, index: int) -> int:
    n = len(qlist.questions)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        msg = (
            f"index: expected a position in 0-{n - 1}, got {index!r}" if n else "the list is empty"
        )
        raise ValueError(msg)
    return index


def remove_question(qlist: QuestionList, index: int) -> QuestionList:
    """Return ``qlist`` without the question at position ``index`` (0 = first)."""
    i = _index(qlist, index)
    return replace(qlist, questions=qlist.questions[:i] + qlist.questions[i + 1 :])


def move_question(qlist: QuestionList, index: int, offset: int) -> QuestionList:
    """Return ``qlist`` with the question at ``index`` moved ``offset`` places (-1 = up).

    Moves past either end stop at the end, so "move up" on the first question changes nothing.
    """
    i = _index(qlist, index)
    items = list(qlist.questions)
    j = min(max(i + int(offset), 0), len(items) - 1)
    items.insert(j, items.pop(i))
    return replace(qlist, questions=tuple(items))


def question_list_feedback(qlist: QuestionList) -> list[str]:
    """Suggest how to make a question list more useful (tips, not grades).

    Rules: an empty list asks for a first question; a list longer than ``ask_first`` reminds
    the person that the first questions are asked first; a list with no question about warning
    signs or follow-up suggests "What should I watch for, and who do I call?" (explicit
    safety-netting; seed "How chronic mistrust ... amplifies somatic distress", 2025).

    Returns
    -------
    list[str]
        Plain-language tips; empty when there is nothing to suggest.
    """
    tips: list[str] = []
    if not qlist.questions:
        return ["Choose or write at least one question you want answered at this visit."]
    if len(qlist.questions) > qlist.ask_first:
        tips.append(
            f"Visits can be short: the first {qlist.ask_first} questions are marked 'ask first'. "
            "Move the ones that matter most to the top."
        )
    safety = {q.text.casefold() for q in QUESTION_BANK if q.topic == "safety"}
    if not any(
        q.casefold() in safety or re.search(r"watch for|worse|who do i call", q, re.I)
        for q in qlist.questions
    ):
        tips.append(
            "Consider adding: 'What should I watch for, and who do I call?' - knowing the warning "
            "signs and whom to contact helps many people feel safer between visits."
        )
    return tips


def question_list_text(qlist: QuestionList, *, width: int = 78) -> str:
    """Render the list as printable plain text: "ask first" questions, then the others.

    Parameters
    ----------
    qlist
        The list.
    width
        Line width for wrapping (at least 40).

    Returns
    -------
    str
        Plain text ending with a newline, with space to write answers.
    """
    import textwrap

    if isinstance(width, bool) or not isinstance(width, int) or width < 40:
        msg = f"width: expected an integer of at least 40, got {width!r}"
        raise ValueError(msg)
    title = "My questions for this visit" + (f" - {qlist.name}" if qlist.name.strip() else "")
    lines = [title, "=" * min(len(title), width), ""]

    def block(heading: str, start: int, items: Sequence[str]) -> None:
        lines.extend([heading, ""])
        for k, q in enumerate(items, start):
            lines.extend(textwrap.wrap(q, width, initial_indent=f"{k}. ", subsequent_indent="   "))
            lines.extend(["   Answer: ______________________________", ""])

    first = qlist.questions[: qlist.ask_first]
    rest = qlist.questions[qlist.ask_first :]
    if not first:
        lines.extend(["(No questions chosen yet.)", ""])
    else:
        block("Ask these first:", 1, first)
    if rest:
        block("If there is time:", len(first) + 1, rest)
    lines.append(
        "It is fine to ask your care team to slow down, explain again, or write things down."
    )
    return "\n".join(lines) + "\n"
