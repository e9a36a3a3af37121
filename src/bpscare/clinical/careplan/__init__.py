"""Integrated care plans: a JSON-able plan model, learner-facing plan checks and a Markdown export.

The package holds the plan model (:mod:`~bpscare.clinical.careplan.model`), the controlled
vocabulary loader (:mod:`~bpscare.clinical.careplan.vocabulary_loader`), the text matching rules
(:mod:`~bpscare.clinical.careplan.text_matching`), the checks and their review
(:mod:`~bpscare.clinical.careplan.checks`, :mod:`~bpscare.clinical.careplan.review`) and the
Markdown export (:mod:`~bpscare.clinical.careplan.markdown_export`); every public name is
re-exported here.
"""

from __future__ import annotations

from bpscare.clinical.careplan.checks import check_plan, smart_parts
from bpscare.clinical.careplan.markdown_export import plan_to_markdown
from bpscare.clinical.careplan.model import (
    FOLLOW_UP_MODES,
    CarePlan,
    FollowUp,
    Referral,
    SafetyNet,
    SmartGoal,
    TeamMember,
)
from bpscare.clinical.careplan.review import (
    QUALITY_WEIGHT,
    REQUIRED_WEIGHT,
    Finding,
    PlanReview,
    Severity,
)
from bpscare.clinical.careplan.text_matching import (
    FUNCTION_PATTERN,
    MEASURE_PATTERN,
    TIME_FRAME_PATTERN,
    red_flag_matches,
)
from bpscare.clinical.careplan.vocabulary_loader import VOCABULARY_SECTIONS, vocabulary

__all__ = [
    "FOLLOW_UP_MODES",
    "FUNCTION_PATTERN",
    "MEASURE_PATTERN",
    "QUALITY_WEIGHT",
    "REQUIRED_WEIGHT",
    "TIME_FRAME_PATTERN",
    "VOCABULARY_SECTIONS",
    "CarePlan",
    "Finding",
    "FollowUp",
    "PlanReview",
    "Referral",
    "SafetyNet",
    "Severity",
    "SmartGoal",
    "TeamMember",
    "check_plan",
    "plan_to_markdown",
    "red_flag_matches",
    "smart_parts",
    "vocabulary",
]
