# Hidden checks for a01-screening. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. The expected values come from the published rules (see the
# assignment's Sources) and are checked against `bpscare.clinical.instruments.score` in the library tests.

# %% grade_id="a01_q1_phq9_total_tests"
# LEAK-CANARY a01_q1_hidden
checks.equal(
    lambda: phq9_total([3, 3, 3, 3, 3, 3, 3, 3, 3]),
    27,
    1,
    "The highest possible total is 27 (nine items answered 3).",
)
checks.equal(
    lambda: phq9_total([2, 2, 2, 2, 2, 2, 2, None, 1]),
    17,
    2,
    "With one item missing, prorate: 15 x 9 / 8 = 16.875, which rounds to 17. "
    "Do not count the missing item as 0.",
)
checks.equal(
    lambda: phq9_total([2, 2, 2, 1, 1, 1, 1, None, None]),
    13,
    2,
    "With two items missing, prorate: 10 x 9 / 7 = 12.86, which rounds to 13.",
)
checks.equal(
    lambda: phq9_total([1, 2, 2, 2, 2, 1, 1, 1, None]),
    14,
    2,
    "Round half up: 12 x 9 / 8 = 13.5 becomes 14 (Python's round() gives 14 here but "
    "rounds 12.5 down to 12; use math.floor(x + 0.5)).",
)
checks.raises(
    lambda: phq9_total([1, 1, 1, None, None, None, 1, 1, 1]),
    ValueError,
    2,
    "With three or more items missing, raise ValueError instead of guessing a total.",
)

# %% grade_id="a01_q2_bands_tests"
# LEAK-CANARY a01_q2_hidden
for total, band in [
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately severe"),
    (19, "moderately severe"),
    (20, "severe"),
    (27, "severe"),
]:
    checks.equal(
        lambda total=total: phq9_band(total),
        band,
        1,
        f"A PHQ-9 total of {total} is '{band}': check the cut points 5, 10, 15 and 20 "
        "(each cut point starts the next band).",
    )
for total, band in [
    (4, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
]:
    checks.equal(
        lambda total=total: gad7_band(total),
        band,
        1,
        f"A GAD-7 total of {total} is '{band}': the GAD-7 cut points are 5, 10 and 15.",
    )
checks.raises(
    lambda: phq9_band(28), ValueError, 1, "A PHQ-9 total above 27 is impossible: raise ValueError."
)

# %% grade_id="a01_q3_safety_tests"
# LEAK-CANARY a01_q3_hidden
checks.equal(
    lambda: needs_safety_assessment([0, 0, 0, 0, 0, 0, 0, 0, 1]),
    True,
    2,
    "Item 9 answered 1 with a total of 1 still needs a same-visit safety assessment: "
    "the rule does not depend on the total.",
)
checks.equal(
    lambda: needs_safety_assessment([3, 3, 3, 3, 3, 3, 3, 3, 0]),
    False,
    1,
    "The item-9 rule looks at item 9 only; a high total is handled by the band.",
)
checks.equal(
    lambda: needs_safety_assessment([0, 0, 0, 0, 0, 0, 0, 0, 3]),
    True,
    1,
    "Item 9 answered 3 ('nearly every day') needs a same-visit safety assessment.",
)
checks.equal(
    lambda: needs_safety_assessment([1, 1, 1, 1, 1, 1, 1, 1, None]),
    True,
    1,
    "An unanswered item 9 must be asked in person: return True when item 9 is None.",
)

# %% grade_id="a01_q4_library_tests"
# LEAK-CANARY a01_q4_hidden
checks.equal(
    lambda: rivera_gad7_band, "moderate", 2, "Ms. Rivera's GAD-7 total is 11, which is 'moderate'."
)
checks.equal(
    lambda: rivera_gad7_positive, True, 1, "A GAD-7 total of 10 or more is a positive screen."
)
checks.equal(
    lambda: gad7_band(11),
    "moderate",
    1,
    "Your gad7_band should agree with the library for a total of 11.",
)
