"""Wording check: rewrite a chart note without stigmatizing language, with instant feedback.

The practice app for the stigmatizing-language rewrite of the bias module. The rule is public:
:func:`bpscare.clinical.language.scan_text` and its term list (Park et al., JAMA Netw Open 2021;
Beach et al., J Gen Intern Med 2021; Goddu et al., J Gen Intern Med 2018). The starting note
is synthetic and uses the flagged words on purpose, because the exercise is to see why they
harm and to replace them.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from bpscare.clinical.language import TermHit, flagged_terms, scan_text
from bpscare.widgets.common import feedback_html
from bpscare.widgets.page import page_support

__all__ = ["SAMPLE_NOTE", "LanguageCheckView", "language_check", "wording_feedback"]

SAMPLE_NOTE = (
    "52-year-old frequent flyer back again with chest pain. Patient claims the pain started "
    "at work and denies drinking. Non-compliant with her blood pressure medicine. Told her it "
    "is probably just stress."
)


def wording_feedback(hits: list[TermHit]) -> tuple[str, str, list[str]]:
    """Turn scan hits into (level, title, messages) for the feedback region.

    A quoted term (reported speech, e.g. what the person was once told) is noted but accepted;
    an unquoted one is a change to make, with the safer wording, the harm and its source.

    Parameters
    ----------
    hits
        Result of :func:`bpscare.clinical.language.scan_text`.

    Returns
    -------
    tuple
        ``(level, title, messages)`` with level ``"success"`` (nothing to change) or
        ``"warning"``.
    """
    terms = {term.term: term for term in flagged_terms()}
    to_change = [hit for hit in hits if not hit.quoted]
    messages = []
    for hit in to_change:
        term = terms[hit.term]
        messages.append(
            f"'{hit.matched}' ({term.category}): {term.why} Try: {term.alternative} "
            f"(source: {term.source})"
        )
    quoted = [hit.matched for hit in hits if hit.quoted]
    if quoted:
        messages.append(
            f"Inside quotation marks, reported as someone's words: {', '.join(quoted)}. That is "
            "acceptable when you are recording what was said."
        )
    if to_change:
        title = f"{len(to_change)} wording(s) to change"
        return "warning", title, messages
    return (
        "success",
        "No stigmatizing wording found",
        messages
        or [
            "The screen found none of the flagged words. Reread once for tone: does the note "
            "describe what happened and what the person said, without judging?"
        ],
    )


class LanguageCheckView(widgets.VBox):
    """A note to rewrite, a 'Check wording' button and feedback from the public term list.

    Parameters
    ----------
    text
        The starting note.
    scan
        The scanning function (:func:`bpscare.clinical.language.scan_text` by default).
    """

    def __init__(
        self, text: str = SAMPLE_NOTE, *, scan: Callable[[str], list[TermHit]] = scan_text
    ) -> None:
        self._scan = scan
        self.note = widgets.Textarea(
            value=text,
            description="Your note",
            rows=6,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="95%"),
        )
        self.check_button = widgets.Button(
            description="Check wording",
            icon="check",
            button_style="primary",
            tooltip="Screen the note for stigmatizing words",
        )
        self.feedback = widgets.HTML(
            feedback_html(["Edit the note, then press Check wording."], "info", "Feedback")
        )
        self.check_button.on_click(self._check)
        super().__init__(page_support(self, [self.note, self.check_button, self.feedback]))

    def check(self) -> None:
        """Screen the current note and show the feedback (what the button does)."""
        if not self.note.value.strip():
            self.feedback.value = feedback_html(
                [
                    "The note is empty: there is nothing to screen. Write what happened and "
                    "what the person said, then press Check wording."
                ],
                "info",
                "Empty note",
            )
            return
        level, title, messages = wording_feedback(self._scan(self.note.value))
        self.feedback.value = feedback_html(messages, level, title)

    def _check(self, _button: widgets.Button | None = None) -> None:
        self.check()


def language_check(text: str = SAMPLE_NOTE) -> LanguageCheckView:
    """Return the wording check for ``text`` (one line in a cell)."""
    return LanguageCheckView(text)
