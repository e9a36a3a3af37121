"""Communication tools: question prompt list, preferences form and decision-aid builder."""

from __future__ import annotations

import pytest
from helpers import synced_state_text
from w2_checks import unlabelled_controls

from bpscare.clinical.communication import (
    AidReview,
    CommunicationPreferences,
    DecisionAid,
    QuestionList,
    check_decision_aid,
)
from bpscare.grading.answers import load_answer
from bpscare.widgets.communication_tools import (
    KIND_DECISION_AID,
    KIND_PREFERENCES,
    KIND_QUESTION_LIST,
    aid_review_messages,
    communication_preferences,
    decision_aid_builder,
    question_prompt_list,
)

WATCH = "What should I watch for, and who do I call?"

# --------------------------------------------------------------------------------------------
# Question prompt list
# --------------------------------------------------------------------------------------------


def test_topic_filters_the_bank_and_add_puts_the_question_on_the_list():
    view = question_prompt_list()
    view.topic.value = "safety"
    assert view.bank.options[0] == (WATCH, "qpl-watch-for")
    assert view.bank.value == "qpl-watch-for"  # the first question is ready to add
    view.add_bank.click()
    assert view.qlist.questions == (WATCH,)
    assert view.questions.options == (("1. " + WATCH + " (ask first)", 0),)
    assert "1 question on your list." in view.feedback.value
    assert "Ask these first:" in view.printable.value


def test_own_question_move_and_remove():
    view = question_prompt_list()
    view.topic.value = "symptoms"
    view.bank.value = "qpl-cause"
    view.add_bank.click()
    view.own.value = "Can I keep driving to work?"
    view.add_own.click()
    assert view.own.value == ""
    view.questions.index = 1
    view.up.click()
    assert view.qlist.questions[0] == "Can I keep driving to work?"
    assert view.questions.index == 0
    view.down.click()
    assert view.qlist.questions[1] == "Can I keep driving to work?"
    view.questions.index = 0
    view.delete.click()
    assert view.qlist.questions == ("Can I keep driving to work?",)


def test_blank_own_question_is_refused_and_tip_suggests_safety_question():
    view = question_prompt_list()
    view.own.value = "   "
    view.add_own.click()
    assert "Not changed" in view.feedback.value
    assert "question needs text" in view.feedback.value
    view.own.value = "Why am I so tired?"
    view.add_own.click()
    assert WATCH in view.feedback.value


def test_ask_first_marks_the_first_questions():
    view = question_prompt_list()
    for text in ("A?", "B?", "C?"):
        view.own.value = text
        view.add_own.click()
    view.ask_first.value = 1
    labels = [label for label, _ in view.questions.options]
    assert labels == ["1. A? (ask first)", "2. B?", "3. C?"]
    assert "If there is time:" in view.printable.value


def test_move_without_selection_asks_to_select():
    view = question_prompt_list()
    view.up.click()
    assert "Select a question in your list first." in view.feedback.value


def test_question_list_answer_round_trip(tmp_path):
    view = question_prompt_list("m04_questions", folder=tmp_path)
    view.own.value = "Who will explain my results?"
    view.add_own.click()
    view.name.value = "Visit with Dr Osei"
    view.save_bar.button.click()
    data = load_answer("m04_questions", kind=KIND_QUESTION_LIST, folder=tmp_path)
    assert QuestionList.from_dict(data) == view.qlist
    assert str(tmp_path) not in synced_state_text(view)


def test_question_list_uses_injected_functions():
    seen = []

    def fake_add(qlist, question):
        seen.append(question)
        return QuestionList((*qlist.questions, question.upper()))

    view = question_prompt_list(add=fake_add, render=lambda q: f"RENDER {len(q.questions)}")
    view.own.value = "why?"
    view.add_own.click()
    assert seen == ["why?"]
    assert view.qlist.questions == ("WHY?",)
    assert view.printable.value == "RENDER 1"


# --------------------------------------------------------------------------------------------
# Communication preferences
# --------------------------------------------------------------------------------------------


def test_preferences_summary_updates_live_and_lists_open_items():
    view = communication_preferences()
    assert "Still to ask (6)" in view.summary.value
    view.preferred_name.value = "Mr Nguyen"
    view.results_channel.value = "portal_after_call"
    view.language.value = "Vietnamese"
    view.interpreter_needed.value = True
    assert "Preferred name: Mr Nguyen." in view.summary.value
    assert "21st Century Cures Act" in view.summary.value
    assert "a qualified medical interpreter is needed" in view.summary.value
    assert "Still to ask (3)" in view.summary.value
    assert view.markdown.value.startswith("# How I like to communicate")


def test_complete_preferences_cover_every_topic():
    view = communication_preferences()
    view.preferred_name.value = "Ana"
    view.results_channel.value = "phone"
    view.difficult_news_channel.value = "in_person"
    view.language.value = "Portuguese"
    view.detail_level.value = "full"
    view.decision_role.value = "shared"
    assert "Every topic is covered." in view.summary.value
    view.may_share_with_people.value = True
    assert "ask whom, by name" in view.summary.value
    view.people_to_include.value = "Luis (husband)\n\n"
    assert view.preferences().people_to_include == ("Luis (husband)",)
    assert "Every topic is covered." in view.summary.value


def test_preferences_answer_round_trip_and_resume(tmp_path):
    view = communication_preferences("m04_prefs", folder=tmp_path)
    view.preferred_name.value = "Sam"
    view.pronouns.value = "they/them"
    view.decision_role.value = "passive"
    view.other_needs.value = "best reached after 6 pm"
    view.save_bar.button.click()
    data = load_answer("m04_prefs", kind=KIND_PREFERENCES, folder=tmp_path)
    prefs = CommunicationPreferences.from_dict(data)
    assert prefs == view.preferences()
    again = communication_preferences(initial=prefs)
    assert again.preferences() == prefs
    assert str(tmp_path) not in synced_state_text(view)


def test_preferences_use_injected_functions():
    view = communication_preferences(
        summarise=lambda p: [f"NAME={p.preferred_name}"], gaps=lambda p: []
    )
    view.preferred_name.value = "Kim"
    assert "NAME=Kim" in view.summary.value
    assert "Every topic is covered." in view.summary.value


# --------------------------------------------------------------------------------------------
# Decision aid
# --------------------------------------------------------------------------------------------


def add_outcome(view, kind, text, per_100, time="within 3 months", source="Example, 2020"):
    view.outcome_kind.value = kind
    view.outcome_description.value = text
    view.per_100.value = per_100
    view.timeframe.value = time
    view.outcome_source.value = source
    view.add_outcome.click()


def build_complete(view):
    view.decision.value = "Should I start physical therapy now or wait?"
    view.condition.value = "Low back pain for three weeks, no warning signs"
    for name in ("Physical therapy now", "Wait and see for 6 weeks"):
        view.option_name.value = name
        view.add_option.click()
        add_outcome(view, "benefit", "Pain improves", 60)
        add_outcome(view, "harm", "Sore muscles", 20)
    view.uncertainty.value = "Nobody can say in advance how one person will respond."
    view.value_statement.value = "Keep working my shifts"
    view.importance.value = 9
    view.add_value.click()


def test_complete_aid_meets_every_criterion_and_exports():
    view = decision_aid_builder()
    build_complete(view)
    view.check_button.click()
    assert view.last_review.passed
    assert "Criteria met: 9 of 9." in view.feedback.value
    assert "| Benefit | Pain improves | 60 out of 100 people within 3 months |" in (
        view.markdown.value
    )
    assert "60 out of 100 people within 3 months" in view.preview.value
    assert "Keep working my shifts (importance 9 of 10)" in view.values_list.value


def test_new_option_becomes_the_outcome_target():
    view = decision_aid_builder()
    view.option_name.value = "Medicine"
    view.add_option.click()
    assert view.option_choice.value == "Medicine"
    assert view.option_name.value == ""
    add_outcome(view, "harm", "Stomach upset", 2.5)
    assert "25 out of 1,000 people within 3 months" in view.preview.value
    view.remove_outcome.click()
    assert view.aid.option("Medicine").outcomes == ()
    view.remove_option.click()
    assert view.aid.options == ()
    assert view.option_choice.value is None


def test_errors_are_shown_not_raised():
    view = decision_aid_builder()
    view.add_outcome.click()
    assert "Add an option first." in view.status.value
    view.option_name.value = "Wait"
    view.add_option.click()
    view.option_name.value = "wait"
    view.add_option.click()
    assert "Not changed" in view.status.value
    assert "is used twice" in view.status.value
    view.outcome_description.value = ""
    view.add_outcome.click()
    assert "an outcome needs a description" in view.status.value


def test_unknown_number_is_said_as_not_known_and_flagged():
    view = decision_aid_builder()
    view.option_name.value = "Surgery"
    view.add_option.click()
    view.per_100_known.value = False
    view.outcome_kind.value = "harm"
    view.outcome_description.value = "Infection"
    view.add_outcome.click()
    assert view.aid.option("Surgery").outcomes[0].per_100 is None
    assert "not known" in view.preview.value
    view.check_button.click()
    assert "To do: Say how many people out of 100 experience: Infection." in view.feedback.value


def test_decision_aid_answer_round_trip(tmp_path):
    view = decision_aid_builder("a04_decision_aid", folder=tmp_path)
    build_complete(view)
    view.sources.value = "Example A, et al. J Example 2020\n"
    view.save_bar.button.click()
    data = load_answer("a04_decision_aid", kind=KIND_DECISION_AID, folder=tmp_path)
    assert DecisionAid.from_dict(data) == view.aid
    assert view.aid.sources == ("Example A, et al. J Example 2020",)
    resumed = decision_aid_builder(initial=view.aid)
    assert resumed.decision.value == view.aid.decision
    assert resumed.option_choice.options == ("Physical therapy now", "Wait and see for 6 weeks")
    assert str(tmp_path) not in synced_state_text(view)


def test_decision_aid_uses_injected_check():
    calls = []

    def fake_check(aid):
        calls.append(aid)
        return AidReview(())

    view = decision_aid_builder(check=fake_check, to_markdown=lambda aid: "MD")
    view.decision.value = "Should I?"
    view.check_button.click()
    assert calls == [view.aid]
    assert view.markdown.value == "MD"


@pytest.mark.parametrize("practice", [False, True])
def test_state_holds_only_public_text(practice):
    """These tools have no expert key: the state holds the bank, labels and learner entries."""
    view = decision_aid_builder(practice=practice)
    build_complete(view)
    view.check_button.click()
    state = synced_state_text(view)
    assert "Keep working my shifts" in state
    assert "BEGIN SOLUTION" not in state


def test_aid_review_messages_order():
    level, title, messages = aid_review_messages(check_decision_aid(DecisionAid("Decide?")))
    assert level == "warning"
    assert title == "Criteria met: 1 of 9."
    assert messages[0].startswith("To do: Describe the health problem")
    assert messages[-1] == "Met: The decision is stated explicitly."


def test_controls_have_visible_descriptions():
    for view in (
        question_prompt_list("x", folder="unused"),
        communication_preferences(),
        decision_aid_builder(),
    ):
        assert unlabelled_controls(view) == []
