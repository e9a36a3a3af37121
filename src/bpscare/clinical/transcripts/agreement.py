"""Agreement between two coders, and a learner's coding compared with the expert's.

Cohen's kappa overall and per code, the confusion table and the Landis & Koch bands
(:func:`cohen_kappa`, :func:`kappa_per_code`, :func:`confusion_table`,
:func:`interpret_kappa`), and :func:`agreement_report`, which explains each disagreement to the
learner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bpscare.clinical.transcripts.codebook import (
    CODES,
    PATIENT_SIDE_CODES,
    PRECEDENCE,
    _allowed,
    code_labels,
)
from bpscare.clinical.transcripts.metrics import (
    CodesArg,
    _Opening,
    _opening,
    _resolve_codes,
    summary,
)
from bpscare.clinical.transcripts.model import Transcript, Utterance, _is_number

__all__ = [
    "AgreementReport",
    "Disagreement",
    "agreement_report",
    "cohen_kappa",
    "confusion_table",
    "interpret_kappa",
    "kappa_per_code",
]


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
