"""Trust-cycle simulator: sliders for clinician behaviours, plotted trust, arousal and symptoms.

A view over the ILLUSTRATIVE, NOT VALIDATED teaching model :mod:`bpscare.clinical.trust_model` (the
cycle
anticipated dismissal -> vigilance -> arousal -> somatic symptoms -> more mistrust, from the seed
articles "How chronic mistrust of healthcare providers amplifies somatic distress" (2025) and
"The Clinician's Role in Restoring the Provider-Patient Relationship" (2025)). The learner sets
how often each behaviour happens, optionally adds a one-visit event (a result released to the
portal before anyone explains it, or an outside stressor), and compares the trajectories with
"usual care"; :func:`bpscare.clinical.communication.behaviour_effects` says which sliders moved the
curves
most. The model's note is shown beside every result and on the plot.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from bpscare.clinical import trust_model
from bpscare.clinical.communication import (
    BEHAVIOUR_LABELS,
    HARMFUL_BEHAVIOURS,
    HELPFUL_BEHAVIOURS,
    behaviour_effects,
    describe_effects,
)
from bpscare.clinical.trust_model import ILLUSTRATIVE_NOTE, SCENARIOS, Behaviours
from bpscare.widgets._svg import Series, line_chart
from bpscare.widgets.common import SaveAnswerBar, feedback_html
from bpscare.widgets.page import page_support

__all__ = [
    "EVENTS",
    "KIND",
    "REFERENCE",
    "TrustRun",
    "TrustSimulatorView",
    "plot_run",
    "run_trust_simulation",
    "trust_simulator",
]

#: Answer-file kind: {"behaviours": {...}, "visits": n, "event": id, "event_visit": n}.
KIND = "trust_simulation"
#: The comparison profile (a preset of :data:`bpscare.clinical.trust_model.SCENARIOS`).
REFERENCE = "usual care"
#: One-visit events: id -> (label, the model's event mapping at that visit).
EVENTS: dict[str, tuple[str, dict[str, float]]] = {
    "none": ("No event", {}),
    "portal": (
        "An abnormal result reaches the portal before anyone explains it",
        {"portal_without_context": 1.0},
    ),
    "stressor": ("An outside stressor (job loss, bereavement, eviction notice)", {"stressor": 1.0}),
}
_CUSTOM = "custom"
_SERIES = (
    ("trust", "Trust", "#1e5631", "o"),
    ("arousal", "Arousal", "#7a4b00", "s"),
    ("symptoms", "Symptom burden", "#8a1c1c", "^"),
)


@dataclass(frozen=True)
class TrustRun:
    """One simulated course and its comparison with the reference profile.

    Attributes
    ----------
    trajectory
        :func:`bpscare.clinical.trust_model.simulate` output for the chosen behaviours.
    reference
        The same for the reference profile ("usual care"), with the same event.
    summary
        Sentences comparing the last visit with the reference.
    effects
        Sentences naming the behaviours that moved the curves most.
    """

    trajectory: pd.DataFrame
    reference: pd.DataFrame
    summary: tuple[str, ...]
    effects: tuple[str, ...]


def run_trust_simulation(
    behaviours: Behaviours,
    *,
    visits: int = 12,
    event: str = "none",
    event_visit: int = 4,
    simulate: Callable[..., pd.DataFrame] = trust_model.simulate,
    effects: Callable[..., list[Any]] = behaviour_effects,
    describe: Callable[..., list[str]] = describe_effects,
) -> TrustRun:
    """Simulate the chosen behaviours and the reference, and say what changed (no widgets).

    Parameters
    ----------
    behaviours
        The clinician behaviours at every visit.
    visits
        Number of visits (1-500).
    event
        A key of :data:`EVENTS`; applied at ``event_visit`` to both runs.
    event_visit
        The visit of the event (1-``visits``).
    simulate, effects, describe
        Injected model functions (defaults from :mod:`bpscare.clinical.trust_model` and
        :mod:`bpscare.clinical.communication`).

    Returns
    -------
    TrustRun

    Raises
    ------
    ValueError
        On an unknown event or an event visit outside 1-``visits``.
    """
    if event not in EVENTS:
        msg = f"event: {event!r} is not known; allowed: {', '.join(EVENTS)}"
        raise ValueError(msg)
    changes = EVENTS[event][1]
    if changes and not 1 <= event_visit <= visits:
        msg = f"event_visit: {event_visit!r} is not a visit; allowed: 1-{visits}"
        raise ValueError(msg)
    events = {event_visit: changes} if changes else None

    def sim(b: Behaviours, visits: int = visits, initial: Any = None) -> pd.DataFrame:
        return simulate(b, visits=visits, initial=initial, events=events)

    ref_behaviours = SCENARIOS[REFERENCE]
    run = sim(behaviours)
    ref = sim(ref_behaviours)
    last, ref_last = run.iloc[-1], ref.iloc[-1]
    summary = [
        f"After visit {visits}: trust {last['trust']:.2f} ({REFERENCE}: {ref_last['trust']:.2f}), "
        f"arousal {last['arousal']:.2f} ({ref_last['arousal']:.2f}), symptom burden "
        f"{last['symptoms']:.2f} ({ref_last['symptoms']:.2f}), on a 0-1 scale."
    ]
    if changes:
        summary.append(f"Event at visit {event_visit}: {EVENTS[event][0].lower()}.")
    found = effects(behaviours, reference=ref_behaviours, visits=visits, simulate=sim)
    lines = describe(found, reference_name=REFERENCE)
    return TrustRun(run, ref, tuple(summary), tuple(lines))


def plot_run(run: TrustRun) -> str:
    """Chart trust, arousal and symptom burden by visit, solid, with the reference dashed (SVG).

    Each series has its own marker and a legend entry, so colour is not the only carrier of
    meaning; the chart carries the model's "illustrative, not validated" note and its sources.
    """
    series = []
    for column, label, colour, marker in _SERIES:
        series.append(
            Series(
                f"{label} (as set)",
                run.trajectory["visit"].tolist(),
                run.trajectory[column].tolist(),
                colour,
                "solid",
                marker,
            )
        )
        series.append(
            Series(
                f"{label} ({REFERENCE})",
                run.reference["visit"].tolist(),
                run.reference[column].tolist(),
                colour,
                "dashed",
                "",
            )
        )
    last = run.trajectory.iloc[-1]
    visits = int(last["visit"])
    return line_chart(
        series,
        x_range=(0, visits),
        y_range=(0, 1),
        title="Illustrative trust cycle - not validated",
        x_label="Visit",
        y_label="Level (0-1)",
        caption="Teaching model, not validated; coefficients encode seed articles on mistrust "
        "and somatic distress (2025) and restoring trust (2025).",
        description=(
            f"Illustrative model after visit {visits}: trust {last['trust']:.2f}, arousal "
            f"{last['arousal']:.2f}, symptom burden {last['symptoms']:.2f}; dashed lines show "
            f"{REFERENCE}."
        ),
    )


class TrustSimulatorView(widgets.VBox):
    """Behaviour sliders, a preset picker and an event, with plotted, explained trajectories.

    Parameters
    ----------
    preset
        The :data:`bpscare.clinical.trust_model.SCENARIOS` profile the sliders start from.
    visits
        Number of visits shown at first.
    answer_name
        When given, a Save bar saves the settings (kind ``"trust_simulation"``).
    folder
        Where the answer file goes.
    practice
        Practice mode (no effect: the model is public).
    run
        The pure computation (default :func:`run_trust_simulation`).
    plot
        Renders a :class:`TrustRun` as an SVG chart (default :func:`plot_run`).
    """

    def __init__(
        self,
        preset: str = REFERENCE,
        *,
        visits: int = 12,
        answer_name: str | None = None,
        folder: Path | str | None = None,
        practice: bool = False,
        run: Callable[..., TrustRun] = run_trust_simulation,
        plot: Callable[[TrustRun], str] = plot_run,
    ) -> None:
        self._run, self._plot = run, plot
        self.practice = practice
        self.last_run: TrustRun | None = None
        self._applying_preset = False
        style = {"description_width": "initial"}
        # One label width for every slider, so their tracks start at the same place; on a
        # narrow screen the label takes the whole row and the track goes below it.
        aligned = {"description_width": "min(22rem, 100%)"}
        start = trust_model.scenario(preset).to_dict()
        self.preset = widgets.Dropdown(
            options=[*((name.capitalize(), name) for name in SCENARIOS), ("Custom", _CUSTOM)],
            value=preset,
            description="Start from a preset:",
            style=style,
        )
        self.sliders: dict[str, widgets.FloatSlider] = {
            name: widgets.FloatSlider(
                value=start[name],
                min=0.0,
                max=1.0,
                step=0.05,
                description=BEHAVIOUR_LABELS[name],
                continuous_update=False,
                readout_format=".2f",
                style=aligned,
                layout=widgets.Layout(width="95%"),
            )
            for name in (f.name for f in fields(Behaviours))
        }
        self.visits = widgets.IntSlider(
            value=visits,
            min=4,
            max=24,
            description="Visits:",
            continuous_update=False,
            style=aligned,
            layout=widgets.Layout(width="95%"),
        )
        self.event = widgets.Dropdown(
            options=[(label, key) for key, (label, _) in EVENTS.items()],
            value="none",
            description="One-visit event:",
            style=style,
            layout=widgets.Layout(width="95%"),
        )
        self.event_visit = widgets.IntSlider(
            value=4,
            min=1,
            max=visits,
            description="One-visit event at visit:",
            continuous_update=False,
            style=aligned,
            layout=widgets.Layout(width="95%"),
        )
        self.note = widgets.HTML(feedback_html([ILLUSTRATIVE_NOTE], "warning", "Teaching model"))
        self.summary = widgets.HTML()
        self.effects = widgets.HTML()
        self.plot = widgets.HTML()
        self.preset.observe(self._on_preset, names="value")
        for slider in self.sliders.values():
            slider.observe(self._on_slider, names="value")
        for control in (self.visits, self.event, self.event_visit):
            control.observe(self.update, names="value")

        def heading(text: str) -> widgets.HTML:
            return widgets.HTML(f"<h4 style='margin:8px 0 2px 0'>{html.escape(text)}</h4>")

        children: list[widgets.Widget] = [
            self.note,
            self.preset,
            heading("Helpful behaviours (how often, 0 = never, 1 = every visit)"),
            *(self.sliders[n] for n in HELPFUL_BEHAVIOURS),
            heading("Harmful behaviours"),
            *(self.sliders[n] for n in HARMFUL_BEHAVIOURS),
            heading("Course"),
            self.visits,
            self.event,
            self.event_visit,
            self.summary,
            self.plot,
            self.effects,
        ]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(answer_name, self.answer, kind=KIND, folder=folder)
            children.append(self.save_bar)
        super().__init__(page_support(self, children))
        self.update()

    def behaviours(self) -> Behaviours:
        """Return the :class:`~bpscare.clinical.trust_model.Behaviours` the sliders describe."""
        return Behaviours(**{name: float(s.value) for name, s in self.sliders.items()})

    def answer(self) -> dict[str, Any]:
        """Return the settings as plain data (the ``trust_simulation`` answer)."""
        return {
            "behaviours": self.behaviours().to_dict(),
            "visits": int(self.visits.value),
            "event": self.event.value,
            "event_visit": int(self.event_visit.value),
        }

    def set_behaviours(self, values: Mapping[str, float]) -> None:
        """Move the sliders to ``values`` and redraw once."""
        self._applying_preset = True
        try:
            for name, value in values.items():
                self.sliders[name].value = value
        finally:
            self._applying_preset = False
        self.update()

    def _on_preset(self, change: Mapping[str, Any]) -> None:
        if change["new"] != _CUSTOM:
            self.set_behaviours(trust_model.scenario(change["new"]).to_dict())

    def _on_slider(self, _change: object = None) -> None:
        if self._applying_preset:
            return
        current = self.behaviours()
        self.preset.unobserve(self._on_preset, names="value")
        match = [name for name, b in SCENARIOS.items() if b == current]
        self.preset.value = match[0] if match else _CUSTOM
        self.preset.observe(self._on_preset, names="value")
        self.update()

    def update(self, _change: object = None) -> None:
        """Re-run the model with the current settings and redraw (called on every change)."""
        self.event_visit.max = int(self.visits.value)
        try:
            run = self._run(
                self.behaviours(),
                visits=int(self.visits.value),
                event=self.event.value,
                event_visit=int(self.event_visit.value),
            )
        except ValueError as exc:
            self.summary.value = feedback_html([str(exc)], "alert", "Cannot simulate")
            return
        self.last_run = run
        self.summary.value = feedback_html(list(run.summary), "info", "Where the course ends")
        self.effects.value = feedback_html(
            list(run.effects), "info", "Which behaviours moved the curves most"
        )
        self.plot.value = self._plot(run)


def trust_simulator(
    preset: str = REFERENCE,
    answer_name: str | None = None,
    *,
    folder: Path | str | None = None,
    practice: bool = False,
    **kwargs: Any,
) -> TrustSimulatorView:
    """Build the trust-cycle simulator in one line (starts from the ``preset`` profile)."""
    return TrustSimulatorView(
        preset, answer_name=answer_name, folder=folder, practice=practice, **kwargs
    )
