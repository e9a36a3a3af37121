"""Competency tracking for programs: gradebook -> evidence -> levels -> report and exports.

The public entry point is :func:`run_report` (``bpscare report``). The pieces are usable on
their own: :func:`load_frameworks` (ACGME, AAMC Core EPAs, IPEC 2023 as data),
:func:`load_map` (a course's ``competency_map.yaml``), :class:`GradebookSource` (set-based SQL
over any nbgrader gradebook) and the item statistics in :mod:`bpscare.competency.items`.

The names are imported on first use (PEP 562), so importing one submodule (the dashboard's
data, say) does not load the report's whole machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpscare.competency.evidence import GradebookSource
    from bpscare.competency.frameworks import (
        Competency,
        Framework,
        competency_index,
        load_frameworks,
    )
    from bpscare.competency.levels import LevelBand, LevelScheme
    from bpscare.competency.mapping import CompetencyMap, load_map
    from bpscare.competency.privacy import pseudonym
    from bpscare.competency.report import ReportSummary, run_report
    from bpscare.competency.report_data import AtRiskRule

#: Each public name and the submodule that defines it.
_HOMES = {
    "AtRiskRule": "report_data",
    "Competency": "frameworks",
    "CompetencyMap": "mapping",
    "Framework": "frameworks",
    "GradebookSource": "evidence",
    "LevelBand": "levels",
    "LevelScheme": "levels",
    "ReportSummary": "report",
    "competency_index": "frameworks",
    "load_frameworks": "frameworks",
    "load_map": "mapping",
    "pseudonym": "privacy",
    "run_report": "report",
}

__all__ = [
    "AtRiskRule",
    "Competency",
    "CompetencyMap",
    "Framework",
    "GradebookSource",
    "LevelBand",
    "LevelScheme",
    "ReportSummary",
    "competency_index",
    "load_frameworks",
    "load_map",
    "pseudonym",
    "run_report",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
