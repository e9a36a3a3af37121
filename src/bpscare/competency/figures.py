"""The report page's figures, drawn with matplotlib's object API (no pyplot, no global state).

:func:`png_base64` turns a figure into the base64 PNG the page embeds as a ``data:`` URI. Every
value drawn comes from the same arrays the CSV files are written from.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import NullLocator

if TYPE_CHECKING:
    from bpscare.competency.report_data import ReportData

#: Learners labelled on the heatmap's y axis.
MAX_HEATMAP_LABELS = 60
#: Heatmap rows; larger cohorts are drawn in groups of consecutive learners (see heatmap_rows).
MAX_HEATMAP_ROWS = 400


def png_base64(fig: Figure) -> str:
    """Return the figure as a base64-encoded PNG (90 dpi)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return base64.b64encode(buf.getvalue()).decode("ascii")


# -- plots ---------------------------------------------------------------------------------
#
# Figures are laid out by hand rather than with constrained layout: the margins are measured
# from the actual tick-label and legend texts with the Agg renderer (exact, cheap), which saves
# matplotlib a full extra layout pass per figure. Stacked panels share their x range but only the
# bottom panel gets x ticks (tick artists are the most expensive part of a figure).

_TICK = 10.0  # tick label size, points (matplotlib's default "medium")
_PAD = 0.12  # inches of air around each margin's content


def _text_inches(fig: Figure, texts: list[str], size: float) -> tuple[float, float]:
    """Return the largest width and height, in inches, of ``texts`` at ``size`` points."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    prop = FontProperties(size=size)
    width = height = 0.0
    for text in texts or [""]:
        w, h, _d = renderer.get_text_width_height_descent(text or " ", prop, ismath=False)
        width, height = max(width, w), max(height, h)
    return width / fig.dpi, height / fig.dpi


def _rotated(width: float, height: float, degrees: float) -> float:
    """Vertical extent of a text box rotated by ``degrees``."""
    rad = np.deg2rad(degrees)
    return float(width * np.sin(rad) + height * np.cos(rad))


def _margins(
    fig: Figure,
    *,
    xlabels: list[str],
    rotation: float,
    ylabel_lines: int = 1,
    yticks: list[str] | None = None,
    ytick_size: float = _TICK,
    title: bool = True,
    right: float = 0.0,
    hspace_in: float = 0.0,
    n_rows: int = 1,
) -> None:
    """Set the subplot margins from the texts around the axes (all sizes in inches)."""
    w_in, h_in = fig.get_size_inches()
    lw, lh = _text_inches(fig, xlabels, _TICK)
    bottom = _PAD + _rotated(lw, lh, rotation) + 0.1
    yw, _ = _text_inches(fig, yticks if yticks is not None else ["100"], ytick_size)
    _, line = _text_inches(fig, ["Ag"], _TICK)
    left = _PAD + ylabel_lines * line * 1.25 + 0.1 + yw + 0.08
    top = _PAD + (line * 1.2 * 1.4 + 0.1 if title else 0.0)
    right = _PAD + right
    panel = (h_in - top - bottom - hspace_in * (n_rows - 1)) / n_rows
    fig.subplots_adjust(
        left=min(left / w_in, 0.45),
        right=max(1.0 - right / w_in, 0.55),
        bottom=min(bottom / h_in, 0.45),
        top=max(1.0 - top / h_in, 0.55),
        hspace=hspace_in / max(panel, 0.1),
    )


def heatmap_rows(
    attainment: np.ndarray, order: np.ndarray, max_rows: int
) -> tuple[np.ndarray, int]:
    """Return the heatmap's rows: learners in ``order``, or groups of them when there are many.

    With more than ``max_rows`` learners, consecutive learners (in ``order``) are grouped
    ``size = ceil(n / max_rows)`` at a time and each row shows, per competency, the mean
    attainment of the group's learners who have evidence (NaN when none has). A screen cannot
    show more rows than it has pixels, and averaging keeps every learner in the picture where
    sampling pixel rows would drop most of them.

    Returns
    -------
    rows, size
        The matrix to draw (rows x competencies) and the group size (1: one learner a row).
    """
    sorted_att = attainment[order]
    n = sorted_att.shape[0]
    if n <= max_rows:
        return sorted_att, 1
    size = -(-n // max_rows)
    starts = np.arange(0, n, size)
    finite = np.isfinite(sorted_att)
    sums = np.add.reduceat(np.where(finite, sorted_att, 0.0), starts, axis=0)
    counts = np.add.reduceat(finite.astype(np.int64), starts, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rows = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return rows, size


def heatmap_figure(data: ReportData) -> Figure:
    """Learners (rows, sorted by mean attainment) x competencies (columns) attainment heatmap.

    More than :data:`MAX_HEATMAP_ROWS` learners are drawn in groups (see :func:`heatmap_rows`).
    """
    n_l, n_k = data.attainment.shape
    with np.errstate(invalid="ignore"):
        counts = np.isfinite(data.attainment).sum(axis=1)
        sums = np.nansum(data.attainment, axis=1)
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), -1.0)
    order = np.argsort(-mean, kind="stable")
    rows, group = heatmap_rows(data.attainment, order, MAX_HEATMAP_ROWS)
    height = min(12.0, max(3.0, 0.2 * n_l + 1.6))
    fig = Figure(figsize=(max(6.0, 0.42 * n_k + 3.0), height))
    ax = fig.add_subplot()
    cmap = mpl.colormaps["viridis"].with_extremes(bad="#d9d9d9")
    image = ax.imshow(
        np.ma.masked_invalid(rows),
        aspect="auto",
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        interpolation="nearest",
    )
    ids = [c.id for c in data.competencies]
    ax.set_xticks(range(n_k), ids, rotation=60, ha="right")
    labels: list[str] = []
    if n_l <= MAX_HEATMAP_LABELS:
        labels = [data.learners[i] for i in order]
        ax.set_yticks(range(n_l), labels, fontsize=7)
    else:
        ax.set_yticks([])
        if group > 1:
            ax.set_ylabel(f"{n_l} learners, sorted by mean attainment\n(each row: mean of {group})")
        else:
            ax.set_ylabel(f"{n_l} learners, sorted by mean attainment")
    last = None
    for k, comp in enumerate(data.competencies):
        if last is not None and comp.framework != last:
            ax.axvline(k - 0.5, color="white", linewidth=2)
        last = comp.framework
    # Colour bar in its own axes at the right: 0.2 in wide, 0.2 in from the heatmap.
    _, line = _text_inches(fig, ["Ag"], _TICK)
    tick_w, _ = _text_inches(fig, ["0.0"], _TICK)
    bar_right = 0.2 + 0.2 + 0.08 + tick_w + 0.1 + line * 1.25
    _margins(
        fig,
        xlabels=ids,
        rotation=60,
        ylabel_lines=2 if group > 1 else 1,
        yticks=labels if labels else [""],
        ytick_size=7,
        right=bar_right,
    )
    w_in, _h = fig.get_size_inches()
    pos = ax.get_position()
    cax = fig.add_axes((pos.x1 + 0.2 / w_in, pos.y0, 0.2 / w_in, pos.height))
    bar = fig.colorbar(image, cax=cax)
    label = "attainment (share of points; grey = no graded evidence)"
    label_w, _ = _text_inches(fig, [label], _TICK)
    bar_h = pos.height * fig.get_size_inches()[1]
    bar.set_label(label, fontsize=max(6.0, min(_TICK, _TICK * 0.95 * bar_h / label_w)))
    ax.set_title("Attainment by learner and competency")
    return fig


def distribution_figure(data: ReportData) -> Figure:
    """Box plots of submitted scores (% of max) per assignment, with missing counts."""
    n_a = len(data.assignments)
    fig = Figure(figsize=(max(6.0, 0.45 * n_a + 2.5), 4.2))
    ax = fig.add_subplot()
    series = []
    for a in data.assignments:
        mx = data.assignment_max[a.index]
        mask = data.submitted[:, a.index]
        vals = data.scores[mask, a.index] / mx * 100 if mx > 0 else np.array([])
        series.append(vals if vals.size else np.array([np.nan]))
    ax.boxplot(series, showfliers=len(data.learners) <= 300, widths=0.6)
    if len(data.learners) <= 40:
        rng = np.random.default_rng(0)
        for j, vals in enumerate(series, start=1):
            ax.scatter(j + rng.uniform(-0.15, 0.15, vals.size), vals, s=9, alpha=0.6)
    names = [a.name for a in data.assignments]
    ax.set_xticks(range(1, n_a + 1), names, rotation=45, ha="right")
    ax.set_ylabel("score, % of maximum (submitted work)")
    ax.set_ylim(-3, 103)
    ax.axhline(data.rule.min_mean_score * 100, color="#c0392b", linestyle=":", linewidth=1)
    for j, a in enumerate(data.assignments, start=1):
        missing = int((~data.submitted[:, a.index]).sum())
        if missing:
            ax.annotate(f"{missing} missing", (j, 1), ha="center", fontsize=7, color="#c0392b")
    ax.set_title("Score distribution per assignment")
    _margins(fig, xlabels=names, rotation=45)
    return fig


def _stacked(fig: Figure, n: int, height_ratios: list[float] | None = None) -> list[Any]:
    """``n`` panels, one above the other, sharing the x range; x ticks on the bottom one only."""
    grid = fig.add_gridspec(n, 1, height_ratios=height_ratios)
    bottom = fig.add_subplot(grid[n - 1, 0])
    axes = [fig.add_subplot(grid[i, 0]) for i in range(n - 1)]
    for ax in axes:
        ax.xaxis.set_major_locator(NullLocator())
    return [*axes, bottom]


def trend_figure(data: ReportData) -> Figure:
    """Cohort score trend (median, IQR, at-risk mean) and submission rate across assignments."""
    n_a = len(data.assignments)
    x = np.arange(n_a)
    fig = Figure(figsize=(max(6.0, 0.45 * n_a + 2.5), 5.2))
    ax, ax2 = _stacked(fig, 2, height_ratios=[3, 1])
    med, q1, q3, risk_mean = (np.full(n_a, np.nan) for _ in range(4))
    risk_rows = np.array([r["index"] for r in data.at_risk], dtype=np.int64)
    for a in data.assignments:
        mx = data.assignment_max[a.index]
        if mx <= 0:
            continue
        mask = data.submitted[:, a.index]
        vals = data.scores[mask, a.index] / mx * 100
        if vals.size:
            q1[a.index], med[a.index], q3[a.index] = np.quantile(vals, [0.25, 0.5, 0.75])
        if risk_rows.size:
            risk_mean[a.index] = float(np.mean(data.scores[risk_rows, a.index] / mx * 100))
    ax.fill_between(x, q1, q3, alpha=0.25, label="interquartile range (submitted)")
    ax.plot(x, med, marker="o", label="median (submitted)")
    if risk_rows.size:
        ax.plot(x, risk_mean, marker="s", linestyle="--", label="mean of at-risk learners")
    ax.set_ylim(-3, 103)
    ax.set_ylabel("score, % of max")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("Trends across assignments (in due-date order)")
    rate = data.submitted.mean(axis=0) * 100 if len(data.learners) else np.zeros(n_a)
    ax2.bar(x, rate, color="#7f8c8d")
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("submitted %")
    names = [a.name for a in data.assignments]
    ax2.set_xticks(x, names, rotation=45, ha="right")
    ax.set_xlim(ax2.get_xlim())
    _margins(fig, xlabels=names, rotation=45, hspace_in=0.15, n_rows=2)
    return fig


def competency_trend_figure(data: ReportData) -> Figure:
    """Cohort attainment per competency per assignment, one panel per framework."""
    fw_ids = list(dict.fromkeys(c.framework for c in data.competencies))
    n_a = len(data.assignments)
    # Wide enough to read at the page's 72rem (about 1150 px) with a legend at 9 pt.
    fig = Figure(figsize=(max(9.5, 0.8 * n_a + 6.0), 3.2 * len(fw_ids) + 0.6))
    axes = _stacked(fig, len(fw_ids))
    x = np.arange(n_a)
    for ax, fid in zip(axes, fw_ids, strict=True):
        for k, comp in enumerate(data.competencies):
            if comp.framework != fid:
                continue
            y = data.competency_trend[k] * 100
            ok = np.isfinite(y)
            ax.plot(x[ok], y[ok], marker="o", markersize=5, linewidth=1.6, label=comp.id)
        ax.set_ylim(-3, 103)
        ax.set_ylabel(f"{fid}\n% of points")
        ax.legend(fontsize=9, ncol=2, loc="center left", bbox_to_anchor=(1.0, 0.5))
    names = [a.name for a in data.assignments]
    axes[-1].set_xticks(x, names, rotation=45, ha="right")
    if n_a:
        axes[-1].set_xlim(-0.5, n_a - 0.5)
    for ax in axes[:-1]:
        ax.set_xlim(axes[-1].get_xlim())
    # A figure title (centred on the figure, not over the narrower panel) so it is not clipped.
    title = "Cohort attainment per competency, by assignment (mapped cells only)"
    w_in, h_in = fig.get_size_inches()
    title_w, _ = _text_inches(fig, [title], 12.0)
    fig.suptitle(
        title, fontsize=min(12.0, 12.0 * 0.96 * w_in / title_w), y=1.0 - 0.1 / h_in, va="top"
    )
    # Legend: two columns of (handle 2 em + pad 0.8 em + id), 2 em between, borders ~1.5 em.
    em = 9 / 72
    id_w, _ = _text_inches(fig, [c.id for c in data.competencies], 9)
    legend_w = 2 * (2.8 * em + id_w) + 2.0 * em + 1.8 * em
    _margins(
        fig,
        xlabels=names,
        rotation=45,
        ylabel_lines=2,
        right=legend_w + 0.1,
        hspace_in=0.2,
        n_rows=len(fw_ids),
    )
    return fig
