"""Exports for other systems: an LMS gradebook CSV, Open Badges 3.0 credentials, xAPI statements.

Each format has its module, holding the serialiser and the function that writes the report's
file from the :class:`~bpscare.competency.report_data.ReportData`:

- :mod:`.lms`: ``lms_gradebook.csv`` in the Canvas gradebook import convention (Moodle after
  deleting the ``Points Possible`` row).
- :mod:`.badges`: ``badges.jsonl``, unsigned Open Badges 3.0 credentials, one per line, one per
  learner per attained competency.
- :mod:`.xapi`: ``xapi_statements.json``, xAPI 1.0.3 statements streamed as one JSON array.

The names below are re-exported so ``bpscare.competency.exports.<name>`` keeps working.
"""

from __future__ import annotations

from bpscare.competency.exports.badges import (
    BADGE_NAMESPACE,
    OB_CONTEXT,
    OB_CREDENTIAL_TYPE,
    BadgeLineWriter,
    Issuer,
    achievement,
    badge_credential,
    credential_uuid,
    write_report_badges,
)
from bpscare.competency.exports.lms import (
    LMS_FIXED_COLUMNS,
    write_lms_gradebook,
    write_report_lms,
)
from bpscare.competency.exports.xapi import (
    COMPETENCY_EXTENSION,
    XAPI_ASSESSMENT,
    XAPI_COURSE,
    XAPI_QUESTION,
    XAPI_VERB_SCORED,
    XapiCell,
    XapiOptions,
    XapiStatementWriter,
    write_report_xapi,
)

__all__ = [
    "BADGE_NAMESPACE",
    "COMPETENCY_EXTENSION",
    "LMS_FIXED_COLUMNS",
    "OB_CONTEXT",
    "OB_CREDENTIAL_TYPE",
    "XAPI_ASSESSMENT",
    "XAPI_COURSE",
    "XAPI_QUESTION",
    "XAPI_VERB_SCORED",
    "BadgeLineWriter",
    "Issuer",
    "XapiCell",
    "XapiOptions",
    "XapiStatementWriter",
    "achievement",
    "badge_credential",
    "credential_uuid",
    "write_lms_gradebook",
    "write_report_badges",
    "write_report_lms",
    "write_report_xapi",
]
