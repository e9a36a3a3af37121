"""Practice explaining a functional diagnosis: draft, check, compare with a worked explanation.

A view over :func:`bpscare.clinical.functional_explanation.check_explanation` (injected), which
looks for the elements of the communication strategy tested by Hall-Patch et al. (Epilepsia
2010;51(1):70-78) and for phrases heard as dismissal. The learner writes what they would say to
the person, presses "Check my explanation", and sees which elements are there, which are missing
and which phrases to reconsider; a worked explanation can be revealed after a first attempt, and
the draft can be saved as an answer. The check is formative: it never scores the explanation.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.functional_explanation import (
    ELEMENTS,
    SOURCE,
    ExplanationFeedback,
    check_explanation,
)
from bpscare.widgets.common import SaveAnswerBar, feedback_html
from bpscare.widgets.page import page_support

__all__ = ["KIND", "ExplanationPracticeView", "explanation_practice"]

#: Answer-file kind: {"explanation": str, "present": [...], "missing": [...], "harmful": [...]}.
KIND = "functional_explanation"


class ExplanationPracticeView(widgets.VBox):
    """The practice view; ``checker`` is injected (default :func:`check_explanation`)."""

    def __init__(
        self,
        *,
        situation: str = "",
        model_explanation: str | None = None,
        answer_name: str | None = None,
        assignment: str = "",
        folder: Path | str | None = None,
        checker: Callable[[str], ExplanationFeedback] = check_explanation,
    ) -> None:
        self._checker = checker
        self._model = model_explanation
        self.last: ExplanationFeedback | None = None
        intro = (
            "Write what you would say to the person, in the words you would use. Then check it "
            f"against the elements of a good explanation ({SOURCE}). The check is feedback for "
            "practice, not a score."
        )
        self.situation = widgets.HTML(
            f"<p><strong>Situation.</strong> {html.escape(situation)}</p>" if situation else ""
        )
        self.draft = widgets.Textarea(
            description="Your explanation:",
            placeholder="Your seizures are real, and they have a name: ...",
            layout=widgets.Layout(width="auto", height="9em"),
            style={"description_width": "initial"},
        )
        self.check_button = widgets.Button(
            description="Check my explanation", icon="check", button_style="info"
        )
        self.feedback = widgets.HTML("")
        self.checklist = widgets.HTML(self._checklist_html(()))
        self.model_button = widgets.Button(
            description="Show a worked explanation",
            icon="eye",
            tooltip="Shown after your first check",
        )
        self.model_box = widgets.HTML("")
        self.check_button.on_click(self._on_check)
        self.model_button.on_click(self._on_model)
        children: list[widgets.Widget] = [
            widgets.HTML(f"<p>{html.escape(intro)}</p>"),
            self.situation,
            self.draft,
            widgets.HBox([self.check_button, self.model_button]),
            self.feedback,
            self.checklist,
            self.model_box,
        ]
        if answer_name:
            children.append(
                SaveAnswerBar(
                    answer_name, self.answer, kind=KIND, folder=folder, assignment=assignment
                )
            )
        super().__init__(page_support(self, children))

    @staticmethod
    def _checklist_html(present: tuple[str, ...]) -> str:
        rows = "".join(
            f"<li>{'&#10003; Present' if e.id in present else '&#9675; Not yet'}: "
            f"{html.escape(e.label)}</li>"
            for e in ELEMENTS
        )
        return f"<p style='margin:4px 0 0'><strong>Elements</strong></p><ul>{rows}</ul>"

    def check(self) -> ExplanationFeedback:
        """Check the current draft and update the view (also what the button does)."""
        text = self.draft.value.strip()
        if not text:
            self.feedback.value = feedback_html(
                ["Write your explanation first; a few sentences are enough."], "warning"
            )
            return self._checker("")
        result = self._checker(text)
        self.last = result
        level = "alert" if result.harmful else ("success" if not result.missing else "info")
        title = f"{len(result.present)} of {len(ELEMENTS)} elements found" + (
            f"; {len(result.harmful)} phrase(s) to reconsider" if result.harmful else ""
        )
        # The checklist below shows what is present; the feedback lists only what to work on.
        to_work_on = [m for m in result.messages() if not m.startswith("Includes:")]
        if not to_work_on:
            to_work_on = ["Every element is there and no phrase to reconsider was found."]
        self.feedback.value = feedback_html(to_work_on, level, title)
        self.checklist.value = self._checklist_html(result.present)
        return result

    def _on_check(self, _button: widgets.Button | None = None) -> None:
        self.check()

    def _on_model(self, _button: widgets.Button | None = None) -> None:
        self.show_model()

    def show_model(self) -> None:
        """Reveal the worked explanation, but only after the learner's own first check."""
        if self._model is None:
            self.model_box.value = feedback_html(["No worked explanation for this exercise."])
        elif self.last is None:
            self.model_box.value = feedback_html(
                ["Write and check your own explanation first; then compare."], "warning"
            )
        else:
            self.model_box.value = (
                "<div style='border-left:4px solid #0b4f6c;padding:6px 10px;margin:4px 0'>"
                f"<strong>A worked explanation</strong><p>{html.escape(self._model)}</p></div>"
            )

    def answer(self) -> dict[str, Any]:
        """The draft and what the check found, as plain data for :func:`save_answer`."""
        result = self.last or self._checker(self.draft.value)
        return {
            "explanation": self.draft.value,
            "present": list(result.present),
            "missing": list(result.missing),
            "harmful": [phrase for phrase, _why, _alt in result.harmful],
        }


def explanation_practice(
    situation: str = "",
    model_explanation: str | None = None,
    *,
    answer_name: str | None = None,
    assignment: str = "",
    folder: Path | str | None = None,
    checker: Callable[[str], ExplanationFeedback] = check_explanation,
) -> ExplanationPracticeView:
    """Show the practice view for explaining a functional diagnosis.

    Parameters
    ----------
    situation
        One or two sentences setting the scene (whom you are talking to, what the tests showed).
    model_explanation
        A worked explanation, revealed only after the learner's first check.
    answer_name
        If given, a "Save answer" bar saves the draft as ``<answer_name>.answer.json``.
    assignment
        The assignment the saved answer belongs to (checked when it is graded).
    folder
        Where to save (default: next to the notebook).
    checker
        The checking function (default :func:`check_explanation`).
    """
    return ExplanationPracticeView(
        situation=situation,
        model_explanation=model_explanation,
        answer_name=answer_name,
        assignment=assignment,
        folder=folder,
        checker=checker,
    )
