"""Disparity explorer: filters -> rates, ratio with CI, reading and plot; answer round-trip."""

from __future__ import annotations

import math

import pytest
from helpers import synced_state_text
from w2_checks import unlabelled_controls

from bpscare.clinical.disparities import (
    Estimate,
    generate_ed_cohort,
    odds_ratio,
    risk_ratio,
    stratified_odds_ratio,
)
from bpscare.grading.answers import load_answer
from bpscare.widgets.disparity_explorer import (
    KIND,
    DisparityExplorerView,
    explore_disparity,
    filter_cohort,
    interpret_estimate,
)

COHORT = generate_ed_cohort(2000, seed=1)


def view(**kwargs):
    return DisparityExplorerView(COHORT, **kwargs)


def test_default_view_shows_the_black_white_odds_ratio():
    v = view()
    expected = odds_ratio(COHORT, "received_analgesia", "Black", "White")
    assert v.last_result.estimate == expected
    assert f"odds ratio {expected.estimate:.2f}" in v.summary.value
    assert "2000 visits after filtering" in v.summary.value
    assert v.plot.value.startswith("<svg")
    assert "<caption>Received any analgesia by group" in v.table.value
    assert "Lee et al. 2019" in v.plot.value
    assert "aria-label='Received any analgesia, % of visits with 95% CI: Black" in v.plot.value
    assert v.strata.value == ""


def test_switching_measure_and_outcome_recomputes():
    v = view()
    v.outcome.value = "received_opioid"
    v.measure.value = "risk_ratio"
    expected = risk_ratio(COHORT, "received_opioid", "Black", "White")
    assert v.last_result.estimate == expected
    assert "times the proportion of White patients" in v.summary.value
    v.group.value = "Hispanic"
    assert v.last_result.estimate == risk_ratio(COHORT, "received_opioid", "Hispanic", "White")


def test_stratified_measure_shows_each_pain_category_and_the_pool():
    v = view()
    v.measure.value = "stratified"
    table = stratified_odds_ratio(COHORT, "received_analgesia", "Black", "White")
    assert v.last_result.estimate.estimate == pytest.approx(table["odds_ratio"].iloc[-1])
    for stratum in ("mild", "moderate", "severe", "Mantel-Haenszel pooled"):
        assert stratum in v.strata.value
    assert "same pain" in v.summary.value


def test_pain_filters_restrict_the_cohort():
    v = view()
    v.pain_categories.value = ("severe",)
    n_severe = int((COHORT["pain_category"] == "severe").sum())
    assert v.last_result.n == n_severe
    v.pain_range.value = (9, 10)
    assert v.last_result.n == int(COHORT["pain_score"].isin([9, 10]).sum())


def test_same_group_twice_or_empty_filter_explains_instead_of_failing():
    v = view()
    v.group.value = "White"
    assert "Cannot compare" in v.summary.value
    assert "both &#x27;White&#x27;" in v.summary.value
    assert v.plot.value == ""
    v.group.value = "Black"
    v.pain_categories.value = ("mild",)
    v.pain_range.value = (8, 10)
    assert "no visits match" in v.summary.value
    v.pain_range.value = (1, 10)
    assert v.last_result is not None
    assert v.plot.value.startswith("<svg")


def test_plot_redrawn_only_when_the_data_shown_change():
    calls = []

    def fake_plot(table, label):
        calls.append(label)
        return "SVG"

    v = view(plot=fake_plot)
    v.measure.value = "risk_ratio"
    v.group.value = "Hispanic"
    assert calls == ["Received any analgesia"]
    v.outcome.value = "received_opioid"
    assert calls == ["Received any analgesia", "Received an opioid"]


def test_injected_explore_is_used():
    seen = []

    def fake_explore(df, **kwargs):
        seen.append(kwargs)
        return explore_disparity(df, **kwargs)

    v = view(explore=fake_explore)
    v.measure.value = "risk_ratio"
    assert seen[-1]["measure"] == "risk_ratio"
    assert seen[-1]["pain_range"] == (1, 10)


def test_explore_uses_injected_statistics():
    fixed = Estimate(0.5, 0.25, 0.9, "fake", 10)
    result = explore_disparity(COHORT, odds_ratio_fn=lambda *a, **k: fixed)
    assert result.estimate is fixed
    assert result.summary[0] == (
        "Black vs White, received any analgesia: odds ratio 0.50 (95% CI 0.25-0.90)."
    )


def test_answer_round_trip(tmp_path):
    v = view(answer_name="a03_disparity", folder=tmp_path)
    v.measure.value = "stratified"
    v.pain_categories.value = ("moderate", "severe")
    v.save_bar.button.click()
    data = load_answer("a03_disparity", kind=KIND, folder=tmp_path)
    assert data["filters"] == {"pain_categories": ["moderate", "severe"], "pain_range": [1, 10]}
    assert data["measure"] == "stratified"
    rebuilt = explore_disparity(
        COHORT,
        outcome=data["outcome"],
        group=data["group"],
        reference=data["reference"],
        measure=data["measure"],
        pain_categories=data["filters"]["pain_categories"],
        pain_range=tuple(data["filters"]["pain_range"]),
    )
    assert Estimate(**data["estimate"]) == rebuilt.estimate


@pytest.mark.parametrize("practice", [False, True])
def test_no_expert_material_or_row_data_in_synced_state(practice):
    """The state carries the summary and tables, not the cohort rows or the model parameters."""
    v = view(practice=practice)
    state = synced_state_text(v)
    assert "ED00001" not in state
    assert "any_analgesia_intercept" not in state
    assert "Synthetic data" in state


def test_interpretation_of_an_interval_including_one():
    lines = interpret_estimate(
        Estimate(0.9, 0.7, 1.2, "x", 100), "odds_ratio", "Hispanic", "White", "Received X"
    )
    assert "compatible with no difference" in lines[1]
    assert "not read it as 'times as likely'" in lines[2]


def test_filter_cohort_validates():
    assert len(filter_cohort(COHORT, pain_range=(7, 10))) == int((COHORT["pain_score"] >= 7).sum())
    with pytest.raises(ValueError, match="pain_range"):
        filter_cohort(COHORT, pain_range=(5, 2))
    with pytest.raises(ValueError, match="'extreme' is not known; allowed: mild"):
        filter_cohort(COHORT, pain_categories=["extreme"])
    with pytest.raises(ValueError, match="measure: 'rd' is not known"):
        explore_disparity(COHORT, measure="rd")


def test_estimate_reproduces_the_built_in_odds_ratio_in_a_large_cohort():
    """With same-pain comparison, does the pooled OR recover Lee et al.'s 0.60 (within CI)?"""
    big = generate_ed_cohort(20000, seed=3)
    result = explore_disparity(big, measure="stratified")
    assert result.estimate.lower < 0.60 < result.estimate.upper
    assert not math.isnan(result.estimate.estimate)


def test_controls_are_labelled():
    assert unlabelled_controls(view(answer_name="x")) == []
