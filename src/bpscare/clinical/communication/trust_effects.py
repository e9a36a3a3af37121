"""Behaviour effects: which clinician behaviours moved the illustrative trust-cycle curves.

:func:`behaviour_effects` and :func:`describe_effects` explain, one behaviour at a time, the
trajectories of the ILLUSTRATIVE, NOT VALIDATED trust-cycle model
(:mod:`bpscare.clinical.trust_model`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace

import pandas as pd

from bpscare.clinical import trust_model
from bpscare.clinical.trust_model import Behaviours, State

__all__ = [
    "BEHAVIOUR_LABELS",
    "HARMFUL_BEHAVIOURS",
    "HELPFUL_BEHAVIOURS",
    "BehaviourEffect",
    "behaviour_effects",
    "describe_effects",
]

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
