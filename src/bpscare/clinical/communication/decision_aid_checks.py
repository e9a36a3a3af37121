"""Decision aid checks: teaching criteria inspired by IPDAS, and the review they produce.

:func:`check_decision_aid` checks a decision aid
(:class:`~bpscare.clinical.communication.decision_aid.DecisionAid`) against a few criteria
inspired by the International Patient Decision Aid Standards (IPDAS) collaboration (Elwyn G, et
al., BMJ 2006;333:417 - the IPDAS criteria framework; Joseph-Williams N, et al., Med Decis Making
2014;34:699-710 - minimum standards).

The Elwyn 2006 and Joseph-Williams 2014 citations are not in the project's facts file; check them
before quoting in course text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bpscare.clinical.communication.decision_aid import DecisionAid, Option

__all__ = [
    "DECISION_AID_CRITERIA",
    "AidFinding",
    "AidReview",
    "check_decision_aid",
]

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
