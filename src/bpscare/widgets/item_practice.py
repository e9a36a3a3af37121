"""Practice twins of the graded items: the same formats, a practice case, immediate feedback.

A practice file (``course/apps/practice/<assignment>.yaml``, schema in ``docs/item-formats.md``)
holds items in the graded formats on a case no assignment grades. :func:`load_practice` validates
it; :func:`evaluate_item` scores a response with the autograder's own functions
(:mod:`bpscare.grading.item_formats`); :class:`ItemPracticeView` only wires controls to it. Keys
and explanations stay in plain attributes, never in a synced trait, and reach the page only as
feedback after a check; the worked answer and teaching point follow full credit or a second check
(Hattie & Timperley, Rev Educ Res 2007;77:81-112); an SCT item shows its panel at once.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import ipywidgets as widgets
import yaml

from bpscare.errors import BpscareError
from bpscare.grading.item_formats import (
    SCT_SCALE,
    ChoiceError,
    concordance_credit,
    harmful_choices,
    key_feature_credit,
    matching_credit,
    ordering_credit,
    read_choice,
    read_choices,
    read_order,
)
from bpscare.widgets.common import feedback_html
from bpscare.widgets.page import page_support

__all__ = [
    "FORMATS",
    "SCT_LABELS",
    "ItemFeedback",
    "ItemPracticeView",
    "PracticeFileError",
    "PracticeItem",
    "PracticeSet",
    "build_practice_app",
    "evaluate_item",
    "load_practice",
    "practice_items",
]

SCT_LABELS = {  # the script-concordance scale as learners read it (Lubarsky et al., AMEE Guide 75)
    "-2": "much less likely",
    "-1": "less likely",
    "0": "neither more nor less likely",
    "+1": "more likely",
    "+2": "much more likely",
}

_COMMON = {"id", "format", "stem", "explanations", "teaching_point"}
_FIELDS = {
    "single-best-answer": _COMMON | {"options", "answer"},
    "key-feature": _COMMON | {"options", "select_up_to", "critical", "harmful"},
    "script-concordance": _COMMON | {"hypothesis", "new_information", "panel"},
    "extended-matching": _COMMON | {"options", "vignettes", "key"},
    "ordering": _COMMON | {"options", "order"},
}
FORMATS = tuple(_FIELDS)  # single-best-answer, key-feature, script-concordance, EMQ, ordering
# Long radio options wrap on their own rows (the stock radio label is one fixed-height line).
_RADIO_CSS = (
    "<style>.bpscare-choices label{height:auto;line-height:1.35;white-space:normal;display:flex;"
    "align-items:flex-start;padding:2px 0}.bpscare-choices label input{height:auto;flex:none;"
    "order:-1;margin:3px 8px 0 1px}.bpscare-choices select{min-height:28px}</style>"
)
SCORING_SOURCES = (
    "Key-feature items: Page & Bordage, Acad Med 1995;70:104-110.",
    "Script concordance: Charlin et al., Teach Learn Med 2000;12:189-195; Lubarsky et al., "
    "Med Teach 2013;35:184-193 (AMEE Guide 75).",
    "Extended matching: Case & Swanson, Constructing written test questions, NBME 2002.",
)
_LINES = "<div style='line-height:1.45'>{}</div>"  # ipywidgets' HTML spaces lines 28 px apart
PRACTICE_APP_NOTE = (
    "Practice mode: a practice case, not the graded one. The answers here are public and "
    "scored exactly as the graded items are; nothing on this page is graded or saved."
)


Source = str | Path | Sequence[Mapping[str, Any]] | Mapping[str, Any]  # file, mapping or items


class PracticeFileError(BpscareError):
    """A practice file (or list of items) that cannot be used; the message names file and item."""


@dataclass(frozen=True)
class PracticeItem:
    """One validated practice item; the key fields are plain attributes, never synced."""

    id: str
    format: str
    stem: str = ""
    options: dict[str, str] = field(default_factory=dict)
    select_up_to: int = 0
    critical: tuple[str, ...] = ()
    harmful: tuple[str, ...] = ()
    answer: str = ""
    hypothesis: str = ""
    new_information: str = ""
    panel: dict[str, int] = field(default_factory=dict)
    vignettes: dict[str, str] = field(default_factory=dict)
    key: dict[str, tuple[str, ...]] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    explanations: dict[str, str] = field(default_factory=dict)
    teaching_point: str = ""

    @property
    def choices(self) -> tuple[str, ...]:
        """The labels a learner can choose: option letters, or the SCT scale."""
        return SCT_SCALE if self.format == "script-concordance" else tuple(self.options)


@dataclass(frozen=True)
class PracticeSet:
    """A practice file: its title, the assignment it practises, a shared case and the items."""

    title: str
    items: tuple[PracticeItem, ...]
    practises: str = ""
    case: str = ""
    source: str = "items"


@dataclass(frozen=True)
class ItemFeedback:
    """The feedback for one check: ``credit`` as the grader computes it (``None``: unreadable)."""

    credit: float | None
    level: str
    title: str
    messages: tuple[str, ...]


def _bad(message: str, path: str | Path | None = None) -> NoReturn:
    raise PracticeFileError(message, path=path)


def _ask(message: str) -> NoReturn:
    raise ChoiceError(message)


def _scale_point(value: object) -> str:
    if type(value) is int:
        return f"{value:+d}" if value else "0"
    return str(value).strip()


def _item(raw: object, where: str, seen: set[str]) -> PracticeItem:
    if not isinstance(raw, Mapping):
        _bad(f"{where}: an item must be a mapping, got {raw!r}")
    item_id = str(raw.get("id", "")).strip()
    if not item_id:
        _bad(f"{where}: every item needs an id")
    if item_id in seen:
        _bad(f"item {item_id}: the id is used twice")
    seen.add(item_id)
    where = f"item {item_id}"

    def fail(message: str) -> NoReturn:
        _bad(f"{where}: {message}")

    fmt = raw.get("format")
    if fmt not in FORMATS:
        fail(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    unknown = sorted(str(k) for k in raw if k not in _FIELDS[fmt])
    if unknown:
        fail(f"{fmt} items do not use {unknown}; allowed: {sorted(_FIELDS[fmt])}")

    def text(name: str, *, required: bool = True) -> str:
        value = raw.get(name, "")
        if not isinstance(value, str) or (required and not value.strip()):
            fail(f"{name} must be non-empty text, got {value!r}")
        return value.strip()

    def labels(name: str, values: object, allowed: Sequence[str]) -> tuple[str, ...]:
        found = [values] if isinstance(values, str | int) else values
        if not isinstance(found, list | tuple) or not found:
            fail(f"{name} must list options, got {values!r}")
        out = tuple(_scale_point(v) if allowed is SCT_SCALE else str(v).strip() for v in found)
        bad = [v for v in out if v not in allowed]
        if bad:
            fail(f"{name} names {bad[0]!r}, which is not an option; options: {list(allowed)}")
        return out

    fields: dict[str, Any] = {"id": item_id, "format": fmt}
    fields["stem"] = text("stem", required=fmt != "script-concordance")
    fields["teaching_point"] = text("teaching_point")
    if fmt == "script-concordance":
        fields["hypothesis"] = text("hypothesis")
        fields["new_information"] = text("new_information")
        panel = raw.get("panel")
        if not isinstance(panel, Mapping):
            fail(f"panel must map the scale {list(SCT_SCALE)} to counts, got {panel!r}")
        counts = {_scale_point(k): v for k, v in panel.items()}
        labels("panel", list(counts), SCT_SCALE)
        if any(type(v) is not int or v < 0 for v in counts.values()) or not any(counts.values()):
            fail(f"panel counts must be whole numbers >= 0, not all 0; got {dict(panel)}")
        fields["panel"] = {p: counts.get(p, 0) for p in SCT_SCALE}
        choices: Sequence[str] = SCT_SCALE
    else:
        options = raw.get("options")
        if not isinstance(options, Mapping) or len(options) < 2:
            fail(f"options must map at least two labels to texts, got {options!r}")
        fields["options"] = {str(k).strip(): str(v).strip() for k, v in options.items()}
        if not all(fields["options"].values()) or "" in fields["options"]:
            fail("every option needs a label and a text")
        choices = tuple(fields["options"])
    if fmt == "single-best-answer":
        if not isinstance(raw.get("answer"), str):
            fail(f"answer must be one option label, got {raw.get('answer')!r}")
        (fields["answer"],) = labels("answer", raw["answer"], choices)
    elif fmt == "key-feature":
        up_to = raw.get("select_up_to")
        fields["critical"] = labels("critical", raw.get("critical"), choices)
        fields["harmful"] = labels("harmful", raw["harmful"], choices) if "harmful" in raw else ()
        low, high = len(set(fields["critical"])), len(choices) - 1
        if type(up_to) is not int or not low <= up_to <= high:
            fail(f"select_up_to must be a whole number from {low} to {high}, got {up_to!r}")
        if set(fields["critical"]) & set(fields["harmful"]):
            fail("an option cannot be both critical and harmful")
        fields["select_up_to"] = up_to
    elif fmt == "extended-matching":
        vignettes, key = raw.get("vignettes"), raw.get("key")
        if not isinstance(vignettes, Mapping) or not vignettes:
            fail(f"vignettes must map ids to texts, got {vignettes!r}")
        fields["vignettes"] = {str(k): str(v).strip() for k, v in vignettes.items()}
        if not isinstance(key, Mapping) or set(map(str, key)) != set(fields["vignettes"]):
            fail(f"key must give an option for each vignette {list(fields['vignettes'])}")
        fields["key"] = {str(v): labels(f"key of {v}", key[v], choices) for v in key}
    elif fmt == "ordering":
        order = labels("order", raw.get("order"), choices)
        if sorted(order) != sorted(choices):
            fail(f"order must list every option once, got {list(order)}")
        fields["order"] = order
    explanations = raw.get("explanations") or {}
    if not isinstance(explanations, Mapping):
        fail(f"explanations must map options to texts, got {explanations!r}")
    if fmt == "extended-matching":  # an explanation may be an option's or a vignette's
        choices = (*choices, *fields["vignettes"])
    keys = labels("explanations", list(explanations), choices) if explanations else ()
    fields["explanations"] = dict(zip(keys, map(str, explanations.values()), strict=True))
    return PracticeItem(**fields)


def load_practice(path_or_items: Source, *, title: str | None = None) -> PracticeSet:
    """Read and validate a practice file, its parsed mapping, or a list of item dicts.

    Raises :class:`PracticeFileError` naming the file and the item: a missing file, bad YAML, an
    unknown format, missing options, or a key, panel or explanation naming an unknown option.
    """
    source = "items"
    data: object = path_or_items
    if isinstance(path_or_items, str | Path):
        path = Path(path_or_items)
        source = str(path)
        if not path.is_file():
            _bad("practice file not found", path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            _bad(f"not valid YAML ({exc})", path)
    if isinstance(data, list | tuple):
        data = {"items": list(data)}
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list):
        _bad("expected a mapping with a list of items", source)
    seen: set[str] = set()
    try:
        items = tuple(_item(raw, f"item {n}", seen) for n, raw in enumerate(data["items"], 1))
    except PracticeFileError as exc:
        raise PracticeFileError(str(exc), path=source) from None
    if not items:
        _bad("the practice file has no items", source)
    return PracticeSet(
        title=title or str(data.get("title") or "Practice items"),
        items=items,
        practises=str(data.get("practises") or ""),
        case=str(data.get("case") or "").strip(),
        source=source,
    )


def _read(item: PracticeItem, response: object) -> Any:
    """The response read by the graded readers (``ChoiceError`` says what to fix)."""
    fmt = item.format
    if fmt in ("single-best-answer", "script-concordance"):
        if response is None or response == "":
            _ask("Choose an answer first.")
        return read_choice(response, item.choices)
    if fmt == "key-feature":
        if not response:
            _ask("Tick at least one option first.")
        return read_choices(", ".join(response), item.choices)  # type: ignore[arg-type]
    if fmt == "ordering":
        ranks = [r for r in response or () if r]  # type: ignore[attr-defined]
        if len(ranks) < (n := len(item.order)):
            _ask(f"Choose an option for every position ({n - len(ranks)} still open).")
        return read_order(", ".join(ranks), item.choices)
    answers = dict(response or {})  # type: ignore[call-overload]
    missing = [v for v in item.vignettes if not answers.get(v)]
    if missing:
        _ask(f"Choose an option for every vignette ({len(missing)} still open).")
    return answers


def _explain(item: PracticeItem, label: str) -> str:
    text = item.explanations.get(label, "")
    name = f"{label} ({SCT_LABELS[label]})" if label in SCT_LABELS else label
    return f"{name}: {text}" if text else ""


def _credit(item: PracticeItem, chosen: Any) -> tuple[float, list[str]]:
    """Credit as the autograder computes it, and what the learner chose, explained."""
    fmt = item.format
    if fmt == "single-best-answer":
        return float(chosen == item.answer), [_explain(item, chosen)]
    if fmt == "script-concordance":
        total = sum(item.panel.values())
        spread = ", ".join(f"{p}: {item.panel[p]}" for p in SCT_SCALE)
        lines = [
            f"{item.panel.get(chosen, 0)} of {total} panel members chose {chosen}, as you did "
            f"(panel answers {spread}; an illustrative panel written by the course authors).",
            _explain(item, chosen),
        ]
        return concordance_credit(chosen, item.panel), lines
    if fmt == "key-feature":
        credit = key_feature_credit(chosen, item.critical, select_up_to=item.select_up_to)
        lines = [f"You chose {len(chosen)}; this item allows up to {item.select_up_to}."]
        if len(chosen) > item.select_up_to:
            lines.append("Choosing more than allowed scores 0: pick what matters most today.")
        return credit, lines + [_explain(item, c) for c in chosen]
    if fmt == "ordering":
        credit, pairs = ordering_credit(chosen, item.order), len(chosen) * (len(chosen) - 1) // 2
        kept = f"You kept {round(credit * pairs)} of the key's {pairs} pairs in the key's order."
        return credit, [kept] + [_explain(item, c) for c in chosen]
    credit = matching_credit(chosen, item.key)
    lines = [
        f"Vignette {n}: you chose {chosen[v]}"
        + (" (a good match)." if chosen[v] in item.key[v] else " (not the best match).")
        for n, v in enumerate(item.vignettes, 1)
    ]
    return credit, lines + [_explain(item, c) for c in dict.fromkeys(chosen.values())]


def _worked_answer(item: PracticeItem) -> list[str]:
    fmt = item.format
    if fmt == "single-best-answer":
        lines = [f"The best answer is {item.answer}: {item.options[item.answer]}"]
        lines.append(_explain(item, item.answer))
    elif fmt == "key-feature":
        lines = [f"The critical actions are {', '.join(item.critical)}."]
        lines += [_explain(item, c) for c in item.critical]
        if item.harmful:
            lines.append(f"Harmful here: {', '.join(item.harmful)}.")
    elif fmt == "ordering":
        lines = [f"The key's order is {', '.join(item.order)}."]
        lines += [_explain(item, c) for c in item.order]
    else:
        lines = [f"Vignette {n}: {' or '.join(item.key[v])}." for n, v in enumerate(item.key, 1)]
        lines = [
            f"{x} {item.explanations.get(v, '')}" for x, v in zip(lines, item.key, strict=True)
        ]
    return [*lines, f"Teaching point: {item.teaching_point}"]


def evaluate_item(item: PracticeItem, response: object, attempts: int = 1) -> ItemFeedback:
    """Score ``response`` as the graded item would be scored, and explain it.

    ``response`` is a label (single-best-answer, script-concordance), a collection of labels
    (key-feature), a sequence of labels by rank (ordering) or ``{vignette: label}``
    (extended-matching). A harmful key-feature choice is a gate: no credit, whatever else is
    chosen. The worked answer and the teaching point are added at full credit, for a
    script-concordance item, or from the second check on (``attempts`` counts the checks).
    """
    try:
        chosen = _read(item, response)
    except ChoiceError as exc:
        return ItemFeedback(None, "info", "Not ready to check", (str(exc),))
    credit, lines = _credit(item, chosen)
    harmful = harmful_choices(chosen, item.harmful) if item.format == "key-feature" else ()
    if harmful:
        credit = 0.0
        lines.insert(0, "A harmful choice fails a key-feature item whatever else is right.")
    reveal = credit == 1.0 or item.format == "script-concordance" or attempts >= 2
    if harmful:
        level, title = "alert", f"Safety gate: {', '.join(harmful)} could harm this person"
    elif credit == 1.0:
        level, title = "success", "Full credit"
    else:
        level, title = "warning", f"{'Partial' if credit else 'No'} credit: {credit:.0%}"
    lines.append(f"Scored as in the graded assignment: {credit:.0%} of the item's points.")
    if item.format == "script-concordance":
        lines.append(f"Teaching point: {item.teaching_point}")
    elif reveal:
        lines += _worked_answer(item)
    else:
        lines.append("Have another look and check again; the worked answer follows.")
    return ItemFeedback(credit, level, title, tuple(dict.fromkeys(x.strip() for x in lines if x)))


Evaluate = Callable[[PracticeItem, object, int], ItemFeedback]
Hook = Callable[[], None] | None


def markdown_html(text: str) -> str:
    """Markdown (stems, vignettes) as HTML, with any raw HTML escaped."""
    import mistune  # a dependency of nbconvert, hence of Voila and JupyterLab

    return str(mistune.create_markdown(escape=True, plugins=["table"])(text))


def _dropdown(label: str, options: list[tuple[str, str | None]]) -> widgets.Dropdown:
    box = widgets.Dropdown(options=options, index=0, description=label)
    box.style, box.layout = {"description_width": "initial"}, widgets.Layout(max_width="100%")
    return box.add_class("bpscare-choices")


class ItemView(widgets.VBox):
    """One item: its stem, the controls of its format, a Check button and a feedback region."""

    def __init__(
        self, item: PracticeItem, n: int, evaluate: Evaluate = evaluate_item, on_check: Hook = None
    ) -> None:
        self.item, self._evaluate, self._on_check = item, evaluate, on_check
        self.attempts = 0
        self.last_result: ItemFeedback | None = None
        fmt = item.format
        head = f"<h2 style='font-size:1.15em;margin:6px 0'>Item {n} ({fmt})</h2>"
        parts = [head, markdown_html(item.stem) if item.stem else ""]
        if fmt == "script-concordance":
            parts.append(
                f"<p><strong>If you were thinking of:</strong> {html.escape(item.hypothesis)}</p>"
                f"<p><strong>and then you learn:</strong> {html.escape(item.new_information)}</p>"
                "<p>this hypothesis becomes:</p>"
            )
        elif fmt in ("extended-matching", "ordering"):
            rows = "".join(
                f"<li><strong>{html.escape(k)}.</strong> {html.escape(v)}</li>"
                for k, v in item.options.items()
            )
            parts.append(f"<ul style='margin:4px 0 4px 18px;padding:0'>{rows}</ul>")
        if fmt == "key-feature":
            parts.append(f"<p><strong>Choose up to {item.select_up_to}.</strong></p>")
        self.prompt = widgets.HTML(_LINES.format("".join(parts)))
        self.controls = self._controls()
        self.button = widgets.Button(description="Check", icon="check", button_style="primary")
        self.feedback = widgets.HTML("")
        self.button.on_click(self._check)
        super().__init__(
            [self.prompt, *self.controls, self.button, self.feedback],
            layout=widgets.Layout(border="1px solid #c8c8c8", padding="6px 10px", margin="8px 0"),
        )

    def _controls(self) -> list[widgets.Widget]:
        item, fmt = self.item, self.item.format
        if fmt == "key-feature":
            auto = widgets.Layout(width="auto")
            return [
                widgets.Checkbox(value=False, description=f"{k}. {v}", indent=False, layout=auto)
                for k, v in item.options.items()
            ]
        if fmt in ("single-best-answer", "script-concordance"):
            pairs = (
                [(f"{p}: {SCT_LABELS[p]}", p) for p in SCT_SCALE]
                if fmt == "script-concordance"
                else [(f"{k}. {v}", k) for k, v in item.options.items()]
            )
            style, auto = {"description_width": "initial"}, widgets.Layout(width="auto")
            radio = widgets.RadioButtons(options=pairs, value=None, style=style, layout=auto)
            radio.add_class("bpscare-choices")
            radio.description = "Your answer:"
            return [radio]
        choose: list[tuple[str, str | None]] = [("Choose...", None)]
        if fmt == "ordering":
            choose += [(f"{k}. {v}", k) for k, v in item.options.items()]
            n = len(item.options)
            return [
                _dropdown(f"{i} ({'first' if i == 1 else 'last' if i == n else 'then'})", choose)
                for i in range(1, n + 1)
            ]
        choose += [(f"{k}. {v}", k) for k, v in item.options.items()]
        out: list[widgets.Widget] = []
        for n, text in enumerate(item.vignettes.values(), 1):
            out.append(
                widgets.HTML(_LINES.format(f"<p><b>Vignette {n}.</b> {html.escape(text)}</p>"))
            )
            out.append(_dropdown(f"Vignette {n}, best option:", choose))
        return out

    def response(self) -> object:
        """The learner's current response, in the form :func:`evaluate_item` reads."""
        fmt = self.item.format
        if fmt == "key-feature":
            labels = list(self.item.options)
            return [labels[i] for i, box in enumerate(self.controls) if box.value]
        if fmt in ("single-best-answer", "script-concordance"):
            return self.controls[0].value
        if fmt == "ordering":
            return [box.value for box in self.controls]
        values = [box.value for box in self.controls if isinstance(box, widgets.Dropdown)]
        return dict(zip(self.item.vignettes, values, strict=True))

    def _check(self, _button: widgets.Button | None = None) -> None:
        result = self._evaluate(self.item, self.response(), self.attempts + 1)
        if result.credit is not None:
            self.attempts += 1
        self.last_result = result
        body = feedback_html(list(result.messages), result.level, result.title)
        self.feedback.value = _LINES.format(body)
        if self._on_check is not None:
            self._on_check()


class ItemPracticeView(widgets.VBox):
    """A practice set: its title, the shared case, one :class:`ItemView` per item, a tally."""

    def __init__(
        self, practice: PracticeSet, *, evaluate: Evaluate = evaluate_item, show_title: bool = True
    ) -> None:
        self.practice = practice
        self.items = [
            ItemView(item, n, evaluate=evaluate, on_check=self._tally)
            for n, item in enumerate(practice.items, 1)
        ]
        h2 = "<h2 style='font-size:1.2em;margin:6px 0'>{}</h2>"
        top = h2.format(html.escape(practice.title)) if show_title else ""
        case = (
            h2.format("The practice case") + markdown_html(practice.case) if practice.case else ""
        )
        self.case = widgets.HTML(_RADIO_CSS + _LINES.format(top + case))
        self.summary = widgets.HTML("")
        self._tally()
        super().__init__(page_support(self, [self.case, *self.items, self.summary]))

    def _tally(self) -> None:
        done = [v.last_result for v in self.items if v.last_result and v.attempts]
        self.summary.value = _LINES.format(
            f"<p>Checked {len(done)} of {len(self.items)} items; credit on your latest answers: "
            f"{sum(r.credit or 0.0 for r in done):.2f} of {len(done)}.</p>"
        )


def practice_items(path_or_items: Source, *, title: str | None = None) -> ItemPracticeView:
    """Practice items with immediate feedback, from a practice file or a list of item dicts.

    Each item is shown in its graded format (radio buttons, "choose up to N" check boxes, the
    -2..+2 script-concordance scale, one list per vignette, one list per rank) and Check scores
    it with the graded scoring functions (schema: ``docs/item-formats.md``). An invalid file
    raises :class:`PracticeFileError` naming the file and the item id.
    """
    return ItemPracticeView(load_practice(path_or_items, title=title))


def build_practice_app(path: str | Path, *, title: str | None = None) -> widgets.VBox:
    """The Voila page of a practice twin: heading, steps, the items, and the scoring sources.

    ``path`` is the practice file (``practice/<assignment>.yaml`` next to the app); when it is
    missing, ``practice/<aNN>.yaml`` is tried too. A missing or invalid file gives a page that
    says so instead of an error.
    """
    path = Path(path)
    short = path.with_name(path.stem.split("-")[0] + path.suffix)
    if not path.is_file() and short.is_file():
        path = short
    heading = title or "Practice items"
    try:
        practice = load_practice(path, title=title)
        view: widgets.Widget = ItemPracticeView(practice, show_title=False)
        heading = practice.title
    except PracticeFileError as exc:
        message = f"The practice items could not be loaded: {exc}"
        if not path.is_file():
            message = f"The practice items for this exercise are not available yet ({path.name})."
        view = widgets.HTML(feedback_html([message], "warning", "No practice items"))
    steps = "<li>Read the case and each item.</li><li>Answer, then press Check.</li><li>Read why: "
    steps += "the feedback scores your answer as the graded item would be scored.</li>"
    header = widgets.HTML(
        f"<h1 style='font-size:1.6em;margin:4px 0'>{html.escape(heading)}</h1><div style='"
        f"line-height:1.45'><ol style='margin:4px 0 4px 20px;padding:0'>{steps}</ol>"
        f"<p style='margin:4px 0;color:#333'><em>{PRACTICE_APP_NOTE}</em></p></div>"
    )
    sources = "".join(f"<li>{html.escape(s)}</li>" for s in SCORING_SOURCES)
    footer = widgets.HTML(
        "<details style='margin-top:8px'><summary>Sources</summary>"
        f"<ul style='margin:4px 0 4px 20px;padding:0;line-height:1.45'>{sources}</ul></details>"
    )
    frame = widgets.VBox(layout=widgets.Layout(max_width="960px"))
    frame.children = page_support(frame, [header, view, footer])
    frame.add_class("bpscare-app")
    return frame
