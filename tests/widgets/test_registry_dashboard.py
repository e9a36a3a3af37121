"""Registry dashboard: counts, caseload table, review flags, trajectory plot, answer round-trip."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import synced_state_text
from w2_checks import unlabelled_controls

from bpscare.clinical.registry import (
    REASON_NO_FOLLOW_UP,
    generate_caseload,
    patient_trajectory,
    registry_status,
)
from bpscare.grading.answers import load_answer
from bpscare.widgets.registry_dashboard import (
    KIND,
    RegistryDashboardView,
    plot_trajectory,
    registry_dashboard,
    registry_snapshot,
)

CASELOAD = generate_caseload(n_patients=24, weeks=16, seed=2)

# A hand-made registry whose outcomes are known from the published rules.
TINY = pd.DataFrame(
    {
        "patient_id": ["A", "A", "B", "B", "C"],
        "date": pd.to_datetime(
            ["2026-01-05", "2026-03-02", "2026-01-05", "2026-03-02", "2026-01-05"]
        ),
        "instrument": ["phq9"] * 5,
        "score": [20, 4, 20, 18, 15],
    }
)


def no_plot(trajectory, instrument):
    return "SVG"


def view(**kwargs):
    kwargs.setdefault("plot", no_plot)
    return RegistryDashboardView(CASELOAD, **kwargs)


def test_counts_and_table_follow_the_registry_rules():
    v = RegistryDashboardView(TINY, plot=no_plot)
    lines = v.last_snapshot.lines
    assert "Remission: 1 of 3 (33%)." in lines  # A: 20 -> 4
    assert "No response: 1 of 3 (33%)." in lines  # B: 20 -> 18
    assert "Baseline only: 1 of 3 (33%)." in lines  # C: no follow-up
    # every patient lacks a follow-up score in weeks 1-4 (Bao et al. 2016), so all are flagged
    assert "3 patients on PHQ-9 (depression) as of 2026-03-02; 3 flagged" in v.summary.value
    assert "-80%" in v.table.value
    assert REASON_NO_FOLLOW_UP in v.table.value


def test_flagged_filter_shows_only_flagged_patients():
    v = view()
    v.show.value = "flagged"
    status = registry_status(CASELOAD)
    expected = status.loc[(status["instrument"] == "phq9") & status["flag_case_review"]]
    assert list(v.last_snapshot.shown["patient_id"]) == list(expected["patient_id"])
    assert list(v.patient.options) == list(expected["patient_id"])
    assert v.table.value.count("<strong>Review:</strong>") == len(expected)


def test_registry_date_moves_the_snapshot():
    v = view()
    v.as_of.index = 6
    as_of = v.as_of.value
    expected = registry_status(CASELOAD, as_of)
    assert len(v.last_snapshot.status) == int((expected["instrument"] == "phq9").sum())
    assert f"as of {as_of:%Y-%m-%d}" in v.summary.value


def test_instrument_switch_shows_gad7():
    v = view()
    v.instrument.value = "gad7"
    assert set(v.last_snapshot.status["instrument"]) == {"gad7"}
    assert "GAD-7 (anxiety)" in v.summary.value


def test_empty_filter_explains():
    v = RegistryDashboardView(TINY, plot=no_plot)
    v.show.value = "response"
    assert "No patients match this filter." in v.table.value
    assert v.patient.value is None
    assert v.plot.value == ""


def test_trajectory_plot_for_the_chosen_patient():
    calls = []

    def fake_plot(trajectory, instrument):
        calls.append((trajectory["patient_id"].iloc[0], instrument))
        return "SVG"

    v = view(plot=fake_plot)
    first = v.patient.value
    assert calls == [(first, "phq9")]
    v.patient.value = v.patient.options[1]
    assert calls[-1] == (v.patient.options[1], "phq9")
    v.show.value = "all"  # same patient, same date: no redraw
    assert len(calls) == 2


def test_real_chart_is_an_accessible_svg():
    svg = plot_trajectory(patient_trajectory(TINY, "A"), "phq9")
    assert svg.startswith("<svg")
    assert "role='img'" in svg
    assert "A: PHQ-9 (depression) scores by week since baseline - week 0: 20, week 8: 4." in svg
    assert "Response (50% of baseline)" in svg
    assert "Bao et al." in svg
    v = RegistryDashboardView(TINY)
    assert v.plot.value.startswith("<svg")


def test_injected_snapshot_is_used():
    seen = []

    def fake_snapshot(scores, **kwargs):
        seen.append(kwargs)
        return registry_snapshot(scores, **kwargs)

    v = view(snapshot=fake_snapshot)
    v.show.value = "remission"
    assert seen[-1]["show"] == "remission"
    assert seen[-1]["instrument"] == "phq9"


def test_snapshot_validates_and_uses_injected_status():
    with pytest.raises(ValueError, match="show: 'worse' is not a filter"):
        registry_snapshot(TINY, show="worse")
    with pytest.raises(ValueError, match="instrument: 'phq15' is not supported"):
        registry_snapshot(TINY, instrument="phq15")
    calls = []

    def fake_status(scores, as_of):
        calls.append(as_of)
        return registry_status(scores, as_of)

    registry_snapshot(TINY, as_of="2026-02-01", status_fn=fake_status)
    assert calls == ["2026-02-01"]


def test_answer_round_trip(tmp_path):
    v = registry_dashboard(seed=2, answer_name="a05_review", folder=tmp_path, plot=no_plot)
    v.show.value = "flagged"
    flagged = list(v.patient.options)
    v.review.value = tuple(flagged[:2])
    v.save_bar.button.click()
    data = load_answer("a05_review", kind=KIND, folder=tmp_path)
    assert data["review"] == flagged[:2]
    rebuilt = registry_status(generate_caseload(seed=data["seed"]), data["as_of"])
    rebuilt = rebuilt.loc[rebuilt["instrument"] == data["instrument"]]
    assert set(data["review"]) <= set(rebuilt.loc[rebuilt["flag_case_review"], "patient_id"])


def test_filters_reuse_the_status_of_the_same_date(monkeypatch):
    import bpscare.widgets.registry_dashboard as module

    calls = []

    def counting(scores, as_of=None):
        calls.append(as_of)
        return registry_status(scores, as_of)

    monkeypatch.setattr(module, "registry_status", counting)
    v = view()
    v.show.value = "flagged"
    v.instrument.value = "gad7"
    assert len(calls) == 1
    v.as_of.index = 3
    assert len(calls) == 2


def test_review_selection_survives_a_filter_change():
    v = view()
    v.review.value = (v.review.options[0],)
    v.show.value = "flagged"
    assert v.review.value == (v.review.options[0],)


@pytest.mark.parametrize("practice", [False, True])
def test_state_holds_the_view_not_the_score_table(practice):
    v = view(practice=practice)
    state = synced_state_text(v)
    assert "Synthetic caseload" in state
    assert "patient_id" not in state


def test_controls_are_labelled():
    assert unlabelled_controls(view(answer_name="x")) == []


def test_chart_ticks_are_round_numbers():
    from bpscare.widgets._svg import _ticks

    assert _ticks(0, 27) == [0, 5, 10, 15, 20, 25]
    assert _ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert _ticks(0, 12) == [0, 2, 4, 6, 8, 10, 12]
    assert _ticks(3, 3) == [3]
