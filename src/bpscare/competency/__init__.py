"""Competency tracking for programs: gradebook -> evidence -> levels -> report and exports.

The public entry point is :func:`run_report` (``bpscare report``). The pieces are usable on
their own: :func:`load_frameworks` (ACGME, AAMC Core EPAs, IPEC 2023 as data),
:func:`load_map` (a course's ``competency_map.yaml``), :class:`GradebookSource` (set-based SQL
over any nbgrader gradebook) and the item statistics in :mod:`bpscare.competency.items`.
"""

from __future__ import annotations

from bpscare.competency.evidence import GradebookSource
from bpscare.competency.frameworks import Competency, Framework, competency_index, load_frameworks
from bpscare.competency.levels import LevelBand, LevelScheme
from bpscare.competency.mapping import CompetencyMap, load_map
from bpscare.competency.privacy import pseudonym
from bpscare.competency.report import ReportSummary, run_report
from bpscare.competency.report_data import AtRiskRule

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
