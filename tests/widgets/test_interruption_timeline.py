"""Interruption timeline: timing against the 11 s and 6 s medians, marks, plot, saved marks."""

from __future__ import annotations

import pytest
from helpers import synced_state_text

from bpscare.clinical.transcripts import load_transcript, time_to_first_interruption
from bpscare.grading.answers import load_answer
from bpscare.widgets.interruption_timeline import (
    INTERRUPTION_MEDIAN_S,
    KIND,
    UNINTERRUPTED_MEDIAN_S,
    InterruptionTimelineView,
    InterruptionTiming,
    answer_to_marks,
    interruption_timeline,
    interruption_timing,
    marks_to_answer,
    marks_to_codes,
    timeline_png,
    timeline_svg,
)

T02 = "t02-early-interruption-back-pain"  # expert: utterance 5 interrupts after 11.0 s
T03 = "t03-just-stress-headaches"  # expert: interrupted after 7.0 s
T01 = "t01-agenda-setting-fatigue"  # expert: not interrupted

PNG_MAGIC = b"\x89PNG"


# --- pure functions ------------------------------------------------------------------------


def test_published_medians():
    """Are the benchmarks Singh Ospina et al. 2019's 11 s and 6 s?"""
    assert INTERRUPTION_MEDIAN_S == 11.0
    assert UNINTERRUPTED_MEDIAN_S == 6.0


def test_expert_timing_of_t02_matches_the_library():
    t = load_transcript(T02)
    timing = interruption_timing(t)
    assert timing.time_to_interruption == time_to_first_interruption(t) == 11.0
    assert timing.interrupting_utterance == 5
    assert timing.opening_start == t.utterance(4).start
    assert "exactly at the median of 11 s" in timing.messages[0]
    assert "Singh Ospina" in timing.messages[0]


def test_interruption_sooner_than_median():
    timing = interruption_timing(load_transcript(T03))
    assert timing.time_to_interruption == 7.0
    assert "sooner than the median" in timing.messages[0]


def test_uninterrupted_opening():
    timing = interruption_timing(load_transcript(T01))
    assert timing.time_to_interruption is None
    assert timing.interrupting_utterance is None
    assert "not interrupted" in timing.messages[0]
    assert "6 s" in timing.messages[0]


def test_learner_marks_are_timed_like_a_coding():
    """Do marks 'opening = 3, interruption = 5' give the expert's 11.0 s on t02?"""
    t = load_transcript(T02)
    codes = marks_to_codes(3, 5)
    assert codes == {3: "open_question", 5: "interruption"}
    timing = interruption_timing(t, codes)
    assert timing.time_to_interruption == 11.0
    late = interruption_timing(t, marks_to_codes(3, 7))
    assert late.time_to_interruption == pytest.approx(t.utterance(7).start - t.utterance(4).start)


def test_timeline_png_is_an_image():
    t = load_transcript(T02)
    png = timeline_png(t, interruption_timing(t), window=60)
    assert png.startswith(PNG_MAGIC)


def test_timeline_svg_marks_benchmarks_and_interruption():
    t = load_transcript(T02)
    svg = timeline_svg(t, interruption_timing(t), window=60).decode()
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "role='img'" in svg
    assert "<desc>" in svg
    assert "6 s median, uninterrupted" in svg
    assert "11 s median to interruption" in svg
    assert "interruption at 11.0 s" in svg
    assert "Singh Ospina" in svg
    # every utterance that starts inside the window has a bar
    assert svg.count("<rect") == sum(u.start <= 60 for u in t.utterances)


def test_timeline_svg_notes_marks_beyond_the_window():
    t = load_transcript(T02)
    svg = timeline_svg(t, interruption_timing(t), window=15).decode()
    assert "11 s median to interruption (beyond the window)" in svg


def test_marks_answer_helpers():
    data = marks_to_answer(T02, 3, 5)
    assert data == {"transcript_id": T02, "opening": 3, "interruption": 5}
    assert answer_to_marks(data) == (T02, 3, 5)
    assert marks_to_answer(T02, 0, None)["opening"] is None
    with pytest.raises(ValueError, match="'opening' must be an utterance number"):
        answer_to_marks({"transcript_id": T02, "opening": "3", "interruption": None})


# --- view --------------------------------------------------------------------------------


def test_marking_updates_feedback_and_plot():
    view = InterruptionTimelineView(T02)
    assert bytes(view.plot.value).startswith(b"<svg")
    assert view.plot.format == "svg+xml"
    assert "Mark the clinician" in view.feedback.value
    before = bytes(view.plot.value)
    view.opening.value = 3
    view.interruption.value = 5
    assert "Utterance 5 interrupts the opening statement 11.0 s" in view.feedback.value
    assert bytes(view.plot.value) != before


def test_expert_mode_shows_expert_timing():
    view = InterruptionTimelineView(T03)
    view.source.value = "expert"
    assert "Expert coding" in view.feedback.value
    assert "7.0 s" in view.feedback.value


def test_switching_transcript_refills_choices():
    view = InterruptionTimelineView(T02)
    view.opening.value = 3
    view.transcript.value = T01
    t01 = load_transcript(T01)
    clinician = [u.n for u in t01.utterances if u.speaker == "C"]
    assert [value for _, value in view.opening.options][1:] == clinician
    assert view.opening.value == 0
    assert view.window.max >= int(t01.duration)


def test_window_slider_redraws():
    view = InterruptionTimelineView(T02)
    before = bytes(view.plot.value)
    view.window.value = 200
    assert bytes(view.plot.value) != before


def test_practice_mode_has_no_expert_switch():
    view = InterruptionTimelineView(T02, practice=True)
    assert view.source not in view.children
    view.source.value = "expert"  # even if forced, the expert codes are not used
    assert "Your marks" in view.feedback.value
    assert "Utterance 5" not in view.feedback.value


def test_injected_functions_are_used():
    calls = []

    def fake_timing(transcript, codes):
        calls.append(codes)
        return interruption_timing(transcript, codes)

    view = InterruptionTimelineView(T02, timing=fake_timing, draw=lambda *a, **k: PNG_MAGIC)
    assert calls == []  # nothing marked yet: nothing to time
    view.opening.value = 3
    view.interruption.value = 5
    assert calls[-1] == {3: "open_question", 5: "interruption"}
    assert bytes(view.plot.value) == PNG_MAGIC
    assert view.plot.format == "png"


def test_answer_round_trip_through_save_bar(tmp_path):
    view = interruption_timeline(T02, "a04_marks", folder=tmp_path)
    view.opening.value = 3
    view.interruption.value = 5
    view.save_bar.button.click()
    assert "Saved as" in view.save_bar.status.value
    transcript_id, opening, interruption = answer_to_marks(
        load_answer("a04_marks", kind=KIND, folder=tmp_path)
    )
    assert (transcript_id, opening, interruption) == (T02, 3, 5)
    timing = interruption_timing(load_transcript(transcript_id), marks_to_codes(opening, 5))
    assert timing.time_to_interruption == 11.0


def test_no_expert_timing_in_synced_state():
    """In 'My marks' mode with nothing marked, is the expert's interruption kept out?"""
    view = InterruptionTimelineView(T02)
    text = synced_state_text(view)
    assert "interrupts the opening statement" not in text
    assert "interruption at" not in text
    t = load_transcript(T02)
    blank = InterruptionTiming(T02, None, None, None, None, ())
    unmarked = timeline_svg(t, blank, window=view.window.value)
    expert = timeline_svg(t, interruption_timing(t), window=view.window.value)
    assert bytes(view.plot.value) == unmarked
    assert bytes(view.plot.value) != expert
