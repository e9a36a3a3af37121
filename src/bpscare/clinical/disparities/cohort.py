"""Synthetic emergency-department analgesia cohort with published disparities built in.

The cohort lets learners *measure* a documented disparity instead of being told about it: Black
patients in US emergency departments are less likely than White patients with the same pain to
receive any analgesia (Lee P, et al. Racial and ethnic disparities in the management of acute pain
in US emergency departments: meta-analysis and systematic review. Am J Emerg Med
2019;37(9):1770-1777, doi 10.1016/j.ajem.2019.06.014 - 14 studies, OR 0.60, 95% CI 0.43-0.83),
and Black and Hispanic patients are less likely to receive an opioid (Meghani SH, Byun E,
Gallagher RM. Time to take stock: a meta-analysis and systematic review of analgesic treatment
disparities for pain in the United States. Pain Med 2012;13(2):150-174, PMID 22239747 - OR 0.66
Black, 0.70 Hispanic, non-traumatic/non-surgical pain).

The popular claim that Black Americans are "22% less likely to receive any pain medication" is
**not** used: it is attributed to Meghani et al. 2012 but is not in the abstract the project's
facts file could check (marked UNVERIFIED there), and a "less likely" percentage is a risk
difference or ratio whose size depends on the baseline rate, so it cannot be turned into a model
parameter without more information.

Every parameter is listed in :data:`PARAMETERS` with its source; values marked
``"assumption": True`` are teaching choices, not estimates. The data are synthetic: no row is a
real person, and group labels stand for patients' recorded race/ethnicity, not for biology. The
statistics to analyse the cohort are in :mod:`bpscare.clinical.disparities.statistics`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["GROUPS", "PAIN_CATEGORIES", "PARAMETERS", "generate_ed_cohort", "pain_category"]

GROUPS: tuple[str, ...] = ("White", "Black", "Hispanic")
#: Pain categories on the 0-10 numeric rating scale: mild 1-3, moderate 4-6, severe 7-10.
PAIN_CATEGORIES: dict[str, tuple[int, int]] = {
    "mild": (1, 3),
    "moderate": (4, 6),
    "severe": (7, 10),
}

_LEE = (
    "Lee P, et al. Am J Emerg Med 2019;37(9):1770-1777 (meta-analysis of 14 US ED studies), "
    "random-effects model"
)
_MEGHANI = "Meghani SH, Byun E, Gallagher RM. Pain Med 2012;13(2):150-174, PMID 22239747 (abstract)"

#: Every parameter of :func:`generate_ed_cohort`: value, source and note. ``assumption`` marks
#: teaching choices that no source supplies.
PARAMETERS: dict[str, dict[str, Any]] = {
    "or_any_analgesia_black": {
        "value": 0.60,
        "source": _LEE,
        "note": "Black vs White, any analgesia for acute pain; 95% CI 0.43-0.83.",
        "assumption": False,
    },
    "or_any_analgesia_hispanic": {
        "value": 0.75,
        "source": _LEE,
        "note": (
            "Hispanic vs White, any analgesia; 95% CI 0.52-1.09 - the interval includes 1, so "
            "this difference was not statistically significant in the meta-analysis."
        ),
        "assumption": False,
    },
    "or_opioid_black": {
        "value": 0.66,
        "source": _MEGHANI,
        "note": (
            "Black vs White, opioid for non-traumatic/non-surgical pain; 95% CI 0.59-0.75. "
            "Pooled across settings, not ED-only; applied here to ED visits (assumption of "
            "transfer)."
        ),
        "assumption": False,
    },
    "or_opioid_hispanic": {
        "value": 0.70,
        "source": _MEGHANI,
        "note": "Hispanic vs White, opioid for non-traumatic/non-surgical pain; 95% CI 0.64-0.77.",
        "assumption": False,
    },
    "group_shares": {
        "value": {"White": 0.50, "Black": 0.25, "Hispanic": 0.25},
        "source": "teaching assumption",
        "note": "Chosen for balanced comparison groups; not the mix of any real ED population.",
        "assumption": True,
    },
    "pain_score_distribution": {
        "value": {
            1: 0.04,
            2: 0.05,
            3: 0.07,
            4: 0.08,
            5: 0.10,
            6: 0.11,
            7: 0.13,
            8: 0.15,
            9: 0.14,
            10: 0.13,
        },
        "source": "teaching assumption",
        "note": (
            "Numeric rating scale 1-10 among patients presenting with pain, skewed to moderate "
            "and severe. The same in every group by design, so any difference in treatment is "
            "not explained by reported pain."
        ),
        "assumption": True,
    },
    "any_analgesia_intercept": {
        "value": -1.4,
        "source": "teaching assumption",
        "note": "Log-odds for White patients at pain score 0 (about 25% at score 1, 83% at 10).",
        "assumption": True,
    },
    "opioid_intercept": {
        "value": -2.6,
        "source": "teaching assumption",
        "note": "Log-odds of an opioid for White patients at pain score 0 (9% at 1, 60% at 10).",
        "assumption": True,
    },
    "pain_slope": {
        "value": 0.30,
        "source": "teaching assumption",
        "note": "Change in log-odds per pain point, the same for any analgesia and opioids.",
        "assumption": True,
    },
}


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def pain_category(score: int) -> str:
    """Return 'mild' (1-3), 'moderate' (4-6) or 'severe' (7-10) for a 1-10 pain score."""
    for name, (low, high) in PAIN_CATEGORIES.items():
        if low <= score <= high:
            return name
    msg = f"pain score {score!r} has no category; allowed: 1-10"
    raise ValueError(msg)


def generate_ed_cohort(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Generate a reproducible synthetic ED cohort with published analgesia disparities built in.

    For each visit the model draws a group and a pain score (same distribution in every group),
    then

    - logit P(any analgesia) = ``any_analgesia_intercept`` + ``pain_slope`` x pain +
      log OR(group, any analgesia)
    - logit P(opioid) = ``opioid_intercept`` + ``pain_slope`` x pain + log OR(group, opioid)

    with White as the reference (log OR 0). So **conditional on pain score** the odds ratios equal
    the published ones (:data:`PARAMETERS`), and odds ratios stratified by pain (e.g. the
    Mantel-Haenszel OR over pain categories) recover them in large samples. One uniform draw is
    shared by both outcomes, so every opioid recipient also counts as receiving analgesia (the
    opioid probability is below the any-analgesia probability for every group and score).

    Parameters
    ----------
    n
        Number of visits (at least 1).
    seed
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same data.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id, group, pain_score, pain_category, received_analgesia,
        received_opioid``.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        msg = f"n: expected a positive integer, got {n!r}"
        raise ValueError(msg)
    p = {k: v["value"] for k, v in PARAMETERS.items()}
    rng = np.random.default_rng(seed)
    shares = np.array([p["group_shares"][g] for g in GROUPS])
    group_idx = rng.choice(len(GROUPS), size=n, p=shares)
    scores = np.array(list(p["pain_score_distribution"]))
    weights = np.array(list(p["pain_score_distribution"].values()))
    pain = rng.choice(scores, size=n, p=weights / weights.sum())
    u = rng.random(n)
    log_or_any = np.log([1.0, p["or_any_analgesia_black"], p["or_any_analgesia_hispanic"]])
    log_or_opioid = np.log([1.0, p["or_opioid_black"], p["or_opioid_hispanic"]])
    p_any = _expit(p["any_analgesia_intercept"] + p["pain_slope"] * pain + log_or_any[group_idx])
    p_opioid = _expit(p["opioid_intercept"] + p["pain_slope"] * pain + log_or_opioid[group_idx])
    return pd.DataFrame(
        {
            "patient_id": [f"ED{i + 1:05d}" for i in range(n)],
            "group": np.asarray(GROUPS, dtype=object)[group_idx],
            "pain_score": pain.astype(np.int64),
            "pain_category": [pain_category(int(s)) for s in pain],
            "received_analgesia": u < p_any,
            "received_opioid": u < p_opioid,
        }
    )
