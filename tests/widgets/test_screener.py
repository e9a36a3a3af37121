"""Screener form: live total, band, item-9 safety alert, next step, answer round trip."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import synced_state_text

import bpscare.widgets.screener as screener_module
from bpscare.clinical.cases import load_case
from bpscare.clinical.instruments import (
    INSTRUMENT_NAMES,
    RULES,
    Score,
    anchors,
    bands,
    instrument_info,
    items,
    normalise_name,
    recommended_action,
    rules_for,
    score,
)
from bpscare.grading.answers import load_answer
from bpscare.widgets.screener import (
    INTRODUCTION_GUIDANCE,
    KIND,
    ScreenerView,
    answer_to_score,
    read_screener,
    screener_form,
    screener_to_answer,
)

# --- pure function -------------------------------------------------------------------------


def test_incomplete_form_has_running_total_but_no_band():
    reading = read_screener("gad7", [1, 2, None, None, None, None, None])
    assert reading.score is None
    assert reading.running_total == 3
    assert reading.answered == 2
    assert reading.next_step is None
    assert "Answered 2 of 7" in reading.status


def test_complete_phq9_moderate_band_and_positive():
    """Does a PHQ-9 total of 12 read as moderate and screen positive (Kroenke 2001)?"""
    reading = read_screener("phq9", [2, 2, 2, 2, 2, 1, 1, 0, 0])
    assert reading.score is not None
    assert reading.score.total == 12
    assert reading.status == "Total 12 of 27: moderate. Screen positive."
    assert reading.safety is None
    assert "Kroenke & Spitzer" in reading.next_step
    assert reading.band_table.startswith("0-4 minimal; 5-9 mild; 10-14 moderate")


def test_item_9_alert_appears_before_the_form_is_complete():
    """Does item 9 = 1 raise the safety alert even with items still open and a low total?"""
    reading = read_screener("phq9", [None, None, None, None, None, None, None, None, 1])
    assert reading.score is None
    assert reading.safety is not None
    assert "C-SSRS" in reading.safety
    complete = read_screener("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert complete.score.band == "minimal"
    assert complete.safety is not None


def test_phq15_without_item_4_has_max_28():
    responses = [1] * 15
    responses[3] = None
    reading = read_screener("phq15", responses, menstrual_applicable=False)
    assert reading.n_required == 14
    assert reading.score.total == 14
    assert reading.score.max_total == 28
    assert reading.band_table.endswith("15-28 high")


def test_phq4_subscales_drive_next_step():
    reading = read_screener("phq4", [2, 1, 0, 0])
    assert reading.score.subscales == {"anxiety": 3, "depression": 0}
    assert "administer the full GAD-7" in reading.next_step


def test_wrong_length_is_rejected():
    with pytest.raises(ValueError, match="expected 7 responses, got 2"):
        read_screener("gad7", [0, 0])


def test_answer_helpers_round_trip():
    responses = [0, 1, 2, 3, 0, 1, 2]
    data = screener_to_answer("GAD-7", responses)
    assert data == {"instrument": "gad7", "responses": responses}
    assert answer_to_score(data) == score("gad7", responses)


# --- view --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", INSTRUMENT_NAMES)
def test_every_instrument_renders_its_wording_and_attribution(name):
    view = screener_form(name)
    info = instrument_info(name)
    assert len(view.items) == info.n_items
    state = synced_state_text(view)
    assert info.attribution[:40] in state
    assert all(item.description.startswith("Item ") for item in view.items)
    assert "Answered 0 of" in view.total.value


def test_live_total_follows_clicks():
    view = ScreenerView("gad7")
    for buttons in view.items[:6]:
        buttons.value = 2
    assert "Answered 6 of 7" in view.total.value
    assert view.next_step.value == ""
    view.items[6].value = 0
    assert "Total 12 of 21: moderate. Screen positive." in view.total.value
    assert "What to do next" in view.next_step.value
    assert "Spitzer" in view.next_step.value


def test_item_9_alert_in_view():
    view = ScreenerView("phq9")
    assert view.safety.value == ""
    view.items[8].value = 1
    assert "Safety alert" in view.safety.value
    assert "role='alert'" in view.safety.value
    view.items[8].value = 0
    assert view.safety.value == ""


def test_phq15_not_applicable_disables_item_4():
    view = ScreenerView("phq15")
    view.items[3].value = 2
    view.not_applicable.value = True
    assert view.items[3].value is None
    assert view.items[3].disabled
    for i, buttons in enumerate(view.items):
        if i != 3:
            buttons.value = 1
    assert "Total 14 of 28: medium." in view.total.value


def test_guidance_names_sources():
    view = ScreenerView("phq9")
    guidance = view.guidance.children[0].value
    assert "Engel" in guidance
    assert "Item 9" in guidance
    assert len(INTRODUCTION_GUIDANCE) >= 4


def test_prefill_from_case():
    case = load_case("c01-chest-tightness")
    view = screener_form("phq9", responses=case.screeners.phq9)
    expected = case.screener_scores()["phq9"]
    assert f"Total {expected.total} of 27" in view.total.value


def test_injected_reader_is_used():
    seen = []

    def fake_reader(name, responses, **options):
        seen.append((name, tuple(responses)))
        return read_screener(name, responses, **options)

    view = ScreenerView("phq2", reader=fake_reader)
    view.items[0].value = 3
    assert seen[-1] == ("phq2", (3, None))


def test_answer_round_trip_through_save_bar(tmp_path):
    view = screener_form("phq15", "a01_phq15", folder=tmp_path)
    view.not_applicable.value = True
    for i, buttons in enumerate(view.items):
        if i != 3:
            buttons.value = i % 3
    view.save_bar.button.click()
    assert "Saved as" in view.save_bar.status.value
    data = load_answer("a01_phq15", kind=KIND, folder=tmp_path)
    assert data["instrument"] == "phq15"
    assert data["responses"][3] is None
    rebuilt = answer_to_score(data)
    assert rebuilt == score("phq15", view.responses(), menstrual_applicable=False)


def test_no_expert_material_in_state():
    """A screener has no expert key; does its state hold only the form (no case data)?"""
    case = load_case("c01-chest-tightness")
    view = screener_form("phq9", responses=case.screeners.phq9)
    text = synced_state_text(view)
    assert case.id not in text
    assert "formulation" not in text


def test_unknown_screener_is_rejected():
    with pytest.raises(ValueError, match="allowed: phq9"):
        screener_form("sss8")


# --- one rule record, one name normaliser ------------------------------------------------

SPELLINGS = [
    "phq9",
    "PHQ 9",
    "PHQ-9",
    " phq_9 ",
    "P H Q 9",
    "GAD 7",
    "gad-2",
    "PHQ 15",
    "Phq_4",
    "phq 8",
    "PHQ-2",
]
NOT_FORMS = ["phq10", "PHQ.9", "sss8", "SSS 8", "wsas", "", "PHQ\u20139"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_screener_form_accepts_what_instrument_info_accepts(spelling):
    """Does screener_form("PHQ 9") work like instrument_info("PHQ 9") (it used to raise)?"""
    info = instrument_info(spelling)
    view = screener_form(spelling)
    assert view.instrument == info.name
    assert len(view.items) == info.n_items


def entry_point_calls(spelling):
    """Every library entry point that takes an instrument name, called with ``spelling``."""
    try:
        rules = rules_for(spelling)
    except ValueError:
        rules = RULES["phq9"]
    zeros = [0] * rules.n_items
    return {
        "normalise_name": lambda: normalise_name(spelling),
        "rules_for": lambda: rules_for(spelling),
        "score": lambda: score(spelling, zeros),
        "bands": lambda: bands(spelling),
        "recommended_action": lambda: recommended_action(
            Score(spelling, 0, rules.max_total, rules.bands[0].label, None)
        ),
        "instrument_info": lambda: instrument_info(spelling),
        "items": lambda: items(spelling),
        "anchors": lambda: anchors(spelling),
        "read_screener": lambda: read_screener(spelling, zeros),
        "screener_to_answer": lambda: screener_to_answer(spelling, zeros),
        "answer_to_score": lambda: answer_to_score({"instrument": spelling, "responses": zeros}),
        "ScreenerView": lambda: ScreenerView(spelling),
        "screener_form": lambda: screener_form(spelling),
    }


@pytest.mark.parametrize("spelling", [*SPELLINGS, "phq10", "PHQ.9", "", "PHQ\u20139"])
def test_every_entry_point_accepts_the_same_spellings(spelling):
    calls = entry_point_calls(spelling)
    accepted = set()
    for name, call in calls.items():
        try:
            call()
        except ValueError:
            continue
        accepted.add(name)
    assert accepted in (set(), set(calls)), sorted(set(calls) - accepted)
    assert bool(accepted) is (spelling in SPELLINGS)


@pytest.mark.parametrize("spelling", NOT_FORMS)
def test_names_without_a_form_are_rejected(spelling):
    with pytest.raises(ValueError, match="has no bundled form; allowed: phq9"):
        screener_form(spelling)


@pytest.mark.parametrize("name", INSTRUMENT_NAMES)
def test_band_table_is_the_rule_record(name):
    rules = rules_for(name)
    reading = read_screener(name, [None] * rules.n_items)
    expected = "; ".join(f"{b.low}-{b.high} {b.label}" for b in rules.bands)
    assert reading.band_table == expected


def test_phq9_band_text_in_messages_equals_the_record():
    """Does the live total and next step quote the record's band and range?"""
    rules = rules_for("phq9")
    moderate = rules.band("moderate")
    reading = read_screener("phq9", [2, 2, 2, 2, 2, 1, 1, 0, 0])
    assert f"Moderate symptoms ({moderate.low}-{moderate.high}):" in reading.next_step
    assert f"{moderate.low}-{moderate.high} moderate" in reading.band_table
    view = ScreenerView("phq9", responses=[2, 2, 2, 2, 2, 1, 1, 0, 0])
    assert f"Moderate symptoms ({rules.band_range('moderate')})" in view.next_step.value


def test_item9_guidance_and_alert_follow_the_record():
    rule = rules_for("phq9").safety_item
    view = ScreenerView("phq9")
    assert f"Item {rule.item} asks" in view.guidance.children[0].value
    view.items[rule.item - 1].value = rule.alert_at
    assert "Safety alert" in view.safety.value
    gad7 = ScreenerView("gad7")
    assert "self-harm" not in gad7.guidance.children[0].value


def _docstring_nodes(tree):
    """Every bare string statement (module, class, function and attribute docstrings)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def test_widget_keeps_no_clinical_numbers():
    """Does widgets/screener.py hold no band boundary, cut-off or item-9 constant of its own?"""
    path = Path(screener_module.__file__)
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstrings = _docstring_nodes(tree)
    ints = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    }
    assert ints <= {0, 1}, f"integer literals other than 0/1: {sorted(ints - {0, 1})}"
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]
    ranges = {f"{b.low}-{b.high}" for rules in RULES.values() for b in rules.bands}
    labels = {b.label for rules in RULES.values() for b in rules.bands}
    for text in strings:
        found = set(re.findall(r"(?<![\d.])\d+-\d+(?![\d])", text))
        assert not found & ranges, f"band range {sorted(found & ranges)} in {text!r}"
        assert not re.search(r"\b\d+ or more\b|\bbelow \d+\b", text), text
        assert not re.search(r"item[ -]?9\b", text, re.IGNORECASE), text
        assert text not in labels, f"band label {text!r}"
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not {n for n in names if re.search(r"ITEM_?9|MENSTRUAL_ITEM|BANDS", n)}
