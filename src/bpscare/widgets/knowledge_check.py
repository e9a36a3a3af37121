"""Formative knowledge checks for lessons: one question, radio options, instant feedback.

A knowledge check is a plain :class:`KnowledgeCheck` (question, options, the correct option and
one explanation per option) scored by the pure function :func:`evaluate_choice`; the view
:class:`KnowledgeCheckView` only wires radio buttons and a Check button to it.

The correct answer and the explanations live in plain Python attributes, never in a synced
trait: the learner edition runs in the browser, and anything in ``get_state()`` can be read in
the page source. The feedback for an option appears only after the learner checks it.

Feedback design follows formative-assessment practice: an explanation for every option (why it
is right, or what it misses), another try after a wrong answer, and the worked answer revealed
only after a set number of attempts, so that the check stays a learning moment rather than a
test (Hattie & Timperley, Rev Educ Res 2007;77:81-112, feedback on the task and the process).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as widgets

from bpscare.widgets.common import feedback_html
from bpscare.widgets.page import page_support

__all__ = [
    "CheckResult",
    "KnowledgeCheck",
    "KnowledgeCheckView",
    "evaluate_choice",
    "knowledge_check",
    "make_check",
]


@dataclass(frozen=True)
class KnowledgeCheck:
    """One multiple-choice question with a single correct option and per-option explanations.

    Build it with :func:`make_check`, which validates the inputs and accepts the answer as an
    option text or an index.

    Attributes
    ----------
    question
        The question as the learner reads it.
    options
        The option texts, in display order (at least two, all different).
    answer
        Index of the correct option in ``options``.
    explanations
        One explanation per option (``""`` where none was given), shown after a check.
    reveal_after
        Number of wrong attempts after which the feedback also shows the correct option and
        its explanation; ``None`` never reveals it.
    """

    question: str
    options: tuple[str, ...]
    answer: int
    explanations: tuple[str, ...]
    reveal_after: int | None = 2

    def __post_init__(self) -> None:
        if not isinstance(self.question, str) or not self.question.strip():
            msg = f"knowledge check question must be a non-empty string, got {self.question!r}"
            raise ValueError(msg)
        if len(self.options) < 2:
            msg = (
                f"knowledge check {self.question!r}: options must list at least 2 choices, "
                f"got {list(self.options)!r}"
            )
            raise ValueError(msg)
        for option in self.options:
            if not isinstance(option, str) or not option.strip():
                msg = (
                    f"knowledge check {self.question!r}: every option must be a non-empty "
                    f"string, got {option!r}"
                )
                raise ValueError(msg)
        if len(set(self.options)) != len(self.options):
            msg = (
                f"knowledge check {self.question!r}: options must all be different, "
                f"got {list(self.options)!r}"
            )
            raise ValueError(msg)
        if not 0 <= self.answer < len(self.options):
            msg = (
                f"knowledge check {self.question!r}: answer index {self.answer!r} is out of "
                f"range; allowed: 0 to {len(self.options) - 1}"
            )
            raise ValueError(msg)
        if len(self.explanations) != len(self.options):
            msg = (
                f"knowledge check {self.question!r}: got {len(self.explanations)} "
                f"explanations for {len(self.options)} options; give one per option"
            )
            raise ValueError(msg)
        if self.reveal_after is not None and self.reveal_after < 1:
            msg = (
                f"knowledge check {self.question!r}: reveal_after must be None or >= 1, "
                f"got {self.reveal_after!r}"
            )
            raise ValueError(msg)

    @property
    def correct_option(self) -> str:
        """The text of the correct option."""
        return self.options[self.answer]


@dataclass(frozen=True)
class CheckResult:
    """The feedback for one attempt, ready to render with ``feedback_html``.

    Attributes
    ----------
    correct
        ``True`` if the chosen option is the correct one; ``None`` if nothing was chosen.
    level
        ``"success"``, ``"warning"`` or ``"info"`` (a ``bpscare.widgets.common`` style).
    title
        A short verdict, e.g. ``"Correct"``; meaning never relies on colour alone.
    messages
        The explanation(s) to show, in order.
    """

    correct: bool | None
    level: str
    title: str
    messages: tuple[str, ...]


def _resolve_answer(options: Sequence[str], answer: int | str) -> int:
    if isinstance(answer, bool):
        msg = f"answer must be an option text or an index, got {answer!r}"
        raise ValueError(msg)
    if isinstance(answer, int):
        if not 0 <= answer < len(options):
            msg = f"answer index {answer!r} is out of range; allowed: 0 to {len(options) - 1}"
            raise ValueError(msg)
        return answer
    if isinstance(answer, str):
        if answer not in options:
            msg = f"answer {answer!r} is not one of the options; allowed: {list(options)!r}"
            raise ValueError(msg)
        return list(options).index(answer)
    msg = f"answer must be an option text or an index, got {type(answer).__name__}: {answer!r}"
    raise ValueError(msg)


def _resolve_explanations(
    options: Sequence[str], explanations: Mapping[str, str] | Sequence[str] | None
) -> tuple[str, ...]:
    if explanations is None:
        return tuple("" for _ in options)
    if isinstance(explanations, Mapping):
        unknown = [key for key in explanations if key not in options]
        if unknown:
            msg = (
                f"explanations name options that do not exist: {unknown!r}; "
                f"allowed: {list(options)!r}"
            )
            raise ValueError(msg)
        return tuple(str(explanations.get(option, "")) for option in options)
    if isinstance(explanations, str):
        msg = f"explanations must be a list (one per option) or a mapping, got {explanations!r}"
        raise ValueError(msg)
    values = tuple(str(text) for text in explanations)
    if len(values) != len(options):
        msg = (
            f"got {len(values)} explanations for {len(options)} options; give one per option "
            "or a mapping {option: explanation}"
        )
        raise ValueError(msg)
    return values


def make_check(
    question: str,
    options: Sequence[str],
    answer: int | str,
    explanations: Mapping[str, str] | Sequence[str] | None = None,
    *,
    reveal_after: int | None = 2,
) -> KnowledgeCheck:
    """Build a validated :class:`KnowledgeCheck` from lesson-friendly inputs.

    Parameters
    ----------
    question
        The question text.
    options
        Option texts in display order.
    answer
        The correct option, as its text or its index in ``options``.
    explanations
        One explanation per option, as a list in option order or a mapping
        ``{option text: explanation}`` (options left out get no explanation).
    reveal_after
        Wrong attempts after which the correct option is shown (``None``: never).

    Returns
    -------
    KnowledgeCheck

    Raises
    ------
    ValueError
        If the answer is not an option, the explanations do not match the options, or the
        question or options are empty or duplicated.
    """
    if isinstance(options, str):
        msg = f"options must be a list of option texts, got the string {options!r}"
        raise ValueError(msg)
    option_tuple = tuple(options)
    index = _resolve_answer(option_tuple, answer)
    return KnowledgeCheck(
        question=question,
        options=option_tuple,
        answer=index,
        explanations=_resolve_explanations(option_tuple, explanations),
        reveal_after=reveal_after,
    )


def evaluate_choice(check: KnowledgeCheck, choice: int | None, attempts: int = 1) -> CheckResult:
    """Return the feedback for choosing option ``choice`` on the ``attempts``-th try.

    A correct choice gets its explanation. A wrong choice gets that option's explanation and an
    invitation to try again; once ``attempts`` reaches ``check.reveal_after`` wrong tries, the
    correct option and its explanation are shown too.

    Parameters
    ----------
    check
        The knowledge check.
    choice
        Index of the chosen option, or ``None`` if nothing is selected.
    attempts
        How many wrong-or-right checks the learner has made, counting this one (>= 1).

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``choice`` is not ``None`` or a valid option index, or ``attempts`` < 1.
    """
    if attempts < 1:
        msg = f"attempts must be >= 1, got {attempts!r}"
        raise ValueError(msg)
    if choice is None:
        return CheckResult(None, "info", "Choose an option first", ())
    if isinstance(choice, bool) or not isinstance(choice, int):
        msg = f"choice must be an option index or None, got {choice!r}"
        raise ValueError(msg)
    if not 0 <= choice < len(check.options):
        msg = f"choice {choice!r} is out of range; allowed: 0 to {len(check.options) - 1}"
        raise ValueError(msg)
    chosen_explanation = check.explanations[choice]
    if choice == check.answer:
        messages = (chosen_explanation,) if chosen_explanation else ()
        return CheckResult(True, "success", "Correct", messages)
    messages_list = []
    if chosen_explanation:
        messages_list.append(chosen_explanation)
    if check.reveal_after is not None and attempts >= check.reveal_after:
        reveal = f"The best answer is: {check.correct_option}"
        right_explanation = check.explanations[check.answer]
        messages_list.append(f"{reveal}. {right_explanation}" if right_explanation else reveal)
    else:
        messages_list.append("Have another look and try again.")
    return CheckResult(False, "warning", "Not quite", tuple(messages_list))


class KnowledgeCheckView(widgets.VBox):
    """Radio options under a visible question, a Check button and an accessible feedback line.

    The view holds no logic: it passes the selected index and the attempt count to the injected
    ``evaluate`` function and renders the result into ``feedback.value``. The check (with the
    correct answer) is kept in the plain attribute ``check``, not in a synced trait.
    """

    def __init__(
        self,
        check: KnowledgeCheck,
        *,
        evaluate: Callable[[KnowledgeCheck, int | None, int], CheckResult] = evaluate_choice,
    ) -> None:
        self.check = check
        self._evaluate = evaluate
        self.attempts = 0
        self.last_result: CheckResult | None = None
        self.question = widgets.HTML(
            f"<p style='margin:4px 0;font-weight:600'>{html.escape(check.question)}</p>"
        )
        self.choices = widgets.RadioButtons(
            options=[(text, index) for index, text in enumerate(check.options)],
            value=None,
            description="Your answer:",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self.button = widgets.Button(
            description="Check",
            icon="check",
            button_style="primary",
            tooltip="Check your answer and see why",
        )
        self.feedback = widgets.HTML(value="")
        self.button.on_click(self._on_check)
        super().__init__(
            page_support(self, [self.question, self.choices, self.button, self.feedback])
        )

    def _on_check(self, _button: widgets.Button | None = None) -> None:
        choice = self.choices.value
        if choice is not None:
            self.attempts += 1
        result = self._evaluate(self.check, choice, max(self.attempts, 1))
        self.last_result = result
        self.feedback.value = feedback_html(list(result.messages), result.level, result.title)


def knowledge_check(
    question: str,
    options: Sequence[str],
    answer: int | str,
    explanations: Mapping[str, str] | Sequence[str] | None = None,
    *,
    reveal_after: int | None = 2,
) -> KnowledgeCheckView:
    """Return a ready-to-display knowledge check (one line in a lesson cell).

    Parameters
    ----------
    question
        The question text.
    options
        Option texts in display order.
    answer
        The correct option, as its text or its index.
    explanations
        One explanation per option (list in option order, or ``{option: explanation}``).
    reveal_after
        Wrong attempts after which the correct option is shown (``None``: never).

    Returns
    -------
    KnowledgeCheckView

    Examples
    --------
    >>> view = knowledge_check("2 + 2?", ["3", "4"], "4", ["Off by one.", "Yes."])
    >>> view.choices.value = 1
    >>> view.button.click()
    >>> view.last_result.correct
    True
    """
    check = make_check(question, options, answer, explanations, reveal_after=reveal_after)
    return KnowledgeCheckView(check)
