"""The practice twins (``course/apps/practice-*.py``) and how a learner answers one item.

Each twin is one Voila app of the learner edition, ``apps/<name>.ipynb``, built by
:func:`bpscare.api.build_practice_app` from ``apps/practice/<assignment>.yaml``.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
#: The practice twins: one app per assignment, each reading ``apps/practice/<a>.yaml``.
PRACTICE_TWINS = sorted(p.stem for p in (REPO / "course" / "apps").glob("practice-*.py"))

_CONTROLS = "input[type=radio], input[type=checkbox], select"


def answer_first_item(page: Page, root: str = ".bpscare-app") -> None:
    """Answer the first item as a learner does (pick an option), then press its Check button.

    The first control of the page belongs to the first item (an item shows its stem, its
    controls, then its Check button), and so does the first Check button.
    """
    control = page.locator(f"{root} :is({_CONTROLS})").first
    kind = control.evaluate("(el) => el.tagName === 'SELECT' ? 'select' : el.type")
    if kind == "select":
        control.select_option(index=1)
    else:
        control.check()
    page.locator(f"{root} button", has_text="Check").first.click()
