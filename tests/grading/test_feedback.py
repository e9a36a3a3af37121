"""Feedback: learner-safe on every path, one learner never blocks another, same HTML as nbgrader.

The course's ``nbgrader_config.py`` (written by ``bpscare build``) registers
``LearnerSafeFeedback`` for GenerateFeedback, so nbgrader's own API (what formgrader's Generate
Feedback button calls) is safe too; ``bpscare feedback`` renders the same HTML in-process.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import nbformat
import pytest

from bpscare.authoring import simulated_submissions
from bpscare.errors import BpscareError
from bpscare.grading import autograde
from bpscare.grading.feedback import FILTER, LearnerSafeFeedback, generate_feedback

pytestmark = pytest.mark.e2e

A = "t01-tiny"
NB = f"{A}.ipynb"
HIDDEN_LINE = "double(21) should be 42 (hidden check wording)"  # the message: learners see it
HIDDEN_CODE = "lambda: double(21)"  # the code of the hidden check: learners never see it
SECRETS = ("LEAK-CANARY", HIDDEN_CODE, "distinctive rubric", "BEGIN HIDDEN TESTS")
LEARNERS = {
    "l-right": None,  # the solution
    "l-wrong": "def double(x):\n    return x * 3\n",
    "l-raises": "def double(x):\n    raise ValueError('not yet')\n",
    # a learner's own text with the hidden-tests marker and no end (issue 18, item 12)
    "l-marker": "### BEGIN HIDDEN TESTS\ndef double(x):\n    return 2 * x\n",
}


def _submit(course: Path, learner: str, answer: str | None) -> None:
    release = nbformat.read(str(course / "release" / A / NB), as_version=4)
    source = nbformat.read(str(course / "source" / A / NB), as_version=4)
    ids = simulated_submissions.answer_cells(release)
    chosen = dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER if answer is None else answer)
    nb = simulated_submissions.fill_release(release, source, chosen, reflection="My reflection.")
    when = dt.datetime(2029, 12, 31, tzinfo=dt.UTC)
    simulated_submissions.write_submission(course, learner, A, {NB: nb}, when)


@pytest.fixture(scope="module")
def graded(built_tiny, tmp_path_factory) -> Path:
    """The tiny course, four learners autograded by the engine (kept pristine: copy it)."""
    course = tmp_path_factory.mktemp("feedback") / "course"
    shutil.copytree(Path(built_tiny.out) / "course", course)
    for learner, answer in LEARNERS.items():
        _submit(course, learner, answer)
    run = autograde(course, A, workers=2)
    assert not run.failed, run.summary()
    return course


@pytest.fixture
def course(graded, tmp_path) -> Path:
    return Path(shutil.copytree(graded, tmp_path / "course"))


def _pages(course: Path) -> dict[str, str]:
    return {
        p.parent.parent.name: p.read_text()
        for p in sorted((course / "feedback").glob(f"*/{A}/{NB[:-6]}.html"))
    }


def _visible_text(html: str) -> str:
    """The text a learner reads: styles, scripts and tags removed, entities decoded.

    Tags go without a space, so highlighted code (one ``<span>`` per token) reads as written.
    """
    html = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"<[^>]+>", "", html))


def _nbgrader_api(course: Path, monkeypatch):
    """``NbGraderAPI`` with the config loaded as formgrader loads it (cwd nbgrader_config.py)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.apps.baseapp import NbGrader

    monkeypatch.chdir(course)
    app = NbGrader()
    app.load_cwd_config = True
    app.load_config_file()
    return NbGraderAPI(config=app.config)


def test_built_course_config_registers_the_filter(graded):
    text = (graded / "nbgrader_config.py").read_text()
    assert FILTER in text
    assert (
        f'"{FILTER}"'
        in Path(__file__).resolve().parents[2].joinpath("course", "nbgrader_config.py").read_text()
    )


def test_nbgrader_api_feedback_is_learner_safe(course, monkeypatch):
    """formgrader's Generate Feedback path: no hidden test, mark scheme or traceback line."""
    api = _nbgrader_api(course, monkeypatch)
    result = api.generate_feedback(A, force=True)
    assert result["success"], result.get("log")
    pages = _pages(course)
    assert set(pages) == set(LEARNERS)  # l-marker blocks nobody
    for learner, html in pages.items():
        for secret in SECRETS[:3]:
            assert secret not in _visible_text(html), (learner, secret)
            assert secret not in html, (learner, secret)
        assert "Traceback (most recent call last)" not in html, learner
        assert "-----------------------------------------" not in html, learner
    assert HIDDEN_LINE in _visible_text(pages["l-wrong"])  # the message still explains
    # the learner's own text is shown as written, marker included
    assert "BEGIN HIDDEN TESTS" in pages["l-marker"]
    assert "ValueError" in _visible_text(pages["l-raises"])


def test_without_the_filter_nbgrader_leaks(course, monkeypatch):
    """The check above can fail: nbgrader's default preprocessors show the hidden check."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    api = _nbgrader_api(course, monkeypatch)
    api.config.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor]
    api = type(api)(config=api.config)
    result = api.generate_feedback(A, "l-wrong", force=True)
    assert result["success"], result.get("log")
    assert HIDDEN_CODE in _visible_text(_pages(course)["l-wrong"])


def test_nbgrader_cli_feedback_is_learner_safe(course):
    """``nbgrader generate_feedback`` run in the course folder reads the same config."""
    nbgrader = Path(sys.executable).parent / "nbgrader"
    done = subprocess.run(
        [str(nbgrader), "generate_feedback", A, "--force", "--log-level=ERROR"],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for learner, html in _pages(course).items():
        text = _visible_text(html)
        assert HIDDEN_CODE not in text, learner
        assert "LEAK-CANARY" not in text, learner


def test_bpscare_feedback_identical_to_nbgrader(graded, tmp_path, monkeypatch):
    """Same course, same submissions: byte-identical HTML, same files, nbgrader's layout."""
    ours = Path(shutil.copytree(graded, tmp_path / "ours"))
    theirs = Path(shutil.copytree(graded, tmp_path / "theirs"))
    run = generate_feedback(ours, A, workers=2)
    assert not run.failed, run.summary()
    assert len(run.results) == len(LEARNERS)
    reference = generate_feedback(theirs, A, engine="nbgrader")
    assert not reference.failed, reference.summary()
    for learner in LEARNERS:
        mine = ours / "feedback" / learner / A
        nbg = theirs / "feedback" / learner / A
        assert sorted(p.name for p in mine.iterdir()) == sorted(p.name for p in nbg.iterdir())
        for path in nbg.iterdir():
            assert (mine / path.name).read_bytes() == path.read_bytes(), (learner, path.name)
            assert oct((mine / path.name).stat().st_mode & 0o777) == oct(
                path.stat().st_mode & 0o777
            )
    for html in _pages(ours).values():
        assert not any(secret in _visible_text(html) for secret in SECRETS[:3])


def _forced_through_nbgrader(course: Path) -> None:
    """A setting the fast path does not handle itself: nbgrader's classes render this course."""
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.LearnerSafeFeedback.enabled = True\n")


def test_fast_path_and_nbgrader_classes_write_the_same_bytes(graded, tmp_path, monkeypatch):
    """The built course config takes the fast path (no nbgrader import); any other setting
    goes through nbgrader's classes; both write the same files, failures included."""
    from bpscare.grading import feedback_fast

    plans: list[object] = []
    plan = feedback_fast.plan
    monkeypatch.setattr(feedback_fast, "plan", lambda *a: plans.append(plan(*a)) or plans[-1])
    fast = Path(shutil.copytree(graded, tmp_path / "fast"))
    slow = Path(shutil.copytree(graded, tmp_path / "slow"))
    _forced_through_nbgrader(slow)
    for course in (fast, slow):  # a learner with a folder but no gradebook row fails alike
        shutil.copytree(course / "autograded" / "l-wrong", course / "autograded" / "l-ghost")
        # and so does a notebook that is JSON but not a valid notebook
        path = course / "autograded" / "l-raises" / A / NB
        nb = json.loads(path.read_text())
        next(c for c in nb["cells"] if c["cell_type"] == "code")["execution_count"] = "one"
        path.write_text(json.dumps(nb))
    runs = [generate_feedback(course, A, workers=2) for course in (fast, slow)]
    assert plans[0] is not None
    assert plans[1] is None
    assert [(r.student, r.error) for r in runs[0].results] == [
        (r.student, r.error) for r in runs[1].results
    ]
    failed = {r.student: str(r.error) for r in runs[0].failed}
    assert sorted(failed) == ["l-ghost", "l-raises"]
    assert failed["l-ghost"].startswith("MissingEntry: No such submitted notebook")
    assert failed["l-raises"].startswith("NotebookValidationError:")
    for learner in set(LEARNERS) - {"l-raises"}:
        mine, theirs = fast / "feedback" / learner / A, slow / "feedback" / learner / A
        assert sorted(p.name for p in mine.iterdir()) == sorted(p.name for p in theirs.iterdir())
        for path in theirs.iterdir():
            assert (mine / path.name).read_bytes() == path.read_bytes(), (learner, path.name)


def test_fast_path_imports_neither_nbgrader_nor_sqlalchemy(graded, tmp_path):
    """``bpscare feedback`` on the built course: the start-up cost is what it renders with."""
    course = Path(shutil.copytree(graded, tmp_path / "course"))
    code = (
        "import sys\n"
        "from bpscare.cli import main\n"
        f"status = main(['feedback', {A!r}, '--course', {str(course)!r}, '--workers', '1'])\n"
        "heavy = [m for m in ('sqlalchemy', 'setuptools', 'nbgrader.api', 'nbgrader.utils')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "HEAVY []" in done.stdout, done.stdout
    assert set(_pages(course)) == set(LEARNERS)


def test_one_failing_learner_is_recorded_and_the_others_written(course, capsys):
    """A broken autograded notebook: that learner fails with a reason, the rest get feedback."""
    (course / "autograded" / "l-wrong" / A / NB).write_text("{not json")
    run = generate_feedback(course, A, workers=2)
    assert [r.student for r in run.failed] == ["l-wrong"]
    assert run.failed[0].error
    assert set(_pages(course)) == set(LEARNERS) - {"l-wrong"}
    assert "1 failed" in run.summary()
    from bpscare.cli import main

    assert main(["feedback", A, "--course", str(course), "--workers", "1"]) == 1
    assert "3 of 4 learner(s)" in capsys.readouterr().out


def test_unknown_learner_or_assignment_writes_nothing(course):
    with pytest.raises(BpscareError, match="no autograded submission"):
        generate_feedback(course, A, ["nobody"])
    with pytest.raises(BpscareError, match="unknown assignment"):
        generate_feedback(course, "t99-missing")
    assert not (course / "feedback").exists()


def test_filter_strips_only_gradebook_cells():
    """Unit: a learner cell keeps its text; an unbalanced gradebook cell loses its source."""
    learner = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nx = 1")
    learner.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "a"}
    tests = nbformat.v4.new_code_cell(
        "ok()\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS"
    )
    tests.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 1}
    broken = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nsecret2()")
    broken.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 1}
    tests.outputs = [
        nbformat.v4.new_output("error", ename="AssertionError", evalue="no", traceback=["secret()"])
    ]
    nb = nbformat.v4.new_notebook(cells=[learner, tests, broken])
    nb, _ = LearnerSafeFeedback().preprocess(nb, {})
    assert nb.cells[0].source == "### BEGIN HIDDEN TESTS\nx = 1"
    assert "secret" not in nb.cells[1].source
    assert "ok()" in nb.cells[1].source
    assert nb.cells[1].outputs[0].traceback == ["AssertionError: no"]
    assert "secret2" not in nb.cells[2].source


def test_nbgrader_without_bpscare_importable_writes_nothing(course, monkeypatch):
    """Fails closed: if nbgrader cannot import the filter, it writes no feedback at all."""
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text().replace(FILTER, "bpscare.grading.not_here.Filter"))
    api = _nbgrader_api(course, monkeypatch)
    result = api.generate_feedback(A, force=True)
    assert not result["success"]
    assert not list((course / "feedback").rglob("*.html"))


def test_bpscare_feedback_with_an_unimportable_filter_stops_cleanly(course):
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text().replace(FILTER, "bpscare.grading.not_here.Filter"))
    with pytest.raises(BpscareError, match=r"cannot import 'bpscare\.grading\.not_here\.Filter'"):
        generate_feedback(course, A)
    assert not list((course / "feedback").rglob("*.html"))


def test_a_cell_nobody_has_graded_says_awaiting_grading(graded, tmp_path, monkeypatch):
    """Is an ungraded reflection 'awaiting grading' (not 0.0 / 1.0) on every feedback path?"""
    ours = Path(shutil.copytree(graded, tmp_path / "ours"))
    theirs = Path(shutil.copytree(graded, tmp_path / "theirs"))
    assert not generate_feedback(ours, A, workers=1).failed
    api = _nbgrader_api(theirs, monkeypatch)
    assert api.generate_feedback(A, "l-right", force=True)["success"]
    for course in (ours, theirs):
        text = _visible_text((course / "feedback" / "l-right" / A / f"{NB[:-6]}.html").read_text())
        assert "Awaiting grading (1.0 points)" in text
        assert "1.0 points awaiting grading, not counted as 0" in text
        assert "Task (Score: 0.0 / 1.0)" not in text


# --- the faster printing of a page: the same text BeautifulSoup prints for the whole page ----

PIECES = [
    '<div class="highlight"><pre><span></span><span class="n">x</span>  =  1\n\n</pre></div>',
    "<p>a &amp; b &lt;c&gt; &nbsp;&#39;<br>d<br/>e</p>\n<p>  </p>\n<hr>",
    '<p class="a  b" id=x title="q&quot;">y</p><table><tr><td>1</td></tr></table>',
    "<ul>\n  <li>one</li>\n\n  <li><em>two</em></li>\n</ul>",
    "<p>x<!-- a comment --></p>",
    "<b>left open",  # unbalanced: stays in the page
    "</i>stray<i>x</i>",  # closes what it did not open
    "<p>x</p> text after",  # its text would join the page's
    "<p>a<br></br>b</p>",  # an empty element's end tag
    '<p><img src="a.png"></p>',  # what the exporter's selectors change
    "<p>x</p><!-- left open",
    "<p>x</p><script>var a = '<p>'",
    "<div><pre>  \n  </pre><textarea>\n </textarea></div>",
    "<P CLASS=Up>Upper</P>",
]
CONTEXTS = [
    "<div>{}</div>",
    "<pre>  {}  </pre>",
    "<textarea>{}</textarea>",
    "text  {}  text",
    "  \n{}\n  ",
    "<p>{}",
    "<style>{}</style>",
    "<b>{}</b><br>",
    "<template><div>{}</div></template>",
    "<p>{}</br></p>",
    "<a title='q>{}",  # a quote left open before the pieces
    '<a title="q>{}',
    "<!-- {} -->",
    "<!-- {}",
    "<script>{}</script>",
    "&amp{}&lt",
]


@pytest.mark.parametrize("context", CONTEXTS)
def test_pieces_print_the_page_as_beautifulsoup_prints_it_whole(context):
    """Every piece, alone and next to every other, in every context: byte-identical print."""
    from bs4 import BeautifulSoup

    from bpscare.grading import feedback_render

    def soup(page: str, *, checked: bool = False) -> BeautifulSoup:
        return feedback_render.parse(page, checked=checked)

    for first in PIECES:
        for second in ["", *PIECES]:
            pieces = feedback_render._Pieces()
            inner = pieces.put(f"\n{first}\n") + "<i> x </i>" + pieces.put(f" {second}")
            page = "<html><body>" + context.format(inner) + "</body></html>"
            whole = page.replace(inner, f"\n{first}\n<i> x </i> {second}")
            assert pieces.unprinted(page) == whole
            expected = str(BeautifulSoup(whole, features="html.parser"))
            assert pieces.print(page, soup) == expected, (context, first, second)


def test_only_balanced_pieces_are_set_aside():
    from bs4 import BeautifulSoup

    from bpscare.grading.feedback_render import normalized

    for piece in PIECES[:5]:
        assert normalized(piece) == str(BeautifulSoup(piece, features="html.parser")), piece
    for piece in PIECES[5:12]:
        assert normalized(piece) is None, piece


def test_bpscare_feedback_prints_pieces_once(graded, tmp_path, monkeypatch):
    """The fast path is taken for bpscare's template (no learner's page printed whole)."""
    from bpscare.grading import feedback_render

    whole: list[str] = []
    unprinted = feedback_render._Pieces.unprinted

    def counted(self, page):
        whole.append(page)
        return unprinted(self, page)

    monkeypatch.setattr(feedback_render._Pieces, "unprinted", counted)
    ours = Path(shutil.copytree(graded, tmp_path / "ours"))
    assert not generate_feedback(ours, A, workers=1).failed
    assert len(_pages(ours)) == len(LEARNERS)
    assert whole == []


CELL = '<div id="cell-id={n}" class="cell border-box-sizing code_cell rendered">\n{body}\n</div>\n'


@pytest.mark.parametrize("context", CONTEXTS)
def test_cells_print_the_page_as_beautifulsoup_prints_it_whole(context):
    """Whole cells set aside (each with pieces inside), in every context: byte-identical print."""
    from bs4 import BeautifulSoup

    from bpscare.grading import feedback_render

    def soup(page: str, *, checked: bool = False) -> BeautifulSoup:
        return feedback_render.parse(page, checked=checked)

    for first in PIECES:
        for second in PIECES:
            pieces = feedback_render._Pieces()
            bodies = [
                f"<div class=x>{pieces.put(first)}</div>",
                f"<p>{second}</p><div>{pieces.put(' ' + second)}</div>",
                f"<pre>{pieces.put(first)}</pre>",  # a piece where it may not be: stays whole
                "<p>cell three</p>",
            ]
            inner = "\n" + "".join(CELL.format(n=i, body=b) for i, b in enumerate(bodies))
            page = "<html><body>" + context.format(inner) + "</body></html>"
            whole = pieces.unprinted(page)
            expected = str(BeautifulSoup(whole, features="html.parser"))
            assert pieces.print(page, soup) == expected, (context, first, second)


def test_a_cell_is_set_aside_only_when_it_prints_alone():
    from bs4 import BeautifulSoup

    from bpscare.grading.feedback_render import cell_printed

    good = CELL.format(n=1, body="<p>a &amp; b<br>c</p>").rstrip()
    assert cell_printed(good) == str(BeautifulSoup(good, features="html.parser"))
    for body in ("<b>left open", "<p>x</p><!-- open", "<p>a<br></br>b</p>", '<img src="a.png">'):
        assert cell_printed(CELL.format(n=2, body=body).rstrip()) is None, body


@pytest.mark.parametrize(
    "heading",
    [
        "<h4>a (Score: 1.0 / 2.0)</h4><div id=toc><ol><li><a href='#x'>Test</a></li></ol></div>",
        "<h4>left open",  # the heading is not set aside; the page still prints as a whole
        "<pre>  </pre><!-- a comment -->",
    ],
)
def test_head_heading_and_last_cell_print_as_the_whole_page(heading):
    """The page's head, its heading and the last cell (up to the closing divs) set aside."""
    from bs4 import BeautifulSoup

    from bpscare.grading import feedback_render

    def soup(page: str, *, checked: bool = False) -> BeautifulSoup:
        return feedback_render.parse(page, checked=checked)

    pieces = feedback_render._Pieces()
    cells = "".join(
        CELL.format(n=i, body=f"<div class=x>{pieces.put(PIECES[i])}</div>") for i in range(3)
    )
    page = (
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset='utf-8' />\n<title>t</title>\n"
        "<style>a > b { color: red }</style>\n</head>\n<body>\n"
        f'<div class="panel-heading">{heading}</div>\n<div class="panel-body">\n'
        f'<main><div id="notebook"><div class="container">\n{cells}'
        "      </div>\n    </div>\n  </main>\n</div>\n</body>\n</html>\n"
    )
    _, parts = pieces.chunked(page)
    assert len(parts) >= 4  # the head and the three cells at least
    expected = str(BeautifulSoup(pieces.unprinted(page), features="html.parser"))
    assert pieces.print(page, soup) == expected
