"""Collaborative-care registry: treat-to-target status, case-review flags and a synthetic caseload.

Population-based care means tracking a defined group of patients in a registry so the team can
see who is not improving and change treatment until the goal is reached (AIMS Center,
"Principles of Collaborative Care": population-based care and measurement-based treatment to
target; APA/APM 2016 report on the Collaborative Care Model). This module turns a tidy table of
PHQ-9 / GAD-7 scores into the registry view a systematic case review works from.

Input is a tidy DataFrame with one row per measurement: ``patient_id``, ``date`` (or ``week``,
a number of weeks on any common clock), ``instrument`` (``'phq9'`` or ``'gad7'``) and ``score``.
Every threshold is a named constant below with its source.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable

import numpy as np
import pandas as pd

from bpscare.clinical.instruments.rules import rules_for

__all__ = [
    "CONSULT_AFTER_WEEKS",
    "FOLLOW_UP_WITHIN_WEEKS",
    "IMPROVED_BELOW",
    "INSTRUMENT_MAX",
    "PARTIAL_RESPONSE_REDUCTION",
    "REASON_NOT_IMPROVED",
    "REASON_NO_FOLLOW_UP",
    "REASON_TREATMENT_CHANGE",
    "REMISSION_BELOW",
    "RESPONSE_REDUCTION",
    "STATUSES",
    "TREATMENT_CHANGE_AFTER_WEEKS",
    "classify_change",
    "generate_caseload",
    "patient_trajectory",
    "registry_status",
    "treat_to_target_summary",
    "validate_scores",
]

#: Highest possible total per instrument, from the instruments' rule records (PHQ-9 0-27,
#: GAD-7 0-21).
INSTRUMENT_MAX: dict[str, int] = {name: rules_for(name).max_total for name in ("phq9", "gad7")}

#: Remission = score below 5. PHQ-9: ICSI adult depression guideline; NCQA HEDIS DRR-E;
#: CMS159 / NQF 0710. GAD-7: **by analogy** - 0-4 is the "minimal" band (Spitzer et al. 2006);
#: no guideline source for a GAD-7 remission threshold is cited in the project's facts file.
REMISSION_BELOW = 5
#: Response = at least a 50 % reduction from baseline (ICSI; HEDIS DRR-E "≥50% lower").
RESPONSE_REDUCTION = 0.50
#: Partial response = 25 % up to (not including) 50 % reduction (ICSI).
PARTIAL_RESPONSE_REDUCTION = 0.25

#: Care-manager follow-up is expected within 4 weeks of the first contact (Bao Y, Druss BG, Jung
#: H-Y, Chan Y-F, Unützer J. Unpacking collaborative care for depression: examining two essential
#: tasks for implementation. Psychiatr Serv 2016;67:418-424, doi 10.1176/appi.ps.201400577:
#: OR 1.63 for improvement).
FOLLOW_UP_WITHIN_WEEKS = 4
#: Psychiatric consultation for patients not improved by week 8 (Bao et al. 2016: consultation in
#: weeks 8-12 for non-responders, OR 1.44).
CONSULT_AFTER_WEEKS = 8
#: "Improved" in Bao et al. 2016 = PHQ-9 below 10 **or** at least 50 % reduction. GAD-7 uses the
#: same cut-off by analogy (10 = "moderate" band and the screening cut point, Spitzer et al. 2006).
IMPROVED_BELOW = 10
#: Consider a treatment change when the reduction is below 25 % at 6 weeks (ICSI adult depression
#: guideline: reassess at 6 weeks; psychotherapy may need 8-10 weeks).
TREATMENT_CHANGE_AFTER_WEEKS = 6

REMISSION = "remission"
RESPONSE = "response"
PARTIAL = "partial response"
NO_RESPONSE = "no response"
BASELINE_ONLY = "baseline only"
#: Registry statuses in reporting order. "baseline only" marks patients with no follow-up score
#: yet; they have no outcome, which is itself a care gap.
STATUSES: tuple[str, ...] = (REMISSION, RESPONSE, PARTIAL, NO_RESPONSE, BASELINE_ONLY)
FLAGGED = "flagged for case review"

REASON_NO_FOLLOW_UP = f"no follow-up within {FOLLOW_UP_WITHIN_WEEKS} weeks"
REASON_NOT_IMPROVED = f"not improved after {CONSULT_AFTER_WEEKS} weeks: psychiatric consultation"
REASON_TREATMENT_CHANGE = (
    f"less than {PARTIAL_RESPONSE_REDUCTION:.0%} reduction after "
    f"{TREATMENT_CHANGE_AFTER_WEEKS} weeks: consider treatment change"
)

_REQUIRED = ("patient_id", "instrument", "score")
_DAYS_PER_WEEK = 7.0


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _check_instrument(instrument: object) -> str:
    if instrument not in INSTRUMENT_MAX:
        msg = f"instrument: {instrument!r} is not supported; allowed: {', '.join(INSTRUMENT_MAX)}"
        raise ValueError(msg)
    return str(instrument)


def _check_score(name: str, value: object, instrument: str) -> float:
    top = INSTRUMENT_MAX[instrument]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not math.isfinite(float(value))
        or not 0 <= float(value) <= top
    ):
        msg = f"{name}: {value!r} is not a valid {instrument} total; allowed: 0-{top}"
        raise ValueError(msg)
    return float(value)


def _time_column(scores: pd.DataFrame) -> str:
    if "date" in scores.columns:
        return "date"
    if "week" in scores.columns:
        return "week"
    return ""


def validate_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Check a tidy score table and return a clean, sorted copy.

    Parameters
    ----------
    scores
        Columns ``patient_id``, ``date`` or ``week``, ``instrument`` and ``score``; other columns
        are kept. When both ``date`` and ``week`` are present, ``date`` is the time axis.

    Returns
    -------
    pandas.DataFrame
        A copy with ``date`` as datetime64 (or ``week`` as float), ``score`` as float, sorted by
        patient, instrument and time, with a fresh index.

    Raises
    ------
    ValueError
        Naming missing columns, unknown instruments, scores outside the instrument's range,
        missing values, unparseable dates, or duplicate measurements.
    """
    if not isinstance(scores, pd.DataFrame):
        msg = f"scores: expected a pandas DataFrame, got {type(scores).__name__}"
        raise ValueError(msg)
    time = _time_column(scores)
    missing = [c for c in _REQUIRED if c not in scores.columns]
    if not time:
        missing.append("date (or week)")
    if missing:
        msg = f"scores: missing column(s): {', '.join(missing)}; got: {', '.join(map(str, scores))}"
        raise ValueError(msg)
    out = scores.copy()
    for col in (*_REQUIRED, time):
        if out[col].isna().any():
            row = out.index[out[col].isna()][0]
            msg = f"scores: missing value in column {col!r} at row {row!r}"
            raise ValueError(msg)
    bad = ~out["instrument"].isin(list(INSTRUMENT_MAX))
    if bad.any():
        value = out.loc[bad, "instrument"].iloc[0]
        msg = f"scores.instrument: {value!r} is not supported; allowed: {', '.join(INSTRUMENT_MAX)}"
        raise ValueError(msg)
    if out["score"].dtype == bool or not pd.api.types.is_numeric_dtype(out["score"]):
        msg = f"scores.score: expected numbers, got dtype {out['score'].dtype}"
        raise ValueError(msg)
    out["score"] = out["score"].astype(float)
    top = out["instrument"].map(INSTRUMENT_MAX).astype(float)
    bad = (out["score"] < 0) | (out["score"] > top)
    if bad.any():
        row = out.loc[bad].iloc[0]
        msg = (
            f"scores.score: {row['score']:g} for patient {row['patient_id']!r} is not a valid "
            f"{row['instrument']} total; allowed: 0-{INSTRUMENT_MAX[row['instrument']]}"
        )
        raise ValueError(msg)
    if time == "date":
        try:
            out["date"] = pd.to_datetime(out["date"])
        except (ValueError, TypeError) as exc:
            msg = f"scores.date: could not read dates ({exc})"
            raise ValueError(msg) from None
    else:
        if out["week"].dtype == bool or not pd.api.types.is_numeric_dtype(out["week"]):
            msg = f"scores.week: expected numbers of weeks, got dtype {out['week'].dtype}"
            raise ValueError(msg)
        out["week"] = out["week"].astype(float)
    dup = out.duplicated(["patient_id", "instrument", time], keep=False)
    if dup.any():
        row = out.loc[dup].iloc[0]
        msg = (
            f"scores: patient {row['patient_id']!r} has two {row['instrument']} scores at "
            f"{time} {row[time]!s}; keep one measurement per time point"
        )
        raise ValueError(msg)
    return out.sort_values(["patient_id", "instrument", time], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------


def classify_change(baseline: float, current: float, instrument: str = "phq9") -> str:
    """Classify change from baseline as remission, response, partial response or no response.

    Rules (ICSI adult depression guideline; NCQA HEDIS DRR-E), checked in this order:

    1. ``'remission'``: current score below :data:`REMISSION_BELOW` (5). For GAD-7 this is by
       analogy with PHQ-9 (0-4 = minimal anxiety, Spitzer et al., Arch Intern Med 2006).
    2. ``'response'``: reduction of **at least** 50 % - exactly 50 % counts as response.
    3. ``'partial response'``: reduction of at least 25 % and below 50 % - exactly 25 % counts as
       partial response.
    4. ``'no response'``: anything else, including any increase, and any change from a baseline
       of 0 that is not a remission.

    Boundaries are compared exactly, without division (``2 * (baseline - current) >= baseline``),
    so 20 -> 10 is a response and 12 -> 9 a partial response.

    Parameters
    ----------
    baseline
        The first (index) score.
    current
        The latest score.
    instrument
        ``'phq9'`` or ``'gad7'``.

    Returns
    -------
    str
        One of ``'remission'``, ``'response'``, ``'partial response'``, ``'no response'``.

    Examples
    --------
    >>> classify_change(20, 10)
    'response'
    >>> classify_change(12, 9)
    'partial response'
    >>> classify_change(18, 4)
    'remission'
    """
    instrument = _check_instrument(instrument)
    base = _check_score("baseline", baseline, instrument)
    cur = _check_score("current", current, instrument)
    if cur < REMISSION_BELOW:
        return REMISSION
    drop = base - cur
    if base > 0 and drop * 2 >= base:  # == RESPONSE_REDUCTION, exact
        return RESPONSE
    if base > 0 and drop * 4 >= base:  # == PARTIAL_RESPONSE_REDUCTION, exact
        return PARTIAL
    return NO_RESPONSE


def _improved(base: float, cur: float) -> bool:
    """Bao et al. 2016: improved = score below 10 or at least 50 % reduction."""
    return cur < IMPROVED_BELOW or (base > 0 and (base - cur) * 2 >= base)


# --------------------------------------------------------------------------------------------
# Registry view
# --------------------------------------------------------------------------------------------


def _weeks_between(start: object, end: object, time: str) -> float:
    if time == "date":
        delta = pd.Timestamp(end) - pd.Timestamp(start)
        return delta / pd.Timedelta(days=1) / _DAYS_PER_WEEK
    return float(end) - float(start)  # type: ignore[arg-type]


def _as_of(value: object, data: pd.DataFrame, time: str) -> object:
    if value is None:
        return data[time].max()
    if time == "date":
        try:
            return pd.Timestamp(value)
        except (ValueError, TypeError):
            msg = f"as_of: {value!r} is not a date"
            raise ValueError(msg) from None
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        msg = f"as_of: {value!r} is not a week number (the scores use a 'week' column)"
        raise ValueError(msg)
    return float(value)


def registry_status(
    scores: pd.DataFrame, as_of: dt.date | str | pd.Timestamp | float | None = None
) -> pd.DataFrame:
    """Summarise each patient's course per instrument and flag who needs systematic case review.

    One row per patient and instrument, using only measurements up to ``as_of``:

    - baseline = the first measurement, latest = the last one;
    - ``weeks_in_treatment`` = weeks from baseline to ``as_of`` (time in care, measured or not);
    - ``percent_change`` = 100 x (latest - baseline) / baseline (negative = improvement; NaN when
      the baseline is 0 or there is no follow-up score);
    - ``status`` = :func:`classify_change` of baseline -> latest, or ``'baseline only'`` when
      there is no follow-up score yet.

    Case-review flags (``flag_case_review`` with every ``review_reason`` joined by "; "):

    - :data:`REASON_NO_FOLLOW_UP` - the first :data:`FOLLOW_UP_WITHIN_WEEKS` weeks have passed
      (``weeks_in_treatment > 4``) with no follow-up measurement in weeks (0, 4] (Bao et al.,
      Psychiatr Serv 2016). A measurement stands in for the care-manager contact here;
    - :data:`REASON_NOT_IMPROVED` - at least :data:`CONSULT_AFTER_WEEKS` weeks in treatment and
      not improved, where improved = latest score below :data:`IMPROVED_BELOW` (10) or at least
      50 % reduction (Bao et al. 2016; for GAD-7 by analogy);
    - :data:`REASON_TREATMENT_CHANGE` - at least :data:`TREATMENT_CHANGE_AFTER_WEEKS` weeks in
      treatment, reduction below 25 % and not in remission (ICSI).

    The outcome flags use the latest available score, however old; a stale score usually also
    carries the no-follow-up flag.

    Parameters
    ----------
    scores
        Tidy scores (see :func:`validate_scores`).
    as_of
        The registry date (or week number for week-based data); later measurements are ignored.
        Defaults to the latest measurement in ``scores``.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id, instrument, baseline_<t>, baseline_score, latest_<t>,
        latest_score, n_measurements, weeks_in_treatment, percent_change, status,
        flag_case_review, review_reason`` where ``<t>`` is ``date`` or ``week`` as in the input,
        sorted by patient and instrument.
    """
    data = validate_scores(scores)
    time = _time_column(data)
    ref = _as_of(as_of, data, time)
    data = data.loc[data[time] <= ref]
    rows = []
    for (pid, instrument), group in data.groupby(["patient_id", "instrument"], sort=True):
        rows.append(_status_row(pid, str(instrument), group, time, ref))
    columns = [
        "patient_id",
        "instrument",
        f"baseline_{time}",
        "baseline_score",
        f"latest_{time}",
        "latest_score",
        "n_measurements",
        "weeks_in_treatment",
        "percent_change",
        "status",
        "flag_case_review",
        "review_reason",
    ]
    out = pd.DataFrame(rows, columns=columns)
    if time == "date":
        for col in (f"baseline_{time}", f"latest_{time}"):
            out[col] = pd.to_datetime(out[col])
    return out.astype(
        {
            "baseline_score": float,
            "latest_score": float,
            "n_measurements": int,
            "weeks_in_treatment": float,
            "percent_change": float,
            "flag_case_review": bool,
        }
    )


def _status_row(
    pid: Hashable, instrument: str, group: pd.DataFrame, time: str, ref: object
) -> list[object]:
    times = group[time].tolist()
    values = group["score"].tolist()
    base, cur = values[0], values[-1]
    weeks = _weeks_between(times[0], ref, time)
    follow_ups = [_weeks_between(times[0], t, time) for t in times[1:]]
    status = classify_change(base, cur, instrument) if follow_ups else BASELINE_ONLY
    pct = math.nan if base == 0 or not follow_ups else 100.0 * (cur - base) / base
    reasons = []
    if weeks > FOLLOW_UP_WITHIN_WEEKS and not any(
        0 < w <= FOLLOW_UP_WITHIN_WEEKS for w in follow_ups
    ):
        reasons.append(REASON_NO_FOLLOW_UP)
    if weeks >= CONSULT_AFTER_WEEKS and not _improved(base, cur):
        reasons.append(REASON_NOT_IMPROVED)
    partial_or_better = base > 0 and (base - cur) * 4 >= base
    if weeks >= TREATMENT_CHANGE_AFTER_WEEKS and not partial_or_better and cur >= REMISSION_BELOW:
        reasons.append(REASON_TREATMENT_CHANGE)
    return [
        pid,
        instrument,
        times[0],
        base,
        times[-1],
        cur,
        len(times),
        weeks,
        pct,
        status,
        bool(reasons),
        "; ".join(reasons),
    ]


def treat_to_target_summary(status: pd.DataFrame) -> pd.DataFrame:
    """Count patients by outcome and instrument for a treat-to-target dashboard.

    Parameters
    ----------
    status
        Output of :func:`registry_status` (needs ``instrument``, ``status`` and
        ``flag_case_review``).

    Returns
    -------
    pandas.DataFrame
        Tidy columns ``instrument, outcome, count, n, percent``: for each instrument, one row per
        status in :data:`STATUSES` order (mutually exclusive; they sum to ``n``) and a final row
        ``'flagged for case review'`` (overlaps the others). ``percent`` = 100 x count / n.
        Outcomes with no patients appear with count 0.
    """
    if not isinstance(status, pd.DataFrame):
        msg = f"status: expected a pandas DataFrame, got {type(status).__name__}"
        raise ValueError(msg)
    missing = [c for c in ("instrument", "status", "flag_case_review") if c not in status]
    if missing:
        msg = f"status: missing column(s): {', '.join(missing)} (pass registry_status output)"
        raise ValueError(msg)
    unknown = sorted(set(status["status"]) - set(STATUSES))
    if unknown:
        msg = f"status.status: unknown value(s) {unknown}; allowed: {', '.join(STATUSES)}"
        raise ValueError(msg)
    rows: list[tuple[str, str, int, int, float]] = []
    for instrument in [i for i in INSTRUMENT_MAX if i in set(status["instrument"])]:
        part = status.loc[status["instrument"] == instrument]
        n = len(part)
        counts = {s: int((part["status"] == s).sum()) for s in STATUSES}
        counts[FLAGGED] = int(part["flag_case_review"].astype(bool).sum())
        rows.extend(
            (instrument, outcome, count, n, 100.0 * count / n) for outcome, count in counts.items()
        )
    return pd.DataFrame(rows, columns=["instrument", "outcome", "count", "n", "percent"]).astype(
        {"count": int, "n": int, "percent": float}
    )


def patient_trajectory(scores: pd.DataFrame, patient_id: Hashable) -> pd.DataFrame:
    """Return one patient's scores over time, ready to plot against treat-to-target lines.

    Parameters
    ----------
    scores
        Tidy scores (see :func:`validate_scores`).
    patient_id
        The patient to extract.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id, instrument, <t>, weeks_since_baseline, score, percent_change,
        status`` sorted by instrument and time; ``status`` is ``'baseline'`` on the first row and
        :func:`classify_change` against that baseline afterwards.

    Raises
    ------
    ValueError
        If the patient has no scores.
    """
    data = validate_scores(scores)
    time = _time_column(data)
    part = data.loc[data["patient_id"] == patient_id]
    if part.empty:
        msg = f"patient_id: {patient_id!r} has no scores in this registry"
        raise ValueError(msg)
    frames = []
    for instrument, group in part.groupby("instrument", sort=False):
        base_time = group[time].iloc[0]
        base = group["score"].iloc[0]
        weeks = [_weeks_between(base_time, t, time) for t in group[time]]
        statuses = ["baseline"] + [
            classify_change(base, s, str(instrument)) for s in group["score"].iloc[1:]
        ]
        pct = [math.nan] * len(group) if base == 0 else (100.0 * (group["score"] - base) / base)
        frames.append(
            pd.DataFrame(
                {
                    "patient_id": group["patient_id"].to_numpy(),
                    "instrument": group["instrument"].to_numpy(),
                    time: group[time].to_numpy(),
                    "weeks_since_baseline": np.asarray(weeks, dtype=float),
                    "score": group["score"].to_numpy(dtype=float),
                    "percent_change": np.asarray(pct, dtype=float),
                    "status": statuses,
                }
            )
        )
    order = {name: i for i, name in enumerate(INSTRUMENT_MAX)}
    frames.sort(key=lambda f: order[f["instrument"].iloc[0]])
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Synthetic caseload
# --------------------------------------------------------------------------------------------

#: First Monday of the synthetic registry clock.
CASELOAD_START = pd.Timestamp("2026-01-05")
#: Trajectory archetypes and their shares in :func:`generate_caseload` - a teaching assumption,
#: not an estimate from any registry. ``final`` is the fraction of the baseline score reached by
#: week 12 (drawn uniformly within the range).
_ARCHETYPES: dict[str, tuple[float, tuple[float, float]]] = {
    "remits": (0.25, (0.05, 0.25)),
    "responds": (0.25, (0.30, 0.50)),
    "partial": (0.20, (0.55, 0.75)),
    "plateaus": (0.15, (0.80, 1.05)),
    "missed follow-up": (0.15, (0.45, 0.90)),
}


def _trajectory(base: float, final: float, weeks: np.ndarray) -> np.ndarray:
    tau, horizon = 4.0, 12.0
    progress = (1 - np.exp(-np.minimum(weeks, horizon) / tau)) / (1 - math.exp(-horizon / tau))
    return base - (base - base * final) * progress


def generate_caseload(n_patients: int = 40, weeks: int = 16, seed: int = 0) -> pd.DataFrame:
    """Generate a reproducible synthetic caseload for the registry dashboard.

    Every patient starts with PHQ-9 10-22 (the collaborative-care entry range in Bao et al. 2016
    was PHQ-9 ≥ 10); about half also have GAD-7 tracked (baseline 8-18). Patients enrol on a
    staggered schedule over the window and are measured every two weeks, with some missed
    contacts. Trajectories follow teaching archetypes (:data:`_ARCHETYPES`): some remit, some
    respond, some reach a partial response, some plateau, and some miss the 4-week follow-up
    (their next score comes at week 6 or later, or never). Scores are rounded, with noise, and
    clipped to the instrument range. All data are synthetic.

    Parameters
    ----------
    n_patients
        Number of patients (at least 1).
    weeks
        Length of the registry window in weeks (at least 4).
    seed
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same data.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id, date, instrument, score`` (score as int), sorted by patient,
        instrument and date; ready for :func:`registry_status`.
    """
    for name, value, low in (("n_patients", n_patients, 1), ("weeks", weeks, 4)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            msg = f"{name}: expected an integer >= {low}, got {value!r}"
            raise ValueError(msg)
    rng = np.random.default_rng(seed)
    names = list(_ARCHETYPES)
    shares = np.array([_ARCHETYPES[n][0] for n in names])
    rows: list[tuple[str, pd.Timestamp, str, int]] = []
    for i in range(int(n_patients)):
        pid = f"P{i + 1:03d}"
        kind = names[rng.choice(len(names), p=shares)]
        final_low, final_high = _ARCHETYPES[kind][1]
        final = rng.uniform(final_low, final_high)
        enrol = int(rng.integers(0, weeks - 1))
        weekday = int(rng.integers(0, 5))
        horizon = weeks - enrol
        if kind == "missed follow-up":
            first = int(rng.integers(6, 10))
            visits = [0, *range(first, horizon + 1, 2)] if rng.random() < 0.7 else [0]
        else:
            visits = [0] + [w for w in range(2, horizon + 1, 2) if w <= 4 or rng.random() > 0.2]
        visits = [w for w in visits if w <= horizon]
        t = np.asarray(visits, dtype=float)
        tracks = [("phq9", float(rng.integers(10, 23)))]
        if rng.random() < 0.5:
            tracks.append(("gad7", float(rng.integers(8, 19))))
        for instrument, base in tracks:
            noise = rng.normal(0.0, 1.2, size=len(t))
            noise[0] = 0.0
            values = np.clip(
                np.rint(_trajectory(base, final, t) + noise), 0, INSTRUMENT_MAX[instrument]
            )
            when = [CASELOAD_START + pd.Timedelta(days=7 * (enrol + w) + weekday) for w in visits]
            rows.extend((pid, d, instrument, int(v)) for d, v in zip(when, values, strict=True))
    out = pd.DataFrame(rows, columns=["patient_id", "date", "instrument", "score"])
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values(["patient_id", "instrument", "date"], kind="stable").reset_index(
        drop=True
    )
