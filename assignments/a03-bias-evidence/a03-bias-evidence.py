# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a03_intro"
# # Assignment 3 — Reading bias evidence: analgesia gaps, interruptions and the words in a note
#
# Bias in care is rarely visible in one encounter. It shows up when we count: who received pain
# relief, how long a person spoke before being cut off, which words ended up in the chart. In
# this assignment the library does every calculation. Your job is the clinician's job: read the
# numbers correctly, say what they do and do not show, spot biased and stigmatizing language in
# a short emergency-department excerpt, and rewrite a stigmatizing note.
#
# **How you answer.** Most questions take one line: write your letter(s) or your scale point
# between the quotes (for example `a03_q1 = "C"`), then run the check cell below it. The check
# tells you whether your answer can be read; it is scored after you submit. Two parts are short
# written answers that your instructor marks. You never need to write code.
#
# **Competencies:** ACGME Medical Knowledge and Practice-Based Learning and Improvement (reading
# disparity and interruption evidence, Parts 1–5); ACGME Interpersonal and Communication
# Skills, Professionalism and Patient Care (the excerpt, Part 6); AAMC Core EPA 5, document a
# clinical encounter (the note, Part 7); ACGME Practice-Based Learning and Improvement and
# Systems-Based Practice (the reflection, Part 8).
#
# **Sources.** Analgesia disparities: Lee P, et al., *Am J Emerg Med* 2019;37:1770–1777 (14 US
# emergency-department studies; Black patients less likely than White patients to receive any
# analgesia, OR 0.60, 95 % CI 0.43–0.83; Hispanic patients OR 0.75, 95 % CI 0.52–1.09); Meghani
# SH, Byun E, Gallagher RM, *Pain Med* 2012;13:150–174 (opioids for non-traumatic, non-surgical
# pain: OR 0.66, 95 % CI 0.59–0.75, Black patients; OR 0.70, 95 % CI 0.64–0.77, Hispanic
# patients). Ratios and intervals (computed by the library): Katz et al., *Biometrics* 1978 (risk
# ratio); Woolf, *Ann Hum Genet* 1955 (odds ratio); Wilson, *J Am Stat Assoc* 1927 (rates).
# Interruptions: Singh Ospina N, et al., *J Gen Intern Med* 2019;34:36–40 (112 recorded
# encounters; the agenda was elicited in 36 %; when it was elicited, patients were interrupted in
# 67 % of those encounters, after a median of 11 seconds, IQR 7–22; patients who were not
# interrupted finished in a median of 6 seconds). Implicit bias and verbal dominance: Cooper LA,
# et al., *Am J Public Health* 2012;102:979–987. Stigmatizing language in notes: Sun M, et al.,
# *Health Aff* 2022;41:203–211 (40,113 history-and-physical notes; notes about Black patients
# had 2.54 times the odds of containing at least one negative descriptor); Park J, et al., *JAMA
# Netw Open* 2021;4:e2117052 (600 notes by 138 physicians; negative categories include
# disapproval, discrediting and stereotyping); Goddu AP, et al., *J Gen Intern Med*
# 2018;33:685–691 (413 physicians-in-training; a chart note with stigmatizing language led to
# more negative attitudes toward the patient and less aggressive pain management than a neutral
# note about the same patient).
#
# The cohort and the audit below are synthetic: no row is a real person, and the group labels
# stand for recorded race and ethnicity, not for biology.

# %% [markdown]
# ## Part 1 — The crude gap
#
# Each row of `ed` is one emergency visit for pain: `group`, `pain_score` (0–10),
# `pain_category` (mild 1–3, moderate 4–6, severe 7–10) and whether the person
# `received_analgesia` (any pain medicine). Run the cell: the library tabulates the rate of
# analgesia in each group (with Wilson 95 % intervals) and compares Black with White patients
# as a risk ratio and as an odds ratio (each with its 95 % interval).

# %% grading="readonly" grade_id="a03_data"
from bpscare.api import generate_ed_cohort, odds_ratio, rates, risk_ratio


def show(label, estimate):
    """Print a ratio with its 95 % interval, rounded for reading."""
    print(f"{label}: {estimate.estimate:.2f} (95 % CI {estimate.lower:.2f}-{estimate.upper:.2f})")


ed = generate_ed_cohort(n=4000, seed=2027)
print(rates(ed, "received_analgesia", "group").round(3).to_string(index=False))
print()
show("Black vs White, risk ratio", risk_ratio(ed, "received_analgesia", "Black", "White"))
show("Black vs White, odds ratio", odds_ratio(ed, "received_analgesia", "Black", "White"))

# %% [markdown]
# **Question 1 (single best answer, 2 points).** A colleague asks you to put the crude result
# in one sentence for the department's quality meeting. Which sentence reports it correctly?
#
# - **A.** Black patients were 0.62 times as likely as White patients to receive analgesia, that
#   is, 38 % less likely.
# - **B.** Analgesia was given at 51 % of Black patients' visits and 63 % of White patients'
#   visits, about 12 fewer per 100 visits; the risk ratio is 0.81 (95 % CI 0.76–0.87). The odds
#   ratio, 0.62, lies further from 1 because analgesia is common here.
# - **C.** The odds ratio of 0.62 means that 62 % of Black patients received analgesia.
# - **D.** The 95 % interval of the risk ratio excludes 1, so the gap is proven to be caused by
#   the prejudice of the clinicians in this department.
# - **E.** The two ratios disagree (0.81 and 0.62), so one of them must be miscalculated and
#   neither should be reported.

# %% grading="choice" grade_id="a03_q1_choice"
a03_q1 = ""  # one letter, A-E

# %% grading="tests" grade_id="a03_q1_tests" points=2 format="single-best-answer" competencies="ACGME-MK ACGME-PBLI"
"""Question 1: reporting a crude disparity as rates and ratios."""
from bpscare.api import Checks, read_choice

checks = Checks(points=2, title="Question 1, reporting the crude gap", after_submit=2)
chosen = checks.answer(lambda: read_choice(a03_q1, "ABCDE"))
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 2 — Comparing like with like
#
# A crude comparison mixes people who differ in other ways. Comparing within levels (strata) of
# a third variable asks whether people who are alike on that variable were treated alike. An
# adjusted ratio (for example the Mantel–Haenszel odds ratio; Mantel & Haenszel, *J Natl Cancer
# Inst* 1959) pools the strata into one number; here you read the strata side by side, which
# shows the same thing and also shows whether the strata agree.
#
# **Within pain categories.** The cell below compares the groups separately among people with
# mild, moderate and severe pain (odds ratios with 95 % intervals, from `odds_ratio`).

# %% grading="readonly" grade_id="a03_strata"
print(rates(ed, "received_analgesia", ["pain_category", "group"]).round(3).to_string(index=False))
print()
for category in ("mild", "moderate", "severe"):
    same_pain = ed[ed["pain_category"] == category]
    for compared in ("Black", "Hispanic"):
        show(
            f"{category:>8} pain, {compared} vs White, odds ratio",
            odds_ratio(same_pain, "received_analgesia", compared, "White"),
        )

# %% [markdown]
# **A second hospital's audit.** A different emergency department audits whether analgesia was
# given within 60 minutes of arrival, and records each visit's triage level (higher or lower
# acuity). The numbers are invented for teaching. Run the cell: the library gives the rates by
# triage level and group, the crude risk ratio, and the risk ratio within each triage level.

# %% grading="readonly" grade_id="a03_audit"
import pandas as pd

audit_counts = [  # (group, triage level, visits with analgesia within 60 minutes, visits)
    ("White", "higher acuity", 300, 400),
    ("White", "lower acuity", 80, 200),
    ("Black", "higher acuity", 150, 200),
    ("Black", "lower acuity", 160, 400),
]
audit = pd.DataFrame(
    [
        {"group": group, "triage": level, "analgesia_60min": visit < treated}
        for group, level, treated, visits in audit_counts
        for visit in range(visits)
    ]
)
print(rates(audit, "analgesia_60min", ["triage", "group"]).round(3).to_string(index=False))
print()
show("Crude, Black vs White, risk ratio", risk_ratio(audit, "analgesia_60min", "Black", "White"))
for level in ("higher acuity", "lower acuity"):
    same_level = audit[audit["triage"] == level]
    show(
        f"{level}, Black vs White, risk ratio",
        risk_ratio(same_level, "analgesia_60min", "Black", "White"),
    )

# %% [markdown]
# **Question 2 (single best answer, 2 points).** In the audit, the crude risk ratio is 0.82 and
# the risk ratio within each triage level is 1.00. Two thirds of White patients' visits and one
# third of Black patients' visits were triaged as higher acuity. Which conclusion does the
# audit support?
#
# - **A.** The hospital has no disparity in timely analgesia: once triage level is accounted
#   for, the crude gap was an artefact.
# - **B.** Within each triage level the two groups received timely analgesia equally often; the
#   crude gap comes from how visits were spread across triage levels, so the next question is
#   whether triage levels were assigned equitably for the same presentations.
# - **C.** Black patients in this audit had less severe pain, which explains the gap.
# - **D.** The crude risk ratio is the true measure of bias here; the results within triage
#   levels should be set aside.
# - **E.** The audit shows that individual triage nurses are prejudiced.

# %% grading="choice" grade_id="a03_q2_choice"
a03_q2 = ""  # one letter, A-E

# %% grading="tests" grade_id="a03_q2_tests" points=2 format="single-best-answer" competencies="ACGME-MK ACGME-PBLI"
"""Question 2: a crude gap that disappears within strata of a third variable."""
from bpscare.api import Checks, read_choice

checks = Checks(points=2, title="Question 2, confounding by triage level", after_submit=2)
chosen = checks.answer(lambda: read_choice(a03_q2, "ABCDE"))
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 3 — What each number tells you (extended matching, 3 points)
#
# For each reported result (1–6), choose the **one** statement (A–H) that best describes what it
# tells you. A statement may be used once, more than once, or not at all.
#
# **Statements**
#
# - **A.** An absolute difference: how many more or fewer visits per 100 included analgesia.
# - **B.** A risk ratio: one group's rate divided by the other group's rate.
# - **C.** An odds ratio: close to the risk ratio only when the outcome is rare; with a common
#   outcome it lies further from 1.
# - **D.** A result compatible both with no difference and with a sizeable one: the 95 % interval
#   includes 1.
# - **E.** A difference that remains when people with the same pain severity are compared.
# - **F.** A crude difference that disappears within levels of a third variable (confounding by
#   that variable).
# - **G.** Evidence that the groups feel different amounts of pain.
# - **H.** Proof that each clinician in the data acted with conscious prejudice.
#
# **Reported results**
#
# 1. In the cohort, 62.8 % of White patients' visits and 50.9 % of Black patients' visits
#    included analgesia: about 12 percentage points apart.
# 2. In the cohort, Black vs White: 0.81 (95 % CI 0.76–0.87), from `risk_ratio`.
# 3. In the cohort, Black vs White: 0.62 (95 % CI 0.53–0.72), from `odds_ratio`.
# 4. In the cohort, Hispanic vs White patients with mild pain only: odds ratio 0.87 (95 % CI
#    0.57–1.31).
# 5. In the cohort, Black vs White patients within mild, moderate and severe pain: odds ratios
#    0.51, 0.68 and 0.58, each interval below 1.
# 6. In the audit, Black vs White: crude risk ratio 0.82; within each triage level, 1.00.

# %% grading="choice" grade_id="a03_q3_choice"
a03_q3_1 = ""  # one letter, A-H
a03_q3_2 = ""
a03_q3_3 = ""
a03_q3_4 = ""
a03_q3_5 = ""
a03_q3_6 = ""

# %% grading="tests" grade_id="a03_q3_tests" points=3 format="extended-matching" competencies="ACGME-MK ACGME-PBLI"
"""Question 3: matching reported results to what they mean."""
from bpscare.api import Checks, read_choice

checks = Checks(points=3, title="Question 3, what each number tells you", after_submit=3)
matched = checks.answer(
    lambda: {
        "1": read_choice(a03_q3_1, "ABCDEFGH"),
        "2": read_choice(a03_q3_2, "ABCDEFGH"),
        "3": read_choice(a03_q3_3, "ABCDEFGH"),
        "4": read_choice(a03_q3_4, "ABCDEFGH"),
        "5": read_choice(a03_q3_5, "ABCDEFGH"),
        "6": read_choice(a03_q3_6, "ABCDEFGH"),
    }
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 4 — Judging evidence under uncertainty (script concordance, 3 points)
#
# For each item, judge how the new information changes the hypothesis, on this scale:
#
# | −2 | −1 | 0 | +1 | +2 |
# |---|---|---|---|---|
# | much less likely | less likely | neither more nor less likely | more likely | much more likely |
#
# Your answer is compared with the answers of a reference panel of clinicians; answers that some
# panel members gave earn partial credit.
#
# **Item 4a.** *If you were thinking* that the analgesia gap between Black and White patients in
# this cohort arises because people with the same pain are treated differently, *and then you
# find* that the three pain categories are spread almost identically in the two groups (about
# 55 % of visits are for severe pain in each), *this hypothesis becomes …*
#
# **Item 4b.** *If you were thinking* that Hispanic patients in US emergency departments are less
# likely than White patients to receive any analgesia, *and then you find* that a meta-analysis
# of 14 emergency-department studies (Lee et al. 2019) reports an odds ratio of 0.75 with a 95 %
# confidence interval of 0.52–1.09, *this hypothesis becomes …*

# %% grading="choice" grade_id="a03_q4_choice"
a03_q4a = ""  # one of -2, -1, 0, +1, +2
a03_q4b = ""  # one of -2, -1, 0, +1, +2

# %% grading="tests" grade_id="a03_q4_tests" points=3 format="script-concordance" competencies="ACGME-MK ACGME-PBLI"
"""Question 4: how new evidence changes a hypothesis about a disparity."""
from bpscare.api import SCT_SCALE, Checks, read_choice

checks = Checks(points=3, title="Question 4, evidence under uncertainty", after_submit=3)
judged = checks.answer(
    lambda: {"a": read_choice(a03_q4a, SCT_SCALE), "b": read_choice(a03_q4b, SCT_SCALE)}
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 5 — Reading the interruption evidence
#
# Bias can also show in who gets to finish speaking. In recorded visits of 40 clinicians with
# 269 patients, Cooper et al. (2012) found that clinicians with more implicit race bias (measured
# by the Implicit Association Test) showed more verbal dominance with Black patients, and those
# patients rated their interpersonal care lower. A widely quoted figure about interruptions
# comes from a different kind of study.
#
# **Question 5 (single best answer, 2 points).** A teaching slide says: "Doctors interrupt
# patients after 11 seconds." Which sentence states what Singh Ospina et al. (2019) found?
#
# - **A.** On average, doctors interrupt every patient after 11 seconds.
# - **B.** In 112 recorded encounters the clinician elicited the patient's agenda in 36 %; when
#   it was elicited, patients were interrupted in 67 % of those encounters, after a median of 11
#   seconds (IQR 7–22).
# - **C.** Patients need about 11 seconds to state their concerns, so interrupting after that
#   loses nothing.
# - **D.** The study shows that clinicians interrupt patients because of implicit bias.
# - **E.** Patients who were not interrupted spoke for a median of 11 seconds.

# %% grading="choice" grade_id="a03_q5_choice"
a03_q5 = ""  # one letter, A-E

# %% grading="tests" grade_id="a03_q5_tests" points=2 format="single-best-answer" competencies="ACGME-MK ACGME-PBLI"
"""Question 5: stating the interruption finding accurately."""
from bpscare.api import Checks, read_choice

checks = Checks(points=2, title="Question 5, the interruption evidence", after_submit=2)
chosen = checks.answer(lambda: read_choice(a03_q5, "ABCDE"))
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 6 — Words at the bedside (key features, 6 points)
#
# A synthetic excerpt from a night shift in an emergency department. Ms. Dana Lopes, 34, a
# warehouse supervisor, has come in with low back pain. A triage nurse hands over to the
# resident, Dr. Osei, who then sees her.
#
# | # | speaker | utterance |
# |---|---|---|
# | 1 | Nurse (handover) | "Bed 12 is a frequent flyer: sixth visit this year, back pain again." |
# | 2 | Resident | "Okay. What's her pain score?" |
# | 3 | Nurse | "She claims ten out of ten, but she was on her phone in the waiting room." |
# | 4 | Resident (at the bedside) | "Hello, I'm Dr. Osei, one of the emergency doctors. What's been happening with your back?" |
# | 5 | Ms. Lopes | "It's the same pain low in my back, but since yesterday it goes down my right leg. I didn't sleep at all. I just need to be able to work my shift." |
# | 6 | Resident | "You stopped the physical therapy, didn't you? So you've been non-compliant." |
# | 7 | Ms. Lopes | "I went three times. The sessions are at two in the afternoon, and that's when I work." |
# | 8 | Resident | "Do you drink any alcohol?" |
# | 9 | Ms. Lopes | "No, I don't drink." |
# | 10 | Resident (to the nurse, outside the room) | "She denies alcohol. Probably drug-seeking, so hold off on anything for now." |
# | 11 | Resident (back at the bedside) | "Let me check I've got this right: the pain is 10 out of 10, it has gone down your right leg since yesterday, and the therapy times clash with your shifts. Is that right?" |
#
# **Question 6 (key features, 4 points).** Choose **up to four** utterances (by number) in which
# the words show bias or stigmatizing language: a label, doubt cast on what the person reports,
# or disapproval. Choosing more than four scores 0 on this question.

# %% grading="choice" grade_id="a03_q6_choice"
a03_q6 = ""  # up to four utterance numbers, e.g. "2, 7"

# %% grading="tests" grade_id="a03_q6_tests" points=4 format="key-feature" competencies="ACGME-ICS ACGME-PROF"
"""Question 6: the utterances that carry bias or stigmatizing language."""
from bpscare.api import Checks, read_choices

checks = Checks(points=4, title="Question 6, biased and stigmatizing words", after_submit=4)
flagged = checks.answer(lambda: read_choices(a03_q6, [str(n) for n in range(1, 12)]))
checks.gate(
    lambda: flagged is None or len(flagged) <= 4,
    "More than four utterances were chosen: a key-feature question scores 0 when more than "
    "'up to N' are chosen, so choose only the clearest ones.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# **Question 7 (key features, 2 points).** You are the resident after utterance 11. Choose **up
# to two** actions that matter most for Ms. Lopes tonight. Choosing more than two scores 0, and
# one kind of action scores 0 on this question whatever else you choose.
#
# - **A.** Assess her pain now as you would for anyone with this presentation, including an
#   examination for nerve-root signs now that the pain goes down her leg, and offer analgesia
#   that fits that assessment.
# - **B.** Hold all analgesia until a urine drug screen is back, given the concern raised at
#   handover.
# - **C.** Record her pain rating and her reason for stopping physical therapy in her own words,
#   without "claims", "denies" or "frequent flyer".
# - **D.** Carry the handover's "drug-seeking" label into your note so that the next team is
#   warned.
# - **E.** Tell her that a 10 out of 10 rating is hard to believe because she was using her
#   phone.
# - **F.** Arrange lumbar spine imaging tonight so that the visit ends with a test result.

# %% grading="choice" grade_id="a03_q7_choice"
a03_q7 = ""  # up to two letters, e.g. "B, E"

# %% grading="tests" grade_id="a03_q7_tests" points=2 format="key-feature" competencies="ACGME-PC ACGME-PROF"
"""Question 7: what matters most for Ms. Lopes tonight."""
from bpscare.api import Checks, read_choices

checks = Checks(points=2, title="Question 7, what matters tonight", after_submit=2)
actions = checks.answer(lambda: read_choices(a03_q7, "ABCDEF"))
checks.gate(
    lambda: actions is None or len(actions) <= 2,
    "More than two actions were chosen: a key-feature question scores 0 when more than 'up to "
    "N' are chosen.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 7 — Rewrite the note (written answer, marked by your instructor)
#
# Words in the chart travel: the next clinician reads them before meeting the person, and a note
# with stigmatizing language changed how physicians-in-training managed the same patient's pain
# (Goddu et al. 2018). Here is the triage note written about Ms. Lopes. The library's scan
# (`scan_text`) lists the flagged terms it contains, with suggested alternatives.

# %% grading="readonly" grade_id="a03_note"
from bpscare.api import scan_text

original_note = (
    "Frequent flyer, 6th ED visit this year. 34 y/o drug-seeking female who claims 10/10 low "
    "back pain. Non-compliant with physical therapy. Denies alcohol use."
)
for hit in scan_text(original_note):
    print(f"{hit.matched!r} ({hit.category}): try {hit.alternative}")

# %% [markdown] grading="task" grade_id="a03_q8_note" points=4 format="rubric" competencies="ACGME-ICS ACGME-PROF EPA-05"
# **Question 8 (4 points).** In the cell below:
#
# 1. Rewrite the note (60–120 words). Keep every clinical fact from the note and the excerpt:
#    this is her sixth emergency visit this year; she rates her low back pain 10/10 and since
#    yesterday it goes down her right leg; she went to three physical-therapy sessions and
#    stopped because they clash with her work shifts; she drinks no alcohol. Describe, don't
#    judge, and use her own words where they help.
# 2. In one or two sentences, explain why you removed "claims" and "denies".

# %% [markdown]
# *Write your answer here.*

# %% [markdown] grading="task" grade_id="a03_q9_reflection" points=3 format="rubric" competencies="ACGME-PBLI ACGME-SBP"
# ## Part 8 — Reflection (marked by your instructor, 3 points)
#
# In 150–250 words: your department's dashboard shows the analgesia gap from Part 1. A colleague
# says, "It's just who comes in — different patients." Using the comparison within pain
# categories and the triage audit from Part 2, explain what comparing like with like does and
# does not rule out. Propose one structural change (not only individual training) that could
# narrow the gap, and say how you would measure whether it worked.

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

submit_button("a03-bias-evidence")
