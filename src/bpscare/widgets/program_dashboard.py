"""Program dashboard: cohort -> competency -> learner drill-down over ``bpscare report`` output.

For program directors, not learners: it shows learner ids (or the report's pseudonyms). The
data work is in :mod:`bpscare.competency.dashboard`; this view only renders it.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd

from bpscare.competency import dashboard as logic
from bpscare.competency.levels import COMMITTEE_NOTE
from bpscare.widgets.common import feedback_html, figure_png, new_figure

__all__ = ["ProgramDashboardView", "program_dashboard"]

WIDE = widgets.Layout(width="420px", max_width="100%")
LABEL_STYLE = {"description_width": "initial"}


def table_html(frame: pd.DataFrame, caption: str) -> str:
    """Render a table with a caption (screen readers announce it) and dashes for no data."""
    body = frame.to_html(index=False, na_rep="-", float_format=lambda v: f"{v:.2f}", border=0)
    table = body.replace(
        '<table class="dataframe">',
        f'<table class="dataframe bpscare-table"><caption>{html.escape(caption)}</caption>',
        1,
    )
    # A narrow window scrolls the table sideways instead of cutting columns off.
    return f'<div style="max-width:100%;overflow-x:auto">{table}</div>'


def heatmap_png(matrix: pd.DataFrame, title: str) -> bytes:
    """Learners x competencies attainment as a PNG (grey = no graded evidence)."""
    import matplotlib as mpl

    rows = max(1, len(matrix.index))
    fig, ax = new_figure(
        width=max(5.0, 0.5 * len(matrix.columns) + 3), height=min(9, 1.2 + 0.22 * rows)
    )
    if matrix.empty:
        ax.text(0.5, 0.5, "no graded competency evidence", ha="center", va="center")
        ax.set_axis_off()
        return figure_png(fig)
    cmap = mpl.colormaps["viridis"].with_extremes(bad="#d9d9d9")
    image = ax.imshow(
        np.ma.masked_invalid(matrix.to_numpy(dtype=float)), cmap=cmap, vmin=0, vmax=1, aspect="auto"
    )
    ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=45, ha="right")
    ax.set_yticks(range(rows), matrix.index if rows <= 40 else [""] * rows)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="attainment (share of points)")
    return figure_png(fig)


class ProgramDashboardView(widgets.VBox):
    """Pick a cohort and an assignment, then a competency and a learner, and read the tables.

    Parameters
    ----------
    data
        The program's report tables (:func:`bpscare.competency.dashboard.load_program`).
    """

    def __init__(self, data: logic.ProgramData) -> None:
        self._data = data
        self.cohort = widgets.Dropdown(
            options=data.cohorts,
            value=data.cohorts[0] if data.cohorts else None,
            description="Cohort",
            style=LABEL_STYLE,
            layout=WIDE,
        )
        self.assignment = widgets.Dropdown(description="Assignment", style=LABEL_STYLE, layout=WIDE)
        self.competency = widgets.Dropdown(description="Competency", style=LABEL_STYLE, layout=WIDE)
        self.learner = widgets.Dropdown(description="Learner", style=LABEL_STYLE, layout=WIDE)
        self.status = widgets.HTML()
        self.overview = widgets.HTML()
        self.assignments_table = widgets.HTML()
        self.heatmap = widgets.HTML()
        self.competency_table = widgets.HTML()
        self.learner_table = widgets.HTML()
        self.cohort.observe(self._on_cohort, names="value")
        self.assignment.observe(self._on_filters, names="value")
        self.competency.observe(self._on_competency, names="value")
        self.learner.observe(self._on_learner, names="value")
        super().__init__(
            [
                widgets.HTML("<h1>Program competency dashboard</h1>"),
                widgets.HBox([self.cohort, self.assignment]),
                self.status,
                self.overview,
                self.assignments_table,
                self.heatmap,
                widgets.HTML("<h3>Competency drill-down</h3>"),
                self.competency,
                self.competency_table,
                widgets.HTML("<h3>Learner</h3>"),
                self.learner,
                self.learner_table,
            ]
        )
        self._on_cohort()

    def _on_cohort(self, _change: object = None) -> None:
        cohort = self.cohort.value
        self._updating = True  # one refresh at the end, not one per picker
        try:
            self.assignment.options = [logic.ALL, *self._data.assignments(cohort)]
            self.assignment.value = logic.ALL
            learners = self._data.learners(cohort)
            self.learner.options = learners
            self.learner.value = learners[0] if learners else None
        finally:
            self._updating = False
        at_risk = int((self._data.at_risk["cohort"] == cohort).sum())
        self.status.value = feedback_html(
            [
                f"{len(self.learner.options)} learner(s), {len(self.assignment.options) - 1} "
                f"assignment(s); {at_risk} learner(s) listed as at risk by the report's rule."
            ],
            "info",
        )
        self._on_filters()

    def _on_filters(self, _change: object = None) -> None:
        """The assignment filter narrows the score and the competency tables alike."""
        if getattr(self, "_updating", False):
            return
        cohort, assignment = self.cohort.value, self.assignment.value
        table = logic.assignment_overview(self._data, cohort, assignment)
        self.assignments_table.value = table_html(table, "Assignment scores (share of maximum)")
        ids = self._data.competency_ids(cohort, assignment)
        self._updating = True
        try:
            keep = self.competency.value if self.competency.value in ids else None
            self.competency.options = ids
            self.competency.value = keep or (ids[0] if ids else None)
        finally:
            self._updating = False
        scope = "" if assignment == logic.ALL else f" assessed by {assignment}"
        overview = logic.cohort_overview(self._data, cohort, assignment)
        self.overview.value = (
            table_html(overview, f"Competencies{scope} in cohort {cohort}")
            + f"<p><small>{html.escape(COMMITTEE_NOTE)}</small></p>"
        )
        matrix = logic.attainment_matrix(self._data, cohort, assignment)
        png = base64.b64encode(heatmap_png(matrix, f"Attainment, cohort {cohort}")).decode()
        alt = (
            f"Heatmap of attainment for {len(matrix.index)} learners on {len(matrix.columns)} "
            "competencies; the tables above and below give every value."
        )
        self.heatmap.value = (
            f'<img style="max-width:100%" alt="{html.escape(alt)}" '
            f'src="data:image/png;base64,{png}">'
        )
        self._on_competency()
        self._on_learner()

    def _on_competency(self, _change: object = None) -> None:
        if getattr(self, "_updating", False):
            return
        if not self.competency.value:
            if self._data.competency_ids(self.cohort.value):
                message = f"{self.assignment.value} assesses no mapped competency."
            else:
                message = "No competency map in this report."
            self.competency_table.value = feedback_html([message])
            return
        table = logic.competency_learners(self._data, self.cohort.value, self.competency.value)
        self.competency_table.value = table_html(
            table, f"Learners on {self.competency.value}, lowest attainment first"
        )

    def _on_learner(self, _change: object = None) -> None:
        if getattr(self, "_updating", False):
            return
        if not self.learner.value:
            self.learner_table.value = ""
            return
        competencies, scores, reasons = logic.learner_profile(
            self._data, self.cohort.value, self.learner.value, self.assignment.value
        )
        risk = feedback_html([f"At risk: {reasons}"], "warning") if reasons else ""
        self.learner_table.value = (
            risk
            + table_html(scores, f"Scores of {self.learner.value}")
            + table_html(competencies, f"Competencies of {self.learner.value}")
        )


def program_dashboard(reports: Mapping[str, Path | str] | Path | str) -> ProgramDashboardView:
    """Build the dashboard from ``{cohort: report folder}`` or one report folder."""
    if not isinstance(reports, Mapping):
        reports = {Path(reports).name: reports}
    return ProgramDashboardView(logic.load_program(reports))
