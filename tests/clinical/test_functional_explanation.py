"""Checking an explanation of a functional diagnosis: elements found, missing, harmful phrases."""

from __future__ import annotations

import pytest

from bpscare.clinical.functional_explanation import ELEMENTS, check_explanation

GOOD = (
    "Your seizures are real, and they are not something you are doing on purpose. They have a "
    "name: functional seizures, sometimes called dissociative seizures. They are common, and we "
    "see many people with them. The video EEG recorded your typical events and showed no "
    "epileptic activity, so this is not epilepsy and there is no sign of damage to your brain. "
    "Think of it as the brain's alarm system overloading and briefly switching off, like a "
    "software problem rather than a hardware fault. Worry, poor sleep and avoiding buses can keep "
    "the cycle going. It can get better with treatment: a therapist who works with functional "
    "seizures, and we will start on sleep now. I will call you next week to check in, and our "
    "plan is in writing. What questions do you have, and how would you explain it to your aunt?"
)


def test_a_complete_explanation_has_every_element_and_no_harmful_phrase():
    result = check_explanation(GOOD)
    assert result.missing == ()
    assert set(result.present) == {e.id for e in ELEMENTS}
    assert result.harmful == ()
    assert result.words > 100


def test_a_dismissive_explanation_is_flagged_with_alternatives():
    result = check_explanation(
        "Good news, the scan was normal, so there is nothing wrong. It's all in your head and "
        "psychosomatic, just stress."
    )
    phrases = [phrase.lower() for phrase, _why, _alt in result.harmful]
    assert "nothing wrong" in phrases
    assert "psychosomatic" in phrases
    assert "all in your head" in phrases
    assert "just stress" in phrases
    assert all(why and alternative for _p, why, alternative in result.harmful)
    assert {"real", "name", "treatment"} <= set(result.missing)


def test_quoted_terms_under_discussion_are_not_flagged():
    text = 'Some reports call these "pseudoseizures"; the right name is functional seizures.'
    assert check_explanation(text).harmful == ()
    assert check_explanation("These pseudoseizures will pass.").harmful != ()


def test_each_element_can_be_missed_on_its_own():
    """Does every element have patterns that a plain sentence without it does not trigger?"""
    bare = "Hello. Thank you for coming."
    assert set(check_explanation(bare).missing) == {e.id for e in ELEMENTS}


def test_long_sentences_are_counted():
    long = " ".join(["word"] * 30) + "."
    assert check_explanation(long).long_sentences == 1
    assert any("25 words" in m for m in check_explanation(long).messages())


def test_non_string_input_is_rejected():
    with pytest.raises(TypeError, match="expected a string, got int"):
        check_explanation(3)  # type: ignore[arg-type]
