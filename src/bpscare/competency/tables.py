"""Write the report's CSV tables from their declarations in :mod:`bpscare.competency.columns`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bpscare.competency import formats
from bpscare.competency.columns import COHORT_SUMMARY, TABLES, Column, Table
from bpscare.competency.report_data import ReportData


def write_tables(out: Path, data: ReportData) -> list[str]:
    """Write every table of :data:`~.columns.TABLES` into the folder ``out``; return the names."""
    for table in TABLES:
        write_table(out / table.file, table, data)
    return [table.file for table in TABLES]


def write_table(path: Path, table: Table, data: ReportData) -> None:
    """Write one table as CSV: the declared header, then the declared columns' text."""
    with path.open("w", newline="", encoding="utf-8", buffering=1 << 20) as fh:
        writer = csv.writer(fh)
        writer.writerow(table.names())
        writer.writerows(csv_rows(table, data))


def csv_rows(table: Table, data: ReportData) -> Iterator[tuple[Any, ...]]:
    """The table's rows as written to CSV (built column by column, then zipped)."""
    view = table.rows(data)
    return zip(*(_csv_values(column, view) for column in table.columns), strict=True)


def _csv_values(column: Column, view: Any) -> list[Any]:
    values = column.values(view)
    if column.format is None:
        return list(values)
    # Plain Python values and a cached formatter: columns repeat few distinct values.
    return list(map(formats.memo(column.format), values))


def cohort_rows(data: ReportData) -> list[list[Any]]:
    """Return the rows of ``cohort_summary.csv`` as written (:func:`.cohort.cohort_records`)."""
    return [list(row) for row in csv_rows(COHORT_SUMMARY, data)]
