"""Practice twins: items read and validated, scored like the graded items, keys never synced."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import ipywidgets as widgets
import pytest
import yaml
from helpers import synced_state_text
from hypothesis import given
from hypothesis import strategies as st

import bpscare.api as api
from bpscare.grading.item_formats import (
    concordance_credit,
    key_feature_credit,
    matching_credit,
    ordering_credit,
)
from bpscare.widgets.item_practice import (
    ItemPracticeView,
    PracticeFileError,
    build_practice_app,
    evaluate_item,
    load_practice,
    practice_items,
)

FIXTURE = """\
title: "Practice: fixture set (twin of a99-fixture)"
practises: a99-fixture
case: |
  **Mr. Tomas Okafor**, 47, drives a city bus; <script>alert(1)</script> three weeks of pain.
items:
  - id: p1
    format: single-best-answer
    stem: "Which first step is best?"
    options: {A: "Option alpha", B: "Option beta", C: "Option gamma"}
    answer: B
    explanations: {A: "EXPL-SBA-A", B: "EXPL-SBA-B", C: "EXPL-SBA-C"}
    teaching_point: "TEACH-SBA"
  - id: p2
    format: key-feature
    stem: "Choose the critical actions today."
    options: {A: "Act a", B: "Act b", C: "Act c", D: "Act d", E: "Leave it to next month"}
    select_up_to: 3
    critical: [A, C]
    harmful: [E]
    explanations: {A: "EXPL-KF-A", C: "EXPL-KF-C", E: "EXPL-KF-E"}
    teaching_point: "TEACH-KF"
  - id: p3
    format: script-concordance
    hypothesis: "HYP-reflux"
    new_information: "NEWINFO-after-meals"
    panel: {"-2": 0, "-1": 1, "0": 3, "+1": 8, "+2": 3}
    explanations: {"+1": "EXPL-SCT-PLUS1", -1: "EXPL-SCT-MINUS1"}
    teaching_point: "TEACH-SCT"
  - id: p4
    format: extended-matching
    stem: "Match each vignette to the best option."
    options: {A: "Opt A", B: "Opt B", C: "Opt C"}
    vignettes: {v1: "VIG-one", v2: "VIG-two"}
    key: {v1: B, v2: [A, C]}
    explanations: {B: "EXPL-EMQ-B", v1: "EXPL-EMQ-VIGNETTE1"}
    teaching_point: "TEACH-EMQ"
  - id: p5
    format: ordering
    stem: "Put these in order, most urgent first."
    options: {A: "First thing", B: "Second thing", C: "Third thing", D: "Fourth thing"}
    order: [C, A, B, D]
    explanations: {C: "EXPL-ORD-C"}
    teaching_point: "TEACH-ORD"
"""
SECRETS = re.compile(r"EXPL-[A-Z0-9-]+|TEACH-[A-Z]+")


@pytest.fixture
def fixture_file(tmp_path: Path) -> Path:
    path = tmp_path / "practice" / "a99-fixture.yaml"
    path.parent.mkdir()
    path.write_text(FIXTURE, encoding="utf-8")
    return path


def raw_items() -> list[dict]:
    return yaml.safe_load(FIXTURE)["items"]


def items_by_id(view: ItemPracticeView) -> dict:
    return {v.item.id: v for v in view.items}


def test_file_reads_every_format_with_its_key(fixture_file):
    practice = load_practice(fixture_file)
    assert practice.title.startswith("Practice: fixture set")
    assert practice.practises == "a99-fixture"
    formats = [item.format for item in practice.items]
    assert formats == [
        "single-best-answer",
        "key-feature",
        "script-concordance",
        "extended-matching",
        "ordering",
    ]
    sba, kf, sct, emq, order = practice.items
    assert sba.answer == "B"
    assert (kf.critical, kf.harmful, kf.select_up_to) == (("A", "C"), ("E",), 3)
    assert sct.panel == {"-2": 0, "-1": 1, "0": 3, "+1": 8, "+2": 3}
    assert set(sct.explanations) == {"+1", "-1"}  # an unquoted -1 in YAML reads as the scale's -1
    assert emq.key == {"v1": ("B",), "v2": ("A", "C")}
    assert order.order == ("C", "A", "B", "D")


def test_a_list_of_item_dicts_works_too():
    practice = load_practice(raw_items(), title="My set")
    assert practice.title == "My set"
    assert len(practice.items) == 5


BROKEN = [
    ({"format": "true-false"}, "format 'true-false' is not one of"),
    ({"options": None}, "options must map at least two labels"),
    ({"answer": "Z"}, "answer names 'Z', which is not an option"),
    ({"explanations": {"Q": "x"}}, "explanations names 'Q'"),
    ({"teaching_point": ""}, "teaching_point must be non-empty text"),
    ({"anwser": "B"}, "do not use ['anwser']"),
]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_invalid_single_best_answer_names_file_and_item(tmp_path, change, message):
    data = yaml.safe_load(FIXTURE)
    data["items"][0].update(change)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(PracticeFileError) as info:
        load_practice(path)
    assert str(path) in str(info.value)
    assert "item p1" in str(info.value)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("index", "change", "message"),
    [
        (1, {"critical": ["A", "G"]}, "critical names 'G', which is not an option"),
        (1, {"harmful": ["A"]}, "both critical and harmful"),
        (1, {"select_up_to": 1}, "select_up_to must be a whole number"),
        (2, {"panel": {"+3": 4}}, "panel names '+3'"),
        (2, {"panel": {"+1": 0}}, "panel counts must be whole numbers"),
        (2, {"options": {"A": "x", "B": "y"}}, "do not use ['options']"),
        (3, {"key": {"v1": "B"}}, "key must give an option for each vignette"),
        (3, {"key": {"v1": "B", "v2": "Q"}}, "key of v2 names 'Q'"),
        (4, {"order": ["C", "A", "B"]}, "order must list every option once"),
        (4, {"order": ["C", "A", "B", "X"]}, "order names 'X'"),
    ],
)
def test_invalid_keys_are_named(index, change, message):
    items = raw_items()
    items[index].update(change)
    with pytest.raises(PracticeFileError, match=re.escape(message)) as info:
        load_practice(items)
    assert f"item {items[index]['id']}" in str(info.value)


def test_file_level_problems(tmp_path):
    with pytest.raises(PracticeFileError, match="practice file not found"):
        load_practice(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("items: [\n")
    with pytest.raises(PracticeFileError, match="not valid YAML"):
        load_practice(bad)
    with pytest.raises(PracticeFileError, match="no items"):
        load_practice({"items": []})
    twice = raw_items()[:1] * 2
    with pytest.raises(PracticeFileError, match="item p1: the id is used twice"):
        load_practice(twice)


# ---- scoring: the same functions as the graded items -------------------------------------


@given(st.sets(st.sampled_from("ABCDE")))
def test_key_feature_credit_is_the_graded_credit(chosen):
    item = load_practice(raw_items()).items[1]
    result = evaluate_item(item, sorted(chosen))
    if not chosen:
        assert result.credit is None
    elif "E" in chosen:
        assert result.credit == 0.0
        assert result.level == "alert"
    else:
        assert result.credit == key_feature_credit(chosen, {"A", "C"}, select_up_to=3)


@given(st.permutations("ABCD"))
def test_ordering_credit_is_the_graded_credit(order):
    item = load_practice(raw_items()).items[4]
    assert evaluate_item(item, list(order)).credit == ordering_credit(order, "CABD")


@pytest.mark.parametrize("point", ["-2", "-1", "0", "+1", "+2"])
def test_concordance_credit_and_panel_distribution(point):
    item = load_practice(raw_items()).items[2]
    result = evaluate_item(item, point)
    assert result.credit == concordance_credit(point, item.panel)
    count = item.panel[point]
    assert any(f"{count} of 15 panel members chose {point}" in m for m in result.messages)
    assert any("TEACH-SCT" in m for m in result.messages)  # SCT: the panel is shown at once


def test_matching_credit_is_the_graded_credit():
    item = load_practice(raw_items()).items[3]
    answers = {"v1": "B", "v2": "B"}
    result = evaluate_item(item, answers)
    assert result.credit == matching_credit(answers, {"v1": "B", "v2": ["A", "C"]}) == 0.5


def test_matching_explanations_by_option_and_by_vignette():
    item = load_practice(raw_items()).items[3]
    assert item.explanations == {"B": "EXPL-EMQ-B", "v1": "EXPL-EMQ-VIGNETTE1"}
    result = evaluate_item(item, {"v1": "B", "v2": "C"})
    assert result.credit == 1.0
    assert "B: EXPL-EMQ-B" in result.messages
    assert "Vignette 1: B. EXPL-EMQ-VIGNETTE1" in result.messages
    assert "Vignette 2: A or C." in result.messages
    assert "Teaching point: TEACH-EMQ" in result.messages


def test_unready_answers_explain_what_to_do_and_score_nothing():
    practice = load_practice(raw_items())
    sba, kf, _sct, emq, order = practice.items
    assert "Choose an answer" in evaluate_item(sba, None).messages[0]
    assert "Tick at least one" in evaluate_item(kf, []).messages[0]
    assert "2 still open" in evaluate_item(emq, {"v1": None}).messages[0]
    assert "3 still open" in evaluate_item(order, ["A", None, None, None]).messages[0]
    assert "exactly once" in evaluate_item(order, ["A", "A", "B", "C"]).messages[0]
    assert all(evaluate_item(i, None).credit is None for i in practice.items)


# ---- the view -----------------------------------------------------------------------------


def normalised_state(view: widgets.Widget) -> str:
    return re.sub(r"IPY_MODEL_[0-9a-f]+", "IPY_MODEL_", synced_state_text(view))


def test_no_key_explanation_or_teaching_point_synced_before_checking(fixture_file):
    view = practice_items(fixture_file)
    state = synced_state_text(view)
    assert SECRETS.findall(state) == []
    assert "Option beta" in state  # the options themselves are shown


def test_the_key_does_not_change_the_synced_state():
    """Two views whose items differ only in their keys send the browser the same state."""
    other = copy.deepcopy(raw_items())
    other[0]["answer"] = "C"
    other[1].update(critical=["B", "D"], harmful=["A"])
    other[2]["panel"] = {"-2": 9, "+2": 1}
    other[3]["key"] = {"v1": "A", "v2": "B"}
    other[4]["order"] = ["D", "C", "B", "A"]
    assert normalised_state(practice_items(raw_items())) == normalised_state(practice_items(other))


def test_each_format_renders_its_controls(fixture_file):
    views = items_by_id(practice_items(fixture_file))
    radio = views["p1"].controls[0]
    assert isinstance(radio, widgets.RadioButtons)
    assert radio._options_labels == ("A. Option alpha", "B. Option beta", "C. Option gamma")
    assert radio.value is None
    boxes = views["p2"].controls
    assert all(isinstance(b, widgets.Checkbox) for b in boxes)
    assert "Choose up to 3" in views["p2"].prompt.value
    scale = views["p3"].controls[0]
    assert scale._options_labels[0] == "-2: much less likely"
    assert scale._options_labels[-1] == "+2: much more likely"
    assert "HYP-reflux" in views["p3"].prompt.value
    assert "NEWINFO-after-meals" in views["p3"].prompt.value
    drops = [c for c in views["p4"].controls if isinstance(c, widgets.Dropdown)]
    assert [d.description for d in drops] == [
        "Vignette 1, best option:",
        "Vignette 2, best option:",
    ]
    ranks = views["p5"].controls
    assert len(ranks) == 4
    assert ranks[0].description.startswith("1")
    for view in views.values():
        for control in view.controls:
            if not isinstance(control, widgets.HTML | widgets.Checkbox):
                assert control.description, control  # every control has a visible label


def test_case_markdown_is_rendered_and_raw_html_escaped(fixture_file):
    view = practice_items(fixture_file)
    assert "<strong>Mr. Tomas Okafor</strong>" in view.case.value
    assert "<script>" not in view.case.value
    assert "&lt;script&gt;" in view.case.value


def test_check_single_best_answer_reveals_after_full_credit_or_second_try(fixture_file):
    sba = items_by_id(practice_items(fixture_file))["p1"]
    sba.controls[0].value = "A"
    sba.button.click()
    assert sba.last_result.credit == 0.0
    assert "EXPL-SBA-A" in sba.feedback.value
    assert "EXPL-SBA-B" not in sba.feedback.value
    assert "TEACH-SBA" not in sba.feedback.value
    assert "role='status'" in sba.feedback.value
    sba.controls[0].value = "C"
    sba.button.click()
    assert "The best answer is B" in sba.feedback.value
    assert "TEACH-SBA" in sba.feedback.value


def test_check_key_feature_harmful_choice_is_a_gate(fixture_file):
    kf = items_by_id(practice_items(fixture_file))["p2"]
    for index in (0, 2, 4):  # A, C (all critical) and E (harmful)
        kf.controls[index].value = True
    kf.button.click()
    assert kf.last_result.credit == 0.0
    assert "role='alert'" in kf.feedback.value
    assert "Safety gate" in kf.feedback.value
    assert "EXPL-KF-E" in kf.feedback.value
    kf.controls[4].value = False
    kf.button.click()
    assert kf.last_result.credit == 1.0
    assert "Full credit" in kf.feedback.value
    assert "TEACH-KF" in kf.feedback.value


def test_check_script_concordance_shows_the_panel(fixture_file):
    sct = items_by_id(practice_items(fixture_file))["p3"]
    sct.controls[0].value = "+1"
    sct.button.click()
    assert "8 of 15 panel members chose +1" in sct.feedback.value
    assert "EXPL-SCT-PLUS1" in sct.feedback.value
    assert sct.last_result.credit == 1.0


def test_tally_counts_checked_items(fixture_file):
    view = practice_items(fixture_file)
    assert "Checked 0 of 5" in view.summary.value
    order = items_by_id(view)["p5"]
    for control, label in zip(order.controls, "CABD", strict=True):
        control.value = label
    order.button.click()
    assert "Checked 1 of 5" in view.summary.value
    assert "1.00 of 1" in view.summary.value


def test_app_page_has_heading_steps_note_and_sources(fixture_file):
    app = build_practice_app(fixture_file)
    assert "bpscare-app" in app._dom_classes
    header = app.children[0].value
    assert "<h1" in header
    assert "Practice: fixture set" in header
    assert "<ol" in header
    assert "nothing on this page is graded" in header
    assert "Sources" in app.children[2].value
    assert SECRETS.findall(synced_state_text(app)) == []


def test_app_with_a_missing_or_broken_file_says_so(tmp_path, fixture_file):
    missing = build_practice_app(tmp_path / "practice" / "a77-missing.yaml")
    text = synced_state_text(missing)
    assert "not available yet" in text
    assert "a77-missing.yaml" in text
    broken = tmp_path / "a88-broken.yaml"
    broken.write_text(FIXTURE.replace("answer: B", "answer: Z"))
    assert "item p1" in synced_state_text(build_practice_app(broken))


def test_app_finds_a_short_file_name(fixture_file):
    fixture_file.rename(fixture_file.with_name("a99.yaml"))
    app = build_practice_app(fixture_file)
    assert "Practice: fixture set" in app.children[0].value


def test_public_api_names():
    assert api.practice_items is practice_items
    assert api.build_practice_app is build_practice_app
