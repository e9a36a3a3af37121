"""Interruption timeline: an encounter on a time axis, against the published medians.

Singh Ospina et al. (J Gen Intern Med 2019;34:36-40) timed 112 recorded encounters: when the
agenda was elicited, patients were interrupted in 67% of visits after a median of 11 s (IQR
7-22 s), and patients who were not interrupted finished their opening statement in a median of
6 s. Earlier benchmarks: 18 s (Beckman & Frankel, Ann Intern Med 1984), 23 s (Marvel et al.,
JAMA 1999), 16.5 s (Dyche 2004).

The pure part is :func:`interruption_timing` (built on
:func:`bpscare.clinical.transcripts.time_to_first_interruption` and
:func:`bpscare.clinical.transcripts.opening_statement_duration`) and :func:`timeline_png`.
:class:`InterruptionTimelineView` lets the learner mark the clinician's opening question and the
first interruption; the timing is computed from those marks as a one-utterance coding. In
lessons, "Expert coding" shows the expert's timing; in practice mode the expert codes are never
read. The plot is an SVG (:func:`timeline_svg`, well under a millisecond; :func:`timeline_png`
draws the same with matplotlib) in an ``Image`` widget, never an Output widget, and the
feedback text states every number the plot shows.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.transcripts import (
    CLINICIAN,
    PATIENT,
    Transcript,
    load_transcript,
    opening_statement_duration,
    time_to_first_interruption,
    transcript_ids,
)
from bpscare.widgets.common import SaveAnswerBar, feedback_html, figure_png, new_figure
from bpscare.widgets.page import page_support
from bpscare.widgets.practice_feedback import opening_question_feedback

__all__ = [
    "INTERRUPTION_MEDIAN_S",
    "KIND",
    "UNINTERRUPTED_MEDIAN_S",
    "InterruptionTimelineView",
    "InterruptionTiming",
    "answer_to_marks",
    "interruption_timeline",
    "interruption_timing",
    "marks_to_answer",
    "marks_to_codes",
    "timeline_png",
    "timeline_svg",
]

KIND = "interruption_marks"
"""Answer kind saved by the view: ``{"transcript_id", "opening", "interruption"}``."""

INTERRUPTION_MEDIAN_S = 11.0
"""Median time to interruption when the agenda was elicited (Singh Ospina et al. 2019)."""
INTERRUPTION_IQR_S = (7.0, 22.0)
"""Interquartile range of the time to interruption (Singh Ospina et al. 2019)."""
UNINTERRUPTED_MEDIAN_S = 6.0
"""Median length of an uninterrupted opening statement (Singh Ospina et al. 2019)."""
SOURCE = "Singh Ospina et al., J Gen Intern Med 2019;34:36-40"
EARLIER_BENCHMARKS = (
    "Earlier studies: 18 s (Beckman & Frankel, Ann Intern Med 1984), 23 s (Marvel et al., "
    "JAMA 1999), 16.5 s (Dyche 2004)."
)
_OPENING_CODES = frozenset({"open_question", "agenda_elicitation"})
_EXPERT = "expert"
_MARKS = "marks"
_NONE = 0  # drop-down value for "not marked"


@dataclass(frozen=True)
class InterruptionTiming:
    """When the opening statement started and when (if ever) the clinician interrupted it.

    Attributes
    ----------
    transcript_id
        The transcript measured.
    opening_start
        Seconds from the start of the encounter to the start of the patient's opening
        statement, or ``None`` when there is none.
    time_to_interruption
        Seconds from the start of the opening statement to the first interruption
        (:func:`bpscare.clinical.transcripts.time_to_first_interruption`), or ``None``.
    opening_duration
        How long the opening statement lasted
        (:func:`bpscare.clinical.transcripts.opening_statement_duration`), or ``None``.
    interrupting_utterance
        Number of the utterance that interrupted, or ``None``.
    messages
        The timing set against the published medians, each sentence with its source.
    """

    transcript_id: str
    opening_start: float | None
    time_to_interruption: float | None
    opening_duration: float | None
    interrupting_utterance: int | None
    messages: tuple[str, ...]


def _resolved(t: Transcript, codes: Mapping[int, str] | None) -> list[str | None]:
    if codes is None:
        return list(t.codes)
    return [codes.get(u.n) for u in t.utterances]


def _opening_start(t: Transcript, codes: Sequence[str | None]) -> float | None:
    """Start of the opening statement, by the rule of ``time_to_first_interruption``."""
    clinician = [i for i, u in enumerate(t.utterances) if u.speaker == CLINICIAN]
    asked = [i for i in clinician if codes[i] in _OPENING_CODES]
    solicitation = asked[0] if asked else clinician[0]
    return next(
        (u.start for u in t.utterances[solicitation + 1 :] if u.speaker == PATIENT),
        None,
    )


def interruption_timing(
    transcript: Transcript, codes: Mapping[int, str] | None = None
) -> InterruptionTiming:
    """Time the opening statement and its first interruption, against the published medians.

    The opening statement and the interruption are found as in
    :func:`bpscare.clinical.transcripts.time_to_first_interruption`, from the expert codes or from
    ``codes`` (a learner's coding). The result is compared with the median of 11 s (IQR 7-22 s)
    to interruption and the median of 6 s for an uninterrupted opening statement (Singh Ospina
    et al., J Gen Intern Med 2019;34:36-40).

    Parameters
    ----------
    transcript
        The encounter.
    codes
        Utterance number to code; ``None`` uses the expert codes.

    Returns
    -------
    InterruptionTiming
    """
    resolved = _resolved(transcript, codes)
    mapping = {u.n: c for u, c in zip(transcript.utterances, resolved, strict=True) if c}
    ttfi = time_to_first_interruption(transcript, codes=mapping)
    duration = opening_statement_duration(transcript, codes=mapping)
    start = _opening_start(transcript, resolved)
    who: int | None = None
    messages: list[str] = []
    low, high = INTERRUPTION_IQR_S
    if start is None:
        messages.append("There is no opening statement to time: the patient never answers.")
    elif ttfi is not None:
        who = next(
            u.n
            for u, c in zip(transcript.utterances, resolved, strict=True)
            if u.speaker == CLINICIAN and c == "interruption" and u.start >= start
        )
        if ttfi < INTERRUPTION_MEDIAN_S:
            relation = "sooner than"
        elif ttfi > INTERRUPTION_MEDIAN_S:
            relation = "later than"
        else:
            relation = "exactly at"
        messages.append(
            f"Utterance {who} interrupts the opening statement {ttfi:.1f} s after it began, "
            f"{relation} the median of {INTERRUPTION_MEDIAN_S:.0f} s (IQR {low:.0f}-{high:.0f} "
            f"s) when the agenda was elicited ({SOURCE})."
        )
        if ttfi < UNINTERRUPTED_MEDIAN_S:
            messages.append(
                f"That is even before the {UNINTERRUPTED_MEDIAN_S:.0f} s that uninterrupted "
                f"patients needed, in median, to finish ({SOURCE})."
            )
        else:
            messages.append(
                f"Patients who were not interrupted finished in a median of "
                f"{UNINTERRUPTED_MEDIAN_S:.0f} s: letting the person finish costs little time "
                f"({SOURCE})."
            )
    else:
        length = "" if duration is None else f" it lasted {duration:.1f} s"
        messages.append(
            f"The opening statement is not interrupted;{length}. Uninterrupted patients "
            f"finished in a median of {UNINTERRUPTED_MEDIAN_S:.0f} s ({SOURCE})."
        )
    messages.append(EARLIER_BENCHMARKS)
    return InterruptionTiming(
        transcript_id=transcript.id,
        opening_start=start,
        time_to_interruption=ttfi,
        opening_duration=duration,
        interrupting_utterance=who,
        messages=tuple(messages),
    )


def marks_to_codes(opening: int | None, interruption: int | None) -> dict[int, str]:
    """Turn a learner's two marks into a coding: the opening question and the interruption."""
    codes: dict[int, str] = {}
    if opening:
        codes[int(opening)] = "open_question"
    if interruption:
        codes[int(interruption)] = "interruption"
    return codes


def marks_to_answer(
    transcript_id: str, opening: int | None, interruption: int | None
) -> dict[str, Any]:
    """Return the plain-JSON answer ``{"transcript_id", "opening", "interruption"}``."""
    return {
        "transcript_id": str(transcript_id),
        "opening": int(opening) if opening else None,
        "interruption": int(interruption) if interruption else None,
    }


def answer_to_marks(data: Mapping[str, Any]) -> tuple[str, int | None, int | None]:
    """Rebuild ``(transcript_id, opening, interruption)`` from a saved marks answer.

    Raises
    ------
    ValueError
        Missing keys, or marks that are not utterance numbers (whole numbers or null).
    """
    keys = ("transcript_id", "opening", "interruption")
    if not isinstance(data, Mapping) or any(k not in data for k in keys):
        msg = f"an interruption_marks answer needs the keys {', '.join(keys)}, got {data!r}"
        raise ValueError(msg)
    for key in keys[1:]:
        value = data[key]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            msg = f"'{key}' must be an utterance number or null, got {value!r}"
            raise ValueError(msg)
    return str(data["transcript_id"]), data["opening"], data["interruption"]


_SPEAKER_COLOURS = ("#1f5f8b", "#b35900", "#4d7f2a", "#6a3d9a", "#555555")
_TICK_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800)
_MAX_TICKS = 12


def _visible_end(transcript: Transcript, window: float | None) -> float:
    end = transcript.duration if window is None else min(window, transcript.duration)
    return max(end, 1.0)


def timeline_svg(
    transcript: Transcript, timing: InterruptionTiming, *, window: float | None = None
) -> bytes:
    """Draw the encounter on a time axis with the benchmarks, as SVG bytes (fast, crisp).

    One labelled lane per speaker, one bar per utterance (hover shows its number and text);
    the opening statement's start, the 6 s and 11 s medians after it (Singh Ospina et al., J
    Gen Intern Med 2019) and the interruption are vertical lines that differ in dash pattern and
    width as well as colour, named in a legend below the axis. The SVG carries a ``<title>``
    and ``<desc>`` for screen readers. Rendering takes well under a millisecond, where a
    matplotlib PNG (:func:`timeline_png`) takes tens of milliseconds.

    Parameters
    ----------
    transcript
        The encounter.
    timing
        The result of :func:`interruption_timing` to mark on the plot.
    window
        Seconds to show from the start (the whole encounter when ``None``).
    """
    end = _visible_end(transcript, window)
    speakers = list(transcript.speakers)
    left, right, top, lane_h = 40.0, 20.0, 34.0, 26.0
    width = 760.0
    plot_w = width - left - right
    axis_y = top + lane_h * len(speakers)
    height = axis_y + 70.0

    def x(seconds: float) -> float:
        return left + plot_w * min(max(seconds, 0.0), end) / end

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width:.0f}' height='{height:.0f}' "
        f"viewBox='0 0 {width:.0f} {height:.0f}' role='img' font-family='sans-serif'>",
        f"<title>Timeline of {html.escape(transcript.id)}</title>",
        f"<desc>{html.escape(' '.join(timing.messages))}</desc>",
        f"<text x='{left}' y='14' font-size='11'>{html.escape(transcript.id)}: first "
        f"{end:.0f} s; benchmarks from {html.escape(SOURCE)} (synthetic encounter)</text>",
    ]
    for lane, speaker in enumerate(speakers):
        y = top + lane * lane_h
        colour = _SPEAKER_COLOURS[lane % len(_SPEAKER_COLOURS)]
        parts.append(
            f"<text x='{left - 6}' y='{y + lane_h * 0.62:.1f}' font-size='12' "
            f"text-anchor='end'>{html.escape(speaker)}</text>"
        )
        for u in transcript.utterances:
            if u.speaker != speaker or u.start > end:
                continue
            x0, x1 = x(u.start), x(u.end)
            parts.append(
                f"<rect x='{x0:.1f}' y='{y + 4:.1f}' width='{max(x1 - x0, 1.0):.1f}' "
                f"height='{lane_h - 8:.1f}' fill='{colour}'><title>{u.n}. "
                f"{html.escape(u.text)}</title></rect>"
            )
    parts.append(
        f"<line x1='{left}' y1='{axis_y}' x2='{width - right}' y2='{axis_y}' stroke='#333'/>"
    )
    step = next((s for s in _TICK_STEPS if end / s <= _MAX_TICKS), _TICK_STEPS[-1])
    for k in range(int(end // step) + 1):
        tx = x(k * step)
        parts.append(
            f"<line x1='{tx:.1f}' y1='{axis_y}' x2='{tx:.1f}' y2='{axis_y + 4}' stroke='#333'/>"
            f"<text x='{tx:.1f}' y='{axis_y + 15}' font-size='10' text-anchor='middle'>"
            f"{k * step}</text>"
        )
    parts.append(
        f"<text x='{left + plot_w / 2}' y='{axis_y + 29}' font-size='10' text-anchor='middle'>"
        "seconds from the start of the encounter</text>"
    )
    legend: list[tuple[str, str, str, str]] = []
    if timing.opening_start is not None:
        t0 = timing.opening_start
        marks = [
            (t0, "#000000", "", "1.5", "opening statement starts"),
            (t0 + UNINTERRUPTED_MEDIAN_S, "#333333", "6 3", "1.5", "6 s median, uninterrupted"),
            (t0 + INTERRUPTION_MEDIAN_S, "#333333", "2 2", "1.5", "11 s median to interruption"),
        ]
        if timing.time_to_interruption is not None:
            marks.append(
                (
                    t0 + timing.time_to_interruption,
                    "#8a1c1c",
                    "",
                    "3.5",
                    f"interruption at {timing.time_to_interruption:.1f} s",
                )
            )
        for at, colour, dash, stroke, label in marks:
            if at > end:
                label += " (beyond the window)"
            else:
                dashes = f" stroke-dasharray='{dash}'" if dash else ""
                parts.append(
                    f"<line x1='{x(at):.1f}' y1='{top - 4}' x2='{x(at):.1f}' y2='{axis_y}' "
                    f"stroke='{colour}' stroke-width='{stroke}'{dashes}/>"
                )
            legend.append((colour, dash, stroke, label))
    for i, (colour, dash, stroke, label) in enumerate(legend):
        lx = left + (i % 2) * 340
        ly = axis_y + 44 + (i // 2) * 14
        dashes = f" stroke-dasharray='{dash}'" if dash else ""
        parts.append(
            f"<line x1='{lx}' y1='{ly - 4}' x2='{lx + 24}' y2='{ly - 4}' stroke='{colour}' "
            f"stroke-width='{stroke}'{dashes}/>"
            f"<text x='{lx + 30}' y='{ly}' font-size='10'>{html.escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts).encode("utf-8")


def timeline_png(
    transcript: Transcript, timing: InterruptionTiming, *, window: float | None = None
) -> bytes:
    """Draw the same timeline with matplotlib, as PNG bytes (for reports and print).

    Slower than :func:`timeline_svg` (tens of milliseconds), so the view uses the SVG; pass
    ``draw=timeline_png`` to the view to use this instead. Same lanes, lines and source.

    Parameters
    ----------
    transcript
        The encounter.
    timing
        The result of :func:`interruption_timing` to mark on the plot.
    window
        Seconds to show from the start (the whole encounter when ``None``).
    """
    end = _visible_end(transcript, window)
    speakers = list(transcript.speakers)
    fig, ax = new_figure(7.5, 1.2 + 0.45 * len(speakers))
    for lane, speaker in enumerate(speakers):
        spans = [
            (u.start, u.end - u.start)
            for u in transcript.utterances
            if u.speaker == speaker and u.start <= end
        ]
        colour = _SPEAKER_COLOURS[lane % len(_SPEAKER_COLOURS)]
        ax.broken_barh(spans, (lane - 0.35, 0.7), facecolors=colour)
    ax.set_yticks(range(len(speakers)), labels=speakers)
    ax.invert_yaxis()
    ax.set_xlim(0, end)
    ax.set_xlabel("seconds from the start of the encounter")
    if timing.opening_start is not None:
        t0 = timing.opening_start
        ax.axvline(t0, color="black", linewidth=1, label="opening statement starts")
        for offset, style, label in (
            (UNINTERRUPTED_MEDIAN_S, "--", "6 s median, uninterrupted"),
            (INTERRUPTION_MEDIAN_S, ":", "11 s median to interruption"),
        ):
            ax.axvline(t0 + offset, color="#333333", linestyle=style, linewidth=1, label=label)
        if timing.time_to_interruption is not None:
            ax.axvline(
                t0 + timing.time_to_interruption,
                color="#8a1c1c",
                linewidth=2.5,
                label=f"interruption at {timing.time_to_interruption:.1f} s",
            )
        ax.legend(loc="lower right", fontsize=7, framealpha=0.9)
    ax.set_title(
        f"{transcript.id}: benchmarks from {SOURCE} (synthetic encounter)", fontsize=8, loc="left"
    )
    return figure_png(fig)


class InterruptionTimelineView(widgets.VBox):
    """Show an encounter on a time axis and time its first interruption against the medians.

    Parameters
    ----------
    transcript_id
        The bundled transcript to start with (the drop-down offers all of them).
    answer_name
        If given, a Save bar saves the learner's marks (kind ``interruption_marks``).
    folder
        Where the answer file goes (the notebook's folder by default).
    practice, compare_with_expert
        Practice mode (Voila apps) times the learner's marks only; with ``compare_with_expert``
        the chosen opening question of the starting transcript is checked against its codes.
    load
        Loads a transcript (:func:`bpscare.clinical.transcripts.load_transcript`).
    timing
        Times the opening statement (:func:`interruption_timing`).
    draw
        Draws the plot as SVG or PNG bytes (:func:`timeline_svg`; or :func:`timeline_png`).
    """

    def __init__(
        self,
        transcript_id: str,
        *,
        answer_name: str | None = None,
        folder: Path | str | None = None,
        practice: bool = False,
        compare_with_expert: bool | None = None,
        load: Callable[[str], Transcript] = load_transcript,
        timing: Callable[..., InterruptionTiming] = interruption_timing,
        draw: Callable[..., bytes] = timeline_svg,
    ) -> None:
        self._load = load
        self._timing = timing
        self._draw = draw
        self._practice = practice
        # Holds the expert codes: a plain attribute, never a trait.
        self._transcript = load(transcript_id)
        # The opening question is checked against the expert codes of this transcript only.
        with_expert = (not practice) if compare_with_expert is None else compare_with_expert
        self._checked_id = transcript_id if with_expert else None
        wide = {"description_width": "initial"}
        ids = list(transcript_ids())
        if transcript_id not in ids:
            ids.insert(0, transcript_id)
        self.transcript = widgets.Dropdown(
            options=ids, value=transcript_id, description="Transcript", style=wide
        )
        self.window = widgets.IntSlider(
            value=60,
            min=10,
            max=60,
            step=5,
            description="Show the first (seconds)",
            style=wide,
            layout=widgets.Layout(width="420px"),
            continuous_update=False,
        )
        self.opening = widgets.Dropdown(
            description="Clinician's opening question",
            style=wide,
            layout=widgets.Layout(width="95%"),
        )
        self.interruption = widgets.Dropdown(
            description="First interruption of the opening statement",
            style=wide,
            layout=widgets.Layout(width="95%"),
        )
        self.source = widgets.ToggleButtons(
            options=[("My marks", _MARKS), ("Expert coding", _EXPERT)],
            value=_MARKS,
            description="Time from",
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.plot = widgets.Image(format="svg+xml", layout=widgets.Layout(width="100%"))
        self.feedback = widgets.HTML(value="")
        self.utterances = widgets.HTML(value="")

        self._fill_choices()
        self.transcript.observe(self._switch, names="value")
        for control in (self.window, self.opening, self.interruption, self.source):
            control.observe(self._refresh, names="value")

        children: list[widgets.Widget] = [self.transcript, self.opening, self.interruption]
        if not practice:
            children.append(self.source)
        children += [self.window, self.plot, self.feedback, self.utterances]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(answer_name, self.answer, kind=KIND, folder=folder)
            children.append(self.save_bar)
        super().__init__(page_support(self, children))
        self._refresh()

    # Public -------------------------------------------------------------------------------
    def answer(self) -> dict[str, Any]:
        """Return the learner's marks as the plain-JSON answer (:func:`marks_to_answer`)."""
        return marks_to_answer(
            self._transcript.id, self.opening.value or None, self.interruption.value or None
        )

    # Callbacks ----------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        self._filling = True  # options and window changes below must not each redraw
        t = self._transcript
        clinician = [
            (f"{u.n}. [{u.start:.1f} s] {u.text[:70]}", u.n)
            for u in t.utterances
            if u.speaker == CLINICIAN
        ]
        self.opening.options = [("(not marked)", _NONE), *clinician]
        self.interruption.options = [("(no interruption)", _NONE), *clinician]
        top = max(10, int(t.duration) + 1)
        self.window.max = top
        self.window.value = min(60, top)
        rows = "".join(
            f"<li>{u.n}. [{u.start:.1f}-{u.end:.1f} s] <strong>{html.escape(u.speaker)}</strong>: "
            f"{html.escape(u.text)}</li>"
            for u in t.utterances
        )
        self.utterances.value = (
            "<details><summary>Read the transcript</summary>"
            f"<ol style='list-style:none;padding-left:0;font-size:smaller'>{rows}</ol></details>"
        )
        self._filling = False

    def _switch(self, change: Mapping[str, Any]) -> None:
        self._transcript = self._load(change["new"])
        self._fill_choices()
        self._refresh()

    def _refresh(self, _change: object = None) -> None:
        if self._filling:
            return
        use_expert = not self._practice and self.source.value == _EXPERT
        title = "Expert coding" if use_expert else "Your marks"
        if use_expert or self.opening.value:
            codes = (
                None if use_expert else marks_to_codes(self.opening.value, self.interruption.value)
            )
            result = self._timing(self._transcript, codes)
            messages = list(result.messages)
            if not use_expert and self._transcript.id == self._checked_id:
                messages = (
                    opening_question_feedback(self._transcript, self.opening.value) + messages
                )
        else:
            result = InterruptionTiming(self._transcript.id, None, None, None, None, ())
            messages = [
                "Mark the clinician's opening question (and the first interruption, if there "
                "is one) to time the opening statement against the medians of 6 s and 11 s "
                f"({SOURCE}).",
                EARLIER_BENCHMARKS,
            ]
        level = "warning" if result.time_to_interruption is not None else "info"
        self.feedback.value = feedback_html(messages, level, title)
        image = self._draw(self._transcript, result, window=self.window.value)
        self.plot.format = "svg+xml" if image.lstrip()[:4] == b"<svg" else "png"
        self.plot.value = image


def interruption_timeline(
    transcript_id: str = "t02-early-interruption-back-pain",
    answer_name: str | None = None,
    *,
    folder: Path | str | None = None,
    practice: bool = False,
    compare_with_expert: bool | None = None,
) -> InterruptionTimelineView:
    """Return the interruption timeline for a transcript (one line in a lesson cell)."""
    return InterruptionTimelineView(
        transcript_id,
        answer_name=answer_name,
        folder=folder,
        practice=practice,
        compare_with_expert=compare_with_expert,
    )
