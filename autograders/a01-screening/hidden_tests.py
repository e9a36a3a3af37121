# Hidden checks for a01-screening. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. Every score shown to learners is computed by the library
# (`bpscare.clinical.instruments.score`) in a readonly cell; the keys here are clinical
# judgments on those scores, sourced in the assignment's Sources:
# - bands and next steps: Kroenke & Spitzer, Psychiatric Annals 2002;32:509-515, Table 4;
# - proration (at most two PHQ-9 items missing): Arrieta et al. 2017 (qscorer);
# - GAD-7 of 10 or more: further evaluation (Spitzer et al. 2006; Kroenke et al. 2010);
# - item 9: any answer of 1-3, or no answer, calls for action at the same visit (Simon et al.
#   2013; Louzon et al. 2016; FHIR MII PRO PHQ-9 guidance);
# - follow-up of PHQ-9 15 or more within 4 weeks (course safety gate; Psychiatr Serv,
#   doi 10.1176/appi.ps.201400577).
# The script-concordance panels below are the course authors' ILLUSTRATIVE panel of 12 synthetic
# clinicians, written to teach aggregate scoring (Charlin et al. 2000; Lubarsky et al., AMEE Guide
# 75, 2013); they are not a published or empirically collected reference panel.
# Messages name the idea a learner missed, never a letter, a scale point or a key.

# %% grade_id="a01_q1_tests"
# LEAK-CANARY a01_q1_hidden
from bpscare.api import matching_credit

if a01_q1_matched is not None:
    checks.gate(
        lambda: a01_q1_matched["Mr. Nowak"] != "E",
        "A PHQ-9 of 15 or more calls for the next contact within 4 weeks; a plan that waits "
        "longer lets moderately severe depression go unwatched.",
    )
    for person, accepted, idea in [
        (
            "Mr. Diallo",
            "C",
            "Mr. Diallo: with one item skipped, a prorated total is valid and is read in its band "
            "like any other total.",
        ),
        (
            "Ms. Kobayashi",
            "F",
            "Ms. Kobayashi: with three or more items skipped, no total can be trusted, and "
            "skipped items are never scored as 'Not at all'.",
        ),
        (
            "Ms. Rivera",
            "H",
            "Ms. Rivera: a positive GAD-7 is a screen that calls for further evaluation, not a "
            "diagnosis, and it does not explain away physical symptoms still being assessed.",
        ),
        (
            "Mr. Nowak",
            "D",
            "Mr. Nowak: review what a moderately severe PHQ-9 calls for, and how soon.",
        ),
        (
            "Ms. Rahman",
            "B",
            "Ms. Rahman: review the proposed next step for a mild PHQ-9 total.",
        ),
    ]:
        checks.credit(
            lambda person=person, accepted=accepted: matching_credit(
                {person: a01_q1_matched[person]}, {person: accepted}
            ),
            0.6,
            idea,
        )

# %% grade_id="a01_q2_tests"
# LEAK-CANARY a01_q2_hidden
from bpscare.api import harmful_choices, key_feature_credit

if a01_q2_chosen is not None:
    checks.gate(
        lambda: not harmful_choices(a01_q2_chosen, {"B", "F"}),
        "One choice would let a person who reported thoughts of self-harm leave without a risk "
        "assessment: an item-9 answer above 0 calls for it today, whatever the total.",
    )
    checks.gate(
        lambda: "A" in a01_q2_chosen,
        "What a positive item 9 calls for today is a suicide-risk assessment at this visit, "
        "before the person leaves; every other step depends on it.",
    )
    checks.credit(
        lambda: key_feature_credit(a01_q2_chosen, {"A", "C", "E"}, select_up_to=3),
        3,
        "Review what follows the risk assessment before the person leaves, and how the team "
        "makes sure the answer is followed up (choosing more than three actions scores 0).",
    )

# %% grade_id="a01_q3_tests"
# LEAK-CANARY a01_q3_hidden
if a01_q3_chosen is not None:
    checks.gate(
        lambda: a01_q3_chosen == "B",
        "An unanswered item 9 cannot rule out risk, and proration does not answer it: it is "
        "asked in person at this visit.",
    )
    checks.credit(
        lambda: 1.0 if a01_q3_chosen == "B" else 0.0,
        1,
        "Review what an unanswered item 9 calls for before the person leaves.",
    )

# %% grade_id="a01_q4_tests"
# LEAK-CANARY a01_q4_hidden
from bpscare.api import concordance_credit

# Illustrative panel of 12 (course authors): answers to (a) and (b).
a01_q4_panel_a = {"-2": 7, "-1": 4, "0": 1, "+1": 0, "+2": 0}
a01_q4_panel_b = {"-2": 3, "-1": 7, "0": 2, "+1": 0, "+2": 0}
if a01_q4_a is not None and a01_q4_b is not None:
    checks.credit(
        lambda: concordance_credit(a01_q4_a, a01_q4_panel_a),
        1,
        "(a) Most of the panel judged this differently: consider how long symptoms must last "
        "for a major depressive episode, and what a PHQ-9's two-week recall can show after a "
        "recent loss.",
    )
    checks.credit(
        lambda: concordance_credit(a01_q4_b, a01_q4_panel_b),
        1,
        "(b) Most of the panel judged this differently: consider what a much lower untreated "
        "score two weeks later says about a single raised screening result.",
    )

# %% grade_id="a01_q5_tests"
# LEAK-CANARY a01_q5_hidden
if a01_q5_chosen is not None:
    checks.credit(
        lambda: 1.0 if a01_q5_chosen == "C" else 0.0,
        1,
        "A screen sorts people for further assessment; sensitivity and specificity describe the "
        "test in people with and without the condition, not the chance that this person has it, "
        "and only a clinical assessment makes the diagnosis.",
    )
