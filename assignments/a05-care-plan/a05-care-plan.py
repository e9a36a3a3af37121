# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a05_intro"
# # Assignment 5 — Integrated care: a registry that treats to target, and a care plan
#
# Collaborative care works when a team shares one plan, measures whether it is working, and
# changes course when it is not. In this assignment you read a care manager's registry and decide
# whom the weekly systematic case review should discuss, classify a change in PHQ-9 the way a
# registry does, and build an integrated care plan with Ms. Aisha Rahman, whom you met in
# Assignment 2. No programming is needed: the library does every calculation, and you answer by
# writing letters between quotes, by building the plan in the care-plan builder, and in a short
# written reflection.
#
# | Item | What you do | Format | Points |
# |---|---|---|---|
# | 1 | Decide, for each of seven people in the registry, whether the case review discusses them and why | extended matching | 3.5 |
# | 2 | Classify one person's change in PHQ-9 and choose what follows | single best answer | 1.5 |
# | 3 | Build Ms. Rahman's care plan in the builder and press **Save** | care plan | 8 |
# | 4 | Reflect on her week-8 result with the team and with her | written, rubric | 3 |
#
# **Safety comes first in Item 3.** Two omissions score 0 on the care plan whatever else is right,
# as an unsafe plan would fail a clinical exam station: a plan that does not respond to what she
# told you about thoughts of self-harm, and a first follow-up later than her depression allows.
#
# **Competencies:** ACGME Systems-Based Practice, Practice-Based Learning and Improvement, Patient
# Care, Medical Knowledge, and Interpersonal and Communication Skills; AAMC Core EPA 9
# (collaborate as a member of an interprofessional team) and EPA 10 (recognize a patient who
# needs urgent care and start management); IPEC Roles and Responsibilities, and Teams and
# Teamwork.
#
# **Sources.** Collaborative care principles (patient-centered team care, population-based care
# with a registry, measurement-based treatment to target, evidence-based care, accountable care):
# AIMS Center, University of Washington, "Principles of Collaborative Care", 2011; APA/APM report
# on the Collaborative Care Model, 2016. Outcome definitions — remission: PHQ-9 below 5;
# response: a reduction of at least 50 %; partial response: a reduction of 25 % up to 50 % (ICSI
# adult depression guideline; NCQA HEDIS DRR-E). Care-manager follow-up within 4 weeks, and
# psychiatric consultation at weeks 8–12 for people who have not improved, where "improved"
# means PHQ-9 below 10 or at least a 50 % reduction: Bao et al., *Psychiatr Serv*
# 2016;67:418–424. PHQ-9 15–19 (moderately severe) calls for active treatment with
# pharmacotherapy and/or psychotherapy: Kroenke & Spitzer, *Psychiatr Ann* 2002;32:509–515. Any
# item-9 answer above 0 calls for a suicide-risk assessment at the same visit (Simon et al.,
# *Psychiatr Serv* 2013; FHIR PRO PHQ-9 guidance). Safety planning: Stanley & Brown, *Cogn Behav
# Pract* 2012;19:256–264. The 988 Suicide & Crisis Lifeline (United States: call or text 988).
#
# *PHQ-9: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues,
# with an educational grant from Pfizer Inc. No permission required to reproduce, translate,
# display or distribute.*

# %% [markdown]
# ## How to answer
#
# - **Choice items (1 and 2):** write your letter between the quotes, for example
#   `a05_q2 = "C"`, then run the cell and the check cell below it. The check cell only confirms
#   that your answer can be read; it is scored after you submit.
# - **Item 3:** build the plan in the builder, press **Check plan** as often as you like, then
#   **Save**. Only the saved plan is graded.
# - **Item 4:** write in the cell that says *Write your answer here.*

# %% [markdown]
# ## Part 1 — The registry: who should the case review discuss?
#
# *Synthetic registry, written for this course.* A behavioral health care manager tracks
# everyone in her caseload in a registry of PHQ-9 scores. Each week she, the primary care
# clinician and the psychiatric consultant hold a systematic case review, which works from the
# registry rather than from whoever happens to be on the schedule (AIMS Center: population-based
# care). It is now **week 12** on the clinic's calendar. Each person's first score is their
# baseline, and time is counted from each person's own baseline.
#
# Run the four cells below. The library computes each person's timeline, status (with
# `classify_change` and `registry_status`) and the caseload summary (`treat_to_target_summary`);
# your job is to read them as a clinician would.

# %% grading="readonly" grade_id="a05_registry_data"
# The care manager's registry: one row per PHQ-9, on the clinic's week calendar (synthetic).
import pandas as pd

a05_registry = pd.DataFrame(
    [
        ("R1", 0, 18),
        ("R1", 3, 15),
        ("R1", 8, 14),
        ("R1", 12, 13),
        ("R2", 6, 17),
        ("R3", 0, 22),
        ("R3", 2, 15),
        ("R3", 10, 10),
        ("R4", 7, 14),
        ("R4", 11, 12),
        ("R5", 0, 20),
        ("R5", 8, 11),
        ("R5", 12, 12),
        ("R6", 1, 19),
        ("R6", 4, 9),
        ("R6", 10, 4),
        ("R7", 0, 12),
        ("R7", 4, 10),
        ("R7", 8, 9),
        ("R7", 12, 8),
    ],
    columns=["patient_id", "week", "score"],
).assign(instrument="phq9")

# %% grading="readonly" grade_id="a05_registry_timeline"
# Each person's PHQ-9 scores, counted in weeks from their own baseline (library: patient_trajectory).
from bpscare.api import patient_trajectory


def a05_timeline_row(patient_id):
    """One line per person: scores by week since baseline, and when the first follow-up came."""
    course = patient_trajectory(a05_registry, patient_id)
    weeks = course["weeks_since_baseline"].tolist()
    scores = course["score"].tolist()
    first = f"{weeks[1]:g}" if len(weeks) > 1 else "none yet"
    return {
        "person": patient_id,
        "PHQ-9 by week since baseline": ", ".join(
            f"wk {w:g}: {s:g}" for w, s in zip(weeks, scores, strict=True)
        ),
        "first follow-up (weeks after baseline)": first,
    }


pd.DataFrame([a05_timeline_row(p) for p in sorted(a05_registry["patient_id"].unique())])

# %% grading="readonly" grade_id="a05_registry_status"
# Status as of week 12 (library: registry_status; outcome rules from ICSI / NCQA HEDIS DRR-E).
from bpscare.api import registry_status

a05_status = registry_status(a05_registry, as_of=12)
a05_status[
    [
        "patient_id",
        "baseline_score",
        "latest_score",
        "weeks_in_treatment",
        "percent_change",
        "status",
    ]
].round(1).rename(columns={"percent_change": "percent change (negative = lower)"})

# %% grading="readonly" grade_id="a05_registry_summary"
# The caseload at a glance (library: treat_to_target_summary): how many people in each status.
from bpscare.api import treat_to_target_summary

a05_summary = treat_to_target_summary(a05_status)
a05_summary.loc[a05_summary["outcome"] != "flagged for case review"].round(1)

# %% [markdown]
# ### Item 1 — Extended matching: the case review's list (3.5 points)
#
# For each person R1–R7, choose the **one** option that best states whether this week's
# systematic case review should discuss them, and why. An option may be used once, more than
# once, or not at all. Use the follow-up and improvement benchmarks of collaborative care (Bao et
# al. 2016, in the Sources above).
#
# | Option | Decision |
# |---|---|
# | **A** | Discuss this week: no follow-up contact within 4 weeks of starting care; reach out now |
# | **B** | Discuss this week: 8 or more weeks in care and not improved; psychiatric consultation and a change of treatment |
# | **C** | Discuss this week, for both reasons: the first follow-up came later than 4 weeks, and not improved after 8 or more weeks |
# | **D** | Not this week: improved (PHQ-9 below 10, or at least 50 % below baseline); keep measuring and treating toward remission |
# | **E** | Not this week: followed up within 4 weeks and fewer than 8 weeks in care; keep measuring at each contact |
# | **F** | Take off the registry: the target has been reached, so measurement can stop |

# %% grading="choice" grade_id="a05_q1_choice"
a05_q1_r1 = ""  # one letter, A–F
a05_q1_r2 = ""  # one letter, A–F
a05_q1_r3 = ""  # one letter, A–F
a05_q1_r4 = ""  # one letter, A–F
a05_q1_r5 = ""  # one letter, A–F
a05_q1_r6 = ""  # one letter, A–F
a05_q1_r7 = ""  # one letter, A–F

# %% grading="tests" grade_id="a05_q1_tests" points=3.5 format="extended-matching" competencies="ACGME-PBLI ACGME-SBP"
"""Item 1: whom the systematic case review should discuss, and why."""
from bpscare.api import Checks, ChoiceError, read_choice


def a05_q1_read():
    """Read the seven matches; a blank or unreadable one names its person."""
    written = {
        "R1": a05_q1_r1,
        "R2": a05_q1_r2,
        "R3": a05_q1_r3,
        "R4": a05_q1_r4,
        "R5": a05_q1_r5,
        "R6": a05_q1_r6,
        "R7": a05_q1_r7,
    }
    matches = {}
    for person, text in written.items():
        try:
            matches[person] = read_choice(text, "ABCDEF")
        except ChoiceError as exc:
            raise ChoiceError(f"{person}: {exc}") from None
    return matches


checks = Checks(points=3.5, title="Item 1, the case review's list", after_submit=3.5)
a05_q1_matches = checks.answer(a05_q1_read)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ### Item 2 — Single best answer: what does this change mean? (1.5 points)
#
# Mr. Samuel Adeyemi, 58, a school bus driver in the same registry, started collaborative care
# with a PHQ-9 of **20**. At week 10 his PHQ-9 is **10**. He says he is sleeping better and has
# gone back to his Sunday choir. Which statement is right?
#
# - **A.** Remission: a score of 10 is no longer in the moderately severe range, so the target is
#   met.
# - **B.** Response but not remission: a reduction of exactly 50 % counts as response; keep
#   treating and measuring until his PHQ-9 is below 5.
# - **C.** Partial response: a reduction has to be more than 50 % to count as response, so his
#   treatment should be changed now.
# - **D.** No response: a score of 10 is still at the screening cut-off, so nothing has changed.
# - **E.** Response: the target is reached, so the care manager can stop repeating the PHQ-9.

# %% grading="choice" grade_id="a05_q2_choice"
a05_q2 = ""  # one letter, A–E

# %% grading="tests" grade_id="a05_q2_tests" points=1.5 format="single-best-answer" competencies="ACGME-PBLI ACGME-MK"
"""Item 2: classifying a change in PHQ-9 (remission, response, partial response)."""
from bpscare.api import Checks, read_choice

checks = Checks(points=1.5, title="Item 2, what this change means", after_submit=1.5)
a05_q2_chosen = checks.answer(lambda: read_choice(a05_q2, "ABCDE"))
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 2 — A care plan with Ms. Rahman (built in the widget)
#
# *Synthetic case, written for this course.* Aisha Rahman (she/her), 31, is a home health aide
# with two jobs and no paid sick leave; she lives with her two children, aged 3 and 8. Five
# months after slipping on a wet floor at a client's home, her left knee still aches and feels
# unsafe on stairs; her X-ray and MRI show a healed sprain and no tear. She avoids stairs and
# kneeling, so she has turned down clients in walk-up buildings. She stopped her physiotherapy
# exercises after two weeks because they hurt, and her thigh muscles have weakened. She sleeps
# about five hours. At urgent care she was told "it's only a sprain, you're fine" and sent home
# with no plan. Her workers' compensation claim has been delayed for three months; she has lost
# hours and is behind on rent.
#
# Her PHQ-9 today prorates to **15** (moderately severe) with item 9 left blank. When you asked
# her in person, she said that on several days she has had fleeting thoughts that her family
# would be better off without her, with no plan or intent. A same-day risk assessment found her
# at low risk, and you made a safety plan together before she left. She agreed to start
# collaborative care.
#
# What matters most to her, in her words: "getting back to full work", "sleeping through the
# night" and "being believed". Her sister helps with the children, and her faith community
# brings meals.
#
# ### Item 3 — Care plan (8 points)
#
# Build her plan in the care-plan builder below, with her: what matters to her, at least one
# SMART goal, who is on the team and what each person does, referrals, treatment, her warning
# signs with what to do, when and how the next contact happens, what you will measure, and how
# the plan meets her access barriers. **Check plan** gives the library's general completeness
# feedback (it does not know this case); then press **Save**, which saves the answer
# `a05_care_plan` next to this notebook. The saved plan is graded against what an integrated
# team would do for her, with the two safety gates described at the top.

# %%
from bpscare.api import care_plan_builder

care_plan_builder(None, answer_name="a05_care_plan", assignment="a05-care-plan", practice=True)

# %% grading="tests" grade_id="a05_q3_care_plan_tests" points=8 format="care-plan" competencies="ACGME-PC ACGME-SBP EPA-09 EPA-10 IPEC-RR IPEC-TT"
"""Item 3: Ms. Rahman's care plan, as saved from the builder."""
from bpscare.api import CarePlan, Checks, submitted_answer

checks = Checks(points=8, title="Item 3, Ms. Rahman's care plan", after_submit=8)
a05_plan = checks.answer(
    lambda: CarePlan.from_dict(
        submitted_answer("a05_care_plan", kind="care_plan", assignment="a05-care-plan")
    )
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 3 — Reflection
#
# The library classifies Ms. Rahman's PHQ-9 at week 8 of collaborative care (run the cell).

# %% grading="readonly" grade_id="a05_rahman_week8"
from bpscare.api import classify_change

print("Ms. Rahman, PHQ-9 at baseline 15, at week 8 12:", classify_change(15, 12))

# %% [markdown] grading="task" grade_id="a05_q4_reflection" points=3 format="rubric" competencies="ACGME-PBLI ACGME-SBP ACGME-ICS IPEC-RR"
# ### Item 4 — Reflection (graded by your instructor, 3 points)
#
# In 150–250 words: at week 8 Ms. Rahman's PHQ-9 has gone from 15 to 12, and she still avoids
# stairs. Say what her registry status is and whether the case review should discuss her, using
# the benchmarks from Part 1. Then describe how you would bring this to the team and to her: who
# does what next, what you would change in the plan, and how you would keep her trust while
# telling her that the plan is not yet working.

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Submitting from Binder
#
# When you have finished, save this notebook (Ctrl+S) and press **Prepare my submission**. It
# packs this folder (the notebook and your saved answer files) into a zip with a manifest; upload
# that zip to your course page in the LMS. On JupyterHub, use the Assignments tab instead.

# %%
from bpscare.api import submit_button

submit_button("a05-care-plan")
