"""Question prompt list tool: choose questions from the bank or write your own, order, print.

Question prompt lists increase question asking when the clinician endorses them (Sansoni et al.,
Patient Educ Couns 2015). The answer is :meth:`QuestionList.to_dict` (kind ``question_list``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.communication import (
    QPL_TOPICS,
    QuestionList,
    add_question,
    move_question,
    question_bank,
    question_list_feedback,
    question_list_text,
    remove_question,
)
from bpscare.widgets.common import feedback_html, labelled_html
from bpscare.widgets.communication_tools._shared import _STYLE, _WIDE, _save_bar
from bpscare.widgets.page import page_support

__all__ = [
    "KIND_QUESTION_LIST",
    "QuestionPromptListView",
    "question_prompt_list",
]

KIND_QUESTION_LIST = "question_list"


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
            rows=10,
            layout=widgets.Layout(width="95%"),
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
        super().__init__(page_support(self, children))
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
