# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a02_intro"
# # Assignment 2 — A biopsychosocial assessment of persistent knee pain
#
# A biopsychosocial assessment asks what is happening in the body, in the person's thoughts and
# feelings, and in their life and their care, and how those strands keep one another going.
# In this assignment you meet Ms. Aisha Rahman, a person who exists only in this assignment. You
# will not write any code: you run the cells that are already written, and you answer by
# writing letters between quotes, by placing findings in a grid widget, and in a short written
# answer.
#
# | Item | What you do | Format | Points |
# |---|---|---|---|
# | 1 | Choose the critical actions today after a PHQ-9 with a gap | key features | 4 |
# | 2 | Place her 14 findings in the 4P × biopsychosocial grid | grid, scored against a panel | 6 |
# | 3 | Put today's problem list in order of priority | ordering | 3 |
# | 4 | Explain persisting pain to her, in writing | short answer, rubric | 3 |
#
# **Competencies:** ACGME Patient Care and Medical Knowledge; AAMC Core EPA 1 (gather and
# organize a history: the formulation), EPA 2 (prioritize: the problem list), EPA 3 (interpret
# a screening test) and EPA 10 (recognize a person who needs an urgent safety assessment: the
# blank item 9); ACGME Interpersonal and Communication Skills and Professionalism for the
# written answer.
#
# **Sources.** Biopsychosocial model: Engel, *Science* 1977;196:129–136. The 4P grid and its
# four questions (why vulnerable? why now? why still? why not worse?): Bolton, *Philos Psychiatr
# Psychol* 2014;21:179–189, and PsychDB, "Biopsychosocial case formulation". PHQ-9: Kroenke,
# Spitzer & Williams, *J Gen Intern Med* 2001;16:606–613 (cut points 5, 10, 15, 20); proposed
# actions by band: Kroenke & Spitzer, *Psychiatric Annals* 2002;32:509–515, Table 4. Prorating
# one or two missing PHQ-9 items: Arrieta et al. 2017, as implemented in the qscorer package.
# Item 9: any response other than "Not at all" calls for a same-visit suicide-risk assessment
# (Simon et al., *Psychiatr Serv* 2013;64:1195–1202); a blank item 9 rules nothing out and is
# asked in person. Follow-up within 4 weeks in collaborative care for depression: Bao et al.,
# *Psychiatr Serv* 2016;67:418–424. Key-feature items: Page & Bordage, *Acad Med*
# 1995;70:104–110; panel (aggregate) scoring: Charlin et al., *Teach Learn Med*
# 2000;12:189–195.
#
# *PHQ-9: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues,
# with an educational grant from Pfizer Inc. No permission required to reproduce, translate,
# display or distribute.*

# %% [markdown]
# ## Meet Ms. Rahman
#
# *Synthetic case, written for this assignment; any resemblance to a real person is
# coincidental.*
#
# Aisha Rahman (she/her) is a 31-year-old home health aide in a large city. Her family came to
# the United States from Bangladesh when she was a child; she speaks English and Bengali. She
# has Medicaid, works for two home-care agencies, and lives with her two children, aged 3 and 8.
#
# Five months ago she slipped on a wet floor at a client's home and sprained her left knee. At
# urgent care she was told "it's only a sprain, you're fine" and was sent home without a plan.
# The knee still aches every day and feels as if it might give way on stairs. An X-ray and an MRI
# last month showed a healed sprain and no tear. She has had very flexible joints and frequent
# sprains since childhood. She grew up watching her mother live with pain that was never treated,
# and she believes that pain always means something is being damaged.
#
# She now avoids stairs and kneeling, so she has turned down clients who live in walk-up
# buildings. She stopped the physiotherapy exercises after two weeks because they hurt, and her
# thigh muscles have weakened. She sleeps about five hours, woken by the knee and by her
# youngest child. Her workers' compensation claim has been delayed for three months; she has
# lost work hours and is behind on rent. She does both jobs with no paid sick leave.
#
# She wants to get back to full work, and she did her first physiotherapy exercises faithfully.
# Her sister helps with the children, and her faith community has been bringing meals.
#
# Today she filled in a PHQ-9 in the waiting room and left item 9 blank. Her answers and her
# fourteen findings are in the cell below: run it.

# %% grading="readonly" grade_id="a02_case_data"
# Ms. Rahman's PHQ-9 answers in form order (item 9 was left blank) and her findings.
rahman_phq9 = [2, 1, 3, 2, 1, 1, 2, 1, None]
rahman_findings = {
    "f-flexible-joints": "Very flexible joints and frequent sprains since childhood",
    "f-pain-means-damage": "Believes pain always means damage, after her mother's untreated pain",
    "f-no-sick-leave": "Works two home-care jobs with no paid sick leave",
    "f-fall-at-work": "Slipped on a wet floor at a client's home five months ago",
    "f-short-sleep": "Sleeps about five hours, woken by the knee and her youngest child",
    "f-weak-thighs": "Thigh muscles have weakened since she stopped the exercises",
    "f-avoids-stairs": "Avoids stairs and kneeling for fear of damaging the knee",
    "f-fears-giving-way": "Worries every day that the knee will give way at work",
    "f-told-only-sprain": "Told at urgent care 'it's only a sprain, you're fine', with no plan",
    "f-claim-delayed": "Her workers' compensation claim has been delayed for three months",
    "f-lost-hours-rent": "Has lost work hours and is behind on rent",
    "f-healed-on-mri": "X-ray and MRI show a healed sprain and no tear",
    "f-wants-to-work": "Wants to get back to full work and did her first exercises faithfully",
    "f-family-faith": "Her sister helps with the children; her faith community brings meals",
}
print(f"{len(rahman_findings)} findings; PHQ-9 answers: {rahman_phq9}")

# %% [markdown]
# ## Item 1 — A PHQ-9 with a gap (key features, 4 points)
#
# Run the cell below. The library scores her PHQ-9: with one or two items unanswered it
# prorates the total (the answered items' sum × 9 ÷ the number answered, rounded), so the
# blank is not counted as 0 (Arrieta et al. 2017; qscorer). The bands are 0–4 minimal, 5–9 mild,
# 10–14 moderate, 15–19 moderately severe and 20–27 severe (Kroenke et al. 2001).

# %% grading="readonly" grade_id="a02_q1_score"
from bpscare.api import score_screener

rahman_score = score_screener("phq9", rahman_phq9)
print(f"PHQ-9 total: {rahman_score.total} of {rahman_score.max_total} ({rahman_score.band})")
print(f"Unanswered item(s): {', '.join(str(i) for i in rahman_score.missing_items) or 'none'}")
print("The total was prorated." if rahman_score.prorated else "No item was missing.")
print(f"Answered items add up to {sum(r for r in rahman_phq9 if r is not None)} over 8 items.")

# %% [markdown]
# Ms. Rahman is in the room with you, with twenty minutes of the visit left. She came about her
# knee, and she has not mentioned her mood. **Which actions are critical for her today?**
# Choose **up to three** (choosing more than three scores 0, as in a key-feature exam).
#
# - **A.** Tell her that the score shows depression is causing her knee pain.
# - **B.** Record the blank item 9 as 0 ("not at all"), so the total needs no prorating.
# - **C.** Ask her item 9 yourself, in person, before she leaves today, and act on her answer.
# - **D.** Order a repeat MRI of the knee to reassure her.
# - **E.** Confirm the positive screen with a diagnostic interview for depression, and talk
#   through active treatment options with her.
# - **F.** Give her a new PHQ-9 to fill in at home and bring to her next visit.
# - **G.** Arrange her next contact about her mood within 4 weeks (by phone or in person) and
#   repeat the PHQ-9 then.
# - **H.** Arrange an emergency transfer for psychiatric evaluation today because the total is
#   15 or more.
# - **I.** Review her mood at her routine visit in three months.
#
# Write your letters between the quotes, for example `a02_q1 = "X, Y"`, and run the cell.

# %% grading="choice" grade_id="a02_q1_choice"
a02_q1 = ""  # up to three letters from A-I, separated by commas

# %% grading="tests" grade_id="a02_q1_tests" points=4 format="key-feature" competencies="ACGME-PC ACGME-MK EPA-03 EPA-10"
"""Item 1: the critical actions for Ms. Rahman today, after a PHQ-9 with item 9 blank."""
from bpscare.api import Checks, read_choices

checks = Checks(points=4, title="Item 1, critical actions today", after_submit=4)
chosen = checks.answer(lambda: read_choices(a02_q1, "ABCDEFGHI"))
if chosen is not None:
    print(f"Your choices: {', '.join(chosen)} ({len(chosen)} of up to 3).")
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Item 2 — Ms. Rahman's formulation (grid widget, 6 points)
#
# Place each of Ms. Rahman's fourteen findings in the cell where it does its work, asking
# Bolton's four questions of each: did it make her vulnerable before the fall (*predisposing*:
# why vulnerable?), trigger this episode (*precipitating*: why now?), keep the pain and
# disability going (*perpetuating*: why still?), or limit the problem (*protective*: why not
# worse?). Then choose the domain: her body (*biological*), her thoughts and feelings
# (*psychological*), or her relationships, work, money and care (*social*).
#
# Put each finding in the **one** cell where it does its most work: a finding placed in several
# cells earns the average of those cells. Every finding belongs somewhere, strengths included.
#
# **How it is scored.** There is no single right grid. Your grid is compared with an
# illustrative reference panel: twelve placements of each finding, written by the course
# authors to reflect how clinicians differ (not a published panel). For each finding you earn
# full credit for the cell the panel chose most often, and partial credit for a cell it chose
# less often (the panel's count in your cell ÷ the count in its most-chosen cell, as in
# script-concordance scoring; Charlin et al. 2000). A defensible placement that differs from
# the majority still earns credit; a placement no panel member made earns none for that
# finding. The feedback names the findings to look at again and the question to ask of each,
# not where the panel put them.
#
# Build the grid in the widget below and press **Save** (it saves the answer `a02_formulation`
# next to this notebook). Run the graded cell after it to check that your grid was saved.

# %%
# The grid builder: it shows Ms. Rahman's findings from the case cell. "Check my grid" gives
# structural feedback only (it never sees the panel). Press Save when you are done.
from types import SimpleNamespace

from bpscare.api import FormulationGridView

rahman_case = SimpleNamespace(
    title="Aisha Rahman: knee pain five months after a fall at work",
    summary="Place each of her fourteen findings in the cell where it does its work.",
    findings=[SimpleNamespace(id=key, text=text) for key, text in rahman_findings.items()],
    findings_by_id=lambda: dict(rahman_findings),
)
FormulationGridView(
    "a02-rahman",
    answer_name="a02_formulation",
    assignment="a02-bps-assessment",
    practice=True,
    load=lambda _id: rahman_case,
)

# %% grading="tests" grade_id="a02_q2_grid_tests" points=6 format="panel-grid" competencies="ACGME-PC ACGME-MK EPA-01"
"""Item 2: where each of Ms. Rahman's findings does its work, scored against a panel."""
from bpscare.api import DOMAINS, FOUR_PS, Checks, Formulation, submitted_answer

checks = Checks(points=6, title="Item 2, Ms. Rahman's formulation", after_submit=6)
saved_grid = checks.answer(
    lambda: Formulation.from_dict(
        submitted_answer("a02_formulation", kind="formulation", assignment="a02-bps-assessment")
    )
)
# Each finding with the cells ("p|domain") where your saved grid places it.
placed = {}
if saved_grid is not None:
    for p in FOUR_PS:
        for domain in DOMAINS:
            for finding in sorted(saved_grid.cell(p, domain)):
                placed.setdefault(finding, []).append(f"{p}|{domain}")
    checks.gate(
        lambda: bool(set(placed) & set(rahman_findings)),
        "The saved grid places none of Ms. Rahman's findings: place them in the widget and "
        "press Save.",
    )
    print(f"Your saved grid places {len(set(placed) & set(rahman_findings))} of 14 findings.")
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Item 3 — Today's problem list, in order (ordering, 3 points)
#
# You have the rest of today's visit with Ms. Rahman and will see her again. Put these six
# items of today's problem list in the order you would take them up **today**, most urgent
# first. Every item must appear once.
#
# - **A.** Her delayed workers' compensation claim, lost hours and rent arrears.
# - **B.** Her short, broken sleep (about five hours a night).
# - **C.** The item 9 she left blank on today's PHQ-9.
# - **D.** Ordering a repeat MRI of the knee (last month's MRI showed a healed sprain).
# - **E.** Her knee pain and function: restarting physiotherapy at a dose she can manage, with
#   a graded plan back to stairs and full work.
# - **F.** Her depressive symptoms (prorated PHQ-9 of 15): a diagnostic interview and a talk
#   about treatment.
#
# Write the six letters in order, for example `a02_q3 = "X, Y, Z, U, V, W"`, and run the cell.

# %% grading="choice" grade_id="a02_q3_choice"
a02_q3 = ""  # all six letters A-F, most urgent first

# %% grading="tests" grade_id="a02_q3_tests" points=3 format="ordering" competencies="ACGME-PC EPA-02"
"""Item 3: Ms. Rahman's problem list for today, in order of priority."""
from bpscare.api import Checks, read_order

checks = Checks(points=3, title="Item 3, today's priorities", after_submit=3)
order = checks.answer(lambda: read_order(a02_q3, "ABCDEF"))
if order is not None:
    print(f"Your order: {' > '.join(order)}.")
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown] grading="task" grade_id="a02_q4_reflection" points=3 format="rubric" competencies="ACGME-ICS ACGME-PROF ACGME-PC"
# ## Item 4 — What you would say to her (graded by your instructor, 3 points)
#
# Ms. Rahman tells you: "The last doctor said it was only a sprain. Now my MRI is normal, so
# everyone will think I'm making it up." In 150–250 words, write what you would say to her to
# explain, in plain words, how the findings in your perpetuating row can keep real pain going
# after the tissue has healed, without suggesting that the pain is imagined. Name one part of
# her plan that would address a *social* perpetuating factor, and say how you would follow up
# on the item-9 question she left blank.
#
# Your instructor marks it with an analytic rubric: explaining persisting pain without
# implying it is imagined (1 point), a concrete step for a social perpetuating factor (1 point),
# and following up the blank item 9 safely and respectfully (1 point).
#
# Write your answer in the cell below.

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

submit_button("a02-bps-assessment")
