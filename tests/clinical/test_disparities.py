from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from bpscare.clinical.disparities import (
    GROUPS,
    PARAMETERS,
    Estimate,
    generate_ed_cohort,
    mantel_haenszel_odds_ratio,
    odds_ratio,
    odds_ratio_from_counts,
    rates,
    risk_ratio,
    risk_ratio_from_counts,
    stratified_odds_ratio,
    wilson_interval,
)


def frame_from_counts(a, b, c, d, group="Black", reference="White", stratum="all"):
    """Rows for one 2x2 table: a/b events/non-events in group, c/d in reference."""
    rows = (
        [(group, True)] * a
        + [(group, False)] * b
        + [(reference, True)] * c
        + [(reference, False)] * d
    )
    out = pd.DataFrame(rows, columns=["group", "outcome"])
    out["stratum"] = stratum
    return out


# ---------------------------------------------------------------- hand-worked 2x2 examples
# Group: 20 of 100 had the outcome; reference: 40 of 100.
# OR = (20*60)/(80*40) = 0.375; SE(log OR) = sqrt(1/20+1/80+1/40+1/60) = 0.32275
#   -> exp(ln 0.375 -/+ 1.96*0.32275) = 0.1992 .. 0.7059
# RR = 0.2/0.4 = 0.5; SE(log RR) = sqrt(1/20-1/100+1/40-1/100) = sqrt(0.055) = 0.23452
#   -> exp(ln 0.5 -/+ 1.96*0.23452) = 0.3158 .. 0.7918


def test_odds_ratio_woolf_by_hand():
    est = odds_ratio_from_counts(20, 80, 40, 60)
    assert est.estimate == pytest.approx(0.375, abs=1e-12)
    assert (round(est.lower, 4), round(est.upper, 4)) == (0.1992, 0.7059)
    assert est.n == 200
    assert "Woolf" in est.method
    assert "Haldane" not in est.method


def test_risk_ratio_katz_by_hand():
    est = risk_ratio_from_counts(20, 80, 40, 60)
    assert est.estimate == pytest.approx(0.5, abs=1e-12)
    assert (round(est.lower, 4), round(est.upper, 4)) == (0.3158, 0.7918)
    assert "Katz" in est.method


def test_dataframe_versions_match_counts():
    df = frame_from_counts(20, 80, 40, 60)
    assert odds_ratio(df, "outcome", "Black", "White") == odds_ratio_from_counts(20, 80, 40, 60)
    assert risk_ratio(df, "outcome", "Black", "White") == risk_ratio_from_counts(20, 80, 40, 60)


def test_haldane_correction_when_a_cell_is_zero():
    # 0.5 added to every cell: OR = (0.5*5.5)/(10.5*5.5) = 0.04762;
    # SE = sqrt(1/0.5 + 1/10.5 + 1/5.5 + 1/5.5) = 1.56808 -> 0.0022 .. 1.0293
    est = odds_ratio_from_counts(0, 10, 5, 5)
    assert est.estimate == pytest.approx(1 / 21, abs=1e-12)
    assert (round(est.lower, 4), round(est.upper, 4)) == (0.0022, 1.0293)
    assert "Haldane 0.5 correction" in est.method
    assert est.n == 20
    rr = risk_ratio_from_counts(0, 10, 5, 5)  # (0.5/11) / (5.5/11) = 1/11
    assert rr.estimate == pytest.approx(1 / 11, abs=1e-12)
    assert "0.5 correction" in rr.method


def test_estimate_to_dict():
    est = Estimate(0.5, 0.25, 1.0, "risk ratio", 10)
    assert est.to_dict() == {
        "estimate": 0.5,
        "lower": 0.25,
        "upper": 1.0,
        "method": "risk ratio",
        "n": 10,
    }


# ---------------------------------------------------------------- Wilson


@pytest.mark.parametrize(
    ("events", "n", "lower", "upper"),
    [
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),  # upper = z^2/(n+z^2) = 3.8415/13.8415
        (10, 10, 0.7225, 1.0),
        (45, 100, 0.3561, 0.5476),
    ],
)
def test_wilson_interval_literals(events, n, lower, upper):
    lo, hi = wilson_interval(events, n)
    assert (round(lo, 4), round(hi, 4)) == (lower, upper)


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_contains_the_proportion(case):
    events, n = case
    lo, hi = wilson_interval(events, n)
    assert 0.0 <= lo <= events / n <= hi <= 1.0


def test_rates_table():
    df = frame_from_counts(5, 5, 45, 55)
    table = rates(df, "outcome", "group")
    assert list(table.columns) == ["group", "n", "events", "rate", "lower", "upper"]
    black = table.set_index("group").loc["Black"]
    assert (black["n"], black["events"], black["rate"]) == (10, 5, 0.5)
    assert round(black["lower"], 4) == 0.2366
    white = table.set_index("group").loc["White"]
    assert round(white["upper"], 4) == 0.5476


def test_rates_by_two_columns():
    cohort = generate_ed_cohort(500, seed=1)
    table = rates(cohort, "received_opioid", ["group", "pain_category"])
    assert table["n"].sum() == 500
    assert len(table) == 9


# ---------------------------------------------------------------- Mantel-Haenszel
# Two strata, worked by hand:
#   stratum 1: a=8,  b=98, c=5,  d=115, n=226 -> R=920/226=4.07080, S=490/226=2.16814
#   stratum 2: a=22, b=76, c=16, d=69,  n=183 -> R=1518/183=8.29508, S=1216/183=6.64481
#   OR_MH = 12.36588 / 8.81295 = 1.40315
#   P1=123/226, Q1=103/226, P2=91/183, Q2=92/183
#   sum PR = 6.34040; sum(PS+QR) = 10.50973; sum QS = 4.32870
#   var = 6.34040/(2*12.36588^2) + 10.50973/(2*12.36588*8.81295) + 4.32870/(2*8.81295^2)
#       = 0.020732 + 0.048219 + 0.027867 = 0.096817
#   95% CI = 1.40315 * exp(-/+ 1.96*sqrt(0.096817)) = 0.7625 .. 2.5820
MH_TABLES = [(8, 98, 5, 115), (22, 76, 16, 69)]


def test_mantel_haenszel_by_hand():
    est = mantel_haenszel_odds_ratio(MH_TABLES)
    assert round(est.estimate, 4) == 1.4031
    assert (round(est.lower, 4), round(est.upper, 4)) == (0.7625, 2.5820)
    assert est.n == 409
    assert "Robins-Breslow-Greenland" in est.method


def test_stratified_odds_ratio_table_by_hand():
    df = pd.concat(
        [
            frame_from_counts(*MH_TABLES[0], stratum="young"),
            frame_from_counts(*MH_TABLES[1], stratum="old"),
        ]
    )
    table = stratified_odds_ratio(df, "outcome", "Black", "White", strata="stratum")
    assert list(table["stratum"]) == ["old", "young", "Mantel-Haenszel pooled"]
    old = table.iloc[0]
    assert old["odds_ratio"] == pytest.approx(22 * 69 / (76 * 16))
    assert (old["events_group"], old["nonevents_group"], old["n"]) == (22, 76, 183)
    pooled = table.iloc[-1]
    assert round(pooled["odds_ratio"], 4) == 1.4031
    assert round(pooled["lower"], 4) == 0.7625
    assert pooled["n"] == 409


@given(
    st.tuples(st.integers(1, 200), st.integers(1, 200), st.integers(1, 200), st.integers(1, 200))
)
def test_single_stratum_mh_equals_woolf(cells):
    mh = mantel_haenszel_odds_ratio([cells])
    woolf = odds_ratio_from_counts(*cells)
    assert mh.estimate == pytest.approx(woolf.estimate, rel=1e-9)
    assert mh.lower == pytest.approx(woolf.lower, rel=1e-9)
    assert mh.upper == pytest.approx(woolf.upper, rel=1e-9)


def test_mh_cannot_pool_degenerate_tables():
    with pytest.raises(ValueError, match="cannot pool"):
        mantel_haenszel_odds_ratio([(0, 5, 0, 5)])
    with pytest.raises(ValueError, match=r"tables\[0\]\.c"):
        mantel_haenszel_odds_ratio([(1, 2, -3, 4)])
    with pytest.raises(ValueError, match="at least one stratum"):
        mantel_haenszel_odds_ratio([])


def test_stratum_missing_a_group_is_not_estimable_but_still_pools():
    df = pd.concat(
        [
            frame_from_counts(*MH_TABLES[0], stratum="mild"),
            frame_from_counts(*MH_TABLES[1], stratum="severe"),
            frame_from_counts(0, 0, 3, 4, stratum="moderate"),
        ]
    )
    table = stratified_odds_ratio(df, "outcome", "Black", "White", strata="stratum")
    assert list(table["stratum"]) == ["mild", "moderate", "severe", "Mantel-Haenszel pooled"]
    assert math.isnan(table.iloc[1]["odds_ratio"])
    assert round(table.iloc[-1]["odds_ratio"], 4) == 1.4031


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda df: odds_ratio(df, "missing", "Black", "White"), r"unknown column 'missing'"),
        (
            lambda df: odds_ratio(df, "pain_score", "Black", "White"),
            r"outcome 'pain_score' is not binary",
        ),
        (
            lambda df: risk_ratio(df, "received_opioid", "Black", "Asian"),
            r"reference group 'Asian' not found",
        ),
        (
            lambda df: odds_ratio(df, "received_opioid", "Other", "White"),
            r"group 'Other' not found",
        ),
        (lambda df: odds_ratio(df, "received_opioid", "White", "White"), r"both 'White'"),
        (
            lambda df: stratified_odds_ratio(df, "received_opioid", "Black", "White", strata="age"),
            r"unknown column 'age'",
        ),
        (lambda df: rates(df, "group", "pain_category"), r"outcome 'group' is not binary"),
        (
            lambda df: odds_ratio(df, "received_opioid", "Black", "White", column="race"),
            r"unknown column 'race'",
        ),
    ],
)
def test_bad_input_is_named(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call(generate_ed_cohort(200, seed=2))


def test_counts_validation():
    with pytest.raises(ValueError, match="count b"):
        odds_ratio_from_counts(1, -1, 2, 3)
    with pytest.raises(ValueError, match="each group needs at least one observation"):
        risk_ratio_from_counts(0, 0, 2, 3)
    with pytest.raises(ValueError, match="events"):
        wilson_interval(11, 10)


def test_outcome_with_missing_values_is_rejected():
    df = frame_from_counts(2, 2, 2, 2).astype({"outcome": object})
    df.loc[0, "outcome"] = None
    with pytest.raises(ValueError, match="missing values"):
        odds_ratio(df, "outcome", "Black", "White")


def test_zero_one_outcome_is_accepted():
    df = frame_from_counts(20, 80, 40, 60)
    df["outcome"] = df["outcome"].astype(int)
    assert odds_ratio(df, "outcome", "Black", "White").estimate == pytest.approx(0.375)


# ---------------------------------------------------------------- cohort


def test_cohort_shape_and_values():
    cohort = generate_ed_cohort(2000, seed=0)
    assert list(cohort.columns) == [
        "patient_id",
        "group",
        "pain_score",
        "pain_category",
        "received_analgesia",
        "received_opioid",
    ]
    assert set(cohort["group"]) == set(GROUPS)
    assert cohort["pain_score"].between(0, 10).all()
    assert cohort["patient_id"].is_unique
    expected_category = pd.cut(
        cohort["pain_score"], [0, 3, 6, 10], labels=["mild", "moderate", "severe"]
    )
    assert (cohort["pain_category"] == expected_category.astype(str)).all()
    assert cohort["received_analgesia"].dtype == bool
    # every opioid recipient received analgesia
    assert not (cohort["received_opioid"] & ~cohort["received_analgesia"]).any()


def test_cohort_is_reproducible():
    assert_frame_equal(generate_ed_cohort(300, seed=7), generate_ed_cohort(300, seed=7))
    assert not generate_ed_cohort(300, seed=7).equals(generate_ed_cohort(300, seed=8))


def test_cohort_rejects_bad_size():
    with pytest.raises(ValueError, match="n: expected a positive integer"):
        generate_ed_cohort(0)


def test_parameters_table_documents_every_value():
    for name, entry in PARAMETERS.items():
        assert set(entry) == {"value", "source", "note", "assumption"}, name
        assert entry["source"], name
        if entry["assumption"]:
            assert "assumption" in entry["source"], name
    assert PARAMETERS["or_any_analgesia_black"]["value"] == 0.60
    assert "Lee" in PARAMETERS["or_any_analgesia_black"]["source"]
    assert PARAMETERS["or_opioid_black"]["value"] == 0.66
    assert PARAMETERS["or_opioid_hispanic"]["value"] == 0.70
    assert "22239747" in PARAMETERS["or_opioid_hispanic"]["source"]
    shares = PARAMETERS["group_shares"]["value"]
    assert sum(shares.values()) == pytest.approx(1.0)
    assert sum(PARAMETERS["pain_score_distribution"]["value"].values()) == pytest.approx(1.0)


def test_large_sample_recovers_published_odds_ratios():
    cohort = generate_ed_cohort(40_000, seed=11)

    def pooled(outcome, group):
        table = stratified_odds_ratio(cohort, outcome, group, "White")
        return table.iloc[-1]["odds_ratio"]

    assert pooled("received_analgesia", "Black") == pytest.approx(0.60, abs=0.08)
    assert pooled("received_opioid", "Black") == pytest.approx(0.66, abs=0.08)
    assert pooled("received_opioid", "Hispanic") == pytest.approx(0.70, abs=0.08)
    assert pooled("received_analgesia", "Hispanic") == pytest.approx(0.75, abs=0.08)


def test_disparity_holds_within_every_pain_category():
    cohort = generate_ed_cohort(40_000, seed=11)
    table = stratified_odds_ratio(cohort, "received_analgesia", "Black", "White")
    assert (table["upper"] < 1.0).all()
    assert np.all(table["lower"] < table["odds_ratio"])
