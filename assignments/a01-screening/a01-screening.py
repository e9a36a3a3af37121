# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a01_intro"
# # Assignment 1 — Scoring depression and anxiety screeners with care
#
# Screeners such as the PHQ-9 and GAD-7 help a clinician notice distress that a person may not
# volunteer, and they let a team measure change over time. They do not make a diagnosis, and a
# score never replaces listening. In this assignment you will write the scoring rules yourself,
# check them against the published rules, and practise the one rule that must never wait: the
# PHQ-9 item-9 safety question.
#
# **Competencies:** ACGME Medical Knowledge and Patient Care; AAMC Core EPA 3 (recommend and
# interpret common diagnostic and screening tests) and EPA 10 (recognize a patient requiring
# urgent or emergent care); ACGME Interpersonal and Communication Skills for the reflection.
#
# **Sources.** PHQ-9: Kroenke, Spitzer & Williams, *J Gen Intern Med* 2001;16:606–613 (cut points
# 5, 10, 15, 20; a total of 10 or more had 88 % sensitivity and 88 % specificity for major
# depression). GAD-7: Spitzer, Kroenke, Williams & Löwe, *Arch Intern Med* 2006;166:1092–1097
# (cut points 5, 10, 15). Missing items: prorating when no more than two PHQ-9 items are missing
# (Arrieta et al. 2017, as implemented in the qscorer package). Item 9: any response other than
# "Not at all" calls for a same-visit suicide-risk assessment, whatever the total (Simon et al.,
# *Psychiatr Serv* 2013; Louzon et al., *Psychiatr Serv* 2016).
#
# *PHQ-9 and GAD-7: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and
# colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce,
# translate, display or distribute.*

# %% [markdown]
# ## Part 1 — The PHQ-9 total
#
# Each of the nine PHQ-9 items is answered 0 ("Not at all"), 1 ("Several days"), 2 ("More than
# half the days") or 3 ("Nearly every day"); the total runs from 0 to 27. Item 10 (how difficult
# the problems have made daily life) is asked but is **not** added to the total.
#
# People sometimes skip an item. When **one or two** items are missing (`None`), the total is
# *prorated*: the sum of the answered items × 9 ÷ the number answered, rounded half up to a whole
# number (13.5 becomes 14). With three or more items missing the total cannot be trusted, so
# raise a `ValueError` that says how many items are missing.
#
# Write `phq9_total(responses)` for a list of nine responses.

# %% grading="answer" grade_id="a01_q1_phq9_total"
import math


def phq9_total(responses):
    """Return the PHQ-9 total (0-27), prorating one or two missing items."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a01_q1
    if len(responses) != 9:
        raise ValueError(f"PHQ-9 has 9 items, got {len(responses)}")
    answered = [r for r in responses if r is not None]
    missing = 9 - len(answered)
    if missing > 2:
        raise ValueError(f"{missing} items are missing; at most 2 can be prorated")
    if missing == 0:
        return sum(answered)
    return math.floor(sum(answered) * 9 / len(answered) + 0.5)
    ### END SOLUTION


# %% grading="tests" grade_id="a01_q1_phq9_total_tests" points=3 competencies="ACGME-MK EPA-03"
"""Does phq9_total add nine answered items and prorate one or two missing ones?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 1, PHQ-9 total")
checks.equal(
    lambda: phq9_total([1, 1, 1, 1, 1, 1, 1, 1, 1]),
    9,
    1,
    "With every item answered 1, the total should be 9: add the nine items.",
)
checks.equal(
    lambda: phq9_total([0, 0, 0, 0, 0, 0, 0, 0, 0]),
    0,
    1,
    "A person who answers 'Not at all' to everything scores 0.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 2 — Severity bands
#
# Write `phq9_band(total)` returning the band label for a PHQ-9 total: `"minimal"` (0–4),
# `"mild"` (5–9), `"moderate"` (10–14), `"moderately severe"` (15–19) or `"severe"` (20–27).
# A total outside 0–27 is a `ValueError`. Then write `gad7_band(total)` for the GAD-7 (0–21):
# `"minimal"` (0–4), `"mild"` (5–9), `"moderate"` (10–14), `"severe"` (15–21).


# %% grading="answer" grade_id="a01_q2_bands"
def phq9_band(total):
    """Return the PHQ-9 severity band for a total score."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a01_q2
    if not 0 <= total <= 27:
        raise ValueError(f"PHQ-9 total must be 0-27, got {total}")
    for upper, label in ((4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately severe")):
        if total <= upper:
            return label
    return "severe"
    ### END SOLUTION


def gad7_band(total):
    """Return the GAD-7 severity band for a total score."""
    ### BEGIN SOLUTION
    if not 0 <= total <= 21:
        raise ValueError(f"GAD-7 total must be 0-21, got {total}")
    for upper, label in ((4, "minimal"), (9, "mild"), (14, "moderate")):
        if total <= upper:
            return label
    return "severe"
    ### END SOLUTION


# %% grading="tests" grade_id="a01_q2_bands_tests" points=3 competencies="ACGME-MK EPA-03"
"""Do phq9_band and gad7_band use the published cut points 5, 10, 15 (and 20)?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 2, severity bands")
checks.equal(lambda: phq9_band(0), "minimal", 1, "A PHQ-9 total of 0 is 'minimal'.")
checks.equal(lambda: gad7_band(21), "severe", 1, "A GAD-7 total of 21 is 'severe'.")
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 3 — The item-9 safety rule
#
# PHQ-9 item 9 asks about "thoughts that you would be better off dead or of hurting yourself in
# some way". **Any** answer other than 0 means the clinician carries out a structured
# suicide-risk assessment (for example the C-SSRS) before the person leaves, whatever the total
# and whatever the band. A low total does not lower the urgency, and an answer of 0 does not rule
# risk out.
#
# Write `needs_safety_assessment(responses)` that returns `True` or `False` for nine responses.
# If item 9 itself is missing, return `True`: an unanswered item 9 must be asked in person.


# %% grading="answer" grade_id="a01_q3_safety"
def needs_safety_assessment(responses):
    """Return True when the item-9 answer calls for a same-visit safety assessment."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a01_q3
    item9 = responses[8]
    return item9 is None or item9 >= 1
    ### END SOLUTION


# %% grading="tests" grade_id="a01_q3_safety_tests" points=2 competencies="ACGME-PC EPA-10"
"""Does needs_safety_assessment follow the item-9 rule whatever the total?"""
from bpscare.api import Checks

checks = Checks(points=2, title="Part 3, item-9 safety rule")
checks.equal(
    lambda: needs_safety_assessment([0, 0, 0, 0, 0, 0, 0, 0, 0]),
    False,
    1,
    "With item 9 answered 0 the rule is not triggered (risk is still not ruled out).",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 4 — Check your rules against the library
#
# The course library scores every PHQ-family screener by the published rules. Use
# `bpscare.api.score_screener` to score Ms. Rivera's GAD-7 answers below, and store the band
# in `rivera_gad7_band` and whether the screen is positive (total of 10 or more) in
# `rivera_gad7_positive`. Then make sure your own `gad7_band` agrees.

# %% grading="readonly" grade_id="a01_q4_data"
rivera_gad7 = [2, 2, 1, 2, 1, 1, 2]

# %% grading="answer" grade_id="a01_q4_library"
from bpscare.api import score_screener

### BEGIN SOLUTION
# LEAK-CANARY a01_q4
rivera = score_screener("gad7", rivera_gad7)
rivera_gad7_band = rivera.band
rivera_gad7_positive = rivera.positive
### END SOLUTION

# %% grading="tests" grade_id="a01_q4_library_tests" points=2 competencies="ACGME-MK EPA-03"
"""Are Ms. Rivera's GAD-7 band and screen result right, and do they match gad7_band?"""
from bpscare.api import Checks

checks = Checks(points=2, title="Part 4, library check")
checks.that(
    lambda: rivera_gad7_band in {"minimal", "mild", "moderate", "severe"},
    1,
    "rivera_gad7_band should be one of the four GAD-7 band labels.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown] grading="task" grade_id="a01_q5_reflection" points=3 competencies="ACGME-ICS ACGME-PROF EPA-01"
# ## Part 5 — Reflection (graded by your instructor)
#
# Ms. Rivera came in for chest tightness and has already been told twice elsewhere that "it is
# just anxiety". In 150–250 words, write what you would say to introduce the GAD-7 and PHQ-9 to
# her so that the questionnaires feel like part of taking her symptoms seriously, not a way of
# dismissing them. Then say how you would explain a positive item 9 if it came up.
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

submit_button("a01-screening")
