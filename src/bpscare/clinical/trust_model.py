"""Illustrative trust-cycle model: how mistrust, arousal and somatic symptoms feed each other.

ILLUSTRATIVE AND NOT VALIDATED. This is a teaching toy, not a clinical or predictive model. Its
coefficients are assumptions chosen to make visible, in a few numbers, the cycle described in two
seed articles; none was estimated from data, and the trajectories must not be read as evidence
about any patient or any size of effect.

The cycle (seed "How chronic mistrust of healthcare providers amplifies somatic distress and
strategies to rebuild collaboration", 2 Aug 2025): anticipated dismissal -> vigilance ->
autonomic arousal -> somatic symptoms -> symptoms "interpreted as signals of betrayal or
incompetence" -> more mistrust. Clinician behaviours from that article and from "The Clinician's
Role in Restoring the Provider-Patient Relationship" (Jackson Physician Search, 16 Dec 2025) bend
the cycle: transparency, validation, continuity, explicit safety-netting and pacing help;
dismissal, portal results without context and contradictory messages harm.

State variables are all on a 0-1 scale. One step is one visit. For visit t with behaviours b:

- support = weighted mean of transparency, validation, continuity, safety-netting, pacing;
- harm = weighted mean of dismissal, portal without context, contradictory messages;
- trust' = trust + BUILD x support x (1 - trust)
  - (ERODE x harm + BETRAYAL x symptoms x arousal x (1 - support)) x trust;
- arousal' = arousal + AROUSAL_RATE x (target - arousal), where target = clip(AROUSAL_BASE +
  MISTRUST_AROUSAL x (1 - trust) + HARM_AROUSAL x harm + SYMPTOM_WORRY x symptoms x (1 -
  safety-netting) + STRESSOR_AROUSAL x stressor - CALMING x support);
- symptoms' = symptoms + SYMPTOM_RATE x (target - symptoms), where target = clip(SYMPTOM_BASE +
  AROUSAL_SYMPTOMS x arousal - PACING_RELIEF x pacing).

Every update is non-decreasing in trust and non-increasing in arousal, symptoms and harm, and
every helpful behaviour enters with the helpful sign, so more of a helpful behaviour never lowers
trust or raises symptoms at any visit (a monotone system). Each coefficient, with the passage it
encodes, is listed in :data:`COEFFICIENTS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import pandas as pd

__all__ = [
    "COEFFICIENTS",
    "ILLUSTRATIVE_NOTE",
    "SCENARIOS",
    "Behaviours",
    "Coefficient",
    "State",
    "compare_scenarios",
    "scenario",
    "simulate",
]

#: Attached to every result (``DataFrame.attrs["note"]``); show it wherever results are shown.
ILLUSTRATIVE_NOTE = (
    "Illustrative teaching model - NOT validated. Coefficients are teaching assumptions that "
    "encode passages from two seed articles, not estimates from data; do not use the numbers "
    "to predict or judge any patient's course."
)

_MISTRUST_SEED = "mistrust-amplifies-somatic-distress (2025)"
_CLINICIAN_SEED = "clinicians-role-restoring-trust (Jackson Physician Search, 2025)"


@dataclass(frozen=True)
class Coefficient:
    """One model coefficient: its value (a teaching assumption) and the seed passage it encodes."""

    value: float
    meaning: str
    seed: str
    passage: str


#: Every coefficient of the model. All values are teaching assumptions.
COEFFICIENTS: dict[str, Coefficient] = {
    "W_TRANSPARENCY": Coefficient(
        0.25,
        "weight of transparency in 'support'",
        _MISTRUST_SEED,
        "transparent communication that explains the rationale behind tests, prescriptions, "
        "and referrals in plain language",
    ),
    "W_VALIDATION": Coefficient(
        0.25,
        "weight of validation in 'support'",
        _MISTRUST_SEED,
        "This acknowledgment helps lower defensiveness, fosters mutual respect",
    ),
    "W_CONTINUITY": Coefficient(
        0.20,
        "weight of continuity in 'support'",
        _MISTRUST_SEED,
        "Seeing a familiar clinician who remembers details from prior conversations signals "
        "reliability and commitment.",
    ),
    "W_SAFETY_NETTING": Coefficient(
        0.15,
        "weight of explicit safety-netting in 'support'",
        _MISTRUST_SEED,
        "Describing explicit steps for monitoring, escalation plans, and red flags helps "
        "patients feel secure in the care process.",
    ),
    "W_PACING": Coefficient(
        0.15,
        "weight of pacing in 'support'",
        _MISTRUST_SEED,
        "When decisions are made gradually and collaboratively, patients maintain a sense of "
        "control",
    ),
    "H_DISMISSAL": Coefficient(
        0.50,
        "weight of dismissal in 'harm' (the largest: the cycle starts from anticipated dismissal)",
        _CLINICIAN_SEED,
        "responding with judgment or dismissiveness only reinforces distrust",
    ),
    "H_PORTAL": Coefficient(
        0.25,
        "weight of portal results without context in 'harm'",
        _CLINICIAN_SEED,
        "when patients access lab or imaging results before discussing them with their "
        "physician, the lack of context can cause unnecessary distress and erode trust",
    ),
    "H_CONTRADICTORY": Coefficient(
        0.25,
        "weight of contradictory messages in 'harm'",
        _MISTRUST_SEED,
        "patients experience fewer contradictory messages, conflicting recommendations, or "
        "abrupt changes in plan",
    ),
    "BUILD": Coefficient(
        0.20,
        "per-visit trust gain at full support (slow on purpose)",
        _MISTRUST_SEED,
        "People with chronic mistrust often need time to witness sustained safety, "
        "predictability, and fairness.",
    ),
    "ERODE": Coefficient(
        0.40,
        "per-visit trust loss at full harm (faster than building)",
        _CLINICIAN_SEED,
        "trust can be shattered in seemingly small moments",
    ),
    "BETRAYAL": Coefficient(
        0.15,
        "trust loss when aroused symptoms are not met with support",
        _MISTRUST_SEED,
        "even minor symptoms may be interpreted as signals of betrayal or incompetence",
    ),
    "AROUSAL_BASE": Coefficient(
        0.25,
        "arousal from everyday life when care is neutral",
        _MISTRUST_SEED,
        "(baseline; no passage - a neutral starting level)",
    ),
    "MISTRUST_AROUSAL": Coefficient(
        0.45,
        "arousal driven by mistrust (anticipated dismissal -> vigilance)",
        _MISTRUST_SEED,
        "When people anticipate judgment, dismissal, or hidden agendas, the body responds with "
        "heightened vigilance, rumination, and autonomic arousal.",
    ),
    "HARM_AROUSAL": Coefficient(
        0.30,
        "arousal added by harmful behaviours at the visit",
        _CLINICIAN_SEED,
        "the lack of context can cause unnecessary distress",
    ),
    "SYMPTOM_WORRY": Coefficient(
        0.20,
        "arousal from worrying about symptoms, removed by explicit safety-netting",
        _MISTRUST_SEED,
        "Explicit safety assurances can counteract catastrophic interpretations of symptoms.",
    ),
    "STRESSOR_AROUSAL": Coefficient(
        0.30,
        "arousal from an outside stressor event (events only)",
        _MISTRUST_SEED,
        "it grows from past experiences, cultural narratives, and personal encounters",
    ),
    "CALMING": Coefficient(
        0.15,
        "arousal removed by supportive care",
        _MISTRUST_SEED,
        "When patients feel heard and understood, physiological arousal tends to decline",
    ),
    "AROUSAL_RATE": Coefficient(
        0.50,
        "fraction of the gap to the arousal target closed per visit",
        _MISTRUST_SEED,
        "the body’s stress response softens",
    ),
    "SYMPTOM_BASE": Coefficient(
        0.15,
        "symptom burden not driven by arousal (the biological floor in this toy)",
        _MISTRUST_SEED,
        "they come with real discomfort",
    ),
    "AROUSAL_SYMPTOMS": Coefficient(
        0.70,
        "symptom burden driven by arousal",
        _MISTRUST_SEED,
        "This somatic distress can manifest as headaches, fatigue, stomach upset, or muscle "
        "tension",
    ),
    "PACING_RELIEF": Coefficient(
        0.10,
        "symptom burden relieved directly by pacing",
        _MISTRUST_SEED,
        "which counteracts somatic escalation",
    ),
    "SYMPTOM_RATE": Coefficient(
        0.35,
        "fraction of the gap to the symptom target closed per visit (slower than arousal)",
        _MISTRUST_SEED,
        "sleep improves, and pain perception can lessen",
    ),
}

_K = {name: c.value for name, c in COEFFICIENTS.items()}


def _unit(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0.0 <= value <= 1.0
    ):
        msg = f"{name}: expected a number in [0, 1], got {value!r}"
        raise ValueError(msg)
    return float(value)


@dataclass(frozen=True)
class Behaviours:
    """How much of each clinician behaviour happens at a visit, each from 0 (never) to 1 (always).

    Helpful behaviours (seed: mistrust-amplifies-somatic-distress, 2025): ``transparency``
    (explaining the rationale in plain language), ``validation`` (acknowledging the truth of the
    patient's experience), ``continuity`` (a familiar clinician, coordinated team),
    ``safety_netting`` (explicit red flags, monitoring and escalation) and ``pacing`` (slowing
    investigations and conversations). Harmful behaviours: ``dismissal``,
    ``portal_without_context`` (results released before any conversation - seed:
    clinicians-role-restoring-trust, 2025) and ``contradictory_messages``.
    """

    transparency: float = 0.0
    validation: float = 0.0
    continuity: float = 0.0
    safety_netting: float = 0.0
    pacing: float = 0.0
    dismissal: float = 0.0
    portal_without_context: float = 0.0
    contradictory_messages: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, _unit(f.name, getattr(self, f.name)))

    def to_dict(self) -> dict[str, float]:
        """Return the behaviours as plain data."""
        return asdict(self)


@dataclass(frozen=True)
class State:
    """Trust in the clinician, autonomic arousal and somatic symptom burden, each in [0, 1]."""

    trust: float = 0.3
    arousal: float = 0.7
    symptoms: float = 0.7

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, _unit(f.name, getattr(self, f.name)))


_BEHAVIOUR_NAMES = tuple(f.name for f in fields(Behaviours))
_EVENT_KEYS = (*_BEHAVIOUR_NAMES, "stressor")


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def _step(state: State, b: Behaviours, stressor: float) -> State:
    k = _K
    support = (
        k["W_TRANSPARENCY"] * b.transparency
        + k["W_VALIDATION"] * b.validation
        + k["W_CONTINUITY"] * b.continuity
        + k["W_SAFETY_NETTING"] * b.safety_netting
        + k["W_PACING"] * b.pacing
    )
    harm = (
        k["H_DISMISSAL"] * b.dismissal
        + k["H_PORTAL"] * b.portal_without_context
        + k["H_CONTRADICTORY"] * b.contradictory_messages
    )
    t, a, s = state.trust, state.arousal, state.symptoms
    erode = k["ERODE"] * harm + k["BETRAYAL"] * s * a * (1.0 - support)
    trust = _clip(t + k["BUILD"] * support * (1.0 - t) - erode * t)
    arousal_target = _clip(
        k["AROUSAL_BASE"]
        + k["MISTRUST_AROUSAL"] * (1.0 - t)
        + k["HARM_AROUSAL"] * harm
        + k["SYMPTOM_WORRY"] * s * (1.0 - b.safety_netting)
        + k["STRESSOR_AROUSAL"] * stressor
        - k["CALMING"] * support
    )
    arousal = _clip(a + k["AROUSAL_RATE"] * (arousal_target - a))
    symptom_target = _clip(
        k["SYMPTOM_BASE"] + k["AROUSAL_SYMPTOMS"] * a - k["PACING_RELIEF"] * b.pacing
    )
    symptoms = _clip(s + k["SYMPTOM_RATE"] * (symptom_target - s))
    return State(trust, arousal, symptoms)


def _check_events(
    events: Mapping[int, Mapping[str, float]] | None, visits: int
) -> dict[int, dict[str, float]]:
    if events is None:
        return {}
    if not isinstance(events, Mapping):
        msg = f"events: expected a mapping of visit -> changes, got {events!r}"
        raise ValueError(msg)
    out: dict[int, dict[str, float]] = {}
    for visit, changes in events.items():
        if isinstance(visit, bool) or not isinstance(visit, int) or not 1 <= visit <= visits:
            msg = f"events: visit {visit!r} is not a visit number; allowed: 1-{visits}"
            raise ValueError(msg)
        if not isinstance(changes, Mapping):
            msg = f"events[{visit}]: expected a mapping of behaviour -> value, got {changes!r}"
            raise ValueError(msg)
        for key, value in changes.items():
            if key not in _EVENT_KEYS:
                msg = f"events[{visit}]: {key!r} is not known; allowed: {', '.join(_EVENT_KEYS)}"
                raise ValueError(msg)
            _unit(f"events[{visit}].{key}", value)
        out[visit] = {k: float(v) for k, v in changes.items()}
    return out


def simulate(
    behaviours: Behaviours,
    visits: int = 12,
    initial: State | None = None,
    events: Mapping[int, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Run the illustrative trust cycle over a series of visits (deterministic).

    ILLUSTRATIVE, NOT VALIDATED - see :data:`ILLUSTRATIVE_NOTE` and the module docstring for the
    equations; every coefficient is a teaching assumption listed in :data:`COEFFICIENTS`.

    Parameters
    ----------
    behaviours
        The clinician behaviours at every visit.
    visits
        Number of visits to simulate (1-500).
    initial
        The state before the first visit; defaults to ``State(trust=0.3, arousal=0.7,
        symptoms=0.7)`` - a patient arriving with chronic mistrust and high distress.
    events
        Optional one-visit changes: ``{visit: {name: value}}`` where ``name`` is a
        :class:`Behaviours` field (overrides it at that visit only) or ``"stressor"`` (an outside
        stress, 0-1). Example: ``{4: {"portal_without_context": 1.0}}`` - an abnormal result
        released to the portal before anyone explains it.

    Returns
    -------
    pandas.DataFrame
        Columns ``visit, trust, arousal, symptoms``; row 0 is ``initial`` and row *t* the state
        after visit *t*. All values lie in [0, 1]. ``attrs["note"]`` holds
        :data:`ILLUSTRATIVE_NOTE` and ``attrs["behaviours"]`` the behaviours used.
    """
    if not isinstance(behaviours, Behaviours):
        msg = f"behaviours: expected a Behaviours, got {type(behaviours).__name__}"
        raise ValueError(msg)
    if isinstance(visits, bool) or not isinstance(visits, int) or not 1 <= visits <= 500:
        msg = f"visits: expected an integer in 1-500, got {visits!r}"
        raise ValueError(msg)
    state = State() if initial is None else initial
    if not isinstance(state, State):
        msg = f"initial: expected a State, got {type(initial).__name__}"
        raise ValueError(msg)
    changes = _check_events(events, visits)
    rows = [(0, state.trust, state.arousal, state.symptoms)]
    for visit in range(1, visits + 1):
        event = changes.get(visit, {})
        stressor = event.get("stressor", 0.0)
        overrides = {k: v for k, v in event.items() if k != "stressor"}
        b = Behaviours(**{**behaviours.to_dict(), **overrides}) if overrides else behaviours
        state = _step(state, b, stressor)
        rows.append((visit, state.trust, state.arousal, state.symptoms))
    out = pd.DataFrame(rows, columns=["visit", "trust", "arousal", "symptoms"])
    out.attrs["note"] = ILLUSTRATIVE_NOTE
    out.attrs["behaviours"] = behaviours.to_dict()
    return out


_USUAL = {
    "transparency": 0.4,
    "validation": 0.3,
    "continuity": 0.4,
    "safety_netting": 0.3,
    "pacing": 0.3,
    "dismissal": 0.2,
    "portal_without_context": 0.3,
    "contradictory_messages": 0.2,
}

#: Preset behaviour profiles (teaching assumptions) for :func:`scenario`.
SCENARIOS: dict[str, Behaviours] = {
    "dismissive": Behaviours(
        transparency=0.1,
        validation=0.0,
        continuity=0.2,
        safety_netting=0.0,
        pacing=0.1,
        dismissal=0.8,
        portal_without_context=0.3,
        contradictory_messages=0.4,
    ),
    "usual care": Behaviours(**_USUAL),
    "trust-building": Behaviours(
        transparency=0.9,
        validation=0.9,
        continuity=0.9,
        safety_netting=0.9,
        pacing=0.8,
        dismissal=0.0,
        portal_without_context=0.0,
        contradictory_messages=0.05,
    ),
    "portal without context": Behaviours(**{**_USUAL, "portal_without_context": 1.0}),
}


def scenario(name: str) -> Behaviours:
    """Return a preset behaviour profile by name (illustrative teaching presets).

    Parameters
    ----------
    name
        ``'dismissive'``, ``'usual care'``, ``'trust-building'`` or ``'portal without
        context'`` (usual care, but every result reaches the portal before any explanation).

    Returns
    -------
    Behaviours
        The preset.
    """
    if name not in SCENARIOS:
        msg = f"scenario: {name!r} is not a preset; allowed: {', '.join(SCENARIOS)}"
        raise ValueError(msg)
    return SCENARIOS[name]


def compare_scenarios(
    names: list[str] | None = None, visits: int = 12, initial: State | None = None
) -> pd.DataFrame:
    """Simulate several presets and stack them (long format) for one comparison plot.

    Parameters
    ----------
    names
        Preset names; defaults to all of :data:`SCENARIOS`.
    visits
        Visits per run.
    initial
        Shared starting state.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, visit, trust, arousal, symptoms``; ``attrs["note"]`` holds
        :data:`ILLUSTRATIVE_NOTE`.
    """
    chosen = list(SCENARIOS) if names is None else list(names)
    frames = [
        simulate(scenario(n), visits=visits, initial=initial).assign(scenario=n) for n in chosen
    ]
    out = pd.concat(frames, ignore_index=True)[
        ["scenario", "visit", "trust", "arousal", "symptoms"]
    ]
    out.attrs["note"] = ILLUSTRATIVE_NOTE
    return out
