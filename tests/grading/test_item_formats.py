"""Item formats: reading a one-line choice and scoring it by the rules of clinical assessment."""

from __future__ import annotations

import pytest

from bpscare.grading.item_formats import (
    SCT_SCALE,
    ChoiceError,
    coding_credit,
    concordance_credit,
    harmful_choices,
    key_feature_credit,
    matching_credit,
    ordering_credit,
    panel_placement_credit,
    read_choice,
    read_choices,
    read_order,
)


@pytest.mark.parametrize("written", ["C", "c", " C ", "C.", "'C'", "(c)"])
def test_one_choice_reads_however_it_is_typed(written):
    assert read_choice(written, "ABCDE") == "C"


@pytest.mark.parametrize(
    ("written", "phrase"),
    [
        ("", "No choice was written"),
        (None, "No choice was written"),
        ("F", "'F' is not one of the options A–E"),
        ("B, C", "exactly one choice"),
        (3.5, "text between quotes"),
    ],
)
def test_an_unreadable_choice_says_what_to_write(written, phrase):
    with pytest.raises(ChoiceError, match=phrase):
        read_choice(written, "ABCDE")


def test_sct_answers_read_with_or_without_sign_and_quotes():
    assert read_choice("+1", SCT_SCALE) == "+1"
    assert read_choice("1", SCT_SCALE) == "+1"
    assert read_choice(-2, SCT_SCALE) == "-2"
    assert read_choice(0, SCT_SCALE) == "0"
    with pytest.raises(ChoiceError):
        read_choice("+3", SCT_SCALE)


def test_lists_keep_order_and_drop_repeats():
    assert read_choices("b, d; B e", "ABCDEF") == ("B", "D", "E")
    with pytest.raises(ChoiceError, match="No choice"):
        read_choices("  ", "ABC")
    with pytest.raises(ChoiceError, match="'Z' is not one of"):
        read_choices("A, Z", "ABC")


def test_an_order_lists_every_option_once():
    assert read_order("C A D B", "ABCD") == ("C", "A", "D", "B")
    with pytest.raises(ChoiceError, match="exactly once"):
        read_order("C, A, D", "ABCD")
    with pytest.raises(ChoiceError, match="exactly once"):
        read_order("C, A, D, D", "ABCD")


def test_key_features_share_and_over_selection():
    """Page & Bordage: credit is the share of critical actions; over-selection scores 0."""
    critical = {"A", "C", "E"}
    assert key_feature_credit(("A", "C", "E"), critical, select_up_to=3) == 1.0
    assert key_feature_credit(("A", "B"), critical, select_up_to=3) == pytest.approx(1 / 3)
    assert key_feature_credit(("A", "C", "E", "B"), critical, select_up_to=3) == 0.0
    assert harmful_choices(("A", "F"), {"F", "G"}) == ("F",)
    with pytest.raises(ValueError, match="room to choose"):
        key_feature_credit(("A",), critical, select_up_to=2)


def test_script_concordance_aggregate_scoring():
    """Charlin 2000: members choosing the answer / members choosing the modal answer."""
    panel = {"-2": 0, "-1": 1, "0": 3, "+1": 8, "+2": 3}
    assert concordance_credit("+1", panel) == 1.0
    assert concordance_credit("0", panel) == pytest.approx(3 / 8)
    assert concordance_credit("-2", panel) == 0.0
    with pytest.raises(ValueError, match="at least one answer"):
        concordance_credit("0", {"0": 0})


def test_matching_ordering_placement_and_coding():
    assert matching_credit({"v1": "B", "v2": "D"}, {"v1": "B", "v2": ("C", "D"), "v3": "A"}) == (
        pytest.approx(2 / 3)
    )
    assert ordering_credit(("A", "B", "C"), ("A", "B", "C")) == 1.0
    assert ordering_credit(("C", "B", "A"), ("A", "B", "C")) == 0.0
    assert ordering_credit(("B", "A", "C"), ("A", "B", "C")) == pytest.approx(2 / 3)
    panel = {
        "f1": {"perpetuating|social": 9, "precipitating|social": 3},
        "f2": {"protective|social": 12},
    }
    # a defensible alternative placement still earns a panel share
    assert panel_placement_credit(
        {"f1": "precipitating|social", "f2": "protective|social"}, panel
    ) == pytest.approx((3 / 9 + 1) / 2)
    assert panel_placement_credit({}, panel) == 0.0
    assert coding_credit({"u1": "ES", "u2": "X"}, {"u1": ("ES", "EO"), "u2": "Q"}) == 0.5
