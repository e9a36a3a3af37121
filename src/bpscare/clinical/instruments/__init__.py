"""Screeners: rule records, published wording, scoring and next steps for the PHQ family and more.

The rules of each instrument are one record (:mod:`~bpscare.clinical.instruments.rules`), the PHQ
family wording is package data (:mod:`~bpscare.clinical.instruments.wording`), scores come from
:mod:`~bpscare.clinical.instruments.scoring` and next steps from
:mod:`~bpscare.clinical.instruments.actions`. Import every public name from this package.

Examples
--------
>>> from bpscare.clinical.instruments import score, recommended_action
>>> result = score("PHQ-9", [1, 0, 0, 0, 0, 0, 0, 0, 1])
>>> result.total, result.band, result.safety_alert
(2, 'minimal', True)
>>> recommended_action(result).startswith("Safety first")
True
"""

from __future__ import annotations

from bpscare.clinical.instruments.actions import (
    provisional_safety_action,
    recommended_action,
    safety_action,
    safety_item_guidance,
)
from bpscare.clinical.instruments.rules import (
    INSTRUMENT_NAMES,
    RULES,
    SCORE_ONLY_NAMES,
    Band,
    InstrumentRules,
    SafetyItemRule,
    Subscale,
    bands,
    normalise_name,
    rules_for,
)
from bpscare.clinical.instruments.scoring import (
    MAJOR_DEPRESSIVE_SYNDROME,
    OTHER_DEPRESSIVE_SYNDROME,
    Score,
    score,
    score_sss8,
    score_wsas,
)
from bpscare.clinical.instruments.wording import InstrumentInfo, anchors, instrument_info, items

__all__ = [
    "INSTRUMENT_NAMES",
    "MAJOR_DEPRESSIVE_SYNDROME",
    "OTHER_DEPRESSIVE_SYNDROME",
    "RULES",
    "SCORE_ONLY_NAMES",
    "Band",
    "InstrumentInfo",
    "InstrumentRules",
    "SafetyItemRule",
    "Score",
    "Subscale",
    "anchors",
    "bands",
    "instrument_info",
    "items",
    "normalise_name",
    "provisional_safety_action",
    "recommended_action",
    "rules_for",
    "safety_action",
    "safety_item_guidance",
    "score",
    "score_sss8",
    "score_wsas",
]
