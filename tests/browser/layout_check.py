"""A layout check run inside the page: overlapping controls, cut texts, collapsed text rows.

``layout_problems(page, selector)`` evaluates :data:`LAYOUT_JS` on every element matching
``selector`` and returns one readable line per defect:

- **overlap**: two visible controls (buttons, selects, inputs, text areas, slider handles and
  read-outs, tabs) whose boxes intersect by more than 2 px both ways, neither inside the other;
- **truncated**: a visible label, button, tab title or list box whose text is wider than its box
  (``scrollWidth > clientWidth``): the learner sees "Prepare my su…";
- **collapsed**: a visible text row (HTML widget, label, paragraph, list item, table cell,
  utterance) shorter than one line of its own text;
- **squeezed**: a slider track under 100 px or a text or number box under 48 px wide (a long
  description squeezed it: its value is invisible or it cannot be dragged);
- **off-screen**: a visible control reaching past the right edge of the window (a phone
  learner cannot scroll a Voila page sideways to it).
"""

from __future__ import annotations

from playwright.sync_api import Page

LAYOUT_JS = r"""
(roots) => {
  const problems = [];
  const viewportWidth = document.documentElement.clientWidth;
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const cs = getComputedStyle(node);
      if (cs.display === 'none' || cs.visibility === 'hidden' || node.hidden) return false;
      if (cs.opacity === '0') return false;
    }
    return true;
  };
  const describe = (el) => {
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || '')
      .trim().replace(/\s+/g, ' ').slice(0, 50);
    const cls = (el.className && typeof el.className === 'string')
      ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : '';
    return `${el.tagName.toLowerCase()}${cls} "${text}"`;
  };
  const lineHeight = (el) => {
    const cs = getComputedStyle(el);
    const lh = parseFloat(cs.lineHeight);
    return Number.isFinite(lh) ? lh : parseFloat(cs.fontSize) * 1.2;
  };
  const ownText = (el) => Array.from(el.childNodes)
    .some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());

  for (const root of roots) {
    const controls = Array.from(root.querySelectorAll(
      'button, select, input:not([type=hidden]), textarea, [role=slider], .widget-readout, '
      + '.lm-TabBar-tab'
    )).filter(shown);
    const boxes = controls.map((el) => el.getBoundingClientRect());
    for (let i = 0; i < controls.length; i++) {
      const a = boxes[i];
      if (a.right > viewportWidth + 1) {
        problems.push(`off-screen: ${describe(controls[i])} ends at ${Math.round(a.right)} px `
          + `in a ${viewportWidth} px window`);
      }
      for (let j = i + 1; j < controls.length; j++) {
        const x = controls[i], y = controls[j];
        if (x.contains(y) || y.contains(x)) continue;
        const b = boxes[j];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 2 && h > 2) {
          problems.push(`overlap: ${describe(x)} and ${describe(y)} (${Math.round(w)}x`
            + `${Math.round(h)} px)`);
        }
      }
    }
    const tracks = root.querySelectorAll('.widget-hslider .slider-container, '
      + '.widget-inline-hbox > input, .widget-inline-hbox > textarea');
    for (const el of tracks) {
      if (!shown(el)) continue;
      const min = el.classList.contains('slider-container') ? 100 : 48;
      const width = el.getBoundingClientRect().width;
      if (width < min) {
        problems.push(`squeezed: ${describe(el.closest('.widget-inline-hbox') || el)} `
          + `control is ${Math.round(width)} px wide (needs ${min} px)`);
      }
    }
    const labelled = root.querySelectorAll(
      '.widget-label, .widget-label-basic, label, button, .jupyter-button, '
      + '.lm-TabBar-tabLabel, select[multiple], select[size]'
    );
    for (const el of labelled) {
      if (!shown(el)) continue;
      if (el.tagName === 'SELECT' && !(el.multiple || el.size > 1)) continue;
      if (el.scrollWidth > el.clientWidth + 1) {
        problems.push(`truncated: ${describe(el)} needs ${el.scrollWidth} px, has `
          + `${el.clientWidth} px`);
      }
    }
    const rows = root.querySelectorAll(
      '.widget-html, .widget-label, p, li, td, th, label, .bpscare-coding-text'
    );
    for (const el of rows) {
      if (!shown(el)) continue;
      const text = (el.innerText || '').trim();
      if (!text) continue;
      if (!ownText(el) && !el.classList.contains('widget-html')) continue;
      if (getComputedStyle(el).display === 'inline') continue;  // no box of its own
      const height = el.getBoundingClientRect().height;
      if (height < lineHeight(el) - 1) {
        problems.push(`collapsed: ${describe(el)} is ${Math.round(height)} px tall, its text `
          + `needs ${Math.round(lineHeight(el))} px`);
      }
    }
  }
  return Array.from(new Set(problems));
}
"""


def layout_problems(page: Page, selector: str) -> list[str]:
    """Every layout defect inside the elements matching ``selector`` (see the module doc)."""
    return page.locator(selector).evaluate_all(LAYOUT_JS)
