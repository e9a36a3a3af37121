"""Tests for bpscare.clinical.instruments: the published rules of the PHQ family, SSS-8, WSAS."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpscare.clinical.instruments import (
    INSTRUMENT_NAMES,
    MAJOR_DEPRESSIVE_SYNDROME,
    OTHER_DEPRESSIVE_SYNDROME,
    RULES,
    SCORE_ONLY_NAMES,
    Band,
    InstrumentRules,
    Score,
    anchors,
    bands,
    instrument_info,
    items,
    normalise_name,
    provisional_safety_action,
    recommended_action,
    rules_for,
    safety_action,
    safety_item_guidance,
    score,
    score_sss8,
    score_wsas,
)

N_ITEMS = {"phq9": 9, "phq8": 8, "phq2": 2, "gad7": 7, "gad2": 2, "phq4": 4, "phq15": 15}
ITEM_MAX = {"phq15": 2}
MAX_TOTAL = {"phq9": 27, "phq8": 24, "phq2": 6, "gad7": 21, "gad2": 6, "phq4": 12, "phq15": 30}
ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)


def spread(total: int, n_items: int, item_max: int = 3) -> list[int]:
    """Responses that sum to ``total``, filling the earliest items first."""
    out = []
    for _ in range(n_items):
        value = min(item_max, total)
        out.append(value)
        total -= value
    assert total == 0, "total too large for this instrument"
    return out


def run(name: str, total: int) -> Score:
    n = {"sss8": 8, "wsas": 5}.get(name, N_ITEMS.get(name))
    item_max = {"phq15": 2, "sss8": 4, "wsas": 8}.get(name, 3)
    return score(name, spread(total, n, item_max))


# ---------------------------------------------------------------------------------------------
# Bands, boundaries and screening cut points (literal published values)
# ---------------------------------------------------------------------------------------------

BOUNDARIES = [
    # PHQ-9: Kroenke, Spitzer & Williams 2001
    ("phq9", 0, "minimal"),
    ("phq9", 4, "minimal"),
    ("phq9", 5, "mild"),
    ("phq9", 9, "mild"),
    ("phq9", 10, "moderate"),
    ("phq9", 14, "moderate"),
    ("phq9", 15, "moderately severe"),
    ("phq9", 19, "moderately severe"),
    ("phq9", 20, "severe"),
    ("phq9", 27, "severe"),
    # PHQ-8: same cut points, maximum 24
    ("phq8", 0, "minimal"),
    ("phq8", 4, "minimal"),
    ("phq8", 5, "mild"),
    ("phq8", 9, "mild"),
    ("phq8", 10, "moderate"),
    ("phq8", 14, "moderate"),
    ("phq8", 15, "moderately severe"),
    ("phq8", 19, "moderately severe"),
    ("phq8", 20, "severe"),
    ("phq8", 24, "severe"),
    # GAD-7: Spitzer et al. 2006
    ("gad7", 0, "minimal"),
    ("gad7", 4, "minimal"),
    ("gad7", 5, "mild"),
    ("gad7", 9, "mild"),
    ("gad7", 10, "moderate"),
    ("gad7", 14, "moderate"),
    ("gad7", 15, "severe"),
    ("gad7", 21, "severe"),
    # PHQ-4: Kroenke et al. 2009
    ("phq4", 0, "none"),
    ("phq4", 2, "none"),
    ("phq4", 3, "mild"),
    ("phq4", 5, "mild"),
    ("phq4", 6, "moderate"),
    ("phq4", 8, "moderate"),
    ("phq4", 9, "severe"),
    ("phq4", 12, "severe"),
    # PHQ-15: Kroenke et al. 2002
    ("phq15", 0, "minimal"),
    ("phq15", 4, "minimal"),
    ("phq15", 5, "low"),
    ("phq15", 9, "low"),
    ("phq15", 10, "medium"),
    ("phq15", 14, "medium"),
    ("phq15", 15, "high"),
    ("phq15", 30, "high"),
    # PHQ-2 / GAD-2: positive at 3
    ("phq2", 0, "negative"),
    ("phq2", 2, "negative"),
    ("phq2", 3, "positive"),
    ("phq2", 6, "positive"),
    ("gad2", 0, "negative"),
    ("gad2", 2, "negative"),
    ("gad2", 3, "positive"),
    ("gad2", 6, "positive"),
    # SSS-8: Gierk et al. 2014 (fpnotebook categories; 16-32, not the MSD "16 to 23" typo)
    ("sss8", 0, "none to minimal"),
    ("sss8", 3, "none to minimal"),
    ("sss8", 4, "low"),
    ("sss8", 7, "low"),
    ("sss8", 8, "medium"),
    ("sss8", 11, "medium"),
    ("sss8", 12, "high"),
    ("sss8", 15, "high"),
    ("sss8", 16, "very high"),
    ("sss8", 24, "very high"),
    ("sss8", 32, "very high"),
    # WSAS: Mundt et al. 2002
    ("wsas", 0, "subclinical"),
    ("wsas", 9, "subclinical"),
    ("wsas", 10, "significant impairment"),
    ("wsas", 20, "significant impairment"),
    ("wsas", 21, "moderately severe or worse"),
    ("wsas", 40, "moderately severe or worse"),
]


@pytest.mark.parametrize(("name", "total", "band"), BOUNDARIES)
def test_band_boundaries(name, total, band):
    """Does every published band boundary land in the right band?"""
    result = run(name, total)
    assert result.total == total
    assert result.band == band


@pytest.mark.parametrize(
    ("name", "total", "positive"),
    [
        ("phq9", 9, False),
        ("phq9", 10, True),
        ("phq8", 9, False),
        ("phq8", 10, True),
        ("gad7", 9, False),
        ("gad7", 10, True),
        ("phq2", 2, False),
        ("phq2", 3, True),
        ("gad2", 2, False),
        ("gad2", 3, True),
    ],
)
def test_screening_cut_points(name, total, positive):
    """Is the screen positive exactly from the published cut point (10, or 3 for 2-item)?"""
    assert run(name, total).positive is positive


@pytest.mark.parametrize("name", ["phq15", "sss8", "wsas"])
def test_instruments_without_cut_point_have_positive_none(name):
    assert run(name, 12).positive is None


@pytest.mark.parametrize(
    ("name", "max_total"),
    [*MAX_TOTAL.items(), ("sss8", 32), ("wsas", 40)],
)
def test_max_total(name, max_total):
    assert run(name, 0).max_total == max_total


def test_bands_helper_lists_inclusive_ranges():
    assert bands("PHQ-9") == [
        (0, 4, "minimal"),
        (5, 9, "mild"),
        (10, 14, "moderate"),
        (15, 19, "moderately severe"),
        (20, 27, "severe"),
    ]
    assert bands("sss8")[-1] == (16, 32, "very high")
    assert bands("phq15", max_total=28)[-1] == (15, 28, "high")


# ---------------------------------------------------------------------------------------------
# PHQ-9 item 9 and the diagnostic algorithm
# ---------------------------------------------------------------------------------------------


def test_item9_alert_whatever_the_total():
    """Does item 9 = 1 raise the safety alert even when the total is minimal?"""
    result = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert result.total == 1
    assert result.band == "minimal"
    assert result.positive is False
    assert result.safety_alert is True


def test_item9_zero_gives_no_alert():
    result = score("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert result.total == 24
    assert result.safety_alert is False
    assert safety_action(result) is None


@pytest.mark.parametrize("name", ["phq8", "phq2", "gad7", "gad2", "phq4", "phq15"])
def test_safety_alert_is_none_for_other_instruments(name):
    result = run(name, 3)
    assert result.safety_alert is None
    assert result.syndrome is None


@pytest.mark.parametrize(
    ("responses", "syndrome"),
    [
        # core item 1 + items 3-6 at 2: five counted -> major depressive syndrome
        ([2, 0, 2, 2, 2, 2, 0, 0, 0], MAJOR_DEPRESSIVE_SYNDROME),
        # core item 2 + item 3: two counted -> other depressive syndrome
        ([0, 2, 2, 0, 0, 0, 0, 0, 0], OTHER_DEPRESSIVE_SYNDROME),
        # four counted with a core item -> other (upper edge)
        ([3, 3, 2, 2, 1, 1, 1, 1, 0], OTHER_DEPRESSIVE_SYNDROME),
        # a core item alone -> none
        ([3, 0, 0, 0, 0, 0, 0, 0, 0], None),
        # seven counted but no core item -> none
        ([1, 1, 3, 3, 3, 3, 3, 3, 3], None),
        # item 2 at 1 does not count (only item 9 counts at 1)
        ([2, 1, 1, 1, 1, 1, 1, 1, 0], None),
        # all zero
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], None),
    ],
)
def test_phq9_diagnostic_algorithm(responses, syndrome):
    """Does the CamCOPS/Kroenke algorithm classify constructed cases correctly?"""
    assert score("phq9", responses).syndrome == syndrome


def test_item9_counts_at_one():
    """Does item 9 count towards the algorithm when rated 1 (unlike items 1-8)?"""
    assert score("phq9", [2, 0, 0, 0, 0, 0, 0, 0, 0]).syndrome is None
    assert score("phq9", [2, 0, 0, 0, 0, 0, 0, 0, 1]).syndrome == OTHER_DEPRESSIVE_SYNDROME
    assert score("phq9", [2, 2, 2, 2, 0, 0, 0, 0, 0]).syndrome == OTHER_DEPRESSIVE_SYNDROME
    assert score("phq9", [2, 2, 2, 2, 0, 0, 0, 0, 1]).syndrome == MAJOR_DEPRESSIVE_SYNDROME


# ---------------------------------------------------------------------------------------------
# PHQ-9 proration (qscorer / Arrieta et al. 2017; rounded half up)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("responses", "total", "missing"),
    [
        # 15 x 9 / 8 = 16.875 -> 17
        ([2, 2, 2, 2, 2, 2, 2, None, 1], 17, (8,)),
        # 9 x 9 / 8 = 10.125 -> 10
        ([2, 2, 2, 2, 1, 0, 0, None, 0], 10, (8,)),
        # 12 x 9 / 8 = 13.5 -> 14 (exact half, rounds up)
        ([2, 2, 2, 2, 2, 2, None, 0, 0], 14, (7,)),
        # 4 x 9 / 8 = 4.5 -> 5 (half up; banker's rounding would give 4 and the wrong band)
        ([1, 1, 1, 1, 0, 0, 0, None, 0], 5, (8,)),
        # 20 x 9 / 8 = 22.5 -> 23 (banker's rounding would give 22)
        ([3, 3, 3, 3, 3, 3, 2, None, 0], 23, (8,)),
        # 7 x 9 / 7 = 9 exactly, two missing
        ([1, 1, 1, 1, 1, 1, 1, None, None], 9, (8, 9)),
        # 0 stays 0
        ([None, 0, 0, 0, 0, 0, 0, 0, 0], 0, (1,)),
    ],
)
def test_phq9_proration(responses, total, missing):
    result = score("phq9", responses)
    assert result.total == total
    assert result.prorated is True
    assert result.missing_items == missing
    assert result.max_total == 27


def test_prorated_half_changes_band():
    """Does 4.5 round up to 5 (mild), not down to 4 (minimal)?"""
    assert score("phq9", [1, 1, 1, 1, 0, 0, 0, None, 0]).band == "mild"


def test_missing_item9_cannot_rule_out_risk():
    """Is an unanswered item 9 treated as an alert, with a text that says to ask it?"""
    result = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, None])
    assert result.total == 0
    assert result.safety_alert is True
    text = safety_action(result)
    assert text is not None
    assert "left unanswered" in text
    assert "C-SSRS" in text


def test_syndrome_with_missing_items_only_when_determined():
    # the core items and 7 others already count: MDS whatever item 8 would have been
    assert score("phq9", [2, 2, 2, 2, 2, 2, 2, None, 1]).syndrome == MAJOR_DEPRESSIVE_SYNDROME
    # two counted with a core item; item 8 could make it three but never five: other
    assert score("phq9", [2, 2, 0, 0, 0, 0, 0, None, 0]).syndrome == OTHER_DEPRESSIVE_SYNDROME
    # four counted; item 8 at 2 or 3 would make it MDS, at 0 or 1 other: not determinable
    assert score("phq9", [2, 2, 2, 2, 0, 0, 0, None, 0]).syndrome is None
    # no core item answered at 2 and item 1 missing: could be MDS or none
    assert score("phq9", [None, 0, 2, 2, 2, 2, 0, 0, 0]).syndrome is None


def test_three_missing_items_is_an_error():
    with pytest.raises(ValueError, match=r"phq9: 3 items missing .*at most 2"):
        score("phq9", [None, None, None, 0, 0, 0, 0, 0, 0])


def test_complete_phq9_is_not_prorated():
    result = score("phq9", [1, 2, 3, 0, 1, 2, 3, 0, 0])
    assert result.total == 12
    assert result.prorated is False
    assert result.missing_items == ()


def test_difficulty_is_stored_not_summed():
    result = score("phq9", [1, 1, 1, 1, 1, 0, 0, 0, 0], difficulty=2)
    assert result.total == 5
    assert result.difficulty == 2
    assert score("phq8", [0] * 8, difficulty=0).difficulty == 0
    assert score("phq9", [0] * 9).difficulty is None


# ---------------------------------------------------------------------------------------------
# PHQ-4 and PHQ-15 specifics
# ---------------------------------------------------------------------------------------------


def test_phq4_subscales_follow_form_order():
    """Are items 1-2 the anxiety subscale and items 3-4 the depression subscale?"""
    result = score("phq4", [3, 0, 0, 1])
    assert result.subscales == {"anxiety": 3, "depression": 1}
    assert result.total == 4
    assert result.positive is True


@pytest.mark.parametrize(
    ("responses", "positive"),
    [
        ([1, 2, 0, 0], True),  # anxiety 3
        ([0, 0, 2, 1], True),  # depression 3
        ([1, 1, 1, 1], False),  # total 4 (mild) but each subscale 2
        ([2, 0, 0, 2], False),
    ],
)
def test_phq4_positive_if_either_subscale_reaches_3(responses, positive):
    assert score("phq4", responses).positive is positive


def test_phq15_item4_not_applicable_gives_max_28():
    responses = [2, 2, 2, None, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    result = score("phq15", responses, menstrual_applicable=False)
    assert result.total == 28
    assert result.max_total == 28
    assert result.band == "high"
    assert result.severe_symptom_count == 14
    assert result.missing_items == (4,)


def test_phq15_default_counts_item4():
    result = score("phq15", [2] * 15)
    assert result.total == 30
    assert result.max_total == 30
    assert result.severe_symptom_count == 15


def test_phq15_severe_symptom_count():
    result = score("phq15", [2, 1, 0, 0, 2, 1, 0, 0, 2, 0, 0, 0, 0, 1, 1])
    assert result.total == 10
    assert result.band == "medium"
    assert result.severe_symptom_count == 3


def test_wsas_work_not_applicable():
    result = score_wsas([None, 8, 8, 4, 1], work_not_applicable=True)
    assert result.total == 21
    assert result.max_total == 32
    assert result.band == "moderately severe or worse"
    assert result.missing_items == (1,)
    assert score("WSAS", [None, 0, 0, 0, 0], work_not_applicable=True).total == 0


def test_sss8_and_wsas_return_scores():
    sss8 = score_sss8([4, 4, 4, 4, 0, 0, 0, 0])
    assert (sss8.instrument, sss8.total, sss8.band) == ("sss8", 16, "very high")
    wsas = score_wsas([2, 2, 2, 2, 2])
    assert (wsas.instrument, wsas.total, wsas.band) == ("wsas", 10, "significant impairment")


@pytest.mark.parametrize("name", ["PHQ-9", "phq9", "Phq-9", " phq_9 ", "PHQ 9"])
def test_names_are_case_and_hyphen_insensitive(name):
    assert score(name, [0] * 9).instrument == "phq9"


def test_gad7_hyphenated_name():
    assert score("GAD-7", [1] * 7).total == 7


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "responses", "message"),
    [
        (
            "phq9",
            [0, 0, 0, 0, 0, 0, 0, 0, 4],
            "phq9 item 9 (thoughts of being better off dead or self-harm): got 4, "
            "allowed 0, 1, 2, 3",
        ),
        ("phq9", [-1, 0, 0, 0, 0, 0, 0, 0, 0], "phq9 item 1 (little interest or pleasure): got -1"),
        ("gad7", [0, 0, 0, 0, 0, 0, 1.0], "gad7 item 7 (afraid something awful might happen)"),
        ("gad7", [0, 0, True, 0, 0, 0, 0], "gad7 item 3 (worrying too much): got True (bool)"),
        ("phq2", ["1", 0], "phq2 item 1 (little interest or pleasure): got '1' (str)"),
        ("gad2", [0, None], "gad2 item 2 (not able to stop or control worrying): got None"),
        ("phq8", [0, 0, 0, 0, 0, 0, 0, None], "phq8 item 8 (moving or speaking slowly"),
        ("phq4", [0, 0, 0, 3.5], "phq4 item 4 (feeling down, depressed or hopeless): got 3.5"),
        ("phq15", [0, 0, 3] + [0] * 12, "phq15 item 3 (pain in arms, legs or joints): got 3, "),
        ("phq15", [0] * 15 + [0], "phq15: expected 15 responses"),
        ("gad7", [0] * 6, "gad7: expected 7 responses (items 1-7 in form order), got 6"),
        ("phq9", [0] * 10, "item 10 (difficulty) is not a response, pass it as difficulty="),
        ("phq9", "000000000", "phq9: responses must be a list or tuple"),
        ("phq2", {1: 0, 2: 0}, "phq2: responses must be a list or tuple"),
        ("phq2", {0, 1}, "phq2: responses must be a list or tuple"),
        ("phq2", 3, "phq2: responses must be a list or tuple"),
        ("sss8", [0, 0, 0, 0, 5, 0, 0, 0], "sss8 item 5: got 5, allowed 0, 1, 2, 3, 4"),
        ("wsas", [0, 9, 0, 0, 0], "wsas item 2 (home management): got 9, allowed 0, 1, 2"),
        ("wsas", [None, 0, 0, 0, 0], "wsas item 1 (work): got None (missing)"),
    ],
)
def test_bad_responses_name_the_item(name, responses, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        score(name, responses)


def test_error_lists_allowed_values_for_float():
    with pytest.raises(ValueError, match=re.escape("got 1.0 (float), allowed 0, 1, 2, 3")):
        score("phq9", [1.0, 0, 0, 0, 0, 0, 0, 0, 0])


def test_unknown_instrument_lists_known_ones():
    with pytest.raises(ValueError, match=r"unknown instrument 'phq10'; known instruments: phq9, "):
        score("phq10", [0] * 10)


def test_non_string_name():
    with pytest.raises(ValueError, match="instrument name must be a string, got 9"):
        score(9, [0] * 9)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("phq2", {"difficulty": 1}, "phq2: unknown option(s) difficulty; allowed options: none"),
        ("gad7", {"strict": True}, "gad7: unknown option(s) strict"),
        ("phq9", {"menstrual_applicable": False}, "allowed options: difficulty"),
        ("phq15", {"menstrual_applicable": 0}, "phq15 option menstrual_applicable: got 0"),
        ("phq9", {"difficulty": 4}, "phq9 item 10 (difficulty, not scored): got 4"),
        ("phq9", {"difficulty": 1.5}, "phq9 item 10 (difficulty, not scored): got 1.5"),
    ],
)
def test_bad_options(name, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        score(name, [0] * N_ITEMS[name], **options)


def test_phq15_item4_must_be_none_when_not_applicable():
    with pytest.raises(ValueError, match=re.escape("phq15 item 4 (menstrual cramps")):
        score("phq15", [0] * 15, menstrual_applicable=False)


def test_phq15_item4_none_needs_the_option():
    responses = [0, 0, 0, None] + [0] * 11
    with pytest.raises(ValueError, match="pass menstrual_applicable=False"):
        score("phq15", responses)


def test_wsas_work_item_must_be_none_when_not_applicable():
    with pytest.raises(ValueError, match=re.escape("wsas item 1 (work): got 3, allowed None")):
        score_wsas([3, 0, 0, 0, 0], work_not_applicable=True)


def test_items_for_unbundled_instrument_is_refused():
    with pytest.raises(ValueError, match="item text is not bundled"):
        items("sss8")


# ---------------------------------------------------------------------------------------------
# Item text, anchors and metadata
# ---------------------------------------------------------------------------------------------


def test_gad7_zero_anchor_is_not_at_all():
    """Is the GAD-7 0 anchor "Not at all" (not the "not at all sure" error, Zorowitz 2021)?"""
    assert anchors("gad7")[0] == (0, "Not at all")


def test_frequency_and_bother_anchors():
    expected = [(0, "Not at all"), (1, "Several days"), (2, "More than half the days")]
    expected.append((3, "Nearly every day"))
    for name in ("phq9", "phq8", "phq2", "gad7", "gad2", "phq4"):
        assert anchors(name) == expected
    assert anchors("phq15") == [
        (0, "Not bothered at all"),
        (1, "Bothered a little"),
        (2, "Bothered a lot"),
    ]


def test_phq9_item_text():
    texts = items("PHQ-9")
    assert len(texts) == 9
    assert texts[0] == "Little interest or pleasure in doing things"
    assert texts[1] == "Feeling down, depressed, or hopeless"
    assert (
        texts[8] == "Thoughts that you would be better off dead or of hurting yourself in some way"
    )


def test_gad7_item_text():
    assert items("gad7") == [
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ]


def test_short_forms_reuse_parent_items():
    assert items("phq8") == items("phq9")[:8]
    assert items("phq2") == items("phq9")[:2]
    assert items("gad2") == items("gad7")[:2]
    assert items("phq4") == items("gad7")[:2] + items("phq9")[:2]


def test_phq15_item_text():
    texts = items("phq15")
    assert len(texts) == 15
    assert texts[0] == "Stomach pain"
    assert texts[3] == "Menstrual cramps or other problems with your periods (women only)"
    assert texts[14] == "Trouble sleeping"


def test_instrument_info():
    info = instrument_info("PHQ-9")
    assert info.name == "phq9"
    assert info.n_items == 9
    assert info.max_total == 27
    assert info.recall == "last 2 weeks"
    assert info.stem == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert info.attribution == ATTRIBUTION
    assert "J Gen Intern Med" in info.citation
    assert info.difficulty_question is not None
    assert info.difficulty_anchors[0] == (0, "Not difficult at all")
    phq15 = instrument_info("phq15")
    assert phq15.stem == (
        "During the past 4 weeks, how much have you been bothered by any of the following problems?"
    )
    assert phq15.max_total == 30
    assert phq15.difficulty_question is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.title = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("name", INSTRUMENT_NAMES)
def test_every_instrument_has_complete_metadata(name):
    info = instrument_info(name)
    assert info.n_items == N_ITEMS[name] == len(info.items) == len(info.labels)
    assert info.max_total == MAX_TOTAL[name]
    assert info.attribution == ATTRIBUTION
    assert info.citation
    assert all(text.strip() for text in info.items)


def test_items_returns_a_copy():
    texts = items("phq2")
    texts.append("tampered")
    assert len(items("phq2")) == 2


def test_instrument_names():
    assert INSTRUMENT_NAMES == ("phq9", "phq8", "phq2", "gad7", "gad2", "phq4", "phq15")


# ---------------------------------------------------------------------------------------------
# Score object
# ---------------------------------------------------------------------------------------------


def test_score_is_frozen_and_json_able():
    result = score("phq4", [1, 2, 0, 3])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 0  # type: ignore[misc]
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["subscales"] == {"anxiety": 3, "depression": 3}
    assert data["instrument"] == "phq4"
    assert hash(result) == hash(score("phq4", [1, 2, 0, 3]))


def test_to_dict_of_prorated_phq9():
    data = score("phq9", [1, 1, 1, 1, 1, 1, 1, None, None]).to_dict()
    assert data["missing_items"] == [8, 9]
    assert data["prorated"] is True
    assert data["safety_alert"] is True


# ---------------------------------------------------------------------------------------------
# Recommended actions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "phrase"),
    [
        (0, "no depression treatment is proposed"),
        (7, "watchful waiting; repeat the PHQ-9 at follow-up"),
        (12, "treatment plan"),
        (17, "active treatment with pharmacotherapy and/or psychotherapy"),
        (22, "expedited referral to a mental health specialist"),
    ],
)
def test_phq9_action_by_band(total, phrase):
    text = recommended_action(run("phq9", total))
    assert phrase in text
    assert "Psychiatric Annals 2002" in text
    assert "C-SSRS" not in text


def test_safety_comes_first_whatever_the_total():
    """Does an item-9 alert put the same-visit risk assessment before everything else?"""
    result = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    text = recommended_action(result)
    assert text.startswith("Safety first")
    assert "before the encounter ends" in text
    assert text.index("C-SSRS") < text.index("Minimal symptoms")
    assert safety_action(result) is not None
    assert text.startswith(safety_action(result))


def test_phq8_action_notes_missing_item9():
    text = recommended_action(run("phq8", 10))
    assert "treatment plan" in text
    assert "no item 9" in text


def test_gad7_actions():
    assert "further evaluation is needed" in recommended_action(run("gad7", 10))
    assert "below the cut point of 10" in recommended_action(run("gad7", 9))


def test_two_item_screeners_point_to_the_full_instrument():
    assert "administer the full PHQ-9" in recommended_action(run("phq2", 3))
    assert "administer the full GAD-7" in recommended_action(run("gad2", 4))
    assert "not indicated" in recommended_action(run("phq2", 2))


def test_phq4_action_per_subscale():
    text = recommended_action(score("phq4", [2, 1, 0, 1]))
    assert "full GAD-7" in text
    assert "full PHQ-9" not in text


@pytest.mark.parametrize(("name", "total"), [("phq15", 16), ("sss8", 9), ("wsas", 25)])
def test_other_actions_name_the_band(name, total):
    result = run(name, total)
    assert result.band in recommended_action(result)


def test_prorated_action_asks_for_missing_items():
    text = recommended_action(score("phq9", [2, 2, 2, 2, 2, 2, 2, None, 1]))
    assert text.startswith("Safety first")
    assert "prorated" in text


def test_safety_action_none_for_other_instruments():
    assert safety_action(run("gad7", 21)) is None


def test_recommended_action_rejects_unknown_band():
    bogus = Score(instrument="phq9", total=3, max_total=27, band="tiny", positive=False)
    with pytest.raises(ValueError, match="unknown band 'tiny'"):
        recommended_action(bogus)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

BAND_ORDER = {
    "phq9": ["minimal", "mild", "moderate", "moderately severe", "severe"],
    "phq8": ["minimal", "mild", "moderate", "moderately severe", "severe"],
    "gad7": ["minimal", "mild", "moderate", "severe"],
    "phq4": ["none", "mild", "moderate", "severe"],
    "phq15": ["minimal", "low", "medium", "high"],
    "phq2": ["negative", "positive"],
    "gad2": ["negative", "positive"],
}


@st.composite
def instrument_responses(draw):
    name = draw(st.sampled_from(INSTRUMENT_NAMES))
    item_max = ITEM_MAX.get(name, 3)
    values = draw(
        st.lists(
            st.integers(0, item_max),
            min_size=N_ITEMS[name],
            max_size=N_ITEMS[name],
        )
    )
    return name, values


@settings(max_examples=200, deadline=None)
@given(instrument_responses())
def test_total_is_sum_within_range_and_positive_consistent(case):
    name, values = case
    result = score(name, values)
    assert result.total == sum(values)
    assert 0 <= result.total <= result.max_total == MAX_TOTAL[name]
    assert result.band in BAND_ORDER[name]
    if name in {"phq9", "phq8", "gad7"}:
        assert result.positive is (result.total >= 10)
    elif name in {"phq2", "gad2"}:
        assert result.positive is (result.total >= 3)
        assert result.band == ("positive" if result.positive else "negative")
    elif name == "phq4":
        assert result.positive is (values[0] + values[1] >= 3 or values[2] + values[3] >= 3)
    else:
        assert result.positive is None
    if name == "phq9":
        assert result.safety_alert is (values[8] >= 1)
        assert result.prorated is False


@settings(max_examples=200, deadline=None)
@given(instrument_responses(), st.data())
def test_band_is_monotone_in_total(case, data):
    name, first = case
    second = data.draw(
        st.lists(
            st.integers(0, ITEM_MAX.get(name, 3)),
            min_size=N_ITEMS[name],
            max_size=N_ITEMS[name],
        )
    )
    low, high = sorted([score(name, first), score(name, second)], key=lambda r: r.total)
    order = BAND_ORDER[name]
    assert order.index(low.band) <= order.index(high.band)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=9, max_size=9),
    st.sets(st.integers(0, 8), max_size=2),
)
def test_proration_matches_integer_formula(values, missing):
    """Does proration equal round-half-up(sum x 9 / answered), and the plain sum if complete?"""
    responses = [None if i in missing else v for i, v in enumerate(values)]
    result = score("phq9", responses)
    answered = [v for v in responses if v is not None]
    n = len(answered)
    # round half up of 9*s/n, in integers: floor((18*s + n) / (2n))
    expected = (18 * sum(answered) + n) // (2 * n)
    assert result.total == expected
    assert 0 <= result.total <= 27
    assert result.prorated is bool(missing)
    if not missing:
        assert result.total == sum(values)
    assert result.missing_items == tuple(sorted(i + 1 for i in missing))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_syndrome_requires_a_core_item(values):
    result = score("phq9", values)
    if values[0] < 2 and values[1] < 2:
        assert result.syndrome is None
    counted = sum(v >= 2 for v in values[:8]) + (values[8] >= 1)
    if result.syndrome == MAJOR_DEPRESSIVE_SYNDROME:
        assert counted >= 5
    if result.syndrome == OTHER_DEPRESSIVE_SYNDROME:
        assert 2 <= counted <= 4


# ---------------------------------------------------------------------------------------------
# Rule records: one per instrument, the single source of every number
# ---------------------------------------------------------------------------------------------

ALL_N_ITEMS = {**N_ITEMS, "sss8": 8, "wsas": 5}
ALL_MAX_TOTAL = {**MAX_TOTAL, "sss8": 32, "wsas": 40}


def test_one_rule_record_per_instrument():
    assert tuple(RULES) == INSTRUMENT_NAMES + SCORE_ONLY_NAMES
    for name, rules in RULES.items():
        assert rules.name == name
        assert rules.n_items == ALL_N_ITEMS[name]
        assert rules.max_total == ALL_MAX_TOTAL[name]
        assert rules.text_bundled is (name in INSTRUMENT_NAMES)
        assert bands(name) == [(band.low, band.high, band.label) for band in rules.bands]


@pytest.mark.parametrize("name", [*INSTRUMENT_NAMES, *SCORE_ONLY_NAMES])
def test_scores_follow_the_rule_record(name):
    """Does every total land in the record's band, with the record's cut-off and maximum?"""
    rules = rules_for(name)
    for band in rules.bands:
        for total in (band.low, band.high):
            result = run(name, total)
            assert result.band == band.label
            assert result.max_total == rules.max_total
            if rules.cutoff is not None:
                assert result.positive is (total >= rules.cutoff)


def test_rule_records_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES["phq9"].cutoff = 11  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES["phq9"].bands[0].high = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        RULES["phq10"] = RULES["phq9"]  # type: ignore[index]


def test_phq9_item9_rule():
    rule = rules_for("PHQ-9").safety_item
    assert rule is not None
    assert (rule.item, rule.alert_at, rule.alert_if_missing) == (9, 1, True)
    assert [rule.alert(v) for v in (None, 0, 1, 2, 3)] == [True, False, True, True, True]
    assert "C-SSRS" in rule.action
    assert all(RULES[name].safety_item is None for name in RULES if name != "phq9")


def test_rule_record_refuses_gaps_and_bad_items():
    good = (Band(0, 2, "low"), Band(3, 6, "high"))
    InstrumentRules(name="x", title="X", n_items=2, item_max=3, bands=good, source="s")
    with pytest.raises(ValueError, match="does not start at 3"):
        InstrumentRules(
            name="x",
            title="X",
            n_items=2,
            item_max=3,
            bands=(Band(0, 2, "low"), Band(4, 6, "high")),
            source="s",
        )
    with pytest.raises(ValueError, match="must end at the maximum total 6"):
        InstrumentRules(name="x", title="X", n_items=2, item_max=3, bands=good[:1], source="s")
    with pytest.raises(ValueError, match="item numbers"):
        InstrumentRules(
            name="x", title="X", n_items=2, item_max=3, bands=good, source="s", optional_item=3
        )


def test_band_range_text():
    phq9 = rules_for("phq9")
    assert [phq9.band_range(label) for label in phq9.band_labels] == [
        "0-4",
        "5-9",
        "10-14",
        "15-19",
        "20 or more",
    ]
    assert rules_for("phq8").band_range("severe") == "20 or more"
    with pytest.raises(ValueError, match="unknown band 'tiny'"):
        phq9.band_range("tiny")


def test_max_total_without_the_optional_item():
    assert rules_for("phq15").max_total_for(optional_item_applies=False) == 28
    assert rules_for("wsas").max_total_for(optional_item_applies=False) == 32
    assert rules_for("phq9").max_total_for(optional_item_applies=False) == 27


# --- messages quote the record ------------------------------------------------------------


@pytest.mark.parametrize("name", ["phq9", "phq8"])
def test_phq_actions_quote_the_record_ranges(name):
    """Does every band's next step quote exactly the band range in the rule record?"""
    rules = rules_for(name)
    for band in rules.bands:
        text = recommended_action(run(name, band.low))
        label = band.label[0].upper() + band.label[1:]
        assert f"{label} symptoms ({rules.band_range(band.label)}):" in text
    assert "Moderate symptoms (10-14):" in recommended_action(run(name, 12))
    assert "Severe symptoms (20 or more):" in recommended_action(run(name, 20))


def test_cut_off_messages_quote_the_record():
    gad7 = rules_for("gad7")
    assert f"({gad7.cutoff} or more)" in recommended_action(run("gad7", gad7.cutoff))
    assert f"below the cut point of {gad7.cutoff}" in recommended_action(run("gad7", 0))
    for name in ("phq2", "gad2"):
        rules = rules_for(name)
        assert rules.cutoff == 3
        positive = recommended_action(run(name, rules.cutoff))
        assert f"Positive {rules.title} screen ({rules.cutoff} or more)" in positive
        assert f"full {rules_for(rules.full_form).title}" in positive
        negative = recommended_action(run(name, rules.cutoff - 1))
        assert f"Negative {rules.title} screen (below {rules.cutoff})" in negative
    phq4 = rules_for("phq4")
    text = recommended_action(score("phq4", [2, 1, 0, 0]))
    assert f"(3/{phq4.max_total})" in text
    assert f"anxiety subscale is {phq4.subscale_cutoff} or more" in text
    assert f"neither subscale reaches {phq4.subscale_cutoff}" in recommended_action(
        score("phq4", [1, 1, 1, 1])
    )
    cuts = [band.low for band in rules_for("phq15").bands[1:]]
    assert cuts == [5, 10, 15]
    assert "cut points 5, 10 and 15" in recommended_action(run("phq15", 3))
    low, mid, high = rules_for("wsas").bands
    wsas = recommended_action(run("wsas", 3))
    assert f"above {high.low - 1} suggests" in wsas
    assert f"{mid.low}-{mid.high} significant" in wsas
    assert f"below {low.high + 1} subclinical" in wsas
    assert "above 20" in wsas
    assert "10-20" in wsas


def test_safety_messages_quote_the_item9_rule():
    rule = RULES["phq9"].safety_item
    endorsed = safety_action(score("phq9", [0] * 8 + [rule.alert_at]))
    assert endorsed.startswith(f"Safety first: PHQ-9 item {rule.item} ({rule.topic}) was endorsed")
    assert rule.action[1:] in endorsed
    missing = safety_action(score("phq9", [0] * 8 + [None]))
    assert f"PHQ-9 item {rule.item}" in missing
    assert "left unanswered" in missing
    assert "The PHQ-8 has no item 9" in recommended_action(run("phq8", 0))


def test_provisional_safety_action():
    """Does an endorsed item 9 give the safety text before the form is complete?"""
    open_form = [None] * 8 + [1]
    expected = safety_action(score("phq9", [0] * 8 + [1]))
    assert provisional_safety_action("PHQ 9", open_form) == expected
    assert provisional_safety_action("phq9", [None] * 9) is None
    assert provisional_safety_action("phq9", [None] * 8 + [0]) is None
    assert provisional_safety_action("gad7", [3] * 7) is None


def test_safety_item_guidance():
    text = safety_item_guidance("Phq-9")
    assert text is not None
    assert text.startswith("Item 9 asks about thoughts of death or self-harm")
    assert "Louzon" in text
    assert safety_item_guidance("gad7") is None


# --- one name normaliser for every entry point --------------------------------------------

SPELLINGS = {
    "phq9": ["phq9", "PHQ-9", "PHQ 9", " phq_9 ", "Phq-9", "P H Q 9", "PHQ9\t"],
    "gad7": ["GAD-7", "gad 7", "Gad_7"],
    "phq15": ["PHQ-15", "phq 15", "PHQ_15"],
    "phq4": ["PHQ 4", "phq-4"],
    "sss8": ["SSS-8", "sss 8"],
    "wsas": ["WSAS", " wsas "],
}
REJECTED = ["phq10", "PHQ.9", "PHQ\u20139", "phq", "", "gad-77"]
_ALL_SPELLINGS = [s for spellings in SPELLINGS.values() for s in spellings]


def accepting(calls):
    """Return the names of the calls that did not raise ValueError."""
    accepted = set()
    for entry, call in calls.items():
        try:
            call()
        except ValueError:
            continue
        accepted.add(entry)
    return accepted


def clinical_calls(spelling):
    """Every clinical entry point that takes an instrument name, called with ``spelling``."""
    try:
        rules = rules_for(spelling)
    except ValueError:
        rules = RULES["phq9"]  # inputs for a name that every entry point should refuse
    zeros = [0] * rules.n_items
    first = rules.bands[0].label
    return {
        "normalise_name": lambda: normalise_name(spelling),
        "rules_for": lambda: rules_for(spelling),
        "score": lambda: score(spelling, zeros),
        "bands": lambda: bands(spelling),
        "recommended_action": lambda: recommended_action(
            Score(spelling, 0, rules.max_total, first, None)
        ),
        "provisional_safety_action": lambda: provisional_safety_action(spelling, zeros),
    }


@pytest.mark.parametrize("spelling", [*_ALL_SPELLINGS, *REJECTED])
def test_every_clinical_entry_point_accepts_the_same_spellings(spelling):
    calls = clinical_calls(spelling)
    accepted = accepting(calls)
    assert accepted == (set(calls) if spelling in _ALL_SPELLINGS else set()), sorted(accepted)


@pytest.mark.parametrize(
    ("canonical", "spelling"),
    [(name, s) for name, spellings in SPELLINGS.items() for s in spellings],
)
def test_text_entry_points_agree_with_scoring(canonical, spelling):
    """Do the wording functions accept every spelling scoring does (or refuse on licence)?"""
    assert rules_for(spelling).name == canonical
    if canonical in INSTRUMENT_NAMES:
        assert instrument_info(spelling).name == canonical
        assert items(spelling) == items(canonical)
        assert anchors(spelling) == anchors(canonical)
    else:
        for call in (instrument_info, items, anchors):
            with pytest.raises(ValueError, match="item text is not bundled"):
                call(spelling)
