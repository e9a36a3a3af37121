"""Coded encounter transcripts: model, loader, communication metrics and coder agreement.

A transcript is a synthetic clinical encounter split into utterances, each carrying one expert
code from the teaching scheme in ``data/transcripts/CODEBOOK.md``. The package has one module
per concern, and every public name is re-exported here:

* :mod:`~bpscare.clinical.transcripts.codebook`: the utterance codes, speaker keys and precedence;
* :mod:`~bpscare.clinical.transcripts.model`: :class:`Utterance`, :class:`Transcript` and their
  validation (:class:`TranscriptError`);
* :mod:`~bpscare.clinical.transcripts.loader`: :func:`load_transcript` and friends;
* :mod:`~bpscare.clinical.transcripts.metrics`: metrics of one encounter
  (:func:`time_to_first_interruption`, :func:`talk_ratio`, :func:`summary`, ...);
* :mod:`~bpscare.clinical.transcripts.agreement`: agreement between two coders
  (:func:`cohen_kappa`, :func:`agreement_report`, ...).
"""

from __future__ import annotations

from bpscare.clinical.transcripts.agreement import (
    AgreementReport,
    Disagreement,
    agreement_report,
    cohen_kappa,
    confusion_table,
    interpret_kappa,
    kappa_per_code,
)
from bpscare.clinical.transcripts.codebook import (
    CLINICIAN,
    CODES,
    PATIENT,
    PATIENT_SIDE_CODES,
    PATIENT_SIDE_SPEAKERS,
    PRECEDENCE,
    code_labels,
)
from bpscare.clinical.transcripts.loader import (
    load_transcript,
    load_transcript_file,
    load_transcripts,
    transcript_from_dict,
    transcript_ids,
)
from bpscare.clinical.transcripts.metrics import (
    CodesArg,
    agenda_elicited,
    code_counts,
    empathic_response_rate,
    metrics_from_codes,
    opening_statement_duration,
    summary,
    talk_ratio,
    time_to_first_interruption,
    utterance_ratio,
)
from bpscare.clinical.transcripts.model import Transcript, TranscriptError, Utterance

__all__ = [
    "CLINICIAN",
    "CODES",
    "PATIENT",
    "PATIENT_SIDE_CODES",
    "PATIENT_SIDE_SPEAKERS",
    "PRECEDENCE",
    "AgreementReport",
    "CodesArg",
    "Disagreement",
    "Transcript",
    "TranscriptError",
    "Utterance",
    "agenda_elicited",
    "agreement_report",
    "code_counts",
    "code_labels",
    "cohen_kappa",
    "confusion_table",
    "empathic_response_rate",
    "interpret_kappa",
    "kappa_per_code",
    "load_transcript",
    "load_transcript_file",
    "load_transcripts",
    "metrics_from_codes",
    "opening_statement_duration",
    "summary",
    "talk_ratio",
    "time_to_first_interruption",
    "transcript_from_dict",
    "transcript_ids",
    "utterance_ratio",
]
