"""The wording-check practice app: feedback from the public stigmatizing-language term list."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bpscare.apps.language_check import (
    SAMPLE_NOTE,
    LanguageCheckView,
    language_check,
    wording_feedback,
)
from bpscare.clinical.language import scan_text


def test_sample_note_flags_five_unquoted_terms():
    level, title, messages = wording_feedback(scan_text(SAMPLE_NOTE))
    assert level == "warning"
    assert title == "5 wording(s) to change"
    joined = " ".join(messages)
    for word in ("frequent flyer", "claims", "denies", "Non-compliant", "just stress"):
        assert f"'{word}'" in joined
    assert "Beach et al., J Gen Intern Med 2021" in joined  # each harm names its source


def test_clean_rewrite_is_a_success():
    level, title, messages = wording_feedback(
        scan_text("She says the pain started at work and reports no alcohol use.")
    )
    assert (level, title) == ("success", "No stigmatizing wording found")
    assert len(messages) == 1


def test_quoted_words_are_accepted_but_noted():
    level, _title, messages = wording_feedback(
        scan_text('She was told it was "just stress" at her last visit.')
    )
    assert level == "success"
    assert "just stress" in messages[0]
    assert "acceptable" in messages[0]


def test_button_updates_feedback_from_the_injected_scan():
    calls = []

    def scan(text):
        calls.append(text)
        return scan_text(text)

    view = LanguageCheckView("Patient denies pain.", scan=scan)
    before = view.feedback.value
    view.check_button.click()
    assert calls == ["Patient denies pain."]
    assert view.feedback.value != before
    assert "1 wording(s) to change" in view.feedback.value
    view.note.value = "She has had no pain."
    view.check_button.click()
    assert "No stigmatizing wording found" in view.feedback.value


def test_convenience_constructor_starts_from_the_sample():
    assert language_check().note.value == SAMPLE_NOTE
    assert language_check().note.description == "Your note"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_feedback_never_fails_and_counts_unquoted_hits(text):
    hits = scan_text(text)
    level, title, messages = wording_feedback(hits)
    unquoted = [h for h in hits if not h.quoted]
    assert level == ("warning" if unquoted else "success")
    assert messages
    if unquoted:
        assert title.startswith(f"{len(unquoted)} ")


def test_empty_note_is_called_empty():
    from bpscare.apps.language_check import LanguageCheckView

    view = LanguageCheckView("   \n")
    view.check_button.click()
    assert "Empty note" in view.feedback.value
    assert "The note is empty" in view.feedback.value
    assert "No stigmatizing wording found" not in view.feedback.value
