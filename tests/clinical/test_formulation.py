"""Tests for bpscare.clinical.formulation: the 4P x BPS grid and learner-versus-expert feedback."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpscare.clinical.cases import load_case
from bpscare.clinical.formulation import (
    CELLS,
    DOMAINS,
    FOUR_PS,
    Formulation,
    Misplacement,
    compare,
    score,
)

# A small worked example, counted by hand.
EXPERT = Formulation.from_dict(
    {
        "predisposing": {"biological": ["f-a", "f-b"]},
        "perpetuating": {"psychological": ["f-c"], "social": ["f-d"]},
        "protective": {"social": ["f-e"]},
    }
)
LEARNER = Formulation.from_dict(
    {
        "predisposing": {"biological": ["f-a"]},
        "precipitating": {"psychological": ["f-c"]},
        "perpetuating": {"social": ["f-d", "f-x"]},
        "protective": {"social": ["f-e"]},
    }
)
TEXTS = {
    "f-a": "Father had a heart attack at 52",
    "f-b": "LDL cholesterol is 162 mg/dL",
    "f-c": "Avoids walking since the ED visit",
    "f-d": "Left the ED with no follow-up plan",
    "f-e": "A close friend checks in daily",
    "f-x": "Drives a city bus",
}


def test_constants():
    """Are the four Ps and three domains in Bolton's and Engel's order, giving 12 cells?"""
    assert FOUR_PS == ("predisposing", "precipitating", "perpetuating", "protective")
    assert DOMAINS == ("biological", "psychological", "social")
    assert len(CELLS) == 12


def test_from_dict_fills_every_cell_and_round_trips():
    """Does from_dict fill missing cells with empty sets, and to_dict give them all back?"""
    grid = Formulation.from_dict({"protective": {"social": ["f-e", "f-e"]}})
    assert len(grid.cells) == 12
    assert grid.cell("protective", "social") == frozenset({"f-e"})
    assert grid.cell("predisposing", "biological") == frozenset()
    data = grid.to_dict()
    assert set(data) == set(FOUR_PS)
    assert all(set(row) == set(DOMAINS) for row in data.values())
    assert Formulation.from_dict(data) == grid


def test_empty_and_none():
    """Are empty(), from_dict(None) and from_dict({}) the same empty grid?"""
    assert Formulation.empty() == Formulation.from_dict(None) == Formulation.from_dict({})
    assert len(Formulation.empty()) == 0


def test_equality_and_hash_depend_on_placements_only():
    """Are grids with the same placements equal and hashable to the same value?"""
    a = Formulation.from_dict({"perpetuating": {"social": ["f-1", "f-2"]}})
    b = Formulation.empty().with_placement("f-2", "perpetuating", "social")
    b = b.with_placement("f-1", "perpetuating", "social")
    assert a == b
    assert hash(a) == hash(b)
    assert a.without("f-1") == Formulation.from_dict({"perpetuating": {"social": ["f-2"]}})
    assert a != Formulation.from_dict({"perpetuating": {"psychological": ["f-1", "f-2"]}})


def test_unknown_p_is_named_with_allowed_values():
    """Does an unknown P raise ValueError naming it and the allowed Ps?"""
    with pytest.raises(ValueError, match=r"'persisting'.*predisposing, precipitating"):
        Formulation.from_dict({"persisting": {"social": ["f-1"]}})


def test_unknown_domain_is_named_with_allowed_values():
    """Does an unknown domain raise ValueError naming it, its P and the allowed domains?"""
    with pytest.raises(ValueError, match=r"'spiritual' under 'protective'.*biological"):
        Formulation.from_dict({"protective": {"spiritual": ["f-1"]}})


@pytest.mark.parametrize("bad", [[1], ["f-ok", None], [""], "f-1"])
def test_finding_ids_must_be_strings_in_a_list(bad):
    """Are non-string ids, empty ids and a bare string rejected with the cell named?"""
    with pytest.raises(ValueError, match=r"protective\.social"):
        Formulation.from_dict({"protective": {"social": bad}})


def test_cells_mapping_keys_are_validated():
    """Does the constructor reject keys that are not (p, domain) pairs?"""
    with pytest.raises(ValueError, match="pairs"):
        Formulation({"protective": frozenset()})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="'mystery'"):
        Formulation({("mystery", "social"): frozenset()})


def test_worked_example_overall_metrics():
    """Does the hand-counted example give 3 correct of 5 placed and 5 expected: P = R = F1 = 0.6?"""
    fb = compare(LEARNER, EXPERT, TEXTS)
    assert (fb.correct, fb.learner_total, fb.expert_total) == (3, 5, 5)
    assert fb.precision == pytest.approx(0.6)
    assert fb.recall == pytest.approx(0.6)
    assert fb.f1 == pytest.approx(0.6)


def test_worked_example_cell_metrics():
    """Are per-cell precision and recall, including undefined (None) cells, as counted by hand?"""
    fb = compare(LEARNER, EXPERT, TEXTS)
    assert fb.cell_precision[("predisposing", "biological")] == 1.0
    assert fb.cell_recall[("predisposing", "biological")] == 0.5
    assert fb.cell_precision[("precipitating", "psychological")] == 0.0
    assert fb.cell_recall[("precipitating", "psychological")] is None  # expert cell empty
    assert fb.cell_precision[("perpetuating", "psychological")] is None  # learner cell empty
    assert fb.cell_recall[("perpetuating", "psychological")] == 0.0
    assert fb.cell_precision[("perpetuating", "social")] == 0.5
    assert fb.cell_recall[("perpetuating", "social")] == 1.0
    assert fb.cell_precision[("protective", "biological")] is None
    assert fb.cell_recall[("protective", "biological")] is None


def test_worked_example_missing_misplaced_extra():
    """Are f-b missing, f-c misplaced (precipitating vs perpetuating) and f-x extra?"""
    fb = compare(LEARNER, EXPERT, TEXTS)
    assert fb.missing == ("f-b",)
    assert fb.misplaced == (
        Misplacement("f-c", ("precipitating", "psychological"), ("perpetuating", "psychological")),
    )
    assert fb.extra == ("f-x",)
    assert fb.also_belongs == ()


def test_unequal_precision_and_recall():
    """With 2 correct of 3 placed and 4 expected, is P = 2/3, R = 1/2 and F1 = 4/7?"""
    expert = Formulation.from_dict(
        {"predisposing": {"biological": ["f-1", "f-2"]}, "protective": {"social": ["f-3", "f-4"]}}
    )
    learner = Formulation.from_dict(
        {"predisposing": {"biological": ["f-1"]}, "protective": {"social": ["f-3", "f-9"]}}
    )
    fb = compare(learner, expert)
    assert fb.precision == pytest.approx(2 / 3)
    assert fb.recall == pytest.approx(1 / 2)
    assert fb.f1 == pytest.approx(4 / 7)


def test_empty_grids():
    """Are P and R undefined for empty grids, with F1 = 1 when both are empty and 0 otherwise?"""
    both = compare(Formulation.empty(), Formulation.empty())
    assert (both.precision, both.recall, both.f1) == (None, None, 1.0)
    nothing_placed = compare(Formulation.empty(), EXPERT)
    assert (nothing_placed.precision, nothing_placed.recall, nothing_placed.f1) == (None, 0.0, 0.0)
    nothing_expected = compare(LEARNER, Formulation.empty())
    assert (nothing_expected.precision, nothing_expected.recall) == (0.0, None)
    assert nothing_expected.f1 == 0.0


def test_misplaced_message_names_text_and_both_cells():
    """Does the message quote the finding's text and name the expert P and the learner's cell?"""
    fb = compare(LEARNER, EXPERT, TEXTS)
    message = next(m for m in fb.messages if "Avoids walking" in m)
    assert message.startswith("‘Avoids walking since the ED visit’ is a perpetuating factor")
    assert "it keeps the symptoms going" in message
    assert "you placed it under precipitating" in message
    assert "perpetuating–psychological" in message


def test_domain_only_misplacement_message():
    """When only the domain differs, does the message name both domains and the move?"""
    expert = Formulation.from_dict({"perpetuating": {"social": ["f-d"]}})
    learner = Formulation.from_dict({"perpetuating": {"psychological": ["f-d"]}})
    (message,) = [m for m in compare(learner, expert, TEXTS).messages if "‘Left the ED" in m]
    assert "belongs to the social domain" in message
    assert "not psychological" in message
    assert "from perpetuating–psychological to perpetuating–social" in message


def test_p_and_domain_both_wrong_message():
    """When P and domain both differ, does the message name the full expert cell?"""
    expert = Formulation.from_dict({"protective": {"social": ["f-e"]}})
    learner = Formulation.from_dict({"precipitating": {"biological": ["f-e"]}})
    (message,) = [m for m in compare(learner, expert, TEXTS).messages if "‘A close friend" in m]
    assert "protective factor" in message
    assert "social domain" in message
    assert "precipitating–biological" in message
    assert "Move it to protective–social" in message


def test_missing_and_extra_messages():
    """Do missing and extra findings get messages naming their text and cells?"""
    messages = compare(LEARNER, EXPERT, TEXTS).messages
    missing = next(m for m in messages if "‘LDL cholesterol is 162 mg/dL’" in m)
    assert "You did not place" in missing
    assert "predisposing–biological" in missing
    extra = next(m for m in messages if "‘Drives a city bus’" in m)
    assert "perpetuating–social" in extra
    assert "not part of the expert formulation" in extra


def test_reveal_expert_false_gives_a_hint_not_the_cell():
    """With reveal_expert=False, does the missing message ask Bolton's questions instead?"""
    messages = compare(LEARNER, EXPERT, TEXTS, reveal_expert=False).messages
    missing = next(m for m in messages if "LDL" in m)
    assert "predisposing–biological" not in missing
    assert "why now" in missing


def test_messages_use_ids_without_texts():
    """Without a findings mapping, do messages quote the ids?"""
    messages = compare(LEARNER, EXPERT).messages
    assert any("‘f-c’" in m for m in messages)


def test_summary_message_comes_first():
    """Is the first message a count summary with the three metrics?"""
    first = compare(LEARNER, EXPERT).messages[0]
    assert first == (
        "You placed 3 of 5 expert placements correctly (precision 0.60, recall 0.60, F1 0.60)."
    )


def test_duplicate_placement_in_right_and_wrong_cell():
    """If the learner places a finding in the right cell and a wrong one, is the wrong one flagged
    for removal?"""
    expert = Formulation.from_dict({"perpetuating": {"social": ["f-d"]}})
    learner = Formulation.from_dict(
        {"perpetuating": {"social": ["f-d"]}, "precipitating": {"social": ["f-d"]}}
    )
    fb = compare(learner, expert, TEXTS)
    assert fb.misplaced == (
        Misplacement("f-d", ("precipitating", "social"), ("perpetuating", "social")),
    )
    assert any("remove it from precipitating–social" in m for m in fb.messages)
    assert fb.precision == 0.5
    assert fb.recall == 1.0


def test_finding_in_two_expert_cells():
    """If the expert uses a finding in two cells and the learner in one, is the other reported?"""
    expert = Formulation.from_dict(
        {"predisposing": {"psychological": ["f-a"]}, "perpetuating": {"psychological": ["f-a"]}}
    )
    learner = Formulation.from_dict({"predisposing": {"psychological": ["f-a"]}})
    fb = compare(learner, expert, TEXTS)
    assert fb.also_belongs == (("f-a", ("perpetuating", "psychological")),)
    assert fb.misplaced == ()
    assert any("add it to perpetuating–psychological as well" in m for m in fb.messages)


def test_perfect_match_says_so():
    """Does an exact match score 1.0 and say every finding is placed as the expert did?"""
    fb = compare(EXPERT, EXPERT, TEXTS)
    assert (fb.precision, fb.recall, fb.f1) == (1.0, 1.0, 1.0)
    assert fb.messages[-1] == "Every finding is in the same cell as the expert formulation."


def test_compare_rejects_non_formulations():
    """Does compare reject a plain dict with ValueError?"""
    with pytest.raises(ValueError, match="learner must be a Formulation"):
        compare({"protective": {}}, EXPERT)  # type: ignore[arg-type]


def test_compare_against_a_real_case():
    """Does a learner who misplaces one finding in case c01 get a message quoting its text?"""
    case = load_case("c01-chest-tightness")
    expert = case.expert_formulation()
    learner = expert.without("f-avoids-stairs-garden").with_placement(
        "f-avoids-stairs-garden", "precipitating", "psychological"
    )
    fb = compare(learner, expert, case.findings_by_id())
    assert fb.misplaced[0].finding == "f-avoids-stairs-garden"
    assert any(
        m.startswith("‘Avoids stairs and walking to her garden since the emergency visit’")
        and "perpetuating" in m
        for m in fb.messages
    )


# --------------------------------------------------------------------------------------------
# Partial credit
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("f1_case", "points", "step", "expected"),
    [
        ("worked", 4, 0.5, 2.5),  # 4 x 0.6 = 2.4 -> 2.5
        ("worked", 4, 1, 2.0),  # 2.4 -> 2
        ("worked", 5, 0.5, 3.0),  # 5 x 0.6 = 3.0
        ("four_sevenths", 4, 0.5, 2.5),  # 4 x 4/7 = 2.29 -> 2.5
        ("four_sevenths", 7, 0.5, 4.0),  # 7 x 4/7 = 4.0
        ("perfect", 3, 0.5, 3.0),
        ("empty_learner", 3, 0.5, 0.0),
    ],
)
def test_score_rule(f1_case, points, step, expected):
    """Is credit points x F1 rounded to the nearest step, as documented?"""
    grids = {
        "worked": (LEARNER, EXPERT),
        "four_sevenths": (
            Formulation.from_dict(
                {"predisposing": {"biological": ["f-1"]}, "protective": {"social": ["f-3", "f-9"]}}
            ),
            Formulation.from_dict(
                {
                    "predisposing": {"biological": ["f-1", "f-2"]},
                    "protective": {"social": ["f-3", "f-4"]},
                }
            ),
        ),
        "perfect": (EXPERT, EXPERT),
        "empty_learner": (Formulation.empty(), EXPERT),
    }
    learner, expert = grids[f1_case]
    assert score(compare(learner, expert), points, step=step) == expected


def test_score_rounds_halves_up():
    """Is an exact half step (2.5 points x F1 0.5 = 1.25, step 0.5) rounded up to 1.5?"""
    expert = Formulation.from_dict({"protective": {"social": ["f-1", "f-2"]}})
    learner = Formulation.from_dict({"protective": {"social": ["f-1", "f-9"]}})
    fb = compare(learner, expert)
    assert fb.f1 == 0.5
    assert score(fb, 2.5, step=0.5) == 1.5
    assert score(fb, 2.5, step=0.25) == 1.25


@pytest.mark.parametrize(("points", "step"), [(-1, 0.5), (float("nan"), 0.5), (4, 0), (4, -0.5)])
def test_score_rejects_bad_arguments(points, step):
    """Are negative or non-finite points and non-positive steps rejected?"""
    with pytest.raises(ValueError, match=r"points|step"):
        score(compare(LEARNER, EXPERT), points, step=step)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

_IDS = st.sampled_from([f"f-{i}" for i in range(8)])
_GRIDS = st.dictionaries(st.sampled_from(CELLS), st.frozensets(_IDS, max_size=4), max_size=12).map(
    Formulation
)


@given(_GRIDS)
def test_identical_grids_are_perfect(grid):
    """Is comparing a non-empty grid with itself precision = recall = F1 = 1, with no errors?"""
    fb = compare(grid, grid)
    assert fb.f1 == 1.0
    if len(grid):
        assert fb.precision == 1.0
        assert fb.recall == 1.0
    assert fb.missing == fb.extra == fb.misplaced == ()


@given(_GRIDS, _GRIDS)
def test_metrics_are_within_zero_and_one(learner, expert):
    """Are every defined metric and every per-cell metric within [0, 1]?"""
    fb = compare(learner, expert)
    values = [fb.precision, fb.recall, fb.f1, *fb.cell_precision.values(), *fb.cell_recall.values()]
    assert all(v is None or 0.0 <= v <= 1.0 for v in values)


@given(_GRIDS, _GRIDS)
def test_swapping_roles_swaps_precision_and_recall(learner, expert):
    """Is precision(learner, expert) the recall of the swapped comparison, with F1 symmetric?"""
    forward, backward = compare(learner, expert), compare(expert, learner)
    assert forward.precision == backward.recall
    assert forward.recall == backward.precision
    assert forward.f1 == pytest.approx(backward.f1)


@given(_GRIDS, _GRIDS, st.sampled_from([1, 2, 4, 10]))
def test_score_is_between_zero_and_points(learner, expert, points):
    """Is partial credit always between 0 and the points available?"""
    credit = score(compare(learner, expert), points)
    assert 0.0 <= credit <= points


@given(_GRIDS, _GRIDS)
def test_every_expert_finding_is_accounted_for(learner, expert):
    """Is each expert finding either missing or placed by the learner (never both)?"""
    fb = compare(learner, expert)
    placed = learner.findings()
    for finding in expert.findings():
        assert (finding in fb.missing) != (finding in placed)
