# Hidden checks for a04-communication. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. The expert coding of Ms. Haidari's visit (a transcript that exists
# only in this assignment) lives here and nowhere in the library or the release. Kappa values
# follow Cohen 1960; thresholds follow Landis & Koch 1977.

# %% grade_id="a04_q1_kappa_tests"
# LEAK-CANARY a04_q1_hidden
checks.equal(
    lambda: cohen_kappa(["x", "x", "y", "y"], ["x", "y", "x", "y"]),
    0.0,
    1,
    "Coders who agree on 2 of 4 items when chance alone predicts 2 of 4 have kappa 0: "
    "subtract the agreement expected by chance.",
    tolerance=1e-9,
)
a04_coder_a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
a04_coder_b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
checks.equal(
    lambda: cohen_kappa(a04_coder_a, a04_coder_b),
    0.4,
    2,
    "For 50 items with 35 agreements (p_o = 0.7) and chance agreement p_e = 0.5 x 0.6 + "
    "0.5 x 0.4 = 0.5, kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4, not the raw 0.7.",
    tolerance=1e-9,
)
checks.equal(
    lambda: cohen_kappa(["other"] * 5, ["other"] * 5),
    1.0,
    1,
    "When both coders use one and the same label throughout, p_e = 1 and kappa is defined "
    "as 1.0 (do not divide by zero).",
)
checks.raises(
    lambda: cohen_kappa(["a", "b"], ["a"]),
    ValueError,
    1,
    "Lists of different lengths cannot be compared item by item: raise ValueError.",
)

# %% grade_id="a04_q2_coding_tests"
# LEAK-CANARY a04_q2_hidden
A04_EXPERT = {
    1: "other",
    2: "other",
    3: "agenda_elicitation",
    4: "other",
    5: "interruption",
    6: "other",
    7: "closed_question",
    8: "other",
    9: "empathic_opportunity",
    10: "empathic_response",
    11: "other",
    12: "validation",
    13: "jargon",
    14: "other",
    15: "other",
    16: "open_question",
    17: "other",
    18: "other",
    19: "teach_back",
    20: "other",
    21: "safety_netting",
    22: "other",
}


def a04_kappa():
    """Cohen's kappa of the saved coding against the expert; uncoded lines count as disagreement."""
    learner = saved_codes()
    expert = [A04_EXPERT[n] for n in sorted(A04_EXPERT)]
    mine = [learner.get(n, "(not coded)") for n in sorted(A04_EXPERT)]
    total = len(expert)
    agreed = sum(x == y for x, y in zip(expert, mine, strict=True))
    chance = sum(expert.count(k) * mine.count(k) for k in set(expert))
    if chance == total * total:
        return 1.0
    return (total * agreed - chance) / (total * total - chance)


a04_thresholds = [(0.4, 1, "moderate"), (0.6, 1, "substantial"), (0.8, 2, "almost perfect")]
for a04_threshold, a04_weight, a04_label in a04_thresholds:
    checks.that(
        lambda a04_threshold=a04_threshold: a04_kappa() >= a04_threshold,
        a04_weight,
        f"Agreement with the expert coding is below kappa {a04_threshold} ('{a04_label}', "
        "Landis & Koch 1977): reread the codebook's precedence rules and the rule for replies "
        "to a cue.",
    )
a04_key_lines = {
    5: "utterance 5 cuts into her opening statement before she has finished: that is an "
    "interruption, whatever its form (precedence rank 3 beats a closed question)",
    9: "utterance 9 is a patient cue, her fear of losing a foot: an empathic opportunity",
    19: "utterance 19 asks her to say in her own words how she will check her feet: teach-back",
    21: "utterance 21 names what should make her call and when: safety-netting",
}
for a04_n, a04_message in a04_key_lines.items():
    checks.equal(
        lambda a04_n=a04_n: saved_codes().get(a04_n),
        A04_EXPERT[a04_n],
        1,
        a04_message[0].upper() + a04_message[1:] + ".",
    )

# %% grade_id="a04_q3_closing_tests"
# LEAK-CANARY a04_q3_hidden
a04_closing_key = {
    "s1": ("neither", "s1 is a yes/no invitation, which is good practice but not teach-back"),
    "s2": ("teach_back", "s2 asks for her own words and takes responsibility for the explaining"),
    "s3": ("safety_net", "s3 names warning signs and exactly what to do"),
    "s4": ("neither", "s4 is a yes/no comprehension check, not teach-back"),
    "s5": ("teach_back", "s5 asks the person to say what they will do"),
    "s6": ("safety_net", "s6 says what should prompt a call, when, and how"),
    "s7": ("neither", "s7 is a yes/no comprehension check, not teach-back"),
    "s8": ("neither", "s8 is vague reassurance: it names no warning sign and no action"),
}
for a04_sid, (a04_label, a04_why) in a04_closing_key.items():
    checks.equal(
        lambda a04_sid=a04_sid: closing_labels.get(a04_sid),
        a04_label,
        1,
        f"{a04_why} (label '{a04_label}').",
    )

# %% grade_id="a04_q4_frequencies_tests"
# LEAK-CANARY a04_q4_hidden
checks.equal(
    lambda: natural_frequencies(20, 0.25),
    {"without": 20, "with": 15.0, "fewer": 5.0, "nnt": 20},
    2,
    "Baseline 20 in 100 and a 25 % relative reduction: 15 in 100 with treatment, 5 fewer per "
    "100, so 100 / 5 = 20 people treated for one to benefit. The NNT comes from the absolute "
    "reduction, not from the relative one (1 / 0.25 = 4 would be wrong).",
)
checks.equal(
    lambda: natural_frequencies(8, 0.5),
    {"without": 8, "with": 4.0, "fewer": 4.0, "nnt": 25},
    1,
    "Baseline 8 in 100 and a 50 % relative reduction: 4 fewer per 100, NNT 25.",
)
checks.equal(
    lambda: natural_frequencies(3, 0.3),
    {"without": 3, "with": 2.1, "fewer": 0.9, "nnt": 112},
    1,
    "Baseline 3 in 100 and a 30 % relative reduction: 0.9 fewer per 100, and 100 / 0.9 = "
    "111.1 rounds up to an NNT of 112. A small baseline makes the same relative reduction worth "
    "much less in absolute terms.",
)
checks.equal(
    lambda: natural_frequencies(10, 0),
    {"without": 10, "with": 10.0, "fewer": 0.0, "nnt": None},
    1,
    "With no reduction there is no NNT: return None instead of dividing by zero.",
)
