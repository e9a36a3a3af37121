"""Transcript annotator: coding utterances, kappa feedback, public checks, saving the coding."""

from __future__ import annotations

import re

import pytest
from helpers import synced_state_text

from bpscare.clinical.transcripts import agreement_report, load_transcript, transcript_from_dict
from bpscare.grading.answers import load_answer
from bpscare.widgets.transcript_annotator import (
    KIND,
    NOT_CODED,
    TranscriptAnnotatorView,
    answer_to_coding,
    coding_checks,
    coding_to_answer,
    per_code_html,
    per_code_messages,
    transcript_annotator,
)

TID = "t02-early-interruption-back-pain"


def _neutral_copy(transcript):
    """The same transcript with every code set to 'other' (interruptions kept: overlaps)."""
    data = transcript.to_dict()
    for u in data["utterances"]:
        if u["code"] != "interruption":
            u["code"] = "other"
    return transcript_from_dict(data)


# --- pure functions ------------------------------------------------------------------------


def test_coding_checks_rule_s1_and_reply_rule():
    t = load_transcript(TID)
    messages = coding_checks(t, {2: "open_question", 3: "empathic_response", 1: "other"})
    assert messages[0] == f"You have coded 3 of {len(t)} utterances."
    assert any("Utterance 2 is patient-side" in m for m in messages)
    assert any("Utterance 3: empathic_response is only" in m for m in messages)


def test_coding_checks_accepts_a_reply_after_a_coded_cue():
    t = load_transcript(TID)
    messages = coding_checks(t, {16: "empathic_opportunity", 17: "missed_opportunity"})
    assert messages == (f"You have coded 2 of {len(t)} utterances.",)


def test_clinician_empathic_opportunity_is_flagged():
    t = load_transcript(TID)
    messages = coding_checks(t, {1: "empathic_opportunity"})
    assert any("marks a patient-side cue" in m for m in messages)


def test_per_code_feedback_names_differences():
    t = load_transcript(TID)
    codes = {u.n: u.code for u in t.utterances}
    codes[5] = "closed_question"  # the expert's interruption
    report = agreement_report(t, codes)
    messages = per_code_messages(report)
    assert any(m.startswith("Interruption of the other speaker: you found 0 of") for m in messages)
    table = per_code_html(report)
    assert "<caption" in table
    assert "Interruption of the other speaker" in table
    assert "Teach-back" not in table  # unused by both coders: left out


def test_answer_helpers_round_trip():
    data = coding_to_answer(TID, {5: "interruption", 2: "other", 7: ""})
    assert data == {"transcript_id": TID, "codes": {"2": "other", "5": "interruption"}}
    coding = answer_to_coding(data)
    assert coding.transcript_id == TID
    assert dict(coding.codes) == {2: "other", 5: "interruption"}
    with pytest.raises(ValueError, match="unknown code 'empathy'"):
        answer_to_coding({"transcript_id": TID, "codes": {"1": "empathy"}})


# --- view --------------------------------------------------------------------------------


def test_choosing_codes_updates_progress():
    t = load_transcript(TID)
    view = TranscriptAnnotatorView(TID)
    assert len(view.selectors) == len(t)
    assert view.progress.value == f"Coded 0 of {len(t)} utterances"
    view.selectors[5].value = "interruption"
    view.selectors[3].value = "agenda_elicitation"
    assert view.progress.value == f"Coded 2 of {len(t)} utterances"
    assert view.codes() == {3: "agenda_elicitation", 5: "interruption"}
    view.selectors[5].value = NOT_CODED
    assert view.codes() == {3: "agenda_elicitation"}


def test_check_reports_kappa_and_disagreements():
    t = load_transcript(TID)
    view = TranscriptAnnotatorView(TID)
    for u in t.utterances:
        view.selectors[u.n].value = u.code
    view.selectors[5].value = "closed_question"
    view.check_button.click()
    expected = agreement_report(t, view.codes())
    assert f"κ = {expected.kappa:.2f}" in view.summary.value
    assert "Landis &amp; Koch" in view.summary.value
    assert "Utterance 5" in view.details.value
    assert "<table" in view.agreement.value


def test_perfect_coding_is_a_success():
    t = load_transcript(TID)
    view = TranscriptAnnotatorView(TID)
    for u in t.utterances:
        view.selectors[u.n].value = u.code
    view.check_button.click()
    assert "κ = 1.00" in view.summary.value
    assert "role='status'" in view.summary.value


def test_check_with_nothing_coded_asks_for_codes():
    view = TranscriptAnnotatorView(TID)
    view.check_button.click()
    assert "Code at least one utterance" in view.summary.value


def test_practice_mode_never_reads_expert_codes():
    t = load_transcript(TID)
    view = TranscriptAnnotatorView(TID, practice=True, report=pytest.fail)
    view.selectors[2].value = "open_question"
    view.check_button.click()
    assert "Codebook check" in view.summary.value
    assert "Utterance 2 is patient-side" in view.summary.value
    assert f"You have coded 1 of {len(t)}" in view.summary.value


def test_injected_report_is_used():
    seen = []

    def fake_report(transcript, codes):
        seen.append(dict(codes))
        return agreement_report(transcript, codes)

    view = TranscriptAnnotatorView(TID, report=fake_report)
    view.selectors[1].value = "other"
    view.check_button.click()
    assert seen == [{1: "other"}]


def test_answer_round_trip_through_save_bar(tmp_path):
    view = transcript_annotator(TID, "a03_codes", folder=tmp_path)
    view.selectors[3].value = "agenda_elicitation"
    view.selectors[5].value = "interruption"
    view.save_bar.button.click()
    assert "Saved as" in view.save_bar.status.value
    data = load_answer("a03_codes", kind=KIND, folder=tmp_path)
    coding = answer_to_coding(data)
    assert dict(coding.codes) == view.codes()
    again = TranscriptAnnotatorView(TID, initial=data["codes"])
    assert again.codes() == view.codes()


def test_no_expert_codes_in_synced_state():
    """Is the synced state identical whatever the expert codes are, until Check is pressed?"""
    real = load_transcript(TID)
    neutral = _neutral_copy(real)
    assert neutral.codes != real.codes
    view_real = TranscriptAnnotatorView(TID)
    view_neutral = TranscriptAnnotatorView(TID, load=lambda _id: neutral)
    for view in (view_real, view_neutral):
        view.selectors[4].value = "other"

    def without_model_ids(view):
        return re.sub(r"IPY_MODEL_[0-9a-f]+", "IPY_MODEL", synced_state_text(view))

    assert without_model_ids(view_real) == without_model_ids(view_neutral)
    assert "you coded it" not in synced_state_text(view_real)


def test_table_shows_every_utterance_in_full_with_public_fields_only():
    t = load_transcript(TID)
    view = TranscriptAnnotatorView(TID)
    rows = view.table.utterances
    assert [row["n"] for row in rows] == [u.n for u in t.utterances]
    assert [row["text"] for row in rows] == [u.text for u in t.utterances]  # never cut
    assert all(set(row) == {"n", "start", "speaker", "text"} for row in rows)


def test_codes_from_the_browser_are_validated():
    view = TranscriptAnnotatorView(TID)
    view.table.set_state({"codes": {"3": "agenda_elicitation", "999": "other", "4": "nonsense"}})
    assert view.codes() == {3: "agenda_elicitation"}
    assert view.progress.value.startswith("Coded 1 of")


def test_practice_compares_with_expert_only_when_asked():
    t = load_transcript(TID)
    view = TranscriptAnnotatorView(TID, practice=True, compare_with_expert=True)
    for u in t.utterances:
        view.selectors[u.n].value = u.code
    view.selectors[5].value = "closed_question"
    view.check_button.click()
    assert "Codebook check" in view.summary.value
    assert "Agreement with the expert coding" in view.agreement.value
    assert "Utterance 5" in view.details.value
    assert "expert" in view.check_button.tooltip
    plain = TranscriptAnnotatorView(TID, practice=True, report=pytest.fail)
    assert "expert" not in plain.check_button.tooltip
