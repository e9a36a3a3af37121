"""Care-plan builder: form -> CarePlan, feedback, Markdown, answer round-trip, no expert leak."""

from __future__ import annotations

import json

import pytest
from helpers import synced_state_text
from w2_checks import unlabelled_controls

from bpscare.clinical.careplan import (
    CarePlan,
    FollowUp,
    PlanReview,
    SmartGoal,
    TeamMember,
    check_plan,
)
from bpscare.clinical.cases import load_case
from bpscare.grading.answers import load_answer
from bpscare.widgets.care_plan_builder import (
    KIND,
    CarePlanBuilder,
    answer_to_plan,
    care_plan_builder,
    goal_from_form,
    review_messages,
    split_lines,
)

CASE = "c03-low-back-pain"


def expert_texts() -> list[str]:
    """Expert-only strings of the case's care plan (texts, not vocabulary ids or labels)."""
    plan = load_case(CASE).care_plan
    return [plan.medication[:40], *(g[:40] for g in plan.goals)] + [
        f[:40] for f in plan.red_flags_to_safety_net
    ]


def fill(view: CarePlanBuilder) -> None:
    view.priorities.value = "Getting back to my workshop\nHelping my wife safely"
    view.goal_what.value = "Walk to the end of the lane and back"
    view.goal_measure.value = "minutes walked"
    view.goal_target.value = "20 minutes"
    view.goal_by_when.value = "in 6 weeks"
    view.goal_why.value = "so I can get back to my workshop"
    view.goal_first_step.value = "start with 5 minutes after lunch"
    view.add_goal.click()
    view.team.choice.value = "primary_care_clinician"
    view.team.text.value = "reviews pain and sleep at each visit"
    view.team.add.click()
    view.team.choice.value = "physical_therapist"
    view.team.text.value = "graded walking plan"
    view.team.add.click()
    view.referrals.choice.value = "physical_therapy"
    view.referrals.text.value = "to build a walking plan that feels safe"
    view.referrals.add.click()
    view.interventions.value = ("graded_activity", "pacing")
    view.medication.value = "no change; heat as needed"
    view.red_flags.value = "Numbness in the groin\n\nNew weakness in a leg\n"
    view.what_to_do.value = "Go to the emergency department"
    view.escalation.value = "Clinic nurse line; after hours call 911"
    view.follow_up_weeks.value = 3
    view.follow_up_mode.value = "phone"
    view.measures.value = ("phq9", "functional_goal")
    view.barriers.choice.value = "transportation"
    view.barriers.text.value = "phone follow-up; bus pass from the community health worker"
    view.barriers.add.click()


def test_filled_form_builds_the_plan_it_shows():
    view = CarePlanBuilder(CASE)
    fill(view)
    plan = view.plan()
    assert plan.patient_priorities == ("Getting back to my workshop", "Helping my wife safely")
    assert plan.goals[0].time_bound == "in 6 weeks"
    assert [m.role for m in plan.team] == ["primary_care_clinician", "physical_therapist"]
    assert plan.referrals[0].to == "physical_therapy"
    assert plan.safety_net.red_flags == ("Numbness in the groin", "New weakness in a leg")
    assert plan.follow_up == FollowUp(3.0, "phone")
    assert plan.measures == ("phq9", "functional_goal")
    assert plan.barriers_addressed == {
        "transportation": "phone follow-up; bus pass from the community health worker"
    }
    # the goal form is cleared and the SMART summary says all five parts are stated
    assert view.goal_what.value == ""
    assert "all five" in view.goal_status.value
    assert "Walk to the end of the lane" in view.goal_list.value


def test_complete_plan_passes_every_public_check():
    """Does a complete plan get 'all required parts in place' in words, not colour alone?"""
    view = CarePlanBuilder(CASE)
    fill(view)
    view.check_button.click()
    assert view.last_review is not None
    assert view.last_review.passed
    assert "Required parts: 7 of 7 in place (100%); quality: 100%" in view.feedback.value
    assert "role='status'" in view.feedback.value


def test_empty_plan_lists_what_to_add():
    view = CarePlanBuilder(CASE)
    view.check_button.click()
    assert "Required parts: 0 of 7" in view.feedback.value
    assert "To do: Add at least one goal" in view.feedback.value
    assert "To do: Schedule follow-up" in view.feedback.value


def test_goal_without_activity_is_refused_with_a_reason():
    view = CarePlanBuilder()
    view.goal_measure.value = "minutes"
    view.add_goal.click()
    assert "Goal not added" in view.goal_status.value
    assert "what:" in view.goal_status.value
    assert view.plan().goals == ()


def test_remove_buttons_take_entries_out():
    view = CarePlanBuilder()
    fill(view)
    view.remove_goal.click()
    view.team.choice.value = "physical_therapist"
    view.team.remove.click()
    plan = view.plan()
    assert plan.goals == ()
    assert [m.role for m in plan.team] == ["primary_care_clinician"]
    assert "No goals added yet" in view.goal_list.value


def test_zero_weeks_means_follow_up_not_planned():
    view = CarePlanBuilder()
    assert view.plan().follow_up is None


def test_markdown_export_renders_the_plan():
    view = CarePlanBuilder(CASE)
    fill(view)
    view.export_button.click()
    text = view.markdown.value
    assert text.startswith("# Care plan")
    assert "Walk to the end of the lane and back" in text
    assert "Next contact in 3 weeks by phone." in text
    assert "teach-back" in text


def test_answer_round_trip(tmp_path):
    view = care_plan_builder(CASE, answer_name="a05_care_plan", folder=tmp_path)
    fill(view)
    assert view.save_bar is not None
    view.save_bar.button.click()
    assert "Saved as a05_care_plan.answer.json" in view.save_bar.status.value
    data = load_answer("a05_care_plan", kind=KIND, folder=tmp_path)
    assert json.loads(json.dumps(data)) == data
    assert answer_to_plan(data) == view.plan()


def test_saved_answer_is_resumed(tmp_path):
    first = care_plan_builder(CASE, answer_name="a05_care_plan", folder=tmp_path)
    fill(first)
    first.save_bar.button.click()
    again = care_plan_builder(CASE, answer_name="a05_care_plan", folder=tmp_path)
    assert again.plan() == first.plan()
    assert "Walk to the end of the lane" in again.goal_list.value
    fresh = care_plan_builder(CASE, answer_name="a05_care_plan", folder=tmp_path, resume=False)
    assert fresh.plan() == CarePlan()


def test_injected_check_and_markdown_are_used():
    calls = []

    def fake_check(plan, expected):
        calls.append((plan, expected))
        return PlanReview(())

    view = CarePlanBuilder(
        CASE, check=fake_check, to_markdown=lambda plan: f"FAKE {len(plan.goals)}"
    )
    fill(view)
    view.check_button.click()
    view.export_button.click()
    assert calls == [(view.plan(), None)]
    assert "Required parts: 0 of 0" in view.feedback.value
    assert view.markdown.value == "FAKE 1"


def test_expert_feedback_compares_with_the_case_plan():
    view = CarePlanBuilder(CASE, expert_feedback=True)
    fill(view)
    view.check_button.click()
    ids = [f.check_id for f in view.last_review.findings]
    assert "team_expected" in ids
    assert "referrals_expected" in ids


@pytest.mark.parametrize(
    "kwargs", [{}, {"practice": True}, {"practice": True, "expert_feedback": True}]
)
def test_no_expert_plan_in_synced_state_public_modes(kwargs):
    view = CarePlanBuilder(CASE, **kwargs)
    assert view._expected is None
    fill(view)
    view.check_button.click()
    view.export_button.click()
    state = synced_state_text(view)
    for text in expert_texts():
        assert text not in state
    assert "team_expected" not in [f.check_id for f in view.last_review.findings]


def test_expert_plan_stays_out_of_state_until_feedback():
    view = CarePlanBuilder(CASE, expert_feedback=True)
    assert view._expected is not None
    state = synced_state_text(view)
    for text in expert_texts():
        assert text not in state
    # the medication plan is never compared, so it never reaches the browser
    fill(view)
    view.check_button.click()
    assert load_case(CASE).care_plan.medication[:40] not in synced_state_text(view)


def test_every_control_has_a_visible_description():
    assert unlabelled_controls(CarePlanBuilder(CASE, answer_name="x")) == []


def test_pure_helpers():
    assert split_lines(" a \n\n b\n") == ("a", "b")
    with pytest.raises(ValueError, match="what"):
        goal_from_form(" ", "m", "t", "in 2 weeks")
    goal = goal_from_form("walk", "minutes", "20 minutes", "in 6 weeks", why="work")
    assert goal == SmartGoal.from_parts("walk", "minutes", "20 minutes", "in 6 weeks", why="work")
    review = check_plan(CarePlan(team=(TeamMember("nurse", "calls weekly"),)))
    level, title, messages = review_messages(review)
    assert level == "warning"
    assert title.startswith("Required parts: 1 of 7 in place")
    assert messages[0].startswith("To do:")
    assert messages[-1].startswith("In place:")
