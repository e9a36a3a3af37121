"""Integrated care plans: a JSON-able plan model, learner-facing plan checks and a Markdown export.

A learner builds a plan in the care-plan builder widget; the widget saves it with
:meth:`CarePlan.to_json` as an answer file, and a grader loads it with :meth:`CarePlan.from_json`
and reviews it with :func:`check_plan` against a case's ``care_plan`` section.

The checks encode the principles of collaborative care: patient-centred team care,
measurement-based treatment to target and accountable follow-up (AIMS Center, University of
Washington, "Principles of Collaborative Care", 2011; APA/APM, "Dissemination of Integrated Care
Within Adult Primary Care Settings: The Collaborative Care Model", 2016), the process benchmark of
care-manager follow-up within four weeks (Bao et al., Psychiatr Serv 2016, doi
10.1176/appi.ps.201400577), plain-language action plans confirmed by teach-back (AHRQ Health
Literacy Universal Precautions Toolkit, DeWalt et al. 2010, 2nd ed. 2015, Tools 4-5), explicit
safety-netting and co-created goals that reflect what matters to the patient (seed articles
"How chronic mistrust of healthcare providers amplifies somatic distress", 2025, and "Strategies to
reduce stigma around psychosomatic conditions in medical training", 2025).

Ids for team roles, referrals, interventions, access barriers and measures come from
``bpscare/data/vocabulary.yaml`` (see :func:`vocabulary`); nothing here copies those lists.
"""

from __future__ import annotations

import functools
import json
import math
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field
from importlib import resources
from typing import Any, Literal

import yaml

__all__ = [
    "FOLLOW_UP_MODES",
    "QUALITY_WEIGHT",
    "REQUIRED_WEIGHT",
    "CarePlan",
    "Finding",
    "FollowUp",
    "PlanReview",
    "Referral",
    "SafetyNet",
    "SmartGoal",
    "TeamMember",
    "check_plan",
    "plan_to_markdown",
    "red_flag_matches",
    "smart_parts",
    "vocabulary",
]

#: How a follow-up contact happens. Telephone and video contacts count: in collaborative care the
#: care manager's proactive follow-up is often by phone (AIMS Center, "Principles of Collaborative
#: Care").
FOLLOW_UP_MODES: tuple[str, ...] = (
    "in_person",
    "phone",
    "video",
    "secure_message",
    "home_visit",
    "group",
)

#: Weight of a required check in :meth:`PlanReview.score`.
REQUIRED_WEIGHT = 1.0
#: Weight of a quality check in :meth:`PlanReview.score` (half a required check).
QUALITY_WEIGHT = 0.5

VOCABULARY_SECTIONS = ("team_roles", "interventions", "referrals", "access_barriers", "measures")

Severity = Literal["required", "quality"]


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


@functools.cache
def _load_vocabulary() -> dict[str, dict[str, str]]:
    text = (resources.files("bpscare") / "data" / "vocabulary.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {str(k): {str(i): str(label) for i, label in v.items()} for k, v in data.items()}


def vocabulary(section: str) -> Mapping[str, str]:
    """Return one controlled vocabulary (id -> label) from ``data/vocabulary.yaml``, read once.

    Parameters
    ----------
    section
        One of ``team_roles``, ``interventions``, ``referrals``, ``access_barriers``,
        ``measures`` (or any other section in the file).

    Returns
    -------
    Mapping[str, str]
        A read-only mapping from id to its human-readable label, in file order.
    """
    data = _load_vocabulary()
    if section not in data:
        msg = f"unknown vocabulary section {section!r}; allowed: {', '.join(data)}"
        raise ValueError(msg)
    return types.MappingProxyType(data[section])


def _label(section: str, item: str) -> str:
    return vocabulary(section).get(item, item)


def _check_id(section: str, what: str, name: str, value: object) -> None:
    allowed = vocabulary(section)
    if not isinstance(value, str) or value not in allowed:
        msg = f"{name}: {value!r} is not a known {what}; allowed: {', '.join(allowed)}"
        raise ValueError(msg)


def _check_str(name: str, value: object) -> None:
    if not isinstance(value, str):
        msg = f"{name}: expected text, got {value!r}"
        raise ValueError(msg)


def _str_tuple(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = f"{name}: expected a list of text, got {value!r}"
        raise ValueError(msg)
    items = tuple(value)
    for i, item in enumerate(items):
        _check_str(f"{name}[{i}]", item)
    return items


# --------------------------------------------------------------------------------------------
# Text matching rules (documented, deterministic)
# --------------------------------------------------------------------------------------------

_COUNT_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    "forty|fifty|sixty|ninety"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
#: A measure is detectable when the text holds a number, a number word, an instrument name or a
#: countable unit ("walk 20 minutes", "PHQ-9 below 10", "twice a week", "sleep diary").
MEASURE_PATTERN = re.compile(
    r"\d|\b(?:" + _COUNT_WORDS + r"|once|twice|half)\b|"
    r"\b(?:phq|gad|wsas|promis|score|scale|rating|diary|minutes?|hours?|steps|km|miles?|"
    r"blocks?|times?|daily|weekly)\b",
    re.IGNORECASE,
)
#: A time frame is detectable when the text holds a span of days/weeks/months that is not a
#: frequency ("in 6 weeks", "within two months", "in a month"; not "3 days a week" or "twice a
#: week"), a week number ("by week 8"), a month name, an ISO date, the next visit or review, or
#: the end of a week/month/year.
TIME_FRAME_PATTERN = re.compile(
    r"\b(?:\d+|" + _COUNT_WORDS + r")[\s-]*(?:days?|weeks?|months?|years?)\b"
    r"(?!\s+(?:a|per|each|every)\s+(?:day|week|month))"
    r"|\b(?:in|within|over|for|after|by)\s+(?:a|one)\s+(?:week|month|year)\b"
    r"|\bweek\s*\d+\b"
    r"|\b(?:" + _MONTHS + r")\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    r"|\b(?:next|following)\s+(?:visit|appointment|review|check-?in)\b"
    r"|\bend of (?:the )?(?:week|month|year)\b",
    re.IGNORECASE,
)
#: Daily-life functions and "what matters" phrases that make a goal patient-centred rather than
#: a symptom score alone (seed: "co-create management plans, setting realistic goals ... that
#: reflect personal priorities").
FUNCTION_PATTERN = re.compile(
    r"\b(?:work|job|shift|school|class|study|walk|walking|cook|cooking|sleep|family|child|"
    r"children|kids|grandchild\w*|partner|friends?|social|church|mosque|temple|garden\w*|drive|"
    r"driving|shop\w*|errands|exercise|hobby|hobbies|play|dance|swim\w*|volunteer\w*|care for|"
    r"caregiv\w*|daily activities|household|chores|matters|important to|wants? to|so that|"
    r"able to|back to|return to|enjoy\w*)\b",
    re.IGNORECASE,
)
_TEACH_BACK = "teach-back"

# fmt: off
_STOPWORDS = frozenset((
    "a", "an", "and", "any", "are", "as", "at", "be", "by", "for", "from", "has", "have", "if",
    "in", "into", "is", "it", "its", "new", "of", "on", "or", "over", "that", "the", "their",
    "them", "then", "this", "to", "up", "was", "were", "what", "when", "which", "who", "will",
    "with", "worse", "worsening", "sudden", "suddenly", "severe", "more", "than", "very",
    "i", "me", "my", "we", "our", "you", "your", "he", "him", "his", "she", "her", "they",
    "their", "can", "get", "getting", "want", "wants", "able",
))
#: Words too general to identify a red flag on their own ("leg pain" must not match "chest pain").
_GENERIC_WORDS = frozenset((
    "pain", "painful", "ache", "aches", "symptom", "symptoms", "problem", "problems", "trouble",
    "feeling", "feel", "change", "changes", "sign", "signs",
))
# fmt: on
_PREFIX = 5
_STEM = 4


def _content_words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [w for w in words if w not in _STOPWORDS]


def _words_match(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= _STEM and long_.startswith(short):
        return True
    return len(a) >= _PREFIX and len(b) >= _PREFIX and a[:_PREFIX] == b[:_PREFIX]


def _covers(candidate: str, expected: str) -> bool:
    """True when ``candidate`` holds at least half of ``expected``'s content words, one specific."""
    wanted = _content_words(expected)
    if not wanted:
        return False
    have = _content_words(candidate)
    hits = [w for w in wanted if any(_words_match(w, h) for h in have)]
    specific = any(w not in _GENERIC_WORDS for w in hits)
    return 2 * len(hits) >= len(wanted) and specific


def _shares_word(text: str, other: str) -> bool:
    """True when the texts share one specific (non-generic) content word."""
    have = _content_words(text)
    return any(
        w not in _GENERIC_WORDS and any(_words_match(w, h) for h in have)
        for w in _content_words(other)
    )


def red_flag_matches(named: Sequence[str], expected: str) -> bool:
    """Decide whether a learner's list of red flags names one expected red flag.

    The matching rule (lenient on wording, strict on content):

    1. The expected flag is split into alternatives at " or " and "/" ("thoughts of suicide or
       self-harm" -> "thoughts of suicide", "self-harm"); naming any alternative is enough.
    2. Each text is reduced to lower-case content words, ignoring stop-words and intensity words
       ("new", "of", "worsening", "severe", "sudden"...).
    3. Two words match when they are equal, share their first five letters ("suicidal" ~
       "suicide", "breathless" ~ "breath"), or the shorter word has at least four letters and
       starts the longer one ("walk" ~ "walking", "knit" ~ "knitting"; "arm" only matches "arm").
    4. An alternative is named when **one** learner flag contains **at least half** of its content
       words **and** at least one matched word is specific - generic words such as "pain",
       "symptoms", "problems" do not count alone, so "leg pain" does not name "chest pain".
       Words are not pooled across different learner flags.

    The rule is deliberately lenient: "back pain at night" names "back pain with fever" (two of
    three words). Case authors should therefore write each expected flag as its distinguishing
    words ("fever with back pain" -> "fever", "back pain") or as alternatives joined by "or".

    Parameters
    ----------
    named
        The red flags the learner listed.
    expected
        One red flag from the case key.

    Returns
    -------
    bool
        True when some learner flag covers the expected one.

    Examples
    --------
    >>> red_flag_matches(["suicidal thoughts"], "thoughts of suicide or self-harm")
    True
    >>> red_flag_matches(["leg pain"], "chest pain")
    False
    """
    alternatives = [a for a in re.split(r"\s+or\s+|/", expected) if a.strip()]
    return any(_covers(item, alt) for item in named for alt in alternatives)


# --------------------------------------------------------------------------------------------
# Plan model
# --------------------------------------------------------------------------------------------

_SMART_FIELDS = ("specific", "measurable", "achievable", "relevant", "time_bound")


def _reject_unknown(path: str, data: Mapping[str, Any], allowed: Sequence[str]) -> None:
    if not isinstance(data, Mapping):
        msg = f"{path or 'plan'}: expected an object, got {data!r}"
        raise ValueError(msg)
    for key in data:
        if key not in allowed:
            msg = f"{path + '.' if path else ''}{key}: unknown field; allowed: {', '.join(allowed)}"
            raise ValueError(msg)


def _build(path: str, cls: type, data: Mapping[str, Any]) -> Any:
    """Construct ``cls`` from ``data`` and prefix any validation error with ``path``."""
    fields = cls.__dataclass_fields__
    _reject_unknown(path, data, tuple(fields))
    for name, spec in fields.items():
        if name not in data and spec.default is MISSING and spec.default_factory is MISSING:
            msg = f"{path}.{name}: missing required field"
            raise ValueError(msg)
    try:
        return cls(**data)
    except ValueError as exc:
        msg = f"{path}.{exc}"
        raise ValueError(msg) from None


@dataclass(frozen=True)
class SmartGoal:
    """One co-created goal, with each SMART part stated so a reviewer can see it.

    Goals should be specific, measurable, achievable, relevant and time-bound, and chosen with the
    patient (seed "How chronic mistrust ... amplifies somatic distress": "setting realistic goals
    and measurement milestones that reflect personal priorities"). :func:`smart_parts` decides
    which parts are present.

    Parameters
    ----------
    text
        The goal in the patient's words, e.g. "Walk to the bus stop and back without stopping".
    specific
        The concrete activity or behaviour.
    measurable
        How progress is counted (a number, a unit or an instrument such as PHQ-9).
    achievable
        Why it is realistic now: the first step, the support or the pacing.
    relevant
        Why it matters to the patient (function, roles, values).
    time_bound
        By when ("in 6 weeks", "by week 8", "by the next visit").
    """

    text: str
    specific: str = ""
    measurable: str = ""
    achievable: str = ""
    relevant: str = ""
    time_bound: str = ""

    def __post_init__(self) -> None:
        for name in ("text", *_SMART_FIELDS):
            _check_str(name, getattr(self, name))
        if not self.text.strip():
            msg = "text: a goal needs text, got an empty string"
            raise ValueError(msg)

    @classmethod
    def from_parts(
        cls,
        what: str,
        measure: str,
        target: str,
        by_when: str,
        *,
        why: str = "",
        first_step: str = "",
    ) -> SmartGoal:
        """Build a goal from the fields a goal form asks for (what, measure, target, by when).

        Parameters
        ----------
        what
            The activity ("walk to the park with my granddaughter").
        measure
            What is counted ("minutes walked", "PHQ-9").
        target
            The level aimed for ("20 minutes", "below 10").
        by_when
            The time frame ("in 6 weeks").
        why
            Why it matters to the patient (fills ``relevant``).
        first_step
            What makes it achievable now (fills ``achievable``).

        Returns
        -------
        SmartGoal
            A goal whose ``text`` reads "<what> - <target> (<measure>), <by_when>".
        """
        measurable = f"{measure}: {target}".strip(" :")
        text = f"{what} - {target} ({measure}), {by_when}"
        return cls(
            text=text,
            specific=what,
            measurable=measurable,
            achievable=first_step,
            relevant=why,
            time_bound=by_when,
        )

    def to_dict(self) -> dict[str, str]:
        """Return the goal as plain JSON-able data (every field, even when empty)."""
        return {name: getattr(self, name) for name in ("text", *_SMART_FIELDS)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "goal") -> SmartGoal:
        """Rebuild a goal from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        return _build(path, cls, data)


def smart_parts(goal: SmartGoal) -> dict[str, bool]:
    """Report which of the five SMART parts a goal states, by a documented, checkable rule.

    - ``specific``: the ``specific`` field is filled, or the goal text has at least five words;
    - ``measurable``: the ``measurable`` field (or, if empty, the text) matches
      :data:`MEASURE_PATTERN` - a number, number word, instrument or countable unit;
    - ``achievable``: the ``achievable`` field is filled (a first step or support);
    - ``relevant``: the ``relevant`` field is filled (why it matters to the patient);
    - ``time_bound``: the ``time_bound`` field (or, if empty, the text) matches
      :data:`TIME_FRAME_PATTERN` - a span such as "in 6 weeks", a week number, a month, a date or
      "the next visit"; a frequency such as "3 days a week" is not a time frame.

    Achievable and relevant cannot be inferred from free text, so a text-only goal can show at
    most three parts.

    Parameters
    ----------
    goal
        The goal to inspect.

    Returns
    -------
    dict[str, bool]
        One entry per SMART part, in the order S, M, A, R, T.
    """
    measurable_text = goal.measurable.strip() or goal.text
    time_text = goal.time_bound.strip() or goal.text
    return {
        "specific": bool(goal.specific.strip()) or len(goal.text.split()) >= 5,
        "measurable": bool(MEASURE_PATTERN.search(measurable_text)),
        "achievable": bool(goal.achievable.strip()),
        "relevant": bool(goal.relevant.strip()),
        "time_bound": bool(TIME_FRAME_PATTERN.search(time_text)),
    }


@dataclass(frozen=True)
class TeamMember:
    """One member of the care team and what they will do (AIMS Center: patient-centred team care).

    Parameters
    ----------
    role
        A ``team_roles`` id from the vocabulary, e.g. ``behavioral_health_care_manager``.
    responsibility
        What this person does in this plan, in plain language.
    """

    role: str
    responsibility: str = ""

    def __post_init__(self) -> None:
        _check_id("team_roles", "role", "role", self.role)
        _check_str("responsibility", self.responsibility)

    def to_dict(self) -> dict[str, str]:
        """Return the member as plain JSON-able data."""
        return {"role": self.role, "responsibility": self.responsibility}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "member") -> TeamMember:
        """Rebuild a member from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        return _build(path, cls, data)


@dataclass(frozen=True)
class Referral:
    """A referral and its reason, so the patient and the receiving service know why.

    Parameters
    ----------
    to
        A ``referrals`` id from the vocabulary, e.g. ``physical_therapy``.
    reason
        Why, in plain language.
    """

    to: str
    reason: str = ""

    def __post_init__(self) -> None:
        _check_id("referrals", "referral", "to", self.to)
        _check_str("reason", self.reason)

    def to_dict(self) -> dict[str, str]:
        """Return the referral as plain JSON-able data."""
        return {"to": self.to, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "referral") -> Referral:
        """Rebuild a referral from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        return _build(path, cls, data)


@dataclass(frozen=True)
class SafetyNet:
    """Explicit safety-netting: which red flags, what to do, and how to escalate.

    The seed article on mistrust and somatic distress (2025) notes that "describing explicit steps
    for monitoring, escalation plans, and red flags helps patients feel secure in the care
    process"; the AHRQ toolkit (Tool 5) recommends confirming the plan by teach-back.

    Parameters
    ----------
    red_flags
        Warning signs, in plain language (stored as a tuple; lists are accepted).
    what_to_do
        What the patient does if one appears.
    escalation
        The route and contact (who, how, when - e.g. "call the clinic nurse line; after hours 911").
    """

    red_flags: tuple[str, ...] = ()
    what_to_do: str = ""
    escalation: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "red_flags", _str_tuple("red_flags", self.red_flags))
        _check_str("what_to_do", self.what_to_do)
        _check_str("escalation", self.escalation)

    def to_dict(self) -> dict[str, Any]:
        """Return the safety net as plain JSON-able data."""
        return {
            "red_flags": list(self.red_flags),
            "what_to_do": self.what_to_do,
            "escalation": self.escalation,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "safety_net") -> SafetyNet:
        """Rebuild a safety net from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        return _build(path, cls, data)


@dataclass(frozen=True)
class FollowUp:
    """When and how the next contact happens (measurement-based treatment to target).

    Parameters
    ----------
    interval_weeks
        Weeks until the next contact; positive.
    mode
        One of :data:`FOLLOW_UP_MODES`.
    """

    interval_weeks: float
    mode: str = "in_person"

    def __post_init__(self) -> None:
        value = self.interval_weeks
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            msg = f"interval_weeks: expected a positive number of weeks, got {value!r}"
            raise ValueError(msg)
        if self.mode not in FOLLOW_UP_MODES:
            msg = f"mode: {self.mode!r} is not a known mode; allowed: {', '.join(FOLLOW_UP_MODES)}"
            raise ValueError(msg)

    def to_dict(self) -> dict[str, Any]:
        """Return the follow-up as plain JSON-able data."""
        return {"interval_weeks": self.interval_weeks, "mode": self.mode}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "follow_up") -> FollowUp:
        """Rebuild a follow-up from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        return _build(path, cls, data)


def _tuple_of(name: str, value: object, cls: type) -> tuple[Any, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        msg = f"{name}: expected a list, got {value!r}"
        raise ValueError(msg)
    items = tuple(value)
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            msg = f"{name}[{i}]: expected a {cls.__name__}, got {item!r}"
            raise ValueError(msg)
    return items


@dataclass(frozen=True)
class CarePlan:
    """An integrated care plan: goals, team, referrals, interventions, safety net and follow-up.

    Every part is optional so an unfinished plan can be saved and reviewed; :func:`check_plan`
    says what is missing. Ids are validated against ``data/vocabulary.yaml``. Sequences are
    stored as tuples (lists are accepted) so the plan is immutable; :meth:`to_dict` and
    :meth:`from_dict` round-trip exactly, and so do :meth:`to_json` and :meth:`from_json`.

    Parameters
    ----------
    goals
        :class:`SmartGoal` items.
    team
        :class:`TeamMember` items.
    referrals
        :class:`Referral` items.
    interventions
        ``interventions`` ids (non-pharmacological interventions).
    medication
        The medication plan in words; "none" is a valid, stated plan, "" means not stated.
    safety_net
        The :class:`SafetyNet`.
    follow_up
        The :class:`FollowUp`, or None when not yet planned.
    measures
        ``measures`` ids to repeat at follow-up (e.g. ``phq9``).
    barriers_addressed
        ``access_barriers`` id -> how the plan addresses it.
    patient_priorities
        What matters most to the patient, in their words.
    """

    goals: tuple[SmartGoal, ...] = ()
    team: tuple[TeamMember, ...] = ()
    referrals: tuple[Referral, ...] = ()
    interventions: tuple[str, ...] = ()
    medication: str = ""
    safety_net: SafetyNet = field(default_factory=SafetyNet)
    follow_up: FollowUp | None = None
    measures: tuple[str, ...] = ()
    barriers_addressed: dict[str, str] = field(default_factory=dict)
    patient_priorities: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "goals", _tuple_of("goals", self.goals, SmartGoal))
        object.__setattr__(self, "team", _tuple_of("team", self.team, TeamMember))
        object.__setattr__(self, "referrals", _tuple_of("referrals", self.referrals, Referral))
        interventions = _str_tuple("interventions", self.interventions)
        for i, item in enumerate(interventions):
            _check_id("interventions", "intervention", f"interventions[{i}]", item)
        object.__setattr__(self, "interventions", interventions)
        _check_str("medication", self.medication)
        if not isinstance(self.safety_net, SafetyNet):
            msg = f"safety_net: expected a SafetyNet, got {self.safety_net!r}"
            raise ValueError(msg)
        if self.follow_up is not None and not isinstance(self.follow_up, FollowUp):
            msg = f"follow_up: expected a FollowUp or None, got {self.follow_up!r}"
            raise ValueError(msg)
        measures = _str_tuple("measures", self.measures)
        for i, item in enumerate(measures):
            _check_id("measures", "measure", f"measures[{i}]", item)
        object.__setattr__(self, "measures", measures)
        if not isinstance(self.barriers_addressed, Mapping):
            msg = f"barriers_addressed: expected an object, got {self.barriers_addressed!r}"
            raise ValueError(msg)
        barriers = dict(self.barriers_addressed)
        for key, how in barriers.items():
            _check_id("access_barriers", "access barrier", "barriers_addressed", key)
            _check_str(f"barriers_addressed.{key}", how)
        object.__setattr__(self, "barriers_addressed", barriers)
        object.__setattr__(
            self, "patient_priorities", _str_tuple("patient_priorities", self.patient_priorities)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the plan as plain JSON-able data (lists, dicts, strings, numbers, None)."""
        return {
            "goals": [g.to_dict() for g in self.goals],
            "team": [m.to_dict() for m in self.team],
            "referrals": [r.to_dict() for r in self.referrals],
            "interventions": list(self.interventions),
            "medication": self.medication,
            "safety_net": self.safety_net.to_dict(),
            "follow_up": None if self.follow_up is None else self.follow_up.to_dict(),
            "measures": list(self.measures),
            "barriers_addressed": dict(self.barriers_addressed),
            "patient_priorities": list(self.patient_priorities),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CarePlan:
        """Rebuild and validate a plan from plain data, e.g. a learner's JSON answer file.

        Raises
        ------
        ValueError
            Naming the field path and the bad value, e.g.
            ``team[2].role: 'therapist' is not a known role; allowed: ...``.
        """
        names = tuple(cls.__dataclass_fields__)
        _reject_unknown("", data, names)
        kwargs: dict[str, Any] = {}
        for name, item_cls in (("goals", SmartGoal), ("team", TeamMember), ("referrals", Referral)):
            if name in data:
                items = data[name]
                if isinstance(items, str | Mapping) or not isinstance(items, Sequence):
                    msg = f"{name}: expected a list, got {items!r}"
                    raise ValueError(msg)
                kwargs[name] = tuple(
                    item_cls.from_dict(item, f"{name}[{i}]") for i, item in enumerate(items)
                )
        if "safety_net" in data:
            kwargs["safety_net"] = SafetyNet.from_dict(data["safety_net"], "safety_net")
        if data.get("follow_up") is not None:
            kwargs["follow_up"] = FollowUp.from_dict(data["follow_up"], "follow_up")
        for name in (
            "interventions",
            "medication",
            "measures",
            "barriers_addressed",
            "patient_priorities",
        ):
            if name in data:
                kwargs[name] = data[name]
        return cls(**kwargs)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Serialise the plan for an answer file (stable key order, UTF-8 text)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CarePlan:
        """Parse an answer file written by :meth:`to_json`; ``ValueError`` on bad JSON or data."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"care plan: not valid JSON ({exc})"
            raise ValueError(msg) from None
        return cls.from_dict(data)


# --------------------------------------------------------------------------------------------
# Review
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """The outcome of one plan check, with feedback a learner can act on.

    Parameters
    ----------
    check_id
        Stable id of the check (e.g. ``smart_goal``), for graders and analytics.
    passed
        Whether the plan meets the check.
    severity
        ``"required"`` (counts toward completeness) or ``"quality"``.
    message
        What is good, or what to add and why.
    """

    check_id: str
    passed: bool
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as plain JSON-able data."""
        return {
            "check_id": self.check_id,
            "passed": self.passed,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class PlanReview:
    """All findings for one plan, with completeness, quality and partial-credit scoring."""

    findings: tuple[Finding, ...]

    def _fraction(self, severity: Severity) -> float:
        chosen = [f for f in self.findings if f.severity == severity]
        return 1.0 if not chosen else sum(f.passed for f in chosen) / len(chosen)

    @property
    def completeness(self) -> float:
        """Fraction of required checks passed (1.0 when there are none)."""
        return self._fraction("required")

    @property
    def quality(self) -> float:
        """Fraction of quality checks passed (1.0 when there are none)."""
        return self._fraction("quality")

    @property
    def passed(self) -> bool:
        """True when every required check passed."""
        return all(f.passed for f in self.findings if f.severity == "required")

    def feedback(self) -> list[str]:
        """Return the messages of the failed checks, required ones first."""
        failed = [f for f in self.findings if not f.passed]
        failed.sort(key=lambda f: f.severity != "required")
        return [f.message for f in failed]

    def score(self, points: float) -> float:
        """Partial credit out of ``points``: required checks weigh 1, quality checks 0.5.

        Parameters
        ----------
        points
            The points available, non-negative.

        Returns
        -------
        float
            ``points`` x (weight of passed checks / total weight), rounded to 2 decimals.
        """
        if isinstance(points, bool) or not isinstance(points, int | float) or points < 0:
            msg = f"points: expected a non-negative number, got {points!r}"
            raise ValueError(msg)
        weights = [
            REQUIRED_WEIGHT if f.severity == "required" else QUALITY_WEIGHT for f in self.findings
        ]
        total = sum(weights)
        earned = sum(w for w, f in zip(weights, self.findings, strict=True) if f.passed)
        return 0.0 if total == 0 else round(points * earned / total, 2)

    def to_dict(self) -> dict[str, Any]:
        """Return the review as plain JSON-able data."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "completeness": self.completeness,
            "quality": self.quality,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class _Expected:
    goals: tuple[str, ...]
    team: tuple[str, ...]
    referrals: tuple[str, ...]
    interventions: tuple[str, ...]
    red_flags: tuple[str, ...]
    follow_up_weeks: float | None
    measures: tuple[str, ...]
    access_barriers: tuple[str, ...]


def _expected_ids(
    expected: Mapping[str, Any], key: str, section: str, what: str, item_key: str
) -> tuple[str, ...]:
    raw = expected.get(key) or ()
    if isinstance(raw, str | Mapping) or not isinstance(raw, Iterable):
        msg = f"expected.{key}: expected a list, got {raw!r}"
        raise ValueError(msg)
    out = []
    for i, item in enumerate(raw):
        value = item.get(item_key, item.get("id")) if isinstance(item, Mapping) else item
        _check_id(section, what, f"expected.{key}[{i}]", value)
        out.append(value)
    return tuple(out)


def _expected_texts(expected: Mapping[str, Any], key: str) -> tuple[str, ...]:
    raw = expected.get(key) or ()
    if isinstance(raw, str):
        raw = (raw,)
    if isinstance(raw, Mapping) or not isinstance(raw, Iterable):
        msg = f"expected.{key}: expected a list of text, got {raw!r}"
        raise ValueError(msg)
    out = []
    for i, item in enumerate(raw):
        text = item.get("text", item.get("what")) if isinstance(item, Mapping) else item
        _check_str(f"expected.{key}[{i}]", text)
        out.append(text)
    return tuple(out)


def _parse_expected(expected: Mapping[str, Any]) -> _Expected:
    if not isinstance(expected, Mapping):
        msg = f"expected: expected a case's care_plan mapping, got {expected!r}"
        raise ValueError(msg)
    weeks = expected.get("follow_up_weeks")
    if weeks is not None and (
        isinstance(weeks, bool) or not isinstance(weeks, int | float) or weeks <= 0
    ):
        msg = f"expected.follow_up_weeks: expected a positive number, got {weeks!r}"
        raise ValueError(msg)
    return _Expected(
        goals=_expected_texts(expected, "goals"),
        team=_expected_ids(expected, "team", "team_roles", "role", "role"),
        referrals=_expected_ids(expected, "referrals", "referrals", "referral", "to"),
        interventions=_expected_ids(
            expected, "interventions", "interventions", "intervention", "id"
        ),
        red_flags=_expected_texts(expected, "red_flags_to_safety_net"),
        follow_up_weeks=weeks,
        measures=_expected_ids(expected, "measures", "measures", "measure", "id"),
        access_barriers=_expected_ids(
            expected, "access_barriers", "access_barriers", "access barrier", "id"
        ),
    )


def _labels(section: str, ids: Iterable[str]) -> str:
    return "; ".join(_label(section, i) for i in ids)


def _weeks(value: float) -> str:
    return f"{value:g} week" + ("" if value == 1 else "s")


def _goal_findings(plan: CarePlan) -> list[Finding]:
    if not plan.goals:
        return [
            Finding(
                "smart_goal",
                False,
                "required",
                "Add at least one goal agreed with the patient, stating what, how it will be "
                "measured, why it is achievable, why it matters and by when (SMART).",
            )
        ]
    best: dict[str, bool] = {}
    for goal in plan.goals:
        parts = smart_parts(goal)
        if all(parts.values()):
            return [
                Finding(
                    "smart_goal",
                    True,
                    "required",
                    f"Goal '{goal.text}' states all five SMART parts.",
                )
            ]
        if not best or sum(parts.values()) > sum(best.values()):
            best = parts
    missing = [part.replace("_", "-") for part, ok in best.items() if not ok]
    hints = {
        "specific": "name the concrete activity",
        "measurable": "add a number, unit or instrument (e.g. '20 minutes', 'PHQ-9 below 10')",
        "achievable": "say what first step or support makes it realistic now",
        "relevant": "say why it matters to the patient",
        "time-bound": "give a time frame (e.g. 'in 6 weeks', 'by the next visit')",
    }
    advice = "; ".join(f"{p} ({hints[p]})" for p in missing)
    return [
        Finding(
            "smart_goal",
            False,
            "required",
            f"Make at least one goal fully SMART - your closest goal is missing {advice}.",
        )
    ]


def _team_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    findings = []
    unassigned = [m for m in plan.team if not m.responsibility.strip()]
    if not plan.team:
        findings.append(
            Finding(
                "team",
                False,
                "required",
                "Name the care team and what each person will do, so the patient knows who to "
                "contact for what (patient-centred team care).",
            )
        )
    elif unassigned:
        findings.append(
            Finding(
                "team",
                False,
                "required",
                "Give each team member a responsibility in this plan - missing for: "
                f"{_labels('team_roles', (m.role for m in unassigned))}.",
            )
        )
    else:
        findings.append(
            Finding("team", True, "required", "Each team member has a stated responsibility.")
        )
    if exp is not None and exp.team:
        have = {m.role for m in plan.team}
        missing = [r for r in exp.team if r not in have]
        findings.append(
            Finding(
                "team_expected",
                not missing,
                "required",
                (
                    "Add to the team: "
                    f"{_labels('team_roles', missing)} - this patient's needs call for them."
                    if missing
                    else "The team includes every role this case needs."
                ),
            )
        )
    return findings


def _referral_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    if exp is None or not exp.referrals:
        return []
    have = {r.to for r in plan.referrals}
    missing = [r for r in exp.referrals if r not in have]
    return [
        Finding(
            "referrals_expected",
            not missing,
            "required",
            (
                f"Add referrals to: {_labels('referrals', missing)}, each with a reason the "
                "patient can repeat back."
                if missing
                else "The referrals cover what this case needs."
            ),
        )
    ]


def _intervention_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    findings = [
        Finding(
            "non_pharmacological",
            bool(plan.interventions),
            "required",
            (
                "The plan includes non-pharmacological care: "
                f"{_labels('interventions', plan.interventions)}."
                if plan.interventions
                else "Add at least one non-pharmacological intervention (e.g. graded activity, "
                "CBT-informed strategies, sleep plan, psychoeducation about the stress-symptom "
                "cycle)."
            ),
        )
    ]
    if exp is not None and exp.interventions:
        missing = [i for i in exp.interventions if i not in plan.interventions]
        findings.append(
            Finding(
                "interventions_expected",
                not missing,
                "required",
                (
                    f"Add the interventions the case findings point to: "
                    f"{_labels('interventions', missing)}."
                    if missing
                    else "The interventions include those the case findings point to."
                ),
            )
        )
    return findings


def _safety_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    net = plan.safety_net
    gaps = []
    if not any(flag.strip() for flag in net.red_flags):
        gaps.append("name the red flags in plain language")
    if not net.what_to_do.strip():
        gaps.append("say what the patient should do if one appears")
    if not net.escalation.strip():
        gaps.append("give an escalation route (who to contact, how, and after hours)")
    findings = [
        Finding(
            "safety_net",
            not gaps,
            "required",
            (
                "Complete the safety net: " + "; ".join(gaps) + "."
                if gaps
                else "The safety net names red flags, what to do and how to escalate."
            ),
        )
    ]
    if exp is not None and exp.red_flags:
        missing = [f for f in exp.red_flags if not red_flag_matches(net.red_flags, f)]
        findings.append(
            Finding(
                "safety_net_red_flags",
                not missing,
                "required",
                (
                    "Add these red flags to the safety net: " + "; ".join(missing) + "."
                    if missing
                    else "The safety net covers the red flags this case needs."
                ),
            )
        )
    return findings


def _follow_up_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    fu = plan.follow_up
    if fu is None:
        return [
            Finding(
                "follow_up",
                False,
                "required",
                "Schedule follow-up: say when (in weeks) and how (visit, phone, video) the team "
                "will check in; care-manager contact within 4 weeks is linked to better "
                "outcomes (Bao et al., Psychiatr Serv 2016).",
            )
        ]
    if (
        exp is not None
        and exp.follow_up_weeks is not None
        and fu.interval_weeks > (exp.follow_up_weeks)
    ):
        return [
            Finding(
                "follow_up",
                False,
                "required",
                f"Bring follow-up forward: the plan says {_weeks(fu.interval_weeks)}, but this "
                f"case needs contact within {_weeks(exp.follow_up_weeks)}.",
            )
        ]
    return [
        Finding(
            "follow_up",
            True,
            "required",
            f"Follow-up is planned in {_weeks(fu.interval_weeks)} ({fu.mode.replace('_', ' ')}).",
        )
    ]


def _measure_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    findings = [
        Finding(
            "measurement_plan",
            bool(plan.measures),
            "required",
            (
                f"Measures to repeat: {_labels('measures', plan.measures)}."
                if plan.measures
                else "Add a measurement plan: name the instrument (e.g. PHQ-9) and when it will "
                "be repeated, so the team can treat to target."
            ),
        )
    ]
    if exp is not None and exp.measures:
        missing = [m for m in exp.measures if m not in plan.measures]
        findings.append(
            Finding(
                "measures_expected",
                not missing,
                "required",
                (
                    f"Add to the measurement plan: {_labels('measures', missing)}, repeated at "
                    "follow-up so change can be tracked."
                    if missing
                    else "The measurement plan includes the measures this case needs."
                ),
            )
        )
    return findings


def _barrier_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    if exp is None or not exp.access_barriers:
        return []
    missing = [b for b in exp.access_barriers if not plan.barriers_addressed.get(b, "").strip()]
    return [
        Finding(
            "access_barriers",
            not missing,
            "required",
            (
                f"Say how the plan addresses: {_labels('access_barriers', missing)} - a plan the "
                "patient cannot reach will not work."
                if missing
                else "Each access barrier has an action in the plan."
            ),
        )
    ]


def _medication_finding(plan: CarePlan) -> Finding:
    stated = bool(plan.medication.strip())
    return Finding(
        "medication",
        stated,
        "required",
        (
            f"Medication plan stated: {plan.medication.strip()}."
            if stated
            else "State the medication plan, even if it is 'none' or 'no change', so the team "
            "knows it was considered."
        ),
    )


def _quality_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    priorities = [p for p in plan.patient_priorities if p.strip()]
    findings = [
        Finding(
            "patient_priorities",
            bool(priorities),
            "quality",
            (
                "The plan records what matters most to the patient."
                if priorities
                else "Record what matters most to the patient, in their words, and build the "
                "goals around it."
            ),
        )
    ]

    def centred(goal: SmartGoal) -> bool:
        text = " ".join((goal.text, goal.specific, goal.relevant))
        return bool(FUNCTION_PATTERN.search(text)) or any(_shares_word(text, p) for p in priorities)

    ok = any(centred(g) for g in plan.goals)
    findings.append(
        Finding(
            "patient_centred_goals",
            ok,
            "quality",
            (
                "At least one goal is about daily life or what matters to the patient."
                if ok
                else "Tie at least one goal to daily function or what matters to the patient "
                "(work, family, walking, sleep), not only a symptom score."
            ),
        )
    )
    if exp is not None and exp.goals:
        texts = [" ".join((g.text, g.specific, g.measurable, g.relevant)) for g in plan.goals]
        missing = [t for t in exp.goals if not any(_covers(x, t) for x in texts)]
        findings.append(
            Finding(
                "goals_expected",
                not missing,
                "quality",
                (
                    "Consider a goal about: " + "; ".join(missing) + "."
                    if missing
                    else "The goals address the themes this case raises."
                ),
            )
        )
    return findings


def check_plan(plan: CarePlan, expected: Mapping[str, Any] | None = None) -> PlanReview:
    """Review a care plan and return findings a learner can act on, with partial credit.

    Required checks: a SMART goal (:func:`smart_parts`); a named team with responsibilities and,
    with ``expected``, the expected roles; expected referrals; at least one non-pharmacological
    intervention and the expected ones; a complete safety net (red flags, what to do, escalation)
    covering the expected red flags (:func:`red_flag_matches`); follow-up scheduled no later than
    ``follow_up_weeks``; a measurement plan including the expected measures; an action for each
    expected access barrier; a stated medication plan. Quality checks: patient priorities recorded;
    at least one patient-centred goal (it matches :data:`FUNCTION_PATTERN` or shares a specific
    word with a recorded priority); and, with ``expected``, goals touching the expected goal
    themes.

    Sources: AIMS Center "Principles of Collaborative Care" (patient-centred team care,
    measurement-based treatment to target, accountable care); APA/APM 2016 report on the
    Collaborative Care Model; Bao et al., Psychiatr Serv 2016 (follow-up within 4 weeks); AHRQ
    Health Literacy Universal Precautions Toolkit (plain-language plans, teach-back); seed articles
    on mistrust and somatic distress and on psychosomatic stigma (safety-netting, co-created goals,
    non-pharmacological care, access barriers).

    Parameters
    ----------
    plan
        The learner's plan.
    expected
        A case's ``care_plan`` section with keys ``goals``, ``team``, ``referrals``,
        ``interventions``, ``medication``, ``red_flags_to_safety_net``, ``follow_up_weeks``,
        ``measures`` and ``access_barriers``; missing keys skip their checks and unknown keys are
        ignored. ``medication`` is not compared (a plan only has to state one). Id lists may hold
        ids or objects with ``role``/``to``/``id``. None runs only the generic checks.

    Returns
    -------
    PlanReview
        Findings in a stable order.

    Raises
    ------
    ValueError
        If ``plan`` is not a :class:`CarePlan` or ``expected`` holds an unknown id (named by path,
        e.g. ``expected.team[1]``).
    """
    if not isinstance(plan, CarePlan):
        msg = f"plan: expected a CarePlan, got {type(plan).__name__}"
        raise ValueError(msg)
    exp = None if expected is None else _parse_expected(expected)
    findings = [
        *_goal_findings(plan),
        *_team_findings(plan, exp),
        *_referral_findings(plan, exp),
        *_intervention_findings(plan, exp),
        *_safety_findings(plan, exp),
        *_follow_up_findings(plan, exp),
        *_measure_findings(plan, exp),
        *_barrier_findings(plan, exp),
        _medication_finding(plan),
        *_quality_findings(plan, exp),
    ]
    return PlanReview(tuple(findings))


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Flatten text to one Markdown-safe line (no raw newlines; escape leading markup)."""
    line = " ".join(text.split())
    return re.sub(r"^([#>*+-]|\d+\.)", r"\\\1", line)


def plan_to_markdown(plan: CarePlan, title: str | None = None) -> str:
    """Render a plan as a Markdown document the patient and the team can share.

    The layout follows an action-plan format in plain language and ends with a teach-back
    prompt (AHRQ Health Literacy Universal Precautions Toolkit, Tool 5: ask the patient to explain
    the plan in their own words - a test of how well we explained, not of the patient).

    Parameters
    ----------
    plan
        The plan to render.
    title
        A heading; defaults to "Care plan".

    Returns
    -------
    str
        Markdown text ending with a newline.
    """
    out: list[str] = [f"# {_md(title or 'Care plan')}", ""]

    def section(heading: str, lines: Sequence[str], empty: str = "_Not yet stated._") -> None:
        out.extend([f"## {heading}", ""])
        out.extend(lines or [empty])
        out.append("")

    section(
        "What matters most to me", [f"- {_md(p)}" for p in plan.patient_priorities if p.strip()]
    )
    goal_lines = []
    for i, goal in enumerate(plan.goals, 1):
        goal_lines.append(f"{i}. **{_md(goal.text)}**")
        for part in _SMART_FIELDS:
            value = getattr(goal, part).strip()
            if value:
                goal_lines.append(f"   - {part.replace('_', '-').capitalize()}: {_md(value)}")
    section("Goals", goal_lines)
    section(
        "Care team",
        [
            f"- **{_label('team_roles', m.role)}**"
            + (f": {_md(m.responsibility)}" if m.responsibility.strip() else "")
            for m in plan.team
        ],
    )
    section(
        "Referrals",
        [
            f"- {_label('referrals', r.to)}" + (f": {_md(r.reason)}" if r.reason.strip() else "")
            for r in plan.referrals
        ],
        "_None planned._",
    )
    section(
        "What we will do (non-medication)",
        [f"- {_label('interventions', i)}" for i in plan.interventions],
    )
    section("Medication", [_md(plan.medication)] if plan.medication.strip() else [])
    fu = plan.follow_up
    measure_lines = [f"- {_label('measures', m)}" for m in plan.measures]
    section("How we will measure progress", measure_lines)
    section(
        "Follow-up",
        [f"Next contact in {_weeks(fu.interval_weeks)} by {fu.mode.replace('_', ' ')}."]
        if fu is not None
        else [],
    )
    net = plan.safety_net
    net_lines = [f"- {_md(f)}" for f in net.red_flags if f.strip()]
    if net.what_to_do.strip():
        net_lines += ["", f"**What to do:** {_md(net.what_to_do)}"]
    if net.escalation.strip():
        net_lines += ["", f"**Who to contact:** {_md(net.escalation)}"]
    section("Warning signs (safety net)", net_lines)
    section(
        "Making the plan work for me",
        [
            f"- {_label('access_barriers', b)}: {_md(how)}"
            for b, how in plan.barriers_addressed.items()
            if how.strip()
        ],
        "_No access barriers recorded._",
    )
    out.extend(
        [
            "---",
            "",
            "_Check understanding: ask the patient to explain the plan in their own words "
            f"({_TEACH_BACK}, AHRQ Health Literacy Universal Precautions Toolkit)._",
            "",
        ]
    )
    return "\n".join(out)
