"""The care-plan data model: JSON-able, validated dataclasses for goals, team, safety net and plan.

A learner builds a plan in the care-plan builder widget; the widget saves it with
:meth:`CarePlan.to_json` as an answer file, and a grader loads it with :meth:`CarePlan.from_json`
and reviews it with :func:`bpscare.clinical.careplan.checks.check_plan`. Ids are validated against
``bpscare/data/vocabulary.yaml`` (:mod:`bpscare.clinical.careplan.vocabulary_loader`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field
from typing import TYPE_CHECKING, Any

from bpscare.clinical.careplan.vocabulary_loader import _check_id

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "FOLLOW_UP_MODES",
    "CarePlan",
    "FollowUp",
    "Referral",
    "SafetyNet",
    "SmartGoal",
    "TeamMember",
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


_SMART_FIELDS = ("specific", "measurable", "achievable", "relevant", "time_bound")


def _reject_unknown(path: str, data: Mapping[str, Any], allowed: Sequence[str]) -> None:
    if not isinstance(data, Mapping):
        msg = f"{path or 'plan'}: expected an object, got {data!r}"
        raise ValueError(msg)
    for key in data:
        if key not in allowed:
            msg = f"{path + '.' if path else ''}{key}: unknown field; allowed: {', '.join(allowed)}"
            raise ValueError(msg)


def _build(path: str, cls: type[DataclassInstance], data: Mapping[str, Any]) -> Any:
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


def _weeks(value: float) -> str:
    return f"{value:g} week" + ("" if value == 1 else "s")


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
