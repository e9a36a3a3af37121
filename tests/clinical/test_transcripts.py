"""Tests for bpscare.clinical.transcripts: model, loader, metrics and coder agreement."""

from __future__ import annotations

import copy
import math
import re
from importlib import resources
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bpscare.clinical import transcripts as tx
from bpscare.clinical.language import scan_text
from bpscare.clinical.transcripts import (
    CODES,
    Transcript,
    TranscriptError,
    Utterance,
    agenda_elicited,
    agreement_report,
    code_counts,
    code_labels,
    cohen_kappa,
    confusion_table,
    empathic_response_rate,
    interpret_kappa,
    kappa_per_code,
    load_transcript,
    load_transcript_file,
    load_transcripts,
    metrics_from_codes,
    opening_statement_duration,
    summary,
    talk_ratio,
    time_to_first_interruption,
    transcript_ids,
    utterance_ratio,
)

# ---------------------------------------------------------------------------------------------
# A small hand-built transcript with hand-computed metrics
# ---------------------------------------------------------------------------------------------

# n, start, end, speaker, text, code
HAND_ROWS = [
    (1, 0.0, 3.0, "C", "Hi, I'm Dr. Lee. What brings you in today?", "agenda_elicitation"),
    (2, 4.0, 15.5, "P", "My knees have been aching for months and I—", "other"),
    (3, 15.0, 17.0, "C", "Which knee is worse?", "interruption"),
    (
        4,
        17.5,
        22.5,
        "P",
        "The right. I'm scared I'll end up in a wheelchair.",
        "empathic_opportunity",
    ),
    (5, 23.0, 25.0, "C", "Any swelling?", "missed_opportunity"),
    (6, 25.5, 27.0, "P", "Sometimes.", "other"),
    (
        7,
        27.5,
        31.5,
        "P",
        "It's hard to look after my grandkids, and that gets me down.",
        "empathic_opportunity",
    ),
    (
        8,
        32.0,
        36.0,
        "C",
        "It sounds hard to feel held back from your grandkids.",
        "empathic_response",
    ),
    (9, 36.5, 38.0, "P", "It is.", "other"),
    (10, 38.5, 41.0, "P", "I just feel stuck.", "empathic_opportunity"),
    (11, 41.5, 44.0, "C", "It's only arthritis, everyone gets it.", "dismissal"),
    (12, 44.5, 46.0, "P", "Okay.", "other"),
    (
        13,
        46.5,
        52.0,
        "C",
        "If your knee gets hot, red and swollen, call us the same day.",
        "safety_netting",
    ),
    (14, 52.5, 54.0, "P", "Okay, thanks.", "other"),
]


def hand_transcript(rows: list[tuple[Any, ...]] | None = None) -> Transcript:
    return Transcript(
        id="t99-hand-built",
        title="Knee pain",
        setting="primary care",
        case_id=None,
        speakers={"C": "Physician", "P": "Patient"},
        utterances=tuple(Utterance(*row) for row in (rows or HAND_ROWS)),
        description="Hand-built test transcript.",
        teaching_points=("Test.",),
        sources=("Test.",),
    )


@pytest.fixture
def hand() -> Transcript:
    return hand_transcript()


def test_time_to_first_interruption_is_11_seconds(hand):
    """Does the clock start at the patient's opening statement (4.0 s) and stop at 15.0 s?"""
    assert time_to_first_interruption(hand) == 11.0


def test_opening_statement_ends_at_the_interruption(hand):
    assert opening_statement_duration(hand) == 11.0


def test_talk_ratio_by_time(hand):
    # clinician 3 + 2 + 2 + 4 + 2.5 + 5.5 = 19 s; patient 11.5 + 5 + 1.5 + 4 + 1.5 + 2.5 + 1.5
    # + 1.5 = 29 s
    assert talk_ratio(hand) == pytest.approx(19 / 29)


def test_utterance_ratio_by_count(hand):
    # 6 clinician utterances, 8 patient utterances
    assert utterance_ratio(hand) == pytest.approx(0.75)


def test_empathic_response_rate_counts_a_dismissal_in_the_reply_slot_as_missed(hand):
    """One response (8), one missed_opportunity (5), one dismissal of a cue (11): 1/3."""
    assert empathic_response_rate(hand) == pytest.approx(1 / 3)


def test_agenda_elicited_at_the_start(hand):
    assert agenda_elicited(hand) is True


def test_agenda_after_the_first_third_does_not_count():
    rows = [list(r) for r in HAND_ROWS]
    rows[0][5] = "other"  # no elicitation at the start
    rows[12][5] = "agenda_elicitation"  # utterance 13 starts at 46.5 s of a 54 s visit
    t = hand_transcript([tuple(r) for r in rows])
    assert agenda_elicited(t) is False


def test_code_counts_include_every_code(hand):
    counts = code_counts(hand)
    assert list(counts) == list(CODES)
    assert counts["other"] == 5
    assert counts["empathic_opportunity"] == 3
    assert counts["interruption"] == 1
    assert counts["teach_back"] == 0
    assert sum(counts.values()) == 14


def test_summary_collects_the_metrics(hand):
    s = summary(hand)
    assert s["transcript_id"] == "t99-hand-built"
    assert s["n_utterances"] == 14
    assert s["n_coded"] == 14
    assert s["duration_s"] == 54.0
    assert s["time_to_first_interruption_s"] == 11.0
    assert s["empathic_opportunities"] == 3
    assert s["empathic_responses"] == 1
    assert s["missed_opportunities"] == 2
    assert s["empathic_response_rate"] == pytest.approx(1 / 3)


def test_metrics_from_learner_codes_differ_from_the_expert(hand):
    """If the learner codes utterance 3 as a closed question, is there no interruption?"""
    codes = list(hand.codes)
    codes[2] = "closed_question"
    m = metrics_from_codes(hand, codes)
    assert m["time_to_first_interruption_s"] is None
    # the opening now ends at the end of utterance 2 (15.5 s), 11.5 s after it started
    assert m["opening_statement_duration_s"] == 11.5


def test_metrics_accept_a_partial_mapping(hand):
    m = metrics_from_codes(hand, {1: "agenda_elicitation", "8": "empathic_response"})
    assert m["n_coded"] == 2
    assert m["time_to_first_interruption_s"] is None
    assert m["empathic_response_rate"] == 1.0
    assert m["code_counts"]["empathic_response"] == 1
    assert sum(m["code_counts"].values()) == 2


def test_no_opportunities_gives_none():
    rows = [
        (1, 0.0, 2.0, "C", "What brings you in?", "agenda_elicitation"),
        (2, 2.5, 6.0, "P", "A cough for a week.", "other"),
        (3, 6.5, 8.0, "C", "Mm-hm.", "other"),
        (4, 8.5, 10.0, "P", "That's all.", "other"),
        (5, 10.5, 12.0, "C", "Any fever?", "closed_question"),
    ]
    t = hand_transcript(rows)
    assert empathic_response_rate(t) is None
    assert time_to_first_interruption(t) is None
    # the back-channel "Mm-hm." does not end the opening statement: 2.5 s to 10.0 s
    assert opening_statement_duration(t) == 7.5


def test_talk_ratio_raises_when_the_patient_never_speaks_for_any_time():
    rows = [
        (1, 0.0, 2.0, "C", "What brings you in?", "agenda_elicitation"),
        (2, 2.5, 2.5, "P", "[nods]", "other"),
    ]
    with pytest.raises(ValueError, match="zero total duration"):
        talk_ratio(hand_transcript(rows))


@pytest.mark.parametrize(
    ("codes", "match"),
    [
        (["other"] * 3, "has 3 entries but transcript 't99-hand-built' has 14"),
        ({15: "other"}, "from 1 to 14, got 15"),
        ({1: "empathy"}, "unknown code 'empathy'; allowed codes: open_question"),
        ("other", "sequence with one code per utterance"),
    ],
)
def test_bad_learner_codes_are_rejected(hand, codes, match):
    with pytest.raises(ValueError, match=match):
        metrics_from_codes(hand, codes)


# ---------------------------------------------------------------------------------------------
# Cohen's kappa, hand-worked
# ---------------------------------------------------------------------------------------------


def _from_table(table: list[list[int]], labels: list[str]) -> tuple[list[str], list[str]]:
    """Expand a contingency table (rows = coder A, columns = coder B) into two label lists."""
    a: list[str] = []
    b: list[str] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [labels[i]] * count
            b += [labels[j]] * count
    return a, b


def test_kappa_textbook_2x2():
    """50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 (the Wikipedia worked example).

    p_o = 35/50 = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4.
    """
    a, b = _from_table([[20, 5], [10, 15]], ["yes", "no"])
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_kappa_hand_worked_3x3():
    """Rows (A) [10,2,0], [1,8,1], [2,1,5]; n = 30.

    p_o = 23/30. Row totals 12, 10, 8; column totals 13, 11, 6.
    p_e = (12*13 + 10*11 + 8*6) / 900 = 314/900.
    kappa = (690 - 314) / (900 - 314) = 376/586 = 0.64164.
    """
    a, b = _from_table([[10, 2, 0], [1, 8, 1], [2, 1, 5]], ["x", "y", "z"])
    assert cohen_kappa(a, b) == pytest.approx(0.64164, abs=1e-5)


def test_perfect_agreement_is_one():
    labels = ["other", "jargon", "other", "dismissal"]
    assert cohen_kappa(labels, labels) == 1.0


def test_single_shared_label_is_one_not_nan():
    """Expected agreement 1 (one label throughout): kappa is reported as 1.0."""
    assert cohen_kappa(["other"] * 5, ["other"] * 5) == 1.0


def test_chance_agreement_is_zero():
    # p_o = 0.5 and p_e = 0.5 * 0.5 + 0.5 * 0.5 = 0.5
    assert cohen_kappa(["x", "x", "y", "y"], ["x", "y", "x", "y"]) == 0.0


def test_complete_disagreement_on_two_balanced_labels_is_minus_one():
    assert cohen_kappa(["x", "y"], ["y", "x"]) == -1.0


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        (["x"], ["x", "y"], "different numbers of items: 1 and 2"),
        ([], [], "at least one item"),
        ("xy", "xy", "not a single string"),
    ],
)
def test_kappa_rejects_bad_input(a, b, match):
    with pytest.raises(ValueError, match=match):
        cohen_kappa(a, b)


def test_kappa_per_code_one_versus_rest():
    """For 'x' in the 3x3 example: x/x 10, x/not 2, not/x 3, not/not 15.

    p_o = 25/30; p_e = (12*13 + 18*17) / 900 = 462/900; kappa = (750-462)/(900-462) = 288/438.
    """
    a, b = _from_table([[10, 2, 0], [1, 8, 1], [2, 1, 5]], ["x", "y", "z"])
    per_code = kappa_per_code(a, b, labels=["x", "y", "z", "w"])
    assert per_code["x"] == pytest.approx(288 / 438)
    assert per_code["w"] is None  # neither coder used it
    assert set(per_code) == {"x", "y", "z", "w"}


def test_kappa_per_code_defaults_to_all_codes_for_code_labels():
    per_code = kappa_per_code(["other", "jargon"], ["other", "jargon"])
    assert list(per_code) == list(CODES)
    assert per_code["jargon"] == 1.0
    assert per_code["teach_back"] is None


def test_confusion_table_shape_and_counts():
    a, b = _from_table([[10, 2, 0], [1, 8, 1], [2, 1, 5]], ["x", "y", "z"])
    table = confusion_table(a, b, labels=["x", "y", "z", "w"])
    assert table.shape == (4, 4)
    assert table.index.name == "expert"
    assert table.columns.name == "learner"
    assert table.loc["x", "y"] == 2
    assert table.loc["z", "x"] == 2
    assert table.loc["y", "y"] == 8
    assert table.loc["w"].sum() == 0
    assert table["w"].sum() == 0
    assert int(table.to_numpy().sum()) == 30


def test_confusion_table_defaults_to_all_codes():
    table = confusion_table(["other", "jargon"], ["other", "other"])
    assert table.shape == (len(CODES), len(CODES))
    assert list(table.index) == list(CODES)
    assert table.loc["jargon", "other"] == 1


def test_confusion_table_rejects_unlisted_labels():
    with pytest.raises(ValueError, match="used but not in labels"):
        confusion_table(["x"], ["y"], labels=["x"])


@pytest.mark.parametrize(
    ("kappa", "band"),
    [
        (-0.1, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.21, "fair"),
        (0.4, "fair"),
        (0.41, "moderate"),
        (0.6, "moderate"),
        (0.61, "substantial"),
        (0.8, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
    ],
)
def test_landis_koch_bands(kappa, band):
    assert interpret_kappa(kappa) == band


@pytest.mark.parametrize("bad", [1.2, -1.5, math.nan, "0.5"])
def test_interpret_kappa_rejects_out_of_range(bad):
    with pytest.raises(ValueError, match="kappa must be a number from -1 to 1"):
        interpret_kappa(bad)


label_lists = st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_kappa_is_symmetric_and_at_most_one(data):
    a = data.draw(label_lists)
    b = data.draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=len(a), max_size=len(a)))
    k = cohen_kappa(a, b)
    assert k == cohen_kappa(b, a)
    assert -1.0 <= k <= 1.0


@settings(max_examples=100, deadline=None)
@given(label_lists.filter(lambda xs: len(set(xs)) >= 2))
def test_kappa_of_identical_codings_with_two_or_more_labels_is_one(a):
    assert cohen_kappa(a, list(a)) == 1.0


# ---------------------------------------------------------------------------------------------
# Agreement report
# ---------------------------------------------------------------------------------------------


def test_agreement_report_on_partial_learner_codes(hand):
    learner = {
        1: "agenda_elicitation",
        2: "other",
        3: "closed_question",
        4: "empathic_opportunity",
        5: "missed_opportunity",
    }
    report = agreement_report(hand, learner)
    assert report.n_compared == 5
    assert report.unannotated == tuple(range(6, 15))
    assert report.coverage == pytest.approx(5 / 14)
    assert report.percent_agreement == pytest.approx(80.0)
    # n = 5, agreed = 4, s = 4 (agenda, other, empathic_opportunity, missed each 1*1):
    # kappa = (5*4 - 4) / (25 - 4) = 16/21
    assert report.kappa == pytest.approx(16 / 21)
    assert report.kappa_band == "substantial"
    assert report.recall["interruption"] == 0.0
    assert report.precision["closed_question"] == 0.0
    assert report.precision["other"] == 1.0
    assert report.precision["teach_back"] is None
    assert report.confusion.loc["interruption", "closed_question"] == 1
    assert [d.n for d in report.disagreements] == [3]
    assert report.learner_metrics["time_to_first_interruption_s"] is None
    assert report.expert_metrics["time_to_first_interruption_s"] == 11.0


def test_agreement_messages_name_the_utterance_and_quote_it(hand):
    report = agreement_report(hand, {3: "closed_question", 8: "validation", 10: "other"})
    text = "\n".join(report.messages)
    assert (
        "Utterance 3 (“Which knee is worse?”) interrupts the patient’s opening statement; "
        "you coded it closed_question." in text
    )
    assert "precedence rule puts interruption before closed_question" in text
    assert "Utterance 10 (“I just feel stuck.”) offers an empathic opportunity" in text
    assert "Utterance(s) 1, 2, 4, 5, 6, 7, 9, 11, 12, 13, 14 were left uncoded" in text
    assert report.messages[0].startswith("You coded 3 of 14 utterances and agreed with the expert")


def test_agreement_report_flags_clinician_codes_on_patient_lines(hand):
    report = agreement_report(hand, {4: "validation"})
    assert "Patient, family and interpreter utterances take only" in report.messages[1]


def test_unannotated_sequence_entries_are_excluded_not_counted_as_other(hand):
    learner: list[str | None] = [None] * 14
    learner[1] = "other"
    learner[5] = "other"
    report = agreement_report(hand, learner)
    assert report.n_compared == 2
    assert report.percent_agreement == 100.0
    assert report.kappa == 1.0
    assert report.confusion.to_numpy().sum() == 2


def test_full_expert_coding_agrees_perfectly(hand):
    report = agreement_report(hand, list(hand.codes))
    assert report.kappa == 1.0
    assert report.disagreements == ()
    assert len(report.messages) == 1
    frame = report.per_code_frame()
    assert list(frame.index) == list(CODES)
    assert frame.loc["other", "expert_n"] == 5
    assert frame.loc["other", "agreed"] == 5


def test_agreement_report_needs_at_least_one_code(hand):
    with pytest.raises(ValueError, match="no utterance of transcript 't99-hand-built' was coded"):
        agreement_report(hand, {})


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


def test_codes_come_from_the_vocabulary_file():
    path = resources.files("bpscare").joinpath("data", "vocabulary.yaml")
    vocabulary = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert tuple(vocabulary["utterance_codes"]) == CODES
    assert code_labels() == vocabulary["utterance_codes"]
    assert len(CODES) == 14


# ---------------------------------------------------------------------------------------------
# The bundled transcripts
# ---------------------------------------------------------------------------------------------

BUNDLED = load_transcripts()


def test_at_least_eight_transcripts_are_bundled():
    assert len(transcript_ids()) >= 8
    assert [t.id for t in BUNDLED] == list(transcript_ids())


@pytest.mark.parametrize("t", BUNDLED, ids=lambda t: t.id)
def test_bundled_transcript_is_well_formed(t):
    assert t.synthetic is True
    assert 25 <= len(t.utterances) <= 60
    assert [u.n for u in t.utterances] == list(range(1, len(t.utterances) + 1))
    assert set(t.codes) <= set(CODES)
    starts = [u.start for u in t.utterances]
    assert starts == sorted(starts)
    assert all(u.end >= u.start for u in t.utterances)
    assert t.teaching_points
    assert t.sources
    assert t.description
    summary(t)  # every metric computes


@pytest.mark.parametrize("t", BUNDLED, ids=lambda t: t.id)
def test_clinician_language_flagged_as_stigmatizing_is_coded_as_such(t):
    """Is every unquoted flagged term said by a clinician coded as harmful language?"""
    for u in t.utterances:
        if u.patient_side:
            continue
        if any(not hit.quoted for hit in scan_text(u.text)):
            assert u.code in {"stigmatizing_descriptor", "dismissal"}, (t.id, u.n)


@pytest.mark.parametrize("t", BUNDLED, ids=lambda t: t.id)
def test_harmful_language_is_explained_in_the_teaching_points(t):
    points = " ".join(t.teaching_points).lower()
    if "stigmatizing_descriptor" in t.codes:
        assert "stigmatiz" in points
        assert any(scan_text(u.text) for u in t.utterances if u.code == "stigmatizing_descriptor")
    if "dismissal" in t.codes:
        assert "dismiss" in points


def test_some_transcript_interrupts_between_5_and_15_seconds():
    times = [time_to_first_interruption(t) for t in BUNDLED]
    assert any(x is not None and 5 <= x <= 15 for x in times)


def test_some_transcript_elicits_the_agenda_without_interrupting():
    assert any(
        agenda_elicited(t)
        and code_counts(t)["interruption"] == 0
        and time_to_first_interruption(t) is None
        for t in BUNDLED
    )


def test_some_transcript_does_not_elicit_the_agenda():
    assert any(not agenda_elicited(t) for t in BUNDLED)


def test_bundle_covers_the_required_situations():
    settings_text = [t.setting.lower() for t in BUNDLED]
    assert any("telehealth" in s for s in settings_text)
    assert any("emergency" in s for s in settings_text)
    assert any("I" in t.speakers for t in BUNDLED)  # a qualified interpreter
    everything = " ".join(" ".join(t.teaching_points) + t.description for t in BUNDLED).lower()
    assert "portal" in everything
    assert "trust" in everything
    for code in ("teach_back", "safety_netting", "validation", "jargon", "missed_opportunity"):
        assert any(code in t.codes for t in BUNDLED), code


def test_teaching_points_cite_utterances_that_exist():
    for t in BUNDLED:
        for point in t.teaching_points:
            for number in _cited_numbers(point):
                assert 1 <= number <= len(t.utterances), (t.id, number, point[:40])


def _cited_numbers(text: str) -> list[int]:
    numbers = []
    for group in re.findall(r"\(([\d,\s\-–and]+)\)", text):
        for token in re.findall(r"\d+", group):
            numbers.append(int(token))
    return numbers


def test_load_transcript_is_cached_and_matches_the_file_name():
    first = transcript_ids()[0]
    assert load_transcript(first) is load_transcript(first)
    assert load_transcript(first).id == first


def test_unknown_transcript_id_lists_the_available_ones():
    with pytest.raises(TranscriptError, match="unknown transcript id 't00-nope'; available: t01"):
        load_transcript("t00-nope")


# ---------------------------------------------------------------------------------------------
# Learner view
# ---------------------------------------------------------------------------------------------


def _values_under(data: Any, key: str) -> list[Any]:
    found = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k == key:
                found.append(v)
            found += _values_under(v, key)
    elif isinstance(data, list | tuple):
        for item in data:
            found += _values_under(item, key)
    return found


@pytest.mark.parametrize("t", BUNDLED, ids=lambda t: t.id)
def test_learner_dict_has_no_codes_anywhere(t):
    assert _values_under(t.to_dict(), "code")  # the search does find codes in the full dict
    learner = t.to_learner_dict()
    assert _values_under(learner, "code") == []
    assert "teaching_points" not in learner
    assert all(set(u) == {"n", "start", "end", "speaker", "text"} for u in learner["utterances"])
    assert learner["utterances"][0]["text"] == t.utterances[0].text


def test_learner_dict_debrief_adds_teaching_points_but_no_codes():
    t = BUNDLED[0]
    learner = t.to_learner_dict(include_debrief=True)
    assert learner["teaching_points"] == list(t.teaching_points)
    assert _values_under(learner, "code") == []


# ---------------------------------------------------------------------------------------------
# Bad files
# ---------------------------------------------------------------------------------------------


def minimal_file_data() -> dict[str, Any]:
    return {
        "id": "t98-minimal",
        "title": "Minimal",
        "setting": "primary care",
        "case_id": None,
        "synthetic": True,
        "description": "A minimal valid transcript.",
        "speakers": {"C": "Physician", "P": "Patient"},
        "utterances": [
            {
                "n": 1,
                "start": 0.0,
                "end": 2.0,
                "speaker": "C",
                "text": "What brings you in?",
                "code": "agenda_elicitation",
            },
            {
                "n": 2,
                "start": 2.5,
                "end": 6.0,
                "speaker": "P",
                "text": "I'm worried about my cough.",
                "code": "empathic_opportunity",
            },
            {
                "n": 3,
                "start": 6.5,
                "end": 9.0,
                "speaker": "C",
                "text": "That sounds worrying.",
                "code": "empathic_response",
            },
        ],
        "teaching_points": ["A point."],
        "sources": ["A source."],
    }


def write(tmp_path, data: Any, name: str = "t98-minimal.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_minimal_file_loads(tmp_path):
    t = load_transcript_file(write(tmp_path, minimal_file_data()))
    assert t.id == "t98-minimal"
    assert t.codes == ("agenda_elicitation", "empathic_opportunity", "empathic_response")


def _mutated(change) -> dict[str, Any]:
    data = copy.deepcopy(minimal_file_data())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["utterances"][1].update(code="empathy"),
            ["utterance 2", "field 'code'", "'empathy'", "allowed codes: open_question"],
        ),
        (
            lambda d: d["utterances"][2].update(start=1.0, end=3.0),
            ["utterance 3", "field 'start'", "1.0", "must not decrease"],
        ),
        (
            lambda d: d["utterances"][1].update(speaker="X"),
            ["utterance 2", "field 'speaker'", "unknown speaker 'X'", "declared speakers: C, P"],
        ),
        (
            lambda d: d["utterances"][1].update(end=1.0),
            ["utterance 2", "field 'end'", "end 1.0 is before start 2.5"],
        ),
        (
            lambda d: d["utterances"][1].update(start=1.5),
            ["utterance 2", "field 'start'", "overlaps", "coded interruption"],
        ),
        (
            lambda d: d["utterances"][1].update(n=5),
            ["utterance 2", "field 'n'", "numbered 1, 2, 3"],
        ),
        (
            lambda d: d["utterances"][1].pop("text"),
            ["utterance 2", "field 'text'", "missing required key(s): text"],
        ),
        (
            lambda d: d["utterances"][0].update(colour="red"),
            ["utterance 1", "field 'colour'", "unknown key(s) colour"],
        ),
        (
            lambda d: d["utterances"][1].update(code="jargon"),
            ["utterance 2", "field 'code'", "'jargon' is a clinician code", "patient-side"],
        ),
        (
            lambda d: d["utterances"][2].update(code="closed_question"),
            ["utterance 3", "field 'code'", "reply to the empathic opportunity in utterance 2"],
        ),
        (
            lambda d: d["utterances"][1].update(code="other"),
            ["utterance 3", "field 'code'", "no cue precedes this utterance"],
        ),
        (
            lambda d: d["utterances"][0].update(start="soon"),
            ["utterance 1", "field 'start'", "'soon'"],
        ),
        (lambda d: d.pop("sources"), ["field 'sources'", "missing required key(s): sources"]),
        (lambda d: d.update(author="me"), ["field 'author'", "unknown key(s) author"]),
        (lambda d: d.update(id="Minimal"), ["field 'id'", "'Minimal'"]),
        (lambda d: d.update(case_id="case one"), ["field 'case_id'", "'case one'"]),
        (lambda d: d["speakers"].pop("P"), ["field 'speakers'", "must declare 'P'"]),
        (lambda d: d.update(teaching_points=[]), ["field 'teaching_points'", "non-empty list"]),
    ],
)
def test_bad_file_errors_name_file_utterance_and_field(tmp_path, change, expected):
    path = write(tmp_path, _mutated(change))
    with pytest.raises(TranscriptError) as excinfo:
        load_transcript_file(path)
    message = str(excinfo.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message
    assert excinfo.value.source == str(path)


def test_error_attributes_are_set(tmp_path):
    path = write(tmp_path, _mutated(lambda d: d["utterances"][1].update(code="empathy")))
    with pytest.raises(TranscriptError) as excinfo:
        load_transcript_file(path)
    error = excinfo.value
    assert (error.utterance, error.field, error.value) == (2, "code", "empathy")
    assert isinstance(error, ValueError)


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="not valid YAML") as excinfo:
        load_transcript_file(path)
    assert str(path) in str(excinfo.value)


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "absent.yaml"
    with pytest.raises(TranscriptError, match="cannot read the file") as excinfo:
        load_transcript_file(path)
    assert str(path) in str(excinfo.value)


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(TranscriptError, match="mapping at the top level"):
        load_transcript_file(write(tmp_path, ["not", "a", "mapping"]))


def test_an_interruption_may_overlap(tmp_path):
    def change(d):
        d["utterances"][1].update(code="other", end=7.0, text="It started last week and—")
        d["utterances"][2].update(start=6.0, code="interruption", text="Any fever?")

    t = load_transcript_file(write(tmp_path, _mutated(change)))
    assert time_to_first_interruption(t) == 3.5


def test_direct_construction_is_validated_too():
    with pytest.raises(TranscriptError, match="utterance 1, field 'code'"):
        Utterance(1, 0.0, 1.0, "C", "Hello", "greeting")
    with pytest.raises(TranscriptError, match="no utterance by speaker 'P'"):
        Transcript(
            id="t97-no-patient",
            title="x",
            setting="x",
            case_id=None,
            speakers={"C": "Physician", "P": "Patient"},
            utterances=(
                Utterance(1, 0.0, 1.0, "C", "Hello", "other"),
                Utterance(2, 1.5, 2.0, "C", "Anyone?", "closed_question"),
            ),
        )


def test_transcripts_are_immutable(hand):
    with pytest.raises(AttributeError):
        hand.id = "t00-changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hand.speakers["X"] = "Someone"  # type: ignore[index]


def test_confusion_frame_is_a_dataframe(hand):
    assert isinstance(agreement_report(hand, list(hand.codes)).confusion, pd.DataFrame)


def test_module_exports_exist():
    for name in tx.__all__:
        assert hasattr(tx, name), name
