"""Registry dashboard: a collaborative-care caseload with treat-to-target status and review flags.

Population-based care tracks a defined group of patients in a registry so the team sees who is
not improving and changes treatment until the goal is reached (AIMS Center, "Principles of
Collaborative Care"). The view shows a synthetic caseload (:func:`bpscare.clinical.registry.
generate_caseload`) as of a chosen date: counts by outcome, a caseload table with response
(at least 50 % reduction), remission (below 5) and case-review flags (no follow-up within 4 weeks,
not improved by week 8 - Bao et al., Psychiatr Serv 2016; under 25 % reduction at 6 weeks -
ICSI), and one patient's trajectory against the treat-to-target lines. The learner can mark the
patients to bring to the weekly systematic case review and save that list as an answer. All rules
live in :mod:`bpscare.clinical.registry`; :func:`registry_snapshot` calls them.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from bpscare.clinical.registry import (
    INSTRUMENT_MAX,
    REMISSION_BELOW,
    STATUSES,
    generate_caseload,
    patient_trajectory,
    registry_status,
    treat_to_target_summary,
)
from bpscare.widgets._svg import HLine, Series, line_chart
from bpscare.widgets.common import SaveAnswerBar, feedback_html
from bpscare.widgets.page import page_support
from bpscare.widgets.practice_feedback import review_list_feedback

__all__ = [
    "FLAGGED",
    "INSTRUMENT_LABELS",
    "KIND",
    "SOURCE_NOTE",
    "RegistryDashboardView",
    "RegistrySnapshot",
    "plot_trajectory",
    "registry_dashboard",
    "registry_snapshot",
]

#: Answer-file kind: {"seed", "as_of", "instrument", "review": [patient ids]}.
KIND = "registry_review"
#: The "show" filter value for patients flagged for systematic case review.
FLAGGED = "flagged"
INSTRUMENT_LABELS = {"phq9": "PHQ-9 (depression)", "gad7": "GAD-7 (anxiety)"}
SOURCE_NOTE = (
    "Synthetic caseload. Remission < 5 and response >= 50% reduction: ICSI; NCQA HEDIS DRR-E. "
    "Follow-up within 4 weeks, consultation if not improved by week 8: Bao et al., Psychiatr "
    "Serv 2016. GAD-7 thresholds by analogy with PHQ-9."
)


@dataclass(frozen=True)
class RegistrySnapshot:
    """The registry as of one date for one instrument, filtered for display.

    Attributes
    ----------
    status
        :func:`bpscare.clinical.registry.registry_status` rows for the instrument (all patients).
    shown
        The rows the chosen filter keeps.
    summary
        :func:`bpscare.clinical.registry.treat_to_target_summary` rows for the instrument.
    lines
        One sentence per outcome ("Remission: 9 of 40 (22%).").
    """

    status: pd.DataFrame
    shown: pd.DataFrame
    summary: pd.DataFrame
    lines: tuple[str, ...]


def registry_snapshot(
    scores: pd.DataFrame,
    *,
    as_of: object = None,
    instrument: str = "phq9",
    show: str = "all",
    status_fn: Callable[..., pd.DataFrame] = registry_status,
    summary_fn: Callable[[pd.DataFrame], pd.DataFrame] = treat_to_target_summary,
) -> RegistrySnapshot:
    """Compute the registry view for one date, instrument and filter (no widgets).

    Parameters
    ----------
    scores
        Tidy scores (see :func:`bpscare.clinical.registry.validate_scores`).
    as_of
        The registry date (None: the latest measurement).
    instrument
        ``'phq9'`` or ``'gad7'``.
    show
        ``'all'``, ``'flagged'`` (flagged for case review) or one of
        :data:`bpscare.clinical.registry.STATUSES`.
    status_fn, summary_fn
        Injected registry functions (defaults from :mod:`bpscare.clinical.registry`).

    Returns
    -------
    RegistrySnapshot

    Raises
    ------
    ValueError
        On an unknown instrument or filter.
    """
    if instrument not in INSTRUMENT_MAX:
        msg = f"instrument: {instrument!r} is not supported; allowed: {', '.join(INSTRUMENT_MAX)}"
        raise ValueError(msg)
    allowed = ("all", FLAGGED, *STATUSES)
    if show not in allowed:
        msg = f"show: {show!r} is not a filter; allowed: {', '.join(allowed)}"
        raise ValueError(msg)
    everyone = status_fn(scores, as_of)
    status = everyone.loc[everyone["instrument"] == instrument].reset_index(drop=True)
    if show == "all":
        shown = status
    elif show == FLAGGED:
        shown = status.loc[status["flag_case_review"]]
    else:
        shown = status.loc[status["status"] == show]
    summary = summary_fn(status) if len(status) else summary_fn(everyone.iloc[:0])
    lines = tuple(
        f"{row.outcome.capitalize()}: {row.count} of {row.n} ({row.percent:.0f}%)."
        for row in summary.itertuples()
    )
    return RegistrySnapshot(status, shown.reset_index(drop=True), summary, lines)


def _pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:+.0f}%"


def _table_html(shown: pd.DataFrame) -> str:
    if shown.empty:
        return "<p><em>No patients match this filter.</em></p>"
    rows = []
    for r in shown.itertuples():
        flag = (
            f"<strong>Review:</strong> {html.escape(r.review_reason)}"
            if r.flag_case_review
            else "No flag"
        )
        rows.append(
            f"<tr><th scope='row'>{html.escape(str(r.patient_id))}</th>"
            f"<td>{r.baseline_score:.0f}</td><td>{r.latest_score:.0f}</td>"
            f"<td>{_pct(r.percent_change)}</td><td>{r.weeks_in_treatment:.0f}</td>"
            f"<td>{html.escape(r.status)}</td><td>{flag}</td></tr>"
        )
    head = "".join(
        f"<th scope='col'>{h}</th>"
        for h in ("Patient", "Baseline", "Latest", "Change", "Weeks", "Status", "Case review")
    )
    return (
        "<div style='max-height:320px;overflow:auto' tabindex='0' role='region' "
        "aria-label='Caseload table'><table style='border-collapse:collapse'>"
        "<caption>Caseload (negative change = improvement)</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def plot_trajectory(trajectory: pd.DataFrame, instrument: str) -> str:
    """Chart one patient's scores by week against remission, response and improvement lines.

    Lines: remission below 5 (ICSI; HEDIS), response at 50 % of baseline (ICSI; HEDIS) and
    "improved" below 10 (Bao et al. 2016). Each line is labelled in the legend and has its own
    dash pattern, so colour is not the only carrier of meaning. Returns SVG markup.
    """
    part = trajectory.loc[trajectory["instrument"] == instrument]
    hlines = [
        HLine(REMISSION_BELOW, "Remission (below 5)", "#1e5631", "dashed"),
        HLine(10, "Improved (below 10)", "#7a4b00", "dashdot"),
    ]
    series: list[Series] = []
    title = INSTRUMENT_LABELS[instrument]
    description = f"No {title} scores for this patient."
    weeks = [0.0, 12.0]
    if not part.empty:
        base = float(part["score"].iloc[0])
        hlines.insert(0, HLine(base / 2, "Response (50% of baseline)", "#1e5631", "dotted"))
        weeks = part["weeks_since_baseline"].tolist()
        scores = part["score"].tolist()
        series.append(Series("Score", weeks, scores, "#0b4f6c", "solid", "o"))
        pid = str(part["patient_id"].iloc[0])
        title = f"{pid}: {title}"
        described = ", ".join(f"week {w:.0f}: {s:.0f}" for w, s in zip(weeks, scores, strict=True))
        description = f"{title} scores by week since baseline - {described}."
    return line_chart(
        series,
        x_range=(0, max(4.0, max(weeks))),
        y_range=(0, INSTRUMENT_MAX[instrument]),
        title=title,
        x_label="Weeks since baseline",
        y_label="Score",
        caption="Synthetic data. Lines: ICSI; NCQA HEDIS DRR-E; Bao et al., Psychiatr Serv 2016.",
        description=description,
        hlines=hlines,
    )


class RegistryDashboardView(widgets.VBox):
    """Caseload table with outcome counts, review flags and a patient trajectory plot.

    Parameters
    ----------
    scores
        Tidy scores with a ``date`` column (default: :func:`generate_caseload` with ``seed``).
    seed
        Seed of the default synthetic caseload.
    answer_name
        When given, a Save bar saves the patients marked for case review (kind
        ``"registry_review"``).
    folder
        Where the answer file goes.
    practice
        Practice mode (no effect: the registry rules are public).
    snapshot
        The pure computation (default :func:`registry_snapshot`).
    trajectory
        Extracts one patient's scores (default
        :func:`bpscare.clinical.registry.patient_trajectory`).
    plot
        Renders a trajectory as an SVG chart (default :func:`plot_trajectory`).
    """

    def __init__(
        self,
        scores: pd.DataFrame | None = None,
        *,
        seed: int = 0,
        answer_name: str | None = None,
        folder: Path | str | None = None,
        practice: bool = False,
        snapshot: Callable[..., RegistrySnapshot] = registry_snapshot,
        trajectory: Callable[[pd.DataFrame, Any], pd.DataFrame] = patient_trajectory,
        plot: Callable[[pd.DataFrame, str], str] = plot_trajectory,
    ) -> None:
        self.seed = seed
        self.scores = generate_caseload(seed=seed) if scores is None else scores
        self.practice = practice
        self._snapshot, self._trajectory, self._plot = snapshot, trajectory, plot
        self.last_snapshot: RegistrySnapshot | None = None
        self._plotted: tuple[Any, ...] | None = None
        self._status_cache: tuple[object, pd.DataFrame] | None = None
        style = {"description_width": "initial"}
        dates = pd.to_datetime(self.scores["date"])
        first, last = dates.min().normalize(), dates.max().normalize()
        weeks = pd.date_range(first, last, freq="7D").tolist()
        if not weeks or weeks[-1] != last:
            weeks.append(last)
        self.as_of = widgets.SelectionSlider(
            options=[(d.strftime("%Y-%m-%d"), d) for d in weeks],
            value=weeks[-1],
            description="Registry date:",
            continuous_update=False,
            style=style,
            layout=widgets.Layout(width="70%"),
        )
        self.instrument = widgets.ToggleButtons(
            options=[(label, key) for key, label in INSTRUMENT_LABELS.items()],
            description="Measure:",
            style=style,
        )
        self.show = widgets.Dropdown(
            options=[
                ("All patients", "all"),
                ("Flagged for case review", FLAGGED),
                *((s.capitalize(), s) for s in STATUSES),
            ],
            description="Show:",
            style=style,
        )
        self.patient = widgets.Dropdown(description="Patient trajectory:", style=style)
        self.review = widgets.SelectMultiple(
            description="Bring to case review (Ctrl/Cmd-click):",
            rows=6,
            style=style,
            layout=widgets.Layout(width="60%"),
        )
        self.review_feedback = widgets.HTML()
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.plot = widgets.HTML()
        self.caption = widgets.HTML(f"<p style='font-size:small'>{html.escape(SOURCE_NOTE)}</p>")
        for control in (self.as_of, self.instrument, self.show):
            control.observe(self.update, names="value")
        self.patient.observe(self._on_patient, names="value")
        if practice:  # graded work gets no hint; the flags are public rules, not a key
            self.review.observe(self._on_review, names="value")
        children: list[widgets.Widget] = [
            widgets.HTML(
                "<p style='margin:2px 0'>Who is not improving? Use the registry the way a "
                "care team does at its weekly systematic case review.</p>"
            ),
            self.as_of,
            widgets.HBox([self.instrument, self.show]),
            self.summary,
            self.table,
            self.patient,
            self.plot,
            self.caption,
            self.review,
            self.review_feedback,
        ]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(answer_name, self.answer, kind=KIND, folder=folder)
            children.append(self.save_bar)
        super().__init__(page_support(self, children))
        self.update()

    def answer(self) -> dict[str, Any]:
        """Return the registry date, instrument and the patients marked for case review."""
        return {
            "seed": self.seed,
            "as_of": self.as_of.value.strftime("%Y-%m-%d"),
            "instrument": self.instrument.value,
            "review": list(self.review.value),
        }

    def update(self, _change: object = None) -> None:
        """Recompute the registry for the current date, measure and filter."""
        try:
            snap = self._snapshot(
                self.scores,
                as_of=self.as_of.value,
                instrument=self.instrument.value,
                show=self.show.value,
                status_fn=self._status,
            )
        except ValueError as exc:
            self.summary.value = feedback_html([str(exc)], "alert", "Cannot show the registry")
            return
        self.last_snapshot = snap
        flagged = int(snap.status["flag_case_review"].sum())
        self.summary.value = feedback_html(
            list(snap.lines),
            "warning" if flagged else "success",
            f"{len(snap.status)} patients on {INSTRUMENT_LABELS[self.instrument.value]} as of "
            f"{self.as_of.value:%Y-%m-%d}; {flagged} flagged for case review.",
        )
        self.table.value = _table_html(snap.shown)
        ids = [str(p) for p in snap.shown["patient_id"]]
        all_ids = [str(p) for p in snap.status["patient_id"]]
        keep_review = tuple(p for p in self.review.value if p in all_ids)
        self.review.options = all_ids
        self.review.value = keep_review
        current = self.patient.value
        self.patient.unobserve(self._on_patient, names="value")
        self.patient.options = ids
        self.patient.value = current if current in ids else (ids[0] if ids else None)
        self.patient.observe(self._on_patient, names="value")
        self._on_patient()
        if self.practice:
            self._on_review()

    def _on_review(self, _change: object = None) -> None:
        if self.last_snapshot is None:
            return
        messages = review_list_feedback(self.last_snapshot.status, list(self.review.value))
        self.review_feedback.value = feedback_html(messages, "info", "Your case-review list")

    def _status(self, scores: pd.DataFrame, as_of: object) -> pd.DataFrame:
        """Registry status for ``as_of``, computed once per date (filters reuse it)."""
        key = (id(scores), as_of)
        if self._status_cache is None or self._status_cache[0] != key:
            self._status_cache = (key, registry_status(scores, as_of))
        return self._status_cache[1]

    def _on_patient(self, _change: object = None) -> None:
        pid = self.patient.value
        key = (pid, self.instrument.value, self.as_of.value)
        if key == self._plotted:
            return
        self._plotted = key
        if pid is None:
            self.plot.value = ""
            return
        scores = self.scores.loc[pd.to_datetime(self.scores["date"]) <= self.as_of.value]
        self.plot.value = self._plot(self._trajectory(scores, pid), self.instrument.value)


def registry_dashboard(
    seed: int = 0,
    answer_name: str | None = None,
    *,
    folder: Path | str | None = None,
    practice: bool = False,
    **kwargs: Any,
) -> RegistryDashboardView:
    """Build the registry dashboard over a synthetic caseload in one line."""
    return RegistryDashboardView(
        seed=seed, answer_name=answer_name, folder=folder, practice=practice, **kwargs
    )
