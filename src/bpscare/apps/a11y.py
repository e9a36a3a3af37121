"""Accessibility repairs for ipywidgets controls that the stock front end leaves unnamed.

Two gaps found by axe-core in the apps (ipywidgets 8.1.9 in Voila 0.5.13; WCAG 2.1 success
criteria 4.1.2 "Name, Role, Value" and 1.1.1 "Non-text Content"):

- a slider's handle (``role="slider"``) gets no accessible name: the visible description label
  is not tied to it, so a screen reader announces only "slider, 0.4";
- an ``Image`` widget renders ``<img>`` without ``alt`` (and setting the widget's ``tooltip``
  is no way out: with a tooltip, ipywidgets 8.1.9 fails to create the image's view at all).

:class:`AccessibilityPatch` repairs both in the browser: it copies each slider's visible label
into its handle's ``aria-label`` and gives every image without ``alt`` the text of its
``image_text`` trait. Widgets whose plots need a specific description should state it in
text next to the plot (the bpscare widgets do).
"""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

__all__ = ["DEFAULT_IMAGE_TEXT", "AccessibilityPatch", "walk_widgets"]

DEFAULT_IMAGE_TEXT = "Chart of the results on this page; the text beside it states what it shows."

_PATCH_ESM = """
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

function describeImages(root, text) {
  for (const image of root.querySelectorAll('img')) {
    if (!image.hasAttribute('alt')) image.setAttribute('alt', text);
  }
}

export default {
  render({ model, el }) {
    el.hidden = true;
    const root = () => el.closest('.bpscare-app') || document.body;
    const repair = () => {
      labelSliders(root());
      describeImages(root(), model.get('image_text'));
    };
    const observer = new MutationObserver(repair);
    const start = () => {
      if (!el.isConnected) { requestAnimationFrame(start); return; }
      repair();
      observer.observe(root(), { childList: true, subtree: true });
    };
    start();
    return () => observer.disconnect();
  },
};
"""


class AccessibilityPatch(anywidget.AnyWidget):
    """Invisible helper that names the sliders and images of the app it sits in.

    WCAG 2.1 SC 4.1.2 (every control has an accessible name) and SC 1.1.1 (every image has a
    text alternative). Its front-end code repairs the enclosing ``.bpscare-app`` (and controls
    added later, through a ``MutationObserver``); it has no visible view and syncs only
    ``image_text``.
    """

    _esm = _PATCH_ESM
    image_text = traitlets.Unicode(DEFAULT_IMAGE_TEXT).tag(sync=True)

    def __init__(self, image_text: str = DEFAULT_IMAGE_TEXT, **kwargs: Any) -> None:
        if not image_text.strip():
            msg = f"image_text must be a non-blank text alternative, got {image_text!r}"
            raise ValueError(msg)
        kwargs.setdefault("layout", widgets.Layout(display="none"))
        super().__init__(image_text=image_text, **kwargs)


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
