"""A learner's JupyterLab on the hub, driven the way a learner drives it: menus, buttons, keys.

The Assignments panel is nbgrader's lab extension (``@jupyter/nbgrader``); its element ids and
classes are nbgrader's own (``released_assignments_list``, ``.item_status button``, the
``nbgrader-<course>-<assignment>`` ids), as nbgrader's UI tests
(nbgrader/tests/ui-tests/assignment_list.spec.ts) use them. Every wait is on visible state
(a row, a button's text, a prompt number), with generous timeouts for a loaded machine.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

LONG_MS = 180_000  # JupyterLab's first load and a first kernel on a busy 2-core machine
ACTION_MS = 120_000  # an nbgrader action (fetch, submit, fetch feedback) through the server
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def open_assignments(page: Page, base: str) -> None:
    """Open JupyterLab, then Nbgrader > Assignment List from the menu bar."""
    page.goto(f"{base}/lab", timeout=LONG_MS, wait_until="domcontentloaded")
    menu = page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile("^Nbgrader$"))
    menu.wait_for(timeout=LONG_MS)
    menu.click()
    page.locator('#jp-mainmenu-nbgrader li[data-command="nbgrader:open-assignment-list"]').click()
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments")
    expect(tab).to_have_count(1, timeout=LONG_MS)
    for name in ("released", "fetched", "submitted"):
        expect(page.locator(f"#{name}_assignments_list_loading")).to_be_hidden(timeout=LONG_MS)


def show_assignments(page: Page) -> None:
    """Bring the Assignments tab to the front."""
    page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments").click()
    expect(page.locator("#released_assignments_list")).to_be_visible(timeout=LONG_MS)


def row_id(course: str, assignment: str) -> str:
    """nbgrader's element id of an assignment's row (AssignmentList's ``escape_id``)."""
    raw = f"nbgrader-{course}-{assignment}".replace(" ", "_")
    return re.sub(r"[^A-Za-z0-9\-_]", "", raw)


def fetch(page: Page, assignment: str) -> None:
    """Click Fetch on the released assignment; wait until it is listed as fetched."""
    released = page.locator("#released_assignments_list > .list_item", has_text=assignment)
    if released.count() == 0:  # released after the panel loaded: refresh, as a learner would
        page.locator("#refresh_assignments_list").click()
    released.locator(".item_status button", has_text="Fetch").click(timeout=LONG_MS)
    fetched = page.locator("#fetched_assignments_list > .list_item", has_text=assignment)
    expect(fetched).to_have_count(1, timeout=ACTION_MS)


def open_notebook(page: Page, course: str, assignment: str, notebook: str) -> Locator:
    """Expand the fetched assignment, click its notebook; return the notebook panel."""
    rid = row_id(course, assignment)
    page.locator(f"#fetched_assignments_list a[href='#{rid}']").click()
    link = page.locator(f"#{rid} .item_name a", has_text=re.compile(f"^{re.escape(notebook)}$"))
    link.click(timeout=ACTION_MS)
    panel = page.locator(NOTEBOOK)
    expect(panel.locator(".jp-Cell").first).to_be_visible(timeout=LONG_MS)
    # The kernel has started when the status bar says so (Shift+Enter before would be queued
    # behind a kernel that a busy machine may take a minute to start).
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=LONG_MS)
    return panel


def code_cell(panel: Locator, first_line: str) -> Locator:
    """The code cell whose source starts with ``first_line`` (found once, by position, so the
    locator still holds the cell after the learner has typed into that line)."""
    cells = panel.locator(".jp-CodeCell")
    firsts = cells.evaluate_all(
        "(cells) => cells.map((c) => (c.querySelector('.cm-line') || {}).textContent || '')"
    )
    matches = [i for i, text in enumerate(firsts) if text.rstrip() == first_line.rstrip()]
    assert len(matches) == 1, (first_line, firsts)
    return cells.nth(matches[0])


def type_between_quotes(page: Page, cell: Locator, values: dict[str, str]) -> str:
    """Type each value between the empty quotes of its ``name = ""`` line, with the keyboard
    (click into the cell, Home, arrow keys, letters); return the cell's text afterwards."""
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+Home")
    lines = editor.locator(".cm-line")
    for index in range(lines.count()):
        text = lines.nth(index).inner_text()
        match = re.match(r'(\w+) = ""', text)
        if match and match.group(1) in values:
            page.keyboard.press("Home")
            for _ in range(match.end() - 1):  # to just after the opening quote
                page.keyboard.press("ArrowRight")
            page.keyboard.type(values[match.group(1)])
        page.keyboard.press("ArrowDown")
    return "\n".join(lines.nth(i).inner_text() for i in range(lines.count()))


def run_cell_and_next(page: Page, cell: Locator, output_cell: Locator) -> str:
    """Shift+Enter in ``cell`` and in the cell after it (its checks); return the checks' output."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    prompt = output_cell.locator(".jp-InputPrompt")
    expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=LONG_MS)
    # the checks print their lines and end with the part's points: two outputs
    expect(output_cell.locator(".jp-OutputArea-output")).to_have_count(2, timeout=LONG_MS)
    return output_cell.locator(".jp-OutputArea").inner_text()


def markdown_cell(panel: Locator, shown: str) -> Locator:
    """The markdown cell that shows ``shown`` (found once, by position)."""
    cells = panel.locator(".jp-MarkdownCell")
    texts = cells.evaluate_all("(cells) => cells.map((c) => c.textContent || '')")
    matches = [i for i, text in enumerate(texts) if shown in text]
    assert len(matches) == 1, (shown, len(matches))
    return cells.nth(matches[0])


def write_markdown(page: Page, cell: Locator, text: str) -> None:
    """Double-click a markdown cell, replace its text, render it with Shift+Enter."""
    cell.dblclick()
    editor = cell.locator(".cm-content")
    expect(editor).to_be_visible(timeout=LONG_MS)
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-RenderedMarkdown")).to_contain_text(text[:40], timeout=LONG_MS)


def save(page: Page) -> None:
    """Ctrl+S; wait until the notebook's tab is no longer marked unsaved."""
    page.keyboard.press("Escape")  # command mode: Ctrl+S is JupyterLab's, not the editor's
    page.keyboard.press("Control+s")
    dirty = page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current.jp-mod-dirty")
    expect(dirty).to_have_count(0, timeout=ACTION_MS)
    status = page.locator("#jp-main-statusbar")
    expect(status).to_contain_text("Saving completed", timeout=ACTION_MS)


def submissions(page: Page, course: str, assignment: str) -> Locator:
    """The rows of the assignment's submissions in the Submitted list (the first is a header)."""
    return page.locator(f"#{row_id(course, assignment)}-submissions > .list_item")


def submit(page: Page, course: str, assignment: str) -> None:
    """Click Submit on the fetched assignment; wait until one more submission is listed."""
    show_assignments(page)
    rows = submissions(page, course, assignment)
    before = rows.count()
    fetched = page.locator("#fetched_assignments_list > .list_item", has_text=assignment)
    button = fetched.locator(".item_status button", has_text=re.compile("^Submit$"))
    button.click(timeout=ACTION_MS)
    expect(rows).to_have_count(max(before, 1) + 1, timeout=ACTION_MS)


def fetch_feedback(page: Page, assignment: str) -> None:
    """Click Fetch Feedback on the submitted assignment, then its "(view feedback)" link (the
    file browser goes to the feedback folder)."""
    show_assignments(page)
    page.locator("#refresh_assignments_list").click()
    expect(page.locator("#submitted_assignments_list_loading")).to_be_hidden(timeout=LONG_MS)
    submitted = page.locator("#submitted_assignments_list > .list_item", has_text=assignment)
    submitted.locator("button", has_text="Fetch Feedback").click(timeout=ACTION_MS)
    view = page.locator("#submitted_assignments_list a", has_text="(view feedback)").last
    view.click(timeout=ACTION_MS)


def open_feedback_html(page: Page, name: str, heading: str) -> str:
    """Double-click ``name`` in the file browser; wait until JupyterLab's HTML viewer shows
    ``heading``; return the viewer's text."""
    item = page.locator(".jp-DirListing-item", has_text=name)
    item.dblclick(timeout=ACTION_MS)
    frame = page.frame_locator(".jp-HTMLViewer:not(.lm-mod-hidden) iframe")
    body = frame.locator("body")
    expect(body).to_contain_text(heading, timeout=LONG_MS)
    return body.inner_text()


def shot(page: Page, folder: str | None, name: str, *, full_page: bool = False) -> None:
    """A screenshot into ``folder`` (BPSCARE_SCREENSHOTS), when set."""
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=full_page)


def run_all(page: Page) -> None:
    """Run > Run All Cells, from the menu bar."""
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
    page.locator('#jp-mainmenu-run li[data-command="runmenu:run-all"]').click()


def dropdown(panel: Locator, label: str) -> Locator:
    """The ``<select>`` of the ipywidgets Dropdown described ``label``."""
    labelled = panel.page.locator("label", has_text=re.compile(f"^{re.escape(label)}$"))
    return panel.locator(".widget-dropdown", has=labelled).locator("select")


def widget_button(panel: Locator, name: str) -> Locator:
    """An ipywidgets Button by its description."""
    return panel.locator("button.widget-button", has_text=re.compile(f"^\\s*{re.escape(name)}$"))


def rerun(page: Page, cell: Locator, contains: str) -> str:
    """Shift+Enter in a cell that has run before; wait for a new prompt number and output
    holding ``contains``; return the output."""
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    expect(prompt).not_to_have_text(before, timeout=LONG_MS)
    expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=LONG_MS)
    output = cell.locator(".jp-OutputArea")
    expect(output).to_contain_text(contains, timeout=LONG_MS)
    return output.inner_text()
