"""The autograding engine: nbgrader's scores, nbgrader's files, a sandbox, and clean failures."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from bpscare import nbgrader_course
from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import Project, load_assignment
from bpscare.errors import BpscareError
from bpscare.grading import autograde, transport
from bpscare.grading.backend import cell_scores
from bpscare.grading.feedback import generate_feedback
from bpscare.grading.judge import free_names

A01 = "a01-screening"
#: the code version of a01 (learner functions), frozen for the engine's tests
CODE_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "code_project"
NB = f"{A01}.ipynb"
WHEN = dt.datetime(2027, 2, 14, 9, 30, tzinfo=dt.UTC)
TESTS = ("a01_q1_phq9_total_tests", "a01_q2_bands_tests", "a01_q3_safety_tests")
ALL_TESTS = (*TESTS, "a01_q4_library_tests")
#: grade id → points of a01's graded cells, read from their tags (the one source of points)
POINTS = {
    cell.grade_id: cell.points for cell in load_assignment(Project(CODE_PROJECT), A01).grade_cells
}
FULL_MARKS = tuple(POINTS[g] for g in ALL_TESTS)
AUTOGRADED_MAX = sum(FULL_MARKS)  # the reflection task is graded by hand


# --- helpers -------------------------------------------------------------------------------


def _release_and_source(course: Path):
    release = nbformat.read(str(course / "release" / A01 / NB), as_version=4)
    source = nbformat.read(str(course / "source" / A01 / NB), as_version=4)
    return release, source


def _submit(course: Path, learner: str, answers: dict[str, str]) -> None:
    release, source = _release_and_source(course)
    ids = simulated_submissions.answer_cells(release)
    chosen = dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER)
    chosen.update(answers)
    nb = simulated_submissions.fill_release(release, source, chosen, reflection="My reflection.")
    simulated_submissions.write_submission(course, learner, A01, {NB: nb}, WHEN)


def _submit_raw(course: Path, learner: str, text: str) -> None:
    folder = course / "submitted" / learner / A01
    folder.mkdir(parents=True)
    (folder / NB).write_text(text)
    (folder / "timestamp.txt").write_text("2027-02-14 09:30:00.000000 UTC")


def _copy(built_code_course, dest: Path) -> Path:
    shutil.copytree(Path(built_code_course.out) / "course", dest)
    return dest


def _profiles(course: Path) -> dict[str, dict[str, str]]:
    release, _ = _release_and_source(course)
    ids = list(simulated_submissions.answer_cells(release))
    found: dict[str, dict[str, str]] = {"complete": {}, "blank": dict.fromkeys(ids, "")}
    for mistake in simulated_submissions.load_misconceptions(
        CODE_PROJECT / "autograders" / A01 / "misconceptions.yaml"
    ):
        found[mistake.id.replace("_", "-")] = dict(mistake.answers)
    return found


def _snapshot(course: Path) -> dict[str, str]:
    return {
        str(p.relative_to(course)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(course.rglob("*"))
        if p.is_file()
    }


def _grade_rows(course: Path) -> int:
    with sqlite3.connect(course / "gradebook.db") as db:
        return db.execute("SELECT COUNT(*) FROM grade").fetchone()[0]


def _test_cell_text(course: Path, learner: str) -> dict[str, str]:
    nb = nbformat.read(str(course / "autograded" / learner / A01 / NB), as_version=4)
    texts = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in ALL_TESTS:
            texts[grade_id] = json.dumps(cell.outputs)
    return texts


def _coalesce(text: str) -> list:
    """Merge consecutive stream outputs (a kernel sends one message per flush)."""
    merged: list = []
    for output in json.loads(text):
        if output["output_type"] == "error":
            merged.append({"error": output["ename"]})
        elif (
            output["output_type"] == "stream"
            and merged
            and merged[-1].get("name") == output["name"]
        ):
            merged[-1]["text"] += output["text"]
        elif output["output_type"] == "stream":
            merged.append({"name": output["name"], "text": output["text"]})
        else:
            merged.append({"data": output.get("data"), "count": output.get("execution_count")})
    return merged


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair(built_code_course, tmp_path_factory):
    """The same six a01 submissions graded by nbgrader (course A) and by the engine (B)."""
    root = tmp_path_factory.mktemp("pair")
    a, b = _copy(built_code_course, root / "a"), _copy(built_code_course, root / "b")
    profiles = _profiles(a)
    for course in (a, b):
        for name, answers in profiles.items():
            _submit(course, f"l-{name}", answers)
    learners = [f"l-{name}" for name in profiles]
    errors = nbgrader_course.autograde_with_nbgrader(a, A01, learners)
    assert all(e is None for e in errors.values()), errors
    run = autograde(b, A01, workers=2)
    return a, b, learners, run


@pytest.fixture(scope="module")
def hostile(built_code_course, tmp_path_factory):
    """Hostile submissions graded in one engine run (timeout 4 s per cell)."""
    course = _copy(built_code_course, tmp_path_factory.mktemp("hostile") / "course")
    wrong_total = "def phq9_total(responses):\n    return 0\n"
    _submit(course, "h-complete", {})
    _submit(
        course,
        "h-patch-checks",
        {
            "a01_q1_phq9_total": wrong_total
            + "import bpscare.grading.checks, math, builtins\n"
            + "bpscare.grading.checks.plain_equal = lambda *a, **k: True\n"
            + "math.isclose = lambda *a, **k: True\n"
            + "bpscare.grading.checks.Checks.result = lambda self: float(self.points)\n"
            + "print('All checks passed.')\n"
        },
    )
    _submit(
        course,
        "h-liar",
        {
            "a01_q1_phq9_total": "class Liar(int):\n"
            "    def __eq__(self, other):\n        return True\n"
            "    __hash__ = int.__hash__\n"
            "def phq9_total(responses):\n    return Liar(0)\n"
        },
    )
    _submit(
        course,
        "h-exit",
        {
            "a01_q2_bands": "import os\nos._exit(3)\n",
        },
    )
    _submit(
        course,
        "h-sysexit",
        {
            "a01_q2_bands": "import sys\nsys.exit(0)\n",
        },
    )
    _submit(
        course,
        "h-loop",
        {
            "a01_q3_safety": (
                "def needs_safety_assessment(responses):\n    while True:\n        pass\n"
            )
        },
    )
    _submit(
        course,
        "h-snoop",
        {
            "a01_q4_library": (
                "rivera_gad7_band = 'moderate'\nrivera_gad7_positive = True\n"
                f"for path in [{str(course / 'gradebook.db')!r}, "
                f"{str(course / 'source' / A01 / NB)!r}, '/usr/lib/os-release']:\n"
                "    try:\n"
                "        open(path, 'rb').read(10)\n"
                "        print('READ', path)\n"
                "    except OSError as exc:\n"
                "        print('BLOCKED', type(exc).__name__)\n"
            )
        },
    )
    _submit_raw(course, "h-malformed", "{ this is not json")
    _submit_raw(course, "h-v99", json.dumps({"nbformat": 99, "nbformat_minor": 0, "cells": []}))
    gradebook_before = (course / "gradebook.db").stat().st_size
    run = autograde(course, A01, workers=2, timeout_cell=4)
    return course, run, gradebook_before


# --- identical to nbgrader ------------------------------------------------------------------


def test_scores_identical_to_nbgrader_on_a01(pair):
    """Does every test cell earn exactly what nbgrader gives it, for every profile?"""
    a, b, learners, run = pair
    for learner in learners:
        expected = cell_scores(a, A01, learner)
        assert expected, learner
        assert cell_scores(b, A01, learner) == expected, learner
    assert [r.student for r in run.results] == sorted(learners)
    assert all(r.error is None for r in run.results)


def test_misconception_scores_are_the_published_ones(pair):
    """Do the documented misconceptions earn the points misconceptions.yaml promises?"""
    _, b, _, _ = pair
    for mistake in simulated_submissions.load_misconceptions(
        CODE_PROJECT / "autograders" / A01 / "misconceptions.yaml"
    ):
        scores = cell_scores(b, A01, f"l-{mistake.id.replace('_', '-')}")
        for grade_id, (points, _) in mistake.expected.items():
            assert scores[grade_id] == pytest.approx(points), (mistake.id, grade_id)


def test_test_cell_outputs_match_nbgrader(pair):
    """Are the feedback lines and partial-credit results under each test cell nbgrader's?"""
    a, b, learners, _ = pair
    for learner in learners:
        ours, theirs = _test_cell_text(b, learner), _test_cell_text(a, learner)
        assert ours.keys() == theirs.keys()
        for grade_id in ours:
            assert _coalesce(ours[grade_id]) == _coalesce(theirs[grade_id]), (learner, grade_id)


def test_result_summary_and_totals(pair):
    _, _, _, run = pair
    by_student = {r.student: r for r in run.results}
    assert by_student["l-complete"].score == AUTOGRADED_MAX
    assert by_student["l-complete"].max_score == sum(POINTS.values())  # reflection task included
    assert by_student["l-blank"].score == 0.0
    text = run.summary()
    assert "autograded 6 of 6" in text
    assert f"l-complete: {AUTOGRADED_MAX:g}/{sum(POINTS.values()):g}" in text


def test_feedback_and_export_work_on_engine_output(pair, tmp_path):
    """Do nbgrader's feedback and CSV export run on what the engine wrote?"""
    _, b, _, _ = pair
    generate_feedback(b, A01)
    html = (b / "feedback" / "l-blank" / A01 / f"{A01}.html").read_text()
    assert f"0 of {POINTS['a01_q1_phq9_total_tests']:g} points" in html
    assert "LEAK-CANARY" not in html
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    out = tmp_path / "grades.csv"
    with Gradebook(nbgrader_course.course_db_url(b)) as gradebook:
        CsvExportPlugin(to=str(out)).export(gradebook)
    rows = {r["student_id"]: r for r in csv.DictReader(out.open()) if r["assignment"] == A01}
    assert float(rows["l-complete"]["raw_score"]) == AUTOGRADED_MAX
    assert float(rows["l-blank"]["raw_score"]) == 0.0


def test_rerun_is_idempotent(pair):
    """Does grading again change no score and add no grade row?"""
    _, b, learners, _ = pair
    before = {learner: cell_scores(b, A01, learner) for learner in learners}
    rows = _grade_rows(b)
    run = autograde(b, A01, students=learners[:2], workers=1)
    assert all(r.error is None for r in run.results)
    assert _grade_rows(b) == rows
    assert {learner: cell_scores(b, A01, learner) for learner in learners} == before
    assert not list((b / "autograded").rglob("*bpscare-*"))


def test_autograded_folder_holds_only_what_nbgrader_writes(pair):
    a, b, learners, _ = pair
    for learner in learners:
        ours = sorted(p.name for p in (b / "autograded" / learner / A01).iterdir())
        theirs = sorted(p.name for p in (a / "autograded" / learner / A01).iterdir())
        assert ours == theirs


def test_tiny_fixture_scores_identical(built_tiny, tmp_path):
    """Does the tiny fixture course grade as nbgrader grades it?"""
    courses = []
    for name in ("a", "b"):
        course = shutil.copytree(Path(built_tiny.out) / "course", tmp_path / name)
        release = nbformat.read(str(course / "release/t01-tiny/t01-tiny.ipynb"), as_version=4)
        source = nbformat.read(str(course / "source/t01-tiny/t01-tiny.ipynb"), as_version=4)
        ids = simulated_submissions.answer_cells(release)
        for learner, chosen in (
            ("t-solution", dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER)),
            ("t-blank", {}),
        ):
            nb = simulated_submissions.fill_release(release, source, chosen, reflection="Mine.")
            simulated_submissions.write_submission(
                course, learner, "t01-tiny", {"t01-tiny.ipynb": nb}, WHEN
            )
        courses.append(course)
    nbgrader_course.autograde_with_nbgrader(courses[0], "t01-tiny", ["t-blank", "t-solution"])
    autograde(courses[1], "t01-tiny", workers=1)
    for learner in ("t-solution", "t-blank"):
        expected = cell_scores(courses[0], "t01-tiny", learner)
        assert cell_scores(courses[1], "t01-tiny", learner) == expected
    assert cell_scores(courses[1], "t01-tiny", "t-solution")["t01_q1_double_tests"] == 2.0


# --- hostile submissions --------------------------------------------------------------------


def _scores(course: Path, learner: str) -> tuple[float, ...]:
    scores = cell_scores(course, A01, learner)
    return tuple(scores[g] for g in ALL_TESTS)


def _with(**partial: float) -> tuple[float, ...]:
    """Full marks for every a01 tests cell except the ``partial`` ones given."""
    return tuple(partial.get(g, POINTS[g]) for g in ALL_TESTS)


def _flags(run, learner: str) -> list[str]:
    return next(r.flags for r in run.results if r.student == learner)


def test_hostile_complete_submission_still_full_marks(hostile):
    course, _, _ = hostile
    assert _scores(course, "h-complete") == FULL_MARKS


def test_monkeypatching_checks_and_math_earns_nothing(hostile):
    """Do patched checks, math.isclose and printed success text leave the wrong answer at 0?"""
    course, _, _ = hostile
    scores = cell_scores(course, A01, "h-patch-checks")
    assert scores["a01_q1_phq9_total_tests"] == pytest.approx(0.27)  # only phq9_total(all 0)=0
    assert scores["a01_q2_bands_tests"] == POINTS["a01_q2_bands_tests"]


def test_lying_int_subclass_earns_nothing(hostile):
    course, run, _ = hostile
    assert cell_scores(course, A01, "h-liar")["a01_q1_phq9_total_tests"] == 0.0
    assert any("not plain data" in f for f in _flags(run, "h-liar"))


def test_os_exit_loses_only_that_cell(hostile):
    """After os._exit in one answer cell, are the other cells still graded?"""
    course, run, _ = hostile
    # gad7_band was defined in the cell that exited, so one q4 check fails too (2 x 4/5).
    assert _scores(course, "h-exit") == _with(a01_q2_bands_tests=0.0, a01_q4_library_tests=1.6)
    assert any(f.startswith("crash") for f in _flags(run, "h-exit"))


def test_sys_exit_is_caught_like_ipython(hostile):
    course, _, _ = hostile
    assert _scores(course, "h-sysexit") == _with(a01_q2_bands_tests=0.0, a01_q4_library_tests=1.6)


def test_infinite_loop_times_out_and_the_rest_is_graded(hostile):
    course, run, _ = hostile
    assert _scores(course, "h-loop") == _with(a01_q3_safety_tests=0.0)
    assert any(f.startswith("timeout") for f in _flags(run, "h-loop"))
    texts = _test_cell_text(course, "h-loop")
    assert "CellTimeoutError" in texts["a01_q3_safety_tests"]


def test_learner_cannot_read_the_course(hostile):
    """Are the gradebook and the instructor's source unreadable from learner code?"""
    course, _, _ = hostile
    nb = nbformat.read(str(course / "autograded" / "h-snoop" / A01 / NB), as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])
    assert text.count("BLOCKED") == 2
    assert "READ /usr/lib/os-release" in text  # system files stay readable (not /etc: unbound)
    assert "LEAK-CANARY" not in text
    assert _scores(course, "h-snoop") == FULL_MARKS


@pytest.mark.parametrize("learner", ["h-malformed", "h-v99"])
def test_unreadable_notebook_scores_zero_with_a_reason(hostile, learner):
    course, run, _ = hostile
    assert _scores(course, learner) == (0.0, 0.0, 0.0, 0.0)
    assert any("not a readable notebook" in f for f in _flags(run, learner))
    texts = _test_cell_text(course, learner)
    assert "SubmissionError" in texts["a01_q1_phq9_total_tests"]


def test_flag_report_is_outside_the_autograded_tree(hostile):
    course, run, _ = hostile
    assert run.flag_report == course / "reports" / f"autograde-flags-{A01}.csv"
    rows = list(csv.DictReader(run.flag_report.open()))
    flagged = {r["student"] for r in rows}
    assert {"h-liar", "h-exit", "h-loop", "h-malformed"} <= flagged
    assert "h-complete" not in flagged
    assert not list((course / "autograded").glob("*.csv"))


def test_sandbox_protections_reported(hostile):
    _, run, _ = hostile
    assert "network" in run.protections
    assert "filesystem" in run.protections


# --- bad input: one clear error, nothing written ---------------------------------------------


@pytest.fixture
def clean_course(built_code_course, tmp_path):
    course = _copy(built_code_course, tmp_path / "course")
    _submit(course, "x-one", {})
    return course


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"assignment": "a99-nope"}, "unknown assignment 'a99-nope'"),
        ({"students": ["nobody-here"]}, "no submission"),
        ({"executor": "dask://127.0.0.1:9"}, "cannot reach the Dask scheduler"),
        ({"executor": "ftp://x"}, "unknown executor"),
        ({"db_url": "postgresql://u:secret@127.0.0.1:9/gb"}, "cannot reach the gradebook"),
        ({"timeout_cell": 0}, "timeout_cell must be a number of seconds above 0"),
        ({"timeout_cell": -5}, "timeout_cell must be a number of seconds above 0"),
        ({"timeout_cell": float("nan")}, r"timeout_cell must be .* got nan"),
        ({"timeout_cell": float("inf")}, r"timeout_cell must be .* got inf"),
        ({"timeout_cell": 1e9}, "at most 86400"),
        ({"timeout_cell": True}, "got True"),
        ({"timeout_cell": "30"}, "got '30'"),
    ],
)
def test_bad_input_raises_and_writes_nothing(clean_course, kwargs, phrase):
    before = _snapshot(clean_course)
    args = {"assignment": A01, **kwargs}
    assignment = args.pop("assignment")
    with pytest.raises(BpscareError, match=phrase) as info:
        autograde(clean_course, assignment, workers=1, **args)
    assert "\n" not in str(info.value)
    assert "secret" not in str(info.value)
    assert _snapshot(clean_course) == before


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_cli_rejects_a_timeout_that_is_not_finite_and_positive(clean_course, capsys, value):
    from bpscare.cli import main

    before = _snapshot(clean_course)
    code = main(["autograde", A01, "--course", str(clean_course), "--timeout-cell", value])
    assert code == 2
    assert "timeout_cell must be a number of seconds" in capsys.readouterr().err
    assert _snapshot(clean_course) == before


@pytest.mark.parametrize(
    ("lines", "seconds"),
    [
        ([], 30.0),  # nbgrader's own default
        (["c.ExecutePreprocessor.timeout = 7"], 7.0),
        (["c.ExecutePreprocessor.timeout = 7", "c.Execute.timeout = 5"], 5.0),
        (["c.NotebookClient.timeout = 9"], 9.0),
        (["c.Execute.timeout = None"], 86400.0),  # nbgrader: no limit; the engine: one day
        (["c.Execute.timeout = -1"], 86400.0),
    ],
)
def test_course_timeout_is_resolved_as_nbgrader_resolves_it(tmp_path, lines, seconds):
    from bpscare.grading.engine import course_timeout

    (tmp_path / "nbgrader_config.py").write_text("\n".join(["c = get_config()", *lines]) + "\n")
    config = nbgrader_course.load_course_config(tmp_path)
    assert course_timeout(config, tmp_path) == seconds


def test_course_timeout_is_honoured_and_the_option_overrides_it(built_tiny, tmp_path):
    """A course set to 2 s per cell: a 5 s cell times out, a 0.2 s one passes; the option wins."""
    course = Path(shutil.copytree(Path(built_tiny.out) / "course", tmp_path / "course"))
    with (course / "nbgrader_config.py").open("a") as handle:
        handle.write("\nc.ExecutePreprocessor.timeout = 2\n")
    release = nbformat.read(str(course / "release/t01-tiny/t01-tiny.ipynb"), as_version=4)
    source = nbformat.read(str(course / "source/t01-tiny/t01-tiny.ipynb"), as_version=4)
    ids = simulated_submissions.answer_cells(release)
    for learner, pause in (("t-slow", 5), ("t-quick", 0.2)):
        answer = f"import time\ntime.sleep({pause})\ndef double(x):\n    return 2 * x\n"
        nb = simulated_submissions.fill_release(
            release, source, dict.fromkeys(ids, answer), reflection="Mine."
        )
        simulated_submissions.write_submission(
            course, learner, "t01-tiny", {"t01-tiny.ipynb": nb}, WHEN
        )
    run = autograde(course, "t01-tiny", workers=2)
    assert run.timeout_cell == 2.0
    assert "2 s per cell" in run.summary()
    assert cell_scores(course, "t01-tiny", "t-quick")["t01_q1_double_tests"] == 2.0
    assert cell_scores(course, "t01-tiny", "t-slow")["t01_q1_double_tests"] == 0.0
    assert any("time" in flag.lower() for flag in _flags(run, "t-slow"))
    run = autograde(course, "t01-tiny", students=["t-slow"], workers=1, timeout_cell=10)
    assert run.timeout_cell == 10.0
    assert cell_scores(course, "t01-tiny", "t-slow")["t01_q1_double_tests"] == 2.0


def test_not_a_course_folder(tmp_path):
    with pytest.raises(BpscareError, match="not an nbgrader course"):
        autograde(tmp_path, A01)


def test_cli_bad_assignment_exit_code(clean_course, capsys):
    from bpscare.cli import main

    before = _snapshot(clean_course)
    code = main(["autograde", "a99-nope", "--course", str(clean_course), "--workers", "1"])
    assert code == 2
    assert "unknown assignment" in capsys.readouterr().err
    assert _snapshot(clean_course) == before


# --- the transport and the judge (fast, no processes) ----------------------------------------


def _roundtrip(value):
    handles = []

    def other(obj, reason):
        handles.append(obj)
        return ["H", len(handles), type(obj).__name__, reason]

    tagged = transport.Encoder(other).encode(value)
    tagged = json.loads(json.dumps(tagged))
    return transport.decode(
        tagged,
        on_function=lambda k, n: ("fn", n),
        on_handle=lambda k, kind, reason: ("handle", kind, reason),
        on_module=lambda name: ("module", name),
    )


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        2**80,
        -0.5,
        "text",
        b"\x00\xff",
        (1, "a"),
        [1, [2, [3]]],
        {"a": 1, 2: (3, 4)},
        {1, 2},
        frozenset({"x"}),
        collections.Counter("aab"),
        collections.OrderedDict(a=1),
        dt.date(2027, 2, 15),
        3 + 4j,
    ],
)
def test_plain_values_cross_exactly(value):
    back = _roundtrip(value)
    assert back == value
    assert type(back) is type(value)


def test_numpy_and_pandas_cross_as_themselves():
    array = np.arange(6, dtype=np.int32).reshape(2, 3)
    back = _roundtrip(array)
    assert back.dtype == array.dtype
    assert (back == array).all()
    scalar = _roundtrip(np.float64(1.5))
    assert type(scalar) is np.float64
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    pd.testing.assert_frame_equal(_roundtrip(frame), frame)
    series = pd.Series([1.0, 2.0], index=["p", "q"], name="s")
    pd.testing.assert_series_equal(_roundtrip(series), series)


def test_subclasses_never_cross_as_values():
    class Liar(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    assert _roundtrip(Liar(3))[0] == "handle"
    assert _roundtrip([1, Liar(3)])[1][0] == "handle"


def test_nan_and_infinity_survive():
    back = _roundtrip([float("nan"), float("inf")])
    assert np.isnan(back[0])
    assert back[1] == float("inf")


def test_free_names_of_a_test_cell():
    import ast

    code = (
        "from bpscare.grading.checks import Checks\nchecks = Checks(points=1)\n"
        "for total in [1, 2]:\n    checks.equal(lambda total=total: band(total), 'x', 1, 'm')\n"
        "checks.result()\n"
    )
    loaded, bound = free_names(ast.parse(code))
    assert loaded - bound == {"band"}
