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
# stepping over it, explaining a number in a way a person can use, checking that an explanation
# landed, and saying plainly what to do if things change. Module 1 described the trust cycle;
# this assignment asks you to recognise these moves in a visit and to use them yourself.
#
# | Part | What you do | Format | Points |
# |---|---|---|---|
# | 1 | Code Ms. Haidari's visit in the transcript widget and save it | coding | 6 |
# | 2 | Choose the statements that close her visit safely | key-feature | 3 |
# | 3 | Choose how to tell her what the new medicine may do | single best answer | 2 |
# | 4 | Rewrite a dismissive encounter and explain it with the trust cycle | rubric | 6 |
# | 5 | Reflect on the visit you coded | rubric | 3 |
#
# No part asks you to write code. The library does the counting and the arithmetic; you make
# the clinical judgements. Parts 1–3 are scored automatically after you submit; Parts 4 and 5
# are marked by your instructor with an analytic rubric.
#
# **Competencies:** ACGME Interpersonal and Communication Skills, Patient Care, Medical
# Knowledge and Professionalism; AAMC Core EPA 1 (gather a history).
#
# **Sources.** Coding scheme: the course codebook (`bpscare/data/transcripts/CODEBOOK.md`),
# drawn from RIAS (Roter & Larson, *Patient Educ Couns* 2002;46:243–251) and the
# empathic-opportunity model (Suchman et al., *JAMA* 1997;277:678–682). Teach-back: AHRQ Health
# Literacy Universal Precautions Toolkit, Tool 5 (DeWalt et al., AHRQ Pub. 10-0046-EF, 2010; 2nd
# ed. 2015). Diabetic foot problems: NICE guideline NG19, *Diabetic foot problems: prevention
# and management* (2015, since updated). Neuropathic pain medicines: Finnerup et al., *Lancet
# Neurol* 2015;14:162–173. Natural frequencies: Gigerenzer & Hoffrage, *Psychol Rev*
# 1995;102:684–704; IPDAS (Elwyn et al., *BMJ* 2006;333:417). The trust cycle as a working
# model: Module 1, lesson 1, and its sources (Kelley et al., *PLoS One* 2014;9:e94207;
# Birkhäuer et al., *PLoS One* 2017;12:e0170988). Calgary–Cambridge guide: Kurtz, Silverman &
# Draper, *Teaching and Learning Communication Skills in Medicine*, 2nd ed., 2005.

# %% [markdown]
# ## Part 1 — Code a follow-up visit (coding, 6 points)
#
# Ms. Farida Haidari is 52, works in a school kitchen and has type 2 diabetes. She has come back
# because her feet burn at night. *(A synthetic encounter written for this assignment; it is
# not one of the course's bundled transcripts.)*
#
# Code every utterance with one code from the codebook (open the **Codebook** panel in the
# widget; when two codes fit, the precedence rules in section 4 of the codebook decide). Then
# press **Save**: the widget saves your coding as `a04_transcript_codes`, next to this notebook,
# and it is submitted with it. **Check my coding** applies the codebook's public rules (which
# codes a patient's line can take, and what counts as a reply to a cue); it does not compare
# you with the experts.
#
# **How it is scored.** For each utterance, an expert panel lists the codes it accepts; where
# two codes are defensible (a line that can fairly be read as a cue, for example), both earn
# credit. You earn the share of utterances given an accepted code, weighted towards the moments
# that matter most for trust: how the visit opened, how her worries were met, the form of the
# questions, plain language, and how the visit closed; the lines that only greet, answer,
# explain or plan count for less. Uncoded utterances earn nothing, so code all 22. Feedback after submission names the kind of moment you missed, not the codes.
#
# The codebook's precedence rules (section 4), by code id:
#
# ```
# A clinician's line takes the first code that applies:
# stigmatizing_descriptor
# dismissal
# interruption
# empathic_response or missed_opportunity (only the first reply to a cue)
# safety_netting
# teach_back
# agenda_elicitation
# validation
# jargon
# open_question
# closed_question
# other
#
# A patient's line (also a family member's or an interpreter's) takes one of:
# interruption
# empathic_opportunity
# other
# ```
#
# *Optional warm-up (not graded):* the **Transcript annotation** practice app lets you code the
# course's teaching transcript, whose expert coding is public teaching material. There, **Check
# my coding** shows your agreement with the expert coding as Cohen's kappa, computed by the
# library (Cohen, *Educ Psychol Meas* 1960;20:37–46; bands from Landis & Koch, *Biometrics*
# 1977;33:159–174).

# %% grading="readonly" grade_id="a04_q1_transcript"
# Ms. Haidari's visit: (number, start s, end s, speaker, text). Run this cell, then code the
# visit in the widget it shows and press Save.
from bpscare.api import TranscriptAnnotatorView, transcript_from_dict

HAIDARI_VISIT_ID = "t90-haidari-feet"
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

# The transcript model needs a code on every line, so each carries the placeholder "other".
# It is NOT an expert coding: the widget below never compares you with it.
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
    assignment="a04-communication",
    practice=True,
    compare_with_expert=False,
    load=lambda _id: haidari_visit,
)

# %% grading="tests" grade_id="a04_q1_coding_tests" points=6 format="coding" competencies="ACGME-ICS EPA-01"
"""Part 1: how far the saved coding of Ms. Haidari's visit matches what the expert panel accepts."""
from bpscare.api import Checks, submitted_answer

checks = Checks(points=6, title="Part 1, coding Ms. Haidari's visit", after_submit=6)
a04_saved = checks.answer(
    lambda: submitted_answer(
        "a04_transcript_codes", kind="transcript_codes", assignment="a04-communication"
    )
)
if a04_saved is not None:
    checks.gate(
        lambda: isinstance(a04_saved, dict) and a04_saved.get("transcript_id") == HAIDARI_VISIT_ID,
        "The saved coding is not of Ms. Haidari's visit: code her visit in the widget above "
        "and press Save again.",
    )
a04_codes = (
    {str(n): str(code) for n, code in a04_saved["codes"].items()}
    if isinstance(a04_saved, dict) and isinstance(a04_saved.get("codes"), dict)
    else {}
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 2 — Closing her visit safely (key-feature, 3 points)
#
# Dr. Lindqvist has started Ms. Haidari on a medicine for the nerve pain and asked the nurse to
# show her how to check her feet. Her feet have reduced protective sensation, so a small injury
# can go unnoticed. NICE NG19 asks that a new foot problem, such as an infected or hot, swollen
# foot, be referred to the foot care team within 1 working day, and that a foot problem with
# fever or signs of sepsis go to acute care at once. There are two minutes left. A complete
# close checks that she can use what she was told (teach-back; AHRQ Tool 5) and gives her a
# safety-net: what to watch for, what to do and how fast, how to reach the team, and when the
# plan is reviewed (Module 4, lesson 1).
#
# **Choose up to three** statements that, said together, close her visit safely. Choosing
# more than three scores 0.
#
# - **A.** "Does all of that make sense?"
# - **B.** "I want to be sure I explained it well: can you show me how you'll check your feet
#   tonight, and tell me what you'd do if you found a cut?"
# - **C.** "Any problems at all, just come back and see us."
# - **D.** "If you find a cut, blister or sore that isn't healing after two days, if redness or
#   swelling spreads, if your foot feels hot, or if you get a fever, call us that same day."
# - **E.** "This is the clinic number; after six in the evening it goes to the on-call nurse.
#   We'll phone you in two weeks to ask how the medicine is suiting you, and see you in four."
# - **F.** "If your foot turns red, hot and swollen, that can wait for your check-up in three
#   months."
# - **G.** "You know you need to check your feet every day, right?"
# - **H.** "Let's see how it goes with the new medicine."

# %% grading="choice" grade_id="a04_q2_choice"
a04_q2 = ""  # up to three letters, e.g. "A, C"

# %% grading="tests" grade_id="a04_q2_tests" points=3 format="key-feature" competencies="ACGME-ICS ACGME-PC"
"""Part 2: the statements that close Ms. Haidari's visit safely."""
from bpscare.api import Checks, read_choices

checks = Checks(points=3, title="Part 2, closing her visit safely", after_submit=3)
a04_q2_chosen = checks.answer(lambda: read_choices(a04_q2, "ABCDEFGH"))
if a04_q2_chosen is not None:
    checks.gate(
        lambda: len(a04_q2_chosen) <= 3,
        "Choose at most three statements: a key-feature item scores 0 when more are chosen.",
    )
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 3 — Telling her what the medicine may do (single best answer, 2 points)
#
# Dr. Lindqvist plans a low dose of amitriptyline at bedtime, a tricyclic medicine used here
# for nerve pain, not for depression. Ms. Haidari asks: *"Will this tablet take the burning
# away?"*
#
# The evidence: in a systematic review and meta-analysis of randomised, placebo-controlled
# trials in neuropathic pain, the number needed to treat (NNT) for tricyclic antidepressants,
# for one more person to have their pain at least halved than with a placebo, was 3.6 (95 % CI
# 3.0–4.4; Finnerup et al., *Lancet Neurol* 2015;14:162–173). The same review found signs
# that published trials overstate treatment effects by about 10 %, so treat the figure as
# approximate. Run the cell: the library turns that NNT into a natural frequency and an icon
# array (one symbol per person out of 100).

# %% grading="readonly" grade_id="a04_q3_figures"
from bpscare.api import icon_array, natural_frequency

nnt = 3.6  # tricyclics, >= 50 % pain relief vs placebo (Finnerup et al., Lancet Neurol 2015)
extra_per_100 = round(100 / nnt)
print("Extra people whose pain is at least halved, compared with a dummy pill:")
print("  ", natural_frequency(extra_per_100), "(Finnerup et al., Lancet Neurol 2015)")
print("\nThe extra people helped, out of 100 who take it:")
for row in icon_array(extra_per_100):
    print(row)

# %% [markdown]
# Which answer to her question is the clearest **and** accurate? Write one letter.
#
# - **A.** "This tablet works 3.6 times better than a dummy pill."
# - **B.** "About 28 out of every 100 people who take it have their pain halved."
# - **C.** "In studies of people with nerve pain, out of every 100 who took this kind of
#   medicine, about 28 more had their pain at least halved than out of 100 who took a dummy
#   pill. So it helps a fair number of people, not everyone. We'll know within a few weeks
#   whether it helps you, and if it doesn't, there are other options."
# - **D.** "It cuts nerve pain by 28 per cent."
# - **E.** "The number needed to treat is 3.6, which is very good for this kind of drug."
# - **F.** "Most people find it takes the burning away completely, so you'll be fine."

# %% grading="choice" grade_id="a04_q3_choice"
a04_q3 = ""  # one letter

# %% grading="tests" grade_id="a04_q3_tests" points=2 format="single-best-answer" competencies="ACGME-ICS ACGME-MK"
"""Part 3: telling Ms. Haidari, in natural frequencies, what the medicine may do."""
from bpscare.api import Checks, read_choice

checks = Checks(points=2, title="Part 3, what the medicine may do", after_submit=2)
a04_q3_chosen = checks.answer(lambda: read_choice(a04_q3, "ABCDEF"))
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown] grading="task" grade_id="a04_q4_trust_cycle" points=6 format="rubric" competencies="ACGME-ICS ACGME-PROF"
# ## Part 4 — Rewriting a dismissive encounter (graded by your instructor, 6 points)
#
# This part is about the course's central idea. Mr. Tomás Herrera, 47, drives a forklift in a
# warehouse. For five months he has had cramping lower abdominal pain and loose stools on and
# off. His blood tests and a stool test for bowel inflammation came back normal. He has missed
# four shifts this month. *(A synthetic encounter written for this assignment.)*
#
# > **Clinician:** Good news: all your tests are normal.
# >
# > **Mr. Herrera:** So what's causing it? My supervisor is asking questions, and I'm up half
# > the night with it.
# >
# > **Clinician:** Honestly, it's probably just stress. Try to relax more, and come back if it
# > gets worse.
# >
# > **Mr. Herrera:** … Okay.
#
# Two weeks later he attends the emergency department at night with the same pain.
#
# In **150–300 words**:
#
# 1. **Rewrite the clinician's two turns** (you may add one or two exchanges) so that they keep
#    the clinical facts (the tests are normal, and what they do and do not rule out) and repair
#    what was missing.
# 2. **Explain the change with the trust cycle** from Module 1: how feeling heard might let
#    arousal settle, and how that could change his symptoms and his engagement with care; and
#    how trust runs both ways (your belief in his account, his trust in you). Present it as the
#    course does, as a **working model**: say what the evidence supports and what it does not.
#
# Use person-first, non-stigmatizing language. The rubric follows the Calgary–Cambridge guide.

# %% [markdown]
# *Write your answer here.*

# %% [markdown] grading="task" grade_id="a04_q5_reflection" points=3 format="rubric" competencies="ACGME-ICS"
# ## Part 5 — Reflection (graded by your instructor, 3 points)
#
# In 150–250 words: choose the one utterance in Ms. Haidari's visit that you think did most to
# build her trust and the one that put it most at risk. For each, say what it did in the
# codebook's terms and how she might have experienced it. Then rewrite the riskier utterance so
# that it keeps its clinical purpose.

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Submitting from Binder
#
# When you have finished, press **Save** in the coding widget, save this notebook (Ctrl+S) and
# press **Prepare my submission**. It packs this folder (the notebook and your saved answer
# files) into a zip with a manifest; upload that zip to your course page in the LMS. On
# JupyterHub, use the Assignments tab instead.

# %%
from bpscare.api import submit_button

submit_button("a04-communication")
