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
