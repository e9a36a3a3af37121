# Hidden checks for a02-bps-assessment. Trusted: never shipped to learners.
# Each cell is inserted by `bpscare build` into the "### BEGIN HIDDEN TESTS" block of the tests
# cell with the same grade_id, after the public lines that read the learner's answer (`chosen`,
# `placed`, `order`). The keys live here and in key.yaml only. Every message names the idea that
# was missed, never a letter, a cell of the panel or an expected value.

# %% grade_id="a02_q1_tests"
# LEAK-CANARY a02_q1_hidden
# Key features (Page & Bordage 1995): asking the blank item 9 in person today, confirming the
# positive screen with a diagnostic interview and discussing active treatment (PHQ-9 15-19,
# Kroenke & Spitzer 2002, Table 4), and a next contact within 4 weeks (Bao et al. 2016).
from bpscare.api import harmful_choices, key_feature_credit

if chosen:
    checks.gate(
        lambda: "C" in chosen,
        "Her blank item 9 rules nothing out: the safety question has to be asked in person, "
        "before she leaves today, whatever else is done.",
    )
    checks.gate(
        lambda: not harmful_choices(chosen, {"B"}),
        "One choice treats an unanswered safety question as 'not at all': a blank item is never "
        "scored as 0 and never read as 'no risk'.",
    )
    checks.gate(
        lambda: not harmful_choices(chosen, {"F"}),
        "One choice leaves the unanswered safety question to a form filled in at home: what a blank "
        "item 9 calls for cannot wait for the next visit.",
    )
    checks.gate(
        lambda: not harmful_choices(chosen, {"I"}),
        "One choice lets moderately severe symptoms (PHQ-9 15-19) go more than 4 weeks without a "
        "next contact about her mood.",
    )


def a02_q1_missed():
    """The ideas missed among the critical actions (never the options' letters)."""
    picked = set(chosen or ())
    if len(picked) > 3:
        return "More than three actions were chosen, which scores 0 in a key-feature item."
    missed = []
    if "E" not in picked:
        missed.append(
            "a positive screen is a prompt for a diagnostic interview, not a diagnosis, and a "
            "moderately severe result calls for a talk about active treatment"
        )
    if "G" not in picked:
        missed.append("symptoms this severe need an early next contact to see how she is doing")
    return "Review what a moderately severe screen calls for today: " + "; ".join(missed) + "."


checks.credit(
    lambda: key_feature_credit(chosen, {"C", "E", "G"}, select_up_to=3),
    4,
    a02_q1_missed(),
)

# %% grade_id="a02_q2_grid_tests"
# LEAK-CANARY a02_q2_hidden
# The course authors' ILLUSTRATIVE panel: twelve synthetic panel members each placed every
# finding in one cell. It is not a published panel. It encodes the defensible alternatives that
# module m02 discusses ("yours may differ in places and still be sound"): e.g. the dismissive
# first visit is mostly perpetuating-social but some place it as precipitating-social; avoiding
# stairs is mostly perpetuating-psychological, some biological (deconditioning). Credit per
# finding = panel members in the learner's cell / members in the modal cell (Charlin et al.
# 2000); a finding placed in several cells earns the mean over them.
from bpscare.api import panel_placement_credit  # noqa: E402

A02_PANEL = {
    "f-flexible-joints": {"predisposing|biological": 12},
    "f-pain-means-damage": {"predisposing|psychological": 10, "perpetuating|psychological": 2},
    "f-no-sick-leave": {"predisposing|social": 7, "perpetuating|social": 5},
    "f-fall-at-work": {"precipitating|biological": 10, "precipitating|social": 2},
    "f-short-sleep": {
        "perpetuating|biological": 9,
        "perpetuating|social": 2,
        "perpetuating|psychological": 1,
    },
    "f-weak-thighs": {"perpetuating|biological": 12},
    "f-avoids-stairs": {"perpetuating|psychological": 7, "perpetuating|biological": 5},
    "f-fears-giving-way": {"perpetuating|psychological": 11, "perpetuating|biological": 1},
    "f-told-only-sprain": {
        "perpetuating|social": 7,
        "precipitating|social": 4,
        "perpetuating|psychological": 1,
    },
    "f-claim-delayed": {"perpetuating|social": 12},
    "f-lost-hours-rent": {"perpetuating|social": 11, "perpetuating|psychological": 1},
    "f-healed-on-mri": {"protective|biological": 11, "protective|psychological": 1},
    "f-wants-to-work": {"protective|psychological": 12},
    "f-family-faith": {"protective|social": 12},
}
# The question to ask again, by the row the learner chose (Bolton 2014): concept-level hints
# that never say where the panel placed the finding.
A02_ROW_HINT = {
    "predisposing": "was it there before the fall, making her vulnerable (why vulnerable?), or "
    "did it come with the fall or after it?",
    "precipitating": "is it what started this episode five months ago (why now?), or what keeps "
    "the pain going now, or something that was there before?",
    "perpetuating": "does it keep the pain and disability going now (why still?), or was it "
    "there before, did it start the episode, or does it limit the problem?",
    "protective": "does it limit the problem or help her recover (why not worse?), or does it "
    "add to it?",
}
A02_DOMAIN_HINT = (
    "does it work mainly through her body, her thoughts and feelings, or her work, money, "
    "relationships and care?"
)


def a02_finding_credit(finding):
    """Mean panel credit over the cells where the learner placed one finding (0 if unplaced)."""
    cells = placed.get(finding) or [""]
    one = A02_PANEL[finding]
    return sum(panel_placement_credit({finding: c}, {finding: one}) for c in cells) / len(cells)


def a02_message(finding):
    """The idea to revisit for one finding, from where the learner placed it."""
    text = f"‘{rahman_findings[finding]}’"
    cells = placed.get(finding) or []
    if not cells:
        return f"{text} is not in your grid: every finding belongs somewhere, strengths included."
    if len(cells) > 1:
        return (
            f"{text} is in {len(cells)} cells, so its credit is averaged over them: choose the "
            "cell where it does its most work."
        )
    p = cells[0].split("|")[0]
    panel_rows = {cell.split("|")[0] for cell in A02_PANEL[finding]}
    if cells[0] in A02_PANEL[finding]:
        return (
            f"{text}: a defensible placement that part of the panel shared, though more of the "
            "panel placed it elsewhere; be ready to explain your reasoning."
        )
    if p in panel_rows:
        return f"{text}: no panel member placed it where you did; {A02_DOMAIN_HINT}"
    return f"{text}: no panel member placed it where you did; ask again: {A02_ROW_HINT[p]}"


for a02_id in A02_PANEL:
    checks.credit(lambda a02_id=a02_id: a02_finding_credit(a02_id), 6 / 14, a02_message(a02_id))

# %% grade_id="a02_q3_tests"
# LEAK-CANARY a02_q3_hidden
# Today's order: the blank item 9 first (a safety question is settled before anything else),
# then the depressive symptoms it sits in (a moderately severe screen to confirm and treat),
# then what she came for (knee pain and function: the plan that targets the perpetuating
# biological and psychological factors), then sleep, then the claim and finances, and the
# low-value repeat MRI last (a healed sprain on last month's MRI). Defensible swaps of
# neighbours (knee before mood, finances before sleep) lose one pair of fifteen. Credit: share
# of the key's fifteen pairs kept in order (ordering_credit).
from bpscare.api import ordering_credit  # noqa: E402

if order:
    checks.gate(
        lambda: order[0] == "C",
        "An open question about her safety comes before every other problem today.",
    )
checks.credit(
    lambda: ordering_credit(order, ("C", "F", "E", "B", "A", "D")),
    3,
    "After safety, weigh what needs action soonest and what keeps her pain and disability going "
    "against a test that would not change her plan.",
)
