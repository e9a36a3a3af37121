"""Communication metrics of one encounter, from the expert's codes or a learner's.

Timing of the patient's opening statement (:func:`time_to_first_interruption`,
:func:`opening_statement_duration`), talk and utterance ratios, agenda elicitation, the
empathic response rate, code counts and a :func:`summary` of them all. Each metric that depends
on the codes takes an optional ``codes=`` argument, so a learner's annotation can be measured the
same way as the expert's.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bpscare.clinical.transcripts.codebook import _SLOT_OVERRIDES, CLINICIAN, CODES, PATIENT
from bpscare.clinical.transcripts.model import Transcript, Utterance

__all__ = [
    "CodesArg",
    "agenda_elicited",
    "code_counts",
    "empathic_response_rate",
    "metrics_from_codes",
    "opening_statement_duration",
    "summary",
    "talk_ratio",
    "time_to_first_interruption",
    "utterance_ratio",
]

_OPENING_CODES = frozenset({"open_question", "agenda_elicitation"})
_FACILITATING_CODES = frozenset({"agenda_elicitation", "empathic_response", "validation"})
_BACK_CHANNEL_MAX_WORDS = 4
_WORD = re.compile(r"[\w'’]+")

# --------------------------------------------------------------------------------------------
# Codes supplied by a learner
# --------------------------------------------------------------------------------------------

CodesArg = Sequence[str | None] | Mapping[int, str | None] | Mapping[str, str | None]


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
