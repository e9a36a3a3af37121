"""Helpers for tests that drive JupyterLab: write a notebook, open it, run every cell.

JupyterLab is started with ``expose_app_in_browser`` (see :func:`bpscare.serve.lab_command`), so
the test runs JupyterLab's own ``notebook:run-all-cells`` command, as a learner's "Run All" does.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import nbformat
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

LOAD_TIMEOUT_MS = 180_000


def write_notebook(path: Path, sources: list[str]) -> Path:
    """Write a notebook of code cells (``sources``) for the python3 kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _poll(page: Page, script: str, arg: object = None, timeout_s: float = 180.0) -> None:
    """Evaluate ``script`` every 0.25 s until it is truthy (Python-side, so a busy page that
    delays its own timers cannot stall the wait)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script, arg):
        if time.monotonic() > deadline:
            msg = f"timed out after {timeout_s:.0f} s waiting for: {script.strip()[:120]}"
            raise TimeoutError(msg)
        page.wait_for_timeout(250)


def open_and_run(page: Page, url: str, *, roots: str, count: int) -> None:
    """Open the notebook at ``url`` in JupyterLab, run all cells, wait for ``count`` roots.

    ``roots`` is a CSS selector of the widget roots the cells display (e.g.
    ``.bpscare-widget``); the wait ends when that many outermost ones are in the outputs.
    """
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    page.locator(".jp-Notebook:visible").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    _poll(page, "() => !!(window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell'))")
    # The kernel must be ready before Run All, or the command queues nothing.
    _poll(
        page,
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   const k = w && w.sessionContext && w.sessionContext.session
                     && w.sessionContext.session.kernel;
                   return !!k && k.status === 'idle' && k.connectionStatus === 'connected'; }""",
    )
    # Not awaited: the command's promise settles only when every cell has run.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    _poll(
        page,
        """([selector, count]) => Array.from(document.querySelectorAll(
             `.jp-OutputArea-output :is(${selector})`))
             .filter((el) => !el.parentElement.closest(selector)).length >= count""",
        [roots, count],
    )
    # Side panels closed, as a learner on a phone has them: the notebook gets the width.
    page.evaluate(
        "() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }"
    )
    page.wait_for_timeout(1500)  # the last widgets finish their first layout


def top_roots(page: Page, selector: str) -> int:
    """Mark each outermost element matching ``selector`` with ``data-layout-root``; count them."""
    return page.evaluate(
        """(selector) => {
          let n = 0;
          for (const el of document.querySelectorAll(selector)) {
            if (el.parentElement && el.parentElement.closest(selector)) continue;
            el.setAttribute('data-layout-root', String(n++));
          }
          return n;
        }""",
        selector,
    )


def run_each_cell(page: Page, url: str, *, timeout_s: float = 300.0) -> int:
    """Open the notebook at ``url`` in JupyterLab and run its code cells one at a time.

    A learner working through a released assignment runs each cell in turn; an exercise cell
    that still raises ``NotImplementedError`` does not stop the cells after it (as it would
    stop a Run All). Returns the number of code cells run.
    """
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    page.locator(".jp-Notebook:visible").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    _poll(page, "() => !!(window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell'))")
    idle = """() => { const w = window.jupyterapp.shell.currentWidget;
                     const k = w && w.sessionContext && w.sessionContext.session
                       && w.sessionContext.session.kernel;
                     return !!k && k.status === 'idle' && k.connectionStatus === 'connected'; }"""
    _poll(page, idle)
    codes: list[int] = page.evaluate(
        """() => window.jupyterapp.shell.currentWidget.content.widgets
             .map((cell, i) => cell.model.type === 'code' ? i : -1).filter((i) => i >= 0)"""
    )
    for index in codes:
        page.evaluate(
            """(i) => { const nb = window.jupyterapp.shell.currentWidget.content;
                        nb.activeCellIndex = i; nb.deselectAll();
                        window.jupyterapp.commands.execute('notebook:run-cell'); }""",
            index,
        )
        _poll(
            page,
            """(i) => { const w = window.jupyterapp.shell.currentWidget;
                        const k = w.sessionContext.session.kernel;
                        return w.content.widgets[i].model.executionCount !== null
                          && k.status === 'idle'; }""",
            index,
            timeout_s,
        )
    page.evaluate(
        "() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }"
    )
    page.wait_for_timeout(2000)  # the last widgets finish their first layout
    return len(codes)


def shutdown_kernel(page: Page) -> None:
    """Shut down the kernel of the current notebook, if any (so tests leave no kernel behind)."""
    with contextlib.suppress(PlaywrightError):  # a page that never loaded started no kernel
        page.evaluate(
            """async () => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                             if (w && w.sessionContext) await w.sessionContext.shutdown(); }"""
        )
