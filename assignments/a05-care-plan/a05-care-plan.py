# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a05_intro"
# # Assignment 5 — Integrated care: a care plan and a registry that treats to target
#
# Collaborative care works when a team shares one plan, measures whether it is working, and
# changes course when it is not. In this assignment you will classify PHQ-9 change the way a
# registry does, flag the people a systematic case review should discuss, and build an
# integrated care plan with Ms. Aisha Rahman, whom you formulated in Assignment 2.
#
# **Competencies:** ACGME Systems-Based Practice, Patient Care and Practice-Based Learning and
# Improvement; AAMC Core EPA 9 (collaborate as a member of an interprofessional team) and
# EPA 4 (orders and plans); IPEC Roles and Responsibilities, Teams and Teamwork and
# Communication.
#
# **Sources.** Collaborative care principles (patient-centred team care, population-based care,
# measurement-based treatment to target): AIMS Center, University of Washington, "Principles of
# Collaborative Care", 2011; APA/APM report on the Collaborative Care Model, 2016. Outcome
# definitions — remission: PHQ-9 below 5; response: a reduction of at least 50 %; partial
# response: 25 % up to 50 % (ICSI adult depression guideline; NCQA HEDIS DRR-E). Care-manager
# follow-up within 4 weeks and psychiatric consultation at weeks 8–12 for people who have not
# improved, where "improved" means PHQ-9 below 10 or at least a 50 % reduction: Bao et al.,
# *Psychiatr Serv* 2016;67:418–424. Care-plan checks: `bpscare.api.check_plan` (its
# docstring lists each rule and its source).

# %% [markdown]
# ## Part 1 — Remission, response, partial response
#
# Write `phq9_outcome(baseline, current)` returning one of `"remission"`, `"response"`,
# `"partial response"` or `"no response"`, checking the rules in this order:
#
# 1. `"remission"` when the current score is **below 5**;
# 2. `"response"` when the score has fallen by **at least 50 %** of the baseline;
# 3. `"partial response"` when it has fallen by at least 25 % (and less than 50 %);
# 4. `"no response"` otherwise, including any rise.
#
# Exactly 50 % is a response and exactly 25 % a partial response. To avoid rounding trouble,
# compare without dividing (for example `2 * (baseline - current) >= baseline`). You can check
# your function against `bpscare.api.classify_change`.


# %% grading="answer" grade_id="a05_q1_outcome"
def phq9_outcome(baseline, current):
    """Classify PHQ-9 change from baseline (ICSI / HEDIS definitions)."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a05_q1
    if current < 5:
        return "remission"
    drop = baseline - current
    if baseline > 0 and 2 * drop >= baseline:
        return "response"
    if baseline > 0 and 4 * drop >= baseline:
        return "partial response"
    return "no response"
    ### END SOLUTION


# %% grading="tests" grade_id="a05_q1_outcome_tests" points=3 competencies="ACGME-PBLI ACGME-SBP ACGME-MK"
"""Does phq9_outcome apply the remission, response and partial-response rules in order?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 1, PHQ-9 outcomes")
checks.equal(
    lambda: phq9_outcome(16, 3),
    "remission",
    1,
    "A current PHQ-9 of 3 (below 5) is a remission.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 2 — Who should the case review discuss?
#
# A systematic case review works from the registry (AIMS Center). The table `registry` below
# holds PHQ-9 scores for seven people: `patient_id`, `week` (on the clinic's calendar) and
# `score`. Each person's **baseline** is their first score; weeks are counted from each person's
# own baseline. Write `review_flags(scores)` returning a dict `{patient_id: [reasons]}` with an
# entry only for people who have at least one reason, reasons in this order:
#
# - `"no-follow-up-4-weeks"`: no score after the baseline within 4 weeks of it (a score at
#   exactly 4 weeks counts as follow-up);
# - `"not-improved-8-weeks"`: the latest score is at least 8 weeks after the baseline and the
#   person has **not improved**, that is, the latest score is 10 or more **and** has fallen by
#   less than 50 % (Bao et al. 2016).

# %% grading="readonly" grade_id="a05_q2_registry"
import pandas as pd

registry = pd.DataFrame(
    [
        ("P1", 0, 18),
        ("P1", 3, 15),
        ("P1", 8, 14),
        ("P1", 12, 13),
        ("P2", 0, 16),
        ("P2", 6, 12),
        ("P2", 10, 7),
        ("P3", 0, 22),
        ("P3", 2, 15),
        ("P3", 9, 10),
        ("P4", 0, 14),
        ("P4", 4, 13),
        ("P4", 6, 12),
        ("P5", 0, 20),
        ("P6", 0, 12),
        ("P6", 8, 11),
        ("P6", 12, 10),
        ("P7", 1, 19),
        ("P7", 4, 9),
        ("P7", 10, 4),
    ],
    columns=["patient_id", "week", "score"],
)
registry


# %% grading="answer" grade_id="a05_q2_flags"
def review_flags(scores):
    """Return {patient_id: [reasons]} for the people a case review should discuss."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a05_q2
    flags = {}
    for patient_id, rows in scores.sort_values("week").groupby("patient_id"):
        weeks = list(rows["week"])
        values = list(rows["score"])
        base_week, base = weeks[0], values[0]
        reasons = []
        if not any(base_week < w <= base_week + 4 for w in weeks[1:]):
            reasons.append("no-follow-up-4-weeks")
        latest_week, latest = weeks[-1], values[-1]
        improved = latest < 10 or 2 * (base - latest) >= base
        if latest_week - base_week >= 8 and not improved:
            reasons.append("not-improved-8-weeks")
        if reasons:
            flags[str(patient_id)] = reasons
    return flags
    ### END SOLUTION


# %% grading="tests" grade_id="a05_q2_flags_tests" points=3 competencies="ACGME-SBP ACGME-PBLI IPEC-TT"
"""Does review_flags find missed follow-up and people not improving after 8 weeks?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 2, case-review flags")
checks.that(
    lambda: isinstance(review_flags(registry), dict),
    1,
    "review_flags should return a dict of patient id -> list of reasons.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 3 — A care plan with Ms. Rahman (built in the widget)
#
# *Synthetic case, written for this course.* Aisha Rahman (she/her), 31, is a home health aide
# with two jobs and no paid sick leave. Five months after slipping on a wet floor at a client's
# home, her left knee still aches and feels unsafe on stairs; her X-ray and MRI show a healed
# sprain and no tear. She avoids stairs and kneeling, stopped her physiotherapy exercises when
# they hurt, and her thigh muscles have weakened. She sleeps about five hours. At urgent care she
# was told "it's only a sprain, you're fine" with no plan. Her workers' compensation claim has
# been delayed for three months, she has lost hours and is behind on rent. Her PHQ-9 prorated to
# 15 with item 9 left blank; when asked in person she said she has had fleeting thoughts that
# her family would be better off without her, with no plan or intent, and a same-day risk
# assessment found her at low risk with a safety plan. What matters most to her: getting back to
# full work, sleeping through the night, and being believed. Her sister helps with the children
# and her faith community brings meals.
#
# Build her plan in the care-plan builder below and press **Save** (it saves the answer
# `a05_care_plan`). The builder gives the library's public completeness and quality feedback;
# your saved plan is then graded against what an integrated team would include for her: who is
# on the team, referrals, non-drug interventions, her red flags, how soon you follow up, what
# you measure, and how the plan meets her access barriers. If the widget does not load, build a
# `bpscare.api.CarePlan` in the answer cell and save `plan.to_dict()` with
# `save_answer("a05_care_plan", ..., kind="care_plan")`. Either way, remove the
# `raise NotImplementedError()` line.

# %%
from bpscare.api import care_plan_builder

care_plan_builder(None, answer_name="a05_care_plan", practice=True)

# %% grading="answer" grade_id="a05_q3_care_plan"
from bpscare.api import CarePlan, FollowUp, Referral, SafetyNet, SmartGoal, TeamMember, save_answer

### BEGIN SOLUTION
# LEAK-CANARY a05_q3
rahman_plan = CarePlan(
    goals=(
        SmartGoal.from_parts(
            "Climb the stairs to a client's second-floor apartment",
            "flights of stairs climbed without stopping",
            "two flights",
            "in 8 weeks",
            why="to take back the clients she turned down and restore her income",
            first_step="daily thigh-strengthening exercises from her physical therapist",
        ),
        SmartGoal.from_parts(
            "Sleep through the night",
            "nights a week with 6 or more hours of sleep",
            "5 nights a week",
            "in 6 weeks",
            why="she wakes exhausted and it makes the pain harder to bear",
            first_step="a wind-down routine agreed with the care manager",
        ),
    ),
    team=(
        TeamMember("primary_care_clinician", "Leads the plan and documents the work injury"),
        TeamMember("physical_therapist", "Graded strengthening and stair practice, in steps"),
        TeamMember("social_worker", "Helps with the delayed claim, rent and sick-leave options"),
        TeamMember("behavioral_health_care_manager", "Phone follow-up, PHQ-9, safety plan"),
    ),
    referrals=(
        Referral("physical_therapy", "Weak thigh muscles and fear of stairs after a sprain"),
        Referral("social_work", "Delayed workers' compensation claim and rent arrears"),
    ),
    interventions=("graded_activity", "psychoeducation", "sleep", "social_support"),
    medication=(
        "No opioids. Ibuprofen with food before physical therapy sessions if needed, for up to "
        "four weeks; review at follow-up."
    ),
    safety_net=SafetyNet(
        red_flags=(
            "knee becomes hot, red or swollen, or fever",
            "thoughts of harming herself",
        ),
        what_to_do="Call the clinic the same day for a hot, swollen knee or fever; use the "
        "safety plan and call or text 988 for thoughts of harming herself.",
        escalation="Care manager's direct line on weekdays; 911 for an emergency.",
    ),
    follow_up=FollowUp(2, "phone"),
    measures=("phq9", "functional_goal", "pain_interference"),
    barriers_addressed={
        "work_schedule": "Physical therapy at 7 a.m. before her shifts; phone follow-up.",
        "cost": "Social worker helps with the claim and rent assistance; no-cost exercises.",
        "mistrust": "One named care manager who follows up when she said she would.",
    },
    patient_priorities=("Get back to full work", "Sleep through the night", "Be believed"),
)
save_answer("a05_care_plan", rahman_plan.to_dict(), kind="care_plan")
### END SOLUTION

# %% grading="readonly" grade_id="a05_q3_saved"
# Reads your saved plan (from the builder or the cell above) as plain data for the graded cell.
from bpscare.api import load_answer

rahman_saved_plan = load_answer("a05_care_plan", kind="care_plan")

# %% grading="tests" grade_id="a05_q3_care_plan_tests" points=6 competencies="ACGME-SBP ACGME-PC EPA-09 IPEC-RR IPEC-TT IPEC-C"
"""Does the saved care plan meet the completeness checks and what Ms. Rahman's care needs?"""
from bpscare.api import CarePlan, Checks, check_plan, red_flag_matches


def saved_plan():
    """Rebuild the saved care plan (the widget's answer) as a CarePlan."""
    return CarePlan.from_dict(rahman_saved_plan)


def saved_plan_review():
    """Return the library's completeness and quality review of the saved plan."""
    return check_plan(saved_plan())


def safety_net_names(red_flag):
    """Return True when the saved plan's safety net names ``red_flag`` (red_flag_matches)."""
    return red_flag_matches(list(saved_plan().safety_net.red_flags), red_flag)


checks = Checks(points=6, title="Part 3, Ms. Rahman's care plan")
checks.that(
    lambda: len(saved_plan().goals) > 0,
    1,
    "Save a plan with at least one goal (Save in the builder, or save_answer in the cell).",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown] grading="task" grade_id="a05_q4_reflection" points=3 competencies="ACGME-SBP ACGME-PROF IPEC-VE IPEC-RR"
# ## Part 4 — Reflection (graded by your instructor)
#
# In 150–250 words: at week 8 Ms. Rahman's PHQ-9 has gone from 15 to 12 and she still avoids
# stairs. Using Parts 1 and 2, say what her registry status is and whether the case review
# should discuss her. Then describe how you would bring this to the team and to her: who does
# what next, what you would change in the plan, and how you would keep her trust while saying
# that the plan is not yet working.
#
# Write your answer in the cell below.

# %% [markdown]
# *Write your reflection here.*

# %% [markdown]
# ## Submitting from Binder
#
# When you have finished, save this notebook (Ctrl+S) and press **Prepare my submission**. It
# packs this folder (the notebook and your saved answer files) into a zip with a manifest; upload
# that zip to your course page in the LMS. On JupyterHub, use the Assignments tab instead.

# %%
from bpscare.api import submit_button

submit_button("a05-care-plan")
