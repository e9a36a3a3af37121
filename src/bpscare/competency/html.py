"""The report's ``index.html``: one self-contained page for a program director.

The page is a sequence of sections, each drawn by its own function from the
:class:`~bpscare.competency.report_data.ReportData`: overview, learners at risk, competencies,
assignments, item analysis, methods. The items and at-risk tables read their columns from the
declarations in :mod:`bpscare.competency.columns`, as the CSV files do. Plots (:mod:`.figures`)
are embedded as base64 PNG ``data:`` URIs; the page loads nothing from the network.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from bpscare.competency.columns import AT_RISK, ITEMS, Column, ItemRows, Table
from bpscare.competency.figure_fork import FigureFork, draw_page_figures
from bpscare.competency.figures import (
    MAX_HEATMAP_LABELS,
    MAX_HEATMAP_ROWS,
    competency_trend_figure,
    distribution_figure,
    heatmap_figure,
    heatmap_rows,
    trend_figure,
)
from bpscare.competency.formats import fixed2, pct
from bpscare.competency.levels import COMMITTEE_NOTE, INSUFFICIENT
from bpscare.competency.report_data import ReportData, item_flag

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "CSS",
    "MAX_AT_RISK_ROWS",
    "MAX_HEATMAP_LABELS",
    "MAX_HEATMAP_ROWS",
    "MAX_LEARNER_ROWS",
    "competency_trend_figure",
    "distribution_figure",
    "heatmap_figure",
    "heatmap_rows",
    "render_index_html",
    "trend_figure",
    "write_index_html",
]

#: Rows of the learner x competency table shown in the page (larger cohorts: see the CSV).
MAX_LEARNER_ROWS = 100
#: Rows of the at-risk table shown in the page.
MAX_AT_RISK_ROWS = 200

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem;display:block;overflow-x:auto;
max-width:100%}
th,td{border:1px solid #d0d0d0;padding:.22rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5rem .8rem}
.rule{background:#eef6ff;border-left:4px solid #2f6fb3;padding:.5rem .8rem}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#444}
img{max-width:100%;height:auto}.muted{color:#666}
td:first-child{position:sticky;left:0;background:#fff;white-space:nowrap}
@media (max-width:40rem){body{margin:1rem auto}table{font-size:.8rem}}
"""
FILES_NOTE = (
    "<p class='muted'>Files: assignment_scores.csv, competencies.csv, items.csv, "
    "reliability.csv, cohort_summary.csv, at_risk.csv, lms_gradebook.csv, badges.jsonl, "
    "xapi_statements.json.</p></body></html>"
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _figure(png: str, alt: str, caption: str) -> str:
    return (
        f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{png}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: set[int]) -> str:
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>")
        for j, cell in enumerate(row):
            cls = ' class="n"' if j in numeric else ""
            out.append(f"<td{cls}>{_e(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def declared_table(table: Table, view: Any) -> str:
    """Draw a declared table's page columns (``on_page``) for the rows of ``view``."""
    shown = [c for c in table.columns if c.on_page]
    values = [_page_values(c, view) for c in shown]
    return _table(
        [c.page_header for c in shown],
        list(zip(*values, strict=True)),
        numeric={j for j, c in enumerate(shown) if c.numeric},
    )


def _page_values(column: Column, view: Any) -> list[Any]:
    values = column.values(view)
    formatter = column.page_format or column.format
    return list(values) if formatter is None else [formatter(v) for v in values]


# -- sections ------------------------------------------------------------------------------------


def _overview(data: ReportData) -> list[str]:
    title = f"Competency and assessment report: {data.course_label}"
    pseudonyms = "Learner ids are pseudonymised (salted HMAC-SHA256)." if data.pseudonymized else ""
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='muted'>Generated {_e(data.generated)} from {_e(data.gradebook)}. "
        f"{pseudonyms}</p>",
        _table(
            ["learners", "assignments", "graded cells", "competencies assessed", "at risk"],
            [
                [
                    len(data.learners),
                    len(data.assignments),
                    len(data.items),
                    len(data.competencies),
                    len(data.at_risk),
                ]
            ],
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
    return out


def _at_risk_section(data: ReportData) -> list[str]:
    out = [
        "<h2>Learners at risk</h2>",
        f"<p class='rule'><b>Rule.</b> {_e(data.rule.describe())}</p>",
    ]
    if not data.at_risk:
        return [*out, "<p>No learner meets the rule.</p>"]
    out.append(declared_table(AT_RISK, data.at_risk[:MAX_AT_RISK_ROWS]))
    if len(data.at_risk) > MAX_AT_RISK_ROWS:
        out.append(f"<p>{len(data.at_risk)} learners in total: see at_risk.csv.</p>")
    return out


def _competency_section(data: ReportData, pngs: Mapping[str, str]) -> list[str]:
    if not data.competencies:
        return []
    caption = (
        "Each row is a learner, each column a competency; colour = share of points "
        "on the mapped, graded cells (grey: no graded evidence). White lines separate frameworks."
    )
    if len(data.learners) > MAX_HEATMAP_ROWS:
        caption += (
            f" With more than {MAX_HEATMAP_ROWS} learners, each row is the mean of a "
            "group of consecutive learners in that order (learners without evidence "
            "left out of the mean)."
        )
    out = [
        "<h2>Competencies</h2>",
        _figure(pngs["heatmap"], "Heatmap of attainment, learners by competencies", caption),
    ]
    for fid in dict.fromkeys(c.framework for c in data.competencies):
        out += _framework_table(data, fid)
    out.append(
        _figure(
            pngs["competency_trend"],
            "Cohort attainment per competency across assignments",
            "Share of available points earned by submitting learners on the cells mapped "
            "to each competency, per assignment.",
        )
    )
    return out + _levels_by_learner(data)


def _framework_table(data: ReportData, fid: str) -> list[str]:
    """One framework's competencies: cells, evidence, mean attainment, learners per level."""
    fw = data.frameworks[fid]
    bands = fw.levels.bands
    n_l = len(data.learners)
    rows = []
    for k, comp in enumerate(data.competencies):
        if comp.framework != fid:
            continue
        vals = data.attainment[:, k]
        enough = data.evidence_count[:, k] >= fw.levels.min_evidence
        counts = np.bincount(data.band[enough, k], minlength=len(bands))
        rows.append(
            [
                comp.id,
                comp.title,
                data.competency_cells.get(comp.id, 0),
                int((data.evidence_count[:, k] > 0).sum()),
                int((data.competency_pending[:, k] > 0).sum()),
                pct(float(np.nanmean(vals)) if np.isfinite(vals).any() else np.nan),
                pct(float(data.attained[:, k].mean()) if n_l else np.nan),
                *(int(n) for n in counts),
                int((~enough).sum()),
            ]
        )
    header = [
        "id",
        "competency",
        "cells mapped",
        "learners with graded evidence",
        "learners with work awaiting grading",
        "mean attainment",
        "share at target band",
        *(b.label for b in bands),
        INSUFFICIENT,
    ]
    numeric = set(range(2, 8 + len(bands)))
    out = [f"<h3>{_e(fw.title)}</h3>", _table(header, rows, numeric)]
    assessed = {c.id for c in data.competencies}
    missing = [c for c in fw.competencies if c.id not in assessed]
    if missing:
        out.append(
            "<p class='muted'>Not assessed by this course: "
            + ", ".join(f"{_e(c.id)} {_e(c.title)}" for c in missing)
            + "</p>"
        )
    return out


#: Short forms of the course bands in the learner table (the legend above it spells them out).
SHORT_BANDS = {
    "not yet meeting course expectations": "not yet",
    "meeting course expectations": "meeting",
}


def learner_band(data: ReportData, i: int, k: int, *, short: bool = False) -> str:
    """A learner's course band on a competency as the page writes it (same words as the CSV)."""
    scheme = data.frameworks[data.competencies[k].framework].levels
    label = scheme.label(int(data.band[i, k]), int(data.evidence_count[i, k]))
    if label != INSUFFICIENT:
        label = f"{SHORT_BANDS.get(label, label) if short else label} {pct(data.attainment[i, k])}"
    pending = int(data.competency_pending[i, k])
    return label + (f"; {pending} awaiting grading" if pending else "")


def _levels_by_learner(data: ReportData) -> list[str]:
    n_l = len(data.learners)
    if n_l > MAX_LEARNER_ROWS:
        return ["<p>Course bands by learner: see competencies.csv.</p>"]
    order = sorted(range(n_l), key=data.learners.__getitem__)
    legend = "; ".join(f"<b>{_e(b)}</b> = {_e(a)}" for a, b in SHORT_BANDS.items())
    out = [
        "<h3>Course bands by learner</h3>",
        f"<p class='note'>{_e(COMMITTEE_NOTE)} In these tables {legend}; the percentage is "
        f"the attainment; '{INSUFFICIENT}' means fewer graded cells than the framework's "
        "minimum.</p>",
    ]
    for fid in dict.fromkeys(c.framework for c in data.competencies):
        ks = [k for k, c in enumerate(data.competencies) if c.framework == fid]
        rows = [
            [data.learners[i], *(learner_band(data, i, k, short=True) for k in ks)] for i in order
        ]
        header = ["learner", *(data.competencies[k].id for k in ks)]
        out += [f"<h4>{_e(data.frameworks[fid].title)}</h4>", _table(header, rows, set())]
    return out


def _assignment_section(data: ReportData, pngs: Mapping[str, str]) -> list[str]:
    rows = []
    for a, rel in zip(data.assignments, data.reliability, strict=True):
        mx = data.assignment_max[a.index]
        mask = data.submitted[:, a.index] & (data.pending[:, a.index] == 0)
        vals = data.scores[mask, a.index] / mx if mx > 0 and mask.any() else np.array([])
        n_missing = int((~data.submitted[:, a.index]).sum())
        rows.append(
            [
                a.name,
                a.duedate or "",
                f"{mx:g}",
                int(data.submitted[:, a.index].sum()),
                int((data.pending[:, a.index] > 0).sum()),
                n_missing if data.due[a.index] else f"not yet due ({n_missing} to come)",
                pct(float(np.mean(vals)) if vals.size else np.nan),
                pct(float(np.median(vals)) if vals.size else np.nan),
                rel.k_items,
                fixed2(rel.alpha),
            ]
        )
    header = [
        "assignment",
        "due",
        "max",
        "submitted",
        "awaiting grading",
        "missing",
        "mean (graded)",
        "median (graded)",
        "items",
        "Cronbach's alpha",
    ]
    out = ["<h2>Assignments</h2>", _table(header, rows, {2, 3, 4, 5, 6, 7, 8, 9})]
    if data.assignments:
        out.append(
            _figure(
                pngs["distribution"],
                "Box plots of scores per assignment",
                "Submitted work only; the dotted line is the at-risk mean-score threshold.",
            )
        )
        out.append(
            _figure(
                pngs["trend"],
                "Score and submission trends across assignments",
                "Median and interquartile range of submitted scores, mean of the learners "
                "flagged at risk, and the share of learners who submitted.",
            )
        )
    return out


def _item_section(data: ReportData) -> list[str]:
    st = data.item_stats
    flagged = [
        it for it in data.items if item_flag(st.difficulty[it.index], st.discrimination[it.index])
    ]
    out = [
        "<h2>Item analysis</h2>",
        f"<p>{len(data.items)} graded cells; {len(flagged)} flagged for review; "
        f"{data.unmapped_items} not mapped to any competency; "
        f"{int((data.item_pending > 0).sum())} with grades awaiting a grader (statistics "
        "use graded submissions only).</p>",
    ]
    if flagged:
        view = ItemRows(flagged, st, data.item_pending, data.cell_competencies)
        out += ["<h3>Flagged items</h3>", declared_table(ITEMS, view)]
    return [
        *out,
        "<details><summary>All items</summary>",
        declared_table(ITEMS, ItemRows.of(data)),
        "</details>",
    ]


def _methods(data: ReportData) -> str:
    parts = [
        "<h2>Methods and definitions</h2><ul>",
        "<li><b>Assignment score</b>: max(0, points - late penalty), as <code>nbgrader export"
        "</code> computes it, rounded to two decimals in every export. A submission with "
        "manually graded cells no one has graded yet is <b>pending</b>, not zero: it has no "
        "score yet (empty in the CSV and LMS files). Work not yet due is not missing. A "
        "learner with no submission past the due date scores 0. Cell score = manual score if "
        "given, else autograder score, plus extra credit.</li>",
        "<li><b>Attainment</b> of a competency = points earned / points possible over the "
        "graded cells mapped to it in the learner's submissions (capped at 100%). Cells "
        "awaiting grading and missing submissions are not evidence.</li>",
        f"<li><b>Course bands</b>: {_e(COMMITTEE_NOTE)} Below a framework's minimum number "
        f"of graded cells the report says '{INSUFFICIENT}', in the CSV files and here alike. "
        "Open Badges are issued only for course competencies met with enough graded "
        "evidence, never for an EPA or a milestone.<ul>",
    ]
    for fid in dict.fromkeys(c.framework for c in data.competencies) or data.frameworks:
        fw = data.frameworks[fid]
        sch = fw.levels
        parts.append(
            f"<li><b>{_e(fw.title)}</b> ({_e(sch.name)}): {_e(sch.describe())}; minimum "
            f"evidence {sch.min_evidence} graded cells; met from "
            f"'{_e(sch.bands[sch.attained_index].label)}'; badges: "
            f"{'yes' if fw.badges else 'never'}. Source: {_e(fw.source)}</li>"
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


def render_index_html(data: ReportData, early: FigureFork | None = None) -> str:
    """Return the whole HTML page as a string.

    The figures are drawn on two cores where possible (:mod:`.figure_fork`); ``early`` is a
    fork already drawing some of them.
    """
    pngs = draw_page_figures(data, early)
    out = [
        *_overview(data),
        *_at_risk_section(data),
        *_competency_section(data, pngs),
        *_assignment_section(data, pngs),
        *_item_section(data),
        _methods(data),
        FILES_NOTE,
    ]
    return "\n".join(out)


def write_index_html(path: Path, data: ReportData, early: FigureFork | None = None) -> None:
    """Write ``index.html`` for the report data (``early``: see :func:`render_index_html`)."""
    path.write_text(render_index_html(data, early), encoding="utf-8")
