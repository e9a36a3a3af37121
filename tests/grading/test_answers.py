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
        (json.dumps({"bpscare_answer": 1, "name": "other", "data": 1}), "holds the answer 'other'"),
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
