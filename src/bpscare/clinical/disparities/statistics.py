"""Rates, 2x2 ratios and stratified odds ratios with 95 % intervals, to examine disparities.

Built for the synthetic cohort of :mod:`bpscare.clinical.disparities.cohort` but usable on any
data frame with a binary outcome and a grouping column. Statistics (95 % intervals,
z = 1.959963984540054): Wilson score interval for a proportion (Wilson, J Am Stat Assoc 1927);
risk ratio with the Katz log interval (Katz et al., Biometrics 1978); odds ratio with the Woolf
log interval (Woolf, Ann Hum Genet 1955); Mantel-Haenszel pooled odds ratio (Mantel & Haenszel,
J Natl Cancer Inst 1959) with the Robins-Breslow-Greenland variance (Biometrics
1986;42:311-323).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from bpscare.clinical.disparities.cohort import PAIN_CATEGORIES

__all__ = [
    "POOLED_LABEL",
    "Z95",
    "Estimate",
    "mantel_haenszel_odds_ratio",
    "odds_ratio",
    "odds_ratio_from_counts",
    "rates",
    "risk_ratio",
    "risk_ratio_from_counts",
    "stratified_odds_ratio",
    "wilson_interval",
]

#: Two-sided 95 % standard-normal quantile.
Z95 = 1.959963984540054

_STRATUM_COLUMNS = [
    "stratum",
    "events_group",
    "nonevents_group",
    "events_reference",
    "nonevents_reference",
    "n",
    "odds_ratio",
    "lower",
    "upper",
    "method",
]
POOLED_LABEL = "Mantel-Haenszel pooled"


@dataclass(frozen=True)
class Estimate:
    """A ratio estimate with its 95 % confidence interval.

    Parameters
    ----------
    estimate
        The point estimate.
    lower, upper
        The 95 % confidence limits.
    method
        How it was computed (names the interval and any correction).
    n
        Number of observations used (before any continuity correction).
    """

    estimate: float
    lower: float
    upper: float
    method: str
    n: int

    def to_dict(self) -> dict[str, Any]:
        """Return the estimate as plain JSON-able data."""
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _check_frame(df: object, columns: Sequence[str]) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        msg = f"df: expected a pandas DataFrame, got {type(df).__name__}"
        raise ValueError(msg)
    for col in columns:
        if col not in df.columns:
            msg = f"unknown column {col!r}; available: {', '.join(map(str, df.columns))}"
            raise ValueError(msg)
    return df


def _binary(df: pd.DataFrame, outcome: str) -> pd.Series:
    values = df[outcome]
    if values.isna().any():
        msg = f"outcome {outcome!r} has missing values; drop or fill them first"
        raise ValueError(msg)
    if values.dtype == bool:
        return values.astype(bool)
    if pd.api.types.is_numeric_dtype(values):
        bad = ~values.isin([0, 1])
        if not bad.any():
            return values.astype(bool)
        example = values[bad].iloc[0]
    else:
        example = values.iloc[0]
    msg = f"outcome {outcome!r} is not binary (True/False or 0/1); found {example!r}"
    raise ValueError(msg)


def _levels(df: pd.DataFrame, column: str, group: object, reference: object) -> None:
    present = list(pd.unique(df[column]))
    for role, level in (("group", group), ("reference group", reference)):
        if level not in present:
            msg = (
                f"{role} {level!r} not found in column {column!r}; "
                f"present: {', '.join(map(str, present))}"
            )
            raise ValueError(msg)
    if group == reference:
        msg = f"group and reference are both {group!r}; compare two different groups"
        raise ValueError(msg)


def _counts(
    df: pd.DataFrame, outcome: pd.Series, column: str, group: object, reference: object
) -> tuple[int, int, int, int]:
    in_group = df[column] == group
    in_ref = df[column] == reference
    a = int((outcome & in_group).sum())
    b = int((~outcome & in_group).sum())
    c = int((outcome & in_ref).sum())
    d = int((~outcome & in_ref).sum())
    return a, b, c, d


def _check_counts(counts: Sequence[object]) -> tuple[int, int, int, int]:
    if len(counts) != 4:
        msg = f"expected four counts (a, b, c, d), got {len(counts)}"
        raise ValueError(msg)
    for name, value in zip("abcd", counts, strict=True):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            msg = f"count {name}: expected a non-negative integer, got {value!r}"
            raise ValueError(msg)
    a, b, c, d = (int(v) for v in counts)  # type: ignore[call-overload]  # checked above
    if a + b == 0 or c + d == 0:
        msg = f"counts {(a, b, c, d)}: each group needs at least one observation"
        raise ValueError(msg)
    return a, b, c, d


# --------------------------------------------------------------------------------------------
# Proportions and 2x2 ratios
# --------------------------------------------------------------------------------------------


def wilson_interval(events: int, n: int) -> tuple[float, float]:
    """Return the 95 % Wilson score interval for ``events`` out of ``n``.

    (Wilson EB, J Am Stat Assoc 1927;22:209-212.) Unlike the Wald interval it stays inside
    [0, 1] and behaves well for small ``n`` and proportions near 0 or 1.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        msg = f"n: expected a positive integer, got {n!r}"
        raise ValueError(msg)
    if isinstance(events, bool) or not isinstance(events, int | np.integer) or not 0 <= events <= n:
        msg = f"events: expected an integer in 0..{n}, got {events!r}"
        raise ValueError(msg)
    p = events / n
    z2 = Z95 * Z95
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    lower = 0.0 if events == 0 else max(0.0, centre - half)
    upper = 1.0 if events == n else min(1.0, centre + half)
    return lower, upper


def rates(df: pd.DataFrame, outcome: str, by: str | Sequence[str]) -> pd.DataFrame:
    """Tabulate how often ``outcome`` happens in each level of ``by``, with Wilson 95 % CIs.

    Parameters
    ----------
    df
        The data.
    outcome
        A binary column (True/False or 0/1).
    by
        One column name or a list of them.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, n, events, rate, lower, upper``, one row per observed combination, in
        sorted order.
    """
    keys = [by] if isinstance(by, str) else list(by)
    _check_frame(df, [outcome, *keys])
    if not keys:
        msg = "by: name at least one column"
        raise ValueError(msg)
    flag = _binary(df, outcome)
    grouped = flag.groupby([df[k] for k in keys], sort=True, observed=True)
    table = grouped.agg(["size", "sum"]).reset_index()
    table.columns = [*keys, "n", "events"]
    table["n"] = table["n"].astype(int)
    table["events"] = table["events"].astype(int)
    table["rate"] = table["events"] / table["n"]
    limits = [
        wilson_interval(int(e), int(m)) for e, m in zip(table["events"], table["n"], strict=True)
    ]
    table["lower"] = [lo for lo, _ in limits]
    table["upper"] = [hi for _, hi in limits]
    return table


def _corrected(a: int, b: int, c: int, d: int, need: bool) -> tuple[tuple[float, ...], bool]:
    if need:
        return (a + 0.5, b + 0.5, c + 0.5, d + 0.5), True
    return (float(a), float(b), float(c), float(d)), False


def odds_ratio_from_counts(a: int, b: int, c: int, d: int) -> Estimate:
    """Odds ratio (a/b) / (c/d) with the Woolf (log) 95 % interval.

    Layout: ``a`` events and ``b`` non-events in the compared group, ``c`` events and ``d``
    non-events in the reference group. SE(log OR) = sqrt(1/a + 1/b + 1/c + 1/d) (Woolf, Ann Hum
    Genet 1955). When any cell is 0, 0.5 is added to **all four** cells (Haldane, Ann Hum Genet
    1956) for both the estimate and the interval, and ``method`` says so.
    """
    a, b, c, d = _check_counts((a, b, c, d))
    (ca, cb, cc, cd), fixed = _corrected(a, b, c, d, min(a, b, c, d) == 0)
    log_or = math.log(ca * cd / (cb * cc))
    se = math.sqrt(1 / ca + 1 / cb + 1 / cc + 1 / cd)
    method = "odds ratio, Woolf log 95% CI" + (" (Haldane 0.5 correction)" if fixed else "")
    return Estimate(
        math.exp(log_or),
        math.exp(log_or - Z95 * se),
        math.exp(log_or + Z95 * se),
        method,
        a + b + c + d,
    )


def risk_ratio_from_counts(a: int, b: int, c: int, d: int) -> Estimate:
    """Risk ratio [a/(a+b)] / [c/(c+d)] with the Katz (log) 95 % interval.

    SE(log RR) = sqrt(1/a - 1/(a+b) + 1/c - 1/(c+d)) (Katz, Baptista, Azen, Pike, Biometrics
    1978). When ``a`` or ``c`` is 0 the log is undefined, so 0.5 is added to all four cells (as
    for the odds ratio) and ``method`` says so.
    """
    a, b, c, d = _check_counts((a, b, c, d))
    (ca, cb, cc, cd), fixed = _corrected(a, b, c, d, a == 0 or c == 0)
    log_rr = math.log((ca / (ca + cb)) / (cc / (cc + cd)))
    se = math.sqrt(max(0.0, 1 / ca - 1 / (ca + cb) + 1 / cc - 1 / (cc + cd)))
    method = "risk ratio, Katz log 95% CI" + (" (0.5 correction)" if fixed else "")
    return Estimate(
        math.exp(log_rr),
        math.exp(log_rr - Z95 * se),
        math.exp(log_rr + Z95 * se),
        method,
        a + b + c + d,
    )


def odds_ratio(
    df: pd.DataFrame, outcome: str, group: object, reference: object, *, column: str = "group"
) -> Estimate:
    """Odds ratio of ``outcome`` for ``group`` versus ``reference`` (Woolf CI; Haldane if needed).

    Parameters
    ----------
    df
        The data; rows in other groups are ignored.
    outcome
        A binary column.
    group
        The compared level of ``column`` (e.g. ``'Black'``).
    reference
        The reference level (e.g. ``'White'``).
    column
        The grouping column.

    Returns
    -------
    Estimate
        See :func:`odds_ratio_from_counts`.
    """
    _check_frame(df, [outcome, column])
    flag = _binary(df, outcome)
    _levels(df, column, group, reference)
    return odds_ratio_from_counts(*_counts(df, flag, column, group, reference))


def risk_ratio(
    df: pd.DataFrame, outcome: str, group: object, reference: object, *, column: str = "group"
) -> Estimate:
    """Risk ratio of ``outcome`` for ``group`` versus ``reference`` (Katz log CI).

    Parameters are as for :func:`odds_ratio`; see :func:`risk_ratio_from_counts`.
    """
    _check_frame(df, [outcome, column])
    flag = _binary(df, outcome)
    _levels(df, column, group, reference)
    return risk_ratio_from_counts(*_counts(df, flag, column, group, reference))


# --------------------------------------------------------------------------------------------
# Stratified analysis
# --------------------------------------------------------------------------------------------


def mantel_haenszel_odds_ratio(tables: Sequence[Sequence[int]]) -> Estimate:
    """Mantel-Haenszel pooled odds ratio with the Robins-Breslow-Greenland 95 % interval.

    For strata i with cells (a, b, c, d) and n = a + b + c + d:
    OR_MH = sum(a d / n) / sum(b c / n) (Mantel & Haenszel, J Natl Cancer Inst 1959). With
    R = a d / n, S = b c / n, P = (a + d) / n, Q = (b + c) / n, the variance of log OR_MH is
    sum(P R) / (2 (sum R)^2) + sum(P S + Q R) / (2 sum R sum S) + sum(Q S) / (2 (sum S)^2)
    (Robins, Breslow, Greenland, Biometrics 1986;42:311-323). Raw counts are used - no
    continuity correction - and strata with n = 0 are skipped.

    Parameters
    ----------
    tables
        One (a, b, c, d) per stratum, laid out as in :func:`odds_ratio_from_counts`.

    Returns
    -------
    Estimate
        The pooled odds ratio and its interval.

    Raises
    ------
    ValueError
        If there are no tables, a count is invalid, or sum(R) or sum(S) is 0 (the pooled OR would
        be 0 or infinite).
    """
    if not tables:
        msg = "tables: give at least one stratum"
        raise ValueError(msg)
    sr = ss = spr = sps_qr = sqs = 0.0
    total = 0
    for i, table in enumerate(tables):
        if len(table) != 4:
            msg = f"tables[{i}]: expected four counts (a, b, c, d), got {table!r}"
            raise ValueError(msg)
        for name, value in zip("abcd", table, strict=True):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                msg = f"tables[{i}].{name}: expected a non-negative integer, got {value!r}"
                raise ValueError(msg)
        a, b, c, d = (int(v) for v in table)
        n = a + b + c + d
        total += n
        if n == 0:
            continue
        r, s = a * d / n, b * c / n
        p, q = (a + d) / n, (b + c) / n
        sr += r
        ss += s
        spr += p * r
        sps_qr += p * s + q * r
        sqs += q * s
    if sr == 0 or ss == 0:
        msg = (
            "cannot pool: every stratum has a zero in a*d or in b*c, so the Mantel-Haenszel "
            "odds ratio is 0 or infinite"
        )
        raise ValueError(msg)
    log_or = math.log(sr / ss)
    var = spr / (2 * sr * sr) + sps_qr / (2 * sr * ss) + sqs / (2 * ss * ss)
    se = math.sqrt(var)
    return Estimate(
        math.exp(log_or),
        math.exp(log_or - Z95 * se),
        math.exp(log_or + Z95 * se),
        "Mantel-Haenszel odds ratio, Robins-Breslow-Greenland 95% CI",
        total,
    )


def _stratum_order(values: pd.Series) -> list[object]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if (values == c).any()]
    present = list(pd.unique(values))
    if set(present) <= set(PAIN_CATEGORIES):
        return [c for c in PAIN_CATEGORIES if c in present]
    try:
        return sorted(present)
    except TypeError:
        return present


def stratified_odds_ratio(
    df: pd.DataFrame,
    outcome: str,
    group: object,
    reference: object,
    strata: str = "pain_category",
    *,
    column: str = "group",
) -> pd.DataFrame:
    """Odds ratios within each stratum (e.g. pain category) and their Mantel-Haenszel pool.

    Comparing groups *within* strata of pain severity asks whether patients with the same pain
    were treated differently - the question behind the disparity literature (Lee et al. 2019;
    Meghani et al. 2012).

    Parameters
    ----------
    df
        The data.
    outcome
        A binary column.
    group, reference
        The compared and reference levels of ``column``.
    strata
        The stratifying column; ``pain_category`` strata are ordered mild, moderate, severe.
    column
        The grouping column.

    Returns
    -------
    pandas.DataFrame
        Columns ``stratum, events_group, nonevents_group, events_reference,
        nonevents_reference, n, odds_ratio, lower, upper, method``: one row per stratum
        (Woolf CI, Haldane correction when a cell is 0; NaN when a stratum lacks one of the two
        groups) and a last row ``'Mantel-Haenszel pooled'`` with summed counts and the pooled
        estimate (:func:`mantel_haenszel_odds_ratio`).
    """
    _check_frame(df, [outcome, column, strata])
    flag = _binary(df, outcome)
    _levels(df, column, group, reference)
    rows: list[list[object]] = []
    tables = []
    for level in _stratum_order(df[strata]):
        mask = (df[strata] == level).to_numpy()
        a, b, c, d = _counts(df.loc[mask], flag[mask], column, group, reference)
        tables.append((a, b, c, d))
        if a + b == 0 or c + d == 0:
            est, lo, hi, method = math.nan, math.nan, math.nan, "not estimable (group absent)"
        else:
            e = odds_ratio_from_counts(a, b, c, d)
            est, lo, hi, method = e.estimate, e.lower, e.upper, e.method
        rows.append([level, a, b, c, d, a + b + c + d, est, lo, hi, method])
    pooled = mantel_haenszel_odds_ratio(tables)
    sums = [sum(t[i] for t in tables) for i in range(4)]
    rows.append(
        [POOLED_LABEL, *sums, sum(sums), pooled.estimate, pooled.lower, pooled.upper, pooled.method]
    )
    out = pd.DataFrame(rows, columns=_STRATUM_COLUMNS)
    return out.astype({"odds_ratio": float, "lower": float, "upper": float})
