"""Trust-building communication tools: question prompt list, preferences form, decision-aid builder.

Three views over the plain models in :mod:`bpscare.clinical.communication`:

- :class:`QuestionPromptListView` - choose questions from the bank or write your own, order them
  and print the list (question prompt lists increase question asking when the clinician endorses
  them: Sansoni et al., Patient Educ Couns 2015);
- :class:`CommunicationPreferencesView` - how a person likes to receive results and news, whom to
  include, language, detail and decision role, summarised for the team;
- :class:`DecisionAidBuilder` - options, benefits and harms in natural frequencies, uncertainty
  and values, checked against teaching criteria inspired by IPDAS (Elwyn et al., BMJ 2006;
  decision aids: Stacey et al., Cochrane 2017).

The views hold no rules: every change goes through an injected pure function of the library.
These tools have no expert key; their answers are the models' dict forms (kinds
``question_list``, ``communication_preferences`` and ``decision_aid``), rebuilt by graders with
the models' ``from_dict``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.communication import (
    CHANNELS,
    DECISION_AID_CRITERIA,
    DECISION_ROLES,
    DETAIL_LEVELS,
    QPL_TOPICS,
    AidReview,
    CommunicationPreferences,
    DecisionAid,
    Option,
    Outcome,
    QuestionList,
    ValueStatement,
    add_question,
    check_decision_aid,
    check_preferences,
    decision_aid_to_markdown,
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
from bpscare.widgets.common import SaveAnswerBar, feedback_html, labelled_html

__all__ = [
    "KIND_DECISION_AID",
    "KIND_PREFERENCES",
    "KIND_QUESTION_LIST",
    "CommunicationPreferencesView",
    "DecisionAidBuilder",
    "QuestionPromptListView",
    "aid_review_messages",
    "communication_preferences",
    "decision_aid_builder",
    "question_prompt_list",
]

KIND_QUESTION_LIST = "question_list"
KIND_PREFERENCES = "communication_preferences"
KIND_DECISION_AID = "decision_aid"

_WIDE = widgets.Layout(width="95%")
_STYLE = {"description_width": "initial"}
_NOT_ASKED = ("Not yet asked", "")


def _split_lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _save_bar(
    answer_name: str | None, get_data: Callable[[], Any], kind: str, folder: Path | str | None
) -> SaveAnswerBar | None:
    if answer_name is None:
        return None
    return SaveAnswerBar(answer_name, get_data, kind=kind, folder=folder)


# ============================================================================================
# Question prompt list
# ============================================================================================


class QuestionPromptListView(widgets.VBox):
    """Build a personal question list: pick from the bank or write your own, order, print.

    Parameters
    ----------
    answer_name
        When given, a Save bar saves the list (kind ``"question_list"``).
    folder
        Where the answer file goes.
    practice
        Practice mode (no effect: this tool has no expert key).
    initial
        A list to start from.
    add, remove, move, tips, render
        Injected model functions (defaults from :mod:`bpscare.clinical.communication`).
    """

    def __init__(
        self,
        *,
        answer_name: str | None = None,
        folder: Path | str | None = None,
        practice: bool = False,
        initial: QuestionList | None = None,
        add: Callable[[QuestionList, str], QuestionList] = add_question,
        remove: Callable[[QuestionList, int], QuestionList] = remove_question,
        move: Callable[[QuestionList, int, int], QuestionList] = move_question,
        tips: Callable[[QuestionList], list[str]] = question_list_feedback,
        render: Callable[[QuestionList], str] = question_list_text,
    ) -> None:
        self.practice = practice
        self.qlist = initial if initial is not None else QuestionList()
        self._add, self._remove, self._move = add, remove, move
        self._tips, self._render = tips, render
        self.topic = widgets.Dropdown(
            options=[(label, key) for key, label in QPL_TOPICS.items()],
            description="Topic:",
            style=_STYLE,
        )
        self.bank = widgets.Dropdown(description="Question:", style=_STYLE, layout=_WIDE)
        self.add_bank = widgets.Button(description="Add this question", icon="plus")
        self.own = widgets.Text(
            description="Or write your own question:",
            placeholder="e.g. Can I keep driving to work?",
            style=_STYLE,
            layout=_WIDE,
        )
        self.add_own = widgets.Button(description="Add my question", icon="plus")
        self.questions = widgets.Select(
            description="My list (first = most important):",
            rows=8,
            style=_STYLE,
            layout=_WIDE,
        )
        self.up = widgets.Button(description="Move up", icon="arrow-up")
        self.down = widgets.Button(description="Move down", icon="arrow-down")
        self.delete = widgets.Button(description="Remove", icon="trash")
        self.ask_first = widgets.BoundedIntText(
            value=self.qlist.ask_first,
            min=1,
            max=10,
            description="How many to ask first:",
            style=_STYLE,
        )
        self.name = widgets.Text(
            value=self.qlist.name,
            description="For which visit (optional):",
            style=_STYLE,
            layout=_WIDE,
        )
        self.feedback = widgets.HTML()
        self.printable = widgets.Textarea(
            description="Printable list:",
            style=_STYLE,
            layout=widgets.Layout(width="95%", height="200px"),
        )
        self.topic.observe(self._on_topic, names="value")
        self.add_bank.on_click(self._on_add_bank)
        self.add_own.on_click(self._on_add_own)
        self.up.on_click(lambda _b: self._on_move(-1))
        self.down.on_click(lambda _b: self._on_move(1))
        self.delete.on_click(self._on_delete)
        self.ask_first.observe(self._on_settings, names="value")
        self.name.observe(self._on_settings, names="value")
        children: list[widgets.Widget] = [
            labelled_html(
                "Choose the questions you want answered at your next visit. Put the most "
                "important ones first: visits can be short."
            ),
            self.topic,
            self.bank,
            self.add_bank,
            self.own,
            self.add_own,
            self.questions,
            widgets.HBox([self.up, self.down, self.delete]),
            self.ask_first,
            self.name,
            self.feedback,
            self.printable,
        ]
        self.save_bar = _save_bar(answer_name, self.answer, KIND_QUESTION_LIST, folder)
        if self.save_bar is not None:
            children.append(self.save_bar)
        super().__init__(children)
        self._on_topic()
        self._refresh()

    def answer(self) -> dict[str, Any]:
        """Return the answer data (:meth:`QuestionList.to_dict`)."""
        return self.qlist.to_dict()

    def _on_topic(self, _change: object = None) -> None:
        self.bank.options = [(q.text, q.id) for q in question_bank(self.topic.value)]
        self.bank.index = 0 if self.bank.options else None

    def _apply(self, change: Callable[[], QuestionList], select: int | None = None) -> bool:
        try:
            self.qlist = change()
        except ValueError as exc:
            self.feedback.value = feedback_html([str(exc)], "alert", "Not changed")
            return False
        self._refresh(select)
        return True

    def _on_add_bank(self, _button: widgets.Button | None = None) -> None:
        if self.bank.value is not None:
            self._apply(lambda: self._add(self.qlist, self.bank.value))

    def _on_add_own(self, _button: widgets.Button | None = None) -> None:
        text = self.own.value
        if self._apply(lambda: self._add(self.qlist, text)):
            self.own.value = ""

    def _on_move(self, offset: int) -> None:
        index = self.questions.index
        if index is None:
            self.feedback.value = feedback_html(["Select a question in your list first."], "info")
            return
        new = min(max(index + offset, 0), len(self.qlist.questions) - 1)
        self._apply(lambda: self._move(self.qlist, index, offset), select=new)

    def _on_delete(self, _button: widgets.Button | None = None) -> None:
        index = self.questions.index
        if index is None:
            self.feedback.value = feedback_html(["Select a question in your list first."], "info")
            return
        self._apply(lambda: self._remove(self.qlist, index))

    def _on_settings(self, _change: object = None) -> None:
        self._apply(
            lambda: QuestionList(self.qlist.questions, int(self.ask_first.value), self.name.value)
        )

    def _refresh(self, select: int | None = None) -> None:
        first = self.qlist.ask_first
        self.questions.options = [
            (f"{i}. {q}" + (" (ask first)" if i <= first else ""), i - 1)
            for i, q in enumerate(self.qlist.questions, 1)
        ]
        self.questions.index = select
        tips = self._tips(self.qlist)
        count = len(self.qlist.questions)
        title = f"{count} question{'s' if count != 1 else ''} on your list."
        self.feedback.value = feedback_html(tips, "info" if tips else "success", title)
        self.printable.value = self._render(self.qlist)


def question_prompt_list(
    answer_name: str | None = None,
    *,
    folder: Path | str | None = None,
    practice: bool = False,
    **kwargs: Any,
) -> QuestionPromptListView:
    """Build a question prompt list in one line (see :class:`QuestionPromptListView`)."""
    return QuestionPromptListView(
        answer_name=answer_name, folder=folder, practice=practice, **kwargs
    )


# ============================================================================================
# Communication preferences
# ============================================================================================


def _choice_options(choices: Mapping[str, str]) -> list[tuple[str, str]]:
    return [_NOT_ASKED, *((label, key) for key, label in choices.items())]


class CommunicationPreferencesView(widgets.VBox):
    """A communication-preferences form with a live summary for the care team.

    Parameters
    ----------
    answer_name
        When given, a Save bar saves the form (kind ``"communication_preferences"``).
    folder
        Where the answer file goes.
    practice
        Practice mode (no effect: this tool has no expert key).
    initial
        Preferences to start from.
    summarise, gaps, to_markdown
        Injected model functions (defaults from :mod:`bpscare.clinical.communication`).
    """

    def __init__(
        self,
        *,
        answer_name: str | None = None,
        folder: Path | str | None = None,
        practice: bool = False,
        initial: CommunicationPreferences | None = None,
        summarise: Callable[[CommunicationPreferences], list[str]] = preferences_summary,
        gaps: Callable[[CommunicationPreferences], list[str]] = check_preferences,
        to_markdown: Callable[[CommunicationPreferences], str] = preferences_to_markdown,
    ) -> None:
        self.practice = practice
        self._summarise, self._gaps, self._to_markdown = summarise, gaps, to_markdown
        text = {"style": _STYLE, "layout": _WIDE}
        self.preferred_name = widgets.Text(description="Name to use:", **text)
        self.pronouns = widgets.Text(description="Pronouns (if they wish to share):", **text)
        self.results_channel = widgets.Dropdown(
            options=_choice_options(CHANNELS), description="Routine results:", **text
        )
        self.difficult_news_channel = widgets.Dropdown(
            options=_choice_options(CHANNELS), description="Serious or unexpected news:", **text
        )
        self.people_to_include = widgets.Textarea(
            description="People to include (name and relationship, one per line):", **text
        )
        self.may_share_with_people = widgets.Checkbox(
            description="The team may share information with them when I am not there",
            indent=False,
            layout=_WIDE,
        )
        self.language = widgets.Text(description="Preferred language:", **text)
        self.interpreter_needed = widgets.Checkbox(
            description="A qualified medical interpreter is needed", indent=False, layout=_WIDE
        )
        self.written_format = widgets.Text(
            description="Written information (language, large print, audio...):", **text
        )
        self.detail_level = widgets.Dropdown(
            options=_choice_options(DETAIL_LEVELS), description="How much detail:", **text
        )
        self.decision_role = widgets.Dropdown(
            options=_choice_options(DECISION_ROLES), description="How decisions are made:", **text
        )
        self.cultural_spiritual = widgets.Textarea(
            description="Cultural or spiritual considerations:", **text
        )
        self.other_needs = widgets.Textarea(
            description="Other needs (hearing, vision, best time to call...):", **text
        )
        self.summary = widgets.HTML()
        self.markdown = widgets.Textarea(
            description="Note for the record (Markdown):",
            style=_STYLE,
            layout=widgets.Layout(width="95%", height="180px"),
        )
        self._controls = [
            self.preferred_name,
            self.pronouns,
            self.results_channel,
            self.difficult_news_channel,
            self.people_to_include,
            self.may_share_with_people,
            self.language,
            self.interpreter_needed,
            self.written_format,
            self.detail_level,
            self.decision_role,
            self.cultural_spiritual,
            self.other_needs,
        ]
        children: list[widgets.Widget] = [
            labelled_html(
                "Ask, don't assume: record how this person would like the team to communicate, "
                "in their words. Open items appear as prompts below."
            ),
            *self._controls,
            self.summary,
            self.markdown,
        ]
        self.save_bar = _save_bar(answer_name, self.answer, KIND_PREFERENCES, folder)
        if self.save_bar is not None:
            children.append(self.save_bar)
        super().__init__(children)
        if initial is not None:
            self.set_preferences(initial)
        for control in self._controls:
            control.observe(self._refresh, names="value")
        self._refresh()

    def preferences(self) -> CommunicationPreferences:
        """Return the :class:`CommunicationPreferences` the form currently describes."""
        return CommunicationPreferences(
            preferred_name=self.preferred_name.value.strip(),
            pronouns=self.pronouns.value.strip(),
            results_channel=self.results_channel.value,
            difficult_news_channel=self.difficult_news_channel.value,
            people_to_include=_split_lines(self.people_to_include.value),
            may_share_with_people=bool(self.may_share_with_people.value),
            language=self.language.value.strip(),
            interpreter_needed=bool(self.interpreter_needed.value),
            written_format=self.written_format.value.strip(),
            detail_level=self.detail_level.value,
            decision_role=self.decision_role.value,
            cultural_spiritual=self.cultural_spiritual.value.strip(),
            other_needs=self.other_needs.value.strip(),
        )

    def set_preferences(self, prefs: CommunicationPreferences) -> None:
        """Fill the form from ``prefs``."""
        data = prefs.to_dict()
        data["people_to_include"] = "\n".join(prefs.people_to_include)
        for name, value in data.items():
            getattr(self, name).value = value

    def answer(self) -> dict[str, Any]:
        """Return the answer data (:meth:`CommunicationPreferences.to_dict`)."""
        return self.preferences().to_dict()

    def _refresh(self, _change: object = None) -> None:
        try:
            prefs = self.preferences()
        except ValueError as exc:
            self.summary.value = feedback_html([str(exc)], "alert", "Check this entry")
            return
        open_items = self._gaps(prefs)
        summary = feedback_html(self._summarise(prefs), "info", "Summary for the care team")
        prompts = (
            feedback_html(open_items, "warning", f"Still to ask ({len(open_items)})")
            if open_items
            else feedback_html([], "success", "Every topic is covered.")
        )
        self.summary.value = summary + prompts
        self.markdown.value = self._to_markdown(prefs)


def communication_preferences(
    answer_name: str | None = None,
    *,
    folder: Path | str | None = None,
    practice: bool = False,
    **kwargs: Any,
) -> CommunicationPreferencesView:
    """Build a communication-preferences form in one line."""
    return CommunicationPreferencesView(
        answer_name=answer_name, folder=folder, practice=practice, **kwargs
    )


# ============================================================================================
# Decision aid
# ============================================================================================


def aid_review_messages(review: AidReview) -> tuple[str, str, list[str]]:
    """Turn a decision-aid review into (level, title, messages) for :func:`feedback_html`.

    The title says how many criteria are met in words; unmet criteria come first as "To do",
    then the met ones.
    """
    met = sum(f.passed for f in review.findings)
    title = f"Criteria met: {met} of {len(review.findings)}."
    todo = [f"To do: {m}" for m in review.feedback()]
    good = [f"Met: {DECISION_AID_CRITERIA[f.criterion][0]}" for f in review.findings if f.passed]
    level = "success" if review.passed else "warning"
    return level, title, [*todo, *good]


def _aid_preview(aid: DecisionAid) -> str:
    """HTML preview: each option's outcomes in natural frequencies with a text icon array."""
    if not aid.options:
        return "<p style='margin:2px 0'><em>No options yet.</em></p>"
    parts = []
    for option in aid.options:
        rows = []
        for i, x in enumerate(option.outcomes):
            how = (
                natural_frequency(x.per_100, x.timeframe) if x.per_100 is not None else "not known"
            )
            icons = ""
            if x.per_100 is not None:
                grid = "<br>".join(icon_array(x.per_100))
                icons = (
                    f"<div aria-hidden='true' style='font-family:monospace;line-height:1'>"
                    f"{grid}</div>"
                )
            kind = "Benefit" if x.kind == "benefit" else "Harm"
            rows.append(
                f"<li>{i + 1}. <strong>{kind}:</strong> {html.escape(x.description)} - "
                f"{html.escape(how)}"
                + (f" <small>(source: {html.escape(x.source)})</small>" if x.source else "")
                + f"{icons}</li>"
            )
        body = "".join(rows) or "<li><em>No benefits or harms yet.</em></li>"
        desc = f"<p style='margin:2px 0'>{html.escape(option.description)}</p>"
        parts.append(
            f"<h4 style='margin:6px 0 2px 0'>{html.escape(option.name)}</h4>"
            f"{desc if option.description else ''}<ul style='list-style:none;padding:0'>{body}</ul>"
        )
    return "".join(parts)


class DecisionAidBuilder(widgets.VBox):
    """Draft a short patient decision aid and check it against IPDAS-inspired criteria.

    Parameters
    ----------
    answer_name
        When given, a Save bar saves the aid (kind ``"decision_aid"``).
    folder
        Where the answer file goes.
    practice
        Practice mode (no effect: this tool has no expert key).
    initial
        An aid to start from.
    check, to_markdown
        Injected model functions (defaults :func:`check_decision_aid` and
        :func:`decision_aid_to_markdown`).
    """

    def __init__(
        self,
        *,
        answer_name: str | None = None,
        folder: Path | str | None = None,
        practice: bool = False,
        initial: DecisionAid | None = None,
        check: Callable[[DecisionAid], AidReview] = check_decision_aid,
        to_markdown: Callable[[DecisionAid], str] = decision_aid_to_markdown,
    ) -> None:
        self.practice = practice
        self._check, self._to_markdown = check, to_markdown
        self.aid = initial if initial is not None else DecisionAid()
        self.last_review: AidReview | None = None
        text = {"style": _STYLE, "layout": _WIDE}
        self.decision = widgets.Text(
            value=self.aid.decision,
            description="The decision, as a question:",
            placeholder="Should I start physical therapy now or wait?",
            **text,
        )
        self.condition = widgets.Textarea(
            value=self.aid.condition, description="The health problem, in plain words:", **text
        )
        self.option_name = widgets.Text(
            description="Option name:", placeholder="Wait and see for 6 weeks", **text
        )
        self.option_description = widgets.Text(
            description="What it involves (visits, time, cost):", **text
        )
        self.add_option = widgets.Button(description="Add option", icon="plus")
        self.remove_option = widgets.Button(description="Remove chosen option", icon="trash")
        self.option_choice = widgets.Dropdown(description="Add outcomes to option:", **text)
        self.outcome_kind = widgets.ToggleButtons(
            options=[("Benefit", "benefit"), ("Harm", "harm")],
            description="Kind:",
            style=_STYLE,
        )
        self.outcome_description = widgets.Text(
            description="What can happen:", placeholder="back pain improves", **text
        )
        self.per_100 = widgets.BoundedFloatText(
            value=0, min=0, max=100, step=1, description="How many out of 100:", style=_STYLE
        )
        self.per_100_known = widgets.Checkbox(
            value=True, description="The number is known", indent=False
        )
        self.timeframe = widgets.Text(
            description="Over what time:", placeholder="within 3 months", **text
        )
        self.outcome_source = widgets.Text(description="Source (author, journal, year):", **text)
        self.add_outcome = widgets.Button(description="Add outcome", icon="plus")
        self.remove_outcome = widgets.Button(
            description="Remove last outcome of chosen option", icon="minus"
        )
        self.uncertainty = widgets.Textarea(
            value=self.aid.uncertainty, description="What is uncertain:", **text
        )
        self.value_statement = widgets.Text(
            description="What matters to me:", placeholder="keep working my shifts", **text
        )
        self.importance = widgets.IntSlider(
            value=5, min=0, max=10, description="How much it matters (0-10):", style=_STYLE
        )
        self.add_value = widgets.Button(description="Add what matters", icon="plus")
        self.remove_value = widgets.Button(description="Remove last", icon="minus")
        self.values_list = widgets.HTML()
        self.sources = widgets.Textarea(
            value="\n".join(self.aid.sources),
            description="Evidence sources with dates (one per line):",
            **text,
        )
        self.preview = widgets.HTML()
        self.status = widgets.HTML()
        self.check_button = widgets.Button(
            description="Check decision aid", icon="check", button_style="primary"
        )
        self.feedback = widgets.HTML()
        self.markdown = widgets.Textarea(
            description="Decision aid as Markdown:",
            style=_STYLE,
            layout=widgets.Layout(width="95%", height="200px"),
        )
        self.add_option.on_click(self._on_add_option)
        self.remove_option.on_click(self._on_remove_option)
        self.add_outcome.on_click(self._on_add_outcome)
        self.remove_outcome.on_click(self._on_remove_outcome)
        self.add_value.on_click(self._on_add_value)
        self.remove_value.on_click(self._on_remove_value)
        self.check_button.on_click(self._on_check)
        for box in (self.decision, self.condition, self.uncertainty, self.sources):
            box.observe(self._on_text, names="value")

        def heading(t: str) -> widgets.HTML:
            return widgets.HTML(f"<h4 style='margin:10px 0 2px 0'>{html.escape(t)}</h4>")

        children: list[widgets.Widget] = [
            labelled_html(
                "Give the options side by side, with how many people out of 100 each benefit "
                "or harm happens to, over the same time, and what matters to the person."
            ),
            heading("1. The decision"),
            self.decision,
            self.condition,
            heading("2. Options (include waiting or no treatment where reasonable)"),
            self.option_name,
            self.option_description,
            widgets.HBox([self.add_option, self.remove_option]),
            heading("3. Benefits and harms"),
            self.option_choice,
            self.outcome_kind,
            self.outcome_description,
            widgets.HBox([self.per_100, self.per_100_known]),
            self.timeframe,
            self.outcome_source,
            widgets.HBox([self.add_outcome, self.remove_outcome]),
            self.status,
            self.preview,
            heading("4. Uncertainty, values and sources"),
            self.uncertainty,
            self.value_statement,
            self.importance,
            widgets.HBox([self.add_value, self.remove_value]),
            self.values_list,
            self.sources,
            self.check_button,
            self.feedback,
            self.markdown,
        ]
        self.save_bar = _save_bar(answer_name, self.answer, KIND_DECISION_AID, folder)
        if self.save_bar is not None:
            children.append(self.save_bar)
        super().__init__(children)
        self._refresh()

    def answer(self) -> dict[str, Any]:
        """Return the answer data (:meth:`DecisionAid.to_dict`)."""
        return self.aid.to_dict()

    # -- callbacks --------------------------------------------------------------------------

    def _apply(self, change: Callable[[], DecisionAid], done: str) -> bool:
        try:
            self.aid = change()
        except ValueError as exc:
            self.status.value = feedback_html([str(exc)], "alert", "Not changed")
            return False
        self.status.value = feedback_html([done], "info")
        self._refresh()
        return True

    def _on_text(self, _change: object = None) -> None:
        self._apply(
            lambda: DecisionAid(
                decision=self.decision.value.strip(),
                condition=self.condition.value.strip(),
                options=self.aid.options,
                uncertainty=self.uncertainty.value.strip(),
                values=self.aid.values,
                sources=_split_lines(self.sources.value),
            ),
            "Saved in the draft.",
        )

    def _on_add_option(self, _button: widgets.Button | None = None) -> None:
        name = self.option_name.value
        ok = self._apply(
            lambda: with_option(self.aid, Option(name, self.option_description.value.strip())),
            f"Option '{name.strip()}' added.",
        )
        if ok:
            self.option_name.value = ""
            self.option_description.value = ""
            self.option_choice.value = name.strip()

    def _on_remove_option(self, _button: widgets.Button | None = None) -> None:
        name = self.option_choice.value
        if name is not None:
            self._apply(lambda: without_option(self.aid, name), f"Option '{name}' removed.")

    def _on_add_outcome(self, _button: widgets.Button | None = None) -> None:
        name = self.option_choice.value
        if name is None:
            self.status.value = feedback_html(["Add an option first."], "info")
            return
        per_100 = float(self.per_100.value) if self.per_100_known.value else None
        ok = self._apply(
            lambda: with_outcome(
                self.aid,
                name,
                Outcome(
                    self.outcome_description.value.strip(),
                    self.outcome_kind.value,
                    per_100,
                    self.timeframe.value.strip(),
                    self.outcome_source.value.strip(),
                ),
            ),
            f"Outcome added to '{name}'.",
        )
        if ok:
            self.outcome_description.value = ""

    def _on_remove_outcome(self, _button: widgets.Button | None = None) -> None:
        name = self.option_choice.value
        if name is None:
            return
        count = len(self.aid.option(name).outcomes)
        self._apply(
            lambda: without_outcome(self.aid, name, count - 1), f"Last outcome of '{name}' removed."
        )

    def _on_add_value(self, _button: widgets.Button | None = None) -> None:
        ok = self._apply(
            lambda: with_value(
                self.aid, ValueStatement(self.value_statement.value.strip(), self.importance.value)
            ),
            "Added to what matters.",
        )
        if ok:
            self.value_statement.value = ""

    def _on_remove_value(self, _button: widgets.Button | None = None) -> None:
        self._apply(lambda: without_value(self.aid, len(self.aid.values) - 1), "Removed.")

    def _on_check(self, _button: widgets.Button | None = None) -> None:
        review = self._check(self.aid)
        self.last_review = review
        level, title, messages = aid_review_messages(review)
        self.feedback.value = feedback_html(messages, level, title)
        self.markdown.value = self._to_markdown(self.aid)

    def _refresh(self) -> None:
        names = [o.name for o in self.aid.options]
        current = self.option_choice.value
        self.option_choice.options = names
        if names:
            self.option_choice.value = current if current in names else names[-1]
        self.preview.value = _aid_preview(self.aid)
        ranked = sorted(self.aid.values, key=lambda v: -v.importance)
        items = "".join(
            f"<li>{html.escape(v.statement)} (importance {v.importance} of 10)</li>" for v in ranked
        )
        self.values_list.value = (
            f"<ul style='margin:2px 0 2px 18px;padding:0'>{items}</ul>"
            if items
            else "<p style='margin:2px 0'><em>Nothing recorded yet.</em></p>"
        )


def decision_aid_builder(
    answer_name: str | None = None,
    *,
    folder: Path | str | None = None,
    practice: bool = False,
    **kwargs: Any,
) -> DecisionAidBuilder:
    """Build a decision-aid builder in one line (see :class:`DecisionAidBuilder`)."""
    return DecisionAidBuilder(answer_name=answer_name, folder=folder, practice=practice, **kwargs)
