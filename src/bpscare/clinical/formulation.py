"""The 4P x biopsychosocial formulation grid, and feedback comparing learner and expert grids.

A formulation sorts a person's findings into twelve cells: four "P"s (predisposing,
precipitating, perpetuating, protective) crossed with three domains (biological, psychological,
social). Bolton's four questions name the rows: why vulnerable? why now? why still? why not
worse? (Bolton, Philos Psychiatr Psychol 2014;21:179-189; PsychDB "Biopsychosocial case
formulation"; the domains are Engel's, Science 1977;196:129-136).

:func:`compare` scores a learner's grid against the expert grid of a case cell by cell
(precision and recall, as in information retrieval), lists what is missing, misplaced or extra,
and writes learner-facing messages that name each finding's text and the cells involved.
:func:`score` turns the comparison into partial credit for nbgrader.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

__all__ = [
    "CELLS",
    "DOMAINS",
    "FOUR_PS",
    "Cell",
    "Formulation",
    "FormulationFeedback",
    "Misplacement",
    "cell_label",
    "compare",
    "score",
]

FOUR_PS = ("predisposing", "precipitating", "perpetuating", "protective")
DOMAINS = ("biological", "psychological", "social")

Cell = tuple[str, str]
"""A grid cell: ``(p, domain)``, e.g. ``("perpetuating", "social")``."""

CELLS: tuple[Cell, ...] = tuple((p, d) for p in FOUR_PS for d in DOMAINS)

# Bolton's questions (Philos Psychiatr Psychol 2014), in learner-facing words.
P_MEANING = MappingProxyType(
    {
        "predisposing": "it made the person vulnerable before this began: why vulnerable?",
        "precipitating": "it triggered this episode: why now?",
        "perpetuating": "it keeps the symptoms going: why still?",
        "protective": "it is a strength that limits the problem: why not worse?",
    }
)
DOMAIN_MEANING = MappingProxyType(
    {
        "biological": "the body, illness, medicines and physiology",
        "psychological": "thoughts, feelings, beliefs, coping and behaviour",
        "social": "relationships, work, money, housing, culture and the care system",
    }
)


def cell_label(cell: Cell) -> str:
    """Return a cell as learners read it, e.g. ``"perpetuating–social"``."""
    return f"{cell[0]}–{cell[1]}"


def _check_p(p: object) -> str:
    if p not in FOUR_PS:
        msg = f"unknown P {p!r} in formulation; allowed: {', '.join(FOUR_PS)}"
        raise ValueError(msg)
    return str(p)


def _check_domain(domain: object, p: str) -> str:
    if domain not in DOMAINS:
        msg = f"unknown domain {domain!r} under {p!r}; allowed: {', '.join(DOMAINS)}"
        raise ValueError(msg)
    return str(domain)


def _check_ids(ids: object, where: str) -> frozenset[str]:
    if isinstance(ids, str) or not isinstance(ids, Iterable):
        msg = f"{where} must be a list of finding ids (strings), got {ids!r}"
        raise ValueError(msg)
    checked = []
    for item in ids:
        if not isinstance(item, str) or not item.strip():
            msg = f"{where}: finding ids must be non-empty strings, got {item!r}"
            raise ValueError(msg)
        checked.append(item.strip())
    return frozenset(checked)


@dataclass(frozen=True, eq=False)
class Formulation:
    """A 4P x BPS grid: a mapping from ``(p, domain)`` to the finding ids placed in that cell.

    Every one of the twelve cells is present (empty cells hold an empty frozenset). Two
    formulations are equal when they place the same findings in the same cells.

    Parameters
    ----------
    cells
        Mapping from ``(p, domain)`` to finding ids. Missing cells are empty.

    Raises
    ------
    ValueError
        An unknown P or domain (the message lists the allowed values) or a finding id that is
        not a non-empty string.
    """

    cells: Mapping[Cell, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.cells, Mapping):
            msg = f"cells must be a mapping of (p, domain) to finding ids, got {self.cells!r}"
            raise ValueError(msg)
        full: dict[Cell, frozenset[str]] = dict.fromkeys(CELLS, frozenset())
        for key, ids in self.cells.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                msg = f"cell keys must be (p, domain) pairs, got {key!r}"
                raise ValueError(msg)
            p = _check_p(key[0])
            domain = _check_domain(key[1], p)
            full[(p, domain)] = _check_ids(ids, f"{p}.{domain}")
        object.__setattr__(self, "cells", MappingProxyType(full))

    # Construction ------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> Formulation:
        """Return a grid with all twelve cells empty (the learner's starting point)."""
        return cls({})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Formulation:
        """Build a grid from the nested form used in case files and widgets.

        Parameters
        ----------
        data
            ``{p: {domain: [finding ids]}}``; missing Ps, domains or ``None`` lists are empty.

        Returns
        -------
        Formulation

        Raises
        ------
        ValueError
            Unknown P or domain, or ids that are not strings.

        Examples
        --------
        >>> f = Formulation.from_dict({"perpetuating": {"social": ["f-mistrust"]}})
        >>> sorted(f.cell("perpetuating", "social"))
        ['f-mistrust']
        """
        if data is None:
            return cls.empty()
        if not isinstance(data, Mapping):
            msg = f"formulation must be a mapping of P -> domain -> ids, got {data!r}"
            raise ValueError(msg)
        cells: dict[Cell, frozenset[str]] = {}
        for p, row in data.items():
            p_name = _check_p(p)
            if row is None:
                continue
            if not isinstance(row, Mapping):
                msg = f"formulation[{p_name!r}] must map domains to lists of ids, got {row!r}"
                raise ValueError(msg)
            for domain, ids in row.items():
                d_name = _check_domain(domain, p_name)
                cells[(p_name, d_name)] = _check_ids(ids or [], f"{p_name}.{d_name}")
        return cls(cells)

    def to_dict(self) -> dict[str, dict[str, list[str]]]:
        """Return the nested form ``{p: {domain: sorted ids}}`` with every cell present."""
        return {p: {d: sorted(self.cells[(p, d)]) for d in DOMAINS} for p in FOUR_PS}

    # Queries ----------------------------------------------------------------------------
    def cell(self, p: str, domain: str) -> frozenset[str]:
        """Return the finding ids in one cell (validating the names)."""
        p_name = _check_p(p)
        return self.cells[(p_name, _check_domain(domain, p_name))]

    def placements(self) -> frozenset[tuple[str, str, str]]:
        """Return every placement as ``(p, domain, finding_id)``."""
        return frozenset((p, d, f) for (p, d), ids in self.cells.items() for f in ids)

    def findings(self) -> frozenset[str]:
        """Return the ids placed anywhere in the grid."""
        return frozenset(f for ids in self.cells.values() for f in ids)

    def cells_of(self, finding_id: str) -> tuple[Cell, ...]:
        """Return the cells (in grid order) where ``finding_id`` is placed."""
        return tuple(c for c in CELLS if finding_id in self.cells[c])

    def with_placement(self, finding_id: str, p: str, domain: str) -> Formulation:
        """Return a new grid with ``finding_id`` added to one cell (widgets use this)."""
        p_name = _check_p(p)
        cell = (p_name, _check_domain(domain, p_name))
        cells = dict(self.cells)
        cells[cell] = cells[cell] | _check_ids([finding_id], cell_label(cell))
        return Formulation(cells)

    def without(self, finding_id: str) -> Formulation:
        """Return a new grid with ``finding_id`` removed from every cell."""
        return Formulation({c: ids - {finding_id} for c, ids in self.cells.items()})

    def __len__(self) -> int:
        return sum(len(ids) for ids in self.cells.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Formulation):
            return NotImplemented
        return self.placements() == other.placements()

    def __hash__(self) -> int:
        return hash(self.placements())

    def __repr__(self) -> str:
        filled = {cell_label(c): sorted(ids) for c, ids in self.cells.items() if ids}
        return f"Formulation({filled})"


class Misplacement(NamedTuple):
    """A finding the learner put in a different cell from the expert."""

    finding: str
    learner_cell: Cell
    expert_cell: Cell


@dataclass(frozen=True)
class FormulationFeedback:
    """How a learner's grid compares with the expert grid, with messages for the learner.

    Attributes
    ----------
    cell_precision
        Per cell: correct placements / learner placements in that cell. ``None`` when the
        learner left the cell empty (precision is undefined: nothing was claimed).
    cell_recall
        Per cell: correct placements / expert placements in that cell. ``None`` when the
        expert cell is empty (recall is undefined: nothing was there to find).
    precision, recall
        Micro-averaged over all cells (totals, not a mean of cells). ``precision`` is ``None``
        if the learner placed nothing; ``recall`` is ``None`` if the expert grid is empty.
    f1
        ``2 * correct / (learner placements + expert placements)``, the harmonic mean of
        precision and recall when both are defined; 0.0 when only one grid is empty, and 1.0
        when both are empty (they agree).
    correct, learner_total, expert_total
        The counts behind the micro averages.
    missing
        Expert findings the learner did not place anywhere.
    misplaced
        Findings the learner placed in a cell where the expert did not, paired with an expert
        cell for the same finding.
    also_belongs
        ``(finding, expert cell)`` for findings the learner placed correctly somewhere but that
        the expert also places in a further cell the learner left out.
    extra
        Findings the learner placed that are not in the expert grid at all.
    messages
        Learner-facing feedback sentences, summary first.
    """

    cell_precision: Mapping[Cell, float | None]
    cell_recall: Mapping[Cell, float | None]
    precision: float | None
    recall: float | None
    f1: float
    correct: int
    learner_total: int
    expert_total: int
    missing: tuple[str, ...]
    misplaced: tuple[Misplacement, ...]
    also_belongs: tuple[tuple[str, Cell], ...]
    extra: tuple[str, ...]
    messages: tuple[str, ...]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _quote(finding: str, findings: Mapping[str, str] | None) -> str:
    text = findings.get(finding, finding) if findings else finding
    return f"‘{text}’"


def _where_it_belongs(expert: Cell) -> str:
    p, domain = expert
    return f"a {p} factor ({P_MEANING[p]}) in the {domain} domain ({DOMAIN_MEANING[domain]})"


def _misplaced_message(m: Misplacement, findings: Mapping[str, str] | None) -> str:
    name = _quote(m.finding, findings)
    (lp, ld), (ep, ed) = m.learner_cell, m.expert_cell
    if lp != ep and ld == ed:
        return (
            f"{name} is a {ep} factor ({P_MEANING[ep]}); you placed it under {lp}. "
            f"Move it to {cell_label(m.expert_cell)}."
        )
    if lp == ep:
        return (
            f"{name} belongs to the {ed} domain ({DOMAIN_MEANING[ed]}), not {ld}. "
            f"Move it from {cell_label(m.learner_cell)} to {cell_label(m.expert_cell)}."
        )
    return (
        f"{name} is {_where_it_belongs(m.expert_cell)}; you placed it under "
        f"{cell_label(m.learner_cell)}. Move it to {cell_label(m.expert_cell)}."
    )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def compare(
    learner: Formulation,
    expert: Formulation,
    findings: Mapping[str, str] | None = None,
    *,
    reveal_expert: bool = True,
) -> FormulationFeedback:
    """Compare a learner's formulation grid with the expert grid, cell by cell.

    A placement is correct when the learner puts a finding in a cell where the expert also has
    it. Per-cell and overall (micro) precision and recall follow from the counts; see
    :class:`FormulationFeedback` for how empty cells and empty grids are handled. The 4P rows
    follow Bolton (Philos Psychiatr Psychol 2014;21:179-189) and PsychDB's biopsychosocial
    formulation grid.

    Parameters
    ----------
    learner, expert
        The two grids.
    findings
        Optional ``{finding id: text}`` so messages quote the finding as the learner saw it
        (``Case.findings_by_id()`` gives this); without it, messages use the ids.
    reveal_expert
        If ``True`` (default), messages about missing findings say where they belong; if
        ``False`` they give Bolton's four questions as a hint instead (for a first attempt).

    Returns
    -------
    FormulationFeedback

    Raises
    ------
    ValueError
        If either grid is not a :class:`Formulation`.

    Examples
    --------
    >>> expert = Formulation.from_dict({"perpetuating": {"psychological": ["f-avoid"]}})
    >>> learner = Formulation.from_dict({"precipitating": {"psychological": ["f-avoid"]}})
    >>> fb = compare(learner, expert, {"f-avoid": "Avoids walking since the ED visit"})
    >>> fb.misplaced[0].expert_cell
    ('perpetuating', 'psychological')
    >>> print(fb.messages[1])  # doctest: +NORMALIZE_WHITESPACE
    ‘Avoids walking since the ED visit’ is a perpetuating factor (it keeps the symptoms going:
    why still?); you placed it under precipitating. Move it to perpetuating–psychological.
    """
    for name, grid in (("learner", learner), ("expert", expert)):
        if not isinstance(grid, Formulation):
            msg = f"{name} must be a Formulation, got {type(grid).__name__}: {grid!r}"
            raise ValueError(msg)

    cell_precision: dict[Cell, float | None] = {}
    cell_recall: dict[Cell, float | None] = {}
    correct = learner_total = expert_total = 0
    for cell in CELLS:
        placed, wanted = learner.cells[cell], expert.cells[cell]
        hits = len(placed & wanted)
        cell_precision[cell] = _ratio(hits, len(placed))
        cell_recall[cell] = _ratio(hits, len(wanted))
        correct += hits
        learner_total += len(placed)
        expert_total += len(wanted)

    precision = _ratio(correct, learner_total)
    recall = _ratio(correct, expert_total)
    denominator = learner_total + expert_total
    f1 = 1.0 if denominator == 0 else 2 * correct / denominator

    learner_ids, expert_ids = learner.findings(), expert.findings()
    missing = tuple(sorted(expert_ids - learner_ids))
    extra = tuple(sorted(learner_ids - expert_ids))
    misplaced: list[Misplacement] = []
    also_belongs: list[tuple[str, Cell]] = []
    for finding in sorted(learner_ids & expert_ids):
        learner_cells = learner.cells_of(finding)
        expert_cells = expert.cells_of(finding)
        wrong = [c for c in learner_cells if c not in expert_cells]
        uncovered = [c for c in expert_cells if c not in learner_cells]
        for index, cell in enumerate(wrong):
            target = uncovered[index] if index < len(uncovered) else expert_cells[0]
            misplaced.append(Misplacement(finding, cell, target))
        also_belongs.extend((finding, c) for c in uncovered[len(wrong) :])

    messages = [
        f"You placed {correct} of {expert_total} expert placements correctly "
        f"(precision {_fmt(precision)}, recall {_fmt(recall)}, F1 {f1:.2f})."
    ]
    for m in misplaced:
        if m.expert_cell in learner.cells_of(m.finding):
            messages.append(
                f"{_quote(m.finding, findings)} belongs under {cell_label(m.expert_cell)} "
                f"only; remove it from {cell_label(m.learner_cell)}."
            )
        else:
            messages.append(_misplaced_message(m, findings))
    for finding, cell in also_belongs:
        messages.append(
            f"{_quote(finding, findings)} is also {_where_it_belongs(cell)}: add it to "
            f"{cell_label(cell)} as well."
        )
    for finding in missing:
        if reveal_expert:
            cells = " and ".join(cell_label(c) for c in expert.cells_of(finding))
            first = expert.cells_of(finding)[0]
            messages.append(
                f"You did not place {_quote(finding, findings)}. It is "
                f"{_where_it_belongs(first)}: it belongs under {cells}."
            )
        else:
            messages.append(
                f"You did not place {_quote(finding, findings)}. Ask of it: does it explain why "
                "this person was vulnerable, why now, why the symptoms persist, or why things "
                "are not worse?"
            )
    for finding in extra:
        cells = " and ".join(cell_label(c) for c in learner.cells_of(finding))
        messages.append(
            f"{_quote(finding, findings)} (under {cells}) is not part of the expert "
            "formulation for this case. Check whether it answers why vulnerable, why now, why "
            "still or why not worse; if not, leave it out."
        )
    if not misplaced and not missing and not extra and not also_belongs and expert_total:
        messages.append("Every finding is in the same cell as the expert formulation.")

    return FormulationFeedback(
        cell_precision=MappingProxyType(cell_precision),
        cell_recall=MappingProxyType(cell_recall),
        precision=precision,
        recall=recall,
        f1=f1,
        correct=correct,
        learner_total=learner_total,
        expert_total=expert_total,
        missing=missing,
        misplaced=tuple(misplaced),
        also_belongs=tuple(also_belongs),
        extra=extra,
        messages=tuple(messages),
    )


def score(feedback: FormulationFeedback, points: float, *, step: float = 0.5) -> float:
    """Return partial credit for a formulation: ``points`` x F1, rounded to the nearest ``step``.

    The rule: credit = points x F1, rounded to the nearest multiple of ``step`` (halves round
    up), never more than ``points``. F1 rewards both placing expert findings (recall) and not
    placing wrong ones (precision), so a learner cannot gain by putting every finding in every
    cell. Example: 4 points and F1 = 0.70 gives 2.8, rounded to 3.0.

    Parameters
    ----------
    feedback
        The result of :func:`compare`.
    points
        The points available (0 or more).
    step
        The rounding step (greater than 0); nbgrader shows half points well.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``points`` is negative or not finite, or ``step`` is not positive.

    Examples
    --------
    >>> fb = compare(Formulation.empty(), Formulation.empty())
    >>> score(fb, 4)
    4.0
    """
    if not isinstance(feedback, FormulationFeedback):
        msg = f"feedback must be a FormulationFeedback, got {type(feedback).__name__}"
        raise ValueError(msg)
    if not (isinstance(points, int | float) and math.isfinite(points) and points >= 0):
        msg = f"points must be a finite number >= 0, got {points!r}"
        raise ValueError(msg)
    if not (isinstance(step, int | float) and math.isfinite(step) and step > 0):
        msg = f"step must be a finite number > 0, got {step!r}"
        raise ValueError(msg)
    raw = points * feedback.f1
    rounded = math.floor(raw / step + 0.5 + 1e-9) * step
    return float(min(rounded, points))
