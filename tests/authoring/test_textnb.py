"""Text notebooks: short grading tags expand into nbgrader metadata; bad input is named."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

from bpscare.authoring.textnb import expand_grading, grade_cells, read_text_notebook
from bpscare.errors import BpscareError

HEADER = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
"""


def write(tmp_path: Path, body: str, name: str = "nb.py") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def expand(path: Path) -> nbformat.NotebookNode:
    return expand_grading(read_text_notebook(path), path)


def test_tests_tag_expands_to_nbgrader_tests_cell(tmp_path):
    """Does a short tests tag become an nbgrader 'Autograder tests' cell with competencies?"""
    path = write(
        tmp_path,
        '\n# %% grading="tests" grade_id="a_q1_tests" points=2 competencies="ACGME-MK EPA-03"\n'
        "assert True\n",
    )
    cell = expand(path).cells[0]
    assert cell.metadata["nbgrader"] == {
        "grade": True,
        "grade_id": "a_q1_tests",
        "locked": True,
        "points": 2,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    assert cell.metadata["bpscare"] == {"competencies": ["ACGME-MK", "EPA-03"]}
    assert "grading" not in cell.metadata


def test_every_kind_gets_its_nbgrader_flags(tmp_path):
    """Do answer, manual, task and readonly cells get nbgrader's flags for that kind?"""
    path = write(
        tmp_path,
        '\n# %% grading="answer" grade_id="a_q1"\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n'
        '\n# %% [markdown] grading="manual" grade_id="a_q2" points=1 competencies="ACGME-ICS"\n'
        "# Write here\n"
        '\n# %% [markdown] grading="task" grade_id="a_q3" points=2 competencies="ACGME-PC"\n'
        "# Do it\n"
        '\n# %% grading="readonly" grade_id="a_data"\ny = 2\n',
    )
    flags = [
        tuple(c.metadata["nbgrader"][k] for k in ("grade", "solution", "locked", "task"))
        for c in expand(path).cells
    ]
    assert flags == [
        (False, True, False, False),
        (True, True, False, False),
        (False, False, True, True),
        (False, False, True, False),
    ]
    kinds = [(g.grade_id, g.kind, g.points) for g in grade_cells(expand(path), "nb.ipynb")]
    assert kinds == [("a_q2", "manual", 1.0), ("a_q3", "task", 2.0)]


def test_raw_nbgrader_metadata_round_trips_through_jupytext(tmp_path):
    """Does an nbgrader header written by jupytext read back unchanged?"""
    nb = nbformat.v4.new_notebook()
    meta = {
        "grade": True,
        "grade_id": "r_q1_tests",
        "locked": True,
        "points": 3,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    cell = nbformat.v4.new_code_cell("assert 1 == 1")
    cell.metadata["nbgrader"] = meta
    cell.metadata["bpscare"] = {"competencies": ["ACGME-MK"]}
    nb.cells.append(cell)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    text = jupytext.writes(nb, fmt="py:percent")
    path = tmp_path / "raw.py"
    path.write_text(text)
    back = expand(path)
    assert back.cells[0].metadata["nbgrader"] == meta


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('\n# %% grading="quiz" grade_id="x_q1"\nx = 1\n', "unknown grading kind 'quiz'"),
        ('\n# %% grading="tests" points=1 competencies="ACGME-MK"\nx = 1\n', "grade_id None"),
        ('\n# %% grading="tests" grade_id="Bad Id" points=1\nx=1\n', "grade_id 'Bad Id'"),
        ('\n# %% grading="tests" grade_id="x_t" competencies="ACGME-MK"\nx=1\n', "points must"),
        ('\n# %% grading="tests" grade_id="x_t" points=1\nx=1\n', "has no competencies"),
        ('\n# %% grading="answer" grade_id="x_a"\nx = 1\n', "BEGIN SOLUTION"),
        (
            '\n# %% grading="answer" grade_id="x_a" points=2\n'
            "### BEGIN SOLUTION\n### END SOLUTION\n",
            "carries no points",
        ),
        (
            '\n# %% [markdown] grading="tests" grade_id="x_t" points=1 '
            'competencies="ACGME-MK"\n# hi\n',
            "needs a code cell",
        ),
        ('\n# %% grade_id="x_t" points=1\nx = 1\n', "no grading kind"),
        (
            '\n# %% grading="tests" grade_id="x_t" points=1 competencies="ACGME-MK" '
            'nbgrader={"grade": true}\nx=1\n',
            "both a short 'grading' tag and a raw",
        ),
        ("\n# %%\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "would leak"),
        (
            '\n# %% grading="tests" grade_id="x_t" points=1 competencies="ACGME-MK"\n'
            "### BEGIN HIDDEN TESTS\nx = 1\n",
            "unbalanced",
        ),
    ],
)
def test_bad_metadata_names_file_and_cell(tmp_path, body, message):
    """Does every kind of bad grading metadata give one error naming the file and the cell?"""
    path = write(tmp_path, body)
    with pytest.raises(BpscareError, match="cell 1") as excinfo:
        expand(path)
    assert str(path) in str(excinfo.value)
    assert message in str(excinfo.value)


def test_malformed_text_notebook_is_a_one_line_error(tmp_path):
    """Is a file that is not UTF-8 text reported with its name, not a traceback?"""
    path = tmp_path / "broken.py"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(BpscareError, match="not UTF-8") as excinfo:
        read_text_notebook(path)
    assert str(path) in str(excinfo.value)


def test_missing_text_notebook(tmp_path):
    with pytest.raises(BpscareError, match="not found"):
        read_text_notebook(tmp_path / "nope.py")


def test_choice_cell_is_a_blank_form_with_an_empty_solution_region(tmp_path):
    """Does a choice cell become an answer cell whose only solution region is empty?"""
    body = (
        '# %% grading="choice" grade_id="a01_q1_choice"\n'
        'a01_q1 = ""  # one letter\n\n'
        '# %% grading="tests" grade_id="a01_q1_tests" points=2 format="key-feature" '
        'competencies="ACGME-PC"\n'
        "x = 1\n"
    )
    nb = expand(write(tmp_path, body))
    choice, _tests = nb.cells
    assert choice.metadata.nbgrader["solution"] is True
    assert choice.source.endswith("\n### BEGIN SOLUTION\n### END SOLUTION")
    assert 'a01_q1 = ""' in choice.source
    assert [c.answer_format for c in grade_cells(nb, "nb")] == ["key-feature"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('# %% grading="choice" grade_id="a01_q1_choice"\na01_q1 = "C"\n', "blank answer lines"),
        ('# %% grading="choice" grade_id="a01_q1_choice"\nprint(1)\n', "blank answer lines"),
        ('# %% grading="choice" grade_id="a01_q1_choice"\n# only a comment\n', "needs at least"),
        (
            '# %% grading="tests" grade_id="a01_q1_tests" points=2 format="essay" '
            'competencies="ACGME-PC"\nx = 1\n',
            "unknown format 'essay'",
        ),
        ('# %% grading="readonly" grade_id="a01_r" format="rubric"\nx = 1\n', "carry a format"),
    ],
)
def test_a_choice_cell_can_never_hold_its_key(tmp_path, body, message):
    """Is a filled-in key, code, or an unknown format in an assignment a clear error?"""
    with pytest.raises(BpscareError, match=message):
        expand(write(tmp_path, body))
