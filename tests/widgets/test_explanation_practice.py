"""Explanation practice widget: check feedback, worked explanation gating, answer round-trip."""

from __future__ import annotations

from helpers import synced_state_text
from w2_checks import unlabelled_controls

from bpscare.clinical.functional_explanation import check_explanation
from bpscare.grading.answers import load_answer
from bpscare.widgets.explanation_practice import (
    KIND,
    ExplanationPracticeView,
    explanation_practice,
)

MODEL = "Your seizures are real and have a name: functional seizures."


def test_checking_a_draft_shows_elements_and_harmful_phrases():
    view = explanation_practice("Ms Kahale asks what the video-EEG showed.", MODEL)
    view.draft.value = "The tests were normal, so there is nothing wrong; it is just stress."
    result = view.check()
    assert "tests" in result.present
    assert "nothing wrong" in view.feedback.value
    assert "Reconsider" in view.feedback.value
    assert "role='alert'" in view.feedback.value
    assert "&#10003; Present: Explains what the tests show" in view.checklist.value


def test_an_empty_draft_asks_for_text_and_saves_nothing_found():
    view = explanation_practice()
    view.check()
    assert "Write your explanation first" in view.feedback.value
    assert view.last is None


def test_worked_explanation_only_after_a_first_check():
    view = explanation_practice(model_explanation=MODEL)
    view.model_button.click()
    assert MODEL not in view.model_box.value
    assert "first" in view.model_box.value
    view.draft.value = "Your seizures are real."
    view.check_button.click()
    view.model_button.click()
    assert "functional seizures" in view.model_box.value


def test_worked_explanation_is_not_synced_before_it_is_shown():
    view = explanation_practice(model_explanation="UNIQUE-WORKED-TEXT-123")
    assert "UNIQUE-WORKED-TEXT-123" not in synced_state_text(view)


def test_answer_round_trip(tmp_path):
    view = ExplanationPracticeView(answer_name="fx", folder=tmp_path)
    view.draft.value = "Your seizures are real. What questions do you have?"
    view.check()
    save_bar = next(c for c in view.children if hasattr(c, "button"))
    save_bar.button.click()
    saved = load_answer("fx", kind=KIND, folder=tmp_path)
    assert saved["explanation"].startswith("Your seizures are real")
    assert "real" in saved["present"]
    assert "check" in saved["present"]


def test_checker_is_injected():
    calls = []

    def fake(text):
        calls.append(text)
        return check_explanation(text)

    view = explanation_practice(checker=fake)
    view.draft.value = "Hello"
    view.check()
    assert calls == ["Hello"]


def test_every_control_is_labelled():
    assert unlabelled_controls(explanation_practice(model_explanation=MODEL)) == []
