"""Answer files survive grading: atomic save, exact round trip, one-sentence errors."""

from __future__ import annotations

import json

import pytest

from bpscare.grading.answers import AnswerError, answer_path, load_answer, save_answer


def test_round_trip(tmp_path):
    data = {"goals": ["walk 10 minutes daily by week 4"], "follow_up_weeks": 2, "ok": True}
    path = save_answer("a05_care_plan", data, kind="care_plan", folder=tmp_path)
    assert path.name == "a05_care_plan.answer.json"
    assert load_answer("a05_care_plan", kind="care_plan", folder=tmp_path) == data
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind


def test_missing_answer_is_one_clear_sentence(tmp_path):
    with pytest.raises(AnswerError) as excinfo:
        load_answer("a05_care_plan", folder=tmp_path)
    message = str(excinfo.value)
    assert "No saved answer called 'a05_care_plan'" in message
    assert "Save button" in message
    assert excinfo.value._render_traceback_() == [f"AnswerError: {message}"]


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        ("{not json", "damaged"),
        ('{"something": 1}', "not a bpscare answer file"),
        (json.dumps({"bpscare_answer": 2, "name": "other", "data": 1}), "holds the answer 'other'"),
        (b"\xff\xfe".decode("latin-1"), "damaged"),
    ],
)
def test_corrupt_answers_are_named(tmp_path, content, phrase):
    (tmp_path / "a05_care_plan.answer.json").write_text(content, encoding="utf-8")
    with pytest.raises(AnswerError, match=phrase):
        load_answer("a05_care_plan", folder=tmp_path)


def test_wrong_kind(tmp_path):
    save_answer("q1", [1, 2], kind="codes", folder=tmp_path)
    with pytest.raises(AnswerError, match="expected 'care_plan'"):
        load_answer("q1", kind="care_plan", folder=tmp_path)


def test_bad_names_and_values(tmp_path):
    with pytest.raises(AnswerError, match="must use lower-case"):
        answer_path("../escape")
    with pytest.raises(AnswerError, match="cannot be saved as JSON"):
        save_answer("q1", {"x": object()}, folder=tmp_path)
    with pytest.raises(AnswerError, match="cannot be saved as JSON"):
        save_answer("q1", float("nan"), folder=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failed_save_keeps_the_previous_answer(tmp_path):
    save_answer("q1", {"v": 1}, folder=tmp_path)
    with pytest.raises(AnswerError):
        save_answer("q1", {"v": object()}, folder=tmp_path)
    assert load_answer("q1", folder=tmp_path) == {"v": 1}


# --- submitted answers: this assignment's, this learner's, unchanged ------------------------

from bpscare.grading.answers import (  # noqa: E402
    SUFFIX,
    answer_record,
    grading_from,
    submitted_answer,
)


def _file(name="a05_care_plan", data=None, **fields):
    record = answer_record(name, {"x": 1} if data is None else data, kind="care_plan", **fields)
    return {f"{name}{SUFFIX}": json.dumps(record).encode()}


def test_the_judge_reads_the_submitted_file_for_the_graded_learner():
    """Does submitted_answer read the snapshot given to the judge, for that learner?"""
    files = _file(assignment="a05-care-plan", learner="ana")
    with grading_from(files, "ana", "a05-care-plan"):
        assert submitted_answer("a05_care_plan", kind="care_plan", assignment="a05-care-plan") == {
            "x": 1
        }


@pytest.mark.parametrize(
    ("files", "student", "phrase"),
    [
        ({}, "ana", "No saved answer a05_care_plan.answer.json was submitted"),
        (_file(assignment="a02-bps-assessment", learner="ana"), "ana", "was saved for assignment"),
        (_file(assignment="a05-care-plan", learner="ben"), "ana", "saved by another learner"),
        ({"a05_care_plan.answer.json": b"{oops"}, "ana", "damaged"),
    ],
)
def test_unusable_submitted_answers_fail_in_one_sentence(files, student, phrase):
    with grading_from(files, student, "a05-care-plan"), pytest.raises(AnswerError, match=phrase):
        submitted_answer("a05_care_plan", kind="care_plan", assignment="a05-care-plan")


def test_an_answer_edited_by_hand_is_refused():
    """Does a change to the data after saving (digest kept) make the file ungradable?"""
    record = answer_record(
        "a05_care_plan",
        {"follow_up_weeks": 12},
        kind="care_plan",
        assignment="a05-care-plan",
        learner="ana",
    )
    record["data"]["follow_up_weeks"] = 2
    files = {"a05_care_plan.answer.json": json.dumps(record).encode()}
    with grading_from(files, "ana", "a05-care-plan"), pytest.raises(AnswerError, match="changed"):
        submitted_answer("a05_care_plan", kind="care_plan", assignment="a05-care-plan")


def test_a_binder_answer_without_a_learner_is_accepted(tmp_path, monkeypatch):
    """Where no identity was known when saving (Binder), is the learner check skipped?"""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    folder = tmp_path / "autograded" / "ana" / "a05-care-plan"
    folder.mkdir(parents=True)
    save_answer(
        "a05_care_plan", {"x": 2}, kind="care_plan", assignment="a05-care-plan", folder=folder
    )
    monkeypatch.chdir(folder)
    assert submitted_answer("a05_care_plan", kind="care_plan", assignment="a05-care-plan") == {
        "x": 2
    }


def test_under_nbgrader_the_learner_comes_from_the_autograded_folder(tmp_path, monkeypatch):
    """Under plain nbgrader autograde, is a file saved by another hub user refused?"""
    monkeypatch.setenv("JUPYTERHUB_USER", "ben")
    folder = tmp_path / "autograded" / "ana" / "a05-care-plan"
    folder.mkdir(parents=True)
    save_answer(
        "a05_care_plan", {"x": 2}, kind="care_plan", assignment="a05-care-plan", folder=folder
    )
    monkeypatch.chdir(folder)
    with pytest.raises(AnswerError, match="another learner"):
        submitted_answer("a05_care_plan", kind="care_plan", assignment="a05-care-plan")
