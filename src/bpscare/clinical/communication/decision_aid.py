"""Trust-building communication tools: question prompt lists, preference forms and decision aids.

Three plain models that the communication widgets render (and lessons can call directly), plus a
one-at-a-time explanation of the illustrative trust-cycle model:

- **Question prompt list** (:class:`QuestionList`, :data:`QUESTION_BANK`): a bank of questions
  patients may want to ask, by topic, in plain language; the patient picks and orders them and
  prints the list. A question prompt list given immediately before the consultation and endorsed
  by the clinician increases question asking and the information given, with no consistent effect
  on anxiety, satisfaction, recall or visit length (Sansoni JE, Grootemaat P, Duncan C, Patient
  Educ Couns 2015 - review of 42 studies, 50 interventions). A Cochrane review of interventions
  before consultations (Kinnersley P, et al., BMJ 2008 / Cochrane Database Syst Rev 2007 -
  33 RCTs, 8,244 patients) found small increases in question asking (SMD 0.27) and satisfaction
  (SMD 0.09) and no significant change in anxiety, knowledge or consultation length. The seed
  "Trust Is a 2-Way Street: Fostering Trust in Patient-Provider Relationships" reports that a
  question prompt list helped adolescents ask more questions about managing their asthma; they
  were "nearly 5 points more satisfied" with the visit and 8 times more likely to ask about
  asthma triggers (the seed's reference 4; its reference list is not in the project's copy of
  the seed, so the primary study is unverified here).
- **Communication preferences** (:class:`CommunicationPreferences`): how a person likes to
  receive results and news, whom to include, language and interpreter, level of detail, how
  decisions are shared and cultural or spiritual considerations, summarised for the care team.
  The same seed reports that patients with serious illness who filled out a communication-
  preference form were more than twice as likely to discuss, and receive, care in line with their
  goals (the seed's reference 5; primary study unverified here).
- **Decision aid** (:class:`DecisionAid`, :func:`check_decision_aid`): options, benefits and
  harms as natural frequencies ("12 out of 100 people"), uncertainty and values clarification,
  checked against a few criteria inspired by the International Patient Decision Aid Standards
  (IPDAS) collaboration (Elwyn G, et al., BMJ 2006;333:417 - the IPDAS criteria framework;
  Joseph-Williams N, et al., Med Decis Making 2014;34:699-710 - minimum standards). Decision aids
  help people feel more knowledgeable, better informed and clearer about their values, take a more
  active role and perceive risk more accurately, with no adverse effect on health outcomes or
  satisfaction (Stacey D, et al., Cochrane Database Syst Rev 2017, CD001431.pub5). The seed
  reports that parents of children with head trauma who used a decision aid reported more trust
  in their doctors (the seed's reference 6; primary study unverified here).
- **Behaviour effects** (:func:`behaviour_effects`): which clinician behaviours moved the
  trajectories of the ILLUSTRATIVE, NOT VALIDATED trust-cycle model
  (:mod:`bpscare.clinical.trust_model`).

The Elwyn 2006, Joseph-Williams 2014 and Degner 1997 citations are not in the project's facts
file; check them before quoting in course text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

import pandas as pd

from bpscare.clinical import trust_model
from bpscare.clinical.trust_model import Behaviours, State

__all__ = [
    "BEHAVIOUR_LABELS",
    "CHANNELS",
    "DECISION_AID_CRITERIA",
    "DECISION_ROLES",
    "DETAIL_LEVELS",
    "HARMFUL_BEHAVIOURS",
    "HELPFUL_BEHAVIOURS",
    "QPL_TOPICS",
    "QUESTION_BANK",
    "AidFinding",
    "AidReview",
    "BehaviourEffect",
    "CommunicationPreferences",
    "DecisionAid",
    "Option",
    "Outcome",
    "QuestionList",
    "QuestionPrompt",
    "ValueStatement",
    "add_question",
    "behaviour_effects",
    "check_decision_aid",
    "check_preferences",
    "decision_aid_to_markdown",
    "describe_effects",
    "icon_array",
    "move_question",
    "natural_frequency",
    "preferences_summary",
    "preferences_to_markdown",
    "question_bank",
    "question_list_feedback",
    "question_list_text",
    "remove_question",
    "with_option",
    "with_outcome",
    "with_value",
    "without_option",
    "without_outcome",
    "without_value",
]


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        msg = f"{name}: expected text, got {value!r}"
        raise ValueError(msg)
    return value


def _texts(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = f"{name}: expected a list of text, got {value!r}"
        raise ValueError(msg)
    items = tuple(value)
    for i, item in enumerate(items):
        _check_text(f"{name}[{i}]", item)
    return items


def _choice(name: str, value: object, allowed: Mapping[str, str], *, blank: bool = True) -> str:
    if (blank and value == "") or (isinstance(value, str) and value in allowed):
        return str(value)
    extra = " or '' (not stated)" if blank else ""
    msg = f"{name}: {value!r} is not a known choice; allowed: {', '.join(allowed)}{extra}"
    raise ValueError(msg)


def _reject_unknown(name: str, data: object, allowed: Iterable[str]) -> Mapping[str, Any]:
    allowed = tuple(allowed)
    if not isinstance(data, Mapping):
        msg = f"{name}: expected an object, got {data!r}"
        raise ValueError(msg)
    for key in data:
        if key not in allowed:
            msg = f"{name}.{key}: unknown field; allowed: {', '.join(allowed)}"
            raise ValueError(msg)
    return data


# ============================================================================================
# Question prompt list
# ============================================================================================

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


# ============================================================================================
# Communication preferences
# ============================================================================================

#: How a person would like to receive results or news.
CHANNELS: dict[str, str] = {
    "in_person": "In person, at a visit",
    "phone": "By phone call",
    "video": "By video call",
    "portal_after_call": "In the patient portal, after a call or visit that explains them",
    "portal": "In the patient portal, as soon as they are ready",
    "letter": "By letter",
}

#: How much detail a person wants.
DETAIL_LEVELS: dict[str, str] = {
    "headline": "The main message first; details only if asked",
    "key_points": "The main points and what happens next",
    "full": "All the details, including numbers and test values",
}

#: Preferred role in decisions, after the Control Preferences Scale (active, collaborative,
#: passive; Degner LF, Sloan JA, Venkatesh P, Can J Nurs Res 1997;29(3):21-43).
DECISION_ROLES: dict[str, str] = {
    "active": "Prefers to make the final decision, after hearing the options",
    "shared": "Prefers to decide together with the clinician",
    "passive": "Prefers the clinician to recommend what to do",
}

_PORTAL_NOTE = (
    "Results can reach the portal before anyone has reviewed them (21st Century Cures Act "
    "information-blocking rule, in force from April 2021), so arrange the call before or as the "
    "result is released. In a 2023 multi-site survey (JAMA Netw Open) most patients preferred "
    "immediate release; the few who worried more after an abnormal result worried less when the "
    "test had been discussed beforehand."
)


@dataclass(frozen=True)
class CommunicationPreferences:
    """How a person likes their care team to communicate with them, in their own terms.

    Every field is optional so a partly completed form can be saved; :func:`check_preferences`
    lists what is still open. Seed "Trust Is a 2-Way Street": patients with serious illness who
    completed a communication-preference form were more than twice as likely to discuss and
    receive care in line with their goals.

    Parameters
    ----------
    preferred_name
        What to call the person.
    pronouns
        Their pronouns, if they want to share them.
    results_channel
        A :data:`CHANNELS` id for routine results.
    difficult_news_channel
        A :data:`CHANNELS` id for serious or unexpected news.
    people_to_include
        People to include in visits, calls or decisions (name and relationship).
    may_share_with_people
        Whether the team may share information with those people when the person is not there.
    language
        Preferred language for speaking.
    interpreter_needed
        Whether a qualified medical interpreter is needed.
    written_format
        Written materials: language, large print, easy read, audio...
    detail_level
        A :data:`DETAIL_LEVELS` id.
    decision_role
        A :data:`DECISION_ROLES` id.
    cultural_spiritual
        Cultural, religious or spiritual considerations the person wants the team to know.
    other_needs
        Anything else: hearing, vision, memory, best times to call, trauma-informed needs.
    """

    preferred_name: str = ""
    pronouns: str = ""
    results_channel: str = ""
    difficult_news_channel: str = ""
    people_to_include: tuple[str, ...] = ()
    may_share_with_people: bool = False
    language: str = ""
    interpreter_needed: bool = False
    written_format: str = ""
    detail_level: str = ""
    decision_role: str = ""
    cultural_spiritual: str = ""
    other_needs: str = ""

    def __post_init__(self) -> None:
        for name in (
            "preferred_name",
            "pronouns",
            "language",
            "written_format",
            "cultural_spiritual",
            "other_needs",
        ):
            _check_text(name, getattr(self, name))
        _choice("results_channel", self.results_channel, CHANNELS)
        _choice("difficult_news_channel", self.difficult_news_channel, CHANNELS)
        _choice("detail_level", self.detail_level, DETAIL_LEVELS)
        _choice("decision_role", self.decision_role, DECISION_ROLES)
        people = tuple(p.strip() for p in _texts("people_to_include", self.people_to_include))
        object.__setattr__(self, "people_to_include", tuple(p for p in people if p))
        for name in ("may_share_with_people", "interpreter_needed"):
            if not isinstance(getattr(self, name), bool):
                msg = f"{name}: expected true or false, got {getattr(self, name)!r}"
                raise ValueError(msg)

    def to_dict(self) -> dict[str, Any]:
        """Return the preferences as plain JSON-able data."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["people_to_include"] = list(self.people_to_include)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CommunicationPreferences:
        """Rebuild preferences from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        data = _reject_unknown("preferences", data, (f.name for f in fields(cls)))
        return cls(**data)


def check_preferences(prefs: CommunicationPreferences) -> list[str]:
    """List what is still open on a communication-preferences form, as prompts to ask.

    Returns
    -------
    list[str]
        One prompt per open item (empty when the form covers every topic).
    """
    gaps = []
    if not prefs.preferred_name.strip():
        gaps.append("Ask what name the person would like the team to use.")
    if not prefs.results_channel:
        gaps.append("Ask how they would like to receive routine results.")
    if not prefs.difficult_news_channel:
        gaps.append("Ask how they would like to hear serious or unexpected news.")
    if not prefs.language.strip():
        gaps.append("Ask which language they prefer for talking about their health.")
    if not prefs.detail_level:
        gaps.append("Ask how much detail they want.")
    if not prefs.decision_role:
        gaps.append("Ask how they like decisions to be made.")
    if prefs.may_share_with_people and not prefs.people_to_include:
        gaps.append("They agreed to share information with others: ask whom, by name.")
    return gaps


def preferences_summary(prefs: CommunicationPreferences) -> list[str]:
    """Summarise the preferences as short sentences the care team can read at a glance.

    When results go to the portal after a conversation, the summary adds a reminder that
    results may be released to the portal immediately (21st Century Cures Act, April 2021).

    Returns
    -------
    list[str]
        Sentences in a fixed order; open items say "not yet asked".
    """
    open_ = "not yet asked"
    name = prefs.preferred_name.strip()
    who = name + (f" ({prefs.pronouns.strip()})" if prefs.pronouns.strip() else "")
    lines = [f"Preferred name: {who or open_}."]
    results = CHANNELS.get(prefs.results_channel, open_)
    news = CHANNELS.get(prefs.difficult_news_channel, open_)
    lines.append(f"Routine results: {results[0].lower() + results[1:]}.")
    lines.append(f"Serious or unexpected news: {news[0].lower() + news[1:]}.")
    if "portal_after_call" in (prefs.results_channel, prefs.difficult_news_channel):
        lines.append(_PORTAL_NOTE)
    if prefs.difficult_news_channel in ("portal", "letter"):
        lines.append(
            "They chose to receive serious news in writing: confirm this when a test is ordered "
            "and offer a call as well."
        )
    language = prefs.language.strip() or open_
    interp = (
        "a qualified medical interpreter is needed for every visit and call"
        if prefs.interpreter_needed
        else "no interpreter needed"
    )
    lines.append(f"Language: {language}; {interp}.")
    if prefs.written_format.strip():
        lines.append(f"Written information: {prefs.written_format.strip()}.")
    detail = DETAIL_LEVELS.get(prefs.detail_level, open_)
    lines.append(f"Detail: {detail[0].lower() + detail[1:]}.")
    role = DECISION_ROLES.get(prefs.decision_role, open_)
    lines.append(f"Decisions: {role}.")
    if prefs.people_to_include:
        share = (
            "the team may share information with them when the person is not present"
            if prefs.may_share_with_people
            else "share information with them only when the person is present or agrees"
        )
        lines.append(f"Include: {'; '.join(prefs.people_to_include)} ({share}).")
    else:
        lines.append("Include: nobody named.")
    if prefs.cultural_spiritual.strip():
        lines.append(f"Cultural or spiritual considerations: {prefs.cultural_spiritual.strip()}.")
    if prefs.other_needs.strip():
        lines.append(f"Other needs: {prefs.other_needs.strip()}.")
    return lines


def preferences_to_markdown(prefs: CommunicationPreferences) -> str:
    """Render the summary as a short Markdown note for the record (ends with a newline)."""
    body = [f"- {line}" for line in preferences_summary(prefs)]
    return "\n".join(["# How I like to communicate", "", *body, ""])


# ============================================================================================
# Decision aid
# ============================================================================================

OutcomeKind = Literal["benefit", "harm"]
_KINDS = ("benefit", "harm")


def _per_100(value: object) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 100
    ):
        msg = f"per_100: expected a number of people out of 100 (0-100) or None, got {value!r}"
        raise ValueError(msg)
    return float(value)


@dataclass(frozen=True)
class Outcome:
    """One benefit or harm of an option, with how many people out of 100 it happens to.

    Parameters
    ----------
    description
        What happens, in plain language ("back pain improves enough to return to work").
    kind
        ``"benefit"`` or ``"harm"``.
    per_100
        How many people out of 100 it happens to (0-100, decimals allowed), or None if unknown.
    timeframe
        Over what period ("within 3 months"); compare options over the same period.
    source
        Where the number comes from (author, journal, year).
    """

    description: str
    kind: OutcomeKind
    per_100: float | None = None
    timeframe: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not _check_text("description", self.description).strip():
            msg = "description: an outcome needs a description, got an empty string"
            raise ValueError(msg)
        if self.kind not in _KINDS:
            msg = f"kind: {self.kind!r} is not known; allowed: {', '.join(_KINDS)}"
            raise ValueError(msg)
        object.__setattr__(self, "per_100", _per_100(self.per_100))
        _check_text("timeframe", self.timeframe)
        _check_text("source", self.source)

    def to_dict(self) -> dict[str, Any]:
        """Return the outcome as plain JSON-able data."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "outcome") -> Outcome:
        """Rebuild an outcome from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        data = _reject_unknown(path, data, (f.name for f in fields(cls)))
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            msg = f"{path}.{exc}"
            raise ValueError(msg) from None


@dataclass(frozen=True)
class Option:
    """One option in a decision (including, where reasonable, waiting or no treatment).

    Parameters
    ----------
    name
        A short name ("Physical therapy", "Wait and see for 6 weeks").
    description
        What the option involves for the person (visits, time, cost).
    outcomes
        Its :class:`Outcome` items, benefits and harms.
    """

    name: str
    description: str = ""
    outcomes: tuple[Outcome, ...] = ()

    def __post_init__(self) -> None:
        if not _check_text("name", self.name).strip():
            msg = "name: an option needs a name, got an empty string"
            raise ValueError(msg)
        object.__setattr__(self, "name", self.name.strip())
        _check_text("description", self.description)
        items = tuple(self.outcomes)
        for i, item in enumerate(items):
            if not isinstance(item, Outcome):
                msg = f"outcomes[{i}]: expected an Outcome, got {item!r}"
                raise ValueError(msg)
        object.__setattr__(self, "outcomes", items)

    @property
    def benefits(self) -> tuple[Outcome, ...]:
        """The outcomes of kind ``"benefit"``."""
        return tuple(o for o in self.outcomes if o.kind == "benefit")

    @property
    def harms(self) -> tuple[Outcome, ...]:
        """The outcomes of kind ``"harm"``."""
        return tuple(o for o in self.outcomes if o.kind == "harm")

    def to_dict(self) -> dict[str, Any]:
        """Return the option as plain JSON-able data."""
        return {
            "name": self.name,
            "description": self.description,
            "outcomes": [o.to_dict() for o in self.outcomes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "option") -> Option:
        """Rebuild an option from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        data = _reject_unknown(path, data, ("name", "description", "outcomes"))
        outcomes = data.get("outcomes", [])
        if isinstance(outcomes, str | Mapping) or not isinstance(outcomes, Sequence):
            msg = f"{path}.outcomes: expected a list, got {outcomes!r}"
            raise ValueError(msg)
        parsed = tuple(
            Outcome.from_dict(o, f"{path}.outcomes[{i}]") for i, o in enumerate(outcomes)
        )
        try:
            return cls(data.get("name", ""), data.get("description", ""), parsed)
        except ValueError as exc:
            msg = f"{path}.{exc}"
            raise ValueError(msg) from None


@dataclass(frozen=True)
class ValueStatement:
    """Something that matters to the person in this decision, and how much (values clarification).

    Parameters
    ----------
    statement
        In the person's words ("Being able to keep working my shifts").
    importance
        0 (does not matter to me) to 10 (matters most).
    """

    statement: str
    importance: int = 5

    def __post_init__(self) -> None:
        if not _check_text("statement", self.statement).strip():
            msg = "statement: a value statement needs text, got an empty string"
            raise ValueError(msg)
        value = self.importance
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            msg = f"importance: expected an integer in 0-10, got {value!r}"
            raise ValueError(msg)

    def to_dict(self) -> dict[str, Any]:
        """Return the statement as plain JSON-able data."""
        return {"statement": self.statement, "importance": self.importance}


@dataclass(frozen=True)
class DecisionAid:
    """A short patient decision aid: the decision, options, outcomes, uncertainty and values.

    Parameters
    ----------
    decision
        The decision, stated as a question ("Should I start physical therapy now or wait?").
    condition
        The health problem, in plain language.
    options
        The :class:`Option` items; names must differ.
    uncertainty
        What is not known, or how good the evidence is.
    values
        :class:`ValueStatement` items (what matters most to the person).
    sources
        Evidence sources, with dates.
    """

    decision: str = ""
    condition: str = ""
    options: tuple[Option, ...] = ()
    uncertainty: str = ""
    values: tuple[ValueStatement, ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("decision", "condition", "uncertainty"):
            _check_text(name, getattr(self, name))
        options = tuple(self.options)
        seen: set[str] = set()
        for i, option in enumerate(options):
            if not isinstance(option, Option):
                msg = f"options[{i}]: expected an Option, got {option!r}"
                raise ValueError(msg)
            if option.name.casefold() in seen:
                msg = (
                    f"options[{i}].name: {option.name!r} is used twice; "
                    "give each option its own name"
                )
                raise ValueError(msg)
            seen.add(option.name.casefold())
        object.__setattr__(self, "options", options)
        values = tuple(self.values)
        for i, value in enumerate(values):
            if not isinstance(value, ValueStatement):
                msg = f"values[{i}]: expected a ValueStatement, got {value!r}"
                raise ValueError(msg)
        object.__setattr__(self, "values", values)
        object.__setattr__(
            self, "sources", tuple(s.strip() for s in _texts("sources", self.sources) if s.strip())
        )

    def option(self, name: str) -> Option:
        """Return the option called ``name`` (``ValueError`` lists the known names)."""
        for option in self.options:
            if option.name == name:
                return option
        known = ", ".join(o.name for o in self.options) or "none yet"
        msg = f"option: {name!r} is not an option of this decision aid; known: {known}"
        raise ValueError(msg)

    def to_dict(self) -> dict[str, Any]:
        """Return the decision aid as plain JSON-able data."""
        return {
            "decision": self.decision,
            "condition": self.condition,
            "options": [o.to_dict() for o in self.options],
            "uncertainty": self.uncertainty,
            "values": [v.to_dict() for v in self.values],
            "sources": list(self.sources),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DecisionAid:
        """Rebuild a decision aid from :meth:`to_dict` output; ``ValueError`` names the field."""
        names = ("decision", "condition", "options", "uncertainty", "values", "sources")
        data = _reject_unknown("decision_aid", data, names)
        kwargs: dict[str, Any] = {
            k: data[k] for k in ("decision", "condition", "uncertainty") if k in data
        }
        for key in ("options", "values"):
            items = data.get(key, [])
            if isinstance(items, str | Mapping) or not isinstance(items, Sequence):
                msg = f"{key}: expected a list, got {items!r}"
                raise ValueError(msg)
        kwargs["options"] = tuple(
            Option.from_dict(o, f"options[{i}]") for i, o in enumerate(data.get("options", []))
        )
        values = []
        for i, v in enumerate(data.get("values", [])):
            v = _reject_unknown(f"values[{i}]", v, ("statement", "importance"))
            try:
                values.append(ValueStatement(**v))
            except (TypeError, ValueError) as exc:
                msg = f"values[{i}].{exc}"
                raise ValueError(msg) from None
        kwargs["values"] = tuple(values)
        kwargs["sources"] = data.get("sources", ())
        return cls(**kwargs)


def with_option(aid: DecisionAid, option: Option) -> DecisionAid:
    """Return ``aid`` with ``option`` added last (``ValueError`` if the name is taken)."""
    return replace(aid, options=(*aid.options, option))


def without_option(aid: DecisionAid, name: str) -> DecisionAid:
    """Return ``aid`` without the option called ``name``."""
    aid.option(name)
    return replace(aid, options=tuple(o for o in aid.options if o.name != name))


def with_outcome(aid: DecisionAid, option_name: str, outcome: Outcome) -> DecisionAid:
    """Return ``aid`` with ``outcome`` added to the option called ``option_name``."""
    target = aid.option(option_name)
    new = replace(target, outcomes=(*target.outcomes, outcome))
    return replace(aid, options=tuple(new if o is target else o for o in aid.options))


def without_outcome(aid: DecisionAid, option_name: str, index: int) -> DecisionAid:
    """Return ``aid`` without outcome ``index`` (0 = first) of the option ``option_name``."""
    target = aid.option(option_name)
    n = len(target.outcomes)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        msg = f"index: option {option_name!r} has outcomes 0-{n - 1}, got {index!r}"
        raise ValueError(msg)
    new = replace(target, outcomes=target.outcomes[:index] + target.outcomes[index + 1 :])
    return replace(aid, options=tuple(new if o is target else o for o in aid.options))


def with_value(aid: DecisionAid, value: ValueStatement) -> DecisionAid:
    """Return ``aid`` with a values-clarification statement added last."""
    return replace(aid, values=(*aid.values, value))


def without_value(aid: DecisionAid, index: int) -> DecisionAid:
    """Return ``aid`` without value statement ``index`` (0 = first)."""
    n = len(aid.values)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        msg = f"index: expected a value statement in 0-{n - 1}, got {index!r}"
        raise ValueError(msg)
    return replace(aid, values=aid.values[:index] + aid.values[index + 1 :])


def _count(value: float) -> str:
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def natural_frequency(per_100: float, timeframe: str = "") -> str:
    """Say a frequency as "x out of 100 people", the format people understand best.

    Whole numbers are said out of 100. A fractional number is scaled to 1,000 or 10,000 people
    so the count is whole where possible ("2.5 out of 100" -> "25 out of 1,000"), keeping every
    outcome of one aid comparable by denominator within a scale. Natural frequencies are
    recommended over percentages by the IPDAS collaboration (Elwyn et al., BMJ 2006).

    Parameters
    ----------
    per_100
        People out of 100 (0-100).
    timeframe
        Optional period, appended as given ("over 1 year").

    Returns
    -------
    str
        For example ``"12 out of 100 people over 1 year"``.

    Examples
    --------
    >>> natural_frequency(12, "over 1 year")
    '12 out of 100 people over 1 year'
    >>> natural_frequency(2.5)
    '25 out of 1,000 people'
    """
    value = _per_100(per_100)
    if value is None:
        msg = "per_100: expected a number of people out of 100 (0-100), got None"
        raise ValueError(msg)
    count, denominator = value, 100
    for scale in (1_000, 10_000):
        if math.isclose(count, round(count), abs_tol=1e-9):
            break
        count, denominator = value * scale / 100, scale
    tail = f" {timeframe.strip()}" if timeframe.strip() else ""
    return f"{_count(round(count, 1))} out of {denominator:,} people{tail}"


def icon_array(per_100: float, *, filled: str = "●", empty: str = "○") -> list[str]:
    """Draw a 10 x 10 icon array as text rows: one symbol per person out of 100.

    ``per_100`` is rounded to the nearest whole person (halves round up), so 0.4 shows no filled
    icon; say the exact figure next to the array. Icon arrays with a common denominator help
    people compare risks (IPDAS; Elwyn et al., BMJ 2006).

    Returns
    -------
    list[str]
        Ten strings of ten symbols, filled first, row by row.
    """
    value = _per_100(per_100)
    if value is None:
        msg = "per_100: expected a number of people out of 100 (0-100), got None"
        raise ValueError(msg)
    n = math.floor(value + 0.5)
    cells = filled * n + empty * (100 - n)
    return [cells[i : i + 10] for i in range(0, 100, 10)]


#: The criteria :func:`check_decision_aid` applies: id -> (what it checks, source). Inspired by
#: the IPDAS criteria framework (Elwyn et al., BMJ 2006) and its minimum standards
#: (Joseph-Williams et al., Med Decis Making 2014); this is a teaching subset, not IPDASi scoring.
DECISION_AID_CRITERIA: dict[str, tuple[str, str]] = {
    "decision_stated": ("The decision is stated explicitly.", "IPDAS minimum standards (2014)"),
    "condition_described": (
        "The health problem is described in plain language.",
        "IPDAS minimum standards (2014)",
    ),
    "options": (
        "At least two options are described, including waiting or no treatment where reasonable.",
        "IPDAS (Elwyn et al. 2006)",
    ),
    "benefits_and_harms": (
        "Every option lists at least one benefit and one harm (balanced presentation).",
        "IPDAS minimum standards (2014)",
    ),
    "frequencies": (
        "Every benefit and harm says how many people out of 100 it happens to.",
        "IPDAS (Elwyn et al. 2006): outcome probabilities",
    ),
    "timeframes": (
        "Every frequency has a time frame, so options are compared over the same period.",
        "IPDAS (Elwyn et al. 2006): same denominator and time period",
    ),
    "uncertainty": (
        "Uncertainty about the evidence or the outcomes is described.",
        "IPDAS (Elwyn et al. 2006)",
    ),
    "values": (
        "The person is helped to say what matters most to them (values clarification).",
        "IPDAS (Elwyn et al. 2006); Stacey et al., Cochrane 2017",
    ),
    "sources": (
        "Every number has a source, or the aid lists its evidence sources.",
        "IPDAS (Elwyn et al. 2006): evidence base",
    ),
}

_NO_ACTION = re.compile(
    r"\b(?:wait\w*|watch\w*|monitor\w*|no (?:treatment|test|surgery|medicine|medication)|"
    r"not (?:to )?(?:treat|test|start)|hold off|active surveillance|do nothing|usual care|"
    r"self-care)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AidFinding:
    """The result of one decision-aid criterion, with feedback a learner can act on.

    Parameters
    ----------
    criterion
        A key of :data:`DECISION_AID_CRITERIA`.
    passed
        Whether the aid meets it.
    message
        What is good, or what to add and why.
    """

    criterion: str
    passed: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as plain JSON-able data."""
        return {"criterion": self.criterion, "passed": self.passed, "message": self.message}


@dataclass(frozen=True)
class AidReview:
    """All findings for one decision aid."""

    findings: tuple[AidFinding, ...]

    @property
    def score(self) -> float:
        """Fraction of criteria met (0-1)."""
        return sum(f.passed for f in self.findings) / len(self.findings)

    @property
    def passed(self) -> bool:
        """True when every criterion is met."""
        return all(f.passed for f in self.findings)

    def feedback(self) -> list[str]:
        """Return the messages of the criteria not yet met, in criterion order."""
        return [f.message for f in self.findings if not f.passed]

    def to_dict(self) -> dict[str, Any]:
        """Return the review as plain JSON-able data."""
        return {"findings": [f.to_dict() for f in self.findings], "score": self.score}


def _names(options: Iterable[Option]) -> str:
    return ", ".join(f"'{o.name}'" for o in options)


def check_decision_aid(aid: DecisionAid) -> AidReview:
    """Check a decision aid against the teaching criteria in :data:`DECISION_AID_CRITERIA`.

    The rules: the decision and the condition are non-blank; there are at least two options and
    one of them is waiting, watching, monitoring or no treatment (detected by name or
    description - where no such option is reasonable, the message asks the author to say why);
    every option has a benefit and a harm; every outcome has a frequency out of 100; every
    frequency has a time frame; the uncertainty is described; at least one values statement is
    recorded; and every number has a source or the aid lists sources.

    Sources: IPDAS criteria framework (Elwyn G, et al., BMJ 2006;333:417) and minimum standards
    (Joseph-Williams N, et al., Med Decis Making 2014;34:699-710); effects of decision aids:
    Stacey D, et al., Cochrane Database Syst Rev 2017, CD001431.pub5.

    Parameters
    ----------
    aid
        The decision aid.

    Returns
    -------
    AidReview
        One finding per criterion, in :data:`DECISION_AID_CRITERIA` order.
    """
    if not isinstance(aid, DecisionAid):
        msg = f"aid: expected a DecisionAid, got {type(aid).__name__}"
        raise ValueError(msg)
    found: dict[str, tuple[bool, str]] = {}
    found["decision_stated"] = (
        (True, "The decision is stated.")
        if aid.decision.strip()
        else (False, "State the decision as a question the person faces, e.g. 'Should I ...?'.")
    )
    found["condition_described"] = (
        (True, "The health problem is described.")
        if aid.condition.strip()
        else (False, "Describe the health problem in plain language, as the person would.")
    )
    if len(aid.options) < 2:
        found["options"] = (
            False,
            "Describe at least two options; where reasonable, include waiting and watching or "
            "no treatment.",
        )
    elif not any(_NO_ACTION.search(f"{o.name} {o.description}") for o in aid.options):
        found["options"] = (
            False,
            "Add an option of waiting, watching or no treatment, or say in its description why "
            "it is not a reasonable choice here.",
        )
    else:
        found["options"] = (True, "The options include waiting or no treatment.")
    unbalanced = [o for o in aid.options if not o.benefits or not o.harms]
    if not aid.options:
        found["benefits_and_harms"] = (False, "Add options, each with its benefits and harms.")
    elif unbalanced:
        found["benefits_and_harms"] = (
            False,
            f"Give {_names(unbalanced)} at least one benefit and one harm, so every option is "
            "presented in a balanced way.",
        )
    else:
        found["benefits_and_harms"] = (True, "Every option lists benefits and harms.")
    outcomes = [(o, x) for o in aid.options for x in o.outcomes]
    no_number = [x.description for _, x in outcomes if x.per_100 is None]
    if not outcomes:
        found["frequencies"] = (False, "Add benefits and harms with how many out of 100.")
    elif no_number:
        found["frequencies"] = (
            False,
            "Say how many people out of 100 experience: "
            + "; ".join(no_number)
            + ". If nobody knows, say so under uncertainty.",
        )
    else:
        found["frequencies"] = (True, "Every outcome is given as x out of 100.")
    no_time = [
        x.description for _, x in outcomes if x.per_100 is not None and not x.timeframe.strip()
    ]
    if not outcomes:
        found["timeframes"] = (False, "Give each frequency a time frame (e.g. 'within 1 year').")
    elif no_time:
        found["timeframes"] = (
            False,
            "Add a time frame to: "
            + "; ".join(no_time)
            + " - compare options over the same period.",
        )
    else:
        found["timeframes"] = (True, "Every frequency has a time frame.")
    found["uncertainty"] = (
        (True, "Uncertainty is described.")
        if aid.uncertainty.strip()
        else (
            False,
            "Describe what is uncertain: how good the evidence is, or what nobody can predict "
            "for one person.",
        )
    )
    found["values"] = (
        (True, "The aid records what matters most to the person.")
        if aid.values
        else (
            False,
            "Add at least one 'what matters most to me' statement and how important it is, so "
            "the person can weigh the options against their values.",
        )
    )
    unsourced = [
        x.description for _, x in outcomes if x.per_100 is not None and not x.source.strip()
    ]
    if aid.sources or (outcomes and not unsourced and not no_number):
        found["sources"] = (True, "The evidence sources are given.")
    else:
        found["sources"] = (
            False,
            "Name the source of each number (author, journal, year) or list the evidence "
            "sources with their dates.",
        )
    return AidReview(tuple(AidFinding(k, *found[k]) for k in DECISION_AID_CRITERIA))


def _md_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "/")


def decision_aid_to_markdown(aid: DecisionAid) -> str:
    """Render a decision aid as Markdown: options with natural frequencies, uncertainty, values.

    Returns
    -------
    str
        Markdown text ending with a newline.
    """
    out = [f"# {_md_line(aid.decision) or 'Decision aid'}", ""]
    if aid.condition.strip():
        out += ["## The health problem", "", _md_line(aid.condition), ""]
    out += ["## Your options", ""]
    if not aid.options:
        out += ["_No options yet._", ""]
    for option in aid.options:
        out += [f"### {_md_line(option.name)}", ""]
        if option.description.strip():
            out += [_md_line(option.description), ""]
        if option.outcomes:
            out += ["| | What can happen | How many | Source |", "|---|---|---|---|"]
            for x in option.outcomes:
                how = (
                    natural_frequency(x.per_100, x.timeframe)
                    if x.per_100 is not None
                    else "not known"
                )
                kind = "Benefit" if x.kind == "benefit" else "Harm"
                out.append(
                    f"| {kind} | {_md_line(x.description)} | {how} | {_md_line(x.source) or '-'} |"
                )
            out.append("")
    out += ["## What is uncertain", "", _md_line(aid.uncertainty) or "_Not yet described._", ""]
    out += ["## What matters most to me", ""]
    ranked = sorted(aid.values, key=lambda v: -v.importance)
    out += [f"- {_md_line(v.statement)} (importance {v.importance}/10)" for v in ranked] or [
        "_Not yet recorded._"
    ]
    out += ["", "## Sources", ""]
    out += [f"- {_md_line(s)}" for s in aid.sources] or ["_See the source next to each number._"]
    out += [
        "",
        "---",
        "",
        "_Drafted as a learning exercise; check every number against its source before use._",
        "",
    ]
    return "\n".join(out)


# ============================================================================================
# Trust-cycle model: which behaviours moved the curves
# ============================================================================================

#: Plain-language labels for the clinician behaviours of
# :class:`bpscare.clinical.trust_model.Behaviours`.
BEHAVIOUR_LABELS: dict[str, str] = {
    "transparency": "Transparency (explains the why in plain language)",
    "validation": "Validation (acknowledges the person's experience)",
    "continuity": "Continuity (familiar clinician, coordinated team)",
    "safety_netting": "Safety-netting (red flags, monitoring, who to call)",
    "pacing": "Pacing (unhurried tests and conversations)",
    "dismissal": "Dismissal (judgment, 'it's nothing')",
    "portal_without_context": "Results in the portal before any explanation",
    "contradictory_messages": "Contradictory messages across the team",
}
#: Behaviours that help in the trust-cycle model (seed: mistrust-amplifies-somatic-distress).
HELPFUL_BEHAVIOURS: tuple[str, ...] = (
    "transparency",
    "validation",
    "continuity",
    "safety_netting",
    "pacing",
)
#: Behaviours that harm in the trust-cycle model (seeds: mistrust..., clinicians-role...).
HARMFUL_BEHAVIOURS: tuple[str, ...] = (
    "dismissal",
    "portal_without_context",
    "contradictory_messages",
)


@dataclass(frozen=True)
class BehaviourEffect:
    """How much one behaviour moved the illustrative trajectories at the last visit.

    ``trust_change`` and ``symptoms_change`` compare the run with every behaviour as set against
    the same run with only this behaviour put back to its reference value (one at a time).
    ILLUSTRATIVE, NOT VALIDATED: see :data:`bpscare.clinical.trust_model.ILLUSTRATIVE_NOTE`.
    """

    behaviour: str
    value: float
    reference: float
    trust_change: float
    arousal_change: float
    symptoms_change: float

    @property
    def size(self) -> float:
        """Total absolute movement of the three curves at the last visit (for ranking)."""
        return abs(self.trust_change) + abs(self.arousal_change) + abs(self.symptoms_change)


def behaviour_effects(
    behaviours: Behaviours,
    *,
    reference: Behaviours | None = None,
    visits: int = 12,
    initial: State | None = None,
    simulate: Callable[..., pd.DataFrame] = trust_model.simulate,
) -> list[BehaviourEffect]:
    """Attribute the change in the illustrative trust curves to each behaviour, one at a time.

    For each behaviour whose value differs from ``reference``, run the model twice - as set, and
    with only that behaviour reset to its reference value - and report the difference in trust,
    arousal and symptom burden after the last visit. One-at-a-time differences do not add up
    exactly to the total change (the model is non-linear); they say which sliders mattered most.
    The model is ILLUSTRATIVE, NOT VALIDATED
    (:data:`bpscare.clinical.trust_model.ILLUSTRATIVE_NOTE`).

    Parameters
    ----------
    behaviours
        The behaviours as set.
    reference
        What each behaviour is compared with; defaults to the "usual care" preset.
    visits
        Number of visits simulated.
    initial
        Starting state (the model's default when None).
    simulate
        The model (injected; :func:`bpscare.clinical.trust_model.simulate` by default).

    Returns
    -------
    list[BehaviourEffect]
        Behaviours that differ from the reference, largest movement first (ties in field order).
    """
    if not isinstance(behaviours, Behaviours):
        msg = f"behaviours: expected a Behaviours, got {type(behaviours).__name__}"
        raise ValueError(msg)
    ref = trust_model.scenario("usual care") if reference is None else reference
    if not isinstance(ref, Behaviours):
        msg = f"reference: expected a Behaviours, got {type(ref).__name__}"
        raise ValueError(msg)

    def last(b: Behaviours) -> tuple[float, float, float]:
        row = simulate(b, visits=visits, initial=initial).iloc[-1]
        return float(row["trust"]), float(row["arousal"]), float(row["symptoms"])

    current = last(behaviours)
    effects = []
    for f in fields(Behaviours):
        value, base = getattr(behaviours, f.name), getattr(ref, f.name)
        if math.isclose(value, base, abs_tol=1e-12):
            continue
        t, a, s = last(replace(behaviours, **{f.name: base}))
        effects.append(
            BehaviourEffect(f.name, value, base, current[0] - t, current[1] - a, current[2] - s)
        )
    effects.sort(key=lambda e: -e.size)
    return effects


def _movement(change: float, what: str) -> str:
    if abs(change) < 0.005:
        return f"hardly changed {what}"
    verb = "raised" if change > 0 else "lowered"
    return f"{verb} {what} by {abs(change):.2f}"


def describe_effects(
    effects: Sequence[BehaviourEffect], *, top: int = 3, reference_name: str = "usual care"
) -> list[str]:
    """Say in words which behaviours moved the curves most (for the trust simulator).

    Parameters
    ----------
    effects
        Output of :func:`behaviour_effects`.
    top
        How many behaviours to name (at least 1).
    reference_name
        What the reference profile is called in the text.

    Returns
    -------
    list[str]
        One sentence per behaviour, e.g. "Validation (acknowledges the person's experience) at
        0.90 (usual care: 0.30) raised trust by 0.12, lowered arousal by 0.05 and lowered
        symptom burden by 0.03 at the last visit."; or one sentence saying nothing differs.
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        msg = f"top: expected a positive integer, got {top!r}"
        raise ValueError(msg)
    if not effects:
        return [f"Every behaviour is set as in {reference_name}; move a slider to compare."]
    lines = []
    for e in effects[:top]:
        label = BEHAVIOUR_LABELS.get(e.behaviour, e.behaviour)
        lines.append(
            f"{label} at {e.value:.2f} ({reference_name}: {e.reference:.2f}) "
            f"{_movement(e.trust_change, 'trust')}, {_movement(e.arousal_change, 'arousal')} "
            f"and {_movement(e.symptoms_change, 'symptom burden')} at the last visit."
        )
    return lines
