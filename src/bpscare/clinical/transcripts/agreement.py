"""Coded encounter transcripts: model, loader, communication metrics and coder agreement.

A transcript is a synthetic clinical encounter split into utterances. Each utterance carries one
expert code from the teaching scheme documented in ``data/transcripts/CODEBOOK.md``. The scheme
is drawn from the Roter Interaction Analysis System (Roter & Larson, Patient Educ Couns
2002;46:243-251) and the empathic-opportunity model (Suchman et al., JAMA 1997;277:678-682). It
is a teaching scheme, not RIAS itself. The code ids live in ``data/vocabulary.yaml`` under
``utterance_codes`` and are read from there.

The module has three parts:

* the model and loader (:class:`Utterance`, :class:`Transcript`, :func:`load_transcript`), which
  validate every file and name the file, utterance, field and bad value in each error;
* metrics of one encounter (:func:`time_to_first_interruption`, :func:`talk_ratio`,
  :func:`empathic_response_rate`, ...). Each takes an optional ``codes=`` argument, so a
  learner's annotation can be measured the same way as the expert's;
* agreement between two coders (:func:`cohen_kappa`, :func:`kappa_per_code`,
  :func:`confusion_table`, :func:`agreement_report`).
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
import yaml

from bpscare.errors import BpscareError

__all__ = [
    "CLINICIAN",
    "CODES",
    "PATIENT",
    "PATIENT_SIDE_CODES",
    "PATIENT_SIDE_SPEAKERS",
    "PRECEDENCE",
    "AgreementReport",
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
    "transcript_from_dict",
    "transcript_ids",
    "utterance_ratio",
]

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

_VOCABULARY_FILE = ("data", "vocabulary.yaml")
_VOCABULARY_KEY = "utterance_codes"
_TRANSCRIPT_DIR = ("data", "transcripts")


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
    _msg = f"utterance codes used by this module are missing: {', '.join(_MISSING_CODES)}"
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

_OPENING_CODES = frozenset({"open_question", "agenda_elicitation"})
_FACILITATING_CODES = frozenset({"agenda_elicitation", "empathic_response", "validation"})
_SLOT_CODES = frozenset({"empathic_response", "missed_opportunity"})
_SLOT_OVERRIDES = frozenset({"stigmatizing_descriptor", "dismissal", "interruption"})
_BACK_CHANNEL_MAX_WORDS = 4

_ID_PATTERN = re.compile(r"^t\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_CASE_ID_PATTERN = re.compile(r"^c\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_SPEAKER_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,3}$")
_WORD = re.compile(r"[\w'’]+")

# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

_NO_VALUE = object()


class TranscriptError(BpscareError):
    """A transcript file or object breaks the schema; the message says where and how to fix it.

    The message names the source (file path or transcript id), the utterance number, the field
    and the bad value, for example ``t01.yaml: utterance 7, field 'code': unknown code
    'empathy'; allowed codes: open_question, ...``.

    Attributes
    ----------
    problem
        The message without the location prefix.
    source
        File path or description of the transcript, or ``None`` when unknown.
    utterance
        Utterance number (or 1-based position when the number itself is bad), or ``None``.
    field
        Name of the offending field, or ``None``.
    value
        The offending value, when there is one.
    """

    def __init__(
        self,
        problem: str,
        *,
        source: str | os.PathLike[str] | None = None,
        utterance: int | None = None,
        field: str | None = None,
        value: object = _NO_VALUE,
    ) -> None:
        where = []
        if utterance is not None:
            where.append(f"utterance {utterance}")
        if field is not None:
            where.append(f"field {field!r}")
        message = f"{', '.join(where)}: {problem}" if where else problem
        super().__init__(message, path=None if source is None else str(source))
        self.problem = problem
        self.source = None if source is None else str(source)
        self.utterance = utterance
        self.field = field
        self.value = value

    def located(self, source: str | os.PathLike[str]) -> TranscriptError:
        """Return the same error with ``source`` (usually the file path) as its location."""
        return TranscriptError(
            self.problem,
            source=source,
            utterance=self.utterance,
            field=self.field,
            value=self.value,
        )


def _allowed(values: frozenset[str]) -> str:
    """List the codes in ``values`` in vocabulary order, for error messages."""
    return ", ".join(code for code in CODES if code in values)


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Utterance:
    """One coded utterance: who spoke, when, what was said, and the expert's single code.

    Attributes
    ----------
    n
        Utterance number, 1-based and consecutive within a transcript.
    start, end
        Seconds from the start of the encounter; ``end >= start``.
    speaker
        Speaker key declared in the transcript's ``speakers`` (``C``, ``P``, ``I``, ``F``, ...).
    text
        What was said. Bracketed text (``[Responds in Vietnamese]``) stands for speech that is
        not transcribed.
    code
        The expert's primary code, one of :data:`CODES`.
    """

    n: int
    start: float
    end: float
    speaker: str
    text: str
    code: str

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 1:
            msg = f"utterance number must be a positive integer, got {self.n!r}"
            raise TranscriptError(msg, field="n", value=self.n)
        for name in ("start", "end"):
            value = getattr(self, name)
            if not _is_number(value) or value < 0:
                msg = f"must be a finite number of seconds >= 0, got {value!r}"
                raise TranscriptError(msg, utterance=self.n, field=name, value=value)
            object.__setattr__(self, name, float(value))
        if self.end < self.start:
            msg = f"end {self.end!r} is before start {self.start!r}"
            raise TranscriptError(msg, utterance=self.n, field="end", value=self.end)
        if not isinstance(self.speaker, str) or not _SPEAKER_PATTERN.match(self.speaker):
            msg = f"speaker must be a short upper-case key such as 'C' or 'P', got {self.speaker!r}"
            raise TranscriptError(msg, utterance=self.n, field="speaker", value=self.speaker)
        if not isinstance(self.text, str) or not self.text.strip():
            msg = f"text must be a non-empty string, got {self.text!r}"
            raise TranscriptError(msg, utterance=self.n, field="text", value=self.text)
        if self.code not in CODES:
            msg = f"unknown code {self.code!r}; allowed codes: {', '.join(CODES)}"
            raise TranscriptError(msg, utterance=self.n, field="code", value=self.code)

    @property
    def duration(self) -> float:
        """Speaking time in seconds (``end - start``)."""
        return self.end - self.start

    @property
    def patient_side(self) -> bool:
        """Whether the speaker is the patient, a family member or the interpreter."""
        return self.speaker in PATIENT_SIDE_SPEAKERS

    def to_dict(self, *, include_code: bool = True) -> dict[str, Any]:
        """Return the utterance as a plain dict, with or without the expert code."""
        data: dict[str, Any] = {
            "n": self.n,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "text": self.text,
        }
        if include_code:
            data["code"] = self.code
        return data


@dataclass(frozen=True)
class Transcript:
    """A synthetic encounter with its expert coding, teaching points and sources.

    Construction validates the whole transcript against the schema in CODEBOOK.md (numbering,
    declared speakers, monotone start times, overlaps only at interruptions, speaker-appropriate
    codes and the reply-to-a-cue rule) and raises :class:`TranscriptError` on the first problem.

    Attributes
    ----------
    id
        ``tNN-slug``, equal to the file name for bundled transcripts.
    title, setting
        Neutral title and care setting (``primary care``, ``telehealth (video visit)``, ...).
    case_id
        Id of a related case in the case library (``cNN-slug``), or ``None``.
    speakers
        Speaker key to role description. ``C`` (clinician under review) and ``P`` (patient) are
        required; ``I`` (interpreter) and ``F`` (family member) are patient-side; any other key
        is another clinician.
    utterances
        The coded utterances, numbered 1..N.
    description
        What the encounter shows (its teaching focus).
    teaching_points
        Debrief points, each citing utterance numbers and sources where relevant.
    sources
        Full references for every fact the transcript or its teaching points rely on.
    synthetic
        ``True`` for invented encounters. All bundled transcripts are synthetic.
    """

    id: str
    title: str
    setting: str
    case_id: str | None
    speakers: Mapping[str, str]
    utterances: tuple[Utterance, ...]
    description: str = ""
    teaching_points: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    synthetic: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.speakers, Mapping):
            msg = f"must map speaker keys to role descriptions, got {self.speakers!r}"
            raise TranscriptError(msg, field="speakers", value=self.speakers)
        for name in ("utterances", "teaching_points", "sources"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, Sequence):
                msg = f"must be a list, got {type(value).__name__}"
                raise TranscriptError(msg, field=name, value=value)
            object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "speakers", MappingProxyType(dict(self.speakers)))
        _check_transcript(self)

    def __len__(self) -> int:
        return len(self.utterances)

    @property
    def codes(self) -> tuple[str, ...]:
        """The expert codes in utterance order."""
        return tuple(u.code for u in self.utterances)

    @property
    def duration(self) -> float:
        """Seconds from the first utterance's start to the latest end."""
        return max(u.end for u in self.utterances) - self.utterances[0].start

    def utterance(self, n: int) -> Utterance:
        """Return utterance number ``n`` (1-based)."""
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= len(self.utterances):
            msg = f"utterance number must be an integer from 1 to {len(self.utterances)}, got {n!r}"
            raise ValueError(msg)
        return self.utterances[n - 1]

    def to_dict(self) -> dict[str, Any]:
        """Return the whole transcript, expert codes included, as plain data (the file schema)."""
        return {
            "id": self.id,
            "title": self.title,
            "setting": self.setting,
            "case_id": self.case_id,
            "synthetic": self.synthetic,
            "description": self.description,
            "speakers": dict(self.speakers),
            "utterances": [u.to_dict() for u in self.utterances],
            "teaching_points": list(self.teaching_points),
            "sources": list(self.sources),
        }

    def to_learner_dict(self, *, include_debrief: bool = False) -> dict[str, Any]:
        """Return the transcript for an annotation widget, with every expert code removed.

        Teaching points cite the expert's codes utterance by utterance, so they are left out
        unless ``include_debrief`` is true (for the debrief after the learner has submitted).

        Parameters
        ----------
        include_debrief
            Add ``teaching_points`` to the result.
        """
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "setting": self.setting,
            "case_id": self.case_id,
            "synthetic": self.synthetic,
            "description": self.description,
            "speakers": dict(self.speakers),
            "utterances": [u.to_dict(include_code=False) for u in self.utterances],
            "sources": list(self.sources),
        }
        if include_debrief:
            data["teaching_points"] = list(self.teaching_points)
        return data


def _check_text(value: object, field_name: str, *, allow_empty: bool = False) -> None:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        msg = f"must be a non-empty string, got {value!r}"
        raise TranscriptError(msg, field=field_name, value=value)


def _check_transcript(t: Transcript) -> None:
    """Validate a whole transcript; raise :class:`TranscriptError` on the first problem."""
    if not isinstance(t.id, str) or not _ID_PATTERN.match(t.id):
        msg = f"id must look like 't01-short-slug' (lower case, digits, hyphens), got {t.id!r}"
        raise TranscriptError(msg, field="id", value=t.id)
    _check_text(t.title, "title")
    _check_text(t.setting, "setting")
    _check_text(t.description, "description", allow_empty=True)
    if t.case_id is not None and (
        not isinstance(t.case_id, str) or not _CASE_ID_PATTERN.match(t.case_id)
    ):
        msg = f"case_id must be null or look like 'c01-short-slug', got {t.case_id!r}"
        raise TranscriptError(msg, field="case_id", value=t.case_id)
    if not isinstance(t.synthetic, bool):
        msg = f"synthetic must be true or false, got {t.synthetic!r}"
        raise TranscriptError(msg, field="synthetic", value=t.synthetic)
    for name in ("teaching_points", "sources"):
        for item in getattr(t, name):
            _check_text(item, name)
    _check_speakers(t.speakers)
    _check_utterances(t)


def _check_speakers(speakers: Mapping[str, str]) -> None:
    for key, role in speakers.items():
        if not isinstance(key, str) or not _SPEAKER_PATTERN.match(key):
            msg = f"speaker keys must be short upper-case keys such as 'C' or 'P', got {key!r}"
            raise TranscriptError(msg, field="speakers", value=key)
        if not isinstance(role, str) or not role.strip():
            msg = f"speaker {key!r} needs a role description, got {role!r}"
            raise TranscriptError(msg, field="speakers", value=role)
    for required in (CLINICIAN, PATIENT):
        if required not in speakers:
            msg = (
                f"speakers must declare {required!r} "
                f"({'clinician under review' if required == CLINICIAN else 'patient'}); "
                f"declared: {', '.join(speakers) or 'none'}"
            )
            raise TranscriptError(msg, field="speakers", value=dict(speakers))


def _check_utterances(t: Transcript) -> None:
    utterances = t.utterances
    if len(utterances) < 2:
        msg = f"a transcript needs at least 2 utterances, got {len(utterances)}"
        raise TranscriptError(msg, field="utterances", value=len(utterances))
    latest_end = -math.inf
    previous_start = -math.inf
    for position, u in enumerate(utterances, start=1):
        if not isinstance(u, Utterance):
            msg = f"expected an Utterance, got {type(u).__name__}"
            raise TranscriptError(msg, utterance=position, field="utterances", value=u)
        if u.n != position:
            msg = f"utterances must be numbered 1, 2, 3, ... in order; expected {position}"
            raise TranscriptError(msg, utterance=position, field="n", value=u.n)
        if u.speaker not in t.speakers:
            msg = f"unknown speaker {u.speaker!r}; declared speakers: {', '.join(t.speakers)}"
            raise TranscriptError(msg, utterance=u.n, field="speaker", value=u.speaker)
        if u.patient_side and u.code not in PATIENT_SIDE_CODES:
            msg = (
                f"code {u.code!r} is a clinician code, but speaker {u.speaker!r} is patient-side; "
                f"allowed codes: {_allowed(PATIENT_SIDE_CODES)}"
            )
            raise TranscriptError(msg, utterance=u.n, field="code", value=u.code)
        if not u.patient_side and u.code == "empathic_opportunity":
            msg = (
                f"empathic_opportunity marks a patient-side cue, but speaker {u.speaker!r} is a "
                "clinician; code the clinician's reply empathic_response or missed_opportunity"
            )
            raise TranscriptError(msg, utterance=u.n, field="code", value=u.code)
        if u.start < previous_start:
            msg = (
                f"start {u.start!r} is earlier than the previous utterance's start "
                f"{previous_start!r}; start times must not decrease"
            )
            raise TranscriptError(msg, utterance=u.n, field="start", value=u.start)
        if u.start < latest_end and u.code != "interruption":
            msg = (
                f"start {u.start!r} overlaps earlier speech that ends at {latest_end!r}; "
                "overlaps are allowed only for an utterance coded interruption"
            )
            raise TranscriptError(msg, utterance=u.n, field="start", value=u.start)
        previous_start = u.start
        latest_end = max(latest_end, u.end)
    speakers_used = {u.speaker for u in utterances}
    for required in (CLINICIAN, PATIENT):
        if required not in speakers_used:
            msg = f"no utterance by speaker {required!r}"
            raise TranscriptError(msg, field="utterances", value=required)
    _check_reply_slots(utterances)


def _check_reply_slots(utterances: Sequence[Utterance]) -> None:
    """Enforce the reply-to-a-cue rule (CODEBOOK.md, rule R) on the expert codes."""
    pending: int | None = None
    for u in utterances:
        if u.patient_side:
            if u.code == "empathic_opportunity":
                pending = u.n
            continue
        if u.speaker != CLINICIAN:
            continue
        in_slot = pending is not None
        if in_slot and u.code not in _SLOT_CODES | _SLOT_OVERRIDES:
            msg = (
                f"this is the clinician's reply to the empathic opportunity in utterance "
                f"{pending}, so it must be coded empathic_response or missed_opportunity "
                f"(or a higher-precedence {', '.join(sorted(_SLOT_OVERRIDES))}), got {u.code!r}"
            )
            raise TranscriptError(msg, utterance=u.n, field="code", value=u.code)
        if not in_slot and u.code in _SLOT_CODES:
            msg = (
                f"{u.code} is only for the clinician's first utterance after a patient-side "
                "empathic_opportunity, and no cue precedes this utterance"
            )
            raise TranscriptError(msg, utterance=u.n, field="code", value=u.code)
        pending = None


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

_REQUIRED_KEYS = (
    "id",
    "title",
    "setting",
    "synthetic",
    "description",
    "speakers",
    "utterances",
    "teaching_points",
    "sources",
)
_OPTIONAL_KEYS = ("case_id",)
_UTTERANCE_KEYS = ("n", "start", "end", "speaker", "text", "code")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _string_list(value: object, field_name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        msg = f"must be a non-empty list of strings, got {value!r}"
        raise TranscriptError(msg, field=field_name, value=value)
    for item in value:
        if not isinstance(item, str) or not item.strip():
            msg = f"every entry must be a non-empty string, got {item!r}"
            raise TranscriptError(msg, field=field_name, value=item)
    return tuple(value)


def _utterance_from_mapping(raw: object, position: int) -> Utterance:
    if not isinstance(raw, dict):
        msg = f"each utterance must be a mapping with keys {', '.join(_UTTERANCE_KEYS)}"
        raise TranscriptError(msg, utterance=position, field="utterances", value=raw)
    number = raw.get("n")
    label = number if isinstance(number, int) and not isinstance(number, bool) else position
    missing = [key for key in _UTTERANCE_KEYS if key not in raw]
    if missing:
        msg = f"missing required key(s): {', '.join(missing)}"
        raise TranscriptError(msg, utterance=label, field=missing[0])
    unknown = sorted(str(key) for key in raw if key not in _UTTERANCE_KEYS)
    if unknown:
        msg = f"unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(_UTTERANCE_KEYS)}"
        raise TranscriptError(msg, utterance=label, field=unknown[0])
    try:
        return Utterance(**{key: raw[key] for key in _UTTERANCE_KEYS})
    except TranscriptError as error:
        if error.utterance is None:
            raise TranscriptError(
                error.problem, utterance=label, field=error.field, value=error.value
            ) from None
        raise


def transcript_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Transcript:
    """Build and validate a :class:`Transcript` from parsed YAML (the file schema).

    Parameters
    ----------
    data
        Mapping with the keys described in CODEBOOK.md ("File schema").
    source
        Where the data came from, used as the location in error messages.

    Raises
    ------
    TranscriptError
        Naming ``source``, the utterance number, the field and the bad value.
    """
    try:
        if not isinstance(data, Mapping):
            msg = (
                f"a transcript file must hold a mapping at the top level, got {type(data).__name__}"
            )
            raise TranscriptError(msg)
        missing = [key for key in _REQUIRED_KEYS if key not in data]
        if missing:
            msg = f"missing required key(s): {', '.join(missing)}"
            raise TranscriptError(msg, field=missing[0])
        allowed = (*_REQUIRED_KEYS, *_OPTIONAL_KEYS)
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            msg = f"unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(allowed)}"
            raise TranscriptError(msg, field=unknown[0])
        speakers = data["speakers"]
        if not isinstance(speakers, dict) or not speakers:
            msg = f"must map speaker keys to role descriptions, got {speakers!r}"
            raise TranscriptError(msg, field="speakers", value=speakers)
        raw_utterances = data["utterances"]
        if not isinstance(raw_utterances, list):
            msg = f"must be a list of utterances, got {type(raw_utterances).__name__}"
            raise TranscriptError(msg, field="utterances", value=raw_utterances)
        utterances = tuple(
            _utterance_from_mapping(raw, position)
            for position, raw in enumerate(raw_utterances, start=1)
        )
        description = data["description"]
        _check_text(description, "description")
        return Transcript(
            id=data["id"],
            title=data["title"],
            setting=data["setting"],
            case_id=data.get("case_id"),
            speakers=speakers,
            utterances=utterances,
            description=description.strip(),
            teaching_points=_string_list(data["teaching_points"], "teaching_points"),
            sources=_string_list(data["sources"], "sources"),
            synthetic=data["synthetic"],
        )
    except TranscriptError as error:
        raise error.located(source) from None


def load_transcript_file(path: str | os.PathLike[str] | Traversable) -> Transcript:
    """Load and validate one transcript YAML file.

    Parameters
    ----------
    path
        A file path, or a :mod:`importlib.resources` traversable.

    Raises
    ------
    TranscriptError
        If the file cannot be read, is not YAML, or breaks the schema; the message names the
        file, the utterance, the field and the bad value.
    """
    source = str(path)
    try:
        if isinstance(path, str | os.PathLike):
            text = Path(path).read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror or exc}"
        raise TranscriptError(msg, source=source) from exc
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        msg = f"not valid YAML: {exc}".replace("\n", " ")
        raise TranscriptError(msg, source=source) from exc
    return transcript_from_dict(data, source)


def _bundle() -> Traversable:
    return resources.files("bpscare").joinpath(*_TRANSCRIPT_DIR)


def transcript_ids() -> tuple[str, ...]:
    """Return the ids of the bundled transcripts, sorted (``t01-...``, ``t02-...``, ...)."""
    return tuple(
        sorted(
            entry.name.removesuffix(".yaml")
            for entry in _bundle().iterdir()
            if entry.name.endswith(".yaml")
        )
    )


@cache
def load_transcript(transcript_id: str) -> Transcript:
    """Load one bundled transcript by id (cached; transcripts are immutable).

    Raises
    ------
    TranscriptError
        If the id is unknown (the message lists the available ids) or the file is invalid.
    """
    ids = transcript_ids()
    if transcript_id not in ids:
        msg = f"unknown transcript id {transcript_id!r}; available: {', '.join(ids)}"
        raise TranscriptError(msg, field="id", value=transcript_id)
    entry = _bundle().joinpath(f"{transcript_id}.yaml")
    transcript = load_transcript_file(entry)
    if transcript.id != transcript_id:
        msg = f"id {transcript.id!r} does not match the file name {transcript_id}.yaml"
        raise TranscriptError(msg, source=str(entry), field="id", value=transcript.id)
    return transcript


def load_transcripts() -> tuple[Transcript, ...]:
    """Load every bundled transcript, in id order."""
    return tuple(load_transcript(transcript_id) for transcript_id in transcript_ids())


# --------------------------------------------------------------------------------------------
# Codes supplied by a learner
# --------------------------------------------------------------------------------------------

CodesArg = Sequence[str | None] | Mapping[int | str, str | None]


def _learner_code(value: object, n: int) -> str | None:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    if not isinstance(value, str) or value not in CODES:
        msg = f"utterance {n}: unknown code {value!r}; allowed codes: {', '.join(CODES)}"
        raise ValueError(msg)
    return value


def _utterance_number(key: object, count: int) -> int:
    number: int | None = None
    if isinstance(key, int) and not isinstance(key, bool):
        number = key
    elif isinstance(key, str) and key.strip().isdigit():
        number = int(key)
    if number is None or not 1 <= number <= count:
        msg = f"utterance numbers must be integers from 1 to {count}, got {key!r}"
        raise ValueError(msg)
    return number


def _resolve_codes(t: Transcript, codes: CodesArg | None) -> tuple[str | None, ...]:
    """Return one code (or ``None`` for "not coded") per utterance.

    ``codes`` may be ``None`` (the expert codes), a sequence with one entry per utterance, or a
    mapping from utterance number to code. ``None``, ``""`` and NaN mean "not coded".
    """
    if codes is None:
        return t.codes
    count = len(t.utterances)
    if isinstance(codes, Mapping):
        resolved: list[str | None] = [None] * count
        for key, value in codes.items():
            number = _utterance_number(key, count)
            resolved[number - 1] = _learner_code(value, number)
        return tuple(resolved)
    if isinstance(codes, str) or not isinstance(codes, Sequence):
        msg = (
            "codes must be a sequence with one code per utterance or a mapping from utterance "
            f"number to code, got {type(codes).__name__}"
        )
        raise ValueError(msg)
    if len(codes) != count:
        msg = f"codes has {len(codes)} entries but transcript {t.id!r} has {count} utterances"
        raise ValueError(msg)
    return tuple(_learner_code(value, n) for n, value in enumerate(codes, start=1))


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def _opening_index(t: Transcript, codes: Sequence[str | None]) -> int | None:
    """Index of the first patient utterance of the opening statement, or ``None``."""
    utterances = t.utterances
    solicitation = next(
        (
            i
            for i, u in enumerate(utterances)
            if u.speaker == CLINICIAN and codes[i] in _OPENING_CODES
        ),
        None,
    )
    if solicitation is None:
        solicitation = next(i for i, u in enumerate(utterances) if u.speaker == CLINICIAN)
    return next(
        (i for i in range(solicitation + 1, len(utterances)) if utterances[i].speaker == PATIENT),
        None,
    )


def _is_back_channel(u: Utterance, code: str | None) -> bool:
    return code == "other" and len(_WORD.findall(u.text)) <= _BACK_CHANNEL_MAX_WORDS


@dataclass(frozen=True)
class _Opening:
    """Where the patient's opening statement starts and what ended it."""

    first: int
    redirect: int | None
    duration: float


def _opening(t: Transcript, codes: Sequence[str | None]) -> _Opening | None:
    """Locate the opening statement (see :func:`opening_statement_duration`)."""
    k = _opening_index(t, codes)
    if k is None:
        return None
    utterances = t.utterances
    t0 = utterances[k].start
    last_end = utterances[k].end
    for i in range(k + 1, len(utterances)):
        u = utterances[i]
        code = codes[i]
        if u.patient_side:
            last_end = max(last_end, u.end)
            continue
        if code in _FACILITATING_CODES or _is_back_channel(u, code):
            continue
        end = u.start if code == "interruption" else last_end
        return _Opening(k, i, round(end - t0, 3))
    return _Opening(k, None, round(last_end - t0, 3))


def time_to_first_interruption(t: Transcript, *, codes: CodesArg | None = None) -> float | None:
    """Seconds from the start of the patient's opening statement to the first interruption.

    Singh Ospina et al. (J Gen Intern Med 2019;34:36-40) timed the interval from the start of
    the patient's opening statement to the clinician's interruption. With the agenda elicited,
    patients were interrupted in 67% of visits after a median 11 s (IQR 7-22). Patients who were
    not interrupted finished in a median 6 s.

    Definition used here:

    * The opening solicitation is the clinician's (speaker ``C``) first utterance coded
      ``open_question`` or ``agenda_elicitation``. If there is none, it is the clinician's
      first utterance.
    * The opening statement starts at the first patient (``P``) utterance after that.
    * The result is the start of the first later ``C`` utterance coded ``interruption``, minus
      the start of the opening statement, rounded to milliseconds.
    * ``None`` when the clinician never interrupts after the opening starts (or the patient
      never speaks after the solicitation).

    Parameters
    ----------
    t
        The transcript.
    codes
        Codes to use instead of the expert's (a learner's annotation). Uncoded utterances carry
        no code.
    """
    resolved = _resolve_codes(t, codes)
    k = _opening_index(t, resolved)
    if k is None:
        return None
    t0 = t.utterances[k].start
    for i in range(k + 1, len(t.utterances)):
        u = t.utterances[i]
        if u.speaker == CLINICIAN and resolved[i] == "interruption":
            return round(u.start - t0, 3)
    return None


def opening_statement_duration(t: Transcript, *, codes: CodesArg | None = None) -> float | None:
    """Seconds the patient's opening statement lasted before the clinician redirected it.

    The opening statement starts as in :func:`time_to_first_interruption`. It continues through
    patient-side speech (patient, family, interpreter) and through clinician utterances that
    only facilitate: back-channels (code ``other`` with at most four words, such as "Mm-hm"),
    ``agenda_elicitation`` ("What else?"), ``empathic_response`` and ``validation``. It ends at
    the first clinician utterance with any other code, or with no code. Continuers of this kind
    do not count as interruptions in Beckman & Frankel (Ann Intern Med 1984) or Marvel et al.
    (JAMA 1999).

    * Interrupted: the start of the interruption minus the start of the opening statement.
      This equals :func:`time_to_first_interruption` when the interruption ends the opening.
    * Otherwise: the end of the last patient-side utterance before the redirection, minus the
      start of the opening statement.
    * ``None`` when there is no opening statement.

    Parameters
    ----------
    t
        The transcript.
    codes
        Codes to use instead of the expert's (a learner's annotation).
    """
    opening = _opening(t, _resolve_codes(t, codes))
    return None if opening is None else opening.duration


def _talk(t: Transcript, speaker: str) -> tuple[float, int]:
    spoken = [u for u in t.utterances if u.speaker == speaker]
    return sum(u.duration for u in spoken), len(spoken)


def talk_ratio(t: Transcript) -> float:
    """Clinician-to-patient ratio of speaking time (sum of utterance durations).

    Above 1 means the clinician spoke for longer. Only speakers ``C`` and ``P`` count:
    interpreter, family and other clinicians are left out, so an interpreted visit compares
    the clinician's and the patient's own talk. It is the time-based counterpart of RIAS
    "verbal dominance" (see :func:`utterance_ratio`), which Cooper et al. (Am J Public Health
    2012;102:979-987) found higher for clinicians with more implicit race bias.

    Raises
    ------
    ValueError
        If the patient's utterances have zero total duration.
    """
    clinician_time, _ = _talk(t, CLINICIAN)
    patient_time, _ = _talk(t, PATIENT)
    if patient_time <= 0:
        msg = f"transcript {t.id!r}: the patient's utterances have zero total duration"
        raise ValueError(msg)
    return clinician_time / patient_time


def utterance_ratio(t: Transcript) -> float:
    """Clinician-to-patient ratio of utterance counts: RIAS "verbal dominance".

    Roter & Larson (Patient Educ Couns 2002) define verbal dominance as provider utterances
    divided by patient utterances; above 1 means the clinician talks more. Cooper et al. (Am J
    Public Health 2012;102:979-987) linked it to clinician implicit bias. Only speakers ``C`` and
    ``P`` count.
    """
    _, clinician_count = _talk(t, CLINICIAN)
    _, patient_count = _talk(t, PATIENT)
    return clinician_count / patient_count


def agenda_elicited(t: Transcript, *, codes: CodesArg | None = None) -> bool:
    """Whether the clinician invited the patient's agenda in the first third of the visit.

    True when a clinician (``C``) utterance coded ``agenda_elicitation`` starts within the first
    third of the encounter's span (first utterance's start to the latest end). Agenda-setting
    belongs at the start of the visit (Calgary-Cambridge guide, Kurtz & Silverman 1996). Singh
    Ospina et al. (J Gen Intern Med 2019) found it in 36% of visits (49% in primary care, 20% in
    specialty care).

    Parameters
    ----------
    t
        The transcript.
    codes
        Codes to use instead of the expert's (a learner's annotation).
    """
    resolved = _resolve_codes(t, codes)
    first = t.utterances[0].start
    cutoff = first + t.duration / 3
    return any(
        u.speaker == CLINICIAN and resolved[i] == "agenda_elicitation" and u.start <= cutoff
        for i, u in enumerate(t.utterances)
    )


def _empathy_counts(t: Transcript, codes: Sequence[str | None]) -> tuple[int, int]:
    """Return (empathic responses, missed opportunities) by the clinician ``C``."""
    responses = missed = 0
    pending = False
    for u, code in zip(t.utterances, codes, strict=True):
        if u.patient_side:
            if code == "empathic_opportunity":
                pending = True
            continue
        if u.speaker != CLINICIAN:
            continue
        if code == "empathic_response":
            responses += 1
        elif code == "missed_opportunity" or (pending and code in _SLOT_OVERRIDES):
            missed += 1
        pending = False
    return responses, missed


def empathic_response_rate(t: Transcript, *, codes: CodesArg | None = None) -> float | None:
    """Share of empathic opportunities that the clinician answered with an empathic response.

    ``responses / (responses + missed)``, where ``responses`` counts the clinician's (``C``)
    utterances coded ``empathic_response``. ``missed`` counts those coded ``missed_opportunity``
    plus any reply to a cue coded with one of the three codes that outrank the reply rule
    (``dismissal``, ``interruption``, ``stigmatizing_descriptor``). A dismissal of a cue is one
    of Hsu et al.'s non-empathic responses, so it counts as a miss and does not drop out.
    Returns ``None`` when there were no opportunities.

    Suchman et al. (JAMA 1997;277:678-682) describe empathic opportunities and terminators. Hsu
    et al. (Patient Educ Couns 2012;88:436-442) report that providers miss 70-90% of empathic
    opportunities.

    Parameters
    ----------
    t
        The transcript.
    codes
        Codes to use instead of the expert's (a learner's annotation).
    """
    responses, missed = _empathy_counts(t, _resolve_codes(t, codes))
    total = responses + missed
    return None if total == 0 else responses / total


def code_counts(t: Transcript, *, codes: CodesArg | None = None) -> dict[str, int]:
    """Count each code over all speakers; every code in :data:`CODES` appears, zeros included.

    Uncoded utterances in a learner's annotation are not counted.
    """
    counts = Counter(code for code in _resolve_codes(t, codes) if code is not None)
    return {code: counts.get(code, 0) for code in CODES}


def summary(t: Transcript, *, codes: CodesArg | None = None) -> dict[str, Any]:
    """Return every metric for one transcript as a flat dict (expert codes unless ``codes``).

    Keys: ``transcript_id``, ``n_utterances``, ``n_coded``, ``duration_s``,
    ``time_to_first_interruption_s``, ``opening_statement_duration_s``, ``talk_ratio``,
    ``utterance_ratio``, ``agenda_elicited``, ``empathic_opportunities``,
    ``empathic_responses``, ``missed_opportunities``, ``empathic_response_rate`` and
    ``code_counts`` (a dict). Talk and utterance ratios do not depend on the codes.
    """
    resolved = _resolve_codes(t, codes)
    responses, missed = _empathy_counts(t, resolved)
    counts = code_counts(t, codes=resolved)
    return {
        "transcript_id": t.id,
        "n_utterances": len(t.utterances),
        "n_coded": sum(code is not None for code in resolved),
        "duration_s": round(t.duration, 3),
        "time_to_first_interruption_s": time_to_first_interruption(t, codes=resolved),
        "opening_statement_duration_s": opening_statement_duration(t, codes=resolved),
        "talk_ratio": talk_ratio(t),
        "utterance_ratio": utterance_ratio(t),
        "agenda_elicited": agenda_elicited(t, codes=resolved),
        "empathic_opportunities": counts["empathic_opportunity"],
        "empathic_responses": responses,
        "missed_opportunities": missed,
        "empathic_response_rate": (
            None if responses + missed == 0 else responses / (responses + missed)
        ),
        "code_counts": counts,
    }


def metrics_from_codes(t: Transcript, codes: CodesArg) -> dict[str, Any]:
    """Score a learner's annotation: :func:`summary` computed from ``codes``, not the expert's.

    ``codes`` is a sequence with one code per utterance, or a mapping from utterance number to
    code. Missing, ``None`` or ``""`` entries are uncoded utterances, which carry no code.
    """
    return summary(t, codes=codes)


# --------------------------------------------------------------------------------------------
# Agreement
# --------------------------------------------------------------------------------------------


def _paired(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[list[Hashable], list[Hashable]]:
    if isinstance(a, str) or isinstance(b, str):
        msg = "pass sequences of labels, not a single string"
        raise ValueError(msg)
    left, right = list(a), list(b)
    if len(left) != len(right):
        msg = f"the two coders labelled different numbers of items: {len(left)} and {len(right)}"
        raise ValueError(msg)
    if not left:
        msg = "kappa needs at least one item coded by both coders, got none"
        raise ValueError(msg)
    return left, right


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa for two coders who each gave one nominal label to the same items.

    ``kappa = (p_o - p_e) / (1 - p_e)``, where ``p_o`` is the observed proportion of agreement
    and ``p_e = sum_k p_a(k) * p_b(k)`` is the agreement expected by chance from each coder's
    label frequencies (Cohen, Educ Psychol Meas 1960;20:37-46). Computed from integer counts as
    ``(n * agreed - s) / (n**2 - s)`` with ``s = sum_k count_a(k) * count_b(k)``, so the
    result is exactly symmetric in ``a`` and ``b``.

    When ``p_e`` is 1, both coders gave every item the same single label. Then ``p_o`` is also
    1, the formula is 0/0, and this function returns 1.0 (perfect agreement).

    Raises
    ------
    ValueError
        If the sequences differ in length or are empty.
    """
    left, right = _paired(a, b)
    n = len(left)
    agreed = sum(x == y for x, y in zip(left, right, strict=True))
    count_a, count_b = Counter(left), Counter(right)
    chance = sum(count_a[label] * count_b.get(label, 0) for label in count_a)
    if chance == n * n:
        return 1.0
    return (n * agreed - chance) / (n * n - chance)


def _default_labels(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Hashable]:
    seen = set(a) | set(b)
    if seen <= set(CODES):
        return list(CODES)
    return sorted(seen, key=str)


def kappa_per_code(
    a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> dict[Hashable, float | None]:
    """One-versus-rest Cohen's kappa for each label: how well the coders agree on that code.

    For label ``k`` both sequences are recoded to "k" versus "not k" and :func:`cohen_kappa` is
    applied. The value is ``None`` (undefined) when neither coder used ``k``, because there is
    then nothing to agree about.

    Parameters
    ----------
    a, b
        The two coders' labels (expert first, by convention).
    labels
        Labels to report; by default every code in :data:`CODES` when all labels are codes,
        otherwise the labels seen, sorted.
    """
    left, right = _paired(a, b)
    result: dict[Hashable, float | None] = {}
    for label in labels if labels is not None else _default_labels(left, right):
        if label not in left and label not in right:
            result[label] = None
            continue
        result[label] = cohen_kappa([x == label for x in left], [y == label for y in right])
    return result


def confusion_table(
    a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> pd.DataFrame:
    """Cross-tabulate two coders: rows are the expert's labels, columns the learner's.

    Every label gets a row and a column, including labels neither coder used (all zeros), so
    tables from different learners line up. The index is named ``expert`` and the columns
    ``learner``.

    Parameters
    ----------
    a
        Expert labels.
    b
        Learner labels, one per item in ``a``.
    labels
        Row and column order; by default as in :func:`kappa_per_code`.

    Raises
    ------
    ValueError
        If the lengths differ, the sequences are empty, or a label used is not in ``labels``.
    """
    left, right = _paired(a, b)
    order = list(labels) if labels is not None else _default_labels(left, right)
    unlisted = sorted({str(x) for x in left + right if x not in order})
    if unlisted:
        msg = f"label(s) {', '.join(unlisted)} are used but not in labels: {order!r}"
        raise ValueError(msg)
    pairs = Counter(zip(left, right, strict=True))
    return pd.DataFrame(
        [[pairs.get((row, column), 0) for column in order] for row in order],
        index=pd.Index(order, name="expert"),
        columns=pd.Index(order, name="learner"),
        dtype="int64",
    )


_LANDIS_KOCH: tuple[tuple[float, str], ...] = (
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.00, "almost perfect"),
)


def interpret_kappa(kappa: float) -> str:
    """Name the strength of agreement for a kappa value, using the Landis & Koch bands.

    Landis JR, Koch GG. The measurement of observer agreement for categorical data. Biometrics
    1977;33:159-174: < 0 poor; 0.00-0.20 slight; 0.21-0.40 fair; 0.41-0.60 moderate;
    0.61-0.80 substantial; 0.81-1.00 almost perfect. Upper bounds are inclusive (0.40 is
    "fair"). The authors called these benchmarks arbitrary. Use them to give a learner a word
    to attach to the number, not as pass marks.

    Raises
    ------
    ValueError
        If ``kappa`` is not a number in [-1, 1].
    """
    if not _is_number(kappa) or not -1.0 <= kappa <= 1.0:
        msg = f"kappa must be a number from -1 to 1, got {kappa!r}"
        raise ValueError(msg)
    if kappa < 0:
        return "poor"
    return next(band for upper, band in _LANDIS_KOCH if kappa <= upper)


@dataclass(frozen=True)
class Disagreement:
    """One utterance where the learner's code differs from the expert's."""

    n: int
    expert: str
    learner: str
    text: str


@dataclass(frozen=True)
class AgreementReport:
    """How a learner's coding of a transcript compares with the expert's.

    Only utterances the learner coded are compared. Uncoded utterances are listed in
    ``unannotated`` and count toward neither kappa nor percent agreement (see CODEBOOK.md,
    "Scoring a learner's coding").

    Attributes
    ----------
    transcript_id
        Id of the transcript.
    n_utterances
        Utterances in the transcript.
    n_compared
        Utterances the learner coded.
    unannotated
        Numbers of the utterances the learner left uncoded.
    kappa
        Cohen's kappa over the compared utterances.
    kappa_band
        Landis & Koch label for ``kappa``.
    percent_agreement
        Percentage of compared utterances where the codes match (0-100).
    per_code_kappa
        One-versus-rest kappa per code (``None`` when neither coder used the code).
    precision
        Per code: of the learner's uses, the share the expert agrees with (``None`` if unused).
    recall
        Per code: of the expert's uses, the share the learner found (``None`` if the expert
        never used it).
    confusion
        Expert-by-learner counts over the compared utterances, all codes included.
    disagreements
        Each compared utterance where the codes differ, in order.
    messages
        Learner-facing feedback: a summary line, one line per disagreement, and a note on
        uncoded utterances.
    expert_metrics, learner_metrics
        :func:`summary` from the expert's and from the learner's codes.
    """

    transcript_id: str
    n_utterances: int
    n_compared: int
    unannotated: tuple[int, ...]
    kappa: float
    kappa_band: str
    percent_agreement: float
    per_code_kappa: dict[str, float | None]
    precision: dict[str, float | None]
    recall: dict[str, float | None]
    confusion: pd.DataFrame = field(repr=False)
    disagreements: tuple[Disagreement, ...]
    messages: tuple[str, ...]
    expert_metrics: dict[str, Any] = field(repr=False)
    learner_metrics: dict[str, Any] = field(repr=False)

    @property
    def coverage(self) -> float:
        """Share of utterances the learner coded (0-1)."""
        return self.n_compared / self.n_utterances

    def per_code_frame(self) -> pd.DataFrame:
        """Return one row per code (label, counts, agreed, precision, recall, kappa) for display.

        Undefined precision, recall or kappa (``None`` in the dicts) shows as NaN.
        """
        labels = code_labels()
        expert_n = self.confusion.sum(axis=1)
        learner_n = self.confusion.sum(axis=0)
        return pd.DataFrame(
            {
                "label": [labels[code] for code in CODES],
                "expert_n": [int(expert_n[code]) for code in CODES],
                "learner_n": [int(learner_n[code]) for code in CODES],
                "agreed": [int(self.confusion.loc[code, code]) for code in CODES],
                "precision": [self.precision[code] for code in CODES],
                "recall": [self.recall[code] for code in CODES],
                "kappa": [self.per_code_kappa[code] for code in CODES],
            },
            index=pd.Index(CODES, name="code"),
        )


_WHAT_IT_DOES = {
    "open_question": "is an open question",
    "closed_question": "is a closed question",
    "agenda_elicitation": "invites the patient to set the agenda",
    "empathic_opportunity": "offers an empathic opportunity (a stated or hinted feeling)",
    "empathic_response": "answers the feeling just expressed (names, validates or explores it)",
    "missed_opportunity": "follows an empathic opportunity but moves on without acknowledging "
    "the feeling",
    "validation": "validates the patient’s experience",
    "dismissal": "dismisses or minimises the concern",
    "jargon": "uses unexplained jargon or clinical shorthand",
    "stigmatizing_descriptor": "uses a stigmatizing descriptor",
    "teach_back": "asks the patient to explain in their own words (teach-back)",
    "safety_netting": "says which warning signs to act on and what to do (safety-netting)",
    "other": "is other talk (information giving, social talk or a back-channel)",
}


def _snippet(text: str, words: int = 6) -> str:
    """First ``words`` words of ``text``, with an ellipsis when cut."""
    parts = text.split()
    if len(parts) <= words:
        return text.strip()
    return " ".join(parts[:words]).rstrip(".,;:!?") + "…"


def _describe(t: Transcript, index: int, opening: _Opening | None) -> str:
    u = t.utterances[index]
    if u.code != "interruption":
        return _WHAT_IT_DOES[u.code]
    if u.patient_side:
        return "interrupts the clinician"
    if opening is not None and opening.redirect == index:
        return "interrupts the patient’s opening statement"
    return "cuts across the other speaker"


def _rank(code: str) -> int:
    """Precedence rank; the reply-to-a-cue codes share one rank."""
    return PRECEDENCE.index("empathic_response" if code == "missed_opportunity" else code)


def _hint(u: Utterance, learner_code: str) -> str:
    """One sentence on the codebook rule behind a disagreement, or ``""``."""
    if u.patient_side and learner_code not in PATIENT_SIDE_CODES:
        return (
            f" Patient, family and interpreter utterances take only {_allowed(PATIENT_SIDE_CODES)}."
        )
    if not u.patient_side and learner_code == "empathic_opportunity":
        return " empathic_opportunity marks a patient-side cue, not a clinician utterance."
    if "other" in (u.code, learner_code) or u.patient_side:
        return ""
    if _rank(u.code) < _rank(learner_code):
        return (
            f" When both fit, the codebook’s precedence rule puts {u.code} before {learner_code}."
        )
    return ""


def agreement_report(transcript: Transcript, learner_codes: CodesArg) -> AgreementReport:
    """Compare a learner's coding of ``transcript`` with the expert's and explain the differences.

    Parameters
    ----------
    transcript
        The transcript the learner coded.
    learner_codes
        One code per utterance (a sequence), or a mapping from utterance number to code.
        ``None``, ``""`` or a missing key marks an uncoded utterance. Uncoded utterances are
        excluded from kappa, percent agreement, precision and recall, and listed in
        ``unannotated``.

    Raises
    ------
    ValueError
        If a code is unknown, an utterance number is out of range, a sequence has the wrong
        length, or no utterance was coded.
    """
    learner = _resolve_codes(transcript, learner_codes)
    compared = [i for i, code in enumerate(learner) if code is not None]
    if not compared:
        msg = f"no utterance of transcript {transcript.id!r} was coded; nothing to compare"
        raise ValueError(msg)
    expert_codes = [transcript.utterances[i].code for i in compared]
    learner_used = [str(learner[i]) for i in compared]
    kappa = cohen_kappa(expert_codes, learner_used)
    confusion = confusion_table(expert_codes, learner_used, labels=CODES)
    agreed = sum(e == lc for e, lc in zip(expert_codes, learner_used, strict=True))
    percent = 100.0 * agreed / len(compared)
    precision: dict[str, float | None] = {}
    recall: dict[str, float | None] = {}
    for code in CODES:
        hits = int(confusion.loc[code, code])
        learner_total = int(confusion[code].sum())
        expert_total = int(confusion.loc[code].sum())
        precision[code] = hits / learner_total if learner_total else None
        recall[code] = hits / expert_total if expert_total else None
    per_code = kappa_per_code(expert_codes, learner_used, labels=CODES)

    opening = _opening(transcript, transcript.codes)
    disagreements: list[Disagreement] = []
    band = interpret_kappa(kappa)
    messages = [
        f"You coded {len(compared)} of {len(transcript.utterances)} utterances and agreed with "
        f"the expert on {agreed} ({percent:.0f}%). Cohen’s κ = {kappa:.2f}: {band} agreement "
        "(Landis & Koch 1977)."
    ]
    for i in compared:
        u = transcript.utterances[i]
        learner_code = str(learner[i])
        if learner_code == u.code:
            continue
        disagreements.append(Disagreement(u.n, u.code, learner_code, u.text))
        messages.append(
            f"Utterance {u.n} (“{_snippet(u.text)}”) {_describe(transcript, i, opening)}; "
            f"you coded it {learner_code}.{_hint(u, learner_code)}"
        )
    unannotated = tuple(
        u.n for u, code in zip(transcript.utterances, learner, strict=True) if code is None
    )
    if unannotated:
        numbers = ", ".join(str(n) for n in unannotated)
        messages.append(
            f"Utterance(s) {numbers} were left uncoded and are not counted in κ or in percent "
            "agreement."
        )
    return AgreementReport(
        transcript_id=transcript.id,
        n_utterances=len(transcript.utterances),
        n_compared=len(compared),
        unannotated=unannotated,
        kappa=kappa,
        kappa_band=band,
        percent_agreement=percent,
        per_code_kappa={str(code): value for code, value in per_code.items()},
        precision=precision,
        recall=recall,
        confusion=confusion,
        disagreements=tuple(disagreements),
        messages=tuple(messages),
        expert_metrics=summary(transcript),
        learner_metrics=summary(transcript, codes=learner),
    )
