"""Trust-cycle simulator: sliders -> trajectories, effects, plot; preset sync; answer round-trip."""

from __future__ import annotations

import pytest
from helpers import synced_state_text
from w2_checks import unlabelled_controls

from bpscare.clinical import trust_model
from bpscare.clinical.trust_model import ILLUSTRATIVE_NOTE, SCENARIOS, Behaviours
from bpscare.grading.answers import load_answer
from bpscare.widgets.trust_simulator import (
    KIND,
    TrustSimulatorView,
    run_trust_simulation,
    trust_simulator,
)


def no_plot(run):
    return "SVG"


def view(**kwargs):
    kwargs.setdefault("plot", no_plot)
    return TrustSimulatorView(**kwargs)


def test_real_plot_and_note_are_rendered():
    v = TrustSimulatorView()
    assert v.plot.value.startswith("<svg")
    assert "NOT validated" in v.note.value
    assert "After visit 12: trust" in v.summary.value


def test_chart_has_a_text_alternative_and_distinct_line_styles():
    v = TrustSimulatorView(preset="dismissive")
    svg = v.plot.value
    assert "aria-label='Illustrative model after visit 12: trust" in svg
    assert "stroke-dasharray='6 4'" in svg  # the usual-care reference is dashed
    assert "<polygon" in svg  # triangle markers for symptom burden
    assert "not validated" in svg


def test_usual_care_matches_the_reference_and_says_so():
    v = view()
    final = trust_model.simulate(SCENARIOS["usual care"]).iloc[-1]
    assert f"trust {final['trust']:.2f} (usual care: {final['trust']:.2f})" in v.summary.value
    assert "Every behaviour is set as in usual care" in v.effects.value


def test_moving_a_slider_reruns_the_model_and_names_the_behaviour():
    v = view()
    v.sliders["validation"].value = 0.9
    expected = trust_model.simulate(v.behaviours()).iloc[-1]["trust"]
    assert v.last_run.trajectory.iloc[-1]["trust"] == pytest.approx(expected)
    assert "Validation (acknowledges the person&#x27;s experience) at 0.90" in v.effects.value
    assert "raised trust" in v.effects.value
    assert v.preset.value == "custom"


def test_choosing_a_preset_moves_every_slider_and_redraws_once():
    calls = []
    v = view(plot=lambda run: calls.append(run) or "SVG")
    calls.clear()
    v.preset.value = "trust-building"
    assert v.behaviours() == SCENARIOS["trust-building"]
    assert len(calls) == 1
    assert v.preset.value == "trust-building"
    v.preset.value = "dismissive"
    assert v.behaviours() == SCENARIOS["dismissive"]
    assert "lowered trust" in v.effects.value


def test_dismissive_care_ends_with_less_trust_than_trust_building():
    v = view(preset="dismissive")
    low = v.last_run.trajectory.iloc[-1]["trust"]
    v.preset.value = "trust-building"
    high = v.last_run.trajectory.iloc[-1]["trust"]
    assert low < 0.3 < high


def test_portal_event_applies_at_the_chosen_visit():
    v = view()
    v.event.value = "portal"
    v.event_visit.value = 3
    run = v.last_run
    expected = trust_model.simulate(
        v.behaviours(), events={3: {"portal_without_context": 1.0}}
    ).iloc[-1]["trust"]
    assert run.trajectory.iloc[-1]["trust"] == pytest.approx(expected)
    assert "Event at visit 3: an abnormal result reaches the portal" in v.summary.value


def test_visits_limit_the_event_visit():
    v = view()
    v.event_visit.value = 10
    v.visits.value = 6
    assert v.event_visit.max == 6
    assert len(v.last_run.trajectory) == 7


def test_injected_run_is_used():
    seen = []

    def fake_run(behaviours, **kwargs):
        seen.append((behaviours, kwargs))
        return run_trust_simulation(behaviours, **kwargs)

    v = view(run=fake_run)
    v.visits.value = 8
    assert seen[-1][1]["visits"] == 8
    assert isinstance(seen[-1][0], Behaviours)


def test_run_uses_injected_model_and_validates():
    calls = []

    def fake_simulate(b, **kwargs):
        calls.append(kwargs)
        return trust_model.simulate(b, **kwargs)

    run_trust_simulation(SCENARIOS["dismissive"], visits=5, simulate=fake_simulate)
    assert calls
    assert {c["visits"] for c in calls} == {5}
    with pytest.raises(ValueError, match="event: 'flood' is not known"):
        run_trust_simulation(Behaviours(), event="flood")
    with pytest.raises(ValueError, match="event_visit: 9 is not a visit; allowed: 1-5"):
        run_trust_simulation(Behaviours(), visits=5, event="stressor", event_visit=9)


def test_answer_round_trip(tmp_path):
    v = view(answer_name="m01_trust", folder=tmp_path)
    v.sliders["pacing"].value = 0.8
    v.event.value = "stressor"
    v.save_bar.button.click()
    data = load_answer("m01_trust", kind=KIND, folder=tmp_path)
    assert Behaviours(**data["behaviours"]) == v.behaviours()
    rebuilt = run_trust_simulation(
        Behaviours(**data["behaviours"]),
        visits=data["visits"],
        event=data["event"],
        event_visit=data["event_visit"],
    )
    assert rebuilt.trajectory.equals(v.last_run.trajectory)


@pytest.mark.parametrize("practice", [False, True])
def test_state_shows_the_note_but_not_model_internals(practice):
    v = view(practice=practice)
    state = synced_state_text(v)
    assert ILLUSTRATIVE_NOTE[:40] in state
    assert "BETRAYAL" not in state


def test_controls_are_labelled():
    v = trust_simulator(answer_name="x", plot=no_plot)
    assert unlabelled_controls(v) == []
    assert all(s.continuous_update is False for s in v.sliders.values())
