"""One rule record per screener bpscare scores: items, response range, bands, cut-offs, item 9.

:data:`RULES` holds an :class:`InstrumentRules` for each of the PHQ-9, PHQ-8, PHQ-2, GAD-7,
GAD-2, PHQ-4, PHQ-15, SSS-8 and WSAS. Scoring, the next-step text and the screener widget read
every number from these records and keep none of their own; :func:`rules_for` is the one place
instrument names are normalised, so every entry point accepts the same spellings. The numbers and
their sources are those of the reference facts file, sections 0 and 1.

Examples
--------
>>> phq9 = rules_for("PHQ 9")
>>> phq9.name, phq9.n_items, phq9.cutoff, phq9.band_range("moderate")
('phq9', 9, 10, '10-14')
>>> phq9.safety_item.item, phq9.safety_item.alert(1)
(9, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "INSTRUMENT_NAMES",
    "RULES",
    "SCORE_ONLY_NAMES",
    "Band",
    "InstrumentRules",
    "SafetyItemRule",
    "Subscale",
    "bands",
    "normalise_name",
    "rules_for",
]


@dataclass(frozen=True)
class Band:
    """One severity band: an inclusive range of totals and its label.

    Attributes
    ----------
    low, high
        Lowest and highest total in the band (both inclusive).
    label
        The band's name, e.g. ``"moderate"``.
    """

    low: int
    high: int
    label: str


@dataclass(frozen=True)
class SafetyItemRule:
    """An item whose answer calls for action whatever the total (the PHQ-9 item 9 rule).

    Attributes
    ----------
    item
        1-based item number, e.g. ``9``.
    alert_at
        Lowest response that raises the alert (``1``: any answer other than "not at all").
    alert_if_missing
        Whether an unanswered item raises the alert too (a missing answer cannot rule out risk).
    topic
        What the item asks about, for messages.
    action
        What the alert calls for, as a clause that completes "the learner must ...".
    source
        Where the rule comes from.
    """

    item: int
    alert_at: int
    alert_if_missing: bool
    topic: str
    action: str
    source: str

    def alert(self, value: int | None) -> bool:
        """Return whether ``value`` (``None`` = unanswered) raises the safety alert.

        Parameters
        ----------
        value
            The item's response, or ``None`` if it was left unanswered.

        Returns
        -------
        bool
            ``True`` at ``alert_at`` or above, and for ``None`` if ``alert_if_missing``.
        """
        return self.alert_if_missing if value is None else value >= self.alert_at


@dataclass(frozen=True)
class Subscale:
    """A subscale summed from some items, with the full instrument a positive subscale calls for.

    Attributes
    ----------
    name
        E.g. ``"anxiety"``.
    items
        1-based item numbers summed into the subscale.
    full_form
        Canonical name of the full instrument to administer when the subscale is positive.
    """

    name: str
    items: tuple[int, ...]
    full_form: str


@dataclass(frozen=True)
class InstrumentRules:
    """The published scoring rules of one instrument.

    Attributes
    ----------
    name
        Canonical name, e.g. ``"phq9"``.
    title
        Short display name, e.g. ``"PHQ-9"``.
    n_items
        Number of scored items.
    item_min, item_max
        Response range of every scored item (inclusive).
    bands
        Severity bands, lowest first, covering ``0`` to :attr:`max_total` without gaps.
    cutoff
        Total at or above which the screen is positive; ``None`` if no cut point is used.
    subscales
        Two-item subscales (PHQ-4), in form order.
    subscale_cutoff
        Subscale total at or above which the screen is positive (PHQ-4).
    full_form
        The full instrument a positive screen calls for (PHQ-2: ``"phq9"``, GAD-2: ``"gad7"``).
    safety_item
        The item-9 rule (PHQ-9 only).
    optional_item
        The item that may not apply to a person (PHQ-15 item 4, WSAS item 1 "work").
    max_missing
        How many items may be missing for a prorated total (PHQ-9: 2); 0 means none.
    options
        Keyword options :func:`bpscare.clinical.instruments.score` accepts for this instrument.
    text_bundled
        Whether the item wording ships with bpscare (not for the SSS-8 and WSAS: licences).
    source
        Where the bands and cut-offs come from.
    """

    name: str
    title: str
    n_items: int
    item_max: int
    bands: tuple[Band, ...]
    source: str
    item_min: int = 0
    cutoff: int | None = None
    subscales: tuple[Subscale, ...] = ()
    subscale_cutoff: int | None = None
    full_form: str | None = None
    safety_item: SafetyItemRule | None = None
    optional_item: int | None = None
    max_missing: int = 0
    options: frozenset[str] = frozenset()
    text_bundled: bool = True

    def __post_init__(self) -> None:
        """Refuse a record whose bands leave gaps or whose item numbers are out of range."""
        expected_low = self.n_items * self.item_min
        for band in self.bands:
            if band.low != expected_low or band.high < band.low:
                msg = f"{self.name}: band {band} does not start at {expected_low}"
                raise ValueError(msg)
            expected_low = band.high + 1
        if expected_low - 1 != self.max_total:
            msg = f"{self.name}: the last band must end at the maximum total {self.max_total}"
            raise ValueError(msg)
        numbers = [n for sub in self.subscales for n in sub.items]
        if self.safety_item is not None:
            numbers.append(self.safety_item.item)
        if self.optional_item is not None:
            numbers.append(self.optional_item)
        if any(not 1 <= n <= self.n_items for n in numbers):
            msg = f"{self.name}: item numbers {numbers} must lie in 1-{self.n_items}"
            raise ValueError(msg)

    @property
    def responses(self) -> tuple[int, ...]:
        """The allowed responses of every item, e.g. ``(0, 1, 2, 3)``."""
        return tuple(range(self.item_min, self.item_max + 1))

    @property
    def max_total(self) -> int:
        """The highest possible total with every item answered."""
        return self.n_items * self.item_max

    @property
    def band_labels(self) -> tuple[str, ...]:
        """The band labels, lowest first."""
        return tuple(band.label for band in self.bands)

    def max_total_for(self, *, optional_item_applies: bool = True) -> int:
        """Return the highest total, leaving out :attr:`optional_item` when it does not apply.

        Parameters
        ----------
        optional_item_applies
            ``False`` when the optional item (PHQ-15 item 4, WSAS item 1) does not apply.

        Returns
        -------
        int
            E.g. 30 for the PHQ-15, or 28 without item 4.
        """
        if optional_item_applies or self.optional_item is None:
            return self.max_total
        return self.max_total - self.item_max

    def band_for(self, total: int) -> str:
        """Return the label of the band ``total`` falls in (the top band above the maximum).

        Parameters
        ----------
        total
            A total score.

        Returns
        -------
        str
            E.g. ``"moderate"`` for a PHQ-9 total of 12.
        """
        label = self.bands[0].label
        for band in self.bands:
            if total >= band.low:
                label = band.label
        return label

    def band(self, label: str) -> Band:
        """Return the band called ``label``.

        Parameters
        ----------
        label
            A band label of this instrument.

        Returns
        -------
        Band

        Raises
        ------
        ValueError
            If the instrument has no such band.
        """
        for band in self.bands:
            if band.label == label:
                return band
        msg = f"{self.name}: unknown band {label!r}, allowed {', '.join(self.band_labels)}"
        raise ValueError(msg)

    def band_range(self, label: str) -> str:
        """Return a band's range as messages quote it: ``"10-14"``, or ``"20 or more"`` at the top.

        Parameters
        ----------
        label
            A band label of this instrument.

        Returns
        -------
        str
            The inclusive range; the top band is open-ended, so it reads the same for the PHQ-9
            (maximum 27) and the PHQ-8 (maximum 24).
        """
        band = self.band(label)
        if band == self.bands[-1]:
            return f"{band.low} or more"
        return f"{band.low}-{band.high}"


def _bands(top: int, *lows: tuple[int, str]) -> tuple[Band, ...]:
    """Build contiguous bands from ``(lower bound, label)`` pairs; the last one ends at ``top``."""
    highs = [low - 1 for low, _ in lows[1:]] + [top]
    return tuple(Band(low, high, label) for (low, label), high in zip(lows, highs, strict=True))


_PHQ_DEPRESSION = (
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "moderately severe"),
    (20, "severe"),
)
_TWO_ITEM = ((0, "negative"), (3, "positive"))
_DIFFICULTY = frozenset({"difficulty"})

_ITEM9 = SafetyItemRule(
    item=9,
    alert_at=1,
    alert_if_missing=True,
    topic="thoughts that you would be better off dead or of hurting yourself",
    action=(
        "complete a same-visit structured suicide-risk assessment (e.g. the Columbia Suicide "
        "Severity Rating Scale, C-SSRS) before the encounter ends, whatever the total score"
    ),
    source=(
        "FHIR MII PRO PHQ-9 guidance; Simon et al., Psychiatr Serv 2013; Louzon et al., "
        "Psychiatr Serv 2016"
    ),
)

RULES: Mapping[str, InstrumentRules] = MappingProxyType(
    {
        rules.name: rules
        for rules in (
            InstrumentRules(
                name="phq9",
                title="PHQ-9",
                n_items=9,
                item_max=3,
                bands=_bands(27, *_PHQ_DEPRESSION),
                cutoff=10,
                safety_item=_ITEM9,
                max_missing=2,  # qscorer scoring_phq9 (Arrieta et al. 2017)
                options=_DIFFICULTY,
                source="Kroenke, Spitzer & Williams, J Gen Intern Med 2001",
            ),
            InstrumentRules(
                name="phq8",
                title="PHQ-8",
                n_items=8,
                item_max=3,
                bands=_bands(24, *_PHQ_DEPRESSION),
                cutoff=10,
                options=_DIFFICULTY,
                source="Kroenke et al., J Affect Disord 2009",
            ),
            InstrumentRules(
                name="phq2",
                title="PHQ-2",
                n_items=2,
                item_max=3,
                bands=_bands(6, *_TWO_ITEM),
                cutoff=3,
                full_form="phq9",
                source="Kroenke, Spitzer & Williams, Med Care 2003",
            ),
            InstrumentRules(
                name="gad7",
                title="GAD-7",
                n_items=7,
                item_max=3,
                bands=_bands(21, (0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
                cutoff=10,
                source="Spitzer, Kroenke, Williams & Löwe, Arch Intern Med 2006",
            ),
            InstrumentRules(
                name="gad2",
                title="GAD-2",
                n_items=2,
                item_max=3,
                bands=_bands(6, *_TWO_ITEM),
                cutoff=3,
                full_form="gad7",
                source="Kroenke et al., Ann Intern Med 2007",
            ),
            InstrumentRules(
                name="phq4",
                title="PHQ-4",
                n_items=4,
                item_max=3,
                bands=_bands(12, (0, "none"), (3, "mild"), (6, "moderate"), (9, "severe")),
                subscales=(
                    Subscale("anxiety", (1, 2), full_form="gad7"),
                    Subscale("depression", (3, 4), full_form="phq9"),
                ),
                subscale_cutoff=3,
                source="Kroenke, Spitzer, Williams & Löwe, Psychosomatics 2009 (NINDS CDE page)",
            ),
            InstrumentRules(
                name="phq15",
                title="PHQ-15",
                n_items=15,
                item_max=2,
                bands=_bands(30, (0, "minimal"), (5, "low"), (10, "medium"), (15, "high")),
                optional_item=4,  # menstrual cramps (CamCOPS phq15.py: maximum 28 without it)
                options=frozenset({"menstrual_applicable"}),
                source="Kroenke, Spitzer & Williams, Psychosom Med 2002; FHIR MII PRO PHQ-15",
            ),
            InstrumentRules(
                name="sss8",
                title="SSS-8",
                n_items=8,
                item_max=4,
                bands=_bands(
                    32,
                    (0, "none to minimal"),
                    (4, "low"),
                    (8, "medium"),
                    (12, "high"),
                    (16, "very high"),
                ),
                text_bundled=False,
                source="Gierk et al., JAMA Intern Med 2014, categories as tabulated by fpnotebook",
            ),
            InstrumentRules(
                name="wsas",
                title="WSAS",
                n_items=5,
                item_max=8,
                bands=_bands(
                    40,
                    (0, "subclinical"),
                    (10, "significant impairment"),
                    (21, "moderately severe or worse"),
                ),
                optional_item=1,  # work: retired or not working for unrelated reasons
                options=frozenset({"work_not_applicable"}),
                text_bundled=False,
                source="Mundt, Marks, Shear & Greist, Br J Psychiatry 2002",
            ),
        )
    }
)
"""Every instrument bpscare scores, by canonical name, in the order used in messages (read-only)."""

INSTRUMENT_NAMES: tuple[str, ...] = tuple(name for name, r in RULES.items() if r.text_bundled)
"""The PHQ family: scored, with item text available (:func:`bpscare.clinical.instruments.items`)."""

SCORE_ONLY_NAMES: tuple[str, ...] = tuple(name for name, r in RULES.items() if not r.text_bundled)
"""Instruments scored from numbers only; their item text is not bundled (licences)."""


def normalise_name(name: object) -> str:
    """Map ``"PHQ-9"``, ``"phq_9"``, ``"PHQ 9"`` or ``" Gad7 "`` to ``"phq9"``/``"gad7"``.

    Every entry point (scoring, wording, next steps, the screener widget) normalises names here,
    so all of them accept the same spellings.

    Parameters
    ----------
    name
        An instrument name; case, spaces, hyphens and underscores are ignored.

    Returns
    -------
    str
        The canonical name, a key of :data:`RULES`.

    Raises
    ------
    ValueError
        If ``name`` is not a string or not an instrument bpscare scores.
    """
    known = ", ".join(RULES)
    if not isinstance(name, str):
        msg = f"instrument name must be a string, got {name!r}; known instruments: {known}"
        raise ValueError(msg)
    key = name.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if key not in RULES:
        msg = f"unknown instrument {name!r}; known instruments: {known}"
        raise ValueError(msg)
    return key


def rules_for(name: object) -> InstrumentRules:
    """Return the rule record of an instrument, whatever the spelling of its name.

    Parameters
    ----------
    name
        Any spelling :func:`normalise_name` accepts.

    Returns
    -------
    InstrumentRules

    Raises
    ------
    ValueError
        If ``name`` is not an instrument bpscare scores.
    """
    return RULES[normalise_name(name)]


def bands(name: str, *, max_total: int | None = None) -> list[tuple[int, int, str]]:
    """Return the severity bands of an instrument as inclusive ``(low, high, label)`` ranges.

    Parameters
    ----------
    name
        Any instrument :func:`bpscare.clinical.instruments.score` accepts, including ``"sss8"``
        and ``"wsas"``.
    max_total
        Upper end of the last band; defaults to the instrument's full maximum.

    Returns
    -------
    list of tuple
        E.g. ``[(0, 4, "minimal"), (5, 9, "mild"), ...]`` for the PHQ-9.
    """
    table = rules_for(name).bands
    out = [(band.low, band.high, band.label) for band in table]
    if max_total is not None:
        low, _, label = out[-1]
        out[-1] = (low, max_total, label)
    return out
