"""Communication preferences tool: a form with a live summary for the care team.

How a person likes to receive results and news, whom to include, language, detail and decision
role. The answer is :meth:`CommunicationPreferences.to_dict` (kind
``communication_preferences``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.communication import (
    CHANNELS,
    DECISION_ROLES,
    DETAIL_LEVELS,
    CommunicationPreferences,
    check_preferences,
    preferences_summary,
    preferences_to_markdown,
)
from bpscare.widgets.common import feedback_html, labelled_html, split_lines
from bpscare.widgets.communication_tools._shared import _STYLE, _WIDE, _save_bar
from bpscare.widgets.page import page_support

__all__ = [
    "KIND_PREFERENCES",
    "CommunicationPreferencesView",
    "communication_preferences",
]

KIND_PREFERENCES = "communication_preferences"

_NOT_ASKED = ("Not yet asked", "")


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
            rows=9,
            layout=widgets.Layout(width="95%"),
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
        super().__init__(page_support(self, children))
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
            people_to_include=split_lines(self.people_to_include.value),
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
