from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpscare.clinical.careplan import (
    CarePlan,
    FollowUp,
    Referral,
    SafetyNet,
    SmartGoal,
    TeamMember,
    check_plan,
    plan_to_markdown,
    red_flag_matches,
    smart_parts,
    vocabulary,
)

SMART = SmartGoal(
    text="Walk to the bus stop and back without stopping",
    specific="walk to the bus stop and back",
    measurable="minutes walked, target 15 minutes",
    achievable="start with 5 minutes after lunch, with the physical therapist's plan",
    relevant="so she can return to her shifts at work",
    time_bound="in 6 weeks",
)

EXPECTED = {
    "goals": ["return to work"],
    "team": ["primary_care_clinician", "behavioral_health_care_manager", "physical_therapist"],
    "referrals": ["physical_therapy"],
    "interventions": ["graded_activity", "sleep"],
    "medication": "none",
    "red_flags_to_safety_net": ["thoughts of suicide or self-harm", "new weakness or numbness"],
    "follow_up_weeks": 4,
    "measures": ["phq9", "phq15"],
    "access_barriers": ["transportation", "language"],
}


def full_plan() -> CarePlan:
    return CarePlan(
        goals=[SMART],
        team=[
            TeamMember("primary_care_clinician", "reviews the plan and medicines"),
            TeamMember("behavioral_health_care_manager", "phones every 2 weeks, repeats PHQ-9"),
            TeamMember("physical_therapist", "sets up graded walking"),
            TeamMember("medical_interpreter", "joins every visit"),
        ],
        referrals=[Referral("physical_therapy", "graded activity for back pain")],
        interventions=["graded_activity", "sleep", "psychoeducation"],
        medication="none for now; revisit at week 8",
        safety_net=SafetyNet(
            red_flags=["suicidal thoughts", "weakness in a leg", "loss of bladder control"],
            what_to_do="stop and call us the same day",
            escalation="clinic nurse line in hours; 988 or 911 after hours",
        ),
        follow_up=FollowUp(2, "phone"),
        measures=["phq9", "phq15", "functional_goal"],
        barriers_addressed={
            "transportation": "bus pass from the social worker; phone check-ins",
            "language": "qualified Spanish interpreter at every contact",
        },
        patient_priorities=["getting back to work at the bakery", "sleeping through the night"],
    )


def by_id(review):
    return {f.check_id: f for f in review.findings}


# ---------------------------------------------------------------- vocabulary and model


def test_vocabulary_is_read_from_package_data():
    roles = vocabulary("team_roles")
    assert roles["physical_therapist"] == "Physical therapist"
    assert "phq9" in vocabulary("measures")
    with pytest.raises(TypeError):
        roles["x"] = "y"  # read-only


def test_unknown_vocabulary_section_is_named():
    with pytest.raises(ValueError, match=r"'team'.*team_roles"):
        vocabulary("team")


def test_round_trip_through_dict_and_json_is_exact():
    plan = full_plan()
    data = plan.to_dict()
    assert CarePlan.from_dict(data) == plan
    assert CarePlan.from_dict(data).to_dict() == data
    text = plan.to_json()
    assert CarePlan.from_json(text) == plan
    assert json.loads(text) == data


def test_empty_plan_round_trips():
    plan = CarePlan()
    assert plan.to_dict()["follow_up"] is None
    assert CarePlan.from_dict(plan.to_dict()) == plan
    assert CarePlan.from_dict({}) == plan


def test_lists_are_stored_as_tuples():
    plan = full_plan()
    assert isinstance(plan.goals, tuple)
    assert isinstance(plan.safety_net.red_flags, tuple)
    assert isinstance(plan.to_dict()["safety_net"]["red_flags"], list)


def test_from_dict_names_the_field_path_and_allowed_roles():
    data = full_plan().to_dict()
    data["team"][2]["role"] = "therapist"
    with pytest.raises(ValueError, match=r"^team\[2\]\.role: 'therapist' is not a known role") as e:
        CarePlan.from_dict(data)
    assert "physical_therapist" in str(e.value)


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda d: d["referrals"][0].update(to="physio"), r"referrals\[0\]\.to: 'physio'"),
        (lambda d: d["interventions"].append("yoga"), r"interventions\[3\]: 'yoga'"),
        (lambda d: d["measures"].append("bdi"), r"measures\[3\]: 'bdi'"),
        (lambda d: d["follow_up"].update(interval_weeks=0), r"follow_up\.interval_weeks: .*0"),
        (lambda d: d["follow_up"].update(mode="pigeon"), r"follow_up\.mode: 'pigeon'"),
        (lambda d: d["barriers_addressed"].update(weather="x"), r"barriers_addressed: 'weather'"),
        (lambda d: d["goals"][0].pop("text"), r"goals\[0\]\.text: missing required field"),
        (lambda d: d["goals"][0].update(text="  "), r"goals\[0\]\.text: a goal needs text"),
        (lambda d: d["safety_net"].update(red_flags="fever"), r"safety_net\.red_flags: expected"),
        (lambda d: d.update(colour="blue"), r"colour: unknown field"),
        (lambda d: d["team"][0].update(pager="123"), r"team\[0\]\.pager: unknown field"),
        (lambda d: d.update(team="everyone"), r"team: expected a list"),
        (lambda d: d.update(medication=None), r"medication: expected text"),
    ],
)
def test_from_dict_rejects_bad_values_naming_them(mutate, pattern):
    data = full_plan().to_dict()
    mutate(data)
    with pytest.raises(ValueError, match=pattern):
        CarePlan.from_dict(data)


def test_from_json_rejects_invalid_json():
    with pytest.raises(ValueError, match="not valid JSON"):
        CarePlan.from_json("{goals: }")


def test_constructors_validate_directly():
    with pytest.raises(ValueError, match="role: 'therapist'"):
        TeamMember("therapist")
    with pytest.raises(ValueError, match="interval_weeks"):
        FollowUp(True)
    with pytest.raises(ValueError, match=r"goals\[0\]: expected a SmartGoal"):
        CarePlan(goals=["walk more"])


@given(
    st.lists(st.sampled_from(list(vocabulary("interventions"))), max_size=4),
    st.lists(st.text(max_size=20), max_size=3),
    st.floats(min_value=0.5, max_value=52, allow_nan=False),
    st.dictionaries(st.sampled_from(list(vocabulary("access_barriers"))), st.text(max_size=10)),
)
def test_round_trip_property(interventions, flags, weeks, barriers):
    plan = CarePlan(
        interventions=interventions,
        safety_net=SafetyNet(flags, "call", "nurse line"),
        follow_up=FollowUp(weeks, "video"),
        barriers_addressed=barriers,
    )
    assert CarePlan.from_json(plan.to_json()) == plan


# ---------------------------------------------------------------- SMART detection


def test_smart_parts_all_present_for_a_complete_goal():
    assert smart_parts(SMART) == dict.fromkeys(
        ("specific", "measurable", "achievable", "relevant", "time_bound"), True
    )


def test_text_only_goal_can_show_at_most_three_parts():
    parts = smart_parts(SmartGoal("Walk for 20 minutes after dinner, within 6 weeks"))
    assert parts == {
        "specific": True,
        "measurable": True,
        "achievable": False,
        "relevant": False,
        "time_bound": True,
    }


@pytest.mark.parametrize(
    ("time_bound", "detected"),
    [
        ("in 6 weeks", True),
        ("within two months", True),
        ("in a month", True),
        ("by week 8", True),
        ("by March", True),
        ("by 2026-03-01", True),
        ("by the next visit", True),
        ("soon", False),
        ("3 days a week", False),
        ("twice a week", False),
    ],
)
def test_time_frame_rule(time_bound, detected):
    goal = SmartGoal("Walk to the park", time_bound=time_bound)
    assert smart_parts(goal)["time_bound"] is detected


@pytest.mark.parametrize(
    ("measurable", "detected"),
    [
        ("PHQ-9 below 10", True),
        ("walk 20 minutes", True),
        ("twice a week", True),
        ("symptom diary", True),
        ("feel better", False),
    ],
)
def test_measure_rule(measurable, detected):
    goal = SmartGoal("Something", measurable=measurable)
    assert smart_parts(goal)["measurable"] is detected


def test_from_parts_builds_a_full_smart_goal():
    goal = SmartGoal.from_parts(
        "walk to the park with my granddaughter",
        "minutes walked",
        "20 minutes",
        "in 6 weeks",
        why="wants to play with her",
        first_step="5 minutes after lunch",
    )
    assert (
        goal.text
        == "walk to the park with my granddaughter - 20 minutes (minutes walked), in 6 weeks"
    )
    assert all(smart_parts(goal).values())


# ---------------------------------------------------------------- red-flag matching


@pytest.mark.parametrize(
    ("named", "expected", "matched"),
    [
        (["suicidal thoughts"], "thoughts of suicide or self-harm", True),
        (["urges to self-harm"], "thoughts of suicide or self-harm", True),
        (["weakness in a leg"], "new weakness or numbness", True),
        (["chest tightness"], "chest pain", True),
        (["getting breathless"], "shortness of breath", True),
        (["leg pain"], "chest pain", False),
        (["fever"], "chest pain on exertion", False),
        (["walking is harder"], "difficulty walking", True),
        (["swollen arm"], "army", False),
        (["back pain that wakes you at night"], "new back pain with fever", True),  # lenient
        (["back pain with a fever"], "new back pain with fever", True),
        (["chest", "pain"], "chest pain on exertion", False),  # words not pooled across flags
        ([], "fever", False),
    ],
)
def test_red_flag_matching_rule(named, expected, matched):
    assert red_flag_matches(named, expected) is matched


# ---------------------------------------------------------------- check_plan


def test_complete_plan_passes_every_check_with_expected():
    review = check_plan(full_plan(), EXPECTED)
    failed = [f.message for f in review.findings if not f.passed]
    assert failed == []
    assert review.completeness == 1.0
    assert review.quality == 1.0
    assert review.passed
    assert review.score(10) == 10.0


def test_generic_checks_without_expected():
    review = check_plan(full_plan())
    ids = [f.check_id for f in review.findings]
    assert ids == [
        "smart_goal",
        "team",
        "non_pharmacological",
        "safety_net",
        "follow_up",
        "measurement_plan",
        "medication",
        "patient_priorities",
        "patient_centred_goals",
    ]
    assert all(f.passed for f in review.findings)


def test_empty_plan_fails_every_required_check_with_actionable_messages():
    review = check_plan(CarePlan())
    required = [f for f in review.findings if f.severity == "required"]
    assert not any(f.passed for f in required)
    assert review.completeness == 0.0
    assert review.score(10) == 0.0
    found = by_id(review)
    assert found["measurement_plan"].message == (
        "Add a measurement plan: name the instrument (e.g. PHQ-9) and when it will be repeated, "
        "so the team can treat to target."
    )
    assert "'none'" in found["medication"].message
    assert review.feedback()[0].startswith("Add at least one goal")


def test_missing_roles_and_referrals_are_named_by_label():
    plan = full_plan()
    plan = CarePlan.from_dict({**plan.to_dict(), "team": [plan.team[0].to_dict()], "referrals": []})
    found = by_id(check_plan(plan, EXPECTED))
    assert not found["team_expected"].passed
    assert "Behavioral health care manager" in found["team_expected"].message
    assert "Physical therapist" in found["team_expected"].message
    assert "Primary care" not in found["team_expected"].message
    assert "Physical therapy" in found["referrals_expected"].message


def test_team_member_without_responsibility_fails():
    plan = CarePlan(team=[TeamMember("social_worker", "")])
    found = by_id(check_plan(plan))
    assert not found["team"].passed
    assert "Social worker" in found["team"].message


def test_smart_goal_feedback_names_missing_parts():
    plan = CarePlan(goals=[SmartGoal("Walk for 20 minutes after dinner, within 6 weeks")])
    finding = by_id(check_plan(plan))["smart_goal"]
    assert not finding.passed
    assert "achievable" in finding.message
    assert "relevant" in finding.message
    assert "time-bound" not in finding.message


def test_safety_net_needs_flags_action_and_escalation():
    plan = CarePlan(safety_net=SafetyNet(["suicidal thoughts"], "call us", ""))
    finding = by_id(check_plan(plan))["safety_net"]
    assert not finding.passed
    assert "escalation route" in finding.message
    assert "red flags" not in finding.message


def test_safety_net_names_missing_expected_red_flags():
    plan = full_plan()
    net = SafetyNet(["suicidal thoughts"], "call", "nurse line")
    plan = CarePlan.from_dict({**plan.to_dict(), "safety_net": net.to_dict()})
    finding = by_id(check_plan(plan, EXPECTED))["safety_net_red_flags"]
    assert not finding.passed
    assert "new weakness or numbness" in finding.message
    assert "suicide" not in finding.message


@pytest.mark.parametrize(("weeks", "passed"), [(2, True), (4, True), (4.5, False), (8, False)])
def test_follow_up_must_not_exceed_expected_interval(weeks, passed):
    data = full_plan().to_dict()
    data["follow_up"] = {"interval_weeks": weeks, "mode": "phone"}
    finding = by_id(check_plan(CarePlan.from_dict(data), EXPECTED))["follow_up"]
    assert finding.passed is passed
    if not passed:
        assert "within 4 weeks" in finding.message


def test_access_barrier_with_blank_action_is_not_addressed():
    data = full_plan().to_dict()
    data["barriers_addressed"]["language"] = "   "
    finding = by_id(check_plan(CarePlan.from_dict(data), EXPECTED))["access_barriers"]
    assert not finding.passed
    assert "Language" in finding.message
    assert "Transportation" not in finding.message


def test_missing_expected_measures_and_interventions_are_named():
    data = full_plan().to_dict()
    data["measures"] = ["phq9"]
    data["interventions"] = ["graded_activity"]
    found = by_id(check_plan(CarePlan.from_dict(data), EXPECTED))
    assert "PHQ-15" in found["measures_expected"].message
    assert "Sleep routine" in found["interventions_expected"].message


def test_medication_none_counts_as_stated():
    data = full_plan().to_dict()
    data["medication"] = "none"
    assert by_id(check_plan(CarePlan.from_dict(data)))["medication"].passed


def test_quality_checks_patient_priorities_and_centred_goals():
    goal = SmartGoal(
        "Lower PHQ-9 score",
        specific="PHQ-9",
        measurable="PHQ-9 below 10",
        achievable="with medication review",
        relevant="clinical target",
        time_bound="in 12 weeks",
    )
    review = check_plan(CarePlan(goals=[goal]))
    found = by_id(review)
    assert found["smart_goal"].passed
    assert not found["patient_priorities"].passed
    assert not found["patient_centred_goals"].passed
    assert review.quality == 0.0


def test_goal_matching_a_priority_is_patient_centred():
    goal = SmartGoal("Knit one scarf row each evening", relevant="")
    plan = CarePlan(goals=[goal], patient_priorities=["knitting for my grandson"])
    assert by_id(check_plan(plan))["patient_centred_goals"].passed


def test_score_weights_required_checks_twice_quality_checks():
    plan = full_plan()
    data = plan.to_dict()
    data["patient_priorities"] = []
    review = check_plan(CarePlan.from_dict(data))
    # 7 required (weight 1) all passed; 2 quality (weight 0.5), one failed -> 7.5 / 8
    assert review.completeness == 1.0
    assert review.quality == 0.5
    assert review.score(8) == 7.5
    with pytest.raises(ValueError, match="points"):
        review.score(-1)


def test_expected_accepts_objects_for_ids():
    expected = {"team": [{"role": "psychologist"}], "referrals": [{"to": "peer_support"}]}
    found = by_id(check_plan(CarePlan(), expected))
    assert "Psychologist" in found["team_expected"].message
    assert "Peer support" in found["referrals_expected"].message


@pytest.mark.parametrize(
    ("expected", "pattern"),
    [
        ({"team": ["therapist"]}, r"expected\.team\[0\]: 'therapist' is not a known role"),
        ({"measures": ["phq9", "bdi"]}, r"expected\.measures\[1\]: 'bdi'"),
        ({"follow_up_weeks": 0}, r"expected\.follow_up_weeks"),
        ({"access_barriers": "cost"}, r"expected\.access_barriers: expected a list"),
        ("not a mapping", r"expected: expected a case's care_plan"),
    ],
)
def test_bad_expected_section_is_named(expected, pattern):
    with pytest.raises(ValueError, match=pattern):
        check_plan(CarePlan(), expected)


def test_check_plan_rejects_a_dict_plan():
    with pytest.raises(ValueError, match="expected a CarePlan, got dict"):
        check_plan({"goals": []})


def test_review_to_dict_is_json_able():
    review = check_plan(full_plan(), EXPECTED)
    data = json.loads(json.dumps(review.to_dict()))
    assert data["completeness"] == 1.0
    assert {"check_id", "passed", "severity", "message"} == set(data["findings"][0])


# ---------------------------------------------------------------- markdown


def test_markdown_export_contains_every_section():
    text = plan_to_markdown(full_plan(), title="Plan for Ms Rivera")
    assert text.startswith("# Plan for Ms Rivera\n")
    for heading in (
        "## What matters most to me",
        "## Goals",
        "## Care team",
        "## Referrals",
        "## What we will do (non-medication)",
        "## Medication",
        "## How we will measure progress",
        "## Follow-up",
        "## Warning signs (safety net)",
        "## Making the plan work for me",
    ):
        assert heading in text
    assert "**Physical therapist**: sets up graded walking" in text
    assert "Next contact in 2 weeks by phone." in text
    assert "- Time-bound: in 6 weeks" in text
    assert "teach-back" in text
    assert text.endswith("\n")


def test_markdown_for_empty_plan_marks_missing_parts():
    text = plan_to_markdown(CarePlan())
    assert text.startswith("# Care plan\n")
    assert text.count("_Not yet stated._") == 8


def test_markdown_flattens_newlines_and_escapes_leading_markup():
    plan = CarePlan(patient_priorities=["# not a heading\nsecond line"])
    text = plan_to_markdown(plan)
    assert "- \\# not a heading second line" in text
