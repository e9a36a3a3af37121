"""Page support for every bpscare widget: accessible names, layout that holds, kernels that end.

One invisible anywidget, :class:`AccessibilityPatch`, travels with every bpscare view (as its
last child) and with every Voila app, so the same repairs apply in Voila, in JupyterLab lessons
and in assignments:

- **Names** (WCAG 2.1 SC 4.1.2 and 1.1.1, found by axe-core with ipywidgets 8.1.9): a slider's
  handle (``role="slider"``) gets no accessible name from the stock front end, and an ``Image``
  widget renders ``<img>`` without ``alt``. The patch copies each slider's visible label into
  its handle's ``aria-label`` and gives every image without ``alt`` its ``image_text``. (Setting
  an Image's ``tooltip`` is no way out: ipywidgets 8.1.9 then fails to create the view.)
- **Layout** (:data:`WIDGET_CSS`, injected once per page by anywidget): the stock controls cut
  labels and button texts with an ellipsis, and squeeze a slider or number box to a few pixels
  when its description is long. Inside ``.bpscare-app`` and ``.bpscare-widget`` labels and
  buttons wrap instead, a control keeps a usable minimum width and moves below its label when
  the row is too narrow, tab titles are shown in full, a radio option's text wraps under its
  own row (the stock fixed row height made wrapped options overlap on a phone), wrapped HTML
  text gets a text line height, and an answer list (``.bpscare-choices``) dropdown is as wide
  as its row allows, so the chosen option can be read.
- **Kernel shutdown** (Voila 0.5.13): on ``beforeunload`` Voila's page posts
  ``/voila/api/shutdown/<kernel>`` with the ``_xsrf`` cookie's value, but the render page never
  sets that cookie, so the server answers ``403 '_xsrf' argument missing`` and every closed or
  reloaded app leaves its kernel running. When the page is a Voila page (its page config names
  a kernel) and no ``_xsrf`` cookie is visible, the patch sets one with a random value for the
  server's base URL. Tornado's check is a double-submit comparison of that cookie with the
  posted value, which another site can neither read nor set, so the protection stays intact.
"""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

__all__ = [
    "DEFAULT_IMAGE_TEXT",
    "FEEDBACK_CSS",
    "WIDGET_CSS",
    "AccessibilityPatch",
    "page_support",
    "walk_widgets",
]

DEFAULT_IMAGE_TEXT = "Chart of the results on this page; the text beside it states what it shows."

_SCOPE = ":is(.bpscare-app, .bpscare-widget)"

WIDGET_CSS = f"""
{_SCOPE} .widget-label, {_SCOPE} .widget-label-basic, {_SCOPE} .widget-inline-hbox > label {{
  white-space: normal; overflow: visible; text-overflow: clip; height: auto;
  min-height: var(--jp-widgets-inline-height, 28px); line-height: 1.35;
  overflow-wrap: break-word; max-width: 100%;
}}
{_SCOPE} .widget-inline-hbox {{ flex-wrap: wrap; height: auto; row-gap: 2px; max-width: 100%; }}
{_SCOPE} .widget-inline-hbox > .widget-label {{ flex: 0 1 auto; }}
{_SCOPE} .widget-hslider .slider-container {{ min-width: 10rem; flex: 1 1 10rem; }}
{_SCOPE} .widget-hslider {{ max-width: 100%; }}
{_SCOPE} .widget-inline-hbox > input, {_SCOPE} .widget-inline-hbox > select,
{_SCOPE} .widget-inline-hbox > textarea {{ min-width: 5.5rem; flex: 1 1 10rem; max-width: 100%; }}
{_SCOPE} .widget-inline-hbox.widget-select-multiple > select,
{_SCOPE} .widget-inline-hbox.widget-select > select {{ min-width: 12rem; }}
{_SCOPE} select[multiple] option, {_SCOPE} select[size] option {{
  white-space: normal; overflow-wrap: break-word; padding: 2px 0;
  border-bottom: 1px solid var(--jp-border-color3, #eee);
}}
{_SCOPE} .jupyter-button {{
  width: auto; max-width: 100%; height: auto; min-height: var(--jp-widgets-inline-height, 28px);
  white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.3;
  padding-top: 3px; padding-bottom: 3px; flex: 0 1 auto;
}}
{_SCOPE} .widget-toggle-buttons {{ flex-wrap: wrap; height: auto; }}
{_SCOPE} .widget-toggle-buttons .widget-toggle-button {{ width: auto; }}
{_SCOPE} .widget-hbox {{ flex-wrap: wrap; gap: 4px; max-width: 100%; }}
{_SCOPE} .widget-checkbox {{ width: auto; }}
{_SCOPE} .widget-checkbox > label {{ white-space: normal; height: auto; line-height: 1.35; }}
{_SCOPE} .widget-tab > .lm-TabBar, {_SCOPE} .widget-tab > .lm-TabBar .lm-TabBar-content {{
  height: auto; min-height: var(--jp-widgets-horizontal-tab-height, 24px); flex-wrap: wrap;
}}
{_SCOPE} .widget-tab > .lm-TabBar .lm-TabBar-tab {{
  flex: 0 0 auto; max-width: 100%; min-width: 0; height: auto; line-height: 1.35;
  padding-top: 3px; padding-bottom: 3px;
}}
{_SCOPE} .widget-tab > .lm-TabBar .lm-TabBar-tabLabel {{
  white-space: normal; overflow: visible; text-overflow: clip;
}}
{_SCOPE} .widget-html-content, {_SCOPE} .widget-htmlmath-content {{
  white-space: normal; overflow-wrap: break-word; max-width: 100%;
}}
{_SCOPE} .widget-html, {_SCOPE} .widget-htmlmath {{ height: auto; max-width: 100%; }}
{_SCOPE} .widget-html-content :is(p, li, h1, h2, h3, h4, dd, dt, td, th) {{ line-height: 1.4; }}
{_SCOPE} .widget-radio-box {{ height: auto; max-width: 100%; }}
{_SCOPE} .widget-radio-box label {{
  height: auto; line-height: 1.35; white-space: normal; overflow: visible; text-overflow: clip;
  overflow-wrap: break-word; display: flex; align-items: flex-start; padding: 2px 0;
}}
{_SCOPE} .widget-radio-box label input {{
  height: auto; flex: none; order: -1; margin: 3px 8px 0 1px;
}}
{_SCOPE} .widget-dropdown.bpscare-choices {{ width: 100%; }}
{_SCOPE} .widget-dropdown.bpscare-choices > select {{ flex: 1 1 18rem; }}
{_SCOPE} .jupyter-widget-Collapse-header {{ height: auto; white-space: normal; }}
{_SCOPE} pre {{ white-space: pre-wrap; overflow-wrap: break-word; }}
{_SCOPE} table {{ max-width: 100%; }}
{_SCOPE} img {{ max-width: 100%; height: auto; }}
"""
"""Layout repairs for the stock ipywidgets controls inside bpscare widgets and apps."""

FEEDBACK_CSS = (
    "pre, code { white-space: pre-wrap; overflow-wrap: break-word; word-break: break-word; }\n"
    "pre { max-width: 100%; overflow-x: auto; }\n"
    "td, th, li, p { overflow-wrap: break-word; }\n"
    "table { max-width: 100%; table-layout: auto; }\n"
    "body { max-width: 100%; overflow-x: hidden; }\n"
)
"""CSS for the feedback HTML pages: long lines wrap inside the page instead of being cut off
on the right (``pre`` keeps its line breaks but wraps a line longer than the page)."""

_PATCH_ESM = """
const roots = new Map();

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

function ensureXsrfCookie() {
  const data = document.getElementById('jupyter-config-data');
  if (!data || /(^|;\\s*)_xsrf=/.test(document.cookie)) return;
  let config = {};
  try { config = JSON.parse(data.textContent || '{}'); } catch (error) { return; }
  if (!config.kernelId) return;  // not a Voila page: JupyterLab sets its own cookie
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const path = config.baseUrl || '/';
  document.cookie = `_xsrf=${token}; path=${path}; SameSite=Strict`;
}

function watch(root, text) {
  let entry = roots.get(root);
  if (!entry) {
    let queued = false;
    const repair = () => {
      queued = false;
      labelSliders(root);
      describeImages(root, entry.text);
    };
    const observer = new MutationObserver(() => {
      if (!queued) { queued = true; requestAnimationFrame(repair); }
    });
    entry = { count: 0, observer, text, repair };
    roots.set(root, entry);
    observer.observe(root, { childList: true, subtree: true });
  }
  entry.count += 1;
  entry.repair();
  return () => {
    entry.count -= 1;
    if (entry.count <= 0) { entry.observer.disconnect(); roots.delete(root); }
  };
}

export default {
  render({ model, el }) {
    el.hidden = true;
    ensureXsrfCookie();
    let stop = null;
    let cancelled = false;
    const start = () => {
      if (cancelled) return;
      if (!el.isConnected) { requestAnimationFrame(start); return; }
      const root = el.closest('.bpscare-app') || el.closest('.jp-Notebook') || document.body;
      stop = watch(root, model.get('image_text'));
    };
    start();
    return () => { cancelled = true; if (stop) stop(); };
  },
};
"""


class AccessibilityPatch(anywidget.AnyWidget):
    """Invisible helper: names sliders and images, fixes control layout, lets kernels end.

    WCAG 2.1 SC 4.1.2 (every control has an accessible name) and SC 1.1.1 (every image has a
    text alternative). Its front-end code repairs the enclosing ``.bpscare-app``, or else the
    enclosing notebook (JupyterLab), and controls added later (a ``MutationObserver``, one per
    page region however many patches sit in it); its stylesheet is :data:`WIDGET_CSS`. It has no
    visible view and syncs only ``image_text``.
    """

    _esm = _PATCH_ESM
    _css = WIDGET_CSS
    image_text = traitlets.Unicode(DEFAULT_IMAGE_TEXT).tag(sync=True)

    def __init__(self, image_text: str = DEFAULT_IMAGE_TEXT, **kwargs: Any) -> None:
        if not image_text.strip():
            msg = f"image_text must be a non-blank text alternative, got {image_text!r}"
            raise ValueError(msg)
        kwargs.setdefault("layout", widgets.Layout(display="none"))
        super().__init__(image_text=image_text, **kwargs)


def page_support(view: widgets.Box, children: list[widgets.Widget]) -> list[widgets.Widget]:
    """Mark ``view`` as a bpscare widget and return ``children`` with the patch appended.

    Every view calls it on its children before ``super().__init__``, so a lesson or an
    assignment in JupyterLab gets the same names and layout repairs as a Voila app.
    """
    view.add_class("bpscare-widget")
    return [*children, AccessibilityPatch()]


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
