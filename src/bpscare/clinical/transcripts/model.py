"""The transcript data model: utterances, transcripts, their validation and its error.

:class:`Utterance` and :class:`Transcript` validate themselves on construction against the schema
in ``data/transcripts/CODEBOOK.md`` (numbering, declared speakers, monotone start times, overlaps
only at interruptions, speaker-appropriate codes and the reply-to-a-cue rule).
:class:`TranscriptError` names the source, utterance, field and bad value of each problem.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from bpscare.clinical.transcripts.codebook import (
    _SLOT_CODES,
    _SLOT_OVERRIDES,
    CLINICIAN,
    CODES,
    PATIENT,
    PATIENT_SIDE_CODES,
    PATIENT_SIDE_SPEAKERS,
    _allowed,
)
from bpscare.errors import BpscareError

__all__ = ["Transcript", "TranscriptError", "Utterance"]

_ID_PATTERN = re.compile(r"^t\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_CASE_ID_PATTERN = re.compile(r"^c\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_SPEAKER_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,3}$")

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
