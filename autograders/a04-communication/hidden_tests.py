# Hidden checks for a04-communication. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. Messages name the idea that was missed, never a letter or a code.

# %% grade_id="a04_q1_coding_tests"
# LEAK-CANARY a04_q1_hidden
# The codes the expert panel ACCEPTS for each utterance of Ms. Haidari's visit (a transcript that
# exists only in this assignment). The panel is the course authors' illustrative panel, not a
# published one. The panel's primary coding is the first code of each entry (and key.yaml's saved
# answer; an instructor can compare a class's codings with it by Cohen's kappa, which the
# library computes); a second code is accepted where the codebook allows two readings:
#   #11 "I'll lose my job ..." is a threat to work, which the codebook lets a coder read as a
#       cue (empathic_opportunity), although the panel's primary reading is an answer (other);
#   #12 is then the reply slot (rule R: empathic_response) or, as primarily coded, validation.
from bpscare.api import coding_credit

A04_ACCEPTED = {
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
    "11": ("other", "empathic_opportunity"),
    "12": ("validation", "empathic_response"),
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
# (utterances, points, the kind of moment, as feedback). Points sum to 6.
A04_MOMENTS = [
    (
        ("3", "5"),
        1.0,
        "Review how the visit opened: whether she was invited to set the agenda, and whether "
        "she was allowed to finish her opening statement before the next question came.",
    ),
    (
        ("9", "10", "11", "12"),
        2.0,
        "Missed empathic opportunity after a cue of worry: review where she voiced fear or a "
        "threat to her work, and what the clinician's reply did with it (codebook rule R).",
    ),
    (
        ("7", "16"),
        1.0,
        "Review the form of the clinician's questions, open or closed, whatever their topic.",
    ),
    (
        ("13",),
        0.5,
        "Review where a clinical term reached her unexplained; her next question is the clue.",
    ),
    (
        ("19", "21"),
        1.0,
        "Review how the visit closed: checking understanding in her own words, and telling her "
        "which signs should make her call, and how soon.",
    ),
    (
        ("1", "2", "4", "6", "8", "14", "15", "17", "18", "20", "22"),
        0.5,
        "Some lines that greet, answer, explain or plan were given a behaviour code: code what "
        "a line does, not what it mentions, and keep her own lines to the codes a patient's "
        "line can take.",
    ),
]
for a04_lines, a04_points, a04_message in A04_MOMENTS:
    checks.credit(
        lambda a04_lines=a04_lines: coding_credit(
            a04_codes, {n: A04_ACCEPTED[n] for n in a04_lines}
        ),
        a04_points,
        a04_message,
    )

# %% grade_id="a04_q2_tests"
# LEAK-CANARY a04_q2_hidden
# Key features of a safe close (Module 4 lesson 1; AHRQ Tool 5; NICE NG19): teach-back about
# the action (B); specific warning signs with what to do and how fast (D); how to reach the team
# out of hours and when the plan is reviewed (E). F delays a possible foot infection or acute
# Charcot foot, which NICE NG19 says needs referral within one working day: a harmful choice.
if isinstance(a04_q2_chosen, tuple):
    from bpscare.api import harmful_choices, key_feature_credit

    checks.gate(
        lambda: not harmful_choices(a04_q2_chosen, {"F"}),
        "One choice tells her to wait with signs of a foot problem that needs to be seen "
        "within one working day.",
    )
    checks.credit(
        lambda: key_feature_credit(a04_q2_chosen, {"B"}, select_up_to=3),
        1,
        "A complete close asks her to say or show, in her own words, what she will do; a "
        "yes/no question does not test how well it was explained.",
    )
    checks.credit(
        lambda: key_feature_credit(a04_q2_chosen, {"D"}, select_up_to=3),
        1,
        "A safety-net names the specific signs that should make her call, what to do and how "
        "soon; 'come back if there are problems' names none.",
    )
    checks.credit(
        lambda: key_feature_credit(a04_q2_chosen, {"E"}, select_up_to=3),
        1,
        "A safety-net also says how to reach the team, including out of hours, and when the "
        "plan will be reviewed.",
    )

# %% grade_id="a04_q3_tests"
# LEAK-CANARY a04_q3_hidden
# Key: C. A misreads the NNT as a ratio; B drops the placebo comparison (28 is the EXTRA number
# helped, not the number helped); D turns people into an amount of pain; E is accurate jargon;
# F is false reassurance. Figures: Finnerup et al., Lancet Neurol 2015 (NNT 3.6 for TCAs).
checks.credit(
    lambda: 1.0 if a04_q3_chosen == "C" else 0.0,
    2,
    "Review what a number needed to treat compares: the extra people helped beyond those who "
    "improve on a dummy pill, said as people out of 100, in plain words, with an honest "
    "statement of what happens if it does not help her.",
)
