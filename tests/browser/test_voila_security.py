"""What the Voila server of the learner edition gives away over HTTP (no browser needed).

Voila's safe defaults, pinned by ``bpscare serve`` and the learner edition's ``voila.json``:
sources stripped, tracebacks hidden (with tracebacks on, the failing line's source reaches the
page), notebooks not downloadable, the contents API without content.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import nbformat
import pytest

from bpscare.serve import app_url

PROBE = "zz-security-probe"
SECRET = "PROBE_SECRET_ANSWER_KEY"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def failing_app(learner_edition):
    """A notebook whose source holds a secret and whose second cell raises."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_code_cell(f"{SECRET} = 42\nprint('visible output')"),
        nbformat.v4.new_code_cell(f"1 / 0  # {SECRET} in the failing line"),
    ]
    path = learner_edition / "apps" / f"{PROBE}.ipynb"
    nbformat.write(nb, path)
    yield path
    path.unlink()


def test_failing_cell_shows_no_traceback_and_no_source(voila_port, failing_app):
    status, page = _get(app_url(voila_port, PROBE))
    assert status == 200
    assert "visible output" in page  # what the code prints is shown: it must never be a key
    assert "There was an error when executing cell" in page
    assert SECRET not in page
    assert "ZeroDivisionError" not in page
    assert "Traceback" not in page


def test_app_notebook_cannot_be_downloaded(voila_port):
    status, _body = _get(f"http://127.0.0.1:{voila_port}/voila/files/apps/screener.ipynb")
    assert status in (403, 404)


def test_contents_api_returns_no_notebook_content(voila_port):
    status, body = _get(f"http://127.0.0.1:{voila_port}/voila/api/contents/apps/screener.ipynb")
    if status == 200:
        assert json.loads(body)["content"] is None
    else:
        assert status in (403, 404)
    assert "build_screener_app" not in body
