# Hidden checks for a02-bps-assessment. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id. Every expected value is plain data worked out by hand from the
# published rules (see the assignment's Sources); the expert formulation of Ms. Rahman, a case
# that exists only in this assignment, lives here and nowhere in the library or the release.

# %% grade_id="a02_q1_screen_tests"
# LEAK-CANARY a02_q1_hidden
checks.equal(
    lambda: rahman_summary["total"],
    15,
    1,
    "Ms. Rahman's total: prorate the eight answered items, 13 x 9 / 8 = 14.6, which rounds to "
    "15; do not count the blank as 0.",
)
checks.equal(
    lambda: rahman_summary["band"],
    "moderately severe",
    1,
    "A prorated total of 15 is 'moderately severe' (cut points 5, 10, 15, 20).",
)
a02_blank_item9 = {"action": "ask-item-9-in-person-today"}
checks.equal(
    lambda: {"action": rahman_summary["action"]},
    a02_blank_item9,
    2,
    "Ms. Rahman left item 9 blank: a blank never rules risk out, so ask item 9 in person today.",
)
checks.equal(
    lambda: screen_summary([0, 0, 0, 0, 0, 0, 0, 0, 1]),
    {"total": 1, "band": "minimal", "action": "assess-suicide-risk-today"},
    1,
    "Item 9 answered 1 with a total of 1 still calls for a suicide-risk assessment today: "
    "the rule does not depend on the total.",
)
checks.equal(
    lambda: screen_summary([3, 3, 3, 2, 2, None, 2, 2, 2]),
    {"total": 21, "band": "severe", "action": "assess-suicide-risk-today"},
    1,
    "One blank item and 19 points on the other eight: 19 x 9 / 8 = 21.4, which rounds to 21 "
    "('severe').",
)
checks.equal(
    lambda: screen_summary([1, None, None, None, 1, 1, 1, 1, 0]),
    {"total": None, "band": None, "action": "no-item-9-action"},
    1,
    "With three items blank there is no trustworthy total or band (None for both), but item 9 "
    "still decides the action.",
)

# %% grade_id="a02_q2_grid_tests"
# LEAK-CANARY a02_q2_hidden
checks.equal(
    lambda: grid_from_placements(
        [
            ("f-b", "protective", "social"),
            ("f-a", "protective", "social"),
            ("f-a", "protective", "social"),
        ]
    )["protective"]["social"],
    ["f-a", "f-b"],
    1,
    "Within a cell, list each finding id once, sorted.",
)
checks.equal(
    lambda: grid_from_placements([("f-a", "precipitating", "biological")]),
    {
        "predisposing": {"biological": [], "psychological": [], "social": []},
        "precipitating": {"biological": ["f-a"], "psychological": [], "social": []},
        "perpetuating": {"biological": [], "psychological": [], "social": []},
        "protective": {"biological": [], "psychological": [], "social": []},
    },
    1,
    "Return all twelve cells, with an empty list for every cell that has no finding.",
)
checks.equal(
    lambda: [
        row["psychological"]
        for p, row in grid_from_placements(
            [("f-x", "perpetuating", "psychological"), ("f-x", "predisposing", "psychological")]
        ).items()
        if p in ("perpetuating", "predisposing")
    ],
    [["f-x"], ["f-x"]],
    1,
    "A finding placed in two cells appears in both.",
)
checks.equal(
    lambda: (
        [list(grid_from_placements([]))] + [list(row) for row in grid_from_placements([]).values()]
    ),
    [["predisposing", "precipitating", "perpetuating", "protective"]]
    + [["biological", "psychological", "social"]] * 4,
    1,
    "Keep the Ps in the order predisposing, precipitating, perpetuating, protective, and the "
    "domains in the order biological, psychological, social.",
)
checks.raises(
    lambda: grid_from_placements([("f-a", "perpetuation", "social")]),
    ValueError,
    1,
    "An unknown P such as 'perpetuation' must raise ValueError.",
)
checks.raises(
    lambda: grid_from_placements([("f-a", "protective", "spiritual")]),
    ValueError,
    1,
    "An unknown domain such as 'spiritual' must raise ValueError.",
)

# %% grade_id="a02_q3_agreement_tests"
# LEAK-CANARY a02_q3_hidden
A02_Q3_LEARNER = {
    "perpetuating": {"social": ["f-a", "f-b"], "psychological": ["f-c"]},
    "protective": {"social": ["f-d"]},
}
A02_Q3_EXPERT = {
    "perpetuating": {"social": ["f-a"], "psychological": ["f-c", "f-e"]},
    "predisposing": {"biological": ["f-b"]},
    "protective": {"social": ["f-d"]},
}
checks.equal(
    lambda: grid_agreement(A02_Q3_LEARNER, A02_Q3_EXPERT)["precision"],
    0.75,
    1,
    "Precision over the whole grid is 3 correct of 4 learner placements = 0.75: count "
    "placements across all cells (a micro average), not a mean of per-cell values.",
)
checks.equal(
    lambda: grid_agreement(A02_Q3_LEARNER, A02_Q3_EXPERT)["recall"],
    0.6,
    1,
    "Recall over the whole grid is 3 correct of 5 expert placements = 0.6 (a micro average).",
)
checks.equal(
    lambda: grid_agreement(A02_Q3_LEARNER, A02_Q3_EXPERT)["f1"],
    2 * 3 / (4 + 5),
    1,
    "F1 = 2 x 3 / (4 + 5) = 0.667, from the counts over the whole grid.",
)
checks.equal(
    lambda: grid_agreement({}, A02_Q3_EXPERT),
    {"precision": None, "recall": 0.0, "f1": 0.0},
    1,
    "An empty learner grid has no precision (None), recall 0.0 and F1 0.0.",
)
checks.equal(
    lambda: grid_agreement({}, {}),
    {"precision": None, "recall": None, "f1": 1.0},
    1,
    "Two empty grids agree: precision and recall are None and F1 is 1.0.",
)

# %% grade_id="a02_q4_formulation_tests"
# LEAK-CANARY a02_q4_hidden
A02_RAHMAN_EXPERT = {
    "predisposing": {
        "biological": ["f-flexible-joints"],
        "psychological": ["f-pain-means-damage"],
        "social": ["f-no-sick-leave"],
    },
    "precipitating": {"biological": ["f-fall-at-work"], "psychological": [], "social": []},
    "perpetuating": {
        "biological": ["f-short-sleep", "f-weak-thigh-muscles"],
        "psychological": ["f-avoids-stairs", "f-fears-giving-way"],
        "social": ["f-claim-delayed", "f-lost-hours-rent", "f-told-only-sprain"],
    },
    "protective": {
        "biological": ["f-healed-on-mri"],
        "psychological": ["f-wants-to-work"],
        "social": ["f-sister-faith-community"],
    },
}
A02_BOLTON = {
    "predisposing": "why vulnerable?",
    "precipitating": "why now?",
    "perpetuating": "why still?",
    "protective": "why not worse?",
}
for a02_p, a02_row in A02_RAHMAN_EXPERT.items():
    for a02_domain, a02_ids in a02_row.items():
        for a02_id in a02_ids:
            # Perpetuating findings carry double weight: they are what the care plan targets.
            checks.equal(
                lambda a02_id=a02_id: saved_cells_of(a02_id),
                [[a02_p, a02_domain]],
                2 if a02_p == "perpetuating" else 1,
                f"{a02_id}: the formulation places it only under {a02_p}–{a02_domain} "
                f"({A02_BOLTON[a02_p]}).",
            )
