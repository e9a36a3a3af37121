# Hidden checks for a05-care-plan. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. Case-review benchmarks: Bao et al., Psychiatr Serv 2016;67:418-424
# (follow-up within 4 weeks; psychiatric consultation at weeks 8-12 when not improved, improved =
# PHQ-9 below 10 or at least 50 % lower). Outcome rules: ICSI adult depression guideline and NCQA
# HEDIS DRR-E (remission below 5; response at least 50 %; partial response 25 % up to 50 %).
# Ms. Rahman is a held-out case: her expected plan lives here and in key.yaml, nowhere in the
# library data or the release. Feedback names the idea missed, never a letter, id or value.

# %% grade_id="a05_q1_tests"
# LEAK-CANARY a05_q1_hidden
from bpscare.api import matching_credit

# Registry as of week 12 (weeks from each person's baseline):
# R1 18->15 (wk3)->14->13 at wk12: followed up, 28 % lower and 13 >= 10 -> not improved.
# R2 baseline only, 6 weeks ago: no follow-up within 4 weeks.
# R3 22->10 at wk10: 55 % lower -> improved (the "or at least 50 %" half of the rule).
# R4 14->12 at exactly 4 weeks; 5 weeks in care: on track, keep measuring.
# R5 20, first follow-up at wk8, 12 at wk12 (40 % lower): both reasons.
# R6 19->4: remission; stays on the registry (relapse prevention, treat to target).
# R7 12->8: 33 % lower but below 10 -> improved.
A05_Q1_KEY = {"R1": "B", "R2": "A", "R3": "D", "R4": "E", "R5": "C", "R6": "D", "R7": "D"}
A05_Q1_WHY = {
    "R1": "R1: re-check whether this person has improved, by the benchmark's definition, after "
    "8 or more weeks in care.",
    "R2": "R2: re-check when this person's first follow-up was due and whether it has happened.",
    "R3": "R3: re-check the benchmark's definition of 'improved'; it has two halves.",
    "R4": "R4: re-check how the 4-week benchmark treats a follow-up at exactly 4 weeks, and how "
    "long this person has been in care.",
    "R5": "R5: re-check this person against both benchmarks, the timing of the first follow-up "
    "and improvement after 8 weeks.",
    "R6": "R6: re-check what treating to target asks of the team once a target is reached.",
    "R7": "R7: re-check the benchmark's definition of 'improved'; it has two halves.",
}
if a05_q1_matches is not None:
    for a05_person, a05_option in A05_Q1_KEY.items():
        checks.credit(
            lambda a05_person=a05_person, a05_option=a05_option: matching_credit(
                {a05_person: a05_q1_matches.get(a05_person, "")}, {a05_person: a05_option}
            ),
            0.5,
            A05_Q1_WHY[a05_person],
        )

# %% grade_id="a05_q2_tests"
# LEAK-CANARY a05_q2_hidden
if a05_q2_chosen is not None:
    checks.credit(
        lambda: 1.0 if a05_q2_chosen == "B" else 0.0,
        1.5,
        "Review the ICSI / HEDIS DRR-E outcome definitions at their boundaries, and what "
        "treating to target asks of the team before remission.",
    )

# %% grade_id="a05_q3_care_plan_tests"
# LEAK-CANARY a05_q3_hidden
import re  # noqa: E402

from bpscare.api import check_plan, red_flag_matches  # noqa: E402

# Gate 1 (PHQ-9 item 9): her safety net names her thoughts of self-harm (any wording that
# red_flag_matches accepts) and says what to do about them the same day.
# Alternatives have at least two content words where one word alone ("herself", "life") would
# match unrelated flags ("she blames herself", "knee pain limits her life").
A05_SELF_HARM_FLAG = (
    "thoughts of self-harm or suicide or better off dead or thoughts of hurting herself or "
    "urges to harm herself or thoughts of killing herself or thoughts of ending her own life"
)
# The same-day response: her safety plan, a crisis line (988) or same-day contact. A generic
# "911 in an emergency" line, present in most safety nets, is not enough on its own.
A05_SAME_DAY_RESPONSE = re.compile(r"\b988\b|safety[- ]plan|crisis|same[- ]day", re.IGNORECASE)
# Gate 2: PHQ-9 15 (moderately severe): next contact within 4 weeks (Bao et al. 2016).
A05_FOLLOW_UP_WEEKS = 4
# Active depression treatment for PHQ-9 15-19: pharmacotherapy and/or psychotherapy (Kroenke &
# Spitzer 2002); in collaborative care the care manager often delivers brief behavioral
# activation or problem-solving therapy (AIMS Center).
A05_PSYCHOTHERAPY = {"behavioral_activation", "problem_solving", "cbt_informed"}
A05_ANTIDEPRESSANT = re.compile(
    r"antidepress|\bssri|\bsnri|sertraline|escitalopram|citalopram|fluoxetine|paroxetine|"
    r"duloxetine|venlafaxine|bupropion|mirtazapine",
    re.IGNORECASE,
)
A05_NEGATION = re.compile(r"\b(no|not|without|declin\w*|stop\w*|avoid\w*)\b", re.IGNORECASE)
A05_PRIORITIES = ("full work", "sleeping through the night", "being believed")
A05_BARRIERS = ("work_schedule", "cost")


def a05_safety_net_addresses_self_harm(plan):
    """Her item-9 answer is named as a warning sign, with a same-day response to it."""
    net = plan.safety_net
    named = red_flag_matches(list(net.red_flags), A05_SELF_HARM_FLAG)
    response = " ".join((*net.red_flags, net.what_to_do, net.escalation))
    return named and bool(A05_SAME_DAY_RESPONSE.search(response))


def a05_treats_depression(plan):
    """A psychological treatment (intervention, referral or team member) or an antidepressant."""
    if A05_PSYCHOTHERAPY & set(plan.interventions):
        return True
    if "behavioral_health" in {r.to for r in plan.referrals}:
        return True
    if "psychologist" in {m.role for m in plan.team}:
        return True
    clauses = re.split(r"[.;,\n]", plan.medication)
    return any(A05_ANTIDEPRESSANT.search(c) and not A05_NEGATION.search(c) for c in clauses)


def a05_priorities_share(plan):
    """Share of her three stated priorities the plan records."""
    named = list(plan.patient_priorities)
    return sum(red_flag_matches(named, p) for p in A05_PRIORITIES) / len(A05_PRIORITIES)


if a05_plan is not None:
    checks.gate(
        lambda: a05_safety_net_addresses_self_harm(a05_plan),
        "Safety gate: the plan does not respond to what she told you about item 9. After any "
        "thoughts of being better off dead, her safety net names those thoughts as a warning "
        "sign and says what she does the same day (her safety plan, a crisis line, same-day "
        "contact).",
    )
    checks.gate(
        lambda: (
            a05_plan.follow_up is not None
            and a05_plan.follow_up.interval_weeks <= A05_FOLLOW_UP_WEEKS
        ),
        "Safety gate: with moderately severe depression (PHQ-9 15) the next contact is within "
        "4 weeks (Bao et al. 2016); a later follow-up leaves her mood and her safety unchecked.",
    )
    checks.credit(
        lambda: 1.0 if check_plan(a05_plan).passed else 0.0,
        1,
        "The plan is not yet complete by the builder's own checks: press Check plan and add "
        "what it lists (goal parts, team responsibilities, safety net, measures, medication).",
    )
    checks.credit(
        lambda: 1.0 if "behavioral_health_care_manager" in {m.role for m in a05_plan.team} else 0.0,
        1,
        "Team: collaborative care needs the person who follows her up between visits, keeps "
        "her on the registry and brings her to case review (AIMS Center: patient-centered team "
        "care).",
    )
    checks.credit(
        lambda: 1.0 if "phq9" in a05_plan.measures else 0.0,
        1,
        "Measurement: treating to target means repeating a validated depression measure at "
        "each contact, so the team can see whether she is improving (AIMS Center).",
    )
    checks.credit(
        lambda: 1.0 if a05_treats_depression(a05_plan) else 0.0,
        1,
        "Treatment: moderately severe depression calls for active treatment, psychological "
        "and/or medication, chosen with her (Kroenke & Spitzer 2002), not only care for the "
        "knee.",
    )
    checks.credit(
        lambda: (
            1.0
            if "graded_activity" in a05_plan.interventions
            and (
                "physical_therapy" in {r.to for r in a05_plan.referrals}
                or "physical_therapist" in {m.role for m in a05_plan.team}
            )
            else 0.0
        ),
        1,
        "Function: weak thigh muscles and avoiding stairs call for supervised strengthening "
        "with a graded return to what she fears.",
    )
    checks.credit(
        lambda: (
            1.0
            if "social_worker" in {m.role for m in a05_plan.team}
            or {"social_work", "financial_counselling"} & {r.to for r in a05_plan.referrals}
            else 0.0
        ),
        1,
        "Social needs: the delayed claim and the rent arrears keep her pain and worry going; "
        "the team needs someone who can help with them.",
    )
    checks.credit(
        lambda: (
            sum(bool(a05_plan.barriers_addressed.get(b, "").strip()) for b in A05_BARRIERS)
            / len(A05_BARRIERS)
        ),
        1,
        "Access: say how the plan fits two jobs with no sick leave, and her lost income.",
    )
    checks.credit(
        lambda: a05_priorities_share(a05_plan),
        1,
        "What matters to her: record everything she said matters most, in her words, and build "
        "the goals around it.",
    )
