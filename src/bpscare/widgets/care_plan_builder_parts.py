"""Building blocks of the care-plan builder: pure form helpers and the entry-list sub-widget.

The helpers turn form text into plan parts (:func:`split_lines`, :func:`goal_from_form`), convert
between a :class:`~bpscare.clinical.careplan.CarePlan` and its ``care_plan`` answer data
(:func:`plan_to_answer`, :func:`answer_to_plan`) and word a review for the learner
(:func:`review_messages`). ``_EntryList`` is the reusable "choose + explain + add" list the form
uses for the team, referrals and access barriers. The view itself is
:class:`bpscare.widgets.care_plan_builder.CarePlanBuilder`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.careplan import (
    CarePlan,
    PlanReview,
    SmartGoal,
    smart_parts,
    vocabulary,
)
from bpscare.widgets.common import split_lines

__all__ = [
    "answer_to_plan",
    "goal_from_form",
    "plan_to_answer",
    "review_messages",
    "split_lines",
]

_WIDE = widgets.Layout(width="95%")
_STYLE = {"description_width": "initial"}
_SMART_LABELS = {
    "specific": "specific",
    "measurable": "measurable",
    "achievable": "achievable",
    "relevant": "relevant",
    "time_bound": "time-bound",
}


# --------------------------------------------------------------------------------------------
# Pure helpers (no widgets)
# --------------------------------------------------------------------------------------------


def goal_from_form(
    what: str,
    measure: str,
    target: str,
    by_when: str,
    *,
    why: str = "",
    first_step: str = "",
) -> SmartGoal:
    """Build a goal from the goal form, refusing a goal without its activity ("what").

    Parameters
    ----------
    what, measure, target, by_when, why, first_step
        As for :meth:`bpscare.clinical.careplan.SmartGoal.from_parts`; surrounding spaces are
        trimmed.

    Returns
    -------
    SmartGoal
        The goal; :func:`bpscare.clinical.careplan.smart_parts` says which SMART parts it states.

    Raises
    ------
    ValueError
        If ``what`` is blank.
    """
    parts = [str(p).strip() for p in (what, measure, target, by_when, why, first_step)]
    if not parts[0]:
        msg = "what: describe the activity or change the goal is about, got an empty string"
        raise ValueError(msg)
    return SmartGoal.from_parts(
        parts[0], parts[1], parts[2], parts[3], why=parts[4], first_step=parts[5]
    )


def plan_to_answer(plan: CarePlan) -> dict[str, Any]:
    """Return the plain-JSON answer data for a plan (its :meth:`CarePlan.to_dict` form)."""
    if not isinstance(plan, CarePlan):
        msg = f"plan: expected a CarePlan, got {type(plan).__name__}"
        raise ValueError(msg)
    return plan.to_dict()


def answer_to_plan(data: Mapping[str, Any]) -> CarePlan:
    """Rebuild a :class:`~bpscare.clinical.careplan.CarePlan` from a saved ``care_plan`` answer."""
    return CarePlan.from_dict(data)


def review_messages(review: PlanReview) -> tuple[str, str, list[str]]:
    """Turn a plan review into (level, title, messages) for :func:`feedback_html`.

    The title states completeness and quality in words and numbers (never colour alone); the
    messages list what to add first (required checks), then quality suggestions, then what is
    already in place.
    """
    required = [f for f in review.findings if f.severity == "required"]
    done = sum(f.passed for f in required)
    title = (
        f"Required parts: {done} of {len(required)} in place "
        f"({review.completeness:.0%}); quality: {review.quality:.0%}."
    )
    todo = [f"To do: {m}" for m in review.feedback()]
    good = [f"In place: {f.message}" for f in review.findings if f.passed]
    if review.passed and review.quality == 1.0:
        level = "success"
    elif review.passed:
        level = "info"
    else:
        level = "warning"
    return level, title, [*todo, *good]


def _smart_summary(goal: SmartGoal) -> str:
    parts = smart_parts(goal)
    have = [_SMART_LABELS[k] for k, ok in parts.items() if ok]
    missing = [_SMART_LABELS[k] for k, ok in parts.items() if not ok]
    text = "SMART: states " + (", ".join(have) or "no part yet")
    return text + (f"; missing {', '.join(missing)}" if missing else " (all five)")


# --------------------------------------------------------------------------------------------
# A reusable "choose + explain + add" list
# --------------------------------------------------------------------------------------------


class _EntryList(widgets.VBox):
    """Dropdown of vocabulary ids + a text box + Add/Remove; entries kept as a plain dict."""

    def __init__(self, section: str, what: str, text_label: str, placeholder: str) -> None:
        self._labels = dict(vocabulary(section))
        self.entries: dict[str, str] = {}
        self.choice = widgets.Dropdown(
            options=[(label, key) for key, label in self._labels.items()],
            description=what,
            style=_STYLE,
            layout=widgets.Layout(width="60%"),
        )
        self.text = widgets.Text(
            description=text_label, placeholder=placeholder, style=_STYLE, layout=_WIDE
        )
        self.add = widgets.Button(description=f"Add {what.lower()}", icon="plus")
        self.remove = widgets.Button(description=f"Remove {what.lower()}", icon="minus")
        self.listing = widgets.HTML()
        self.add.on_click(self._on_add)
        self.remove.on_click(self._on_remove)
        super().__init__(
            [self.choice, self.text, widgets.HBox([self.add, self.remove]), self.listing]
        )
        self.render()

    def _on_add(self, _button: widgets.Button | None = None) -> None:
        self.entries[self.choice.value] = self.text.value.strip()
        self.text.value = ""
        self.render()

    def _on_remove(self, _button: widgets.Button | None = None) -> None:
        self.entries.pop(self.choice.value, None)
        self.render()

    def set_entries(self, entries: Mapping[str, str]) -> None:
        self.entries = {k: v for k, v in entries.items() if k in self._labels}
        self.render()

    def render(self) -> None:
        if not self.entries:
            self.listing.value = "<p style='margin:2px 0'><em>None added yet.</em></p>"
            return
        items = "".join(
            f"<li>{html.escape(self._labels[k])}"
            + (f": {html.escape(v)}" if v else " <em>(no details yet)</em>")
            + "</li>"
            for k, v in self.entries.items()
        )
        self.listing.value = f"<ul style='margin:2px 0 2px 18px;padding:0'>{items}</ul>"


def _heading(text: str) -> widgets.HTML:
    return widgets.HTML(f"<h4 style='margin:10px 0 2px 0'>{html.escape(text)}</h4>")
