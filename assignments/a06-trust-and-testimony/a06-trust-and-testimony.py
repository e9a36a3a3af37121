# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a06_intro"
# # Assignment 6 — Trust and testimony: speaking up, a person's own account, and explaining a functional diagnosis
#
# Trust runs both ways. This assignment asks how you act when a senior's words about a patient
# do harm, how you give a person's own account the weight it deserves in notes and in your
# reasoning, how fatigue and uncertainty change what you hear, and how you explain a functional
# diagnosis so that the explanation itself helps. It assesses the four lessons of module m06.
#
# | Part | What you do | Format | Points |
# |---|---|---|---|
# | 1 | Choose up to four actions as a bystander on a ward round | key-feature | 3 |
# | 2 | Match six note phrases and encounter moments to what they do to a person's account | extended matching | 3 |
# | 3 | Judge how new information should change your reasoning (four items) | script concordance | 2 |
# | 4 | Rewrite a note excerpt so that it gives the person's account its due weight, and say why | short text, rubric | 2 |
# | 5 | Explain functional seizures to Ms. Kahale and her aunt | short text, rubric | 4 |
#
# **How to answer.** Parts 1–3: write letters (or a scale point) between the quotes, e.g.
# `a06_q1 = "B, D"`. Running the cell under each answer checks only that your answer can be
# read; the points are scored after you submit. Parts 4 and 5: write in the markdown cell under
# the task; your instructor marks them with a rubric. No part needs any code.
#
# **Content note.** Some cells quote stigmatizing words ("frequent flyer", "claims",
# "psychosomatic", "faking") that patients and learners report hearing. They appear only to
# teach why they harm, and you will not be asked to use them.
#
# **Competencies:** ACGME Professionalism, Interpersonal and Communication Skills and Patient
# Care; AAMC Core EPA 5 (document a clinical encounter) and EPA 13 (identify system failures and
# contribute to a culture of safety); IPEC Values and Ethics.
#
# **Sources.** Hidden curriculum: Hafferty & Franks, *Acad Med* 1994;69:861–871. Bystander
# options (the 5Ds): Right To Be, righttobe.org (a practice framework). Stigmatizing language
# in notes changes attitudes and pain treatment: Goddu et al., *J Gen Intern Med*
# 2018;33:685–691. Doubt markers in notes as testimonial injustice: Beach et al., *J Gen Intern
# Med* 2021;36:1708–1714; the concept: Fricker, *Epistemic Injustice*, Oxford University Press,
# 2007; Carel & Kidd, *Med Health Care Philos* 2014;17:529–540. Diagnostic overshadowing:
# Shefer et al., *PLoS One* 2014;9:e111682. Missed cardiac ischaemia in women under 55: Pope et
# al., *N Engl J Med* 2000;342:1163–1170. Burnout: West et al., *J Intern Med* 2018;283:516–529.
# Explaining functional seizures: Hall-Patch et al., *Epilepsia* 2010;51:70–78; Stone, Carson &
# Hallett, "Explanation as treatment for functional neurologic disorders", *Handb Clin Neurol*
# 2016;139, chapter 44 (PMID 27719870); Stone, "Functional neurological disorders: the
# neurological assessment as treatment", *Pract Neurol* 2016;16:7–17. Item formats:
# key-feature problems, Page & Bordage, *Acad Med* 1995;70:104–110; script concordance, Charlin
# et al., *Teach Learn Med* 2000;12:189–195; extended matching, Case & Swanson, NBME 2002.
# Every patient in this assignment is synthetic.

# %% [markdown]
# ## Part 1 — On the ward round (key-feature, 3 points)
#
# *Synthetic case, written for this course.* Rafael Quispe (he/him), 44, is a piano tuner and
# the father of two teenagers. He lives with panic disorder, and this year he has come to the
# emergency department five times with chest tightness and a racing heart; each time his ECG
# and blood tests were normal. Last night he was admitted to the short-stay medical unit. At
# 3 a.m. he told you, the medical student on the team, that this time feels different: a sharp
# pain on the right side of his chest when he breathes in, which began two days after he flew
# back from visiting his mother in Lima, and his left calf has been sore and swollen since the
# flight. You wrote it down.
#
# At 8 a.m. the team gathers at the desk, within earshot of his bay. Before anyone has seen him,
# the senior resident says: *"Bed 12 is a frequent flyer. It's all psychosomatic. Discharge him
# after rounds, and put 'known frequent attender, anxiety' on the summary."* You are the most
# junior person on the team.
#
# Which actions would you take? **Choose up to four.** Choosing more than four scores 0.
#
# - **A.** On rounds, bring his account back as a question: "He told me overnight that this
#   pain is different — sharp when he breathes in, since a long flight, with a swollen left
#   calf. Could we examine him for that before we decide about discharge?"
# - **B.** Say nothing on rounds: the senior knows him, and every earlier test was normal.
# - **C.** Tell the senior, in front of the team and within his hearing, that the remark is
#   unprofessional and that they owe him an apology.
# - **D.** Copy the senior's wording into the discharge summary as asked, so that the team's
#   notes agree.
# - **E.** Later that morning, go back to Mr. Quispe: acknowledge that he may have heard what
#   was said, tell him what the team is doing about his new symptoms, and ask what he would like
#   to know.
# - **F.** After rounds, in private, tell the senior what you noticed about the words and why
#   they worried you; or, if that does not feel safe for you, raise it with your supervisor or
#   clerkship director.
# - **G.** Write his account plainly in your note: the new pain and its pattern, the flight, the
#   calf, the red flags you asked about, and how many visits he has made and why, without labels.
# - **H.** Mention the remark only in your anonymous end-of-rotation evaluation, weeks later.

# %% grading="choice" grade_id="a06_q1_bystander"
a06_q1 = ""  # up to four letters, e.g. "B, D"

# %% grading="tests" grade_id="a06_q1_bystander_tests" points=3 format="key-feature" competencies="ACGME-PROF ACGME-ICS IPEC-VE EPA-13"
"""Part 1: which bystander actions protect Mr. Quispe today and afterwards?"""
from bpscare.api import Checks, read_choices

checks = Checks(points=3, title="Part 1, on the ward round", after_submit=3)
q1_chosen = checks.answer(lambda: read_choices(a06_q1, "ABCDEFGH"))
if q1_chosen is not None:
    checks.gate(
        lambda: len(q1_chosen) <= 4,
        "Choose up to four actions: a key-feature item scores 0 when more are chosen.",
    )
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 2 — What a phrase does to a person's account (extended matching, 3 points)
#
# For each vignette, choose the **one** option that best names what the phrase or moment does.
# An option may be used once, more than once, or not at all. All the people are synthetic.
#
# **Options**
#
# - **A.** Quotation marks around the person's own words, which signal doubt about them
# - **B.** A judgment word that casts the person's report as unreliable, or the person as
#   stubborn
# - **C.** A label that replaces information about why the person keeps coming back
# - **D.** Speaking past the person to someone else, as if their own account were secondary
# - **E.** Diagnostic overshadowing: a new physical symptom put down to a known mental-health
#   diagnosis without being assessed
# - **F.** Records the person's account plainly, giving it its due weight
# - **G.** Hermeneutical injustice: the person lacks shared words for an experience, or their
#   words are not taken up
#
# **Vignettes**
#
# 1. A note about Lucía Ramírez, 67: "Pt claims she takes her blood-pressure tablets every day;
#    denies missing doses."
# 2. A note about Kwame Asante, 29: 'Pain "10/10" in the right ankle after the fall; he "can't"
#    put weight on it.'
# 3. At triage, Hoa Tran, 71, who speaks fluent English, sits beside her son. The nurse asks the
#    son where the pain is and what it is like.
# 4. Jonah Bergstrom, 35, who lives with bipolar disorder, describes the worst headache of his
#    life, which began suddenly while he was lifting a box. The note reads: "Headache, likely
#    anxiety related to his bipolar disorder. Neuro exam deferred."
# 5. A note about Amara Nwosu, 24: "Lower abdominal pain 8/10 since Tuesday, cramping, worse
#    before her periods for two years; ibuprofen 400 mg eases it for about three hours. No fever
#    or vomiting; pregnancy test negative."
# 6. The first line of a note about Dennis O'Leary, 58: "Frequent attender. Known to the
#    department."

# %% grading="choice" grade_id="a06_q2_testimony"
a06_q2_v1 = ""  # one letter, A-G
a06_q2_v2 = ""
a06_q2_v3 = ""
a06_q2_v4 = ""
a06_q2_v5 = ""
a06_q2_v6 = ""

# %% grading="tests" grade_id="a06_q2_testimony_tests" points=3 format="extended-matching" competencies="ACGME-ICS ACGME-PROF IPEC-VE"
"""Part 2: is each phrase or moment matched to what it does to the person's account?"""
from bpscare.api import Checks, ChoiceError, read_choice


def read_matches(written):
    """Read each vignette's letter; name the vignette when one cannot be read."""
    found = {}
    for vignette, value in written.items():
        try:
            found[vignette] = read_choice(value, "ABCDEFG")
        except ChoiceError as exc:
            msg = f"Vignette {vignette[1:]}: {exc}"
            raise ChoiceError(msg) from None
    return found


checks = Checks(points=3, title="Part 2, what a phrase does", after_submit=3)
q2_matches = checks.answer(
    lambda: read_matches(
        {
            "v1": a06_q2_v1,
            "v2": a06_q2_v2,
            "v3": a06_q2_v3,
            "v4": a06_q2_v4,
            "v5": a06_q2_v5,
            "v6": a06_q2_v6,
        }
    )
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 3 — How should this change your thinking? (script concordance, 2 points)
#
# *Synthetic case, written for this course.* Daniela Ferreira (she/her), 49, is a dental
# hygienist who lives with generalized anxiety disorder. She comes to urgent care with chest
# discomfort that began two hours ago. Her record shows four visits this year for palpitations,
# each with a normal ECG and troponin.
#
# Each item below is **independent**: read the starting thought, then consider only that item's
# new information, and write how it changes the thought, from **−2** to **+2**. Write the scale
# point between the quotes: `"-2"`, `"-1"`, `"0"`, `"+1"` or `"+2"`.
#
# | Item | If you were thinking… | …and then you find… | the thought becomes… |
# |---|---|---|---|
# | a | her chest discomfort is acute cardiac ischaemia | she describes a pressure that came on climbing the stairs at work, spread to her jaw and eased when she sat down; she says it is unlike her usual palpitations | −2 much less likely … +2 much more likely |
# | b | her own description of the pain is a reliable guide to what is happening today | a note from an earlier visit calls her "known anxious, frequent attender" | −2 much less likely … +2 much more likely |
# | c | of telling her now, "It's probably just your anxiety again" | her first ECG and troponin are normal, and a second troponin is due in two hours | −2 much less appropriate … +2 much more appropriate |
# | d | your growing doubt about her account comes from what she has told you | near the end of your sixth night shift in a row, you notice you have felt the same impatience and doubt about almost every patient tonight | −2 much less likely … +2 much more likely |
#
# Script-concordance items have no single right answer: each answer earns credit in proportion
# to how many members of a reference panel chose it (Charlin et al., 2000). The panel for these
# items is an illustrative panel assembled by the course authors, not a published one.

# %% grading="choice" grade_id="a06_q3_trust"
a06_q3a = ""  # one of "-2", "-1", "0", "+1", "+2"
a06_q3b = ""
a06_q3c = ""
a06_q3d = ""

# %% grading="tests" grade_id="a06_q3_trust_tests" points=2 format="script-concordance" competencies="ACGME-PC ACGME-ICS ACGME-PROF"
"""Part 3: how should each piece of new information change the clinician's thinking?"""
from bpscare.api import SCT_SCALE, Checks, read_choice

checks = Checks(points=2, title="Part 3, how your thinking should change", after_submit=2)
q3_answers = checks.answer(
    lambda: {
        "a": read_choice(a06_q3a, SCT_SCALE),
        "b": read_choice(a06_q3b, SCT_SCALE),
        "c": read_choice(a06_q3c, SCT_SCALE),
        "d": read_choice(a06_q3d, SCT_SCALE),
    }
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown] grading="task" grade_id="a06_q4_note_rewrite" points=2 format="rubric" competencies="ACGME-ICS IPEC-VE EPA-05"
# ## Part 4 — Rewrite a note (graded by your instructor, 2 points)
#
# *Synthetic case, written for this course.* Renata Kowalski (she/her), 36, drives a school bus.
# Her endometriosis was confirmed at laparoscopy five years ago. Last night an emergency
# clinician wrote this excerpt:
#
# > 36F, known to ED, frequent flyer. Pt claims 9/10 pelvic pain "like her endo flares",
# > insists only ketorolac works, denies fever. Non-compliant with gyn follow-up. Probably
# > drug-seeking.
#
# What she told the clinician: the pain began yesterday morning, low in the pelvis on both
# sides, like her usual flares but stronger; ketorolac in the emergency department ended her
# last two flares; she has had no fever, vomiting or unusual bleeding, and her pregnancy test
# today is negative. She missed her gynecology appointment in March because it was moved to a
# weekday morning, during her bus route, and she could not find cover. She has come to the
# emergency department three times in six months as her flares have become more frequent.
#
# In **80–150 words**: (1) rewrite the excerpt so that it records her account with its due
# weight and keeps every clinically useful fact; then (2) in two or three sentences, say what
# your changes do, and why they matter for the next clinician who reads the note and for her.
#
# Write your answer in the cell below.

# %% [markdown]
# *Write your answer here.*

# %% [markdown]
# ## Part 5 — Explaining functional seizures (graded by your instructor, 4 points)
#
# You met Leilani Kahale in lesson 04 of module m06. Run the cell below to read her case.

# %%
from bpscare.api import load_case

leilani = load_case("c13-functional-seizures")
print(leilani.summary)
print("\nHer experiences of care:")
for line in leilani.health_system_history.experiences:
    print(" -", line)
print("\nWhat helps her:")
for line in leilani.health_system_history.what_helps:
    print(" -", line)

# %% [markdown]
# **The scene.** You are the clinician on duty in the emergency department. An ambulance has
# brought Ms. Kahale in after one of her usual events at work. She has recovered fully, she was
# not injured, and the event was like her usual ones. Her aunt is with her. As you come in,
# Ms. Kahale says: *"Are you going to say I'm faking too?"* With her agreement, her aunt asks:
# *"So is it epilepsy or not? The ambulance form says 'pseudoseizures'."*
#
# You may draft your explanation in the practice tool below. Its checklist of elements
# (Hall-Patch et al., 2010) is feedback for practice only: it does not grade your answer and it
# saves nothing, so copy your final text into the answer cell under the task.

# %%
from bpscare.api import explanation_practice

explanation_practice(
    situation=(
        "Leilani Kahale, 22, has functional seizures confirmed on video-EEG. After one of her "
        "usual events, in the emergency department, she asks whether you think she is faking; "
        "her aunt asks whether it is epilepsy, because the ambulance form says "
        "'pseudoseizures'."
    ),
)

# %% [markdown] grading="task" grade_id="a06_q5_explanation" points=4 format="rubric" competencies="ACGME-ICS ACGME-PC"
# **Your task.** In **100–200 words**, write what you would say to Ms. Kahale and her aunt, in
# the words you would use. A good explanation of a functional diagnosis is itself part of
# treatment (Stone, Carson & Hallett, 2016): make clear that her seizures are real and common,
# say what the condition **is** (not only what it is not) and what the diagnosis rests on, say
# that it can improve, and give a plan: who will do what next, and when.
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

submit_button("a06-trust-and-testimony")
