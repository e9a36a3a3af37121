"""The result of a care-plan review: findings and partial-credit scoring.

:func:`bpscare.clinical.careplan.checks.check_plan` returns a :class:`PlanReview`; each
:class:`Finding` is one check with feedback a learner can act on. Required checks weigh
:data:`REQUIRED_WEIGHT`, quality checks :data:`QUALITY_WEIGHT`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["QUALITY_WEIGHT", "REQUIRED_WEIGHT", "Finding", "PlanReview", "Severity"]

#: Weight of a required check in :meth:`PlanReview.score`.
REQUIRED_WEIGHT = 1.0
#: Weight of a quality check in :meth:`PlanReview.score` (half a required check).
QUALITY_WEIGHT = 0.5

Severity = Literal["required", "quality"]


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
