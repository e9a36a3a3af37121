"""Knowledge checks: instant feedback, validated inputs, and no answer in the synced state."""

from __future__ import annotations

import re

import pytest
from helpers import synced_state_text
from hypothesis import given
from hypothesis import strategies as st

from bpscare.widgets.knowledge_check import (
    CheckResult,
    KnowledgeCheckView,
    evaluate_choice,
    knowledge_check,
    make_check,
)

QUESTION = "What is the accurate way to state the Pope et al. (2000) finding for women under 55?"
OPTIONS = [
    "About 7 times the odds of being sent home, with a wide confidence interval",
    "Seven times more likely to be misdiagnosed",
    "No difference from men",
]
EXPLANATIONS = [
    "EXPL-RIGHT: an odds ratio of 6.7 (95% CI 1.4-32.5) for discharge.",
    "EXPL-WRONG-1: an odds ratio is not a risk ratio.",
    "EXPL-WRONG-2: the study did find a difference.",
]


def make_view(**kwargs):
    return knowledge_check(QUESTION, OPTIONS, OPTIONS[0], EXPLANATIONS, **kwargs)


def test_correct_choice_shows_success_and_its_explanation():
    """Does choosing the right option say 'Correct' and explain why?"""
    view = make_view()
    view.choices.value = 0
    view.button.click()
    assert view.last_result.correct is True
    assert "Correct" in view.feedback.value
    assert "EXPL-RIGHT" in view.feedback.value
    assert "role='status'" in view.feedback.value


def test_wrong_choice_explains_and_invites_another_try():
    """Does a first wrong answer explain that option without revealing the right one?"""
    view = make_view()
    view.choices.value = 1
    view.button.click()
    assert view.last_result.correct is False
    assert "Not quite" in view.feedback.value
    assert "EXPL-WRONG-1" in view.feedback.value
    assert "try again" in view.feedback.value
    assert "EXPL-RIGHT" not in view.feedback.value


def test_answer_revealed_after_reveal_after_wrong_attempts():
    """After two wrong tries, does the feedback show the best answer and its explanation?"""
    view = make_view()
    view.choices.value = 1
    view.button.click()
    view.choices.value = 2
    view.button.click()
    assert view.attempts == 2
    assert "EXPL-WRONG-2" in view.feedback.value
    assert "The best answer is" in view.feedback.value
    assert "EXPL-RIGHT" in view.feedback.value


def test_reveal_never_when_reveal_after_is_none():
    view = make_view(reveal_after=None)
    for _ in range(5):
        view.choices.value = 2
        view.button.click()
    assert "The best answer is" not in view.feedback.value


def test_check_without_a_choice_asks_for_one_and_does_not_count():
    """Does pressing Check with nothing selected prompt the learner and not count an attempt?"""
    view = make_view()
    view.button.click()
    assert view.attempts == 0
    assert view.last_result.correct is None
    assert "Choose an option first" in view.feedback.value


def test_answer_and_explanations_stay_out_of_synced_state():
    """Before a check, is neither the answer index nor any explanation sent to the browser?"""
    view = make_view()
    state = synced_state_text(view)
    for text in EXPLANATIONS:
        assert text.split(":")[0] not in state
    assert not any(name == "answer" for name in view.keys)
    assert view.choices.value is None
    assert view.feedback.value == ""


def test_question_and_options_are_visible():
    view = make_view()
    assert "Pope et al. (2000)" in view.question.value
    assert list(view.choices.options) == [(text, i) for i, text in enumerate(OPTIONS)]
    assert view.choices.description == "Your answer:"


def test_question_text_is_escaped():
    view = knowledge_check("Is <b> safe?", ["yes", "no"], 1)
    assert "&lt;b&gt;" in view.question.value


def test_answer_given_as_index_or_text_is_the_same():
    assert make_check("q?", ["a", "b"], 1).answer == make_check("q?", ["a", "b"], "b").answer == 1


def test_explanations_as_mapping_fill_missing_with_empty():
    check = make_check("q?", ["a", "b", "c"], "a", {"b": "why b"})
    assert check.explanations == ("", "why b", "")


def test_view_uses_injected_evaluator():
    """Does the view render whatever the injected evaluate function returns?"""
    seen = []

    def fake(check, choice, attempts):
        seen.append((choice, attempts))
        return CheckResult(True, "success", "FAKE-TITLE", ("fake message",))

    view = KnowledgeCheckView(make_check("q?", ["a", "b"], 0), evaluate=fake)
    view.choices.value = 1
    view.button.click()
    assert seen == [(1, 1)]
    assert "FAKE-TITLE" in view.feedback.value


@pytest.mark.parametrize(
    ("options", "answer", "explanations", "fragment"),
    [
        (["a", "b"], "c", None, "'c' is not one of the options"),
        (["a", "b"], 2, None, "out of range"),
        (["a", "b"], True, None, "option text or an index"),
        (["a"], 0, None, "at least 2"),
        (["a", "a"], 0, None, "all be different"),
        (["a", ""], 0, None, "non-empty"),
        (["a", "b"], 0, ["only one"], "1 explanations for 2 options"),
        (["a", "b"], 0, {"z": "?"}, "do not exist: ['z']"),
        (["a", "b"], 0, "why", "must be a list"),
        ("ab", 0, None, "list of option texts"),
    ],
)
def test_bad_inputs_raise_value_error_naming_the_value(options, answer, explanations, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        make_check("q?", options, answer, explanations)


def test_empty_question_and_bad_reveal_after_are_rejected():
    with pytest.raises(ValueError, match="non-empty string"):
        make_check("  ", ["a", "b"], 0)
    with pytest.raises(ValueError, match="reveal_after"):
        make_check("q?", ["a", "b"], 0, reveal_after=0)


def test_evaluate_choice_rejects_bad_choice_and_attempts():
    check = make_check("q?", ["a", "b"], 0)
    with pytest.raises(ValueError, match="out of range"):
        evaluate_choice(check, 5)
    with pytest.raises(ValueError, match="attempts"):
        evaluate_choice(check, 0, attempts=0)


@given(
    n=st.integers(min_value=2, max_value=6),
    data=st.data(),
)
def test_only_the_answer_is_ever_correct(n, data):
    """For any check and any choice, is 'correct' true exactly when choice == answer?"""
    options = [f"option {i}" for i in range(n)]
    answer = data.draw(st.integers(min_value=0, max_value=n - 1))
    choice = data.draw(st.integers(min_value=0, max_value=n - 1))
    attempts = data.draw(st.integers(min_value=1, max_value=5))
    result = evaluate_choice(make_check("q?", options, answer), choice, attempts)
    assert result.correct is (choice == answer)
    assert result.level == ("success" if choice == answer else "warning")
