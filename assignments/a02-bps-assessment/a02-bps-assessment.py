# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] grading="readonly" grade_id="a02_intro"
# # Assignment 2 — A biopsychosocial assessment of persistent knee pain
#
# A biopsychosocial assessment asks what is happening in the body, in the person's thoughts and
# feelings, and in their life and their care, and how those strands keep one another going.
# In this assignment you will score a screener that came back with a gap, write the small tools
# that turn placements into a 4P × BPS grid and compare two grids, and then build a full
# formulation for Ms. Aisha Rahman, a person you meet only in this assignment.
#
# **Competencies:** ACGME Medical Knowledge and Patient Care; AAMC Core EPA 1 (gather a
# history), EPA 2 (prioritize a differential) and EPA 3 (interpret screening tests); EPA 10 for
# the item-9 safety action; ACGME Interpersonal and Communication Skills and Professionalism for
# the reflection.
#
# **Sources.** Biopsychosocial model: Engel, *Science* 1977;196:129–136. The 4P grid and its
# four questions (why vulnerable? why now? why still? why not worse?): Bolton, *Philos Psychiatr
# Psychol* 2014;21:179–189, and PsychDB, "Biopsychosocial case formulation". PHQ-9: Kroenke,
# Spitzer & Williams, *J Gen Intern Med* 2001;16:606–613 (cut points 5, 10, 15, 20). Prorating
# one or two missing PHQ-9 items: Arrieta et al. 2017, as implemented in the qscorer package.
# Item 9: any response other than "Not at all" calls for a same-visit suicide-risk assessment
# (Simon et al., *Psychiatr Serv* 2013).
#
# *PHQ-9: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues,
# with an educational grant from Pfizer Inc. No permission required to reproduce, translate,
# display or distribute.*

# %% [markdown]
# ## Meet Ms. Rahman
#
# *Synthetic case, written for this assignment; any resemblance to a real person is
# coincidental.*
#
# Aisha Rahman (she/her) is a 31-year-old home health aide in a large city. Her family came to
# the United States from Bangladesh when she was a child; she speaks English and Bengali. She
# has Medicaid, works for two home-care agencies, and lives with her two children, aged 3 and 8.
#
# Five months ago she slipped on a wet floor at a client's home and sprained her left knee. At
# urgent care she was told "it's only a sprain, you're fine" and was sent home without a plan.
# The knee still aches every day and feels as if it might give way on stairs. An X-ray and an MRI
# last month showed a healed sprain and no tear. She has had very flexible joints and frequent
# sprains since childhood. She grew up watching her mother live with pain that was never treated,
# and she believes that pain always means something is being damaged.
#
# She now avoids stairs and kneeling, so she has turned down clients who live in walk-up
# buildings. She stopped the physiotherapy exercises after two weeks because they hurt, and her
# thigh muscles have weakened. She sleeps about five hours, woken by the knee and by her
# youngest child. Her workers' compensation claim has been delayed for three months; she has
# lost work hours and is behind on rent. She does both jobs with no paid sick leave.
#
# She wants to get back to full work, and she did her first physiotherapy exercises faithfully.
# Her sister helps with the children, and her faith community has been bringing meals.
#
# Today she filled in a PHQ-9 in the waiting room and left item 9 blank. Her answers and her
# findings (each with an id you will use in Part 4) are in the cell below.

# %% grading="readonly" grade_id="a02_case_data"
# Ms. Rahman's PHQ-9 answers in form order (item 9 was left blank) and her findings.
rahman_phq9 = [2, 1, 3, 2, 1, 1, 2, 1, None]
rahman_findings = {
    "f-flexible-joints": "Very flexible joints and frequent sprains since childhood",
    "f-pain-means-damage": "Believes pain always means damage, after her mother's untreated pain",
    "f-no-sick-leave": "Works two home-care jobs with no paid sick leave",
    "f-fall-at-work": "Slipped on a wet floor at a client's home five months ago",
    "f-short-sleep": "Sleeps about five hours, woken by the knee and her youngest child",
    "f-weak-thigh-muscles": "Thigh muscles have weakened since she stopped the exercises",
    "f-avoids-stairs": "Avoids stairs and kneeling for fear of damaging the knee",
    "f-fears-giving-way": "Worries every day that the knee will give way at work",
    "f-told-only-sprain": "Told at urgent care 'it's only a sprain, you're fine', with no plan",
    "f-claim-delayed": "Her workers' compensation claim has been delayed for three months",
    "f-lost-hours-rent": "Has lost work hours and is behind on rent",
    "f-healed-on-mri": "X-ray and MRI show a healed sprain and no tear",
    "f-wants-to-work": "Wants to get back to full work and did her first exercises faithfully",
    "f-sister-faith-community": "Her sister helps with the children; her faith community brings meals",
}

# %% [markdown]
# ## Part 1 — A PHQ-9 with a gap, and the safety action
#
# Write `screen_summary(responses)` for nine PHQ-9 responses (`None` marks a skipped item). It
# returns a dict with three keys:
#
# - `"total"`: the total, prorated when one or two items are missing (sum of the answered items
#   × 9 ÷ the number answered, rounded half up), or `None` when three or more are missing;
# - `"band"`: `"minimal"`, `"mild"`, `"moderate"`, `"moderately severe"` or `"severe"` for the
#   total, or `None` when there is no total;
# - `"action"`: what item 9 asks of the clinician today, one of the three strings in
#   `ITEM9_ACTIONS` below: `"assess-suicide-risk-today"` when item 9 is 1, 2 or 3;
#   `"ask-item-9-in-person-today"` when item 9 was skipped (a blank never rules risk out);
#   `"no-item-9-action"` when item 9 is 0.
#
# You may use `score_screener("phq9", responses)` (from `bpscare.api`) for the total and band, or write
# the rules yourself (Assignment 1). Then store Ms. Rahman's summary in `rahman_summary`.

# %% grading="readonly" grade_id="a02_q1_actions"
ITEM9_ACTIONS = ("assess-suicide-risk-today", "ask-item-9-in-person-today", "no-item-9-action")

# %% grading="answer" grade_id="a02_q1_screen"
from bpscare.api import score_screener


def screen_summary(responses):
    """Return the PHQ-9 total, band and item-9 action for nine responses (None = skipped)."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a02_q1
    item9 = responses[8]
    if item9 is None:
        action = "ask-item-9-in-person-today"
    elif item9 >= 1:
        action = "assess-suicide-risk-today"
    else:
        action = "no-item-9-action"
    if sum(r is None for r in responses) > 2:
        return {"total": None, "band": None, "action": action}
    result = score_screener("phq9", list(responses))
    return {"total": result.total, "band": result.band, "action": action}
    ### END SOLUTION


### BEGIN SOLUTION
# LEAK-CANARY a02_q1b
rahman_summary = screen_summary(rahman_phq9)
### END SOLUTION

# %% grading="tests" grade_id="a02_q1_screen_tests" points=3 competencies="ACGME-MK ACGME-PC EPA-03 EPA-10"
"""Does screen_summary prorate a gap, band the total and choose the right item-9 action?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 1, PHQ-9 with a gap")
checks.equal(
    lambda: screen_summary([1, 1, 1, 1, 1, 1, 1, 1, 0]),
    {"total": 8, "band": "mild", "action": "no-item-9-action"},
    1,
    "Nine answered items that add up to 8 are 'mild', and item 9 answered 0 needs no "
    "item-9 action today.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 2 — From placements to a grid
#
# A formulation places each finding in one of twelve cells: four Ps (`"predisposing"`,
# `"precipitating"`, `"perpetuating"`, `"protective"`) crossed with three domains
# (`"biological"`, `"psychological"`, `"social"`). Write `grid_from_placements(placements)` that
# takes a list of `(finding_id, p, domain)` tuples and returns the nested dict
# `{p: {domain: [finding ids, sorted]}}` with **all twelve cells present** (empty cells are
# empty lists), P and domain keys in the order above. A finding may sit in more than one cell;
# listing the same placement twice keeps one copy. An unknown P or domain is a `ValueError`
# whose message names the bad value.
#
# This is the same nested form as `bpscare.api.Formulation.to_dict()`; you may use it to
# check your work, but write the function yourself.


# %% grading="answer" grade_id="a02_q2_grid"
def grid_from_placements(placements):
    """Return {p: {domain: sorted ids}} with all twelve cells, from (id, p, domain) tuples."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a02_q2
    four_ps = ("predisposing", "precipitating", "perpetuating", "protective")
    domains = ("biological", "psychological", "social")
    cells = {p: {d: set() for d in domains} for p in four_ps}
    for finding_id, p, domain in placements:
        if p not in cells:
            raise ValueError(f"unknown P {p!r}; use one of {four_ps}")
        if domain not in cells[p]:
            raise ValueError(f"unknown domain {domain!r}; use one of {domains}")
        cells[p][domain].add(finding_id)
    return {p: {d: sorted(ids) for d, ids in row.items()} for p, row in cells.items()}
    ### END SOLUTION


# %% grading="tests" grade_id="a02_q2_grid_tests" points=3 competencies="ACGME-MK EPA-02"
"""Does grid_from_placements return all twelve cells, sorted, and reject unknown names?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 2, grid from placements")
checks.equal(
    lambda: sorted(grid_from_placements([])),
    ["perpetuating", "precipitating", "predisposing", "protective"],
    1,
    "The grid needs all four Ps as keys, even when nothing has been placed.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 3 — How close are two grids?
#
# To compare a learner's grid with an expert's, count **placements** (a finding in a cell). A
# placement is correct when the expert has the same finding in the same cell. Write
# `grid_agreement(learner, expert)` for two grids in the nested form of Part 2 (missing cells
# count as empty) that returns `{"precision": …, "recall": …, "f1": …}` where, over all twelve
# cells together (a *micro* average, not a mean of per-cell values):
#
# - precision = correct placements ÷ learner placements (`None` if the learner placed nothing);
# - recall = correct placements ÷ expert placements (`None` if the expert grid is empty);
# - f1 = 2 × correct ÷ (learner placements + expert placements), and 1.0 when both are empty.
#
# These are the rules of `bpscare.clinical.formulation.compare` (see its docstring): check your function
# against `compare(Formulation.from_dict(learner), Formulation.from_dict(expert))`.


# %% grading="answer" grade_id="a02_q3_agreement"
def grid_agreement(learner, expert):
    """Return micro-averaged precision, recall and F1 of a learner grid against an expert grid."""
    ### BEGIN SOLUTION
    # LEAK-CANARY a02_q3

    def placements(grid):
        return {(p, d, f) for p, row in (grid or {}).items() for d, ids in row.items() for f in ids}

    mine, theirs = placements(learner), placements(expert)
    correct = len(mine & theirs)
    precision = correct / len(mine) if mine else None
    recall = correct / len(theirs) if theirs else None
    both = len(mine) + len(theirs)
    f1 = 1.0 if both == 0 else 2 * correct / both
    return {"precision": precision, "recall": recall, "f1": f1}
    ### END SOLUTION


# %% grading="tests" grade_id="a02_q3_agreement_tests" points=3 competencies="ACGME-MK EPA-02"
"""Does grid_agreement count placements over the whole grid, as compare() does?"""
from bpscare.api import Checks

checks = Checks(points=3, title="Part 3, agreement between grids")
checks.equal(
    lambda: grid_agreement(
        {"protective": {"social": ["f-a"]}}, {"protective": {"social": ["f-a"]}}
    ),
    {"precision": 1.0, "recall": 1.0, "f1": 1.0},
    1,
    "Two identical one-finding grids agree completely: precision, recall and F1 are all 1.0.",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown]
# ## Part 4 — Ms. Rahman's formulation (built in the widget)
#
# Place each of Ms. Rahman's fourteen findings in the cell where it does its work, asking
# Bolton's four questions of each: did it make her vulnerable before the fall (*predisposing*),
# trigger this episode (*precipitating*), keep the pain and disability going (*perpetuating*),
# or limit the problem (*protective*)? Then choose the domain: the body, her thoughts and
# feelings, or her relationships, work, money and care. Every finding belongs in the grid, and
# each finding here belongs in exactly one cell.
#
# Build the grid in the widget below and press **Save** (it saves the answer
# `a02_formulation` next to this notebook). If the widget does not load, write the grid in the
# answer cell as a nested dict and save it with
# `save_answer("a02_formulation", grid, kind="formulation")`. Either way, remove the
# `raise NotImplementedError()` line from the answer cell. The cell after it reads your saved
# answer: run it, then the graded cell, again after each save to see the public check.

# %%
# The grid builder, in practice mode: it shows Ms. Rahman's findings from the case cell and
# gives public checks only (it never sees the expert grid). Press Save when you are done.
from types import SimpleNamespace

from bpscare.api import FormulationGridView

rahman_case = SimpleNamespace(
    title="Aisha Rahman: knee pain five months after a fall at work",
    summary="Place each of her fourteen findings in the cell where it does its work.",
    findings=[SimpleNamespace(id=key, text=text) for key, text in rahman_findings.items()],
    findings_by_id=lambda: dict(rahman_findings),
)
FormulationGridView(
    "a02-rahman", answer_name="a02_formulation", practice=True, load=lambda _id: rahman_case
)

# %% grading="answer" grade_id="a02_q4_formulation"
from bpscare.api import save_answer

### BEGIN SOLUTION
# LEAK-CANARY a02_q4
rahman_grid = grid_from_placements(
    [
        ("f-flexible-joints", "predisposing", "biological"),
        ("f-pain-means-damage", "predisposing", "psychological"),
        ("f-no-sick-leave", "predisposing", "social"),
        ("f-fall-at-work", "precipitating", "biological"),
        ("f-short-sleep", "perpetuating", "biological"),
        ("f-weak-thigh-muscles", "perpetuating", "biological"),
        ("f-avoids-stairs", "perpetuating", "psychological"),
        ("f-fears-giving-way", "perpetuating", "psychological"),
        ("f-told-only-sprain", "perpetuating", "social"),
        ("f-claim-delayed", "perpetuating", "social"),
        ("f-lost-hours-rent", "perpetuating", "social"),
        ("f-healed-on-mri", "protective", "biological"),
        ("f-wants-to-work", "protective", "psychological"),
        ("f-sister-faith-community", "protective", "social"),
    ]
)
save_answer("a02_formulation", rahman_grid, kind="formulation")
### END SOLUTION

# %% grading="readonly" grade_id="a02_q4_saved"
# Reads your saved grid (from the widget or the cell above) as plain data for the graded cell.
from bpscare.api import load_answer

rahman_saved_grid = load_answer("a02_formulation", kind="formulation")

# %% grading="tests" grade_id="a02_q4_formulation_tests" points=5 competencies="ACGME-PC ACGME-MK EPA-01 EPA-02"
"""Does the saved formulation place each of Ms. Rahman's findings where it does its work?"""
from bpscare.api import Checks, Formulation


def saved_grid():
    """Return the saved answer as {p: {domain: [ids]}} (either answer shape the widget saves)."""
    data = rahman_saved_grid
    if isinstance(data, dict) and isinstance(data.get("formulation"), dict):
        data = data["formulation"]
    if isinstance(data, dict) and isinstance(data.get("cells"), dict):
        nested = {}
        for key, ids in data["cells"].items():
            p, domain = key.split("|")
            nested.setdefault(p, {})[domain] = ids
        data = nested
    return Formulation.from_dict(data).to_dict()


def saved_cells_of(finding_id):
    """Return the [p, domain] cells where the saved grid places one finding."""
    grid = saved_grid()
    return [[p, d] for p, row in grid.items() for d, ids in row.items() if finding_id in ids]


def saved_ids():
    """Return the set of finding ids placed anywhere in the saved grid."""
    return {f for row in saved_grid().values() for ids in row.values() for f in ids}


checks = Checks(points=5, title="Part 4, Ms. Rahman's formulation")
checks.that(
    lambda: bool(saved_ids()) and saved_ids() <= set(rahman_findings),
    1,
    "Place Ms. Rahman's findings using the ids listed in the case cell (and save the answer).",
)
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.result()

# %% [markdown] grading="task" grade_id="a02_q5_reflection" points=3 competencies="ACGME-ICS ACGME-PROF EPA-01"
# ## Part 5 — Reflection (graded by your instructor)
#
# Ms. Rahman tells you: "The last doctor said it was only a sprain. Now my MRI is normal, so
# everyone will think I'm making it up." In 150–250 words, write what you would say to her to
# explain, in plain words, how the findings in your perpetuating row can keep real pain going
# after the tissue has healed, without suggesting that the pain is imagined. Name one part of
# her plan that would address a *social* perpetuating factor, and say how you would follow up
# on the item-9 question she left blank.
#
# Write your answer in the cell below.

# %% [markdown]
# *Write your reflection here.*

# %% [markdown]
# ## Submitting from Binder
#
# When you have finished, save this notebook (Ctrl+S) and press **Prepare my submission**. It
# packs this folder (the notebook and your saved answer files) into a zip with a manifest; upload
# that zip to your course page in the LMS. On JupyterHub, use the Assignments tab instead.

# %%
from bpscare.api import submit_button

submit_button("a02-bps-assessment")
