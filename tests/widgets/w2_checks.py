"""Test helper (helper W2's widgets): find controls a keyboard or screen-reader user cannot name."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

_TEXT_ONLY = (widgets.HTML, widgets.HTMLMath, widgets.Label, widgets.Image)


def _tree(widget: Any, seen: set[int]) -> list[Any]:
    if not isinstance(widget, widgets.Widget) or id(widget) in seen:
        return []
    seen.add(id(widget))
    found = [widget]
    for child in getattr(widget, "children", ()):
        found.extend(_tree(child, seen))
    return found


def unlabelled_controls(widget: Any) -> list[str]:
    """Describe every control without a visible label, or whose label may hold raw HTML.

    A control is any ipywidget with a ``description`` trait other than HTML/Label/Image text
    widgets; it needs a non-empty description, and ``description_allow_html`` must be off.
    """
    problems = []
    for item in _tree(widget, set()):
        if isinstance(item, _TEXT_ONLY) or not hasattr(item, "description"):
            continue
        name = type(item).__name__
        if not str(item.description).strip():
            problems.append(f"{name} without a description")
        if getattr(item, "description_allow_html", False):
            problems.append(f"{name} {item.description!r} allows HTML in its label")
        if getattr(item, "disabled", False) and not isinstance(item, widgets.Textarea):
            problems.append(f"{name} {item.description!r} is disabled (not focusable)")
    return problems
