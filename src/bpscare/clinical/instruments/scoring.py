"""Score the PHQ family screeners (PHQ-9/8/2, GAD-7/2, PHQ-4, PHQ-15), the SSS-8 and the WSAS.

:func:`score` validates item responses and returns a :class:`Score`: total, band, screening
result, and the instrument's special rules (PHQ-9 proration, the item-9 safety alert and the
diagnostic algorithm; PHQ-4 subscales; PHQ-15 item 4; WSAS work item). Every number comes from
the rule records in :mod:`bpscare.clinical.instruments.rules`, and each rule names its source. The
SSS-8 and the WSAS are scored from numbers only: their licences do not allow bundling their item
text (reference facts file, section 6).

Examples
--------
>>> result = score("PHQ-9", [1, 0, 0, 0, 0, 0, 0, 0, 1])
>>> result.total, result.band, result.safety_alert
(2, 'minimal', True)
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence, Set, Sized
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any, cast

from bpscare.clinical.instruments.rules import InstrumentRules, rules_for
from bpscare.clinical.instruments.wording import instrument_info

__all__ = [
    "MAJOR_DEPRESSIVE_SYNDROME",
    "OTHER_DEPRESSIVE_SYNDROME",
    "Score",
    "score",
    "score_sss8",
    "score_wsas",
]

MAJOR_DEPRESSIVE_SYNDROME = "major depressive syndrome"
OTHER_DEPRESSIVE_SYNDROME = "other depressive syndrome"

# WSAS domains (Mundt et al. 2002): domain names, not the licensed item wording.
_WSAS_LABELS = (
    "work",
    "home management",
    "social leisure activities",
    "private leisure activities",
    "close relationships",
)


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


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def _item_name(key: str, number: int, label: str | None) -> str:
    """Return e.g. ``"phq9 item 9 (thoughts of being better off dead or self-harm)"``."""
    return f"{key} item {number} ({label})" if label else f"{key} item {number}"


def _allowed(responses: Sequence[int]) -> str:
    """Return e.g. ``"0, 1, 2, 3"`` for error messages."""
    return ", ".join(str(v) for v in responses)


def _check_value(
    key: str,
    number: int,
    label: str | None,
    value: object,
    *,
    responses: Sequence[int],
    missing_ok: bool = False,
    missing_hint: str = "",
) -> int | None:
    """Validate one response and return it as a plain ``int`` (or ``None`` if allowed)."""
    allowed = _allowed(responses)
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
    if number_value not in responses:
        msg = f"{where}: got {number_value}, allowed {allowed}"
        raise ValueError(msg)
    return number_value


def _as_sequence(rules: InstrumentRules, responses: object, hint: str = "") -> tuple[Any, ...]:
    """Turn ``responses`` into a tuple of ``rules.n_items``, rejecting unordered containers."""
    key, expected = rules.name, rules.n_items
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


def _check_options(rules: InstrumentRules, options: Mapping[str, object]) -> None:
    """Reject keyword options the instrument does not know."""
    unknown = sorted(set(options) - rules.options)
    if unknown:
        msg = (
            f"{rules.name}: unknown option(s) {', '.join(unknown)}; "
            f"allowed options: {', '.join(sorted(rules.options)) or 'none'}"
        )
        raise ValueError(msg)


def _check_flag(key: str, option: str, value: object) -> bool:
    """Require a real ``bool`` for a yes/no option."""
    if not isinstance(value, bool):
        msg = f"{key} option {option}: got {value!r}, allowed True, False"
        raise ValueError(msg)
    return value


def _labels(rules: InstrumentRules) -> tuple[str | None, ...]:
    """Short item labels for error messages (none bundled for the SSS-8)."""
    if rules.text_bundled:
        return instrument_info(rules.name).labels
    if rules.name == "wsas":
        return _WSAS_LABELS
    return (None,) * rules.n_items


def _checked_items(
    rules: InstrumentRules,
    values: Sequence[object],
    *,
    missing_ok: Set[int] = frozenset(),
    hint: str = "",
) -> list[int | None]:
    """Validate every item; items whose number is in ``missing_ok`` may be None."""
    return [
        _check_value(
            rules.name,
            number,
            label,
            value,
            responses=rules.responses,
            missing_ok=number in missing_ok,
            missing_hint=hint,
        )
        for number, (label, value) in enumerate(zip(_labels(rules), values, strict=True), start=1)
    ]


def _check_difficulty(key: str, value: object) -> int | None:
    """Validate the optional PHQ-9/PHQ-8 item 10 (functional difficulty, 0-3) answer."""
    return _check_value(
        key, 10, "difficulty, not scored", value, responses=range(4), missing_ok=True
    )


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
    rules = rules_for(name)
    key = rules.name
    _check_options(rules, options)
    if key == "phq9":
        return _score_phq9(rules, responses, options.get("difficulty"))
    if key == "phq15":
        applicable = _check_flag(
            key, "menstrual_applicable", options.get("menstrual_applicable", True)
        )
        return _score_phq15(rules, responses, menstrual_applicable=applicable)
    if key == "phq4":
        return _score_phq4(rules, responses)
    if key == "sss8":
        return score_sss8(responses)
    if key == "wsas":
        flag = _check_flag(key, "work_not_applicable", options.get("work_not_applicable", False))
        return score_wsas(responses, work_not_applicable=flag)
    return _score_simple(rules, responses, options.get("difficulty"))


def _positive(rules: InstrumentRules, total: int) -> bool | None:
    """Whether ``total`` reaches the screening cut point; ``None`` if the instrument has none."""
    return None if rules.cutoff is None else total >= rules.cutoff


def _score_simple(rules: InstrumentRules, responses: object, difficulty: object) -> Score:
    """Score the PHQ-8, PHQ-2, GAD-7 and GAD-2: a plain sum of complete items."""
    values = _as_sequence(rules, responses)
    answers = _checked_items(rules, values)
    total = sum(a for a in answers if a is not None)
    return Score(
        instrument=rules.name,
        total=total,
        max_total=rules.max_total,
        band=rules.band_for(total),
        positive=_positive(rules, total),
        difficulty=(
            _check_difficulty(rules.name, difficulty) if "difficulty" in rules.options else None
        ),
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


def _phq9_syndrome(rules: InstrumentRules, answers: Sequence[int | None]) -> str | None:
    """Return the syndrome only if it holds whatever the missing items would have been."""
    missing = [i for i, a in enumerate(answers) if a is None]
    outcomes = set()
    for fill in itertools.product(rules.responses, repeat=len(missing)):
        completed = list(answers)
        for index, value in zip(missing, fill, strict=True):
            completed[index] = value
        outcomes.add(_phq9_syndrome_complete([int(a) for a in completed if a is not None]))
    return outcomes.pop() if len(outcomes) == 1 else None


def _score_phq9(rules: InstrumentRules, responses: object, difficulty: object) -> Score:
    """Score the PHQ-9 with proration, the item-9 safety alert and the diagnostic algorithm."""
    key, n_items = rules.name, rules.n_items
    hint = "; item 10 (difficulty) is not a response, pass it as difficulty="
    values = _as_sequence(rules, responses, hint=hint if _length(responses) == n_items + 1 else "")
    answers = _checked_items(rules, values, missing_ok=frozenset(range(1, n_items + 1)))
    missing = tuple(n for n, a in enumerate(answers, start=1) if a is None)
    if len(missing) > rules.max_missing:
        labels = _labels(rules)
        listed = "; ".join(_item_name(key, n, labels[n - 1]) for n in missing)
        msg = (
            f"{key}: {len(missing)} items missing ({listed}); at most {rules.max_missing} may be "
            f"missing for a prorated total (qscorer, Arrieta et al. 2017), allowed "
            f"{_allowed(rules.responses)}"
        )
        raise ValueError(msg)
    answered = [a for a in answers if a is not None]
    # Prorate: sum x 9 / answered == each missing item replaced by the mean of the answered ones.
    exact = Fraction(sum(answered) * n_items, len(answered))
    total = _round_half_up(exact)
    safety = rules.safety_item
    return Score(
        instrument=key,
        total=total,
        max_total=rules.max_total,
        band=rules.band_for(total),
        positive=_positive(rules, total),
        safety_alert=None if safety is None else safety.alert(answers[safety.item - 1]),
        syndrome=_phq9_syndrome(rules, answers),
        prorated=bool(missing),
        difficulty=_check_difficulty(key, difficulty),
        missing_items=missing,
    )


def _length(responses: object) -> int | None:
    """Return ``len(responses)`` if it has one (for a friendlier error hint)."""
    try:
        return len(cast("Sized", responses))
    except TypeError:
        return None


def _score_phq4(rules: InstrumentRules, responses: object) -> Score:
    """Score the PHQ-4: total plus anxiety (items 1-2) and depression (items 3-4) subscales."""
    values = _as_sequence(rules, responses)
    answers = [int(a) for a in _checked_items(rules, values) if a is not None]
    subscales = {sub.name: sum(answers[n - 1] for n in sub.items) for sub in rules.subscales}
    total = sum(answers)
    cutoff = rules.subscale_cutoff
    return Score(
        instrument=rules.name,
        total=total,
        max_total=rules.max_total,
        band=rules.band_for(total),
        positive=None if cutoff is None else max(subscales.values()) >= cutoff,
        subscales=subscales,
    )


def _score_phq15(rules: InstrumentRules, responses: object, *, menstrual_applicable: bool) -> Score:
    """Score the PHQ-15, with item 4 (menstrual) optional for people it does not apply to.

    CamCOPS ``phq15.py``: without item 4 the maximum is 28. The count of items rated 2
    ("bothered a lot") is reported as ``severe_symptom_count``.
    """
    key, item = rules.name, cast("int", rules.optional_item)
    values = _as_sequence(rules, responses)
    value = values[item - 1]
    if not menstrual_applicable and value is not None:
        label = _labels(rules)[item - 1]
        msg = (
            f"{_item_name(key, item, label)}: got {value!r}, allowed None "
            "(not applicable) because menstrual_applicable=False"
        )
        raise ValueError(msg)
    hint = f"; pass menstrual_applicable=False if item {item} does not apply"
    missing_ok = frozenset() if menstrual_applicable else frozenset({item})
    answers = _checked_items(rules, values, missing_ok=missing_ok, hint=hint)
    answered = [a for a in answers if a is not None]
    total = sum(answered)
    return Score(
        instrument=key,
        total=total,
        max_total=rules.max_total_for(optional_item_applies=menstrual_applicable),
        band=rules.band_for(total),
        positive=_positive(rules, total),
        severe_symptom_count=sum(a == rules.item_max for a in answered),
        missing_items=() if menstrual_applicable else (item,),
    )


def score_sss8(responses: Sequence[int | None]) -> Score:
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
    rules = rules_for("sss8")
    values = _as_sequence(rules, responses)
    total = sum(a for a in _checked_items(rules, values) if a is not None)
    return Score(
        instrument=rules.name,
        total=total,
        max_total=rules.max_total,
        band=rules.band_for(total),
        positive=_positive(rules, total),
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
    rules = rules_for("wsas")
    key, item = rules.name, cast("int", rules.optional_item)
    flag = _check_flag(key, "work_not_applicable", work_not_applicable)
    values = _as_sequence(rules, responses)
    if flag and values[item - 1] is not None:
        msg = (
            f"{_item_name(key, item, _WSAS_LABELS[item - 1])}: got {values[item - 1]!r}, "
            "allowed None (not applicable) because work_not_applicable=True"
        )
        raise ValueError(msg)
    hint = "; pass work_not_applicable=True if the person is not working for unrelated reasons"
    missing_ok = frozenset({item}) if flag else frozenset()
    answers = _checked_items(rules, values, missing_ok=missing_ok, hint=hint)
    total = sum(a for a in answers if a is not None)
    return Score(
        instrument=key,
        total=total,
        max_total=rules.max_total_for(optional_item_applies=not flag),
        band=rules.band_for(total),
        positive=_positive(rules, total),
        missing_items=(item,) if flag else (),
    )
