"""Disparity explorer: filter a synthetic ED cohort, compare groups with ratios and 95 % CIs, plot.

Learners measure a documented disparity instead of being told about it: in the synthetic
emergency-department cohort of :mod:`bpscare.clinical.disparities`, Black and Hispanic patients
with the
same pain are less likely to receive analgesia, with odds ratios taken from Lee et al., Am J Emerg
Med 2019 (any analgesia, Black vs White OR 0.60) and Meghani et al., Pain Med 2012 (opioids, OR
0.66 Black, 0.70 Hispanic). The view filters by pain, chooses the outcome, the groups and the
measure (risk ratio, odds ratio, or odds ratio stratified by pain category with the
Mantel-Haenszel pool), and shows rates with Wilson intervals, the ratio with its interval, a
plain-language reading and a plot. All arithmetic is done by :func:`explore_disparity`, which
calls the injected library functions.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from bpscare.clinical.disparities import (
    GROUPS,
    PAIN_CATEGORIES,
    POOLED_LABEL,
    Estimate,
    generate_ed_cohort,
    odds_ratio,
    rates,
    risk_ratio,
    stratified_odds_ratio,
)
from bpscare.widgets._svg import interval_chart
from bpscare.widgets.common import SaveAnswerBar, feedback_html
from bpscare.widgets.page import page_support

__all__ = [
    "KIND",
    "MEASURES",
    "OUTCOMES",
    "SOURCE_NOTE",
    "DisparityExplorerView",
    "DisparityResult",
    "disparity_explorer",
    "explore_disparity",
    "filter_cohort",
    "interpret_estimate",
    "plot_rates",
]


#: Answer-file kind (widgets-split contract): {"filters": {...}, "measure": ...}.
KIND = "disparity"
#: Binary outcome columns of the cohort and their labels.
OUTCOMES: dict[str, str] = {
    "received_analgesia": "Received any analgesia",
    "received_opioid": "Received an opioid",
}
#: Measures the explorer computes.
MEASURES: dict[str, str] = {
    "risk_ratio": "Risk ratio",
    "odds_ratio": "Odds ratio",
    "stratified": "Odds ratio within pain categories (Mantel-Haenszel)",
}
#: Caption carried by every figure and table.
SOURCE_NOTE = (
    "Synthetic data (no real patients). Built-in odds ratios from Lee P, et al. Am J Emerg Med "
    "2019;37:1770-1777 (any analgesia) and Meghani SH, et al. Pain Med 2012;13:150-174 (opioids)."
)


@dataclass(frozen=True)
class DisparityResult:
    """What the explorer shows for one choice of filters, outcome, groups and measure.

    Attributes
    ----------
    n
        Visits left after filtering.
    rates
        Rate of the outcome per group with Wilson 95 % intervals (:func:`rates`).
    estimate
        The ratio for ``group`` vs ``reference`` (pooled Mantel-Haenszel OR when stratified).
    strata
        Per-stratum odds ratios and the pooled row (only for the stratified measure).
    summary
        Plain-language sentences reading the estimate.
    """

    n: int
    rates: pd.DataFrame
    estimate: Estimate
    strata: pd.DataFrame | None = None
    summary: tuple[str, ...] = field(default_factory=tuple)


def filter_cohort(
    df: pd.DataFrame,
    *,
    pain_categories: Sequence[str] | None = None,
    pain_range: tuple[int, int] = (1, 10),
) -> pd.DataFrame:
    """Keep visits in the chosen pain categories and pain-score range (inclusive).

    Raises
    ------
    ValueError
        On an unknown category or a range outside 1-10 (low above high).
    """
    low, high = (int(v) for v in pain_range)
    if not 1 <= low <= high <= 10:
        msg = f"pain_range: expected 1 <= low <= high <= 10, got {pain_range!r}"
        raise ValueError(msg)
    chosen = list(PAIN_CATEGORIES) if pain_categories is None else list(pain_categories)
    for name in chosen:
        if name not in PAIN_CATEGORIES:
            msg = f"pain_categories: {name!r} is not known; allowed: {', '.join(PAIN_CATEGORIES)}"
            raise ValueError(msg)
    mask = df["pain_category"].isin(chosen) & df["pain_score"].between(low, high)
    return df.loc[mask]


def _fmt(e: Estimate) -> str:
    return f"{e.estimate:.2f} (95% CI {e.lower:.2f}-{e.upper:.2f})"


def interpret_estimate(
    estimate: Estimate, measure: str, group: str, reference: str, outcome_label: str
) -> tuple[str, ...]:
    """Read a ratio in words: direction, whether the interval includes 1, and what kind of ratio.

    An odds ratio is not a risk ratio: whenever the groups differ, the odds ratio lies further from
    1 than the risk ratio, and much further when the outcome is common (as analgesia is here), so
    "x times as likely" is only said of a risk ratio.
    """
    what = outcome_label[0].lower() + outcome_label[1:]
    name = "risk ratio" if measure == "risk_ratio" else "odds ratio"
    lines = [f"{group} vs {reference}, {what}: {name} {_fmt(estimate)}."]
    if estimate.lower <= 1 <= estimate.upper:
        lines.append(
            "The interval includes 1: these data are compatible with no difference, and also "
            "with the differences inside the interval."
        )
    elif estimate.estimate < 1:
        lines.append(f"{group} patients were less likely to be recorded as: {what.lower()}.")
    else:
        lines.append(f"{group} patients were more likely to be recorded as: {what.lower()}.")
    if measure == "risk_ratio":
        lines.append(
            f"A risk ratio of {estimate.estimate:.2f} means {group} patients had "
            f"{estimate.estimate:.2f} times the proportion of {reference} patients."
        )
    else:
        lines.append(
            "An odds ratio compares odds, not proportions: it lies further from 1 than the risk "
            "ratio, much further when the outcome is common, so do not read it as 'times as "
            "likely'."
        )
    if measure == "stratified":
        lines.append(
            "Comparing patients within the same pain category asks whether people with the same "
            "pain were treated differently."
        )
    return tuple(lines)


def explore_disparity(
    df: pd.DataFrame,
    *,
    outcome: str = "received_analgesia",
    group: str = "Black",
    reference: str = "White",
    measure: str = "odds_ratio",
    pain_categories: Sequence[str] | None = None,
    pain_range: tuple[int, int] = (1, 10),
    rates_fn: Callable[..., pd.DataFrame] = rates,
    odds_ratio_fn: Callable[..., Estimate] = odds_ratio,
    risk_ratio_fn: Callable[..., Estimate] = risk_ratio,
    stratified_fn: Callable[..., pd.DataFrame] = stratified_odds_ratio,
) -> DisparityResult:
    """Filter the cohort and compute rates, the chosen ratio and its reading (no widgets).

    Parameters
    ----------
    df
        A cohort like :func:`bpscare.clinical.disparities.generate_ed_cohort` output.
    outcome
        A key of :data:`OUTCOMES`.
    group, reference
        The compared and reference groups (different).
    measure
        A key of :data:`MEASURES`.
    pain_categories, pain_range
        Filters (see :func:`filter_cohort`).
    rates_fn, odds_ratio_fn, risk_ratio_fn, stratified_fn
        Injected statistics (the :mod:`bpscare.clinical.disparities` functions by default).

    Returns
    -------
    DisparityResult

    Raises
    ------
    ValueError
        On an unknown outcome or measure, equal groups, or filters that leave a group empty.
    """
    if outcome not in OUTCOMES:
        msg = f"outcome: {outcome!r} is not known; allowed: {', '.join(OUTCOMES)}"
        raise ValueError(msg)
    if measure not in MEASURES:
        msg = f"measure: {measure!r} is not known; allowed: {', '.join(MEASURES)}"
        raise ValueError(msg)
    data = filter_cohort(df, pain_categories=pain_categories, pain_range=pain_range)
    if data.empty:
        msg = "filters: no visits match; widen the pain range or choose more categories"
        raise ValueError(msg)
    table = rates_fn(data, outcome, "group")
    strata = None
    if measure == "stratified":
        strata = stratified_fn(data, outcome, group, reference)
        pooled = strata.iloc[-1]
        estimate = Estimate(
            float(pooled["odds_ratio"]),
            float(pooled["lower"]),
            float(pooled["upper"]),
            str(pooled["method"]),
            int(pooled["n"]),
        )
    elif measure == "odds_ratio":
        estimate = odds_ratio_fn(data, outcome, group, reference)
    else:
        estimate = risk_ratio_fn(data, outcome, group, reference)
    summary = interpret_estimate(estimate, measure, group, reference, OUTCOMES[outcome])
    return DisparityResult(len(data), table, estimate, strata, summary)


def _pct(x: float) -> str:
    return "-" if isinstance(x, float) and math.isnan(x) else f"{100 * x:.1f}%"


def _rates_html(table: pd.DataFrame, outcome_label: str) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(str(r.group))}</th><td>{r.n}</td><td>{r.events}</td>"
        f"<td>{_pct(r.rate)}</td><td>{_pct(r.lower)}-{_pct(r.upper)}</td></tr>"
        for r in table.itertuples()
    )
    return (
        f"<table style='border-collapse:collapse'><caption>{html.escape(outcome_label)} by group "
        "(Wilson 95% CI)</caption><thead><tr><th scope='col'>Group</th><th scope='col'>Visits"
        "</th><th scope='col'>Events</th><th scope='col'>Rate</th><th scope='col'>95% CI</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _num(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.2f}"


def _strata_html(strata: pd.DataFrame) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(str(r.stratum))}</th><td>{r.n}</td>"
        f"<td>{_num(r.odds_ratio)}</td><td>{_num(r.lower)}-{_num(r.upper)}</td></tr>"
        for r in strata.itertuples()
    )
    return (
        "<table style='border-collapse:collapse'><caption>Odds ratio within each pain category "
        f"and the {POOLED_LABEL} estimate</caption><thead><tr><th scope='col'>Stratum</th>"
        "<th scope='col'>Visits</th><th scope='col'>OR</th><th scope='col'>95% CI</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def plot_rates(table: pd.DataFrame, outcome_label: str) -> str:
    """Chart each group's rate with its Wilson 95 % interval, with the source caption (SVG)."""
    rows = [(str(r.group), 100 * r.rate, 100 * r.lower, 100 * r.upper) for r in table.itertuples()]
    described = "; ".join(f"{g} {v:.1f}% ({lo:.1f}-{hi:.1f})" for g, v, lo, hi in rows)
    return interval_chart(
        rows,
        x_max=100,
        title=f"{outcome_label} by recorded race/ethnicity",
        x_label=f"{outcome_label} (% of visits, 95% CI)",
        caption="Synthetic data. Built-in odds ratios: Lee et al. 2019; Meghani et al. 2012.",
        description=f"{outcome_label}, % of visits with 95% CI: {described}.",
    )


class DisparityExplorerView(widgets.VBox):
    """Filters, outcome, groups and measure; rates, a ratio with its CI, a reading and a plot.

    Parameters
    ----------
    data
        The cohort (default: :func:`generate_ed_cohort` with ``n`` and ``seed``).
    n, seed
        Size and seed of the default synthetic cohort.
    answer_name
        When given, a Save bar saves the current choice (kind ``"disparity"``).
    assignment
        The assignment the saved answer belongs to (checked when it is graded).
    folder
        Where the answer file goes.
    practice
        Practice mode (no effect: the cohort parameters are public).
    explore
        The pure computation (default :func:`explore_disparity`).
    plot
        Renders the rates table as an SVG chart (default :func:`plot_rates`); the chart is
        redrawn only when the outcome or the filters change.
    """

    def __init__(
        self,
        data: pd.DataFrame | None = None,
        *,
        n: int = 4000,
        seed: int = 0,
        answer_name: str | None = None,
        assignment: str = "",
        folder: Path | str | None = None,
        practice: bool = False,
        explore: Callable[..., DisparityResult] = explore_disparity,
        plot: Callable[[pd.DataFrame, str], str] = plot_rates,
    ) -> None:
        self.data = generate_ed_cohort(n, seed) if data is None else data
        self.practice = practice
        self._explore, self._plot = explore, plot
        self.last_result: DisparityResult | None = None
        self._plotted: tuple[Any, ...] | None = None
        style = {"description_width": "initial"}
        groups = [g for g in GROUPS if g in set(self.data["group"])]
        self.outcome = widgets.Dropdown(
            options=[(label, key) for key, label in OUTCOMES.items()],
            description="Outcome:",
            style=style,
        )
        self.group = widgets.Dropdown(
            options=groups, value="Black", description="Compare group:", style=style
        )
        self.reference = widgets.Dropdown(
            options=groups, value="White", description="with reference group:", style=style
        )
        self.measure = widgets.ToggleButtons(
            options=[(label, key) for key, label in MEASURES.items()],
            value="odds_ratio",
            description="Measure:",
            style=style,
        )
        self.pain_categories = widgets.SelectMultiple(
            options=[(f"{k} ({lo}-{hi})", k) for k, (lo, hi) in PAIN_CATEGORIES.items()],
            value=tuple(PAIN_CATEGORIES),
            rows=3,
            description="Pain categories (Ctrl/Cmd-click):",
            style=style,
            layout=widgets.Layout(width="min(26rem, 100%)"),
        )
        self.pain_range = widgets.IntRangeSlider(
            value=(1, 10),
            min=1,
            max=10,
            description="Pain score (1-10):",
            style=style,
            layout=widgets.Layout(width="min(30rem, 100%)"),
        )
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.strata = widgets.HTML()
        self.plot = widgets.HTML()
        self.caption = widgets.HTML(f"<p style='font-size:small'>{html.escape(SOURCE_NOTE)}</p>")
        for control in (
            self.outcome,
            self.group,
            self.reference,
            self.measure,
            self.pain_categories,
            self.pain_range,
        ):
            control.observe(self.update, names="value")
        children: list[widgets.Widget] = [
            widgets.HTML(
                "<p style='margin:2px 0'>Choose who to compare and how. Group labels are "
                "patients' recorded race/ethnicity, not biology.</p>"
            ),
            widgets.HBox([self.outcome, self.group, self.reference]),
            self.measure,
            widgets.HBox([self.pain_categories, self.pain_range]),
            self.summary,
            self.table,
            self.strata,
            self.plot,
            self.caption,
        ]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(
                answer_name, self.answer, kind=KIND, folder=folder, assignment=assignment
            )
            children.append(self.save_bar)
        super().__init__(page_support(self, children))
        self.update()

    def choices(self) -> dict[str, Any]:
        """Return the current filters and measure as plain data (the ``disparity`` answer)."""
        return {
            "filters": {
                "pain_categories": list(self.pain_categories.value),
                "pain_range": list(self.pain_range.value),
            },
            "measure": self.measure.value,
            "outcome": self.outcome.value,
            "group": self.group.value,
            "reference": self.reference.value,
        }

    def answer(self) -> dict[str, Any]:
        """Return the answer data: :meth:`choices` plus the estimate shown, if any."""
        data = self.choices()
        if self.last_result is not None:
            data["estimate"] = self.last_result.estimate.to_dict()
        return data

    def update(self, _change: object = None) -> None:
        """Recompute everything from the controls (called on every change)."""
        c = self.choices()
        try:
            result = self._explore(
                self.data,
                outcome=c["outcome"],
                group=c["group"],
                reference=c["reference"],
                measure=c["measure"],
                pain_categories=c["filters"]["pain_categories"],
                pain_range=tuple(c["filters"]["pain_range"]),
            )
        except ValueError as exc:
            self.last_result = None
            self.summary.value = feedback_html([str(exc)], "alert", "Cannot compare")
            self.table.value = self.strata.value = ""
            self.plot.value = ""
            self._plotted = None
            return
        self.last_result = result
        self.summary.value = feedback_html(
            list(result.summary), "info", f"{result.n} visits after filtering"
        )
        self.table.value = _rates_html(result.rates, OUTCOMES[c["outcome"]])
        self.strata.value = "" if result.strata is None else _strata_html(result.strata)
        key = (c["outcome"], tuple(c["filters"]["pain_categories"]), *c["filters"]["pain_range"])
        if key != self._plotted:
            self.plot.value = self._plot(result.rates, OUTCOMES[c["outcome"]])
            self._plotted = key


def disparity_explorer(
    answer_name: str | None = None,
    *,
    assignment: str = "",
    n: int = 4000,
    seed: int = 0,
    folder: Path | str | None = None,
    practice: bool = False,
    **kwargs: Any,
) -> DisparityExplorerView:
    """Build the disparity explorer over the synthetic ED cohort in one line."""
    return DisparityExplorerView(
        n=n,
        seed=seed,
        answer_name=answer_name,
        assignment=assignment,
        folder=folder,
        practice=practice,
        **kwargs,
    )
