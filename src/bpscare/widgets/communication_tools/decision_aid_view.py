"""Decision aid tool: draft options, benefits and harms, uncertainty and values, then check them.

Benefits and harms are shown in natural frequencies with text icon arrays, and the aid is checked
against teaching criteria inspired by IPDAS (Elwyn et al., BMJ 2006; decision aids: Stacey et
al., Cochrane 2017). The answer is :meth:`DecisionAid.to_dict` (kind ``decision_aid``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.communication import (
    DECISION_AID_CRITERIA,
    AidReview,
    DecisionAid,
    Option,
    Outcome,
    ValueStatement,
    check_decision_aid,
    decision_aid_to_markdown,
    icon_array,
    natural_frequency,
    with_option,
    with_outcome,
    with_value,
    without_option,
    without_outcome,
    without_value,
)
from bpscare.widgets.common import feedback_html, labelled_html, split_lines
from bpscare.widgets.communication_tools._shared import _STYLE, _WIDE, _save_bar
from bpscare.widgets.page import page_support

__all__ = [
    "KIND_DECISION_AID",
    "DecisionAidBuilder",
    "aid_review_messages",
    "decision_aid_builder",
]

KIND_DECISION_AID = "decision_aid"


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
            value=5,
            min=0,
            max=10,
            description="How much it matters (0-10):",
            style=_STYLE,
            layout=widgets.Layout(width="min(30rem, 100%)"),
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
            rows=10,
            layout=widgets.Layout(width="95%"),
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
        super().__init__(page_support(self, children))
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
                sources=split_lines(self.sources.value),
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
