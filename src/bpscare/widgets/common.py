"""Shared pieces for the widgets: accessible feedback, a save bar and plots rendered to traits."""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.grading.answers import AnswerError, save_answer

LEVEL_STYLES = {
    "info": ("#0b4f6c", "#e8f4f8"),
    "success": ("#1e5631", "#e9f5ec"),
    "warning": ("#7a4b00", "#fff4e0"),
    "alert": ("#8a1c1c", "#fdecea"),
}


def feedback_html(messages: Sequence[str], level: str = "info", title: str = "") -> str:
    """Render feedback as an accessible live region (screen readers announce changes).

    Colours meet WCAG AA contrast on their backgrounds; meaning never relies on colour alone
    (the title and the list carry it).
    """
    fg, bg = LEVEL_STYLES.get(level, LEVEL_STYLES["info"])
    role = "alert" if level == "alert" else "status"
    items = "".join(f"<li>{html.escape(m)}</li>" for m in messages)
    heading = f"<strong>{html.escape(title)}</strong>" if title else ""
    body = f"<ul style='margin:4px 0 0 18px;padding:0'>{items}</ul>" if items else ""
    return (
        f"<div role='{role}' aria-live='polite' style='color:{fg};background:{bg};"
        f"border-left:4px solid {fg};padding:6px 10px;margin:4px 0'>{heading}{body}</div>"
    )


def labelled_html(text: str) -> widgets.HTML:
    """A visible text label (a heading or instruction) as a widget."""
    return widgets.HTML(f"<p style='margin:2px 0'>{html.escape(text)}</p>")


def split_lines(text: str) -> tuple[str, ...]:
    """Split a text area into its non-blank lines, trimmed (one item per line)."""
    if not isinstance(text, str):
        msg = f"text: expected text, got {text!r}"
        raise ValueError(msg)
    return tuple(line.strip() for line in text.splitlines() if line.strip())


class SaveAnswerBar(widgets.HBox):
    """A 'Save answer' button and its status line; saving goes through the answers module."""

    def __init__(
        self,
        name: str,
        get_data: Callable[[], Any],
        *,
        kind: str = "",
        folder: Path | str | None = None,
        saver: Callable[..., Path] = save_answer,
        assignment: str = "",
    ) -> None:
        self.answer_name = name
        self._assignment = assignment
        self._get_data = get_data
        self._kind = kind
        self._folder = folder
        self._saver = saver
        self.button = widgets.Button(
            description="Save answer",
            icon="save",
            tooltip=f"Save this answer as {name}.answer.json next to the notebook",
            button_style="primary",
        )
        self.status = widgets.HTML(value="")
        self.button.on_click(self._save)
        super().__init__([self.button, self.status])

    def _save(self, _button: widgets.Button | None = None) -> None:
        try:
            path = self._saver(
                self.answer_name,
                self._get_data(),
                kind=self._kind,
                folder=self._folder,
                assignment=self._assignment,
            )
        except AnswerError as exc:
            self.status.value = feedback_html([str(exc)], "alert")
            return
        self.status.value = feedback_html([f"Saved as {path.name}."], "success")


def figure_png(fig: Any) -> bytes:
    """Render a matplotlib figure to PNG bytes (for ``widgets.Image.value``) and close it."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def new_figure(width: float = 6.0, height: float = 3.2) -> tuple[Any, Any]:
    """Create a figure and axes on the non-interactive Agg backend (safe in tests and Voila)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def options_from(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, value) options for a Dropdown or ToggleButtons, sorted by label."""
    return sorted(pairs)
