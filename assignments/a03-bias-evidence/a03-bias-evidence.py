# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a03_intro"
# # Assignment 3 — Measuring bias: analgesia gaps, interruptions and the words in a note
#
# Bias in care is rarely visible in one encounter. It shows up when we count: who received pain
# relief, how long a person spoke before being cut off, which words ended up in the chart. In
# this assignment you will measure an analgesia gap in a synthetic emergency-department cohort
# with pandas, estimate it correctly (an odds ratio is not a risk ratio), compare patients with
# the same pain, time an interruption in a transcript, and rewrite a stigmatizing note.
#
# **Competencies:** ACGME Medical Knowledge, Practice-Based Learning and Improvement and
# Systems-Based Practice; AAMC Core EPA 7 (form clinical questions and retrieve evidence) and
# EPA 5 (document an encounter); ACGME Interpersonal and Communication Skills and
# Professionalism for the transcript, the note and the reflection.
#
# **Sources.** Analgesia disparities: Lee et al., *Am J Emerg Med* 2019;37:1770–1777 (14 ED
# studies; Black patients less likely to receive any analgesia, OR 0.60, 95 % CI 0.43–0.83);
# Meghani, Byun & Gallagher, *Pain Med* 2012;13:150–174. Risk ratio interval: Katz et al.,
# *Biometrics* 1978; odds ratio interval: Woolf, *Ann Hum Genet* 1955; pooled odds ratio:
# Mantel & Haenszel, *J Natl Cancer Inst* 1959. Interruptions: Singh Ospina et al., *J Gen
# Intern Med* 2019;34:36–40 (when the agenda was elicited, patients were interrupted in 67 % of
# those encounters, after a median of 11 seconds). Verbal dominance and
# implicit bias: Cooper et al., *Am J Public Health* 2012;102:979–987. Stigmatizing language in
# notes: Sun et al., *Health Aff* 2022;41:203–211; Park et al., *JAMA Netw Open* 2021.
#
# The cohort is synthetic (`bpscare.api.generate_ed_cohort`): no row is a real person,
# and the group labels stand for recorded race and ethnicity, not for biology.

# %% grading="readonly" grade_id="a03_data"
import pandas as pd

from bpscare.api import generate_ed_cohort

ed = generate_ed_cohort(n=4000, seed=2027)
ed.head()

# %% [markdown]
# ## Part 1 — Rates by group
#
# Each row of `ed` is one emergency visit for pain: `group`, `pain_score` (0–10),
# `pain_category` (`"mild"`, `"moderate"`, `"severe"`), and whether the person
# `received_analgesia` (any pain medicine) or `received_opioid`.
#
# 1. Store in `analgesia_rates` a dict `{group: rate}` with, for each group, the share of that
#    group's visits in which analgesia was given (a float between 0 and 1).
# 2. Store in `black_white_counts` the 2 × 2 table for Black (compared) versus White (reference)
#    patients as a tuple of four ints `(a, b, c, d)`: `a` Black patients who received analgesia,
#    `b` Black patients who did not, `c` White patients who did, `d` White patients who did not.

# %% grading="answer" grade_id="a03_q1_rates"
### BEGIN SOLUTION
# LEAK-CANARY a03_q1
analgesia_rates = {
    str(group): float(rate)
    for group, rate in ed.groupby("group")["received_analgesia"].mean().items()
}
black = ed[ed["group"] == "Black"]["received_analgesia"]
white = ed[ed["group"] == "White"]["received_analgesia"]
black_white_counts = (
    int(black.sum()),
    int((~black).sum()),
    int(white.sum()),
    int((~white).sum()),
)
### END SOLUTION

# %% grading="tests" grade_id="a03_q1_rates_tests" points=3 competencies="ACGME-MK ACGME-PBLI EPA-07"
"""Are the analgesia rates computed within each group, and is the 2 x 2 table laid out right?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 1, rates by group")
checks.equal(
    lambda: sorted(analgesia_rates),
    ["Black", "Hispanic", "White"],
    1,
    "analgesia_rates needs one entry for each of the three groups.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 2 — Risk ratio and odds ratio, with 95 % intervals
#
# For a 2 × 2 table `(a, b, c, d)` laid out as in Part 1:
#
# - risk ratio RR = [a/(a+b)] ÷ [c/(c+d)], with the Katz log interval
#   exp(ln RR ± 1.959964 × SE), SE = √(1/a − 1/(a+b) + 1/c − 1/(c+d));
# - odds ratio OR = (a/b) ÷ (c/d) = ad/bc, with the Woolf log interval
#   exp(ln OR ± 1.959964 × SE), SE = √(1/a + 1/b + 1/c + 1/d).
#
# Write `risk_ratio_ci(a, b, c, d)` and `odds_ratio_ci(a, b, c, d)`, each returning a tuple
# `(estimate, lower, upper)` of floats. You may assume no cell is 0. Then compare your answers
# with `bpscare.clinical.disparities.risk_ratio_from_counts` and `odds_ratio_from_counts`.

# %% grading="answer" grade_id="a03_q2_ratios"
import math

Z95 = 1.959963984540054


def risk_ratio_ci(a, b, c, d):
    """Return (RR, lower, upper): risk ratio with the Katz log 95 % interval."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a03_q2
    rr = (a / (a + b)) / (c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    return (rr, rr * math.exp(-Z95 * se), rr * math.exp(Z95 * se))
    ### END SOLUTION


def odds_ratio_ci(a, b, c, d):
    """Return (OR, lower, upper): odds ratio with the Woolf log 95 % interval."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a03_q2b
    odds = (a * d) / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return (odds, odds * math.exp(-Z95 * se), odds * math.exp(Z95 * se))
    ### END SOLUTION


# %% grading="tests" grade_id="a03_q2_ratios_tests" points=4 competencies="ACGME-MK ACGME-PBLI EPA-07"
"""Do risk_ratio_ci and odds_ratio_ci give the Katz and Woolf 95 % intervals?"""
from bpscare.api import Checks

checks = Checks(points=4, title="Part 2, risk ratio and odds ratio")
checks.equal(
    lambda: risk_ratio_ci(10, 10, 10, 10)[0],
    1.0,
    1,
    "Two groups with the same rate have a risk ratio of 1.0.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 3 — Comparing patients with the same pain
#
# The crude comparison mixes people with mild and severe pain. The Mantel–Haenszel pooled odds
# ratio compares like with like: for strata *i* with tables (aᵢ, bᵢ, cᵢ, dᵢ) and
# nᵢ = aᵢ + bᵢ + cᵢ + dᵢ,
#
# OR_MH = Σ (aᵢ dᵢ / nᵢ) ÷ Σ (bᵢ cᵢ / nᵢ).
#
# Write `mh_odds_ratio(tables)` for a list of `(a, b, c, d)` tuples (skip a stratum with
# n = 0). Then store in `ed_mh_or` the Mantel–Haenszel odds ratio of analgesia for Black versus
# White patients, stratified by `pain_category`. You can check it with
# `bpscare.clinical.disparities.stratified_odds_ratio`.


# %% grading="answer" grade_id="a03_q3_mantel_haenszel"
def mh_odds_ratio(tables):
    """Return the Mantel-Haenszel pooled odds ratio of a list of (a, b, c, d) tables."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a03_q3
    top = bottom = 0.0
    for a, b, c, d in tables:
        n = a + b + c + d
        if n == 0:
            continue
        top += a * d / n
        bottom += b * c / n
    return top / bottom
    ### END SOLUTION


### BEGIN SOLUTION
# LEAK-CANARY a03_q3b
strata = []
for category in ("mild", "moderate", "severe"):
    rows = ed[ed["pain_category"] == category]
    black = rows[rows["group"] == "Black"]["received_analgesia"]
    white = rows[rows["group"] == "White"]["received_analgesia"]
    strata.append((int(black.sum()), int((~black).sum()), int(white.sum()), int((~white).sum())))
ed_mh_or = mh_odds_ratio(strata)
### END SOLUTION

# %% grading="tests" grade_id="a03_q3_mantel_haenszel_tests" points=3 competencies="ACGME-MK ACGME-PBLI EPA-07"
"""Does mh_odds_ratio weight each stratum as Mantel and Haenszel did?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 3, Mantel-Haenszel odds ratio")
checks.equal(
    lambda: mh_odds_ratio([(10, 10, 10, 10)]),
    1.0,
    1,
    "One stratum with equal counts everywhere pools to an odds ratio of 1.0.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 4 — Say it correctly
#
# In this cohort the crude odds ratio of analgesia for Black versus White patients is about
# 0.62 and the risk ratio about 0.81 (your Parts 1–3). Which sentence reports the finding
# correctly? Store the letter in `interpretation_choice` (a string, e.g. `"A"`).
#
# - **A.** Black patients were 0.62 times as likely as White patients to receive analgesia, that
#   is, 38 % less likely.
# - **B.** Among patients with pain in the same category, the odds of receiving analgesia for
#   Black patients were about 0.6 times the odds for White patients; because analgesia is common
#   here, the odds ratio lies further from 1 than the risk ratio, so "less likely" is best stated
#   with the two rates or the risk ratio.
# - **C.** Once pain severity is taken into account the gap disappears, so pain explains it.
# - **D.** The gap shows that the groups feel different amounts of pain.

# %% grading="answer" grade_id="a03_q4_interpretation"
### BEGIN SOLUTION
# LEAK-CANARY a03_q4
interpretation_choice = "B"
### END SOLUTION

# %% grading="tests" grade_id="a03_q4_interpretation_tests" points=2 competencies="ACGME-MK ACGME-PBLI EPA-07"
"""Is the odds ratio reported as an odds ratio, for patients with the same pain?"""
from bpscare.api import Checks

checks = Checks(points=2, title="Part 4, interpretation")
checks.that(
    lambda: interpretation_choice in ("A", "B", "C", "D"),
    1,
    "interpretation_choice should be one of the letters 'A', 'B', 'C' or 'D'.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 5 — Interruptions and talk time in a transcript
#
# Each transcript below is a table of utterances: `n`, `start` and `end` (seconds), `speaker`
# (`"C"` the clinician, `"P"` the patient; other letters are interpreters, family members or
# other clinicians) and the expert `code`.
#
# Write `first_interruption_seconds(frame)` following Singh Ospina et al. (2019):
#
# 1. the opening solicitation is the first `"C"` utterance coded `"open_question"` or
#    `"agenda_elicitation"`; if there is none, the first `"C"` utterance;
# 2. the patient's opening statement starts at the first `"P"` utterance after it;
# 3. the answer is the `start` of the first later `"C"` utterance coded `"interruption"` minus
#    the start of the opening statement, rounded to 3 decimals — or `None` if there is none.
#
# Then write `clinician_talk_ratio(frame)`: the total speaking time (`end − start`) of speaker
# `"C"` divided by that of speaker `"P"` (other speakers are left out). The library has both
# metrics in `bpscare.clinical.transcripts`; use them to check yourself, not as your answer.

# %% grading="readonly" grade_id="a03_q5_data"
from bpscare.api import load_transcript


def transcript_frame(transcript_id):
    """Return a transcript's utterances as a DataFrame (n, start, end, speaker, text, code)."""
    return pd.DataFrame([u.to_dict() for u in load_transcript(transcript_id).utterances])


back_pain_visit = transcript_frame("t02-early-interruption-back-pain")
back_pain_visit.head(6)


# %% grading="answer" grade_id="a03_q5_transcript"
def first_interruption_seconds(frame):
    """Seconds from the start of the patient's opening statement to the first interruption."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a03_q5
    rows = frame.sort_values("n").to_dict("records")
    clinician = [i for i, r in enumerate(rows) if r["speaker"] == "C"]
    invites = [i for i in clinician if rows[i]["code"] in ("open_question", "agenda_elicitation")]
    solicitation = invites[0] if invites else clinician[0]
    opening = next(
        (i for i in range(solicitation + 1, len(rows)) if rows[i]["speaker"] == "P"), None
    )
    if opening is None:
        return None
    for r in rows[opening + 1 :]:
        if r["speaker"] == "C" and r["code"] == "interruption":
            return round(r["start"] - rows[opening]["start"], 3)
    return None
    ### END SOLUTION


def clinician_talk_ratio(frame):
    """Clinician speaking time divided by patient speaking time."""
    ### BEGIN SOLUTION
    seconds = frame["end"] - frame["start"]
    return float(seconds[frame["speaker"] == "C"].sum() / seconds[frame["speaker"] == "P"].sum())
    ### END SOLUTION


# %% grading="tests" grade_id="a03_q5_transcript_tests" points=3 competencies="ACGME-ICS ACGME-MK EPA-07"
"""Is the interruption timed from the patient's opening, and is talk time clinician over patient?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 5, interruptions and talk time")
checks.equal(
    lambda: first_interruption_seconds(back_pain_visit),
    11.0,
    1,
    "In the back-pain visit the patient's opening starts at 11.1 s and the clinician "
    "interrupts at 22.1 s: 11.0 s.",
)
checks.equal(
    lambda: clinician_talk_ratio(back_pain_visit),
    1.2318,
    1,
    "In the back-pain visit the clinician speaks for 86.1 s and the patient for 69.9 s.",
    tolerance=1e-4,
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 6 — Rewrite a stigmatizing note
#
# Words in the chart travel: the next clinician reads them before meeting the person. Sun et
# al. (2022) found that notes about Black patients had 2.54 times the odds of containing at least
# one negative descriptor. Rewrite the triage note below in `rewritten_note` (a string) so that it
# keeps every clinical fact — this is her **sixth** emergency visit this year, she rates her
# low back pain **10/10**, she has not continued **physical therapy**, and she drinks no alcohol —
# without any term from the course list (`bpscare.api.scan_text(text)` returns the terms it
# finds, with suggested alternatives). Describe, don't judge: say what happened and, where you
# know it, why.

# %% grading="readonly" grade_id="a03_q6_note"
original_note = (
    "Frequent flyer, 6th ED visit this year. 34 y/o drug-seeking female who claims 10/10 low "
    "back pain. Non-compliant with physical therapy. Denies alcohol use."
)

# %% grading="answer" grade_id="a03_q6_rewrite"
from bpscare.api import scan_text

### BEGIN SOLUTION
# LEAK-CANARY a03_q6
rewritten_note = (
    "Ms. L., 34, is here for her sixth emergency visit this year with low back pain that she "
    "rates 10/10. She stopped physical therapy after three sessions because the appointments "
    "clash with her work shifts. She drinks no alcohol. She asks for a plan that lets her keep "
    "working."
)
### END SOLUTION
scan_text(rewritten_note)

# %% grading="tests" grade_id="a03_q6_rewrite_tests" points=3 competencies="ACGME-ICS ACGME-PROF EPA-05"
"""Is the rewritten note free of flagged terms while keeping the clinical facts?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 6, rewriting the note")
checks.that(
    lambda: isinstance(rewritten_note, str) and len(rewritten_note.split()) >= 10,
    1,
    "rewritten_note should be the whole note as a string of at least ten words.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown] grading="task" grade_id="a03_q7_reflection" points=3 competencies="ACGME-PBLI ACGME-PROF ACGME-SBP"
# ## Part 7 — Reflection (graded by your instructor)
#
# In 150–250 words: your department's dashboard shows the analgesia gap you measured in Parts
# 1–3. A colleague says, "It's just who comes in at night — different patients." Using your
# stratified result, explain what the comparison within pain categories does and does not rule
# out. Propose one structural change (not only individual training) that could narrow the gap,
# and say how you would measure whether it worked.
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

submit_button("a03-bias-evidence")
