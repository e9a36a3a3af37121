"""Utterance codes of the transcript teaching scheme, speaker keys and code precedence.

Each utterance of a transcript carries one expert code from the teaching scheme documented in
``data/transcripts/CODEBOOK.md``. The scheme is drawn from the Roter Interaction Analysis System
(Roter & Larson, Patient Educ Couns 2002;46:243-251) and the empathic-opportunity model (Suchman
et al., JAMA 1997;277:678-682). It is a teaching scheme, not RIAS itself. The code ids live in
``data/vocabulary.yaml`` under ``utterance_codes`` and are read from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

import yaml

from bpscare.errors import BpscareError

__all__ = [
    "CLINICIAN",
    "CODES",
    "PATIENT",
    "PATIENT_SIDE_CODES",
    "PATIENT_SIDE_SPEAKERS",
    "PRECEDENCE",
    "code_labels",
]

_VOCABULARY_FILE = ("data", "vocabulary.yaml")
_VOCABULARY_KEY = "utterance_codes"


@cache
def _vocabulary_codes() -> Mapping[str, str]:
    """Read the utterance codes and their labels from ``data/vocabulary.yaml``."""
    path = resources.files("bpscare").joinpath(*_VOCABULARY_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get(_VOCABULARY_KEY) if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        msg = f"no mapping of code ids to labels under {_VOCABULARY_KEY!r}"
        raise BpscareError(msg, path="/".join(_VOCABULARY_FILE))
    return MappingProxyType({str(key): str(label) for key, label in entries.items()})


CODES: tuple[str, ...] = tuple(_vocabulary_codes())
"""Utterance code ids, in the order of ``data/vocabulary.yaml`` (key ``utterance_codes``)."""

_USED_HERE = frozenset(
    {
        "open_question",
        "closed_question",
        "agenda_elicitation",
        "interruption",
        "empathic_opportunity",
        "empathic_response",
        "missed_opportunity",
        "validation",
        "dismissal",
        "jargon",
        "stigmatizing_descriptor",
        "teach_back",
        "safety_netting",
        "other",
    }
)
_MISSING_CODES = sorted(_USED_HERE - set(CODES))
if _MISSING_CODES:  # pragma: no cover - guards against vocabulary drift
    _msg = f"utterance codes used by this package are missing: {', '.join(_MISSING_CODES)}"
    raise BpscareError(_msg, path="/".join(_VOCABULARY_FILE))


def code_labels() -> dict[str, str]:
    """Return ``{code id: human-readable label}`` for every utterance code, in vocabulary order.

    Widgets use the labels for their drop-downs; the ids are what gets stored and scored.
    """
    return dict(_vocabulary_codes())


CLINICIAN = "C"
"""Speaker key of the clinician under review. Metrics count only this speaker's talk."""

PATIENT = "P"
"""Speaker key of the patient."""

PATIENT_SIDE_SPEAKERS = frozenset({"P", "F", "I"})
"""Patient, family member and interpreter. Every other speaker key is a clinician."""

PATIENT_SIDE_CODES = frozenset({"empathic_opportunity", "interruption", "other"})
"""The only codes an expert may give a patient-side utterance (see CODEBOOK.md, rule S1)."""

PRECEDENCE: tuple[str, ...] = (
    "stigmatizing_descriptor",
    "dismissal",
    "interruption",
    "empathic_response",
    "missed_opportunity",
    "safety_netting",
    "teach_back",
    "agenda_elicitation",
    "validation",
    "jargon",
    "open_question",
    "closed_question",
    "empathic_opportunity",
    "other",
)
"""Clinician codes from highest to lowest precedence, for utterances that fit two codes.

``empathic_response`` and ``missed_opportunity`` share one rank (the reply to a cue is always one
of the two). ``empathic_opportunity`` is a patient-side code and is listed only so that every
code has a rank. CODEBOOK.md explains each step.
"""

# The reply to an empathic opportunity (CODEBOOK.md, rule R) and the codes that outrank it.
_SLOT_CODES = frozenset({"empathic_response", "missed_opportunity"})
_SLOT_OVERRIDES = frozenset({"stigmatizing_descriptor", "dismissal", "interruption"})


def _allowed(values: frozenset[str]) -> str:
    """List the codes in ``values`` in vocabulary order, for error messages."""
    return ", ".join(code for code in CODES if code in values)
