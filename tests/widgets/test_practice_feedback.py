"""Practice feedback that teaches: opening question, case-review list, interview debrief, grid."""

from __future__ import annotations

import pytest

from bpscare.apps import TEACHING_CASE, TEACHING_TRANSCRIPT
from bpscare.clinical.cases import question_bank
from bpscare.clinical.registry import generate_caseload, registry_status
from bpscare.clinical.transcripts import load_transcript
from bpscare.widgets.formulation_grid import FormulationGridView
from bpscare.widgets.interruption_timeline import InterruptionTimelineView
from bpscare.widgets.practice_feedback import (
    interview_debrief,
    opening_question_feedback,
    review_list_feedback,
)
from bpscare.widgets.registry_dashboard import RegistryDashboardView
from bpscare.widgets.virtual_patient import VirtualPatientView


def _expert_opening(transcript):
    return next(
        u.n
        for u in transcript.utterances
        if u.speaker == "C" and u.code in ("open_question", "agenda_elicitation")
    )


def test_opening_question_right_and_wrong():
    t = load_transcript(TEACHING_TRANSCRIPT)
    right = _expert_opening(t)
    assert opening_question_feedback(t, right)[0].startswith(f"Yes: utterance {right}")
    wrong = opening_question_feedback(t, 1)
    assert wrong[0].startswith("Not quite: utterance 1")
    assert f"comes after it, at utterance {right}" in wrong[1]
    assert opening_question_feedback(t, None) == []


def test_timeline_checks_the_opening_only_for_the_checked_transcript():
    view = InterruptionTimelineView(TEACHING_TRANSCRIPT, practice=True, compare_with_expert=True)
    view.opening.value = 1
    assert "Not quite: utterance 1" in view.feedback.value
    other = InterruptionTimelineView(TEACHING_TRANSCRIPT, practice=True)
    other.opening.value = 1
    assert "Not quite" not in other.feedback.value
    graded = next(v for v in view.transcript.options if v != TEACHING_TRANSCRIPT)
    view.transcript.value = graded  # another transcript: no check against its codes
    view.opening.value = view.opening.options[1][1]
    assert "Not quite" not in view.feedback.value
    assert "Yes: utterance" not in view.feedback.value


def test_review_list_feedback_names_flagged_and_missed():
    status = registry_status(generate_caseload(seed=0), None)
    flagged = [str(p) for p in status.loc[status["flag_case_review"], "patient_id"]]
    calm = [str(p) for p in status.loc[~status["flag_case_review"], "patient_id"]]
    messages = review_list_feedback(status, [flagged[0], calm[0]])
    assert messages[0].startswith(f"{flagged[0]}: yes, flagged")
    assert messages[1].startswith(f"{calm[0]}: not flagged")
    assert messages[-1].startswith("Flagged but not on your list")
    assert review_list_feedback(status, flagged)[-1] == "Every flagged patient is on your list."
    assert "Choose whom" in review_list_feedback(status, [])[0]


def test_registry_practice_view_gives_feedback_graded_view_none():
    practice = RegistryDashboardView(practice=True)
    practice.review.value = practice.review.options[:1]
    assert "Your case-review list" in practice.review_feedback.value
    graded = RegistryDashboardView()
    graded.review.value = graded.review.options[:1]
    assert graded.review_feedback.value == ""


def test_interview_debrief_covers_ice_context_and_trust():
    bank = question_bank()
    lines = interview_debrief(["q-open-story", "q-ideas", "q-trust"], bank)
    assert lines[0].startswith("Ideas, concerns and expectations: you asked about ideas;")
    assert "not asked: concerns, expectations" in lines[0]
    assert lines[1].startswith("Psychosocial context: you covered")
    assert lines[2].startswith("Trust history: partly asked")
    full = interview_debrief([q.id for q in bank], bank)
    assert full[0].endswith("all three.")
    assert full[2] == "Trust history: you asked about past care and about trust."


def test_finish_interview_debriefs_and_stops_questions():
    view = VirtualPatientView(TEACHING_CASE, practice=True)
    view.ask("q-open-story")
    view.finish_button.click()
    assert "End of interview: debrief" in view.end_feedback.value
    assert "Trust history" in view.end_feedback.value
    assert view.ask_button.disabled
    assert view.question.disabled
    with pytest.raises(ValueError, match="the interview has ended"):
        view.ask("q-ideas")
    view.ask_button.click()  # a click that slips through asks nothing
    assert view.asked == ("q-open-story",)


def test_formulation_practice_comments_on_each_wrong_placement():
    view = FormulationGridView(TEACHING_CASE, practice=True, compare_with_expert=True)
    view.finding.value = view.finding.options[0][1]
    view.p.value = "protective"
    view.place_button.click()
    view.check_button.click()
    assert "Structure check" in view.feedback.value
    assert "you placed it under protective" in view.feedback.value
    plain = FormulationGridView(TEACHING_CASE, practice=True)
    assert plain._expert is None
