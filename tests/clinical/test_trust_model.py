from __future__ import annotations

import math
from dataclasses import fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from bpscare.clinical.trust_model import (
    COEFFICIENTS,
    ILLUSTRATIVE_NOTE,
    SCENARIOS,
    Behaviours,
    State,
    compare_scenarios,
    scenario,
    simulate,
)

HELPFUL = ("transparency", "validation", "continuity", "safety_netting", "pacing")
HARMFUL = ("dismissal", "portal_without_context", "contradictory_messages")
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
behaviours_st = st.builds(Behaviours, **{f.name: unit for f in fields(Behaviours)})
state_st = st.builds(State, trust=unit, arousal=unit, symptoms=unit)
TOL = 1e-12


def final(behaviours: Behaviours, **kwargs) -> dict[str, float]:
    return simulate(behaviours, **kwargs).iloc[-1].to_dict()


# ---------------------------------------------------------------- shape and labelling


def test_simulate_shape_and_initial_row():
    out = simulate(scenario("usual care"))
    assert list(out.columns) == ["visit", "trust", "arousal", "symptoms"]
    assert list(out["visit"]) == list(range(13))
    assert out.iloc[0][["trust", "arousal", "symptoms"]].tolist() == [0.3, 0.7, 0.7]


def test_every_result_carries_the_illustrative_note():
    assert "NOT validated" in ILLUSTRATIVE_NOTE
    assert simulate(Behaviours()).attrs["note"] == ILLUSTRATIVE_NOTE
    assert compare_scenarios().attrs["note"] == ILLUSTRATIVE_NOTE
    assert simulate(scenario("dismissive")).attrs["behaviours"]["dismissal"] == 0.8


def test_module_docstring_says_illustrative():
    import bpscare.clinical.trust_model as tm

    assert "ILLUSTRATIVE AND NOT VALIDATED" in tm.__doc__


def test_every_coefficient_documents_its_seed_passage():
    for name, coef in COEFFICIENTS.items():
        assert coef.passage.strip(), name
        assert coef.meaning.strip(), name
        assert 0.0 < coef.value <= 1.0, name
        assert coef.seed.startswith(("mistrust-amplifies", "clinicians-role")), name
    support = sum(COEFFICIENTS[f"W_{n.upper()}"].value for n in HELPFUL)
    harm = sum(COEFFICIENTS[k].value for k in ("H_DISMISSAL", "H_PORTAL", "H_CONTRADICTORY"))
    assert support == pytest.approx(1.0)
    assert harm == pytest.approx(1.0)


def test_simulate_is_deterministic():
    b = scenario("trust-building")
    events = {3: {"stressor": 0.8}}
    assert_frame_equal(simulate(b, events=events), simulate(b, events=events))


# ---------------------------------------------------------------- bounds and monotonicity


@settings(max_examples=60, deadline=None)
@given(behaviours_st, state_st, st.integers(1, 30))
def test_all_values_stay_in_unit_interval(behaviours, initial, visits):
    out = simulate(behaviours, visits=visits, initial=initial)
    values = out[["trust", "arousal", "symptoms"]].to_numpy()
    assert ((values >= 0.0) & (values <= 1.0)).all()


@settings(max_examples=60, deadline=None)
@given(behaviours_st, unit, unit, st.sampled_from(HELPFUL))
def test_more_of_a_helpful_behaviour_never_hurts(behaviours, x, y, name):
    low, high = sorted((x, y))
    worse = simulate(replace(behaviours, **{name: low}))
    better = simulate(replace(behaviours, **{name: high}))
    assert (better["trust"] >= worse["trust"] - TOL).all()
    assert (better["symptoms"] <= worse["symptoms"] + TOL).all()
    assert (better["arousal"] <= worse["arousal"] + TOL).all()


@settings(max_examples=60, deadline=None)
@given(behaviours_st, unit, unit, st.sampled_from(HARMFUL))
def test_more_of_a_harmful_behaviour_never_helps(behaviours, x, y, name):
    low, high = sorted((x, y))
    milder = final(replace(behaviours, **{name: low}))
    harsher = final(replace(behaviours, **{name: high}))
    assert harsher["trust"] <= milder["trust"] + TOL
    assert harsher["symptoms"] >= milder["symptoms"] - TOL


def test_validation_raises_final_trust_and_lowers_symptoms_strictly():
    base = scenario("usual care")
    low = final(replace(base, validation=0.0))
    high = final(replace(base, validation=1.0))
    assert high["trust"] > low["trust"]
    assert high["symptoms"] < low["symptoms"]


# ---------------------------------------------------------------- presets


def test_presets_order_as_expected():
    ends = {name: final(scenario(name)) for name in SCENARIOS}
    assert ends["trust-building"]["trust"] > ends["usual care"]["trust"]
    assert ends["usual care"]["trust"] > ends["portal without context"]["trust"]
    assert ends["portal without context"]["trust"] > ends["dismissive"]["trust"]
    assert ends["trust-building"]["symptoms"] < ends["usual care"]["symptoms"]
    assert ends["usual care"]["symptoms"] < ends["portal without context"]["symptoms"]
    assert ends["portal without context"]["symptoms"] < ends["dismissive"]["symptoms"]
    start = State()
    assert ends["trust-building"]["trust"] > start.trust
    assert ends["dismissive"]["trust"] < start.trust


def test_portal_preset_is_usual_care_with_portal_results():
    usual, portal = scenario("usual care"), scenario("portal without context")
    assert replace(usual, portal_without_context=1.0) == portal


def test_compare_scenarios_stacks_presets():
    out = compare_scenarios(["dismissive", "trust-building"], visits=5)
    assert list(out.columns) == ["scenario", "visit", "trust", "arousal", "symptoms"]
    assert len(out) == 12
    assert set(out["scenario"]) == {"dismissive", "trust-building"}


def test_unknown_scenario_is_named():
    with pytest.raises(ValueError, match=r"'kind' is not a preset; allowed: dismissive"):
        scenario("kind")


# ---------------------------------------------------------------- events


def test_portal_event_lowers_trust_at_that_visit_only():
    base = scenario("usual care")
    plain = simulate(base)
    shocked = simulate(base, events={4: {"portal_without_context": 1.0}})
    assert_frame_equal(plain.iloc[:4], shocked.iloc[:4])
    assert shocked.loc[4, "trust"] < plain.loc[4, "trust"]
    assert shocked.loc[4, "arousal"] > plain.loc[4, "arousal"]


def test_stressor_event_raises_arousal():
    base = scenario("trust-building")
    calm = simulate(base)
    stressed = simulate(base, events={2: {"stressor": 1.0}})
    assert stressed.loc[2, "arousal"] > calm.loc[2, "arousal"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"validation": 1.5}, r"validation: expected a number in \[0, 1\], got 1.5"),
        ({"dismissal": -0.1}, r"dismissal: expected a number in \[0, 1\], got -0.1"),
        ({"pacing": True}, r"pacing: .*got True"),
        ({"transparency": math.nan}, r"transparency: .*nan"),
        ({"continuity": "high"}, r"continuity: .*'high'"),
    ],
)
def test_behaviours_are_validated(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        Behaviours(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"visits": 0}, r"visits: expected an integer in 1-500, got 0"),
        ({"visits": 2.5}, r"visits: .*2.5"),
        ({"initial": (0.3, 0.7, 0.7)}, r"initial: expected a State"),
        ({"events": {0: {"stressor": 1.0}}}, r"visit 0 is not a visit number; allowed: 1-12"),
        ({"events": {2: {"kindness": 1.0}}}, r"events\[2\]: 'kindness' is not known"),
        ({"events": {2: {"stressor": 2.0}}}, r"events\[2\]\.stressor: expected a number"),
        ({"events": [1, 2]}, r"events: expected a mapping"),
    ],
)
def test_simulate_rejects_bad_arguments(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        simulate(scenario("usual care"), **kwargs)


def test_simulate_rejects_non_behaviours():
    with pytest.raises(ValueError, match="expected a Behaviours, got dict"):
        simulate({"validation": 1.0})


def test_state_is_validated():
    with pytest.raises(ValueError, match=r"trust: expected a number in \[0, 1\], got 2"):
        State(trust=2)
