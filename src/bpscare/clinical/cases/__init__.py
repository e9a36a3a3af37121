"""Synthetic patient cases: the schema, a validating loader, and the stigma review checks.

Each case is one YAML file in ``data/cases/`` (file name ``<id>.yaml``) describing a person with
a somatic complaint in whom stress and mistrust of health care amplify distress. The package has
one module per concern, and every public name is re-exported here:

* :mod:`~bpscare.clinical.cases.model`: :class:`Case` and the dataclasses it is made of;
* :mod:`~bpscare.clinical.cases.loader`: :func:`load_case`, :func:`load_case_file` and friends;
* :mod:`~bpscare.clinical.cases.yaml_reader`: :class:`CaseError` and the validating YAML reader;
* :mod:`~bpscare.clinical.cases.vocabularies`: the shared controlled vocabularies;
* :mod:`~bpscare.clinical.cases.interview_questions`: the shared interview question bank;
* :mod:`~bpscare.clinical.cases.stigma_checks`: the stigma review checklist and its checks;
* :mod:`~bpscare.clinical.cases.screener_items`: the item keys under which case files store
  screener answers (never by position), and their place on each bundled form.
"""

from __future__ import annotations

from bpscare.clinical.cases.interview_questions import (
    QUESTION_STYLES,
    InterviewQuestion,
    question_bank,
)
from bpscare.clinical.cases.loader import case_ids, load_case, load_case_file, load_cases
from bpscare.clinical.cases.model import (
    FALLBACK_ANSWER,
    INSURANCE_TYPES,
    SETTINGS,
    TRUST_LEVELS,
    CarePlan,
    Case,
    Demographics,
    Finding,
    HealthSystemHistory,
    History,
    Interview,
    PresentingComplaint,
    RedFlags,
    Screeners,
    StigmaReview,
)
from bpscare.clinical.cases.screener_items import SCREENER_ITEM_KEYS, item_keys, item_position
from bpscare.clinical.cases.stigma_checks import (
    TEACHING_CONTEXT_FIELDS,
    ChecklistItem,
    stigma_checklist,
    stigma_issues,
)
from bpscare.clinical.cases.vocabularies import vocabulary
from bpscare.clinical.cases.yaml_reader import CaseError
from bpscare.clinical.language import FlaggedTerm, TermHit, flagged_terms, scan_text

__all__ = [
    "FALLBACK_ANSWER",
    "INSURANCE_TYPES",
    "QUESTION_STYLES",
    "SCREENER_ITEM_KEYS",
    "SETTINGS",
    "TEACHING_CONTEXT_FIELDS",
    "TRUST_LEVELS",
    "CarePlan",
    "Case",
    "CaseError",
    "ChecklistItem",
    "Demographics",
    "Finding",
    "FlaggedTerm",
    "HealthSystemHistory",
    "History",
    "Interview",
    "InterviewQuestion",
    "PresentingComplaint",
    "RedFlags",
    "Screeners",
    "StigmaReview",
    "TermHit",
    "case_ids",
    "flagged_terms",
    "item_keys",
    "item_position",
    "load_case",
    "load_case_file",
    "load_cases",
    "question_bank",
    "scan_text",
    "stigma_checklist",
    "stigma_issues",
    "vocabulary",
]
