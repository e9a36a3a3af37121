"""Score the PHQ family screeners (PHQ-9/8/2, GAD-7/2, PHQ-4, PHQ-15), the SSS-8 and the WSAS.

Every rule here is a published scoring rule, and each function names its source. The PHQ family
item wording, response anchors, recall periods and citations are data, kept in
``bpscare/data/instruments/phq_family.yaml`` with the attribution line the developers ask for.
The SSS-8 and the WSAS are scored from numbers only: their licences do not allow bundling their
item text (reference facts file, section 6).

Examples
--------
>>> from bpscare.clinical.instruments import score, recommended_action
>>> result = score("PHQ-9", [1, 0, 0, 0, 0, 0, 0, 0, 1])
>>> result.total, result.band, result.safety_alert
(2, 'minimal', True)
>>> recommended_action(result).startswith("Safety first")
True
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence, Set, Sized
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from importlib import resources
from typing import Any, cast

import yaml

__all__ = [
    "INSTRUMENT_NAMES",
    "MAJOR_DEPRESSIVE_SYNDROME",
    "OTHER_DEPRESSIVE_SYNDROME",
    "SCORE_ONLY_NAMES",
    "InstrumentInfo",
    "Score",
    "anchors",
    "bands",
    "instrument_info",
    "items",
    "recommended_action",
    "safety_action",
    "score",
    "score_sss8",
    "score_wsas",
]

INSTRUMENT_NAMES: tuple[str, ...] = ("phq9", "phq8", "phq2", "gad7", "gad2", "phq4", "phq15")
"""The PHQ family: scored by :func:`score`, with item text available from :func:`items`."""

SCORE_ONLY_NAMES: tuple[str, ...] = ("sss8", "wsas")
"""Instruments scored from numbers only; their item text is not bundled (licences)."""

MAJOR_DEPRESSIVE_SYNDROME = "major depressive syndrome"
OTHER_DEPRESSIVE_SYNDROME = "other depressive syndrome"

_DATA_FILE = ("data", "instruments", "phq_family.yaml")

# Lower bound of each band, in order; a band runs up to the next lower bound minus one.
_PHQ_DEPRESSION_BANDS = (
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "moderately severe"),
    (20, "severe"),
)
_TWO_ITEM_BANDS = ((0, "negative"), (3, "positive"))
_BANDS: dict[str, tuple[tuple[int, str], ...]] = {
    # Kroenke, Spitzer & Williams, J Gen Intern Med 2001 (PHQ-9); Kroenke et al. 2009 (PHQ-8).
    "phq9": _PHQ_DEPRESSION_BANDS,
    "phq8": _PHQ_DEPRESSION_BANDS,
    # Kroenke, Spitzer & Williams, Med Care 2003 (PHQ-2); Kroenke et al., Ann Intern Med 2007.
    "phq2": _TWO_ITEM_BANDS,
    "gad2": _TWO_ITEM_BANDS,
    # Spitzer, Kroenke, Williams & Löwe, Arch Intern Med 2006.
    "gad7": ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
    # Kroenke, Spitzer, Williams & Löwe, Psychosomatics 2009 (NINDS CDE page).
    "phq4": ((0, "none"), (3, "mild"), (6, "moderate"), (9, "severe")),
    # Kroenke, Spitzer & Williams, Psychosom Med 2002; FHIR MII PRO PHQ-15 definition.
    "phq15": ((0, "minimal"), (5, "low"), (10, "medium"), (15, "high")),
    # Gierk et al., JAMA Intern Med 2014, categories as tabulated by fpnotebook.
    "sss8": ((0, "none to minimal"), (4, "low"), (8, "medium"), (12, "high"), (16, "very high")),
    # Mundt, Marks, Shear & Greist, Br J Psychiatry 2002.
    "wsas": (
        (0, "subclinical"),
        (10, "significant impairment"),
        (21, "moderately severe or worse"),
    ),
}

_N_ITEMS = {
    "phq9": 9,
    "phq8": 8,
    "phq2": 2,
    "gad7": 7,
    "gad2": 2,
    "phq4": 4,
    "phq15": 15,
    "sss8": 8,
    "wsas": 5,
}
_ITEM_MAX = {"phq15": 2, "sss8": 4, "wsas": 8}  # every other instrument: 0-3
_POSITIVE_AT = {"phq9": 10, "phq8": 10, "gad7": 10, "phq2": 3, "gad2": 3}
_SUBSCALE_POSITIVE_AT = 3  # PHQ-4, each two-item subscale (Kroenke et al. 2009)
_OPTIONS: dict[str, frozenset[str]] = {
    "phq9": frozenset({"difficulty"}),
    "phq8": frozenset({"difficulty"}),
    "phq15": frozenset({"menstrual_applicable"}),
    "wsas": frozenset({"work_not_applicable"}),
}
# WSAS domains (Mundt et al. 2002): domain names, not the licensed item wording.
_WSAS_LABELS = (
    "work",
    "home management",
    "social leisure activities",
    "private leisure activities",
    "close relationships",
)
_PHQ9_ITEM9 = 9
_PHQ15_MENSTRUAL_ITEM = 4
_WSAS_WORK_ITEM = 1
_MAX_MISSING_PHQ9 = 2  # qscorer scoring_phq9 (Arrieta et al. 2017)


@dataclass(frozen=True)
class Score:
    """The result of scoring one completed screener, in a form widgets and graders can share.

    Attributes
    ----------
    instrument
        Canonical instrument name, e.g. ``"phq9"``.
    total
        The summed score (for a prorated PHQ-9, the prorated whole-number total).
    max_total
        The highest total possible on this administration (PHQ-15 without item 4: 28).
    band
        Severity band label, or ``"positive"``/``"negative"`` for the two-item screeners.
    positive
        Whether the published screening cut point is reached; ``None`` where there is none.
    safety_alert
        PHQ-9 only: ``True`` if item 9 is 1 or more, whatever the total, and also ``True`` if item
        9 was left unanswered (a missing answer cannot rule out risk). ``None`` for other
        instruments.
    syndrome
        PHQ-9 only: ``"major depressive syndrome"``, ``"other depressive syndrome"`` or ``None``
        (no syndrome, or, with missing items, not determinable).
    subscales
        PHQ-4 only: ``{"anxiety": items 1+2, "depression": items 3+4}``.
    prorated
        ``True`` if the PHQ-9 total was prorated from 7 or 8 answered items.
    severe_symptom_count
        PHQ-15 only: how many symptoms were rated 2 ("bothered a lot").
    difficulty
        PHQ-9/PHQ-8 item 10 (functional difficulty, 0-3) if given; never part of the total.
    missing_items
        1-based numbers of unanswered items (PHQ-9 proration, PHQ-15 item 4, WSAS work item).
    """

    instrument: str
    total: int
    max_total: int
    band: str
    positive: bool | None
    safety_alert: bool | None = None
    syndrome: str | None = None
    subscales: dict[str, int] | None = field(default=None, hash=False)
    prorated: bool = False
    severe_symptom_count: int | None = None
    difficulty: int | None = None
    missing_items: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the score as plain JSON-able data (dicts, lists, str, int, bool, None).

        Returns
        -------
        dict
            One key per field; ``missing_items`` becomes a list.
        """
        data = asdict(self)
        data["missing_items"] = list(self.missing_items)
        return data


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


# --------------------------------------------------------------------------------------------
# Item text and metadata (package data)
# --------------------------------------------------------------------------------------------


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
            max_total=len(texts) * _ITEM_MAX.get(name, 3),
            labels=labels,
            notes=tuple(str(note) for note in spec.get("notes", ())),
            difficulty_question=str(raw["difficulty_question"]) if has_difficulty else None,
            difficulty_anchors=anchor_sets["difficulty"] if has_difficulty else (),
        )
        if catalogue[name].n_items != _N_ITEMS[name]:  # a broken data file is a packaging bug
            msg = f"{_DATA_FILE[-1]}: {name} has {len(texts)} items, expected {_N_ITEMS[name]}"
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


def _normalise_name(name: object) -> str:
    """Map ``"PHQ-9"``, ``"phq_9"`` or ``" Gad7 "`` to the canonical ``"phq9"``/``"gad7"``."""
    known = ", ".join(INSTRUMENT_NAMES + SCORE_ONLY_NAMES)
    if not isinstance(name, str):
        msg = f"instrument name must be a string, got {name!r}; known instruments: {known}"
        raise ValueError(msg)
    key = name.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if key not in _N_ITEMS:
        msg = f"unknown instrument {name!r}; known instruments: {known}"
        raise ValueError(msg)
    return key


def _phq_family_name(name: object) -> str:
    """Normalise ``name`` and require a PHQ family instrument (the ones with bundled text)."""
    key = _normalise_name(name)
    if key not in INSTRUMENT_NAMES:
        msg = (
            f"{key}: item text is not bundled (licence, see the reference facts file section 6); "
            f"instruments with text: {', '.join(INSTRUMENT_NAMES)}"
        )
        raise ValueError(msg)
    return key


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


def bands(name: str, *, max_total: int | None = None) -> list[tuple[int, int, str]]:
    """Return the severity bands of an instrument as inclusive ``(low, high, label)`` ranges.

    Parameters
    ----------
    name
        Any instrument :func:`score` accepts, including ``"sss8"`` and ``"wsas"``.
    max_total
        Upper end of the last band; defaults to the instrument's full maximum.

    Returns
    -------
    list of tuple
        E.g. ``[(0, 4, "minimal"), (5, 9, "mild"), ...]`` for the PHQ-9.
    """
    key = _normalise_name(name)
    top = _N_ITEMS[key] * _ITEM_MAX.get(key, 3) if max_total is None else max_total
    table = _BANDS[key]
    uppers = [low - 1 for low, _ in table[1:]] + [top]
    return [(low, high, label) for (low, label), high in zip(table, uppers, strict=True)]


def _band(key: str, total: int) -> str:
    """Return the band label for ``total`` on instrument ``key``."""
    label = _BANDS[key][0][1]
    for low, name in _BANDS[key]:
        if total >= low:
            label = name
    return label


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def _item_name(key: str, number: int, label: str | None) -> str:
    """Return e.g. ``"phq9 item 9 (thoughts of being better off dead or self-harm)"``."""
    return f"{key} item {number} ({label})" if label else f"{key} item {number}"


def _check_value(
    key: str,
    number: int,
    label: str | None,
    value: object,
    *,
    item_max: int,
    missing_ok: bool = False,
    missing_hint: str = "",
) -> int | None:
    """Validate one response and return it as a plain ``int`` (or ``None`` if allowed)."""
    allowed = ", ".join(str(v) for v in range(item_max + 1))
    where = _item_name(key, number, label)
    if value is None:
        if missing_ok:
            return None
        msg = f"{where}: got None (missing), allowed {allowed}{missing_hint}"
        raise ValueError(msg)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        msg = f"{where}: got {value!r} ({type(value).__name__}), allowed {allowed} (whole numbers)"
        raise ValueError(msg)
    number_value = int(value)
    if not 0 <= number_value <= item_max:
        msg = f"{where}: got {number_value}, allowed {allowed}"
        raise ValueError(msg)
    return number_value


def _as_sequence(key: str, responses: object, expected: int, hint: str = "") -> tuple[Any, ...]:
    """Turn ``responses`` into a tuple of the expected length, rejecting unordered containers."""
    if isinstance(responses, str | bytes | Mapping | Set) or not hasattr(responses, "__iter__"):
        msg = (
            f"{key}: responses must be a list or tuple of {expected} item scores in form order, "
            f"got {type(responses).__name__}"
        )
        raise ValueError(msg)
    values = tuple(cast("Iterable[Any]", responses))
    if len(values) != expected:
        msg = (
            f"{key}: expected {expected} responses (items 1-{expected} in form order), "
            f"got {len(values)}{hint}"
        )
        raise ValueError(msg)
    return values


def _check_options(key: str, options: Mapping[str, object]) -> None:
    """Reject keyword options the instrument does not know."""
    allowed = _OPTIONS.get(key, frozenset())
    unknown = sorted(set(options) - allowed)
    if unknown:
        msg = (
            f"{key}: unknown option(s) {', '.join(unknown)}; "
            f"allowed options: {', '.join(sorted(allowed)) or 'none'}"
        )
        raise ValueError(msg)


def _check_flag(key: str, option: str, value: object) -> bool:
    """Require a real ``bool`` for a yes/no option."""
    if not isinstance(value, bool):
        msg = f"{key} option {option}: got {value!r}, allowed True, False"
        raise ValueError(msg)
    return value


def _labels(key: str) -> tuple[str | None, ...]:
    """Short item labels for error messages (none bundled for the SSS-8)."""
    if key in INSTRUMENT_NAMES:
        return _catalogue()[key].labels
    if key == "wsas":
        return _WSAS_LABELS
    return (None,) * _N_ITEMS[key]


def _checked_items(
    key: str, values: Sequence[object], *, missing_ok: Set[int] = frozenset(), hint: str = ""
) -> list[int | None]:
    """Validate every item of ``key``; items whose number is in ``missing_ok`` may be None."""
    item_max = _ITEM_MAX.get(key, 3)
    return [
        _check_value(
            key,
            number,
            label,
            value,
            item_max=item_max,
            missing_ok=number in missing_ok,
            missing_hint=hint,
        )
        for number, (label, value) in enumerate(zip(_labels(key), values, strict=True), start=1)
    ]


def _check_difficulty(key: str, value: object) -> int | None:
    """Validate the optional PHQ-9/PHQ-8 item 10 (functional difficulty) answer."""
    return _check_value(key, 10, "difficulty, not scored", value, item_max=3, missing_ok=True)


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def score(name: str, responses: Sequence[int | None], **options: object) -> Score:
    """Score a PHQ family screener (or the SSS-8/WSAS) from its item responses.

    Bands and cut points: PHQ-9 and PHQ-8 minimal 0-4, mild 5-9, moderate 10-14, moderately
    severe 15-19, severe 20+, positive at 10 or more (Kroenke, Spitzer & Williams, J Gen Intern
    Med 2001; Kroenke et al., J Affect Disord 2009). GAD-7 minimal 0-4, mild 5-9, moderate 10-14,
    severe 15-21, positive at 10 or more (Spitzer et al., Arch Intern Med 2006). PHQ-2 and GAD-2
    positive at 3 or more (Kroenke et al., Med Care 2003; Kroenke et al., Ann Intern Med 2007).
    PHQ-4 none 0-2, mild 3-5, moderate 6-8, severe 9-12, positive if either two-item subscale is
    3 or more (Kroenke et al., Psychosomatics 2009). PHQ-15 minimal 0-4, low 5-9, medium 10-14,
    high 15+, no screening cut point (Kroenke, Spitzer & Williams, Psychosom Med 2002).

    Parameters
    ----------
    name
        ``"phq9"``, ``"phq8"``, ``"phq2"``, ``"gad7"``, ``"gad2"``, ``"phq4"``, ``"phq15"``
        (also ``"sss8"``, ``"wsas"``); case-insensitive, hyphen optional (``"PHQ-9"``).
    responses
        Item scores in official form order, as a list or tuple of ints. The PHQ-4 takes the two
        anxiety items first, then the two depression items. PHQ-9 item 10 (functional
        difficulty) is not a response: pass it as ``difficulty=``. ``None`` marks a missing
        answer where the rules allow one (see below).
    **options
        ``difficulty`` (PHQ-9, PHQ-8): item 10 answer 0-3, stored but never summed.
        ``menstrual_applicable`` (PHQ-15, default ``True``): with ``False``, item 4 must be
        ``None`` and the maximum is 28.
        ``work_not_applicable`` (WSAS): see :func:`score_wsas`.

    Returns
    -------
    Score
        Total, band, screening result and instrument-specific fields.

    Raises
    ------
    ValueError
        Unknown instrument or option; wrong number of responses; a response that is out of
        range, not a whole number (floats, bools and strings are rejected) or missing where the
        rules do not allow it. The message names the item and the allowed values.

    Notes
    -----
    Missing PHQ-9 items. With one or two items unanswered, the total is prorated: the sum of the
    answered items times 9 divided by the number answered, which equals replacing each missing
    item with the mean of the answered ones (qscorer ``scoring_phq9``, after Arrieta et al.
    2017). The result is rounded half up to a whole number with exact fractions, so 13.5 gives
    14 (bpscare's convention, which keeps totals whole and bands unambiguous). More than two
    missing items cannot be scored.
    Clinically safe defaults: an unanswered item 9 sets ``safety_alert=True``, because a missing
    answer cannot rule out risk, and the learner must ask the question directly. The diagnostic
    ``syndrome`` is reported only if every possible answer to the missing items gives the same
    result; otherwise it is ``None`` and ``missing_items`` says why. Every other PHQ family
    instrument needs every item.
    """
    key = _normalise_name(name)
    _check_options(key, options)
    if key == "phq9":
        return _score_phq9(responses, options.get("difficulty"))
    if key == "phq15":
        applicable = _check_flag(
            key, "menstrual_applicable", options.get("menstrual_applicable", True)
        )
        return _score_phq15(responses, menstrual_applicable=applicable)
    if key == "phq4":
        return _score_phq4(responses)
    if key == "sss8":
        return score_sss8(responses)
    if key == "wsas":
        flag = _check_flag(key, "work_not_applicable", options.get("work_not_applicable", False))
        return score_wsas(responses, work_not_applicable=flag)
    return _score_simple(key, responses, options.get("difficulty"))


def _score_simple(key: str, responses: object, difficulty: object) -> Score:
    """Score the PHQ-8, PHQ-2, GAD-7 and GAD-2: a plain sum of complete items."""
    values = _as_sequence(key, responses, _N_ITEMS[key])
    answers = _checked_items(key, values)
    total = sum(a for a in answers if a is not None)
    return Score(
        instrument=key,
        total=total,
        max_total=_N_ITEMS[key] * 3,
        band=_band(key, total),
        positive=total >= _POSITIVE_AT[key],
        difficulty=_check_difficulty(key, difficulty) if key == "phq8" else None,
    )


def _round_half_up(value: Fraction) -> int:
    """Round an exact fraction to the nearest whole number, halves upwards (13.5 -> 14)."""
    return math.floor(value + Fraction(1, 2))


def _phq9_syndrome_complete(answers: Sequence[int]) -> str | None:
    """Apply the PHQ-9 diagnostic algorithm to nine complete answers.

    An item counts if rated 2 or more, except item 9, which counts if rated 1 or more; major
    depressive syndrome is at least one of items 1-2 counted and 5 or more counted; other
    depressive syndrome is at least one of items 1-2 counted and 2-4 counted (CamCOPS
    ``phq9.py``, after Kroenke, Spitzer & Williams 2001).
    """
    counted = [a >= 2 for a in answers[:8]] + [answers[8] >= 1]
    n_counted = sum(counted)
    if not (counted[0] or counted[1]):
        return None
    if n_counted >= 5:
        return MAJOR_DEPRESSIVE_SYNDROME
    if n_counted >= 2:
        return OTHER_DEPRESSIVE_SYNDROME
    return None


def _phq9_syndrome(answers: Sequence[int | None]) -> str | None:
    """Return the syndrome only if it holds whatever the missing items would have been."""
    missing = [i for i, a in enumerate(answers) if a is None]
    outcomes = set()
    for fill in itertools.product(range(4), repeat=len(missing)):
        completed = list(answers)
        for index, value in zip(missing, fill, strict=True):
            completed[index] = value
        outcomes.add(_phq9_syndrome_complete([int(a) for a in completed if a is not None]))
    return outcomes.pop() if len(outcomes) == 1 else None


def _score_phq9(responses: object, difficulty: object) -> Score:
    """Score the PHQ-9 with proration, the item-9 safety alert and the diagnostic algorithm."""
    hint = "; item 10 (difficulty) is not a response, pass it as difficulty="
    values = _as_sequence("phq9", responses, 9, hint=hint if _length(responses) == 10 else "")
    answers = _checked_items("phq9", values, missing_ok=frozenset(range(1, 10)))
    missing = tuple(n for n, a in enumerate(answers, start=1) if a is None)
    if len(missing) > _MAX_MISSING_PHQ9:
        labels = _labels("phq9")
        listed = "; ".join(_item_name("phq9", n, labels[n - 1]) for n in missing)
        msg = (
            f"phq9: {len(missing)} items missing ({listed}); at most {_MAX_MISSING_PHQ9} may be "
            f"missing for a prorated total (qscorer, Arrieta et al. 2017), allowed 0, 1, 2, 3"
        )
        raise ValueError(msg)
    answered = [a for a in answers if a is not None]
    # Prorate: sum x 9 / answered == each missing item replaced by the mean of the answered ones.
    exact = Fraction(sum(answered) * 9, len(answered))
    total = _round_half_up(exact)
    item9 = answers[_PHQ9_ITEM9 - 1]
    return Score(
        instrument="phq9",
        total=total,
        max_total=27,
        band=_band("phq9", total),
        positive=total >= _POSITIVE_AT["phq9"],
        safety_alert=True if item9 is None else item9 >= 1,
        syndrome=_phq9_syndrome(answers),
        prorated=bool(missing),
        difficulty=_check_difficulty("phq9", difficulty),
        missing_items=missing,
    )


def _length(responses: object) -> int | None:
    """Return ``len(responses)`` if it has one (for a friendlier error hint)."""
    try:
        return len(cast("Sized", responses))
    except TypeError:
        return None


def _score_phq4(responses: object) -> Score:
    """Score the PHQ-4: total plus anxiety (items 1-2) and depression (items 3-4) subscales."""
    values = _as_sequence("phq4", responses, 4)
    a1, a2, d1, d2 = (int(a) for a in _checked_items("phq4", values) if a is not None)
    subscales = {"anxiety": a1 + a2, "depression": d1 + d2}
    total = a1 + a2 + d1 + d2
    return Score(
        instrument="phq4",
        total=total,
        max_total=12,
        band=_band("phq4", total),
        positive=max(subscales.values()) >= _SUBSCALE_POSITIVE_AT,
        subscales=subscales,
    )


def _score_phq15(responses: object, *, menstrual_applicable: bool) -> Score:
    """Score the PHQ-15, with item 4 (menstrual) optional for people it does not apply to.

    CamCOPS ``phq15.py``: without item 4 the maximum is 28. The count of items rated 2
    ("bothered a lot") is reported as ``severe_symptom_count``.
    """
    values = _as_sequence("phq15", responses, 15)
    item4 = values[_PHQ15_MENSTRUAL_ITEM - 1]
    if not menstrual_applicable and item4 is not None:
        label = _labels("phq15")[_PHQ15_MENSTRUAL_ITEM - 1]
        msg = (
            f"{_item_name('phq15', _PHQ15_MENSTRUAL_ITEM, label)}: got {item4!r}, allowed None "
            "(not applicable) because menstrual_applicable=False"
        )
        raise ValueError(msg)
    hint = "; pass menstrual_applicable=False if item 4 does not apply"
    missing_ok = frozenset() if menstrual_applicable else frozenset({_PHQ15_MENSTRUAL_ITEM})
    answers = _checked_items("phq15", values, missing_ok=missing_ok, hint=hint)
    answered = [a for a in answers if a is not None]
    total = sum(answered)
    return Score(
        instrument="phq15",
        total=total,
        max_total=30 if menstrual_applicable else 28,
        band=_band("phq15", total),
        positive=None,
        severe_symptom_count=sum(a == 2 for a in answered),
        missing_items=() if menstrual_applicable else (_PHQ15_MENSTRUAL_ITEM,),
    )


def score_sss8(responses: Sequence[int]) -> Score:
    """Score the Somatic Symptom Scale-8 (SSS-8) from 8 item ratings of 0-4.

    Scoring only: the SSS-8 item text is not bundled (free-use status unconfirmed). Total 0-32;
    bands ``none to minimal`` 0-3, ``low`` 4-7, ``medium`` 8-11, ``high`` 12-15, ``very high``
    16-32 (Gierk, Kohlmann, Kroenke et al., JAMA Intern Med 2014;174:399-407, categories as
    tabulated by fpnotebook). The MSD Manual table prints "very high (16 to 23)": a typo, since
    the maximum is 32.

    Parameters
    ----------
    responses
        Eight whole numbers 0-4 in form order.

    Returns
    -------
    Score
        ``instrument="sss8"``, ``positive=None`` (no screening cut point is used here).

    Raises
    ------
    ValueError
        Wrong number of items, or an item that is missing, out of range or not a whole number.
    """
    values = _as_sequence("sss8", responses, 8)
    total = sum(a for a in _checked_items("sss8", values) if a is not None)
    return Score(
        instrument="sss8", total=total, max_total=32, band=_band("sss8", total), positive=None
    )


def score_wsas(responses: Sequence[int | None], work_not_applicable: bool = False) -> Score:
    """Score the Work and Social Adjustment Scale (WSAS) from 5 domain ratings of 0-8.

    Scoring only: the WSAS item text (© Isaac M. Marks) is not bundled. Domains: work, home
    management, social leisure activities, private leisure activities, close relationships.
    Total 0-40; ``subclinical`` below 10, ``significant impairment`` 10-20 (significant
    functional impairment with less severe symptoms), ``moderately severe or worse`` above 20
    (Mundt, Marks, Shear & Greist, Br J Psychiatry 2002;180:461-464).

    Parameters
    ----------
    responses
        Five whole numbers 0-8 in form order.
    work_not_applicable
        ``True`` if the person is retired or not working for reasons unrelated to their problem
        (the form's tick box). Item 1 must then be ``None``, the maximum is 32 and the bands are
        applied unchanged to the four-domain total (no proration).

    Returns
    -------
    Score
        ``instrument="wsas"``, ``positive=None``.

    Raises
    ------
    ValueError
        Wrong number of items, an item out of range or not a whole number, or an item 1 that
        disagrees with ``work_not_applicable``.
    """
    flag = _check_flag("wsas", "work_not_applicable", work_not_applicable)
    values = _as_sequence("wsas", responses, 5)
    if flag and values[_WSAS_WORK_ITEM - 1] is not None:
        msg = (
            f"{_item_name('wsas', 1, _WSAS_LABELS[0])}: got {values[0]!r}, allowed None "
            "(not applicable) because work_not_applicable=True"
        )
        raise ValueError(msg)
    hint = "; pass work_not_applicable=True if the person is not working for unrelated reasons"
    missing_ok = frozenset({_WSAS_WORK_ITEM}) if flag else frozenset()
    answers = _checked_items("wsas", values, missing_ok=missing_ok, hint=hint)
    total = sum(a for a in answers if a is not None)
    return Score(
        instrument="wsas",
        total=total,
        max_total=32 if flag else 40,
        band=_band("wsas", total),
        positive=None,
        missing_items=(_WSAS_WORK_ITEM,) if flag else (),
    )


# --------------------------------------------------------------------------------------------
# What to do next (teaching text)
# --------------------------------------------------------------------------------------------

_PHQ_ACTIONS = {
    "minimal": (
        "Minimal symptoms (0-4): no depression treatment is proposed on the score alone; "
        "stay alert to other concerns the person raises"
    ),
    "mild": "Mild symptoms (5-9): watchful waiting; repeat the PHQ-9 at follow-up",
    "moderate": (
        "Moderate symptoms (10-14): make a treatment plan together, considering counselling, "
        "follow-up and/or pharmacotherapy"
    ),
    "moderately severe": (
        "Moderately severe symptoms (15-19): active treatment with pharmacotherapy and/or "
        "psychotherapy"
    ),
    "severe": (
        "Severe symptoms (20 or more): immediate initiation of pharmacotherapy and, if there is "
        "severe impairment or poor response to treatment, expedited referral to a mental health "
        "specialist for psychotherapy and/or collaborative management"
    ),
}
_PHQ_ACTION_SOURCE = "(Kroenke & Spitzer, Psychiatric Annals 2002;32:509-521, Table 4)"


def safety_action(score: Score) -> str | None:
    """Return the same-visit safety instruction for a PHQ-9 item-9 alert, or ``None``.

    Any PHQ-9 item 9 answer of 1 or more triggers a structured suicide-risk assessment (e.g. the
    Columbia Suicide Severity Rating Scale, C-SSRS) before the encounter ends, whatever the
    total (FHIR MII PRO PHQ-9 guidance: "immediate clinical evaluation for any positive
    response, regardless of the total score"; Simon et al., Psychiatr Serv 2013; Louzon et al.,
    Psychiatr Serv 2016). An unanswered item 9 cannot rule out risk, so the learner must ask it.
    An answer of 0 does not rule out risk either (Louzon 2016: most suicides followed "not at
    all"), but it does not trigger this text.

    Parameters
    ----------
    score
        A result from :func:`score`.

    Returns
    -------
    str or None
        The instruction, or ``None`` if ``score.safety_alert`` is not ``True``.
    """
    if score.safety_alert is not True:
        return None
    assessment = (
        "complete a same-visit structured suicide-risk assessment (e.g. the Columbia Suicide "
        "Severity Rating Scale, C-SSRS) before the encounter ends, whatever the total score"
    )
    if _PHQ9_ITEM9 in score.missing_items:
        return (
            "Safety first: PHQ-9 item 9 (thoughts that you would be better off dead or of hurting "
            "yourself) was left unanswered, so risk cannot be ruled out. Ask it directly, and if "
            f"the answer is anything other than 'not at all', {assessment}."
        )
    return (
        "Safety first: PHQ-9 item 9 (thoughts that you would be better off dead or of hurting "
        f"yourself) was endorsed. {assessment[0].upper()}{assessment[1:]}."
    )


def recommended_action(score: Score) -> str:
    """Return the proposed next step for a score, phrased for learners, with its source.

    PHQ-9 and PHQ-8: the proposed treatment actions by band of Kroenke & Spitzer (Psychiatric
    Annals 2002, Table 4), preceded by the item-9 safety instruction whenever
    ``score.safety_alert`` is ``True``. GAD-7: further evaluation at 10 or more (Spitzer et al.
    2006). PHQ-2/GAD-2: a positive screen calls for the full PHQ-9/GAD-7 (Kroenke et al. 2003;
    2007). PHQ-4: the full instrument for each positive subscale (Kroenke et al. 2009). PHQ-15,
    SSS-8 and WSAS: what the band means and that it is not a diagnosis.

    Parameters
    ----------
    score
        A result from :func:`score`, :func:`score_sss8` or :func:`score_wsas`.

    Returns
    -------
    str
        One or more sentences.

    Raises
    ------
    ValueError
        If ``score.instrument`` or ``score.band`` is not one bpscare scores.
    """
    key = _normalise_name(score.instrument)
    if score.band not in {label for _, label in _BANDS[key]}:
        labels = ", ".join(label for _, label in _BANDS[key])
        msg = f"{key}: unknown band {score.band!r}, allowed {labels}"
        raise ValueError(msg)
    parts: list[str] = []
    safety = safety_action(score)
    if safety is not None:
        parts.append(safety)
    parts.append(_band_action(key, score))
    if score.prorated:
        missing = ", ".join(str(n) for n in score.missing_items)
        parts.append(
            f"The total was prorated because item(s) {missing} were unanswered; ask them "
            "directly when you can."
        )
    return " ".join(parts)


def _band_action(key: str, score: Score) -> str:
    """Return the band-specific sentence(s) of :func:`recommended_action`."""
    if key in {"phq9", "phq8"}:
        text = f"{_PHQ_ACTIONS[score.band]} {_PHQ_ACTION_SOURCE}."
        if score.positive:
            text += " A positive screen supports, but does not replace, a diagnostic interview."
        if key == "phq8":
            text += (
                " The PHQ-8 has no item 9, so it does not screen for suicidal thoughts; ask "
                "directly whenever there is concern."
            )
        return text
    if key == "gad7":
        if score.positive:
            return (
                f"GAD-7 total {score.total} (10 or more): further evaluation is needed for "
                "generalized anxiety disorder and for panic, social anxiety and post-traumatic "
                "stress disorders, which this cut point also detects (Spitzer et al., Arch Intern "
                "Med 2006; Kroenke et al., Gen Hosp Psychiatry 2010)."
            )
        return (
            f"GAD-7 total {score.total} ({score.band}) is below the cut point of 10 for further "
            "evaluation (Spitzer et al., Arch Intern Med 2006); use clinical judgement if "
            "concerns remain."
        )
    if key in {"phq2", "gad2"}:
        full, source = (
            ("PHQ-9", "Kroenke, Spitzer & Williams, Med Care 2003")
            if key == "phq2"
            else ("GAD-7", "Kroenke et al., Ann Intern Med 2007")
        )
        short = key.upper().replace("PHQ", "PHQ-").replace("GAD", "GAD-")
        if score.positive:
            return f"Positive {short} screen (3 or more): administer the full {full} ({source})."
        return (
            f"Negative {short} screen (below 3): the full {full} is not indicated by the score "
            f"alone ({source}); ask again if concerns arise."
        )
    if key == "phq4":
        subscales = score.subscales or {}
        steps = []
        if subscales.get("anxiety", 0) >= _SUBSCALE_POSITIVE_AT:
            steps.append("the anxiety subscale is 3 or more: administer the full GAD-7")
        if subscales.get("depression", 0) >= _SUBSCALE_POSITIVE_AT:
            steps.append("the depression subscale is 3 or more: administer the full PHQ-9")
        source = "(Kroenke, Spitzer, Williams & Löwe, Psychosomatics 2009)"
        if steps:
            return f"PHQ-4 {score.band} ({score.total}/12); {'; '.join(steps)} {source}."
        return f"PHQ-4 {score.band} ({score.total}/12); neither subscale reaches 3 {source}."
    if key == "phq15":
        return (
            f"Somatic symptom severity is {score.band} (PHQ-15 cut points 5, 10 and 15; Kroenke, "
            "Spitzer & Williams, Psychosom Med 2002). The score is not a diagnosis: review each "
            "bothersome symptom for medical causes and explore its biopsychosocial context with "
            "the person."
        )
    if key == "sss8":
        return (
            f"Somatic symptom burden is {score.band} (SSS-8; Gierk et al., JAMA Intern Med 2014). "
            "The score is not a diagnosis: review the bothersome symptoms and what they mean for "
            "the person's daily life."
        )
    return (
        f"Work and social adjustment: {score.band} (WSAS; Mundt et al., Br J Psychiatry 2002: "
        "above 20 suggests moderately severe or worse psychopathology, 10-20 significant "
        "functional impairment with less severe symptoms, below 10 subclinical). Ask which areas "
        "of daily life are most affected and set functional goals together."
    )
