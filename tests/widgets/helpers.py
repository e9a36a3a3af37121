"""Test helper: everything a widget tree would send to the browser, as one string."""

from __future__ import annotations

import json
from typing import Any

import ipywidgets as widgets


def _walk(widget: Any, seen: set[int]) -> list[dict[str, Any]]:
    if not isinstance(widget, widgets.Widget) or id(widget) in seen:
        return []
    seen.add(id(widget))
    state = widget.get_state()
    states = [state]
    for name in widget.keys:
        value = getattr(widget, name, None)
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            states.extend(_walk(item, seen))
    return states


def synced_state_text(widget: Any) -> str:
    """JSON of ``get_state()`` of ``widget`` and every widget it references (children etc.)."""
    return json.dumps(_walk(widget, set()), default=repr, sort_keys=True)
