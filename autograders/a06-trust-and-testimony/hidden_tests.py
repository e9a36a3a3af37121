# Hidden checks for a06-trust-and-testimony. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. Every message names the idea that was missed, never the key.
#
# Part 1 (key-feature; Page & Bordage, Acad Med 1995;70:104-110): the critical actions follow
# the 5Ds of bystander intervention (Right To Be) as taught in m06 lesson 01: Direct by a
# question that brings the person's account back, Delay/Delegate with the colleague, a repair
# with the patient, and neutral documentation. Two options are harmful and are gates.
# Part 2 (extended matching; Case & Swanson, NBME 2002): categories from Beach et al., J Gen
# Intern Med 2021;36:1708-1714, Fricker 2007 and Shefer et al., PLoS One 2014;9:e111682.
# Part 3 (script concordance, aggregate scoring; Charlin et al., Teach Learn Med
# 2000;12:189-195): the panels below are the course authors' ILLUSTRATIVE panel of 14 clinicians
# and educators, not a published panel; replace them with a real reference panel (10-15
# members; Gagnon et al., Med Educ 2005;39:284-291) before using these items for high stakes.

# %% grade_id="a06_q1_bystander_tests"
# LEAK-CANARY a06_q1_hidden
from bpscare.api import harmful_choices, key_feature_credit

if isinstance(q1_chosen, tuple):  # scored only when the answer could be read
    checks.gate(
        lambda: not harmful_choices(q1_chosen, {"B"}),
        "One choice lets a discharge go ahead without anyone hearing the new symptoms he "
        "reported: a bystander's first task is to put the person's own account back in front "
        "of the team.",
    )
    checks.gate(
        lambda: not harmful_choices(q1_chosen, {"D"}),
        "One choice carries a stigmatizing label into his record, where it shapes how the next "
        "clinician reads him and treats him (Goddu et al., 2018).",
    )
    checks.credit(
        lambda: key_feature_credit(q1_chosen, {"A", "E", "F", "G"}, select_up_to=4),
        3,
        "Review the 5Ds (m06 lesson 01): which moves protect the patient on the round itself, "
        "which repair the harm afterwards, with him and with the colleague, and which keep his "
        "record accurate. Neither a public confrontation nor a report weeks later helps him today.",
    )

# %% grade_id="a06_q2_testimony_tests"
# LEAK-CANARY a06_q2_hidden
from bpscare.api import matching_credit

if q2_matches is not None:
    checks.credit(
        lambda: matching_credit(
            q2_matches,
            {"v1": "B", "v2": "A", "v3": "D", "v4": "E", "v5": "F", "v6": "C"},
        ),
        3,
        "Review the markers of disbelief in notes (quotation marks, judgment words, labels; "
        "Beach et al., 2021), what speaking past a person and diagnostic overshadowing do to "
        "their testimony, and what a plainly recorded account looks like (m06 lesson 02).",
    )

# %% grade_id="a06_q3_trust_tests"
# LEAK-CANARY a06_q3_hidden
from bpscare.api import concordance_credit

# The course authors' illustrative panel (14 members), not a published one.
a06_q3_panel = {
    "a": {"-2": 0, "-1": 0, "0": 1, "+1": 4, "+2": 9},
    "b": {"-2": 1, "-1": 3, "0": 10, "+1": 0, "+2": 0},
    "c": {"-2": 9, "-1": 4, "0": 1, "+1": 0, "+2": 0},
    "d": {"-2": 5, "-1": 8, "0": 1, "+1": 0, "+2": 0},
}
a06_q3_messages = {
    "a": "Item a: review how a person's own description of a symptom changes the likelihood of "
    "a diagnosis, even when they live with anxiety (diagnostic overshadowing: Shefer et al., "
    "2014; missed cardiac ischaemia in women under 55: Pope et al., 2000).",
    "b": "Item b: review what a label copied from an earlier note does, and does not, tell you "
    "about the account a person gives today (testimonial injustice: Fricker, 2007; Beach et "
    "al., 2021).",
    "c": "Item c: review how to hold uncertainty honestly while results are pending: what is "
    "known, what is not, what happens next and when to come back (m06 lesson 03).",
    "d": "Item d: review how burnout, and depersonalization in particular, can change how a "
    "clinician hears patients' accounts, and what helps (West et al., 2018).",
}
if q3_answers is not None:
    for a06_item, a06_panel in a06_q3_panel.items():
        checks.credit(
            lambda a06_item=a06_item, a06_panel=a06_panel: concordance_credit(
                q3_answers[a06_item], a06_panel
            ),
            0.5,
            a06_q3_messages[a06_item],
        )
