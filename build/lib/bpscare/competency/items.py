"""Classical item analysis from SQL aggregates: difficulty, discrimination, Cronbach's alpha.

Only sums travel from the database (see :class:`bpscare.competency.evidence.ItemMoments`); these
functions turn them into statistics, over the learners who submitted the item's assignment:

- difficulty (facility) p = mean score / max points (Crocker & Algina, *Introduction to Classical
  and Modern Test Theory*, 1986, ch. 14);
- discrimination = corrected item-total correlation: the Pearson correlation between the item
  score x and the rest score R = T - x, T being the learner's raw total on the assignment. For a
  0/1 item it is the point-biserial correlation; "corrected" removes the item from the total so
  it does not correlate with itself (Crocker & Algina 1986; Henrysson, *Educational and
  Psychological Measurement* 1963;23:519-531). From the sums::

      cov(x, R) = (sum xT - sum x^2)/n - mean(x) * (sum T - sum x)/n
      var(R)    = (sum T^2 - 2 sum xT + sum x^2)/n - ((sum T - sum x)/n)^2

- Cronbach's alpha per assignment (Cronbach, *Psychometrika* 1951;16:297-334)::

      alpha = k/(k-1) * (1 - sum of item variances / variance of the total)

  with sample variances (n - 1); alpha needs k >= 2 items, n >= 2 learners and a total
  variance above zero, otherwise it is reported as missing.

Undefined statistics (an item everyone scored the same on, fewer than 2 learners) are NaN and are
written as empty cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpscare.competency.evidence import ItemMoments

_EPS = 1e-12


@dataclass(frozen=True)
class ItemStatistics:
    """Per-item statistics, arrays indexed by cell number."""

    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    difficulty: np.ndarray
    discrimination: np.ndarray


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha of one assignment with the numbers it rests on."""

    k_items: int
    n: int
    mean_total: float
    sd_total: float
    alpha: float


def item_statistics(moments: ItemMoments, max_scores: np.ndarray) -> ItemStatistics:
    """Compute difficulty and corrected item-total correlation for every item from its sums.

    Parameters
    ----------
    moments
        SQL aggregates per item (n, sum x, sum x^2, sum xT, sum T, sum T^2).
    max_scores
        Maximum points of each item (difficulty is NaN where it is 0).
    """
    n = moments.n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, moments.sx / n, np.nan)
        var_x = moments.sxx / n - mean**2
        sd = np.where(n > 1, np.sqrt(np.clip(var_x * n / (n - 1), 0.0, None)), np.nan)
        difficulty = np.where(max_scores > 0, mean / max_scores, np.nan)
        sr = moments.st - moments.sx
        cov_xr = (moments.sxt - moments.sxx) / n - mean * sr / n
        var_r = (moments.stt - 2.0 * moments.sxt + moments.sxx) / n - (sr / n) ** 2
        scale_x = np.maximum(1.0, mean**2)
        scale_r = np.maximum(1.0, (sr / n) ** 2)
        ok = (n > 1) & (var_x > _EPS * scale_x) & (var_r > _EPS * scale_r)
        r = np.where(ok, cov_xr / np.sqrt(np.where(ok, var_x * var_r, 1.0)), np.nan)
    return ItemStatistics(
        n=moments.n.astype(np.int64),
        mean=mean,
        sd=sd,
        difficulty=difficulty,
        discrimination=np.clip(r, -1.0, 1.0),
    )


def cronbach_alpha(item_variances: np.ndarray, total_variance: float) -> float:
    """Return Cronbach's alpha from item and total sample variances (NaN when undefined)."""
    k = len(item_variances)
    if k < 2 or not np.isfinite(total_variance) or total_variance <= _EPS:
        return float("nan")
    return float(k / (k - 1) * (1.0 - float(np.sum(item_variances)) / total_variance))


def assignment_reliability(
    moments: ItemMoments,
    item_assignment: np.ndarray,
    totals: np.ndarray,
    total_assignment: np.ndarray,
    n_assignments: int,
) -> list[Reliability]:
    """Compute Cronbach's alpha for each assignment from item sums and submission totals.

    Parameters
    ----------
    moments
        Per-item SQL aggregates.
    item_assignment
        Assignment number of each item.
    totals
        Raw total of each submission (one value per learner who submitted).
    total_assignment
        Assignment number of each submission.
    n_assignments
        Number of assignments.
    """
    out = []
    n_items = moments.n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        item_var = (moments.sxx - moments.sx**2 / n_items) / (n_items - 1)
    for a in range(n_assignments):
        in_a = item_assignment == a
        t = totals[total_assignment == a]
        n = len(t)
        mean_total = float(np.mean(t)) if n else float("nan")
        var_total = float(np.var(t, ddof=1)) if n > 1 else float("nan")
        usable = in_a & (n_items > 1)
        alpha = cronbach_alpha(item_var[usable], var_total) if n > 1 else float("nan")
        out.append(
            Reliability(
                k_items=int(in_a.sum()),
                n=n,
                mean_total=mean_total,
                sd_total=float(np.sqrt(var_total)) if n > 1 else float("nan"),
                alpha=alpha,
            )
        )
    return out
