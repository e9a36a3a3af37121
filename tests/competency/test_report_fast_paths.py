"""The report's fast paths give exactly what the plain computations give."""

from __future__ import annotations

import io
import json
import math
import sqlite3
import uuid

import numpy as np
import pytest
from gradebooks import CELLS, MAP, SCORES
from hypothesis import given, settings
from hypothesis import strategies as st

from bpscare.competency.evidence import SCORE_SQL, GradebookSource
from bpscare.competency.exports import (
    BADGE_NAMESPACE,
    BadgeLineWriter,
    Issuer,
    XapiStatementWriter,
    badge_credential,
    credential_uuid,
    write_lms_gradebook,
)
from bpscare.competency.formats import fixed, memo, num
from bpscare.competency.frameworks import load_frameworks
from bpscare.competency.html import heatmap_rows

ISSUER = Issuer(id="urn:bpscare:issuer:t", name='Course "t" \\ issuer')


@given(st.text())
def test_credential_uuid_is_uuid5(name):
    """Is the hand-rolled credential id the RFC 4122 version-5 UUID of the name?"""
    assert credential_uuid(name) == str(uuid.uuid5(BADGE_NAMESPACE, name))


@settings(max_examples=60, deadline=None)
@given(
    learner=st.text(min_size=1, max_size=20),
    band=st.integers(min_value=0, max_value=4),
    attainment=st.floats(min_value=0.0, max_value=1.0),
    count=st.integers(min_value=0, max_value=500),
)
def test_badge_line_is_the_serialised_credential(learner, band, attainment, count):
    """Is each templated line byte-identical to json.dumps of the credential dict?"""
    fw = load_frameworks()["ACGME"]
    comp = fw.competencies[1]
    band = band % len(fw.levels.bands)
    writer = BadgeLineWriter(
        framework=fw, competency=comp, issuer=ISSUER, course_label="t", valid_from="2026-05-01Z"
    )
    expected = json.dumps(
        badge_credential(
            learner=learner,
            framework=fw,
            competency=comp,
            band_index=band,
            attainment=attainment,
            evidence_count=count,
            issuer=ISSUER,
            course_label="t",
            valid_from="2026-05-01Z",
        ),
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert writer.line(learner, band, attainment, count) == expected
    writer._templates[band] = None  # the plain path, used when a marker is not found once
    assert writer.line(learner, band, attainment, count) == expected


def test_heatmap_rows_average_groups_of_learners():
    """With more learners than rows, is each row the mean over a group, ignoring no-evidence?"""
    att = np.array([[1.0, np.nan], [0.0, np.nan], [0.5, 0.25], [np.nan, np.nan], [0.2, 1.0]])
    order = np.arange(5)
    same, size = heatmap_rows(att, order, max_rows=5)
    assert size == 1
    np.testing.assert_array_equal(same, att)
    rows, size = heatmap_rows(att, order, max_rows=2)
    assert size == 3  # ceil(5 / 2)
    np.testing.assert_allclose(rows, [[0.5, 0.25], [0.2, 1.0]])
    rows, size = heatmap_rows(att, np.array([3, 1, 0, 2, 4]), max_rows=3)
    assert size == 2
    np.testing.assert_allclose(rows[0], [0.0, np.nan])  # learners 3 and 1: no evidence on k=1
    np.testing.assert_allclose(rows[1], [0.75, 0.25])


def test_memoised_formatters_keep_negative_zero_and_nan():
    """Does caching the formatters keep -0.0, 0.0 and NaN apart?"""
    fmt = memo(fixed)
    assert [fmt(v) for v in (0.0, -0.0, 0.25, 0.25, math.nan)] == [
        "0.0000",
        "-0.0000",
        "0.2500",
        "0.2500",
        "",
    ]


def test_lms_gradebook_rows_match_the_plain_formatting(tmp_path):
    scores = np.array([[1.0, 2.5, 0.0], [3.0, np.nan, 1.0 / 3.0]])
    path = tmp_path / "lms.csv"
    write_lms_gradebook(path, ["ana", "b,c"], ["7", ""], ["a1", "a2", "a3"], scores, [3, 3, 1])
    lines = path.read_text().splitlines()
    assert lines[2] == "ana,7,ana,,," + ",".join(num(v) for v in scores[0])
    assert lines[3] == '"b,c",,"b,c",,,3,,0.33'


def test_xapi_assignment_statements_stream_in_chunks():
    """Are more statements than one write chunk still one valid JSON array, in order?"""
    writer = XapiStatementWriter(
        home_page="https://example.org",
        activity_base="https://example.org/c",
        course_id="c",
        cells=[],
    )
    rows = []
    for s in range(5000):
        head, tail = writer.submission_parts(f"l{s}", "a1", "2026-01-01T00:00:00Z", float(s % 7))
        rows.append(("a1", head, tail, float(s % 7), 6.0))
    buf = io.StringIO()
    assert writer.write_assignments(buf, rows) == 5000
    statements = json.loads(buf.getvalue())
    assert [st_["actor"]["account"]["name"] for st_ in statements] == [f"l{s}" for s in range(5000)]
    assert statements[6]["result"]["score"] == {"raw": 6.0, "min": 0, "max": 6.0, "scaled": 1.0}


def _sql_reference(db: str, pairs: dict[str, list[tuple[str, float]]]) -> dict:
    """Per learner x competency (count, earned, possible) by plain SQL, one grade at a time."""
    con = sqlite3.connect(db)
    rows = con.execute(
        f"SELECT sa.student_id, b.name, {SCORE_SQL} FROM grade g "
        "JOIN submitted_notebook sn ON sn.id = g.notebook_id "
        "JOIN submitted_assignment sa ON sa.id = sn.assignment_id "
        "JOIN base_cell b ON b.id = g.cell_id"
    ).fetchall()
    con.close()
    out: dict = {}
    for learner, cell, x in rows:
        for cid, mx in pairs.get(cell, []):
            n, e, p = out.get((learner, cid), (0, 0.0, 0.0))
            out[(learner, cid)] = (n + 1, e + x, p + mx)
    return out


def test_evidence_aggregates_match_a_grade_by_grade_reference(small_course):
    """Do the bincount aggregates equal sums taken grade by grade in SQL?"""
    db = str(small_course / "gradebook.db")
    with GradebookSource(f"sqlite:///{db}") as source:
        learners = source.learners()
        index = {lid: i for i, lid in enumerate(learners)}
        assignments = source.assignments()
        items = source.items(assignments)
        subs = source.submissions(index, assignments)
        assert source.build_evidence(subs, items) == sum(
            len(cells) for by_a in SCORES.values() for cells in by_a.values()
        )
        totals, counts = source.submission_totals(len(subs.ids))
        for s, sid in enumerate(subs.ids):
            learner = learners[subs.learner[s]]
            assignment = assignments[subs.assignment[s]].name
            assert totals[s] == sum(SCORES[learner][assignment].values()), sid
            assert counts[s] == len(CELLS[assignment])
        comps = sorted({cid for ids in MAP["grade_cells"].values() for cid in ids})
        k_index = {cid: k for k, cid in enumerate(comps)}
        pairs = [
            (it.index, k_index[cid], it.max_score)
            for it in items
            for cid in MAP["grade_cells"][it.grade_id]
        ]
        count, earned, possible = source.competency_evidence(
            pairs + pairs[:2],
            len(learners),
            len(comps),  # a repeated pair counts once
        )
        moments = source.item_moments(len(items))
    by_cell = {
        cell: [(cid, mx) for cid in MAP["grade_cells"][cell]]
        for cells in CELLS.values()
        for cell, mx in cells
    }
    reference = _sql_reference(db, by_cell)
    for (learner, cid), (n, e, p) in reference.items():
        i, k = index[learner], k_index[cid]
        assert (count[i, k], earned[i, k], possible[i, k]) == (n, pytest.approx(e), p)
    assert count.sum() == sum(n for n, _e, _p in reference.values())
    # a01_q1 scores 2, 1, 0, 2, 1 (item 0): n, sum, sum of squares.
    assert (moments.n[0], moments.sx[0], moments.sxx[0]) == (5, 6.0, 10.0)


def test_html_helper_process_draws_the_same_page(small_course, tmp_path):
    """Is index.html from the helper process byte-identical to one drawn in-process?"""
    import datetime as dt

    from bpscare.competency.report import run_report

    now = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
    run_report(course_dir=small_course, out_dir=tmp_path / "par", now=now, parallel=True)
    run_report(course_dir=small_course, out_dir=tmp_path / "seq", now=now, parallel=False)
    for name in ("index.html", "badges.jsonl", "xapi_statements.json", "competencies.csv"):
        assert (tmp_path / "par" / name).read_bytes() == (tmp_path / "seq" / name).read_bytes()


def test_html_helper_failure_falls_back_to_drawing_here(tmp_path, monkeypatch):
    """If the helper dies or cannot start, is the page still written, with no partial file?"""
    from bpscare.competency import render_worker

    data = "stand-in"  # the drawing function is replaced: any picklable object will do
    drawn = []
    monkeypatch.setattr(
        "bpscare.competency.html.write_index_html",
        lambda path, d: (drawn.append(d), path.write_text("page")),
    )
    worker = render_worker.HtmlWorker()
    assert worker.started
    worker._proc.kill()  # the helper dies before it gets the data
    worker._proc.wait()
    (tmp_path / ".index.html.k1ll3d.tmp").write_text("half")  # as bpscare.atomic names it
    assert worker.render(tmp_path / "index.html", data) is False
    assert drawn == ["stand-in"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]

    monkeypatch.setattr(render_worker.sys, "executable", str(tmp_path / "no-python"))
    worker = render_worker.HtmlWorker()
    assert not worker.started
    assert worker.render(tmp_path / "index.html", data) is False
    assert drawn == ["stand-in", "stand-in"]


def test_helper_process_only_for_large_or_server_gradebooks(small_course, monkeypatch):
    from bpscare.competency import report

    url = f"sqlite:///{small_course / 'gradebook.db'}"
    assert report.use_helper_process(url) is False  # a few kB
    monkeypatch.setattr(report, "HELPER_MIN_BYTES", 1)
    assert report.use_helper_process(url) is True
    assert report.use_helper_process("sqlite:////no/such/gradebook.db") is False
    assert report.use_helper_process("postgresql+psycopg2://u@localhost/gb") is True
