# Hidden checks for a03-bias-evidence. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. The keys are here and in key.yaml only. Feedback names the idea a
# learner missed, never the key's letters or numbers.
#
# The script-concordance panel (Question 4) is the course authors' illustrative panel of 12
# synthetic clinicians, written to show aggregate scoring (Charlin et al., Teach Learn Med
# 2000;12:189-195; Lubarsky et al., AMEE Guide 75, 2013). It is not a published panel.

# %% grade_id="a03_q1_tests"
# LEAK-CANARY a03_q1_hidden
a03_q1_why = {
    "A": "An odds ratio is not 'times as likely': when the outcome is common it lies further "
    "from 1 than the risk ratio, so 'less likely' is stated with the rates or the risk ratio.",
    "C": "An odds ratio compares the odds in two groups; it is not the share of one group that "
    "received treatment.",
    "D": "An observational disparity shows that treatment differed, not why it differed: an "
    "interval that excludes 1 rules out chance as the only explanation, not other causes.",
    "E": "A risk ratio and an odds ratio of the same table differ whenever the outcome is "
    "common; both can be right, and the rates say which is easier to read.",
}
checks.credit(
    lambda: 1.0 if chosen == "B" else 0.0,
    2,
    a03_q1_why.get(
        chosen, "Report a crude disparity with the two rates and the ratio that fits them."
    ),
)

# %% grade_id="a03_q2_tests"
# LEAK-CANARY a03_q2_hidden
a03_q2_why = {
    "A": "A gap that disappears within levels of a third variable is explained by how people "
    "are spread across those levels, not shown to be absent: if that variable (here triage "
    "level) can itself be assigned unequally, adjusting for it can hide a disparity.",
    "C": "The audit records triage level, not pain; it cannot show that one group had less "
    "severe pain.",
    "D": "When a ratio is the same within every level of a third variable, that variable "
    "explains the crude gap; setting the stratified results aside ignores confounding.",
    "E": "Audit counts show that visits were spread differently across triage levels, not what "
    "any individual nurse thought; the next step is to ask how triage levels were assigned.",
}
checks.credit(
    lambda: 1.0 if chosen == "B" else 0.0,
    2,
    a03_q2_why.get(
        chosen, "Review what a crude gap that vanishes within strata does and does not show."
    ),
)

# %% grade_id="a03_q3_tests"
# LEAK-CANARY a03_q3_hidden
from bpscare.api import matching_credit  # noqa: E402

a03_q3_key = {"1": "A", "2": "B", "3": "C", "4": "D", "5": "E", "6": "F"}
a03_q3_idea = {
    "1": "result 1: what kind of difference is expressed in percentage points",
    "2": "result 2: what dividing one group's rate by another's gives",
    "3": "result 3: how an odds ratio behaves when the outcome is common",
    "4": "result 4: what a 95 % interval that includes 1 tells you",
    "5": "result 5: what a gap that remains within each pain category tells you",
    "6": "result 6: what a crude gap that vanishes within levels of a third variable tells you",
}
a03_q3_missed = [a03_q3_idea[v] for v, ok in a03_q3_key.items() if (matched or {}).get(v) != ok]
checks.credit(
    lambda: matching_credit(matched, a03_q3_key),
    3,
    "Review " + "; ".join(a03_q3_missed) + "." if a03_q3_missed else "Review the matches.",
)

# %% grade_id="a03_q4_tests"
# LEAK-CANARY a03_q4_hidden
from bpscare.api import concordance_credit  # noqa: E402

a03_q4_panel = {  # the course authors' illustrative panel of 12 (not a published panel)
    "a": {"-2": 0, "-1": 1, "0": 3, "+1": 7, "+2": 1},
    "b": {"-2": 0, "-1": 2, "0": 7, "+1": 3, "+2": 0},
}
checks.credit(
    lambda: concordance_credit(judged["a"], a03_q4_panel["a"]),
    1.5,
    "Item 4a: most of the panel judged this differently. Ask whether the new information "
    "removes an alternative explanation (differences in pain severity between the groups).",
)
checks.credit(
    lambda: concordance_credit(judged["b"], a03_q4_panel["b"]),
    1.5,
    "Item 4b: most of the panel judged this differently. An interval that includes 1 neither "
    "confirms a difference nor rules one out; it is compatible with both.",
)

# %% grade_id="a03_q5_tests"
# LEAK-CANARY a03_q5_hidden
a03_q5_why = {
    "A": "The 11-second figure is a median among the encounters in which the agenda was "
    "elicited and the patient was interrupted, not an average over every patient or clinician.",
    "C": "The study timed interruptions, not how long patients need: those who were not "
    "interrupted finished in a median of 6 seconds, and a statement cut short can lose concerns.",
    "D": "A descriptive study of recorded encounters counts how often and how soon interruptions "
    "happen; it does not measure why. Links with implicit bias come from other studies.",
    "E": "The 11 seconds is the median time to an interruption, not the length of the statements "
    "of patients who were not interrupted.",
}
checks.credit(
    lambda: 1.0 if chosen == "B" else 0.0,
    2,
    a03_q5_why.get(chosen, "State a research figure with the population it describes."),
)

# %% grade_id="a03_q6_tests"
# LEAK-CANARY a03_q6_hidden
# (The public part of the cell already gates choosing more than four.)
from bpscare.api import key_feature_credit  # noqa: E402

checks.credit(
    lambda: key_feature_credit(flagged, {"1", "3", "6", "10"}, select_up_to=4),
    4,
    "Look again for each kind of biased wording: a label for the person, doubt cast on what "
    "she reports, disapproval of her care, and a judgment that withholds treatment. Routine "
    "questions and the person's own words are not biased language.",
)

# %% grade_id="a03_q7_tests"
# LEAK-CANARY a03_q7_hidden
# (The public part of the cell already gates choosing more than two.)
from bpscare.api import harmful_choices, key_feature_credit  # noqa: E402, F811

checks.gate(
    lambda: actions is None or not harmful_choices(actions, {"B", "D"}),
    "One choice would withhold or bias her pain treatment because of a label rather than an "
    "assessment: in a randomized vignette study, a note with stigmatizing language led "
    "physicians-in-training to manage the same patient's pain less aggressively (Goddu et al. "
    "2018).",
)
checks.credit(
    lambda: key_feature_credit(actions, {"A", "C"}, select_up_to=2),
    2,
    "What matters most tonight is treating the pain she reports on its clinical merits and "
    "leaving a record the next team can trust; doubting her rating or ordering tests she does "
    "not need does neither.",
)
