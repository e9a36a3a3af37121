# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a04_intro"
# # Assignment 4 — Communication that rebuilds trust
#
# Trust is rebuilt in small moves: letting a person finish, answering a fear instead of
# stepping over it, checking that an explanation landed, and saying plainly what to do if
# things change. In this assignment you will write Cohen's kappa, code a short follow-up visit
# with the transcript annotator and compare your coding with an expert's, tell teach-back and
# safety-netting apart from look-alikes, and turn a relative risk reduction into natural
# frequencies for a decision aid.
#
# **Competencies:** ACGME Interpersonal and Communication Skills, Patient Care and Medical
# Knowledge; AAMC Core EPA 1 (gather a history), EPA 6 (present an encounter) and EPA 11
# (informed consent: explaining benefits and harms); IPEC Communication.
#
# **Sources.** Coding scheme: the course codebook (`bpscare/data/transcripts/CODEBOOK.md`),
# drawn from RIAS (Roter & Larson, *Patient Educ Couns* 2002;46:243–251) and the
# empathic-opportunity model (Suchman et al., *JAMA* 1997;277:678–682). Cohen's kappa: Cohen,
# *Educ Psychol Meas* 1960;20:37–46; "almost perfect" above 0.80: Landis & Koch, *Biometrics*
# 1977. Teach-back: AHRQ Health Literacy Universal Precautions Toolkit, Tool 5 (DeWalt et al.,
# 2010; 2nd ed. 2015). Decision aids: Stacey et al., *Cochrane Database Syst Rev* 2017
# (CD001431); natural frequencies: Gigerenzer & Hoffrage, *Psychol Rev* 1995.

# %% [markdown]
# ## Part 1 — Cohen's kappa
#
# Two coders who each give one label to the same items agree by chance some of the time.
# Cohen's kappa corrects for that: κ = (pₒ − pₑ) ÷ (1 − pₑ), where pₒ is the proportion of
# items with the same label and pₑ = Σₖ p_A(k) × p_B(k) is the agreement expected from each
# coder's own label frequencies. Write `cohen_kappa(a, b)` for two equal-length lists of labels.
# When pₑ is 1 (both coders used one and the same label throughout) return 1.0. Lists of
# different lengths, or empty lists, are a `ValueError`.


# %% grading="answer" grade_id="a04_q1_kappa"
def cohen_kappa(a, b):
    """Return Cohen's kappa for two coders' labels of the same items."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a04_q1
    if len(a) != len(b) or not a:
        raise ValueError(f"need two non-empty lists of equal length, got {len(a)} and {len(b)}")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    expected = sum((a.count(k) / n) * (b.count(k) / n) for k in set(a) | set(b))
    if expected == 1:
        return 1.0
    return (observed - expected) / (1 - expected)
    ### END SOLUTION


# %% grading="tests" grade_id="a04_q1_kappa_tests" points=3 competencies="ACGME-MK ACGME-ICS"
"""Does cohen_kappa correct the observed agreement for chance?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 1, Cohen's kappa")
checks.equal(
    lambda: cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]),
    1.0,
    1,
    "Two coders who agree on every item have kappa 1.0.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 2 — Code a follow-up visit
#
# Ms. Farida Haidari is 52, works in a school kitchen and has type 2 diabetes. She has come back
# because her feet burn at night. *(A synthetic encounter written for this assignment.)*
#
# Code every utterance with one code from the codebook (open the **Codebook** panel in the
# widget; the precedence rules in section 4 decide when two codes fit), then press **Save**: the
# widget saves the answer `a04_transcript_codes`. The widget runs in practice mode: it checks
# your coding against the codebook's public rules, never against the expert's codes. Your
# coding is graded by its agreement with the expert coding: full credit from κ ≥ 0.80 ("almost
# perfect"), partial credit from κ ≥ 0.40 and κ ≥ 0.60, plus four utterances that matter most
# for trust. If the widget does not load, save a dict `{utterance number: code}` yourself with
# `save_answer("a04_transcript_codes", {"transcript_id": ..., "codes": ...},
# kind="transcript_codes")`. Either way, remove the `raise NotImplementedError()` line.

# %% grading="readonly" grade_id="a04_q2_transcript"
HAIDARI_VISIT_ID = "t90-feet-burning-at-night"
haidari_utterances = [
    (1, 0.0, 4.2, "C", "Good morning, Ms. Haidari. I'm Dr. Lindqvist. Thanks for coming in."),
    (2, 4.8, 6.9, "P", "Good morning. Thank you for seeing me."),
    (3, 7.5, 11.0, "C", "What would you like us to talk about today?"),
    (
        4,
        11.6,
        23.4,
        "P",
        "My feet. They burn at night, like standing on hot sand, and I can't sleep. "
        "And also my sugar numbers—",
    ),
    (5, 23.4, 26.1, "C", "How high are the numbers running?"),
    (6, 26.7, 30.2, "P", "Around two hundred in the mornings."),
    (7, 30.8, 33.0, "C", "Are you taking the metformin every day?"),
    (8, 33.6, 35.0, "P", "Yes, every day."),
    (
        9,
        35.4,
        46.8,
        "P",
        "Honestly, I'm scared. My uncle lost his foot to diabetes, and when the burning starts "
        "I lie awake thinking that is happening to me.",
    ),
    (
        10,
        47.4,
        56.9,
        "C",
        "That sounds frightening, especially after what happened to your uncle. Tell me more "
        "about what worries you most.",
    ),
    (
        11,
        57.5,
        68.0,
        "P",
        "That I won't notice a cut. That I'll lose my job if I can't stand all day in the kitchen.",
    ),
    (
        12,
        68.6,
        74.3,
        "C",
        "It makes sense to worry about that; many people with nerve pain in their feet feel "
        "the same way.",
    ),
    (
        13,
        74.9,
        82.2,
        "C",
        "When I examined your feet, the monofilament test showed reduced protective sensation "
        "bilaterally.",
    ),
    (14, 82.8, 84.9, "P", "I'm sorry, what does that mean?"),
    (
        15,
        85.5,
        95.0,
        "C",
        "It means the nerves in both feet don't feel light touch as well as they should, so "
        "you might not feel a small cut. That's why checking your feet every day matters.",
    ),
    (16, 95.6, 99.8, "C", "How has the burning affected your work and your sleep?"),
    (
        17,
        100.4,
        110.0,
        "P",
        "I sit down on my break and take my shoes off. At night I put my feet on the cold floor.",
    ),
    (
        18,
        110.6,
        121.5,
        "C",
        "We'll start a medicine at bedtime for the nerve pain, and a nurse will show you how "
        "to check your feet.",
    ),
    (
        19,
        122.1,
        130.6,
        "C",
        "I want to make sure I explained it well: can you tell me how you'll check your feet "
        "each evening?",
    ),
    (
        20,
        131.2,
        139.8,
        "P",
        "Look at the top and the bottom, with a mirror for the bottom, and call if I see a cut "
        "or a red spot.",
    ),
    (
        21,
        140.4,
        151.9,
        "C",
        "Exactly. And if a cut isn't healing after two days, if redness spreads, or if you get "
        "a fever, call us the same day.",
    ),
    (22, 152.5, 154.0, "P", "Okay. Thank you, doctor."),
]

# %%
# The annotator, in practice mode. The transcript object below carries the placeholder code
# "other" on every line only because the Transcript model needs one; it is NOT the expert
# coding, and practice mode never reads it.
from bpscare.api import TranscriptAnnotatorView, transcript_from_dict

haidari_visit = transcript_from_dict(
    {
        "id": HAIDARI_VISIT_ID,
        "title": "Feet that burn at night: a diabetes follow-up",
        "setting": "primary care (follow-up visit)",
        "synthetic": True,
        "description": "A family physician sees Ms. Haidari, 52, about burning feet at night.",
        "speakers": {
            "C": "Family physician (Dr. Lindqvist)",
            "P": "Patient (Ms. Haidari), 52, school kitchen worker; type 2 diabetes",
        },
        "utterances": [
            {"n": n, "start": s, "end": e, "speaker": who, "text": text, "code": "other"}
            for n, s, e, who, text in haidari_utterances
        ],
        "teaching_points": ["Coded by learners in Assignment 4."],
        "sources": ["Synthetic encounter written for bpscare Assignment 4."],
    }
)
TranscriptAnnotatorView(
    HAIDARI_VISIT_ID,
    answer_name="a04_transcript_codes",
    practice=True,
    load=lambda _id: haidari_visit,
)

# %% grading="answer" grade_id="a04_q2_coding"
from bpscare.api import save_answer

### BEGIN SOLUTION
# LEAK-CANARY a04_q2
haidari_codes = {
    "1": "other",
    "2": "other",
    "3": "agenda_elicitation",
    "4": "other",
    "5": "interruption",
    "6": "other",
    "7": "closed_question",
    "8": "other",
    "9": "empathic_opportunity",
    "10": "empathic_response",
    "11": "other",
    "12": "validation",
    "13": "jargon",
    "14": "other",
    "15": "other",
    "16": "open_question",
    "17": "other",
    "18": "other",
    "19": "teach_back",
    "20": "other",
    "21": "safety_netting",
    "22": "other",
}
haidari_answer = {"transcript_id": HAIDARI_VISIT_ID, "codes": haidari_codes}
save_answer("a04_transcript_codes", haidari_answer, kind="transcript_codes")
### END SOLUTION

# %% grading="readonly" grade_id="a04_q2_saved"
# Reads your saved coding (from the widget or the cell above) as plain data for the graded cell.
from bpscare.api import load_answer

haidari_saved_coding = load_answer("a04_transcript_codes", kind="transcript_codes")

# %% grading="tests" grade_id="a04_q2_coding_tests" points=5 competencies="ACGME-ICS ACGME-PC EPA-01 EPA-06 IPEC-C"
"""How well does the saved coding agree with the expert coding of Ms. Haidari's visit?"""
from bpscare.api import Checks


def saved_codes():
    """Return the saved coding as {utterance number (int): code}."""
    data = haidari_saved_coding
    return {int(n): str(code) for n, code in data["codes"].items()}


checks = Checks(points=5, title="Part 2, coding Ms. Haidari's visit")
checks.that(
    lambda: len(saved_codes()) == len(haidari_utterances),
    1,
    "Give every one of the 22 utterances a code, then save the answer.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 3 — Teach-back, safety-netting, or neither?
#
# *Teach-back* asks the person to explain or show, in their own words, what they will do; it
# tests how well the clinician explained, not the person's intelligence (AHRQ Tool 5). A yes/no
# question ("Does that make sense?") is not teach-back. *Safety-netting* tells the person which
# specific changes mean they should seek help, and how and when. "Let's see how it goes" is not
# a safety net. Label each closing statement below `"teach_back"`, `"safety_net"` or
# `"neither"` in the dict `closing_labels` (keys `"s1"` … `"s8"`).

# %% grading="readonly" grade_id="a04_q3_statements"
closing_statements = {
    "s1": "Do you have any questions?",
    "s2": "So I know I explained it clearly, can you tell me in your own words how you'll take "
    "the new tablets?",
    "s3": "If the pain spreads to your arm or jaw, or you feel short of breath, call 911 straight "
    "away.",
    "s4": "Does that make sense?",
    "s5": "Just to check I was clear: what will you do if your sugar readings are above 300 twice "
    "in a row?",
    "s6": "If you're not better by Friday, or you get a fever, call us that day. Here is the "
    "number.",
    "s7": "You understand, right?",
    "s8": "We'll see how it goes.",
}

# %% grading="answer" grade_id="a04_q3_closing"
### BEGIN SOLUTION
# LEAK-CANARY a04_q3
closing_labels = {
    "s1": "neither",
    "s2": "teach_back",
    "s3": "safety_net",
    "s4": "neither",
    "s5": "teach_back",
    "s6": "safety_net",
    "s7": "neither",
    "s8": "neither",
}
### END SOLUTION

# %% grading="tests" grade_id="a04_q3_closing_tests" points=3 competencies="ACGME-ICS ACGME-PC IPEC-C"
"""Are teach-back and safety-netting told apart from yes/no checks and vague reassurance?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 3, teach-back and safety-netting")
checks.that(
    lambda: (
        sorted(closing_labels) == sorted(closing_statements)
        and set(closing_labels.values()) <= {"teach_back", "safety_net", "neither"}
    ),
    1,
    "Label each of s1 ... s8 with 'teach_back', 'safety_net' or 'neither'.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 4 — Natural frequencies for a decision aid
#
# Decision aids help people weigh options when they are given absolute numbers (Stacey et al.,
# 2017). "Cuts the risk by 25 %" sounds large whatever the starting risk; "20 in 100 people
# without the treatment, 15 in 100 with it" lets a person judge. Write
# `natural_frequencies(baseline_per_100, relative_risk_reduction)` that returns a dict:
#
# - `"without"`: people per 100 who have the outcome without the treatment (the baseline);
# - `"with"`: people per 100 who have it with the treatment, baseline × (1 − RRR), rounded to
#   1 decimal;
# - `"fewer"`: `"without"` − `"with"`, rounded to 1 decimal (the absolute risk reduction per
#   100);
# - `"nnt"`: the number needed to treat for one person to benefit, 100 ÷ `"fewer"` rounded
#   **up** to a whole number, or `None` when `"fewer"` is 0.
#
# The numbers in the checks are illustrative, not estimates for a real treatment.


# %% grading="answer" grade_id="a04_q4_frequencies"
def natural_frequencies(baseline_per_100, relative_risk_reduction):
    """Return per-100 natural frequencies and the NNT for a relative risk reduction."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a04_q4
    import math

    with_treatment = round(baseline_per_100 * (1 - relative_risk_reduction), 1)
    fewer = round(baseline_per_100 - with_treatment, 1)
    nnt = None if fewer == 0 else math.ceil(round(100 / fewer, 9))
    return {"without": baseline_per_100, "with": with_treatment, "fewer": fewer, "nnt": nnt}
    ### END SOLUTION


# %% grading="tests" grade_id="a04_q4_frequencies_tests" points=3 competencies="ACGME-ICS ACGME-MK EPA-11"
"""Does natural_frequencies turn a relative reduction into absolute numbers and an NNT?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 4, natural frequencies")
checks.equal(
    lambda: natural_frequencies(20, 0.25)["with"],
    15.0,
    1,
    "With a baseline of 20 in 100 and a 25 % relative reduction, 15 in 100 have the outcome.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown] grading="task" grade_id="a04_q5_reflection" points=3 competencies="ACGME-ICS ACGME-PROF IPEC-C"
# ## Part 5 — Reflection (graded by your instructor)
#
# In 150–250 words: choose the one utterance in Ms. Haidari's visit that you think did most to
# build her trust and the one that put it most at risk. For each, say what it did in the
# codebook's terms and how she might have experienced it. Then rewrite the riskier utterance so
# that it keeps its clinical purpose.
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

submit_button("a04-communication")
