"""Each report column is declared once: the CSV header and the page's table both read it."""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from pathlib import Path

import pytest

from bpscare.competency import columns
from bpscare.competency.columns import AT_RISK, ITEMS, TABLES
from bpscare.competency.report import run_report

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def page_header(page: str, after: str) -> list[str]:
    """The headings of the first table after the marker text ``after``."""
    head = page[page.index(after) :].split("</thead>", 1)[0]
    return [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", head)]


def page_columns(table: columns.Table) -> list[str]:
    return [c.page_header for c in table.columns if c.on_page]


@pytest.fixture(scope="module")
def report(small_course, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("columns") / "out"
    run_report(course_dir=small_course, out_dir=out, now=NOW, parallel=False)
    return out


def test_csv_headers_are_the_declared_names(report):
    """Is every CSV table's header row its declaration's column names, in order?"""
    for table in TABLES:
        assert csv_header(report / table.file) == table.names(), table.file


def test_page_tables_use_the_declared_headers(report):
    """Are the page's item and at-risk tables headed by the same declarations as the CSV?"""
    page = (report / "index.html").read_text(encoding="utf-8")
    assert page_header(page, "<summary>All items</summary>") == page_columns(ITEMS)
    assert page_header(page, "<h2>Learners at risk</h2>") == page_columns(AT_RISK)
    assert page_columns(ITEMS) == [
        "assignment",
        "grade id",
        "max",
        "n",
        "pending",
        "difficulty",
        "discrimination",
        "flag",
    ]


def test_changing_a_declaration_changes_the_csv_and_the_page(small_course, tmp_path, monkeypatch):
    """Does renaming an item column in its one declaration rename it in items.csv and the page?"""
    monkeypatch.setattr(ITEMS.column("grade_id"), "name", "cell_id")
    monkeypatch.setattr(ITEMS.column("difficulty"), "header", "p-value")
    monkeypatch.setattr(ITEMS.column("notebook"), "on_page", True)
    run_report(course_dir=small_course, out_dir=tmp_path / "out", now=NOW, parallel=False)
    header = csv_header(tmp_path / "out" / "items.csv")
    assert header[:6] == ["assignment", "cell_id", "max_score", "n", "pending", "difficulty"]
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page_header(page, "<summary>All items</summary>") == [
        "assignment",
        "cell id",
        "max",
        "n",
        "pending",
        "p-value",
        "discrimination",
        "notebook",
        "flag",
    ]


def test_reference_describes_every_column():
    """Does the generated reference name every table and column, each with a description?"""
    text = columns.reference()
    for table in TABLES:
        assert f"``{table.file}``" in text
        for column in table.columns:
            assert column.description, f"{table.file}: {column.name}"
            assert f"``{column.name}``" in text
