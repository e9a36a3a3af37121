"""`bpscare report` on a small gradebook whose every number was worked out by hand."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gradebooks import MAP, PRIVATE_DETAILS, SCORES, make_course, make_gradebook

from bpscare.competency.report import run_report
from bpscare.errors import BpscareError


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def report(small_course, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    run_report(course_dir=small_course, out_dir=out)
    return out


def test_assignment_scores_one_row_per_learner_and_assignment(report):
    """Is a missing submission a 0 out of the assignment's maximum, not an absent row?"""
    got = {
        (r["learner"], r["assignment"]): (r["score"], r["max_score"])
        for r in rows(report / "assignment_scores.csv")
    }
    assert len(got) == len(SCORES) * 2
    assert got[("ana", "a01")] == ("5", "5")
    assert got[("ben", "a02")] == ("2", "5")
    assert got[("chi", "a02")] == ("0", "5")
    assert got[("eli", "a02")] == ("4", "5")


def test_attainment_and_levels_follow_the_documented_rule(report):
    """Is attainment points earned / points possible on mapped cells, banded per framework?"""
    got = {(r["learner"], r["competency"]): r for r in rows(report / "competencies.csv")}
    # EPA-03 maps a01_q2 (3 points) and a02_q2 (1 point): eli earned 2 + 1 of 4.
    assert got[("eli", "EPA-03")]["attainment"] == "0.7500"
    assert got[("eli", "EPA-03")]["level"] == "developing"
    # ACGME-MK maps a01_q1 (2) and a01_q2 (3): ben earned 1 + 1 of 5 -> 0.40, a course band
    # below 60%; never a milestone level.
    assert got[("ben", "ACGME-MK")]["attainment"] == "0.4000"
    assert got[("ben", "ACGME-MK")]["level"] == "not yet meeting course expectations"
    assert not any(r["level"].startswith("Level") for r in got.values())
    # chi submitted only a01: EPA-03 rests on one cell, ACGME-ICS on none.
    assert got[("chi", "EPA-03")]["evidence_count"] == "1"
    assert got[("chi", "ACGME-ICS")]["evidence_count"] == "0"
    assert got[("chi", "ACGME-ICS")]["attainment"] == ""
    assert got[("ana", "ACGME-ICS")]["level"] == "meeting course expectations"
    # One graded cell is below the frameworks' minimum of two: "Insufficient evidence".
    assert got[("chi", "EPA-03")]["level"] == "Insufficient evidence"
    assert got[("chi", "ACGME-ICS")]["level"] == "Insufficient evidence"


def test_item_analysis_difficulty_and_reliability(report):
    """Are difficulty (mean share of points) and Cronbach's alpha computed over submitters?"""
    items = {r["grade_id"]: r for r in rows(report / "items.csv")}
    # a01_q1 scores 2, 1, 0, 2, 1 out of 2 -> mean 1.2 -> difficulty 0.6.
    assert items["a01_q1"]["difficulty"] == "0.6000"
    assert items["a02_q2"]["n"] == "4"
    alpha = {r["assignment"]: float(r["alpha"]) for r in rows(report / "reliability.csv")}
    # a01: item variances 0.7 and 1.7, total variance 3.3 -> 2 * (1 - 2.4 / 3.3) = 0.5455.
    assert alpha["a01"] == pytest.approx(0.5455, abs=1e-4)


def test_at_risk_rule_flags_the_expected_learners(report):
    """Are learners below 60 % mean, or low on two competencies, listed with reasons?"""
    at_risk = {r["learner"]: r["reasons"] for r in rows(report / "at_risk.csv")}
    assert set(at_risk) == {"ben", "chi", "dev"}
    assert "mean assignment score 0%" in at_risk["chi"]


def test_exports_badges_xapi_and_lms(report):
    """Do the LMS CSV, Open Badges 3.0 credentials and xAPI statements have their shapes?"""
    lms = rows(report / "lms_gradebook.csv")
    assert lms[0]["Student"] == "Points Possible"
    badges = [json.loads(line) for line in (report / "badges.jsonl").read_text().splitlines()]
    earned = {
        (
            b["credentialSubject"]["identifier"][0]["identityHash"],
            b["credentialSubject"]["achievement"]["alignment"][0]["targetCode"],
        )
        for b in badges
    }
    assert ("ana", "ACGME-MK") in earned
    assert not any(learner == "ben" for learner, _ in earned)  # nothing attained
    credential = badges[0]
    assert "OpenBadgeCredential" in credential["type"]
    assert "https://www.w3.org/ns/credentials/v2" in credential["@context"]
    subject = credential["credentialSubject"]
    assert subject["achievement"]["alignment"], "the achievement aligns to its framework"
    statements = json.loads((report / "xapi_statements.json").read_text())
    submissions = sum(len(by_assignment) for by_assignment in SCORES.values())
    assert len(statements) == submissions
    assert {"actor", "verb", "object", "result"} <= set(statements[0])
    eli_a02 = [
        s
        for s in statements
        if s["actor"]["account"]["name"] == "eli" and s["object"]["id"].endswith("/a02")
    ]
    assert eli_a02[0]["result"]["score"] == {"raw": 4.0, "min": 0, "max": 5.0, "scaled": 0.8}


def test_xapi_per_cell_detail(small_course, tmp_path):
    """With xapi_detail='cells', is there one statement per learner and graded cell?"""
    run_report(course_dir=small_course, out_dir=tmp_path / "out", xapi_detail="cells")
    statements = json.loads((tmp_path / "out" / "xapi_statements.json").read_text())
    graded = sum(len(cells) for learner in SCORES.values() for cells in learner.values())
    assert len(statements) == graded


def test_html_report_is_self_contained(report):
    """Does index.html embed its plots and load nothing from the network?"""
    html = (report / "index.html").read_text()
    assert html.count("data:image/png;base64,") >= 3
    assert "<script src=" not in html
    assert "http://" not in html.replace("http://www.w3.org", "")


def test_names_and_emails_never_appear(report):
    """Are learners' names and e-mail addresses kept out of every output file?"""
    for path in report.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            for detail in PRIVATE_DETAILS:
                assert detail not in text, f"{detail} leaked into {path.name}"


def test_pseudonymize_replaces_ids_everywhere_stably(small_course, tmp_path):
    """Are learner ids replaced in every file and file name, the same way on every run?"""
    first, second = tmp_path / "p1", tmp_path / "p2"
    run_report(course_dir=small_course, out_dir=first, pseudonymize=True, salt="s" * 32)
    run_report(course_dir=small_course, out_dir=second, pseudonymize=True, salt="s" * 32)
    for path in first.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            for learner in SCORES:
                assert f",{learner}," not in text, path.name
                assert f'"{learner}"' not in text, path.name
    assert (first / "assignment_scores.csv").read_text() == (
        second / "assignment_scores.csv"
    ).read_text()


def test_without_a_map_assignments_and_items_are_still_reported(tmp_path):
    """Does a course with no competency map still get scores and item analysis?"""
    course = make_course(tmp_path / "course", with_map=False)
    summary = run_report(course_dir=course, out_dir=tmp_path / "out")
    assert len(rows(tmp_path / "out" / "assignment_scores.csv")) == 10
    assert rows(tmp_path / "out" / "competencies.csv") == []
    assert any("no competency map" in w for w in summary.warnings)


def test_map_naming_an_absent_grade_cell_warns_with_its_name(small_course, tmp_path):
    """Does a map entry for a cell the gradebook lacks produce a warning naming it?"""
    bad_map = dict(MAP, grade_cells={**MAP["grade_cells"], "a09_ghost": ["ACGME-PC"]})
    map_path = tmp_path / "map.yaml"
    map_path.write_text(yaml.safe_dump(bad_map))
    summary = run_report(course_dir=small_course, out_dir=tmp_path / "out", map_path=map_path)
    assert any("a09_ghost" in w for w in summary.warnings)


def test_unknown_competency_id_is_an_error_and_nothing_is_written(small_course, tmp_path):
    bad_map = dict(MAP, grade_cells={"a01_q1": ["ACGME-XYZ"]})
    map_path = tmp_path / "map.yaml"
    map_path.write_text(yaml.safe_dump(bad_map))
    with pytest.raises(BpscareError, match="ACGME-XYZ"):
        run_report(course_dir=small_course, out_dir=tmp_path / "out", map_path=map_path)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [None, b"this is not a database\n" * 20])
def test_missing_or_corrupt_gradebook_is_an_error(tmp_path, content):
    db = tmp_path / "gradebook.db"
    if content is not None:
        db.write_bytes(content)
    with pytest.raises(BpscareError, match="gradebook"):
        run_report(db_url=f"sqlite:///{db}", out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_failed_rerun_leaves_the_previous_report_untouched(small_course, tmp_path):
    out = tmp_path / "out"
    run_report(course_dir=small_course, out_dir=out)
    before = (out / "competencies.csv").read_text()
    with pytest.raises(BpscareError):
        run_report(db_url=f"sqlite:///{tmp_path / 'nope.db'}", out_dir=out)
    assert (out / "competencies.csv").read_text() == before


def test_cli_report_and_its_errors(small_course, tmp_path):
    """Does the command write the report, and fail with one line and exit 2 on a bad gradebook?"""
    course = tmp_path / "course"
    shutil.copytree(small_course, course)
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "bpscare",
            "report",
            "--course",
            str(course),
            "--out",
            str(tmp_path / "out"),
            "--pseudonymize",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    for learner in SCORES:
        assert not re.search(rf"\b{learner}\b", ok.stdout + ok.stderr)
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "bpscare",
            "report",
            "--db-url",
            f"sqlite:///{tmp_path}/x.db",
            "--out",
            str(tmp_path / "bad"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert not (tmp_path / "bad").exists()


@pytest.mark.postgres
def test_postgresql_gradebook_gives_the_same_report(request, report, tmp_path):
    """Does a PostgreSQL gradebook with the same grades give byte-identical tables?"""
    postgres_url = request.getfixturevalue("postgres_url")
    make_gradebook(postgres_url)
    out = tmp_path / "pg"
    run_report(db_url=postgres_url, out_dir=out, map_path=_map_file(tmp_path))
    for name in ("assignment_scores.csv", "competencies.csv", "items.csv", "at_risk.csv"):
        assert (out / name).read_text() == (report / name).read_text(), name


def _map_file(tmp_path: Path) -> Path:
    path = tmp_path / "competency_map.yaml"
    path.write_text(yaml.safe_dump(MAP))
    return path
