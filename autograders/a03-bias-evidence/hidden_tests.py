# Hidden checks for a03-bias-evidence. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. Expected values are plain data: the cohort numbers are those of
# generate_ed_cohort(n=4000, seed=2027) (numpy's PCG64 stream), the ratios and intervals follow
# Katz 1978, Woolf 1955 and Mantel & Haenszel 1959, and the transcript values follow the
# definitions in the assignment (Singh Ospina et al. 2019).

# %% grade_id="a03_q1_rates_tests"
# LEAK-CANARY a03_q1_hidden
a03_rates = [("Black", 518, 1017), ("Hispanic", 568, 985), ("White", 1254, 1998)]
for a03_group, a03_events, a03_n in a03_rates:
    checks.equal(
        lambda a03_group=a03_group: analgesia_rates[a03_group],
        a03_events / a03_n,
        1,
        f"{a03_group}: {a03_events} of {a03_n} visits had analgesia. The rate is computed "
        "within each group (events in the group / visits in the group), not as the group's "
        "share of all visits with analgesia.",
    )
checks.equal(
    lambda: tuple(black_white_counts),
    (518, 499, 1254, 744),
    2,
    "The 2 x 2 table is (Black with analgesia, Black without, White with, White without).",
)

# %% grade_id="a03_q2_ratios_tests"
# LEAK-CANARY a03_q2_hidden
a03_expected = {
    ("risk", (30, 70, 50, 50)): (0.6, 0.4195114527435405, 0.8581410534698285),
    ("odds", (30, 70, 50, 50)): (0.42857142857142855, 0.23991818978964757, 0.7655670858003472),
    ("risk", (12, 88, 20, 180)): (1.2, 0.6114644525628116, 2.3550019857484332),
    ("odds", (12, 88, 20, 180)): (1.2272727272727273, 0.5741095362907958, 2.623538283022918),
}
a03_hint = {
    "risk": "RR = [a/(a+b)] / [c/(c+d)]",
    "odds": "OR = ad/bc, the ratio of the odds, not of the risks",
}
for (a03_kind, a03_table), a03_values in a03_expected.items():
    a03_fn = risk_ratio_ci if a03_kind == "risk" else odds_ratio_ci
    checks.equal(
        lambda a03_fn=a03_fn, a03_table=a03_table: a03_fn(*a03_table)[0],
        a03_values[0],
        1,
        f"The {a03_kind} ratio of {a03_table} is {a03_values[0]:.4f}: {a03_hint[a03_kind]}.",
        tolerance=1e-6,
    )
    checks.equal(
        lambda a03_fn=a03_fn, a03_table=a03_table: tuple(a03_fn(*a03_table)[1:]),
        a03_values[1:],
        1,
        f"The 95 % interval of the {a03_kind} ratio of {a03_table} is "
        f"{a03_values[1]:.4f} to {a03_values[2]:.4f}: work on the log scale, use z = 1.96 for "
        "95 %, and exponentiate.",
        tolerance=1e-4,
    )

# %% grade_id="a03_q3_mantel_haenszel_tests"
# LEAK-CANARY a03_q3_hidden
checks.equal(
    lambda: mh_odds_ratio([(10, 20, 30, 40), (5, 5, 10, 20)]),
    6.5 / 7.25,
    2,
    "For strata (10, 20, 30, 40) and (5, 5, 10, 20): sum(ad/n) = 4 + 2.5 and sum(bc/n) = 6 + "
    "1.25, so OR_MH = 0.897. Each stratum weights by its own size; it is not the mean of the "
    "stratum odds ratios (0.667 and 2.0).",
    tolerance=1e-6,
)
checks.equal(
    lambda: mh_odds_ratio([(30, 70, 50, 50)]),
    1500 / 3500,
    1,
    "With a single stratum the Mantel-Haenszel odds ratio equals that table's odds ratio.",
    tolerance=1e-6,
)
checks.equal(
    lambda: ed_mh_or,
    0.6003673246082993,
    2,
    "Stratified by pain category, the Mantel-Haenszel odds ratio for Black versus White "
    "patients is about 0.600: build one (a, b, c, d) table per pain category, then pool.",
    tolerance=1e-6,
)

# %% grade_id="a03_q4_interpretation_tests"
# LEAK-CANARY a03_q4_hidden
checks.equal(
    lambda: interpretation_choice,
    "B",
    2,
    "B reports an odds ratio as an odds ratio for patients with the same pain. A reads the "
    "odds ratio as 'times as likely' (that is the risk ratio, about 0.81 here); C contradicts "
    "the stratified result, which stays near 0.6; D mistakes a treatment gap for a difference "
    "in pain, although pain was compared within the same categories.",
)


# %% grade_id="a03_q5_transcript_tests"
# LEAK-CANARY a03_q5_hidden
def a03_frame(transcript_id):
    import pandas

    from bpscare.api import load_transcript

    utterances = load_transcript(transcript_id).utterances
    return pandas.DataFrame([u.to_dict() for u in utterances])


checks.equal(
    lambda: first_interruption_seconds(a03_frame("t04-ed-chest-pressure-handover")),
    13.5,
    2,
    "In the chest-pressure visit the opening statement starts at 12.7 s and the interruption "
    "comes at 26.2 s: 13.5 s. Time it from the start of the patient's opening statement, not "
    "from the start of the visit.",
)
checks.equal(
    lambda: first_interruption_seconds(a03_frame("t09-gi-clinic-closed-questions")),
    6.0,
    1,
    "In the GI visit no open question is asked, so the solicitation is the clinician's first "
    "utterance; the mother speaks next, and the patient's opening starts at 13.9 s: 6.0 s.",
)
checks.equal(
    lambda: first_interruption_seconds(a03_frame("t01-agenda-setting-fatigue")),
    None,
    1,
    "In the agenda-setting visit the clinician never interrupts: return None.",
)
checks.equal(
    lambda: clinician_talk_ratio(a03_frame("t04-ed-chest-pressure-handover")),
    2.577358490566026,
    2,
    "In the chest-pressure visit only speaker 'C' counts as clinician talk (136.6 s against "
    "the patient's 53.0 s): leave out the attending 'A' and any other speaker.",
    tolerance=1e-6,
)
checks.equal(
    lambda: clinician_talk_ratio(a03_frame("t09-gi-clinic-closed-questions")),
    2.4840764331210186,
    1,
    "In the GI visit the clinician speaks 117.0 s and the patient 47.1 s; the mother's speech "
    "counts for neither.",
    tolerance=1e-6,
)


# %% grade_id="a03_q6_rewrite_tests"
# LEAK-CANARY a03_q6_hidden
def a03_mentions(pattern):
    import re

    return bool(re.search(pattern, rewritten_note, re.IGNORECASE))


def a03_flagged():
    try:
        return ", ".join(sorted({hit.matched for hit in scan_text(rewritten_note)}))
    except Exception:
        return "(the note could not be scanned)"


checks.that(
    lambda: scan_text(rewritten_note) == [],
    3,
    f"The note still uses flagged wording ({a03_flagged()}); describe what happened and why "
    "instead of judging (run scan_text for suggested alternatives).",
)
checks.that(
    lambda: a03_mentions(r"\b(six|sixth|6|6th)\b"),
    1,
    "Keep the fact that this is her sixth emergency visit this year.",
)
checks.that(
    lambda: "10/10" in rewritten_note or "10 out of 10" in rewritten_note,
    1,
    "Keep her own pain rating (10/10).",
)
checks.that(
    lambda: a03_mentions(r"physical therap|physiotherap"),
    1,
    "Keep the fact about physical therapy (and, if you know it, why she has not continued).",
)
checks.that(
    lambda: "alcohol" in rewritten_note.lower(),
    1,
    "Keep the fact that she drinks no alcohol (for example 'she drinks no alcohol').",
)
