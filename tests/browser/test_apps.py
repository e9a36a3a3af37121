"""Every Voila app in a real browser: it loads, a control works, feedback changes, nothing leaks.

For each app of the learner edition (served by Voila with its safe defaults): the page renders
the app, a control is used the way a learner would (click, select, fill), the text of the
feedback live regions changes, the page holds no source code, solution marker, hidden check or
traceback, the console shows no widget error, and axe-core finds no critical or serious
accessibility violation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from practice_twins import PRACTICE_TWINS, answer_first_item

from bpscare.apps import APPS
from bpscare.authoring.leakguard import MARKERS
from bpscare.serve import app_url

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 120_000
FEEDBACK = "[role=status], [role=alert]"
SERIOUS = {"critical", "serious"}


def _feedback_text(page: Page) -> str:
    return "\n".join(page.locator(FEEDBACK).all_inner_texts())


def _click(page: Page, name: str) -> None:
    """Click the button whose visible text is ``name`` (an icon glyph may precede it)."""
    label = re.compile(rf"^\W*{re.escape(name)}\s*$")
    page.get_by_role("button", name=label).first.click()


def _use_screener(page: Page) -> None:
    _click(page, "Several days")


def _use_virtual_patient(page: Page) -> None:
    page.get_by_label("Question").select_option(index=0)
    _click(page, "Ask")


def _use_formulation_grid(page: Page) -> None:
    page.get_by_label("Finding", exact=True).select_option(index=1)
    _click(page, "Place")
    _click(page, "Check my grid")


def _use_transcript_annotator(page: Page) -> None:
    page.get_by_label("Code 1", exact=True).select_option(index=1)
    _click(page, "Check my coding")


def _use_care_plan_builder(page: Page) -> None:
    page.get_by_label("What matters most to the person").fill("Getting back to work on time")
    _click(page, "Check plan")


def _use_communication_tools(page: Page) -> None:
    page.get_by_label("Question:", exact=True).select_option(index=1)
    _click(page, "Add this question")


def _use_interruption_timeline(page: Page) -> None:
    page.get_by_label("Clinician's opening question").select_option(index=1)


def _use_disparity_explorer(page: Page) -> None:
    _click(page, "Risk ratio")


def _use_trust_simulator(page: Page) -> None:
    page.get_by_label("One-visit event:").select_option(index=1)


def _use_registry_dashboard(page: Page) -> None:
    _click(page, "GAD-7 (anxiety)")


def _use_language_check(page: Page) -> None:
    page.get_by_label("Your note").fill("She says the pain started at work; no alcohol use.")
    _click(page, "Check wording")


INTERACTIONS: dict[str, Callable[[Page], None]] = {
    "screener": _use_screener,
    "virtual-patient": _use_virtual_patient,
    "formulation-grid": _use_formulation_grid,
    "transcript-annotator": _use_transcript_annotator,
    "care-plan-builder": _use_care_plan_builder,
    "communication-tools": _use_communication_tools,
    "interruption-timeline": _use_interruption_timeline,
    "disparity-explorer": _use_disparity_explorer,
    "trust-simulator": _use_trust_simulator,
    "registry-dashboard": _use_registry_dashboard,
    "language-check": _use_language_check,
}


def _open_app(chromium, port: int, name: str) -> tuple[Page, list[str]]:
    page = chromium.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.goto(app_url(port, name), timeout=LOAD_TIMEOUT_MS)
    page.locator(".bpscare-app").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    return page, problems


def _axe_violations(page: Page, axe_js: str) -> list[str]:
    page.add_script_tag(content=axe_js)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("name", [info.name for info in APPS])
def test_app_in_browser(name, chromium, voila_port, axe_js, secret_fragments):
    page, problems = _open_app(chromium, voila_port, name)
    try:
        info = next(i for i in APPS if i.name == name)
        expect(page.get_by_role("heading", level=1, name=info.title)).to_be_visible()
        expect(page.get_by_text("Practice mode: the feedback")).to_be_visible()
        before = _feedback_text(page)
        INTERACTIONS[name](page)
        expect(page.locator(".bpscare-app")).not_to_have_text("")  # still rendered
        _wait_for_new_feedback(page, before)
        assert _feedback_text(page) != before
        _assert_safe_and_accessible(page, axe_js, secret_fragments, problems)
    finally:
        page.close()


def _wait_for_new_feedback(page: Page, before: str) -> None:
    page.wait_for_function(
        """([selector, before]) => Array.from(document.querySelectorAll(selector))
             .map(e => e.innerText).join('\\n') !== before""",
        arg=[FEEDBACK, before],
        timeout=30_000,
    )


def _assert_safe_and_accessible(
    page: Page, axe_js: str, secret_fragments: list[str], problems: list[str]
) -> None:
    """No error, source, hidden check or solution on the page; axe and the console are clean."""
    source = page.content()
    assert "There was an error when executing cell" not in source
    assert "Traceback" not in source
    assert "from bpscare.api import" not in source  # sources are stripped
    for marker in MARKERS:
        assert marker not in source
    assert [f for f in secret_fragments if f in source] == []

    assert _axe_violations(page, axe_js) == []
    assert problems == []


@pytest.mark.parametrize("name", PRACTICE_TWINS)
def test_practice_app_in_browser(name, chromium, voila_port, axe_js, secret_fragments):
    """A practice twin: answer the first item, press Check, feedback appears; axe is clean."""
    page, problems = _open_app(chromium, voila_port, name)
    try:
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        before = _feedback_text(page)
        answer_first_item(page)
        _wait_for_new_feedback(page, before)
        assert _feedback_text(page).strip() != before.strip()
        _assert_safe_and_accessible(page, axe_js, secret_fragments, problems)
    finally:
        page.close()
