from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpscare.clinical import trust_model
from bpscare.clinical.communication import (
    BEHAVIOUR_LABELS,
    CHANNELS,
    DECISION_AID_CRITERIA,
    HARMFUL_BEHAVIOURS,
    HELPFUL_BEHAVIOURS,
    QPL_TOPICS,
    QUESTION_BANK,
    CommunicationPreferences,
    DecisionAid,
    Option,
    Outcome,
    QuestionList,
    ValueStatement,
    add_question,
    behaviour_effects,
    check_decision_aid,
    check_preferences,
    decision_aid_to_markdown,
    describe_effects,
    icon_array,
    move_question,
    natural_frequency,
    preferences_summary,
    preferences_to_markdown,
    question_bank,
    question_list_feedback,
    question_list_text,
    remove_question,
    with_option,
    with_outcome,
    with_value,
    without_option,
    without_outcome,
    without_value,
)
from bpscare.clinical.trust_model import Behaviours

# --------------------------------------------------------------------------------------------
# Question prompt list
# --------------------------------------------------------------------------------------------


def test_bank_ids_are_unique_and_topics_known():
    ids = [q.id for q in QUESTION_BANK]
    assert len(ids) == len(set(ids))
    assert {q.topic for q in QUESTION_BANK} == set(QPL_TOPICS)


def test_question_bank_filters_by_topic_in_bank_order():
    safety = question_bank("safety")
    assert [q.id for q in safety] == [
        "qpl-watch-for",
        "qpl-after-hours",
        "qpl-check-in",
        "qpl-working",
    ]
    assert question_bank() == list(QUESTION_BANK)
    with pytest.raises(ValueError, match="topic: 'diet' is not a known choice; allowed: symptoms"):
        question_bank("diet")


def test_add_question_by_id_or_own_words_and_ignores_duplicates():
    qlist = add_question(QuestionList(), "qpl-cause")
    assert qlist.questions == ("What is most likely causing my symptoms?",)
    qlist = add_question(qlist, "  Can   I keep   driving? ")
    assert qlist.questions[-1] == "Can I keep driving?"
    assert add_question(qlist, "what is most likely causing my symptoms?") is qlist
    with pytest.raises(ValueError, match="question needs text"):
        add_question(qlist, "   ")


def test_question_list_rejects_blank_repeated_and_bad_ask_first():
    with pytest.raises(ValueError, match=r"questions\[1\]: 'a\?' is already on the list"):
        QuestionList(("A?", "a?"))
    with pytest.raises(ValueError, match=r"questions\[0\]: a question needs text"):
        QuestionList((" ",))
    with pytest.raises(ValueError, match="ask_first: expected an integer in 1-10, got 0"):
        QuestionList(ask_first=0)
    with pytest.raises(ValueError, match="ask_first"):
        QuestionList(ask_first=True)
    with pytest.raises(ValueError, match="questions: expected a list of text"):
        QuestionList("one question")


def test_move_and_remove_question():
    qlist = QuestionList(("A?", "B?", "C?"))
    assert move_question(qlist, 2, -1).questions == ("A?", "C?", "B?")
    assert move_question(qlist, 0, -1).questions == ("A?", "B?", "C?")
    assert move_question(qlist, 0, 5).questions == ("B?", "C?", "A?")
    assert remove_question(qlist, 1).questions == ("A?", "C?")
    with pytest.raises(ValueError, match="index: expected a position in 0-2, got 3"):
        remove_question(qlist, 3)
    with pytest.raises(ValueError, match="the list is empty"):
        remove_question(QuestionList(), 0)


@given(st.lists(st.integers(0, 4), min_size=1, max_size=8), st.integers(-6, 6))
def test_move_keeps_the_same_questions(indices, offset):
    qlist = QuestionList(("A?", "B?", "C?", "D?", "E?"))
    for i in indices:
        qlist = move_question(qlist, i, offset)
    assert sorted(qlist.questions) == ["A?", "B?", "C?", "D?", "E?"]


def test_question_list_round_trip_and_unknown_field():
    qlist = QuestionList(("A?", "B?"), ask_first=1, name="Visit on Monday")
    assert QuestionList.from_dict(qlist.to_dict()) == qlist
    with pytest.raises(ValueError, match=r"question_list\.order: unknown field"):
        QuestionList.from_dict({"order": []})


def test_question_list_feedback_rules():
    assert question_list_feedback(QuestionList()) == [
        "Choose or write at least one question you want answered at this visit."
    ]
    tips = question_list_feedback(QuestionList(("A?", "B?", "C?", "D?")))
    assert len(tips) == 2
    assert tips[0].startswith("Visits can be short: the first 3 questions")
    assert "What should I watch for, and who do I call?" in tips[1]
    assert question_list_feedback(add_question(QuestionList(), "qpl-after-hours")) == []
    assert question_list_feedback(QuestionList(("What if it gets worse?",))) == []


def test_question_list_text_layout():
    qlist = QuestionList(("A?", "B?"), ask_first=1, name="Dr Osei, Tuesday")
    text = question_list_text(qlist)
    lines = text.splitlines()
    assert lines[0] == "My questions for this visit - Dr Osei, Tuesday"
    assert "Ask these first:" in lines
    assert "1. A?" in lines
    assert "If there is time:" in lines
    assert "2. B?" in lines
    assert text.endswith("write things down.\n")
    assert "(No questions chosen yet.)" in question_list_text(QuestionList())
    with pytest.raises(ValueError, match="width: expected an integer of at least 40, got 20"):
        question_list_text(qlist, width=20)


def test_question_list_text_wraps_to_width():
    long = " ".join(["word"] * 40) + "?"
    text = question_list_text(QuestionList((long,)), width=40)
    assert max(len(line) for line in text.splitlines() if "word" in line) <= 40


# --------------------------------------------------------------------------------------------
# Communication preferences
# --------------------------------------------------------------------------------------------

FULL_PREFS = CommunicationPreferences(
    preferred_name="Mrs Adeyemi",
    pronouns="she/her",
    results_channel="portal_after_call",
    difficult_news_channel="in_person",
    people_to_include=("Tunde (son)", "  "),
    may_share_with_people=True,
    language="Yoruba",
    interpreter_needed=True,
    written_format="large print",
    detail_level="key_points",
    decision_role="shared",
    cultural_spiritual="prefers appointments after Friday prayers",
    other_needs="hard of hearing on the left",
)


def test_preferences_validate_choices_and_types():
    with pytest.raises(ValueError, match="results_channel: 'email' is not a known choice"):
        CommunicationPreferences(results_channel="email")
    with pytest.raises(ValueError, match="interpreter_needed: expected true or false, got 'yes'"):
        CommunicationPreferences(interpreter_needed="yes")
    with pytest.raises(ValueError, match="language: expected text"):
        CommunicationPreferences(language=3)
    assert FULL_PREFS.people_to_include == ("Tunde (son)",)


def test_preferences_round_trip():
    assert CommunicationPreferences.from_dict(FULL_PREFS.to_dict()) == FULL_PREFS
    assert FULL_PREFS.to_dict()["people_to_include"] == ["Tunde (son)"]
    with pytest.raises(ValueError, match=r"preferences\.email: unknown field"):
        CommunicationPreferences.from_dict({"email": "x"})


def test_check_preferences_lists_every_open_item():
    gaps = check_preferences(CommunicationPreferences())
    assert len(gaps) == 6
    assert gaps[0] == "Ask what name the person would like the team to use."
    assert check_preferences(FULL_PREFS) == []
    share = dataclasses.replace(FULL_PREFS, people_to_include=())
    assert check_preferences(share) == [
        "They agreed to share information with others: ask whom, by name."
    ]


def test_preferences_summary_full_form():
    lines = preferences_summary(FULL_PREFS)
    assert lines[0] == "Preferred name: Mrs Adeyemi (she/her)."
    assert lines[1] == (
        "Routine results: in the patient portal, after a call or visit that explains them."
    )
    assert lines[2] == "Serious or unexpected news: in person, at a visit."
    assert "21st Century Cures Act" in lines[3]
    assert "Language: Yoruba; a qualified medical interpreter is needed" in " ".join(lines)
    assert any(line.startswith("Include: Tunde (son) (the team may share") for line in lines)
    assert lines[-1] == "Other needs: hard of hearing on the left."


def test_preferences_summary_open_items_and_written_news():
    lines = preferences_summary(CommunicationPreferences(difficult_news_channel="letter"))
    assert lines[0] == "Preferred name: not yet asked."
    assert lines[1] == "Routine results: not yet asked."
    assert any("offer a call as well" in line for line in lines)
    assert "Include: nobody named." in lines
    assert not any("Cures Act" in line for line in lines)


def test_preferences_markdown():
    text = preferences_to_markdown(FULL_PREFS)
    assert text.startswith("# How I like to communicate\n\n- Preferred name: Mrs Adeyemi")
    assert text.endswith("\n")
    assert set(CHANNELS) >= {"portal", "portal_after_call"}


# --------------------------------------------------------------------------------------------
# Decision aid
# --------------------------------------------------------------------------------------------

SOURCE = "Example A, et al. J Example 2020"


def complete_aid() -> DecisionAid:
    pt = Option(
        "Physical therapy now",
        "Six sessions over 6 weeks",
        (
            Outcome("Back pain improves", "benefit", 60, "within 3 months", SOURCE),
            Outcome("Sore muscles after sessions", "harm", 25, "within 3 months", SOURCE),
        ),
    )
    wait = Option(
        "Wait and see for 6 weeks",
        "Keep active, review at the next visit",
        (
            Outcome("Back pain improves", "benefit", 45, "within 3 months", SOURCE),
            Outcome("Pain lasts longer", "harm", 30, "within 3 months", SOURCE),
        ),
    )
    return DecisionAid(
        decision="Should I start physical therapy now or wait?",
        condition="Low back pain for 3 weeks, no warning signs",
        options=(pt, wait),
        uncertainty="Nobody can say in advance which group one person will be in.",
        values=(ValueStatement("Keep working my shifts", 9), ValueStatement("Avoid travel", 4)),
    )


def test_complete_aid_meets_every_criterion():
    review = check_decision_aid(complete_aid())
    assert [f.criterion for f in review.findings] == list(DECISION_AID_CRITERIA)
    assert review.passed
    assert review.score == 1.0
    assert review.feedback() == []


def test_empty_aid_meets_no_criterion():
    review = check_decision_aid(DecisionAid())
    assert review.score == 0.0
    assert len(review.feedback()) == 9


def test_aid_without_a_waiting_option_is_flagged():
    aid = complete_aid()
    aid = without_option(aid, "Wait and see for 6 weeks")
    aid = with_option(aid, Option("Medicine", outcomes=aid.options[0].outcomes))
    review = check_decision_aid(aid)
    failed = {f.criterion for f in review.findings if not f.passed}
    assert failed == {"options"}


def test_unbalanced_and_unnumbered_outcomes():
    aid = with_option(
        DecisionAid("Decide?", "Condition"),
        Option("Watchful waiting", outcomes=(Outcome("Feels better", "benefit"),)),
    )
    aid = with_option(aid, Option("Surgery", outcomes=(Outcome("Pain", "harm", 5),)))
    findings = {f.criterion: f for f in check_decision_aid(aid).findings}
    assert not findings["benefits_and_harms"].passed
    assert "'Watchful waiting', 'Surgery'" in findings["benefits_and_harms"].message
    assert findings["frequencies"].message.startswith(
        "Say how many people out of 100 experience: Feels better."
    )
    assert findings["timeframes"].message.startswith("Add a time frame to: Pain")
    assert not findings["sources"].passed


def test_listed_sources_satisfy_the_sources_criterion():
    aid = complete_aid()
    stripped = tuple(
        dataclasses.replace(
            o, outcomes=tuple(dataclasses.replace(x, source="") for x in o.outcomes)
        )
        for o in aid.options
    )
    aid = dataclasses.replace(aid, options=stripped)
    assert not check_decision_aid(aid).findings[-1].passed
    aid = dataclasses.replace(aid, sources=(SOURCE, " "))
    assert aid.sources == (SOURCE,)
    assert check_decision_aid(aid).findings[-1].passed


def test_aid_edit_helpers():
    aid = complete_aid()
    extra = Outcome("Time off work for visits", "harm", 10, "over 6 weeks", SOURCE)
    aid2 = with_outcome(aid, "Physical therapy now", extra)
    assert aid2.option("Physical therapy now").outcomes[-1] == extra
    assert without_outcome(aid2, "Physical therapy now", 2) == aid
    with pytest.raises(ValueError, match="index: option 'Physical therapy now' has outcomes 0-2"):
        without_outcome(aid2, "Physical therapy now", 3)
    with pytest.raises(ValueError, match="option: 'Surgery' is not an option"):
        with_outcome(aid, "Surgery", extra)
    with pytest.raises(ValueError, match="is used twice"):
        with_option(aid, Option("physical therapy now"))
    aid3 = with_value(aid, ValueStatement("Sleep through the night", 7))
    assert without_value(aid3, 2) == aid
    with pytest.raises(ValueError, match="index: expected a value statement in 0-1, got 5"):
        without_value(aid, 5)


def test_aid_round_trip_and_bad_data_names_the_field():
    aid = complete_aid()
    assert DecisionAid.from_dict(aid.to_dict()) == aid
    bad = aid.to_dict()
    bad["options"][1]["outcomes"][0]["per_100"] = 140
    with pytest.raises(ValueError, match=r"options\[1\]\.outcomes\[0\]\.per_100"):
        DecisionAid.from_dict(bad)
    bad = aid.to_dict()
    bad["values"][0]["importance"] = 11
    with pytest.raises(ValueError, match=r"values\[0\]\.importance: expected an integer in 0-10"):
        DecisionAid.from_dict(bad)


def test_outcome_validation():
    with pytest.raises(ValueError, match="kind: 'risk' is not known; allowed: benefit, harm"):
        Outcome("x", "risk")
    with pytest.raises(ValueError, match="per_100: expected a number of people out of 100"):
        Outcome("x", "harm", -1)
    with pytest.raises(ValueError, match="description: an outcome needs a description"):
        Outcome(" ", "harm")


@pytest.mark.parametrize(
    ("per_100", "timeframe", "expected"),
    [
        (12, "over 1 year", "12 out of 100 people over 1 year"),
        (2.5, "", "25 out of 1,000 people"),
        (0.25, "", "25 out of 10,000 people"),
        (0.125, "", "12.5 out of 10,000 people"),
        (0, "", "0 out of 100 people"),
        (100, " in 5 years ", "100 out of 100 people in 5 years"),
    ],
)
def test_natural_frequency(per_100, timeframe, expected):
    assert natural_frequency(per_100, timeframe) == expected


def test_icon_array_counts_people():
    rows = icon_array(12)
    assert len(rows) == 10
    assert all(len(r) == 10 for r in rows)
    assert rows[0] == "●" * 10
    assert rows[1] == "●●○○○○○○○○"
    assert "".join(icon_array(0.4)).count("●") == 0
    assert "".join(icon_array(0.5)).count("●") == 1
    assert "".join(icon_array(100, filled="x", empty=".")) == "x" * 100
    with pytest.raises(ValueError, match="got None"):
        icon_array(None)


@given(st.floats(0, 100))
def test_icon_array_total_is_always_100(value):
    cells = "".join(icon_array(value))
    assert len(cells) == 100
    assert abs(cells.count("●") - value) <= 0.5


def test_decision_aid_markdown():
    text = decision_aid_to_markdown(complete_aid())
    assert text.startswith("# Should I start physical therapy now or wait?")
    assert "| Benefit | Back pain improves | 60 out of 100 people within 3 months |" in text
    assert text.index("Keep working my shifts (importance 9/10)") < text.index("Avoid travel")
    assert "_No options yet._" in decision_aid_to_markdown(DecisionAid())


# --------------------------------------------------------------------------------------------
# Behaviour effects (illustrative trust model)
# --------------------------------------------------------------------------------------------


def test_behaviour_labels_cover_the_model():
    names = [f.name for f in dataclasses.fields(Behaviours)]
    assert list(BEHAVIOUR_LABELS) == names
    assert set(HELPFUL_BEHAVIOURS) | set(HARMFUL_BEHAVIOURS) == set(names)


def test_no_effects_when_behaviours_match_the_reference():
    usual = trust_model.scenario("usual care")
    assert behaviour_effects(usual) == []
    assert describe_effects([]) == [
        "Every behaviour is set as in usual care; move a slider to compare."
    ]


def test_more_validation_raises_trust_and_more_dismissal_lowers_it():
    usual = trust_model.scenario("usual care")
    effects = behaviour_effects(dataclasses.replace(usual, validation=0.9, dismissal=0.8))
    by_name = {e.behaviour: e for e in effects}
    assert set(by_name) == {"validation", "dismissal"}
    assert by_name["validation"].trust_change > 0
    assert by_name["dismissal"].trust_change < 0
    assert by_name["validation"].reference == 0.3
    assert effects[0].size >= effects[1].size


def test_behaviour_effects_uses_the_injected_model():
    calls = []

    def fake(b, visits, initial):
        calls.append((b, visits))
        return trust_model.simulate(b, visits=visits, initial=initial)

    usual = trust_model.scenario("usual care")
    behaviour_effects(dataclasses.replace(usual, pacing=1.0), visits=5, simulate=fake)
    assert len(calls) == 2
    assert {v for _, v in calls} == {5}


def test_behaviour_effects_validates_input():
    with pytest.raises(ValueError, match="behaviours: expected a Behaviours, got dict"):
        behaviour_effects({})
    with pytest.raises(ValueError, match="reference: expected a Behaviours, got str"):
        behaviour_effects(Behaviours(), reference="usual care")


def test_describe_effects_wording():
    usual = trust_model.scenario("usual care")
    effects = behaviour_effects(dataclasses.replace(usual, validation=0.9))
    (line,) = describe_effects(effects)
    assert line.startswith(
        "Validation (acknowledges the person's experience) at 0.90 (usual care: 0.30) raised "
        "trust by "
    )
    assert line.endswith("at the last visit.")
    with pytest.raises(ValueError, match="top: expected a positive integer, got 0"):
        describe_effects(effects, top=0)
