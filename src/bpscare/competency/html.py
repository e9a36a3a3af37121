"""The report's ``index.html``: one self-contained page for a program director.

Plots are drawn with matplotlib's object API (no pyplot, no global state) and embedded as
base64 PNG ``data:`` URIs; the page loads nothing from the network. Every value shown comes from
the same arrays the CSV files are written from.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import NullLocator

from bpscare.competency.report import item_flag

if TYPE_CHECKING:
    from pathlib import Path

    from bpscare.competency.report import ReportData

#: Rows of the learner x competency table shown in the page (larger cohorts: see the CSV).
MAX_LEARNER_ROWS = 100
#: Rows of the at-risk table shown in the page.
MAX_AT_RISK_ROWS = 200
#: Learners labelled on the heatmap's y axis.
MAX_HEATMAP_LABELS = 60
#: Heatmap rows; larger cohorts are drawn in groups of consecutive learners (see heatmap_rows).
MAX_HEATMAP_ROWS = 400

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}
th,td{border:1px solid #d0d0d0;padding:.22rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5rem .8rem}
.rule{background:#eef6ff;border-left:4px solid #2f6fb3;padding:.5rem .8rem}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#444}
img{max-width:100%;height:auto}.muted{color:#666}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _pct(value: float, digits: int = 0) -> str:
    return "" if value is None or not np.isfinite(value) else f"{value * 100:.{digits}f}%"


def _num(value: float, digits: int = 2) -> str:
    return "" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def _png(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(fig: Figure, alt: str, caption: str) -> str:
    return (
        f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{_png(fig)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _table(header: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>")
        for j, cell in enumerate(row):
            cls = ' class="n"' if j in numeric else ""
            out.append(f"<td{cls}>{_e(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


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
    label = "attainment (share of points; grey = no evidence)"
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
    fig = Figure(figsize=(max(6.0, 0.45 * n_a + 3.5), 2.8 * len(fw_ids) + 0.6))
    axes = _stacked(fig, len(fw_ids))
    x = np.arange(n_a)
    for ax, fid in zip(axes, fw_ids, strict=True):
        for k, comp in enumerate(data.competencies):
            if comp.framework != fid:
                continue
            y = data.competency_trend[k] * 100
            ok = np.isfinite(y)
            ax.plot(x[ok], y[ok], marker="o", markersize=3, label=comp.id)
        ax.set_ylim(-3, 103)
        ax.set_ylabel(f"{fid}\n% of points")
        ax.legend(fontsize=7, ncol=2, loc="center left", bbox_to_anchor=(1.0, 0.5))
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
    em = 7 / 72
    id_w, _ = _text_inches(fig, [c.id for c in data.competencies], 7)
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


# -- page ----------------------------------------------------------------------------------


def _methods(data: ReportData) -> str:
    parts = [
        "<h2>Methods and definitions</h2><ul>",
        "<li><b>Assignment score</b>: max(0, points - late penalty), as <code>nbgrader export"
        "</code> computes it; a learner with no submission scores 0. Maximum = the "
        "assignment's grade cells and task cells. Cell score = manual score if given, else "
        "autograder score, plus extra credit.</li>",
        "<li><b>Attainment</b> of a competency = points earned / points possible over the "
        "graded cells mapped to it in the learner's submissions (capped at 100%). Missing "
        "submissions are not evidence; they count in the at-risk rule.</li>",
        "<li><b>Levels</b> are a course-level mapping of attainment, not official decisions: "
        "ACGME milestone levels are set by Clinical Competency Committees, AAMC Core EPA "
        "entrustment needs workplace observation. Below a framework's minimum evidence count "
        "only the lowest level is given.<ul>",
    ]
    for fid in dict.fromkeys(c.framework for c in data.competencies) or data.frameworks:
        fw = data.frameworks[fid]
        sch = fw.levels
        parts.append(
            f"<li><b>{_e(fw.title)}</b> ({_e(sch.name)}): {_e(sch.describe())}; minimum "
            f"evidence {sch.min_evidence} graded cells; attained from "
            f"'{_e(sch.bands[sch.attained_index].label)}'. Source: {_e(fw.source)}</li>"
        )
    parts += [
        "</ul></li>",
        "<li><b>Item analysis</b> (submitted learners): difficulty = mean score / max points; "
        "discrimination = corrected item-total correlation (item vs. the rest of the "
        "assignment; point-biserial for 0/1 items); Cronbach's alpha per assignment (Cronbach "
        "1951). All computed from sums, squares and cross-products aggregated in the "
        "database. Flags: difficulty above 95% or below 20%, discrimination below 0.20.</li>",
        "<li><b>Exports</b>: <code>lms_gradebook.csv</code> follows the Canvas gradebook "
        "import layout (Student, ID, SIS User ID, SIS Login ID, Section, one column per "
        "assignment, a Points Possible row; delete that row for Moodle's CSV import); "
        "<code>badges.jsonl</code> holds unsigned Open Badges 3.0 credentials, one per line "
        "(sign before issuing); <code>xapi_statements.json</code> holds xAPI statements of "
        f"learners' results, actors identified by account on {_e(data.xapi_home_page)} (set "
        "<code>xapi.home_page</code> in the competency map).</li>",
        "</ul>",
    ]
    return "".join(parts)


def render_index_html(data: ReportData) -> str:
    """Return the whole HTML page as a string."""
    n_l, n_a, n_k = len(data.learners), len(data.assignments), len(data.competencies)
    title = f"Competency and assessment report: {data.course_label}"
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='muted'>Generated {_e(data.generated)} from {_e(data.gradebook)}. "
        f"{'Learner ids are pseudonymised (salted HMAC-SHA256).' if data.pseudonymized else ''}"
        "</p>",
        _table(
            ["learners", "assignments", "graded cells", "competencies assessed", "at risk"],
            [[n_l, n_a, len(data.items), n_k, len(data.at_risk)]],
            numeric={0, 1, 2, 3, 4},
        ),
    ]
    if data.map_path is None:
        out.append(
            "<p class='note'><b>No competency map was given</b>, so this report covers "
            "assignments and items only. Add <code>competency_map.yaml</code> to the course "
            "(grade id &rarr; competency ids) to track ACGME, AAMC EPA or IPEC competencies.</p>"
        )
    else:
        out.append(f"<p>Competency map: <code>{_e(data.map_path)}</code>.</p>")
    if data.warnings:
        out.append("<div class='note'><b>Warnings</b><ul>")
        out += [f"<li>{_e(w)}</li>" for w in data.warnings]
        out.append("</ul></div>")

    # At risk
    out.append("<h2>Learners at risk</h2>")
    out.append(f"<p class='rule'><b>Rule.</b> {_e(data.rule.describe())}</p>")
    if data.at_risk:
        rows = [
            [
                r["learner"],
                r["missing_submissions"],
                _pct(r["mean_score_pct"]),
                r["low_competencies"],
                r["reasons"],
            ]
            for r in data.at_risk[:MAX_AT_RISK_ROWS]
        ]
        out.append(
            _table(
                ["learner", "missing submissions", "mean score", "low competencies", "reasons"],
                rows,
                numeric={1, 2, 3},
            )
        )
        if len(data.at_risk) > MAX_AT_RISK_ROWS:
            out.append(f"<p>{len(data.at_risk)} learners in total: see at_risk.csv.</p>")
    else:
        out.append("<p>No learner meets the rule.</p>")

    # Competencies
    if n_k:
        out.append("<h2>Competencies</h2>")
        out.append(
            _figure(
                heatmap_figure(data),
                "Heatmap of attainment, learners by competencies",
                "Each row is a learner, each column a competency; colour = share of points "
                "on the mapped cells (grey: no evidence). White lines separate frameworks."
                + (
                    f" With more than {MAX_HEATMAP_ROWS} learners, each row is the mean of a "
                    "group of consecutive learners in that order (learners without evidence "
                    "left out of the mean)."
                    if n_l > MAX_HEATMAP_ROWS
                    else ""
                ),
            )
        )
        for fid in dict.fromkeys(c.framework for c in data.competencies):
            fw = data.frameworks[fid]
            bands = fw.levels.bands
            rows = []
            for k, comp in enumerate(data.competencies):
                if comp.framework != fid:
                    continue
                vals = data.attainment[:, k]
                counts = np.bincount(data.band[:, k], minlength=len(bands))
                rows.append(
                    [
                        comp.id,
                        comp.title,
                        data.competency_cells.get(comp.id, 0),
                        int((data.evidence_count[:, k] > 0).sum()),
                        _pct(float(np.nanmean(vals)) if np.isfinite(vals).any() else np.nan),
                        _pct(float(data.attained[:, k].mean()) if n_l else np.nan),
                        *(int(n) for n in counts),
                    ]
                )
            assessed = {c.id for c in data.competencies}
            missing = [c for c in fw.competencies if c.id not in assessed]
            out.append(f"<h3>{_e(fw.title)}</h3>")
            out.append(
                _table(
                    [
                        "id",
                        "competency",
                        "cells mapped",
                        "learners with evidence",
                        "mean attainment",
                        "attained",
                        *(b.label for b in bands),
                    ],
                    rows,
                    numeric=set(range(2, 6 + len(bands))),
                )
            )
            if missing:
                out.append(
                    "<p class='muted'>Not assessed by this course: "
                    + ", ".join(f"{_e(c.id)} {_e(c.title)}" for c in missing)
                    + "</p>"
                )
        out.append(
            _figure(
                competency_trend_figure(data),
                "Cohort attainment per competency across assignments",
                "Share of available points earned by submitting learners on the cells mapped "
                "to each competency, per assignment.",
            )
        )
        if n_l <= MAX_LEARNER_ROWS:
            order = sorted(range(n_l), key=data.learners.__getitem__)
            rows = [
                [
                    data.learners[i],
                    *(
                        f"{data.frameworks[c.framework].levels.bands[data.band[i, k]].label}"
                        f" ({_pct(data.attainment[i, k])})"
                        if np.isfinite(data.attainment[i, k])
                        else "no evidence"
                        for k, c in enumerate(data.competencies)
                    ),
                ]
                for i in order
            ]
            out.append("<h3>Levels by learner</h3>")
            out.append(_table(["learner", *(c.id for c in data.competencies)], rows))
        else:
            out.append("<p>Levels by learner: see competencies.csv.</p>")

    # Assignments
    out.append("<h2>Assignments</h2>")
    rows = []
    for a, rel in zip(data.assignments, data.reliability, strict=True):
        mx = data.assignment_max[a.index]
        mask = data.submitted[:, a.index]
        vals = data.scores[mask, a.index] / mx if mx > 0 and mask.any() else np.array([])
        rows.append(
            [
                a.name,
                a.duedate or "",
                f"{mx:g}",
                int(mask.sum()),
                int((~mask).sum()),
                _pct(float(np.mean(vals)) if vals.size else np.nan),
                _pct(float(np.median(vals)) if vals.size else np.nan),
                rel.k_items,
                _num(rel.alpha),
            ]
        )
    out.append(
        _table(
            [
                "assignment",
                "due",
                "max",
                "submitted",
                "missing",
                "mean",
                "median",
                "items",
                "Cronbach's alpha",
            ],
            rows,
            numeric={2, 3, 4, 5, 6, 7, 8},
        )
    )
    if n_a:
        out.append(
            _figure(
                distribution_figure(data),
                "Box plots of scores per assignment",
                "Submitted work only; the dotted line is the at-risk mean-score threshold.",
            )
        )
        out.append(
            _figure(
                trend_figure(data),
                "Score and submission trends across assignments",
                "Median and interquartile range of submitted scores, mean of the learners "
                "flagged at risk, and the share of learners who submitted.",
            )
        )

    # Items
    st = data.item_stats
    flagged = [
        it for it in data.items if item_flag(st.difficulty[it.index], st.discrimination[it.index])
    ]
    out.append("<h2>Item analysis</h2>")
    out.append(
        f"<p>{len(data.items)} graded cells; {len(flagged)} flagged for review; "
        f"{data.unmapped_items} not mapped to any competency.</p>"
    )

    def item_row(it: Any) -> list[Any]:
        c = it.index
        return [
            it.assignment,
            it.grade_id,
            f"{it.max_score:g}",
            int(st.n[c]),
            _num(st.difficulty[c]),
            _num(st.discrimination[c]),
            item_flag(st.difficulty[c], st.discrimination[c]),
        ]

    header = ["assignment", "grade id", "max", "n", "difficulty", "discrimination", "flag"]
    if flagged:
        out.append("<h3>Flagged items</h3>")
        out.append(_table(header, [item_row(it) for it in flagged], numeric={2, 3, 4, 5}))
    out.append("<details><summary>All items</summary>")
    out.append(_table(header, [item_row(it) for it in data.items], numeric={2, 3, 4, 5}))
    out.append("</details>")

    out.append(_methods(data))
    out.append(
        "<p class='muted'>Files: assignment_scores.csv, competencies.csv, items.csv, "
        "reliability.csv, cohort_summary.csv, at_risk.csv, lms_gradebook.csv, badges.jsonl, "
        "xapi_statements.json.</p></body></html>"
    )
    return "\n".join(out)


def write_index_html(path: Path, data: ReportData) -> None:
    """Write ``index.html`` for the report data."""
    path.write_text(render_index_html(data), encoding="utf-8")
