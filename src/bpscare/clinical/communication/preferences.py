"""Communication preferences: how a person likes to hear results and news, as a form and summary.

:class:`CommunicationPreferences`: how a person likes to receive results and news, whom to
include, language and interpreter, level of detail, how decisions are shared and cultural or
spiritual considerations, summarised for the care team. The seed "Trust Is a 2-Way Street"
reports that patients with serious illness who filled out a communication-preference form were
more than twice as likely to discuss, and receive, care in line with their goals (the seed's
reference 5; primary study unverified here).

The Degner 1997 citation is not in the project's facts file; check it before quoting in course
text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from bpscare.clinical.communication._validation import _check_text, _choice, _reject_unknown, _texts

__all__ = [
    "CHANNELS",
    "DECISION_ROLES",
    "DETAIL_LEVELS",
    "CommunicationPreferences",
    "check_preferences",
    "preferences_summary",
    "preferences_to_markdown",
]

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
