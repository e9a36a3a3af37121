"""Checks in test cells: partial credit, learner-facing messages, no credit for lying objects."""

from __future__ import annotations

import pytest

from bpscare.grading.checks import Checks, plain_equal


def test_partial_credit_is_weighted(capsys):
    """Do weights turn passed checks into the right share of the cell's points?"""
    checks = Checks(points=3, title="Q1")
    checks.equal(lambda: 2, 2, 1, "one")
    checks.equal(lambda: 3, 4, 2, "three should be four")
    assert checks.result() == 1.0
    out = capsys.readouterr()
    assert "1 of 3 points" in out.out
    assert "three should be four" in out.out
    assert out.err == ""


def test_exceptions_become_feedback_not_tracebacks(capsys):
    """Does a learner's exception turn into one line of feedback?"""
    checks = Checks(points=2)

    def broken():
        raise NotImplementedError

    checks.equal(broken, 1, 1, "answer Part 1")
    checks.equal(lambda: 1 / 0, 1, 1, "no division by zero")
    assert checks.result() == 0.0
    text = capsys.readouterr().out
    assert "not answered yet" in text
    assert "ZeroDivisionError" in text


def test_lying_eq_earns_nothing():
    """Does an object whose __eq__ always says True fail an equality check?"""

    class Liar:
        def __eq__(self, other):
            return True

        def __bool__(self):
            return True

    checks = Checks(points=1)
    checks.equal(lambda: Liar(), 5, 1, "five")
    checks.that(lambda: Liar(), 1, "truthy")
    assert checks.result() == 0.0


def test_int_subclass_is_not_plain():
    class Sneaky(int):
        def __eq__(self, other):
            return True

    assert not plain_equal(Sneaky(3), 5)
    assert not plain_equal(True, 1)


def test_plain_equal_nested_and_tolerance():
    assert plain_equal([1, {"a": 2.0000000001}], [1, {"a": 2}])
    assert not plain_equal([1, 2], [1, 2, 3])
    assert plain_equal(float("nan"), float("nan"))
    assert plain_equal({1, 2}, {2, 1})


def test_raises_check():
    checks = Checks(points=2)
    checks.raises(lambda: int("x"), ValueError, 1, "raise ValueError")
    checks.raises(lambda: 1, ValueError, 1, "must raise")
    assert checks.result() == 1.0


def test_bad_weight_is_rejected():
    with pytest.raises(ValueError, match="weight"):
        Checks(points=1).equal(lambda: 1, 1, 0, "x")


# --- no-code items: gates, fractional credit, truthful public checks -----------------------


def test_public_run_says_how_many_points_are_checked_later(capsys):
    """Before submission, does a cell with hidden points say so instead of 'All checks passed'?"""
    checks = Checks(points=3, title="Item 1", after_submit=3)
    assert checks.answer(lambda: "B") == "B"
    assert checks.result() == 0.0
    out = capsys.readouterr().out
    assert "Public checks passed (0 points checked now); 3 more points are checked after" in out
    assert "All checks passed" not in out


def test_public_points_and_later_points_add_up(capsys):
    """Is a public check worth its weight in points, with the rest announced as later?"""
    checks = Checks(points=4, title="Item", after_submit=3)
    checks.that(lambda: True, 1, "answer saved")
    assert checks.result() == 1.0
    assert "(1 point checked now); 3 more points are checked" in capsys.readouterr().out


def test_after_submission_weights_are_points(capsys):
    """With the hidden checks present, is the score the sum of points earned?"""
    checks = Checks(points=3, title="Item", after_submit=3)
    checks.answer(lambda: "B")
    checks.credit(lambda: 0.5, 2, "the critical actions")
    checks.credit(lambda: 1.0, 1, "the follow-up")
    assert checks.result() == 1.0 + 1.0
    out = capsys.readouterr().out
    assert "2 of 3 points" in out
    assert "the critical actions" in out
    assert "the follow-up" not in out
    assert "more points are checked" not in out


def test_a_failed_gate_scores_zero_whatever_else_is_right(capsys):
    """Does a safety gate zero the cell and give its reason, even when all credit is earned?"""
    checks = Checks(points=6, title="Care plan", after_submit=6)
    checks.credit(lambda: 1.0, 6, "team")
    checks.gate(lambda: False, "Safety: the plan has no response to thoughts of self-harm.")
    assert checks.result() == 0.0
    out = capsys.readouterr().out
    assert "0 of 6 points" in out
    assert "no response to thoughts of self-harm" in out
    assert "scores 0" in out


def test_unreadable_answer_is_a_gate_with_its_own_sentence(capsys):
    """Does checks.answer turn a reader's error into the cell's one-sentence reason?"""
    checks = Checks(points=2, title="Item", after_submit=2)

    def unreadable():
        raise ValueError("No choice was written: put one of A–E between the quotes.")

    answer = checks.answer(unreadable)
    assert answer is None
    checks.credit(lambda: answer["x"], 2, "concept")  # later checks fail quietly
    assert checks.result() == 0.0
    out = capsys.readouterr().out
    assert "No choice was written" in out
    assert "concept" not in out
    assert "Traceback" not in out


def test_credit_accepts_only_plain_fractions():
    """Does a fraction that is not a plain finite number earn nothing, and is it clamped?"""

    class Liar(float):
        pass

    checks = Checks(points=3, after_submit=3)
    assert checks.credit(lambda: Liar(1.0), 1, "a") == 0.0
    assert checks.credit(lambda: float("nan"), 1, "b") == 0.0
    assert checks.credit(lambda: 7, 1, "c") == 1.0
    assert [o.earned for o in checks.outcomes] == [0.0, 0.0, 1.0]


def test_one_point_later_is_singular(capsys):
    checks = Checks(points=1, title="Item", after_submit=1)
    checks.answer(lambda: "A")
    checks.result()
    assert "(0 points checked now); 1 more point is checked after you submit." in (
        capsys.readouterr().out
    )
