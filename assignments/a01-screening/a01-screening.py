# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a01_intro"
# # Assignment 1 — Interpreting depression and anxiety screeners with care
#
# Screeners such as the PHQ-9 and GAD-7 help a clinician notice distress that a person may not
# volunteer, and they let a team measure change over time. They do not make a diagnosis, and a
# score never replaces listening. In this assignment the course library scores the screeners;
# **you interpret them**: what each result calls for next, what a screen can and cannot tell,
# and the one rule that never waits, the PHQ-9 item-9 safety question. You write no code: run
# the grey cells, then answer each item by writing letters or a number between the quotes.
#
# **What is graded (13 points).**
#
# | Item | Format | Points |
# |---|---|---|
# | 1. Next step after each score | extended matching | 3 |
# | 2. Item 9 answered with a low total | key features | 3 |
# | 3. Item 9 left blank | single best answer | 1 |
# | 4. How new information changes a hypothesis | script concordance | 2 |
# | 5. What a screen can and cannot tell | single best answer | 1 |
# | 6. Introducing the screeners to Ms. Rivera | short text, marked with a rubric | 3 |
#
# Some choices are **safety gates**: a choice that would let a person at risk leave without a
# same-visit assessment, or that delays follow-up of moderately severe depression beyond four
# weeks, scores 0 on its item whatever else is right (as a "killer item" does in a clinical
# exam).
#
# **Competencies:** ACGME Medical Knowledge and Patient Care; AAMC Core EPA 3 (recommend and
# interpret common diagnostic and screening tests) and EPA 10 (recognize a patient requiring
# urgent or emergent care and initiate evaluation and management); ACGME Interpersonal and
# Communication Skills and Professionalism for the written task.
#
# **Sources.** PHQ-9: Kroenke, Spitzer & Williams, *J Gen Intern Med* 2001;16:606–613 (cut points
# 5, 10, 15, 20; a total of 10 or more had 88 % sensitivity and 88 % specificity for major
# depression). Proposed actions by band: Kroenke & Spitzer, *Psychiatric Annals* 2002;32:509–515,
# Table 4. GAD-7: Spitzer, Kroenke, Williams & Löwe, *Arch Intern Med* 2006;166:1092–1097 (cut
# points 5, 10, 15; 10 or more: 89 % sensitivity, 82 % specificity for generalized anxiety
# disorder); a GAD-7 of 10 or more also detects panic, social anxiety and PTSD (Kroenke et al.,
# *Gen Hosp Psychiatry* 2010;32:345–359). Missing items: a PHQ-9 is prorated when no more than two
# items are missing (Arrieta et al. 2017, as implemented in the qscorer package). Item 9: any
# response other than "Not at all" calls for a same-visit suicide-risk assessment, whatever the
# total (Simon et al., *Psychiatr Serv* 2013; Louzon et al., *Psychiatr Serv* 2016). Follow-up
# within 4 weeks: "Unpacking Collaborative Care for Depression", *Psychiatr Serv*, doi
# 10.1176/appi.ps.201400577. Diagnosis of a major depressive episode: by clinical assessment
# against the DSM-5 criteria (American Psychiatric Association, 2013). Item formats: Case &
# Swanson, NBME 2002 (extended matching); Page & Bordage, *Acad Med* 1995;70:104–110 (key
# features); Charlin et al., *Teach Learn Med* 2000;12:189–195 (script concordance).
#
# *PHQ-9 and GAD-7: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and
# colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce,
# translate, display or distribute.*
#
# All people in this assignment are synthetic.

# %% [markdown]
# ## How the library scores the PHQ-9 and GAD-7 (for reference)
#
# Each PHQ-9 item is answered 0 ("Not at all"), 1 ("Several days"), 2 ("More than half the
# days") or 3 ("Nearly every day") for the last 2 weeks; the total runs from 0 to 27. Bands:
# 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe; 10 or more is a
# positive screen (Kroenke 2001). Item 10 (how difficult the problems have made daily life) is
# asked but not added to the total. When one or two items are skipped, the total is *prorated*
# (the answered items' sum × 9 ÷ the number answered, rounded to a whole number); with three or
# more skipped, no total can be given (Arrieta et al. 2017). The GAD-7 has seven items scored the
# same way (0–21): 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe, and 10 or more calls for
# further evaluation (Spitzer 2006).
#
# ## Item 1 — What each result calls for next (extended matching, 3 points)
#
# Run the cell below. The library scores five people's screeners from this morning's clinic and
# shows them as a table; you do not need to read the code.

# %% grading="readonly" grade_id="a01_q1_data"
import pandas as pd

from bpscare.api import score_screener

clinic = {
    "1. Mr. Amadou Diallo, 58": ("phq9", [2, 2, 1, 2, 1, 2, 1, None, 0]),
    "2. Ms. Hana Kobayashi, 29": ("phq9", [1, 2, None, 1, None, None, 1, 0, 0]),
    "3. Ms. Lucía Rivera, 41": ("gad7", [2, 2, 1, 2, 1, 1, 2]),
    "4. Mr. Tomasz Nowak, 66": ("phq9", [2, 2, 2, 2, 2, 2, 2, 3, 0]),
    "5. Ms. Aisha Rahman, 35": ("phq9", [1, 1, 1, 1, 1, 1, 1, 0, 0]),
}


def screener_row(person, name, answers):
    """One table row: the library's score, or why no total can be given."""
    row = {"person": person, "screener": {"phq9": "PHQ-9", "gad7": "GAD-7"}[name]}
    row["items skipped"] = sum(a is None for a in answers)
    try:
        result = score_screener(name, answers)
    except ValueError:
        row.update(total="cannot be totalled", band="—", prorated="—", positive="—")
    else:
        row.update(
            total=result.total,
            band=result.band,
            prorated="yes" if result.prorated else "no",
            positive="yes" if result.positive else "no",
        )
    if name == "phq9":
        item9 = answers[8]
        row["item 9 answer"] = "not answered" if item9 is None else item9
    else:
        row["item 9 answer"] = "(no item 9)"
    return row


pd.DataFrame([screener_row(p, n, a) for p, (n, a) in clinic.items()]).set_index("person")

# %% [markdown]
# ("positive" means at or above the screening cut point of 10.)
#
# **Options** (each may be used once, more than once, or not at all):
#
# - **A.** No depression treatment is proposed on the score alone; stay alert to other concerns
#   the person raises.
# - **B.** Watchful waiting; repeat the PHQ-9 at follow-up.
# - **C.** Use the total as it stands and make a treatment plan together, considering
#   counselling, follow-up and/or medication.
# - **D.** Active treatment with medication and/or psychotherapy, with the next contact within
#   4 weeks.
# - **E.** Active treatment with medication and/or psychotherapy, reviewed at the routine
#   3-month visit.
# - **F.** Report no total: go through the skipped items with the person before interpreting
#   anything.
# - **G.** Count each skipped item as 0 ("Not at all") and interpret the total in its band.
# - **H.** A positive anxiety screen: assess further for an anxiety disorder (generalized anxiety,
#   panic, social anxiety, PTSD), while the assessment of the physical symptoms continues.
# - **I.** Tell the person the screen shows generalized anxiety disorder and that the physical
#   symptoms are explained by anxiety.
# - **J.** The total cannot be used until the skipped item is answered: ask the person to fill
#   in the whole form again.
# - **K.** Start medication at once and, with severe impairment or poor response, refer promptly
#   to a mental health specialist or collaborative care.
#
# For each person, write the **one best** option letter.

# %% grading="choice" grade_id="a01_q1_choice"
a01_q1_diallo = ""  # 1. Mr. Diallo, one letter
a01_q1_kobayashi = ""  # 2. Ms. Kobayashi, one letter
a01_q1_rivera = ""  # 3. Ms. Rivera, one letter
a01_q1_nowak = ""  # 4. Mr. Nowak, one letter
a01_q1_rahman = ""  # 5. Ms. Rahman, one letter

# %% grading="tests" grade_id="a01_q1_tests" points=3 format="extended-matching" competencies="ACGME-MK ACGME-PC EPA-03"
"""Item 1: the next step that each library-scored result calls for."""
from bpscare.api import Checks, ChoiceError, read_choice

a01_q1_options = "ABCDEFGHIJK"


def a01_q1_read():
    """Read the five letters; a blank or unreadable line names its person."""
    lines = {
        "Mr. Diallo": a01_q1_diallo,
        "Ms. Kobayashi": a01_q1_kobayashi,
        "Ms. Rivera": a01_q1_rivera,
        "Mr. Nowak": a01_q1_nowak,
        "Ms. Rahman": a01_q1_rahman,
    }
    read = {}
    for person, value in lines.items():
        try:
            read[person] = read_choice(value, a01_q1_options)
        except ChoiceError as exc:
            raise ChoiceError(f"{person}: {exc}") from None
    return read


checks = Checks(points=3, title="Item 1, next step after each score", after_submit=3)
a01_q1_matched = checks.answer(a01_q1_read)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Item 2 — Item 9 with a low total (key features, 3 points)
#
# Mr. Daniel Okafor, 34, a warehouse supervisor, is at a follow-up visit for a sprained wrist.
# The clinic asks everyone to complete a PHQ-9 in the waiting room. He is quiet today and says
# work has been "a lot lately". Run the cell to see the library's score of his form.

# %% grading="readonly" grade_id="a01_q2_data"
okafor_answers = [1, 1, 1, 1, 0, 1, 0, 0, 1]
okafor = score_screener("phq9", okafor_answers)
pd.DataFrame(
    [
        {
            "person": "Mr. Daniel Okafor, 34",
            "total": okafor.total,
            "band": okafor.band,
            "positive (10 or more)": "yes" if okafor.positive else "no",
            "item 9 answer": okafor_answers[8],
        }
    ]
).set_index("person")

# %% [markdown]
# Item 9 asks about "thoughts that you would be better off dead or of hurting yourself in some
# way"; an answer of 1 means "several days".
#
# Choose **up to three** actions that are critical for Mr. Okafor **today** (choosing more than
# three scores 0, as in a key-feature examination):
#
# - **A.** Before he leaves today, carry out a structured suicide-risk assessment (for example
#   the Columbia Suicide Severity Rating Scale, C-SSRS), starting with a private, direct and calm
#   question about the thoughts he reported.
# - **B.** Note the item-9 answer and wait until his total reaches 10 before assessing risk,
#   because a mild total makes item 9 less urgent.
# - **C.** Act on what the assessment finds before he leaves: agree with him a plan for what to
#   do and whom to contact if the thoughts get worse, and arrange a same-day urgent evaluation if
#   the risk is high.
# - **D.** Start an antidepressant today because item 9 was endorsed.
# - **E.** Record his item-9 answer and the assessment, and arrange his next contact with the
#   care team so that someone follows it up.
# - **F.** Give him a leaflet about stress at work and re-screen with the PHQ-9 in 3 months.
# - **G.** Ask him to complete the PHQ-9 again now, to check whether he ticked item 9 by mistake.
# - **H.** Order thyroid function tests to look for a medical cause of his low mood.

# %% grading="choice" grade_id="a01_q2_choice"
a01_q2 = ""  # up to three letters, e.g. "B, E"

# %% grading="tests" grade_id="a01_q2_tests" points=3 format="key-feature" competencies="ACGME-PC EPA-10"
"""Item 2: the critical actions for Mr. Okafor today."""
from bpscare.api import Checks, read_choices

checks = Checks(points=3, title="Item 2, critical actions today", after_submit=3)
a01_q2_chosen = checks.answer(lambda: read_choices(a01_q2, "ABCDEFGH"))
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Item 3 — Item 9 left blank (single best answer, 1 point)
#
# Ms. Elena Petrova, 47, has come in for her blood-pressure review. She handed back her PHQ-9
# with item 9 left blank and every other item answered. Run the cell to see the library's score.

# %% grading="readonly" grade_id="a01_q3_data"
petrova = score_screener("phq9", [1, 1, 1, 1, 1, 1, 1, 1, None])
pd.DataFrame(
    [
        {
            "person": "Ms. Elena Petrova, 47",
            "total": petrova.total,
            "band": petrova.band,
            "prorated": "yes" if petrova.prorated else "no",
            "items skipped": ", ".join(f"item {n}" for n in petrova.missing_items),
        }
    ]
).set_index("person")

# %% [markdown]
# What is the best next step about item 9 today?
#
# - **A.** None: the total was prorated, so the skipped item has already been accounted for.
# - **B.** Ask her item 9 in person before she leaves today, and if her answer is anything other
#   than "Not at all", carry out a suicide-risk assessment at this visit.
# - **C.** Record item 9 as 0, because people usually skip items that do not apply to them.
# - **D.** Post her a new PHQ-9 to complete at home and review it at her next routine visit.
# - **E.** Use the PHQ-8 for her from now on, so that item 9 is no longer needed.

# %% grading="choice" grade_id="a01_q3_choice"
a01_q3 = ""  # one letter

# %% grading="tests" grade_id="a01_q3_tests" points=1 format="single-best-answer" competencies="ACGME-PC EPA-10"
"""Item 3: an unanswered item 9."""
from bpscare.api import Checks, read_choice

checks = Checks(points=1, title="Item 3, item 9 left blank", after_submit=1)
a01_q3_chosen = checks.answer(lambda: read_choice(a01_q3, "ABCDE"))
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Item 4 — How new information changes a hypothesis (script concordance, 2 points)
#
# Ms. Grace Adeyemi, 52, a school librarian, mentions poor sleep and low energy at a routine
# visit. The library scores her PHQ-9 from today:

# %% grading="readonly" grade_id="a01_q4_data"
adeyemi = score_screener("phq9", [2, 2, 2, 2, 1, 2, 1, 0, 0])
adeyemi_later = score_screener("phq9", [1, 1, 0, 1, 0, 1, 0, 0, 0])
pd.DataFrame(
    [
        {"PHQ-9": "today", "total": adeyemi.total, "band": adeyemi.band},
        {
            "PHQ-9": "two weeks later (item b)",
            "total": adeyemi_later.total,
            "band": adeyemi_later.band,
        },
    ]
).set_index("PHQ-9")

# %% [markdown]
# Each question below is separate: it adds **one** new piece of information to the case as
# described above. Judge how the new information changes the hypothesis, on the scale
#
# **−2** much less likely · **−1** less likely · **0** neither more nor less likely ·
# **+1** more likely · **+2** much more likely.
#
# There is often more than one defensible answer: your answer is compared with how a panel of
# experienced clinicians answered.
#
# **(a)** If you were thinking of **major depressive disorder**, and you then learn that her
# symptoms began only six days ago, after her brother died, this hypothesis becomes …
#
# **(b)** If you were thinking of **major depressive disorder**, and you then learn that her
# PHQ-9 two weeks later, with no treatment started, is the one shown in the table above, this
# hypothesis becomes …
#
# Write each answer as one of "-2", "-1", "0", "+1", "+2".

# %% grading="choice" grade_id="a01_q4_choice"
a01_q4a = ""  # (a): one of "-2", "-1", "0", "+1", "+2"
a01_q4b = ""  # (b): one of "-2", "-1", "0", "+1", "+2"

# %% grading="tests" grade_id="a01_q4_tests" points=2 format="script-concordance" competencies="ACGME-MK EPA-03"
"""Item 4: how new information changes the hypothesis of major depressive disorder."""
from bpscare.api import SCT_SCALE, Checks, ChoiceError, read_choice


def a01_q4_read(part, value):
    """Read one judgment on the -2..+2 scale; a blank or unreadable line names its part."""
    try:
        return read_choice(value, SCT_SCALE)
    except ChoiceError as exc:
        raise ChoiceError(f"({part}) {exc}") from None


checks = Checks(points=2, title="Item 4, script concordance", after_submit=2)
a01_q4_a = checks.answer(lambda: a01_q4_read("a", a01_q4a))
a01_q4_b = checks.answer(lambda: a01_q4_read("b", a01_q4b))
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Item 5 — What a screen can and cannot tell (single best answer, 1 point)
#
# Mr. Diallo's prorated PHQ-9 total (Item 1) is above the cut point of 10. In the original
# validation study, a PHQ-9 of 10 or more had 88 % sensitivity and 88 % specificity for major
# depression (Kroenke, Spitzer & Williams, *J Gen Intern Med* 2001;16:606–613). Which statement
# is best?
#
# - **A.** He has major depression: the PHQ-9 has confirmed the diagnosis.
# - **B.** There is an 88 % chance that he has major depression.
# - **C.** The screen is positive; a clinical assessment (how long the symptoms have lasted, how
#   they affect his life, and other explanations such as a medical condition, medication or
#   grief) decides whether he has major depression.
# - **D.** Had his total been 9, major depression would have been ruled out.
# - **E.** The total shows how much of his distress is caused by a physical illness.

# %% grading="choice" grade_id="a01_q5_choice"
a01_q5 = ""  # one letter

# %% grading="tests" grade_id="a01_q5_tests" points=1 format="single-best-answer" competencies="ACGME-MK EPA-03"
"""Item 5: a screening result is not a diagnosis."""
from bpscare.api import Checks, read_choice

checks = Checks(points=1, title="Item 5, screen and diagnosis", after_submit=1)
a01_q5_chosen = checks.answer(lambda: read_choice(a01_q5, "ABCDE"))
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown] grading="task" grade_id="a01_q6_reflection" points=3 format="rubric" competencies="ACGME-ICS ACGME-PROF"
# ## Item 6 — Introducing the screeners to Ms. Rivera (marked by your instructor, 3 points)
#
# Ms. Rivera (Item 1) came in for chest tightness and has already been told twice elsewhere that
# "it is just anxiety". In 150–250 words, write what you would say to introduce the GAD-7 and
# PHQ-9 to her so that the questionnaires feel like part of taking her symptoms seriously, not a
# way of dismissing them. Then say how you would explain a positive item 9 if it came up.
#
# Your instructor marks it with a rubric on three points: framing the screeners as part of
# taking her symptoms seriously; respectful, person-first wording that acknowledges her
# experience; and explaining item 9 calmly, including what happens today.
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

submit_button("a01-screening")
