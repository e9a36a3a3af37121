"""Screener form: PHQ-9, GAD-7, PHQ-15, PHQ-4 (and PHQ-8/PHQ-2/GAD-2) with a live total.

The pure part is :func:`read_screener`: from item responses (``None`` for unanswered items) it
returns the running total, the score and band once the form is complete
(:func:`bpscare.clinical.instruments.score`), the PHQ-9 item-9 safety instruction as soon as item 9
is endorsed (:func:`bpscare.clinical.instruments.provisional_safety_action`), and what to do next
(:func:`bpscare.clinical.instruments.recommended_action`). :class:`ScreenerView` renders the
published item wording with its attribution line and shows guidance on introducing a screener
without pathologizing the person (:data:`INTRODUCTION_GUIDANCE`). Screeners have no expert key, so
practice mode changes nothing here. Every clinical rule (items, bands, cut-offs, the item-9 rule,
the PHQ-15 optional item) comes from the rule records of
:func:`bpscare.clinical.instruments.rules_for`; this module keeps none of its own.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import ipywidgets as widgets

from bpscare.clinical.instruments import (
    INSTRUMENT_NAMES,
    InstrumentInfo,
    InstrumentRules,
    Score,
    bands,
    instrument_info,
    normalise_name,
    provisional_safety_action,
    recommended_action,
    rules_for,
    safety_action,
    safety_item_guidance,
    score,
)
from bpscare.widgets.common import SaveAnswerBar, feedback_html, labelled_html
from bpscare.widgets.page import page_support

__all__ = [
    "INTRODUCTION_GUIDANCE",
    "KIND",
    "ScreenerReading",
    "ScreenerView",
    "answer_to_score",
    "read_screener",
    "screener_form",
    "screener_to_answer",
]

KIND = "screener"
"""Answer kind saved by the view: ``{"instrument": ..., "responses": [...]}``."""

# The keyword option of score() that says whether an instrument's optional item applies.
_APPLICABLE_OPTION = "menstrual_applicable"
_DIFFICULTY_OPTION = "difficulty"

INTRODUCTION_GUIDANCE: tuple[str, ...] = (
    "Introduce it as routine and as part of caring for the whole person: \u2018I ask everyone "
    "these questions, because stress, mood and sleep affect how the body feels, and the body "
    "affects mood.\u2019 (biopsychosocial model: Engel, Science 1977;196:129-136)",
    "Say that the symptoms are real and will still be looked into: the questionnaire adds to "
    "the medical evaluation and does not explain the symptoms away (stigma checklist "
    "\u2018symptoms-taken-seriously\u2019; Pope et al., N Engl J Med 2000;342:1163-1170).",
    "Do not pathologize normal distress: worry and low mood are common reactions to being "
    "unwell, and the answers describe the recall period, not who the person is (seed article "
    "\u2018Strategies to reduce stigma around psychosomatic conditions in medical training\u2019, "
    "2025).",
    "Say what the answers are for and who will see them, and offer to read the items aloud or "
    "go through them together (AHRQ Health Literacy Universal Precautions Toolkit, 2nd ed. "
    "2015, Tool 4: Communicate Clearly).",
    "A score is a screen, not a diagnosis: a positive screen supports, but does not replace, a "
    "diagnostic interview (Kroenke, Spitzer & Williams, J Gen Intern Med 2001).",
)
"""How to introduce a screener without pathologizing the person, each point with its source."""


@dataclass(frozen=True)
class ScreenerReading:
    """What a partly or fully completed screener says, for the live total and the next step.

    Attributes
    ----------
    instrument
        Canonical instrument name, e.g. ``"phq9"``.
    n_required
        Items that must be answered (PHQ-15 without item 4: 14).
    answered
        Required items answered so far.
    running_total
        Sum of the answered items (the total once complete).
    score
        The :class:`~bpscare.clinical.instruments.Score` once every required item is answered, else
        ``None``.
    status
        One sentence for the live total (``"Total 12 of 27: moderate."``).
    safety
        The PHQ-9 item-9 safety instruction as soon as item 9 is 1 or more, else ``None``.
    next_step
        What to do next (only when complete), with its source.
    band_table
        The instrument's bands as learners read them, e.g. ``"0-4 minimal; 5-9 mild; ..."``.
    """

    instrument: str
    n_required: int
    answered: int
    running_total: int
    score: Score | None
    status: str
    safety: str | None
    next_step: str | None
    band_table: str


def _optional_item(rules: InstrumentRules) -> int | None:
    """The item a person can mark as not applicable on the form (PHQ-15 item 4), else ``None``."""
    return rules.optional_item if _APPLICABLE_OPTION in rules.options else None


def _check_responses(info: InstrumentInfo, responses: Sequence[int | None]) -> list[int | None]:
    if isinstance(responses, str) or not isinstance(responses, Sequence):
        msg = f"{info.name}: responses must be a list of {info.n_items} items, got {responses!r}"
        raise ValueError(msg)
    if len(responses) != info.n_items:
        msg = f"{info.name}: expected {info.n_items} responses, got {len(responses)}"
        raise ValueError(msg)
    return list(responses)


def read_screener(
    name: str,
    responses: Sequence[int | None],
    *,
    menstrual_applicable: bool = True,
    difficulty: int | None = None,
    scorer: Callable[..., Score] = score,
    advise: Callable[[Score], str] = recommended_action,
) -> ScreenerReading:
    """Read a screener as it is being filled in: running total, score, safety and next step.

    The band, the screening result and the next step appear only when every required item is
    answered (bands and actions: :func:`bpscare.clinical.instruments.score` and
    :func:`bpscare.clinical.instruments.recommended_action`, each citing its source). The PHQ-9
    item-9
    safety instruction appears as soon as item 9 is 1 or more, whatever the total and however
    many items are still open (FHIR MII PRO PHQ-9 guidance; Simon et al., Psychiatr Serv 2013).

    Parameters
    ----------
    name
        A PHQ family instrument (``"phq9"``, ``"gad7"``, ``"phq15"``, ``"phq4"``, ...).
    responses
        One entry per item in form order; ``None`` for an unanswered item.
    menstrual_applicable
        PHQ-15 only: ``False`` when item 4 does not apply (it must then be ``None``).
    difficulty
        PHQ-9/PHQ-8 item 10 (0-3, not summed), or ``None``.
    scorer, advise
        The scoring and next-step functions (injected for tests).

    Returns
    -------
    ScreenerReading

    Raises
    ------
    ValueError
        Unknown instrument, wrong number of responses, or an out-of-range response (the
        message names the item and the allowed values).

    Examples
    --------
    >>> reading = read_screener("phq2", [1, None])
    >>> reading.status
    'Answered 1 of 2 items; running total 1. The band appears when every item is answered.'
    """
    info = instrument_info(name)
    rules = rules_for(info.name)
    values = _check_responses(info, responses)
    optional = _optional_item(rules)
    applies = menstrual_applicable or optional is None
    skip = set() if applies else {cast("int", optional) - 1}
    required = [i for i in range(info.n_items) if i not in skip]
    answered = [i for i in required if values[i] is not None]
    running = sum(int(values[i] or 0) for i in answered)
    top = rules.max_total_for(optional_item_applies=applies)
    table = "; ".join(
        f"{low}-{high} {label}" for low, high, label in bands(info.name, max_total=top)
    )

    result: Score | None = None
    safety: str | None = None
    next_step: str | None = None
    if len(answered) == len(required):
        options: dict[str, Any] = {}
        if optional is not None:
            options[_APPLICABLE_OPTION] = menstrual_applicable
        if _DIFFICULTY_OPTION in rules.options and difficulty is not None:
            options[_DIFFICULTY_OPTION] = difficulty
        result = scorer(info.name, values, **options)
        verdict = ""
        if result.positive is not None:
            verdict = " Screen positive." if result.positive else " Screen negative."
        status = f"Total {result.total} of {result.max_total}: {result.band}.{verdict}"
        safety = safety_action(result)
        next_step = advise(result)
    else:
        status = (
            f"Answered {len(answered)} of {len(required)} items; running total {running}. "
            "The band appears when every item is answered."
        )
        safety = provisional_safety_action(info.name, values)
    return ScreenerReading(
        instrument=info.name,
        n_required=len(required),
        answered=len(answered),
        running_total=running,
        score=result,
        status=status,
        safety=safety,
        next_step=next_step,
        band_table=table,
    )


def screener_to_answer(name: str, responses: Sequence[int | None]) -> dict[str, Any]:
    """Return the plain-JSON answer ``{"instrument": ..., "responses": [...]}``.

    PHQ-15 item 4 is ``None`` when it does not apply; :func:`answer_to_score` reads that back.
    """
    info = instrument_info(name)
    values = _check_responses(info, responses)
    return {"instrument": info.name, "responses": [None if v is None else int(v) for v in values]}


def answer_to_score(data: Mapping[str, Any]) -> Score:
    """Score a saved ``screener`` answer (for graders), with the library's scoring rules.

    A PHQ-15 answer whose item 4 is ``None`` is scored with ``menstrual_applicable=False``
    (Kroenke et al., Psychosom Med 2002: maximum 28).

    Raises
    ------
    ValueError
        If keys are missing, or the responses cannot be scored (an unanswered item; the message
        names it).
    """
    if not isinstance(data, Mapping) or "instrument" not in data or "responses" not in data:
        msg = f"a screener answer needs the keys 'instrument' and 'responses', got {data!r}"
        raise ValueError(msg)
    info = instrument_info(str(data["instrument"]))
    responses = _check_responses(info, data["responses"])
    optional = _optional_item(rules_for(info.name))
    if optional is not None and responses[optional - 1] is None:
        return score(info.name, responses, **{_APPLICABLE_OPTION: False})
    return score(info.name, responses)


def _anchor_buttons(anchors: Sequence[tuple[int, str]], description: str) -> widgets.ToggleButtons:
    return widgets.ToggleButtons(
        options=[(label, value) for value, label in anchors],
        value=None,
        description=description,
        style={"description_width": "70px", "button_width": "auto"},
    )


class ScreenerView(widgets.VBox):
    """A PHQ family form with a live total, the item-9 safety alert and the next step.

    Parameters
    ----------
    instrument
        ``"phq9"``, ``"gad7"``, ``"phq15"``, ``"phq4"``, ``"phq8"``, ``"phq2"`` or ``"gad2"``
        (case-insensitive, hyphen optional).
    answer_name
        If given, a Save bar saves ``{"instrument", "responses"}`` (kind ``screener``).
    folder
        Where the answer file goes (the notebook's folder by default).
    practice
        Accepted for a uniform API; a screener has no expert key, so it changes nothing.
    responses
        Optional starting responses (e.g. a case's ``screeners.phq9``), ``None`` for blank.
    reader
        Reads the form (:func:`read_screener`).
    info
        Returns the published wording (:func:`bpscare.clinical.instruments.instrument_info`).
    """

    def __init__(
        self,
        instrument: str,
        *,
        answer_name: str | None = None,
        folder: Path | str | None = None,
        practice: bool = False,
        responses: Sequence[int | None] | None = None,
        reader: Callable[..., ScreenerReading] = read_screener,
        info: Callable[[str], InstrumentInfo] = instrument_info,
    ) -> None:
        self._info = info(instrument)
        self._rules = rules_for(self._info.name)
        self._reader = reader
        self._practice = practice
        meta = self._info
        self.header = widgets.HTML(
            f"<h4 style='margin:4px 0'>{html.escape(meta.title)}</h4>"
            f"<p style='margin:2px 0'>{html.escape(meta.stem)}</p>"
        )
        guidance = list(INTRODUCTION_GUIDANCE)
        safety_guidance = safety_item_guidance(meta.name)
        if safety_guidance is not None:
            guidance.append(safety_guidance)
        self.guidance = widgets.Accordion(
            children=[widgets.HTML(feedback_html(guidance, "info"))],
            titles=("Introducing this screener without pathologizing",),
            selected_index=None,
        )
        self.items = [
            _anchor_buttons(meta.anchors, f"Item {n}") for n in range(1, meta.n_items + 1)
        ]
        rows: list[widgets.Widget] = []
        for n, (text, buttons) in enumerate(zip(meta.items, self.items, strict=True), start=1):
            rows.append(widgets.HTML(f"<p style='margin:6px 0 0 0'>{n}. {html.escape(text)}</p>"))
            rows.append(buttons)
        self.not_applicable: widgets.Checkbox | None = None
        optional = _optional_item(self._rules)
        if optional is not None:
            self.not_applicable = widgets.Checkbox(
                value=False,
                description=f"Item {optional} does not apply to this person (no menstrual periods)",
                indent=False,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            )
            self.not_applicable.observe(self._toggle_item4, names="value")
            rows.insert(0, self.not_applicable)
        self.difficulty: widgets.ToggleButtons | None = None
        if meta.difficulty_question:
            self.difficulty = _anchor_buttons(meta.difficulty_anchors, "Item 10")
            rows.append(
                widgets.HTML(
                    f"<p style='margin:6px 0 0 0'>10. {html.escape(meta.difficulty_question)} "
                    "(not added to the total)</p>"
                )
            )
            rows.append(self.difficulty)
        self.total = widgets.HTML(value="")
        self.safety = widgets.HTML(value="")
        self.next_step = widgets.HTML(value="")
        self.attribution = widgets.HTML(
            f"<p style='font-size:smaller;margin:4px 0'>{html.escape(meta.attribution)} "
            f"Source: {html.escape(meta.citation)}</p>"
        )
        for control in [*self.items, *([self.difficulty] if self.difficulty else [])]:
            control.observe(self._refresh, names="value")

        children: list[widgets.Widget] = [
            self.header,
            self.guidance,
            labelled_html(f"Recall period: {meta.recall}."),
            *rows,
            self.total,
            self.safety,
            self.next_step,
            self.attribution,
        ]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(answer_name, self.answer, kind=KIND, folder=folder)
            children.append(self.save_bar)
        super().__init__(page_support(self, children))
        if responses is not None:
            self.set_responses(responses)
        self._refresh()

    # Public -------------------------------------------------------------------------------
    @property
    def instrument(self) -> str:
        """The canonical instrument name, e.g. ``"phq9"``."""
        return self._info.name

    def responses(self) -> list[int | None]:
        """Return the current item responses in form order (``None`` = unanswered)."""
        return [buttons.value for buttons in self.items]

    def set_responses(self, responses: Sequence[int | None]) -> None:
        """Fill the form (e.g. from a case); a PHQ-15 item 4 of ``None`` ticks 'does not apply'."""
        values = _check_responses(self._info, responses)
        optional = _optional_item(self._rules)
        if self.not_applicable is not None and optional is not None:
            self.not_applicable.value = values[optional - 1] is None
        for buttons, value in zip(self.items, values, strict=True):
            buttons.value = value

    def answer(self) -> dict[str, Any]:
        """Return the form as the plain-JSON answer (:func:`screener_to_answer`)."""
        return screener_to_answer(self._info.name, self.responses())

    # Callbacks ----------------------------------------------------------------------------
    def _toggle_item4(self, change: Mapping[str, Any]) -> None:
        item4 = self.items[cast("int", _optional_item(self._rules)) - 1]
        if change["new"]:
            item4.value = None
        item4.disabled = bool(change["new"])
        self._refresh()

    def _refresh(self, _change: object = None) -> None:
        applicable = self.not_applicable is None or not self.not_applicable.value
        options: dict[str, Any] = {}
        if self.not_applicable is not None:
            options[_APPLICABLE_OPTION] = applicable
        if self.difficulty is not None:
            options[_DIFFICULTY_OPTION] = self.difficulty.value
        reading = self._reader(self._info.name, self.responses(), **options)
        level = "info" if reading.score is None else "success"
        self.total.value = feedback_html([reading.status], level, "Live total")
        self.safety.value = (
            feedback_html([reading.safety], "alert", "Safety alert") if reading.safety else ""
        )
        if reading.next_step:
            self.next_step.value = feedback_html(
                [reading.next_step, f"Bands: {reading.band_table}."], "info", "What to do next"
            )
        else:
            self.next_step.value = ""


def screener_form(
    name: str,
    answer_name: str | None = None,
    *,
    folder: Path | str | None = None,
    practice: bool = False,
    responses: Sequence[int | None] | None = None,
) -> ScreenerView:
    """Return the screener form for ``name`` (one line in a lesson cell).

    ``name`` is normalised like every other entry point
    (:func:`bpscare.clinical.instruments.normalise_name`), so ``"PHQ 9"``, ``"phq-9"`` and
    ``"phq_9"`` all give the PHQ-9 form.

    Raises
    ------
    ValueError
        If ``name`` is not one of the PHQ family instruments with bundled wording.
    """
    try:
        key: str | None = normalise_name(name)
    except ValueError:
        key = None
    if key not in INSTRUMENT_NAMES:
        msg = f"screener {name!r} has no bundled form; allowed: {', '.join(INSTRUMENT_NAMES)}"
        raise ValueError(msg)
    return ScreenerView(
        name, answer_name=answer_name, folder=folder, practice=practice, responses=responses
    )
