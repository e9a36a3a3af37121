"""Weighted checks for autograder test cells: partial credit with a message a learner can act on.

A test cell builds a ``Checks``, runs each check on a *thunk* (``lambda: learner_function(...)``)
so a learner's exception becomes feedback instead of a traceback, and ends with
``checks.result()``. nbgrader reads that last value as the cell's partial credit
(``utils.determine_grade``: an ``execute_result`` castable to float is the score), and the printed
lines become the feedback. Nothing is written to stderr, because nbgrader gives 0 to any cell that
writes to stderr.

Comparisons accept only plain values of the exact expected type (``type(x) is int``), so an object
whose ``__eq__`` or ``__float__`` lies earns nothing.

Cells of the no-code item formats declare ``after_submit``: the points that hidden checks score
after submission. Their weights are then points, and the learner's own run of the public checks
says "Public checks passed (N points checked now); M more points are checked after you submit"
instead of "All checks passed". A *gate* (:meth:`Checks.gate`, :meth:`Checks.answer`) is a
condition the whole cell depends on: a missing or unusable answer, or a safety-critical omission.
When a gate fails the cell scores 0 with the gate's reason, whatever else is right.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PLAIN_SCALARS = (int, float, str, bool, type(None))


@dataclass
class CheckOutcome:
    """One check's result: points earned of its weight, and the message shown when it fails."""

    weight: float
    earned: float
    message: str


@dataclass
class Checks:
    """Collect the checks of one test cell and report earned points and feedback."""

    points: float
    title: str = ""
    after_submit: float | None = None
    outcomes: list[CheckOutcome] = field(default_factory=list)
    failed_gates: list[str] = field(default_factory=list)

    def answer(self, thunk: Callable[[], Any]) -> Any:
        """Return the learner's answer from ``thunk()``, or ``None`` after failing a gate.

        The gate's reason is the exception's own sentence (an ``AnswerError`` or a
        ``ChoiceError`` says what is wrong with the answer and what to do).
        """
        try:
            return thunk()
        except NotImplementedError:
            self.failed_gates.append("This part is not answered yet.")
        except Exception as exc:
            self.failed_gates.append(_sentence(exc))
        return None

    def gate(self, thunk: Callable[[], Any], message: str) -> bool:
        """A condition the cell depends on: unless ``thunk()`` is exactly True, it scores 0."""
        value, error = _call(thunk)
        passed = error is None and value is True
        if not passed and (not self.failed_gates or message not in self.failed_gates):
            self.failed_gates.append(message)
        return passed

    def credit(self, thunk: Callable[[], Any], weight: float, message: str) -> float:
        """Earn ``weight`` × the fraction ``thunk()`` returns (0 to 1); show ``message`` if < 1.

        For item formats with partial credit (a panel's answer distribution, a share of
        critical actions). The fraction must be a plain number; anything else earns 0.
        """
        value, error = _call(thunk)
        fraction = 0.0
        if error is None and type(value) in (int, float) and math.isfinite(value):
            fraction = min(1.0, max(0.0, float(value)))
        self._record(weight, fraction, message)
        return fraction

    def that(self, thunk: Callable[[], Any], weight: float, message: str) -> bool:
        """Pass when ``thunk()`` returns exactly ``True`` (a real bool, not a truthy object)."""
        value, error = _call(thunk)
        passed = error is None and value is True
        return self._record(weight, passed, message if error is None else f"{message} ({error})")

    def equal(
        self,
        thunk: Callable[[], Any],
        expected: Any,
        weight: float,
        message: str,
        *,
        tolerance: float = 1e-9,
    ) -> bool:
        """Pass when ``thunk()`` equals ``expected`` as plain data (numbers within tolerance)."""
        value, error = _call(thunk)
        if error is not None:
            return self._record(weight, False, f"{message} ({error})")
        return self._record(weight, plain_equal(value, expected, tolerance), message)

    def raises(
        self, thunk: Callable[[], Any], exception: type[BaseException], weight: float, message: str
    ) -> bool:
        """Pass when ``thunk()`` raises ``exception`` (e.g. ValueError on bad input)."""
        try:
            thunk()
        except exception:
            return self._record(weight, True, message)
        except Exception as exc:  # a different error is feedback, not a crash
            return self._record(weight, False, f"{message} (raised {type(exc).__name__} instead)")
        return self._record(weight, False, f"{message} (nothing was raised)")

    def result(self) -> float:
        """Print the feedback and return the points earned, scaled to this cell's points."""
        header = f"{self.title}: " if self.title else ""
        if self.failed_gates:
            print(f"{header}0 of {_fmt(self.points)} points")
            for reason in dict.fromkeys(self.failed_gates):
                print(f"  - {reason}")
            print("  This part scores 0 until that is put right, whatever else is correct.")
            return 0.0
        if self.after_submit is not None:
            return self._result_in_points(header)
        total_weight = sum(o.weight for o in self.outcomes)
        earned_weight = sum(o.earned for o in self.outcomes)
        earned = 0.0 if total_weight == 0 else self.points * earned_weight / total_weight
        earned = round(earned, 2)
        print(f"{header}{_fmt(earned)} of {_fmt(self.points)} points")
        self._print_missed()
        if earned == self.points:
            print("  All checks passed.")
        return earned

    def _result_in_points(self, header: str) -> float:
        """Weights are points; before submission only the public ones have run."""
        checked = sum(o.weight for o in self.outcomes)
        earned = round(min(self.points, sum(o.earned for o in self.outcomes)), 2)
        later = round(self.points - checked, 2)
        if later > 0.005:
            if earned >= checked - 0.005:
                print(
                    f"{header}Public checks passed ({_points(checked)} checked now); "
                    f"{_later(later)} after you submit."
                )
            else:
                print(
                    f"{header}{_fmt(earned)} of the {_points(checked)} checked now; "
                    f"{_later(later)} after you submit."
                )
            self._print_missed()
            return earned
        print(f"{header}{_fmt(earned)} of {_fmt(self.points)} points")
        self._print_missed()
        return earned

    def _print_missed(self) -> None:
        for outcome in self.outcomes:
            if outcome.earned < outcome.weight - 1e-9:
                print(f"  - {outcome.message}")

    def _record(self, weight: float, passed: bool | float, message: str) -> bool:
        """Record a check; ``passed`` is True/False, or the fraction of ``weight`` earned."""
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            msg = f"check weight must be a positive number, got {weight!r}"
            raise ValueError(msg)
        self.outcomes.append(CheckOutcome(weight, weight * float(passed), message))
        return float(passed) == 1.0


def plain_equal(value: Any, expected: Any, tolerance: float = 1e-9) -> bool:
    """Compare as plain data: exact types (int and float interchangeable), recursively."""
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return type(value) is type(expected) and value == expected
    if type(expected) in (int, float):
        if type(value) not in (int, float):
            return False
        if math.isnan(expected):
            return math.isnan(value)
        return math.isclose(value, expected, rel_tol=tolerance, abs_tol=tolerance)
    if type(expected) in (list, tuple):
        return (
            type(value) in (list, tuple)
            and len(value) == len(expected)
            and all(plain_equal(v, e, tolerance) for v, e in zip(value, expected, strict=True))
        )
    if type(expected) is dict:
        return (
            type(value) is dict
            and set(value) == set(expected)
            and all(plain_equal(value[k], expected[k], tolerance) for k in expected)
        )
    if type(expected) in (set, frozenset):
        return type(value) in (set, frozenset) and set(value) == set(expected)
    msg = f"plain_equal cannot compare against {type(expected).__name__}"
    raise TypeError(msg)


def _call(thunk: Callable[[], Any]) -> tuple[Any, str | None]:
    try:
        return thunk(), None
    except NotImplementedError:
        return None, "not answered yet: the cell still raises NotImplementedError"
    except NameError as exc:
        return None, f"{exc}; run the cell that defines it"
    except Exception as exc:
        return None, f"raised {type(exc).__name__}: {str(exc)[:200]}"


def _sentence(exc: BaseException) -> str:
    """The exception's message as one sentence for feedback (never a traceback)."""
    text = " ".join(str(exc).split())[:300]
    return text or f"The answer could not be read ({type(exc).__name__})."


def _points(number: float) -> str:
    number = round(number, 2)
    return f"{_fmt(number)} point" + ("" if number == 1 else "s")


def _later(number: float) -> str:
    verb = "is" if round(number, 2) == 1 else "are"
    return f"{_fmt(round(number, 2))} more {_points(number).split(' ', 1)[1]} {verb} checked"


def _fmt(number: float) -> str:
    return f"{number:g}"
