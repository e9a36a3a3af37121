"""Disparity data for teaching: a synthetic ED analgesia cohort and the statistics to examine it.

:mod:`~bpscare.clinical.disparities.cohort` generates the cohort with published odds ratios built
in (every parameter sourced); :mod:`~bpscare.clinical.disparities.statistics` computes rates,
risk and odds ratios and Mantel-Haenszel pooled odds ratios with 95 % intervals. Import every
public name from this package.
"""

from __future__ import annotations

from bpscare.clinical.disparities.cohort import (
    GROUPS,
    PAIN_CATEGORIES,
    PARAMETERS,
    generate_ed_cohort,
    pain_category,
)
from bpscare.clinical.disparities.statistics import (
    POOLED_LABEL,
    Z95,
    Estimate,
    mantel_haenszel_odds_ratio,
    odds_ratio,
    odds_ratio_from_counts,
    rates,
    risk_ratio,
    risk_ratio_from_counts,
    stratified_odds_ratio,
    wilson_interval,
)

__all__ = [
    "GROUPS",
    "PAIN_CATEGORIES",
    "PARAMETERS",
    "POOLED_LABEL",
    "Z95",
    "Estimate",
    "generate_ed_cohort",
    "mantel_haenszel_odds_ratio",
    "odds_ratio",
    "odds_ratio_from_counts",
    "pain_category",
    "rates",
    "risk_ratio",
    "risk_ratio_from_counts",
    "stratified_odds_ratio",
    "wilson_interval",
]
