"""Published wording of the PHQ family, loaded from package data, for rendering a form.

Item text, response anchors, recall periods, the attribution line and citations live in
``bpscare/data/instruments/phq_family.yaml``; this module reads them once and serves them as
:class:`InstrumentInfo`. The SSS-8 and the WSAS have no wording here: their licences do not allow
bundling their item text (reference facts file, section 6).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from bpscare.clinical.instruments.rules import INSTRUMENT_NAMES, RULES, rules_for

__all__ = ["InstrumentInfo", "anchors", "instrument_info", "items"]

_DATA_FILE = ("data", "instruments", "phq_family.yaml")


@dataclass(frozen=True)
class InstrumentInfo:
    """Published wording and metadata of one PHQ family instrument, for rendering a form.

    Attributes
    ----------
    name
        Canonical name, e.g. ``"gad7"``.
    title
        Full title, e.g. ``"Generalized Anxiety Disorder-7 (GAD-7)"``.
    n_items
        Number of scored items.
    stem
        The question printed above the items.
    recall
        Recall period, e.g. ``"last 2 weeks"``.
    anchors
        ``(value, label)`` response options, lowest first.
    items
        Item wording in form order.
    attribution
        The attribution line to show on every rendered form.
    citation
        The validation paper.
    max_total
        Highest possible total (PHQ-15: 30 with item 4, 28 without).
    labels
        Short item labels used in error messages.
    notes
        Administration notes (e.g. the PHQ-15 item 4 wording, the GAD-7 anchor pitfall).
    difficulty_question
        PHQ-9/PHQ-8 item 10 wording (not summed), else ``None``.
    difficulty_anchors
        Response options for ``difficulty_question``.
    """

    name: str
    title: str
    n_items: int
    stem: str
    recall: str
    anchors: tuple[tuple[int, str], ...]
    items: tuple[str, ...]
    attribution: str
    citation: str
    max_total: int
    labels: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    difficulty_question: str | None = None
    difficulty_anchors: tuple[tuple[int, str], ...] = ()


@functools.cache
def _catalogue() -> dict[str, InstrumentInfo]:
    """Load the PHQ family wording once from the package data file."""
    path = resources.files("bpscare").joinpath(*_DATA_FILE)
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    anchor_sets = {
        key: tuple((int(value), str(label)) for value, label in pairs)
        for key, pairs in raw["anchor_sets"].items()
    }
    specs: dict[str, Any] = raw["instruments"]
    catalogue: dict[str, InstrumentInfo] = {}
    for name in INSTRUMENT_NAMES:
        spec = specs[name]
        rules = RULES[name]
        texts, labels = _resolve_items(spec, specs)
        has_difficulty = bool(spec.get("has_difficulty", False))
        catalogue[name] = InstrumentInfo(
            name=name,
            title=str(spec["title"]),
            n_items=len(texts),
            stem=str(spec["stem"]),
            recall=str(spec["recall"]),
            anchors=anchor_sets[spec["anchors"]],
            items=texts,
            attribution=str(raw["attribution"]),
            citation=str(spec["citation"]),
            max_total=len(texts) * rules.item_max,
            labels=labels,
            notes=tuple(str(note) for note in spec.get("notes", ())),
            difficulty_question=str(raw["difficulty_question"]) if has_difficulty else None,
            difficulty_anchors=anchor_sets["difficulty"] if has_difficulty else (),
        )
        if catalogue[name].n_items != rules.n_items:  # a broken data file is a packaging bug
            msg = f"{_DATA_FILE[-1]}: {name} has {len(texts)} items, expected {rules.n_items}"
            raise RuntimeError(msg)
    return catalogue


def _resolve_items(
    spec: Mapping[str, Any], specs: Mapping[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (texts, labels) of one instrument, following ``items_from`` references."""
    if "items" in spec:
        return (
            tuple(str(item["text"]) for item in spec["items"]),
            tuple(str(item["label"]) for item in spec["items"]),
        )
    source = spec["items_from"]
    numbers_ = list(source["numbers"])
    parents = source["instrument"]
    if isinstance(parents, str):
        parents = [parents] * len(numbers_)
    picked = [
        specs[parent]["items"][number - 1] for parent, number in zip(parents, numbers_, strict=True)
    ]
    return tuple(str(item["text"]) for item in picked), tuple(str(item["label"]) for item in picked)


def _phq_family_name(name: object) -> str:
    """Normalise ``name`` and require a PHQ family instrument (the ones with bundled text)."""
    rules = rules_for(name)
    if not rules.text_bundled:
        msg = (
            f"{rules.name}: item text is not bundled (licence, see the reference facts file "
            f"section 6); instruments with text: {', '.join(INSTRUMENT_NAMES)}"
        )
        raise ValueError(msg)
    return rules.name


def instrument_info(name: str) -> InstrumentInfo:
    """Return the published wording and metadata of a PHQ family instrument.

    Parameters
    ----------
    name
        Instrument name, case-insensitive, hyphen optional (``"PHQ-9"``, ``"gad7"``).

    Returns
    -------
    InstrumentInfo
        Title, stem, recall period, anchors, items, attribution line and citation.

    Raises
    ------
    ValueError
        If ``name`` is not a PHQ family instrument.
    """
    return _catalogue()[_phq_family_name(name)]


def items(name: str) -> list[str]:
    """Return the item wording of a PHQ family instrument, in official form order.

    PHQ-9 item 10 (the functional difficulty question) is not included: it is not scored. Read it
    from ``instrument_info("phq9").difficulty_question``.

    Parameters
    ----------
    name
        Instrument name, case-insensitive, hyphen optional.

    Returns
    -------
    list of str
        One string per scored item.
    """
    return list(instrument_info(name).items)


def anchors(name: str) -> list[tuple[int, str]]:
    """Return the ``(value, label)`` response options of a PHQ family instrument.

    Parameters
    ----------
    name
        Instrument name, case-insensitive, hyphen optional.

    Returns
    -------
    list of tuple
        E.g. ``[(0, "Not at all"), (1, "Several days"), ...]`` for the PHQ-9 and GAD-7.
    """
    return list(instrument_info(name).anchors)
