"""Accessibility repairs for ipywidgets controls that the stock front end leaves unlabelled.

Two gaps found by axe-core in every app that has a slider or a plot (ipywidgets 8.1.9 in Voila
0.5.13; WCAG 2.1 success criteria 4.1.2 "Name, Role, Value" and 1.1.1 "Non-text Content"):

- a slider's handle (``role="slider"``) gets no accessible name: the visible description label
  is not tied to it, so a screen reader announces only "slider, 0.4". :class:`SliderLabels`
  copies each slider's visible label into the handle's ``aria-label`` in the browser.
- an ``Image`` widget renders ``<img>`` without ``alt``. :func:`describe_images` gives every
  image that has no text alternative a ``tooltip`` (rendered as ``title``, which assistive
  technology reads as the image's name).
"""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets as widgets

__all__ = ["DEFAULT_IMAGE_TEXT", "SliderLabels", "describe_images", "walk_widgets"]

DEFAULT_IMAGE_TEXT = "Chart of the results above; the text beside it states what it shows."

_SLIDER_LABELS_ESM = """
function labelSliders(root) {
  for (const slider of root.querySelectorAll('.widget-slider')) {
    const label = slider.querySelector('.widget-label');
    const text = label ? label.textContent.trim() : '';
    if (!text) continue;
    const handles = slider.querySelectorAll('.noUi-handle');
    handles.forEach((handle, index) => {
      if (handle.getAttribute('aria-label')) return;
      const end = handles.length > 1 ? (index === 0 ? ' (lower end)' : ' (upper end)') : '';
      handle.setAttribute('aria-label', text + end);
    });
  }
}

export default {
  render({ el }) {
    el.hidden = true;
    const root = () => el.closest('.bpscare-app') || document.body;
    const observer = new MutationObserver(() => labelSliders(root()));
    const start = () => {
      if (!el.isConnected) { requestAnimationFrame(start); return; }
      labelSliders(root());
      observer.observe(root(), { childList: true, subtree: true });
    };
    start();
    return () => observer.disconnect();
  },
};
"""


class SliderLabels(anywidget.AnyWidget):
    """Invisible helper: names every slider handle in its app after the slider's visible label.

    WCAG 2.1 SC 4.1.2 requires each control to have an accessible name; ipywidgets' sliders
    show a label but do not associate it with the focusable handle. This widget has no state
    and no view of its own; its front-end code labels the sliders of the enclosing app (and
    sliders added later, through a ``MutationObserver``).
    """

    _esm = _SLIDER_LABELS_ESM

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("layout", widgets.Layout(display="none"))
        super().__init__(**kwargs)


def walk_widgets(widget: widgets.Widget) -> list[widgets.Widget]:
    """Return ``widget`` and every widget it references through its synced traits, once each."""
    found: list[widgets.Widget] = []
    seen: set[int] = set()
    stack: list[object] = [widget]
    while stack:
        item = stack.pop()
        if not isinstance(item, widgets.Widget) or id(item) in seen:
            continue
        seen.add(id(item))
        found.append(item)
        for name in item.keys:
            value = getattr(item, name, None)
            stack.extend(value if isinstance(value, list | tuple) else [value])
    return found


def describe_images(widget: widgets.Widget, text: str = DEFAULT_IMAGE_TEXT) -> int:
    """Give each ``Image`` below ``widget`` without a tooltip a text alternative.

    WCAG 2.1 SC 1.1.1: an image needs a text alternative. Widgets that know what their plot
    shows should set ``tooltip`` themselves; this is the fallback.

    Parameters
    ----------
    widget
        Root of the widget tree.
    text
        Text alternative for images that have none.

    Returns
    -------
    int
        How many images were given the fallback text.

    Raises
    ------
    ValueError
        If ``text`` is blank.
    """
    if not text.strip():
        msg = f"image text alternative must be non-blank, got {text!r}"
        raise ValueError(msg)
    changed = 0
    for item in walk_widgets(widget):
        if isinstance(item, widgets.Image) and not (item.tooltip or "").strip():
            item.tooltip = text
            changed += 1
    return changed
