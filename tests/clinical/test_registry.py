from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from bpscare.clinical.registry import (
    REASON_NO_FOLLOW_UP,
    REASON_NOT_IMPROVED,
    REASON_TREATMENT_CHANGE,
    STATUSES,
    classify_change,
    generate_caseload,
    patient_trajectory,
    registry_status,
    treat_to_target_summary,
    validate_scores,
)

# (patient, instrument, week, score)
WEEKLY = [
    ("A", "phq9", 0, 20),
    ("A", "phq9", 2, 15),
    ("A", "phq9", 8, 9),
    ("B", "phq9", 0, 18),
    ("B", "phq9", 6, 17),
    ("C", "phq9", 0, 16),
    ("C", "phq9", 4, 12),
    ("D", "phq9", 7, 14),
    ("E", "gad7", 0, 15),
    ("E", "gad7", 3, 9),
    ("F", "phq9", 3, 12),
    ("F", "phq9", 9, 11),
]


def weekly() -> pd.DataFrame:
    return pd.DataFrame(WEEKLY, columns=["patient_id", "instrument", "week", "score"])


def row(status: pd.DataFrame, pid: str, instrument: str = "phq9") -> pd.Series:
    part = status[(status["patient_id"] == pid) & (status["instrument"] == instrument)]
    assert len(part) == 1
    return part.iloc[0]


# ---------------------------------------------------------------- classify_change


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (20, 10, "response"),  # exactly 50 % -> response
        (20, 11, "partial response"),  # 45 %
        (12, 9, "partial response"),  # exactly 25 % -> partial
        (12, 10, "no response"),  # 16.7 %
        (20, 15, "partial response"),  # exactly 25 %
        (10, 5, "response"),  # 50 %, and 5 is not below 5
        (10, 4, "remission"),
        (6, 4, "remission"),  # remission does not need a 50 % drop
        (0, 0, "remission"),
        (0, 6, "no response"),
        (10, 12, "no response"),  # worse
        (27, 13.5, "response"),  # imputed half-points compare exactly
    ],
)
def test_classify_change_phq9(baseline, current, expected):
    assert classify_change(baseline, current) == expected


def test_classify_change_gad7_uses_same_rules():
    assert classify_change(21, 4, "gad7") == "remission"
    assert classify_change(16, 8, "gad7") == "response"
    assert classify_change(16, 13, "gad7") == "no response"


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        ((10, 28), r"current: 28 is not a valid phq9 total; allowed: 0-27"),
        ((22, 5, "gad7"), r"baseline: 22 is not a valid gad7 total; allowed: 0-21"),
        ((10, 5, "bdi"), r"instrument: 'bdi' is not supported; allowed: phq9, gad7"),
        ((True, 5), r"baseline: True"),
        ((10, math.nan), r"current: nan"),
        ((-1, 5), r"baseline: -1"),
        (("10", 5), r"baseline: '10'"),
    ],
)
def test_classify_change_rejects_bad_input(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        classify_change(*args)


@given(st.integers(0, 27), st.integers(0, 27))
def test_classify_change_matches_exact_fractions(baseline, current):
    result = classify_change(baseline, current)
    if current < 5:
        assert result == "remission"
    elif baseline == 0:
        assert result == "no response"
    else:
        drop = Fraction(baseline - current, baseline)
        if drop >= Fraction(1, 2):
            assert result == "response"
        elif drop >= Fraction(1, 4):
            assert result == "partial response"
        else:
            assert result == "no response"


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("frame", "pattern"),
    [
        (
            pd.DataFrame({"patient_id": ["A"], "score": [3]}),
            r"missing column\(s\): instrument, date \(or week\)",
        ),
        (
            pd.DataFrame({"patient_id": ["A"], "week": [0], "instrument": ["PHQ-9"], "score": [3]}),
            r"'PHQ-9' is not supported; allowed: phq9, gad7",
        ),
        (
            pd.DataFrame({"patient_id": ["A"], "week": [0], "instrument": ["gad7"], "score": [24]}),
            r"24 for patient 'A' is not a valid gad7 total; allowed: 0-21",
        ),
        (
            pd.DataFrame(
                {"patient_id": ["A"], "week": [0], "instrument": ["phq9"], "score": ["x"]}
            ),
            r"scores\.score: expected numbers",
        ),
        (
            pd.DataFrame(
                {"patient_id": ["A"], "week": [0], "instrument": ["phq9"], "score": [None]}
            ),
            r"missing value in column 'score'",
        ),
        (
            pd.DataFrame(
                {"patient_id": ["A"], "date": ["not a date"], "instrument": ["phq9"], "score": [3]}
            ),
            r"scores\.date: could not read dates",
        ),
        (
            pd.DataFrame(
                {
                    "patient_id": ["A", "A"],
                    "week": [0, 0],
                    "instrument": ["phq9"] * 2,
                    "score": [3, 4],
                }
            ),
            r"patient 'A' has two phq9 scores at week 0",
        ),
    ],
)
def test_validate_scores_names_the_problem(frame, pattern):
    with pytest.raises(ValueError, match=pattern):
        validate_scores(frame)


def test_validate_scores_rejects_non_frames():
    with pytest.raises(ValueError, match="expected a pandas DataFrame, got list"):
        validate_scores([1, 2])


def test_validate_scores_sorts_and_keeps_extra_columns():
    frame = weekly().iloc[::-1].assign(site="north")
    out = validate_scores(frame)
    assert list(out["patient_id"][:3]) == ["A", "A", "A"]
    assert list(out["week"][:3]) == [0.0, 2.0, 8.0]
    assert "site" in out


# ---------------------------------------------------------------- registry_status


def test_registry_status_literal_caseload():
    status = registry_status(weekly(), as_of=10)
    assert list(status.columns) == [
        "patient_id",
        "instrument",
        "baseline_week",
        "baseline_score",
        "latest_week",
        "latest_score",
        "n_measurements",
        "weeks_in_treatment",
        "percent_change",
        "status",
        "flag_case_review",
        "review_reason",
    ]
    a = row(status, "A")
    assert (a["status"], a["weeks_in_treatment"], a["flag_case_review"]) == (
        "response",
        10.0,
        False,
    )
    assert a["percent_change"] == pytest.approx(-55.0)
    b = row(status, "B")
    assert b["status"] == "no response"
    assert b["percent_change"] == pytest.approx(-100 / 18)
    assert b["review_reason"] == "; ".join(
        [REASON_NO_FOLLOW_UP, REASON_NOT_IMPROVED, REASON_TREATMENT_CHANGE]
    )
    c = row(status, "C")  # follow-up exactly at week 4 counts; exactly 25 % is not < 25 %
    assert c["status"] == "partial response"
    assert c["review_reason"] == REASON_NOT_IMPROVED
    d = row(status, "D")  # enrolled 3 weeks ago: window still open
    assert (d["status"], d["weeks_in_treatment"], d["flag_case_review"]) == (
        "baseline only",
        3.0,
        False,
    )
    assert math.isnan(d["percent_change"])
    e = row(status, "E", "gad7")  # 40 % but below 10 -> improved
    assert (e["status"], e["flag_case_review"]) == ("partial response", False)
    f = row(status, "F")  # 7 weeks in care, follow-up only at +6 weeks, 8 % drop
    assert f["review_reason"] == f"{REASON_NO_FOLLOW_UP}; {REASON_TREATMENT_CHANGE}"


def test_registry_status_reason_texts_name_thresholds():
    assert REASON_NO_FOLLOW_UP == "no follow-up within 4 weeks"
    assert "8 weeks" in REASON_NOT_IMPROVED
    assert "25%" in REASON_TREATMENT_CHANGE
    assert "6 weeks" in REASON_TREATMENT_CHANGE


def test_registry_status_defaults_as_of_to_latest_measurement():
    status = registry_status(weekly())
    assert row(status, "A")["weeks_in_treatment"] == 9.0
    assert row(status, "F")["weeks_in_treatment"] == 6.0


def test_registry_status_ignores_measurements_after_as_of():
    status = registry_status(weekly(), as_of=5)
    a = row(status, "A")
    assert (a["latest_week"], a["latest_score"], a["status"]) == (2.0, 15.0, "partial response")
    b = row(status, "B")
    assert (b["status"], b["review_reason"]) == ("baseline only", REASON_NO_FOLLOW_UP)
    assert "D" not in set(status["patient_id"])


def test_registry_status_with_dates_uses_calendar_weeks():
    frame = pd.DataFrame(
        {
            "patient_id": ["X", "X", "Y", "Y"],
            "date": ["2026-01-05", "2026-02-02", "2026-01-05", "2026-02-03"],
            "instrument": ["phq9"] * 4,
            "score": [15, 12, 15, 12],
        }
    )
    status = registry_status(frame, as_of="2026-03-02")
    x, y = row(status, "X"), row(status, "Y")
    assert x["weeks_in_treatment"] == 8.0
    assert x["baseline_date"] == pd.Timestamp("2026-01-05")
    assert REASON_NO_FOLLOW_UP not in x["review_reason"]  # day 28 = week 4
    assert REASON_NO_FOLLOW_UP in y["review_reason"]  # day 29 is too late
    assert REASON_NOT_IMPROVED in x["review_reason"]


def test_registry_status_bad_as_of():
    with pytest.raises(ValueError, match="as_of: 'soon' is not a week number"):
        registry_status(weekly(), as_of="soon")


# ---------------------------------------------------------------- summary


def test_treat_to_target_summary_counts_by_instrument():
    summary = treat_to_target_summary(registry_status(weekly(), as_of=10))
    phq = summary[summary["instrument"] == "phq9"].set_index("outcome")
    assert list(phq.index) == [*STATUSES, "flagged for case review"]
    assert phq["count"].to_dict() == {
        "remission": 0,
        "response": 1,
        "partial response": 1,
        "no response": 2,
        "baseline only": 1,
        "flagged for case review": 3,
    }
    assert set(phq["n"]) == {5}
    assert phq.loc["no response", "percent"] == pytest.approx(40.0)
    assert phq.loc["flagged for case review", "percent"] == pytest.approx(60.0)
    gad = summary[summary["instrument"] == "gad7"].set_index("outcome")
    assert gad.loc["partial response", "count"] == 1
    assert gad["n"].iloc[0] == 1


def test_treat_to_target_summary_validates_input():
    with pytest.raises(ValueError, match=r"missing column\(s\): flag_case_review"):
        treat_to_target_summary(pd.DataFrame({"instrument": ["phq9"], "status": ["response"]}))
    bad = pd.DataFrame({"instrument": ["phq9"], "status": ["cured"], "flag_case_review": [False]})
    with pytest.raises(ValueError, match="'cured'"):
        treat_to_target_summary(bad)


# ---------------------------------------------------------------- trajectory


def test_patient_trajectory_literal():
    traj = patient_trajectory(weekly(), "A")
    assert list(traj["weeks_since_baseline"]) == [0.0, 2.0, 8.0]
    assert list(traj["status"]) == ["baseline", "partial response", "response"]
    assert np.allclose(traj["percent_change"], [0.0, -25.0, -55.0])
    with pytest.raises(ValueError, match="'Z' has no scores"):
        patient_trajectory(weekly(), "Z")


def test_patient_trajectory_rebases_each_instrument():
    traj = patient_trajectory(weekly(), "F")
    assert list(traj["week"]) == [3.0, 9.0]
    assert list(traj["weeks_since_baseline"]) == [0.0, 6.0]


# ---------------------------------------------------------------- synthetic caseload


def test_generate_caseload_is_reproducible():
    assert_frame_equal(generate_caseload(seed=3), generate_caseload(seed=3))
    assert not generate_caseload(seed=3).equals(generate_caseload(seed=4))


def test_generate_caseload_is_valid_and_varied():
    data = generate_caseload(n_patients=40, weeks=16, seed=0)
    assert list(data.columns) == ["patient_id", "date", "instrument", "score"]
    assert data["patient_id"].nunique() == 40
    assert set(data["instrument"]) == {"phq9", "gad7"}
    phq = data[data["instrument"] == "phq9"]
    assert phq.groupby("patient_id")["score"].first().between(10, 22).all()
    assert_frame_equal(validate_scores(data), data, check_dtype=False)
    status = registry_status(data)
    assert {"remission", "response", "partial response", "no response"} <= set(status["status"])
    reasons = "; ".join(status["review_reason"])
    assert REASON_NO_FOLLOW_UP in reasons
    assert REASON_NOT_IMPROVED in reasons
    span = (data["date"].max() - data["date"].min()).days / 7
    assert span <= 16 + 1


@pytest.mark.parametrize(
    ("kwargs", "name"), [({"n_patients": 0}, "n_patients"), ({"weeks": 2}, "weeks")]
)
def test_generate_caseload_rejects_bad_sizes(kwargs, name):
    with pytest.raises(ValueError, match=name):
        generate_caseload(**kwargs)
