"""The frame every Voila app shares: a title, short instructions, the widget and its sources.

An app is a thin composition: this frame around one widget (or a few) built in practice mode,
so the page a learner sees in Voila reads the same for every exercise: what to do, that the
feedback comes from public checks only, and where the clinical rules come from.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets

from bpscare.apps.a11y import AccessibilityPatch

__all__ = [
    "PRACTICE_NOTE",
    "TEACHING_CASE",
    "TEACHING_TRANSCRIPT",
    "AppInfo",
    "app_frame",
]

# Teaching material: cases and transcripts that no graded assignment uses, so an app may show
# feedback drawn from their expert material. The app tests check that no assignment names them.
TEACHING_CASE = "c04-daily-headaches"
TEACHING_TRANSCRIPT = "t03-just-stress-headaches"

# JupyterLab's light theme draws inactive tab labels and accordion headers in #6d6d6d on #eeeeee
# (contrast 4.45:1, under WCAG AA's 4.5:1, flagged by axe-core); inside an app they are darkened.
APP_CSS = (
    "<style>.bpscare-app .lm-TabBar-tabLabel,.bpscare-app .jupyter-widget-Collapse-header,"
    ".bpscare-app .jupyter-widget-Collapse-header span{color:#333333}</style>"
)

PRACTICE_NOTE = (
    "Practice mode: the feedback here comes from public checks only (completeness, structure "
    "and published rules). Nothing on this page is graded or saved for your instructor."
)


@dataclass(frozen=True)
class AppInfo:
    """One Voila app of the learner edition: its notebook name, factory and one-line summary.

    Attributes
    ----------
    name
        Notebook stem: the app is ``apps/<name>.ipynb`` in the learner edition and is served at
        ``/voila/render/apps/<name>.ipynb``.
    factory
        Name of the factory function in :mod:`bpscare.apps` that builds the app's widget.
    title
        The page heading.
    summary
        One sentence for the README's list of Binder links.
    """

    name: str
    factory: str
    title: str
    summary: str


def app_frame(
    title: str,
    instructions: Sequence[str],
    body: widgets.Widget,
    *,
    sources: Sequence[str] = (),
    practice_note: str = PRACTICE_NOTE,
) -> widgets.VBox:
    """Wrap an exercise widget in the shared page layout (heading, steps, widget, sources).

    Parameters
    ----------
    title
        Page heading (rendered as the page's only ``<h1>``, for screen-reader navigation).
    instructions
        Short steps shown as an ordered list above the widget.
    body
        The exercise widget, already built in practice mode.
    sources
        Citations for the clinical rules the widget applies, shown below it.
    practice_note
        The sentence that says the feedback is formative and from public checks only.

    Returns
    -------
    ipywidgets.VBox
        The app; its children are the header, the body, the sources footer (when there are
        sources) and an invisible :class:`~bpscare.apps.a11y.AccessibilityPatch` that names
        the sliders and images in the browser.

    Raises
    ------
    ValueError
        If ``title`` is blank or ``instructions`` is empty (every app says what to do).
    """
    if not title.strip():
        msg = f"app title must be non-blank text, got {title!r}"
        raise ValueError(msg)
    if not instructions:
        msg = f"app {title!r} needs at least one instruction; got {list(instructions)!r}"
        raise ValueError(msg)
    steps = "".join(f"<li>{html.escape(step)}</li>" for step in instructions)
    header = widgets.HTML(
        f"{APP_CSS}<h1 style='font-size:1.6em;margin:4px 0'>{html.escape(title)}</h1>"
        f"<ol style='margin:4px 0 4px 20px;padding:0'>{steps}</ol>"
        f"<p style='margin:4px 0;color:#333'><em>{html.escape(practice_note)}</em></p>"
    )
    children: list[widgets.Widget] = [header, body]
    if sources:
        items = "".join(f"<li>{html.escape(source)}</li>" for source in sources)
        children.append(
            widgets.HTML(
                "<details style='margin-top:8px'><summary>Sources</summary>"
                f"<ul style='margin:4px 0 4px 20px;padding:0'>{items}</ul></details>"
            )
        )
    children.append(AccessibilityPatch())
    frame = widgets.VBox(children, layout=widgets.Layout(max_width="960px"))
    frame.add_class("bpscare-app")
    return frame
