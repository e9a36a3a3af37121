# Hidden checks for a05-care-plan. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. Outcome rules: ICSI / NCQA HEDIS DRR-E; case-review rules: Bao et
# al., Psychiatr Serv 2016. The expected care-plan elements for Ms. Rahman (a case that exists
# only in this course's assignments) live here and nowhere in the library or the release.

# %% grade_id="a05_q1_outcome_tests"
# LEAK-CANARY a05_q1_hidden
a05_outcomes = [
    ((20, 10), "response", "20 to 10 is exactly a 50 % reduction, which counts as a response"),
    ((18, 4), "remission", "a current score of 4 is below 5: remission comes first"),
    ((12, 9), "partial response", "12 to 9 is exactly a 25 % reduction: a partial response"),
    ((15, 12), "no response", "15 to 12 is a 20 % reduction: no response"),
    ((10, 12), "no response", "a rise from 10 to 12 is no response"),
    ((20, 5), "response", "a score of 5 is not below 5, so 20 to 5 is a response, not remission"),
]
for (a05_base, a05_now), a05_label, a05_why in a05_outcomes:
    checks.equal(
        lambda a05_base=a05_base, a05_now=a05_now: phq9_outcome(a05_base, a05_now),
        a05_label,
        1,
        a05_why[0].upper() + a05_why[1:] + ".",
    )

# %% grade_id="a05_q2_flags_tests"
# LEAK-CANARY a05_q2_hidden
a05_flag_key = {
    "P1": (["not-improved-8-weeks"], "P1 is 12 weeks in at 13, down 28 %: not improved"),
    "P2": (["no-follow-up-4-weeks"], "P2's first follow-up came at week 6, after 4 weeks"),
    "P3": ([], "P3 fell from 22 to 10, a 55 % reduction: improved (below 10 OR at least 50 %)"),
    "P4": ([], "P4 was followed up at exactly 4 weeks and is only 6 weeks in"),
    "P5": (["no-follow-up-4-weeks"], "P5 has only a baseline score: no follow-up"),
    "P6": (
        ["no-follow-up-4-weeks", "not-improved-8-weeks"],
        "P6 had no follow-up until week 8 and is at 10 after 12 weeks: both reasons, in order",
    ),
    "P7": ([], "P7's baseline is week 1 and the follow-up at week 4 is within 4 weeks of it"),
}
for a05_pid, (a05_reasons, a05_why) in a05_flag_key.items():
    checks.equal(
        lambda a05_pid=a05_pid: review_flags(registry).get(a05_pid, []),
        a05_reasons,
        1,
        a05_why + ".",
    )

# %% grade_id="a05_q3_care_plan_tests"
# LEAK-CANARY a05_q3_hidden
A05_RAHMAN_KEY = {
    "team": ["primary_care_clinician", "physical_therapist", "social_worker"],
    "referrals": ["physical_therapy", "social_work"],
    "interventions": ["graded_activity", "psychoeducation"],
    "red_flags": ["hot swollen knee or fever", "thoughts of self-harm or suicide"],
    "follow_up_weeks": 4,
    "measures": ["phq9", "functional_goal"],
    "access_barriers": ["work_schedule", "cost"],
}
A05_WHY = {
    "primary_care_clinician": "someone leads the plan and documents the work injury",
    "physical_therapist": "graded strengthening targets the weak thigh muscles and stair fear",
    "social_worker": "the delayed claim and the rent arrears keep her pain and worry going",
    "physical_therapy": "refer to physical therapy for graded strengthening",
    "social_work": "refer to social work for the claim and the rent",
    "graded_activity": "a graded return to stairs and kneeling answers her avoidance",
    "psychoeducation": "explain why a healed knee can still hurt, so pain stops meaning damage",
    "phq9": "repeat the PHQ-9 to treat to target",
    "functional_goal": "measure her own functional goal (stairs, work)",
    "work_schedule": "two jobs with no sick leave: plan appointments around her shifts",
    "cost": "lost hours and rent arrears: address the cost of care and the claim",
}
checks.that(
    lambda: saved_plan_review().passed,
    2,
    "The plan does not yet pass the library's completeness checks (check_plan): run the "
    "builder's Check and add what it asks for.",
)
for a05_role in A05_RAHMAN_KEY["team"]:
    checks.that(
        lambda a05_role=a05_role: a05_role in {m.role for m in saved_plan().team},
        1,
        f"Team: include the {a05_role.replace('_', ' ')} ({A05_WHY[a05_role]}).",
    )
for a05_to in A05_RAHMAN_KEY["referrals"]:
    checks.that(
        lambda a05_to=a05_to: a05_to in {r.to for r in saved_plan().referrals},
        1,
        f"Referrals: {A05_WHY[a05_to]}.",
    )
for a05_item in A05_RAHMAN_KEY["interventions"]:
    checks.that(
        lambda a05_item=a05_item: a05_item in saved_plan().interventions,
        1,
        f"Interventions: {A05_WHY[a05_item]}.",
    )
for a05_flag in A05_RAHMAN_KEY["red_flags"]:
    checks.that(
        lambda a05_flag=a05_flag: safety_net_names(a05_flag),
        1,
        f"Safety net: name '{a05_flag}' as a red flag, with what to do.",
    )
checks.that(
    lambda: (
        saved_plan().follow_up is not None
        and saved_plan().follow_up.interval_weeks <= A05_RAHMAN_KEY["follow_up_weeks"]
    ),
    1,
    "Follow up within 4 weeks (Bao et al. 2016), all the more after her item-9 answer; a "
    "routine visit in three months is too late.",
)
for a05_measure in A05_RAHMAN_KEY["measures"]:
    checks.that(
        lambda a05_measure=a05_measure: a05_measure in saved_plan().measures,
        1,
        f"Measures: {A05_WHY[a05_measure]}.",
    )
for a05_barrier in A05_RAHMAN_KEY["access_barriers"]:
    checks.that(
        lambda a05_barrier=a05_barrier: bool(
            saved_plan().barriers_addressed.get(a05_barrier, "").strip()
        ),
        1,
        f"Access barriers: {A05_WHY[a05_barrier]}.",
    )
