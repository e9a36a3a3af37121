"""Formulation grid: placing findings, checking against the expert, saving the grid."""

from __future__ import annotations

import pytest
from helpers import synced_state_text

from bpscare.clinical.cases import load_case
from bpscare.clinical.formulation import CELLS, Formulation, cell_label, compare
from bpscare.grading.answers import load_answer
from bpscare.widgets.formulation_grid import (
    KIND,
    FormulationGridView,
    answer_to_formulation,
    formulation_grid,
    formulation_to_answer,
    grid_html,
    public_checks,
)

CASE = "c01-chest-tightness"


def _place(view: FormulationGridView, finding: str, p: str, domain: str) -> None:
    view.finding.value = finding
    view.p.value = p
    view.domain.value = domain
    view.place_button.click()


def _expert_cell(case, finding):
    return case.expert_formulation().cells_of(finding)[0]


# --- pure functions ------------------------------------------------------------------------


def test_public_checks_empty_grid():
    findings = {"f-a": "A", "f-b": "B"}
    messages = public_checks(Formulation.empty(), findings)
    assert messages[0] == "You have placed 0 of 2 findings."
    assert any("protective row is empty" in m and "strengths-present" in m for m in messages)
    assert any("why now?" in m for m in messages)


def test_public_checks_counts_and_unknown_ids():
    grid = Formulation.from_dict(
        {"protective": {"social": ["f-a"]}, "precipitating": {"biological": ["f-x"]}}
    )
    messages = public_checks(grid, {"f-a": "A", "f-b": "B"})
    assert messages[0] == "You have placed 1 of 2 findings."
    assert not any("protective row is empty" in m for m in messages)
    assert any("Not findings of this case: f-x" in m for m in messages)


def test_grid_html_is_a_labelled_table():
    grid = Formulation.from_dict({"perpetuating": {"social": ["f-a"]}})
    text = grid_html(grid, {"f-a": "Distrusts the clinic after a dismissive visit"})
    assert "<caption" in text
    assert text.count("scope='row'") == 4
    assert "Distrusts the clinic" in text
    assert "why still?" in text


def test_answer_helpers_round_trip():
    grid = Formulation.from_dict({"perpetuating": {"social": ["f-a", "f-b"]}})
    data = formulation_to_answer(grid)
    assert data["perpetuating"]["social"] == ["f-a", "f-b"]
    assert answer_to_formulation(data) == grid
    with pytest.raises(ValueError, match="unknown P 'later'"):
        answer_to_formulation({"later": {}})


# --- view --------------------------------------------------------------------------------


def test_place_and_remove_update_the_grid():
    case = load_case(CASE)
    finding = case.findings[0]
    view = FormulationGridView(CASE)
    assert finding.text not in view.grid.value
    _place(view, finding.id, "precipitating", "social")
    assert view.formulation.cells_of(finding.id) == (("precipitating", "social"),)
    assert finding.text[:25] in view.grid.value
    assert "precipitating–social" in view.status.value
    view.remove_button.click()
    assert view.formulation == Formulation.empty()
    assert "Removed" in view.status.value


def test_check_against_expert_with_correct_placement():
    case = load_case(CASE)
    finding = case.findings[0]
    p, d = _expert_cell(case, finding.id)
    view = FormulationGridView(CASE)
    _place(view, finding.id, p, d)
    view.check_button.click()
    fb = compare(view.formulation, case.expert_formulation(), case.findings_by_id())
    assert "Compared with the expert" in view.feedback.value
    assert f"You placed {fb.correct} of {fb.expert_total}" in view.feedback.value


def test_reveal_controls_whether_cells_are_named():
    """Without 'reveal', does feedback give Bolton's questions instead of the expert cell?"""
    view = FormulationGridView(CASE)
    view.check_button.click()
    assert "Ask of it" in view.feedback.value
    assert "belongs under" not in view.feedback.value
    view.reveal.value = True
    view.check_button.click()
    assert "belongs under" in view.feedback.value


def test_misplacement_message_names_the_move():
    case = load_case(CASE)
    finding = case.findings[0]
    expert_cell = _expert_cell(case, finding.id)
    wrong = next(c for c in CELLS if c not in case.expert_formulation().cells_of(finding.id))
    view = FormulationGridView(CASE)
    _place(view, finding.id, *wrong)
    view.check_button.click()
    assert "Move it" in view.feedback.value or "remove it" in view.feedback.value
    assert cell_label(expert_cell) in view.feedback.value


def test_practice_mode_uses_public_checks_only():
    view = FormulationGridView(CASE, practice=True)
    view.check_button.click()
    assert "Structure check" in view.feedback.value
    assert "expert" not in view.feedback.value.lower()
    assert view._expert is None
    assert view.reveal not in view.children[6].children


def test_injected_compare_is_used():
    calls = []

    def fake_compare(learner, expert, findings, *, reveal_expert):
        calls.append((learner, reveal_expert))
        return compare(learner, expert, findings, reveal_expert=reveal_expert)

    view = FormulationGridView(CASE, compare_with=fake_compare)
    view.check_button.click()
    assert calls == [(Formulation.empty(), False)]


def test_answer_round_trip_through_save_bar(tmp_path):
    case = load_case(CASE)
    view = formulation_grid(CASE, "a02_formulation", folder=tmp_path)
    _place(view, case.findings[0].id, "predisposing", "biological")
    _place(view, case.findings[1].id, "protective", "social")
    _place(view, case.findings[1].id, "perpetuating", "psychological")
    view.save_bar.button.click()
    assert "Saved as" in view.save_bar.status.value
    rebuilt = answer_to_formulation(load_answer("a02_formulation", kind=KIND, folder=tmp_path))
    assert rebuilt == view.formulation
    assert len(rebuilt) == 3
    again = FormulationGridView(CASE, initial=load_answer("a02_formulation", folder=tmp_path))
    assert again.formulation == view.formulation


def test_no_expert_key_in_synced_state():
    """Do finding ids and the expert placement of unplaced findings stay out of the browser?"""
    case = load_case(CASE)
    expert = case.expert_formulation()
    placed = case.findings[0]
    view = FormulationGridView(CASE)
    _place(view, placed.id, "precipitating", "social")
    view.check_button.click()  # first attempt: hints only, no reveal
    text = synced_state_text(view)
    for finding in case.findings:
        assert finding.id not in text
    for finding in case.findings[1:]:
        cells = " and ".join(cell_label(c) for c in expert.cells_of(finding.id))
        assert f"belongs under {cells}" not in text
    assert str(sorted(expert.placements())) not in text
