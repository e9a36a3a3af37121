"""Virtual patient: asking questions, coverage meters, style feedback, what was missed."""

from __future__ import annotations

import pytest
from helpers import synced_state_text

from bpscare.clinical.cases import load_case, question_bank
from bpscare.grading.answers import load_answer
from bpscare.widgets.virtual_patient import (
    KIND,
    VirtualPatientView,
    answer_to_interview,
    interview_feedback,
    interview_to_answer,
    virtual_patient,
)

CASE = "c01-chest-tightness"


def _select(view: VirtualPatientView, question_id: str) -> None:
    view.domain.value = "all"
    view.question.value = question_id


# --- pure function -------------------------------------------------------------------------


def test_coverage_counts_topics_not_questions():
    """Do both PHQ-2 questions count as one psychological topic ('mood')?"""
    bank = question_bank()
    psych_topics = len({q.topic for q in bank if q.domain == "psychological"})
    fb = interview_feedback(["q-mood", "q-interest"])
    assert fb.topics_asked["psychological"] == 1
    assert fb.coverage["psychological"] == pytest.approx(1 / psych_topics)
    assert fb.topics_asked["biological"] == 0
    assert fb.closed_count == 2


def test_closed_opening_is_flagged_and_open_opening_is_not():
    """Is a closed first question flagged with its Calgary-Cambridge source?"""
    closed = interview_feedback(["q-red-flags"])
    assert closed.style_level == "warning"
    assert any("opened with a closed question" in m for m in closed.style_messages)
    assert any("Calgary-Cambridge" in m for m in closed.style_messages)
    opened = interview_feedback(["q-open-story"])
    assert opened.style_level == "success"


def test_agenda_rule_applies_after_three_questions():
    """Is a missing 'anything else?' flagged only once three questions were asked?"""
    two = interview_feedback(["q-open-story", "q-symptom-onset"])
    assert not any("anything else" in m for m in two.style_messages)
    three = interview_feedback(["q-open-story", "q-symptom-onset", "q-symptom-pattern"])
    assert any("anything else" in m and "36%" in m for m in three.style_messages)
    good = interview_feedback(["q-open-story", "q-what-else", "q-symptom-onset"])
    assert not any("anything else" in m for m in good.style_messages)


def test_mood_without_self_harm_question_prompts_item_9():
    fb = interview_feedback(["q-open-story", "q-mood"])
    assert any("PHQ-9 item 9" in m for m in fb.style_messages)
    fb2 = interview_feedback(["q-open-story", "q-mood", "q-self-harm"])
    assert not any("PHQ-9 item 9" in m for m in fb2.style_messages)


def test_missed_key_questions_only_when_finished():
    keys = ["q-open-story", "q-red-flags", "q-trust"]
    running = interview_feedback(["q-open-story"], key_questions=keys)
    assert running.missed == ()
    assert running.end_messages == ()
    done = interview_feedback(["q-open-story"], key_questions=keys, finished=True)
    by_id = {q.id: q.text for q in question_bank()}
    assert done.missed == (by_id["q-red-flags"], by_id["q-trust"])
    assert done.key_asked == 1
    assert done.key_total == 3
    assert any("1 of the 3 key questions" in m for m in done.end_messages)


def test_unknown_question_id_is_rejected():
    with pytest.raises(ValueError, match="unknown question id 'q-nope'"):
        interview_feedback(["q-nope"])


def test_answer_round_trip_pure():
    data = interview_to_answer(CASE, ["q-open-story", "q-trust"])
    assert data == {"case_id": CASE, "asked": ["q-open-story", "q-trust"]}
    record = answer_to_interview(data)
    assert record.case_id == CASE
    assert record.asked == ("q-open-story", "q-trust")
    with pytest.raises(ValueError, match="'asked'"):
        answer_to_interview({"case_id": CASE})


# --- view --------------------------------------------------------------------------------


def test_ask_shows_answer_and_moves_meter():
    """Does asking a question show the person's answer and fill the biological meter?"""
    case = load_case(CASE)
    view = VirtualPatientView(CASE)
    assert view.meters["biological"].value == 0.0
    _select(view, "q-open-story")
    view.ask_button.click()
    assert view.asked == ("q-open-story",)
    assert "No questions asked yet" not in view.conversation.value
    reply = case.answer("q-open-story")
    assert reply[:30].replace("'", "&#x27;") in view.conversation.value
    assert view.meters["biological"].value > 0
    assert "1 of" in view.meter_labels["biological"].value
    assert "q-open-story" not in [value for _, value in view.question.options]
    assert "Question style" in view.style_feedback.value


def test_domain_filter_limits_the_list():
    view = VirtualPatientView(CASE)
    view.domain.value = "social"
    bank = {q.id: q for q in question_bank()}
    values = [value for _, value in view.question.options]
    assert values
    assert all(bank[v].domain == "social" for v in values)


def test_ask_without_selection_says_so():
    view = VirtualPatientView(CASE)
    view.question.value = None
    view.ask_button.click()
    assert "Choose a question" in view.style_feedback.value
    assert view.asked == ()


def test_finish_lists_missed_key_questions():
    case = load_case(CASE)
    view = VirtualPatientView(CASE)
    _select(view, "q-open-story")
    view.ask_button.click()
    assert view.end_feedback.value == ""
    view.finish_button.click()
    assert "End of interview" in view.end_feedback.value
    assert f"of the {len(case.interview.key_questions)} key questions" in view.end_feedback.value
    assert "Missed:" in view.end_feedback.value


def test_practice_mode_never_uses_key_questions():
    view = VirtualPatientView(CASE, practice=True)
    _select(view, "q-open-story")
    view.ask_button.click()
    view.finish_button.click()
    assert "key questions" not in view.end_feedback.value
    assert "Missed:" not in view.end_feedback.value
    assert view._key_questions == ()


def test_injected_functions_are_used():
    calls: list[tuple[str, ...]] = []

    def fake_feedback(asked, **kwargs):
        calls.append(tuple(asked))
        return interview_feedback(asked, **kwargs)

    view = VirtualPatientView(
        CASE, respond=lambda case, qid: f"ANSWER-TO-{qid.upper()}", feedback=fake_feedback
    )
    _select(view, "q-sleep")
    view.ask_button.click()
    assert "ANSWER-TO-Q-SLEEP" in view.conversation.value
    assert calls[-1] == ("q-sleep",)


def test_answer_round_trip_through_save_bar(tmp_path):
    view = virtual_patient(CASE, "vp_c01", folder=tmp_path)
    for qid in ("q-open-story", "q-what-else", "q-red-flags"):
        view.ask(qid)
    view.save_bar.button.click()
    assert "Saved as vp_c01.answer.json" in view.save_bar.status.value
    record = answer_to_interview(load_answer("vp_c01", kind=KIND, folder=tmp_path))
    assert record.case_id == CASE
    assert record.asked == ("q-open-story", "q-what-else", "q-red-flags")


def test_no_expert_key_in_synced_state():
    """Do question ids (and so the key-question list) never reach the browser before Finish?"""
    case = load_case(CASE)
    view = VirtualPatientView(CASE)
    view.ask("q-open-story")
    view.ask("q-sleep")
    text = synced_state_text(view)
    for qid in case.interview.key_questions:
        assert qid not in text
    assert "Missed:" not in text
    assert "key questions" not in text
