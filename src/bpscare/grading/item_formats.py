"""Scoring rules of the no-code item formats: the learner chooses, the library computes.

Every required graded point of the course is answered without code: one line naming a choice
(``answer = "C"``), a list of choices (``answer = "B, D"``), an order (``answer = "C, A, D, B"``),
or an answer a widget saved. These functions read those answers and score them by the rules of
clinical assessment (sources in ``../shared/reference/assessment-formats.md`` and
``docs/item-formats.md``):

- :func:`key_feature_credit`: key-feature problems (Page & Bordage, *Acad Med* 1995;70:104–110):
  the share of the critical actions chosen; choosing more than "up to N" scores 0.
- :func:`concordance_credit`: script-concordance items, aggregate scoring (Charlin et al.,
  *Teach Learn Med* 2000;12:189–195): panel members who chose the answer ÷ those who chose
  the modal answer.
- :func:`matching_credit`: extended matching (Case & Swanson, NBME 2002): the share of vignettes
  matched to an acceptable option.
- :func:`ordering_credit`: a prioritized list: the share of the key's pairs kept in order.
- :func:`panel_placement_credit`: a sorting task (the formulation grid) scored like an SCT: per
  finding, the panel's placements in the learner's cell ÷ the modal cell's.
- :func:`coding_credit`: transcript coding: the share of utterances given a code the expert
  panel accepts (the agreement statistic itself is :func:`bpscare.api.cohen_kappa`).

Readers raise :class:`ChoiceError` with one sentence a learner can act on; a tests cell turns it
into a gate (``checks.answer``), so a blank or malformed answer scores 0 with that reason.
Keys never appear in a message these functions write.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

__all__ = [
    "SCT_SCALE",
    "ChoiceError",
    "coding_credit",
    "concordance_credit",
    "harmful_choices",
    "key_feature_credit",
    "matching_credit",
    "ordering_credit",
    "panel_placement_credit",
    "read_choice",
    "read_choices",
    "read_order",
]

#: The five points of a script-concordance scale, as a learner writes them.
SCT_SCALE = ("-2", "-1", "0", "+1", "+2")
_SEPARATORS = re.compile(r"[\s,;/]+")


class ChoiceError(ValueError):
    """A written choice cannot be read; the message says what to write instead."""

    def _render_traceback_(self) -> list[str]:
        return [f"ChoiceError: {self}"]


def _options(options: str | Sequence[str]) -> tuple[str, ...]:
    found = tuple(options)
    if not found or len(set(found)) != len(found):
        msg = f"options must be distinct and non-empty, got {options!r}"
        raise ValueError(msg)
    return found


def _describe(options: tuple[str, ...]) -> str:
    if all(len(o) == 1 for o in options) and len(options) > 3:
        return f"{options[0]}–{options[-1]}"
    return ", ".join(options)


def _normalise(token: str, options: tuple[str, ...]) -> str:
    token = token.strip().strip("\"'.()[]").strip()
    if token in options:
        return token
    if token.upper() in options:
        return token.upper()
    if token.lstrip("+") in options:  # "+1" written as "1" on an SCT scale is ambiguous
        return token.lstrip("+")
    if f"+{token}" in options and token not in ("0",):
        return f"+{token}"
    return token


def _text(value: object) -> str:
    if value is None:
        return ""
    if type(value) is int:  # an SCT answer written without quotes: answer = -1
        return f"{value:+d}" if value else "0"
    if type(value) is not str:
        msg = (
            f'The answer should be text between quotes, such as "C", not a {type(value).__name__}.'
        )
        raise ChoiceError(msg)
    return value


def read_choice(value: object, options: str | Sequence[str]) -> str:
    """Read one choice (``"c"``, ``" C "`` and ``"C."`` all read as ``"C"``)."""
    opts = _options(options)
    text = _text(value).strip()
    if not text:
        msg = f"No choice was written: put one of {_describe(opts)} between the quotes."
        raise ChoiceError(msg)
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if len(tokens) != 1:
        msg = f"Write exactly one choice from {_describe(opts)}, not {len(tokens)}."
        raise ChoiceError(msg)
    choice = _normalise(tokens[0], opts)
    if choice not in opts:
        msg = f"{tokens[0][:20]!r} is not one of the options {_describe(opts)}."
        raise ChoiceError(msg)
    return choice


def read_choices(value: object, options: str | Sequence[str]) -> tuple[str, ...]:
    """Read a list of choices (``"B, D"``, ``"b d"``), in the order written, without repeats."""
    opts = _options(options)
    text = _text(value).strip()
    tokens = [t for t in _SEPARATORS.split(text) if t.strip("\"'.()[]")]
    if not tokens:
        example = ", ".join(opts[1:3] if len(opts) > 2 else opts[:2])
        msg = f'No choice was written: list your choices from {_describe(opts)}, e.g. "{example}".'
        raise ChoiceError(msg)
    chosen = []
    for token in tokens:
        choice = _normalise(token, opts)
        if choice not in opts:
            msg = f"{token[:20]!r} is not one of the options {_describe(opts)}."
            raise ChoiceError(msg)
        if choice not in chosen:
            chosen.append(choice)
    return tuple(chosen)


def read_order(value: object, options: str | Sequence[str]) -> tuple[str, ...]:
    """Read an order that lists every option exactly once (``"C, A, D, B"``)."""
    opts = _options(options)
    text = _text(value).strip()
    tokens = [t for t in _SEPARATORS.split(text) if t.strip("\"'.()[]")]
    order = [_normalise(t, opts) for t in tokens]
    unknown = [t for t in order if t not in opts]
    if unknown:
        msg = f"{unknown[0][:20]!r} is not one of the options {_describe(opts)}."
        raise ChoiceError(msg)
    if len(order) != len(opts) or set(order) != set(opts):
        msg = (
            f"List every option {_describe(opts)} exactly once, most urgent first "
            f"({len(set(order))} of {len(opts)} listed)."
        )
        raise ChoiceError(msg)
    return tuple(order)


def key_feature_credit(
    chosen: Collection[str], critical: Collection[str], *, select_up_to: int
) -> float:
    """Share of the critical actions chosen; 0 when more than ``select_up_to`` are chosen."""
    critical_set = set(critical)
    if not critical_set or select_up_to < len(critical_set):
        msg = "a key-feature key needs critical actions, and room to choose them all"
        raise ValueError(msg)
    picked = set(chosen)
    if len(picked) > select_up_to:
        return 0.0
    return len(picked & critical_set) / len(critical_set)


def harmful_choices(chosen: Collection[str], harmful: Collection[str]) -> tuple[str, ...]:
    """The chosen options the key marks as harmful (a gate: any one fails the item)."""
    return tuple(sorted(set(chosen) & set(harmful)))


def concordance_credit(answer: str, panel: Mapping[str, int]) -> float:
    """Aggregate SCT credit: panel members who chose ``answer`` ÷ those who chose the mode."""
    counts = {str(k): int(v) for k, v in panel.items()}
    if any(v < 0 for v in counts.values()) or max(counts.values(), default=0) <= 0:
        msg = "a script-concordance panel needs at least one answer"
        raise ValueError(msg)
    return counts.get(answer, 0) / max(counts.values())


def matching_credit(answers: Mapping[str, str], key: Mapping[str, str | Collection[str]]) -> float:
    """Share of the key's vignettes whose answer is an acceptable option."""
    if not key:
        msg = "an extended-matching key needs at least one vignette"
        raise ValueError(msg)
    right = 0
    for vignette, accepted in key.items():
        accepted_set = {accepted} if isinstance(accepted, str) else set(accepted)
        right += answers.get(vignette) in accepted_set
    return right / len(key)


def ordering_credit(order: Sequence[str], key_order: Sequence[str]) -> float:
    """Share of the key's ordered pairs that ``order`` keeps in the same order."""
    position = {item: i for i, item in enumerate(order)}
    pairs = [(a, b) for i, a in enumerate(key_order) for b in key_order[i + 1 :]]
    if not pairs:
        msg = "an ordering key needs at least two items"
        raise ValueError(msg)
    kept = sum(1 for a, b in pairs if a in position and b in position and position[a] < position[b])
    return kept / len(pairs)


def panel_placement_credit(
    placements: Mapping[str, str], panel: Mapping[str, Mapping[str, int]]
) -> float:
    """Mean over the panel's findings of (panel members in the learner's cell ÷ modal count)."""
    if not panel:
        msg = "a placement panel needs at least one finding"
        raise ValueError(msg)
    total = 0.0
    for finding, cells in panel.items():
        total += concordance_credit(str(placements.get(finding, "")), cells)
    return total / len(panel)


def coding_credit(codes: Mapping[str, str], accepted: Mapping[str, str | Collection[str]]) -> float:
    """Share of the expert-coded utterances given a code the panel accepts."""
    return matching_credit(codes, accepted)
