"""Transcript annotator: code each utterance, then see agreement with the expert (Cohen's kappa).

Each utterance of a synthetic encounter is shown in full, with its own code drop-down beside it
(below it on a phone): a :class:`~bpscare.widgets.coding_table.CodingTable` anywidget whose rows
grow with their text, never a capped box of shrinking rows. Keyboard: Tab to a drop-down, arrows
to choose. "Check" calls :func:`bpscare.clinical.transcripts.agreement_report`: kappa with its
Landis & Koch band (Cohen, Educ Psychol Meas 1960; Landis & Koch, Biometrics 1977), percent
agreement, a per-code table and one sentence per disagreement. The expert codes stay in the
private :class:`Transcript`; only the computed feedback reaches the browser, and only after
"Check". In practice mode :func:`coding_checks` applies the codebook's public rules (CODEBOOK.md
rules S1 and R; Suchman et al., JAMA 1997;277:678-682); the expert codes are compared only when
``compare_with_expert`` is set, which the practice app does for the teaching transcript alone.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.transcripts import (
    CODES,
    PATIENT_SIDE_CODES,
    AgreementReport,
    CodesArg,
    Transcript,
    agreement_report,
    code_labels,
    load_transcript,
)
from bpscare.widgets.coding_table import CodingTable
from bpscare.widgets.common import SaveAnswerBar, feedback_html
from bpscare.widgets.page import page_support

__all__ = [
    "KIND",
    "NOT_CODED",
    "TranscriptAnnotatorView",
    "TranscriptCoding",
    "answer_to_coding",
    "coding_checks",
    "coding_to_answer",
    "per_code_html",
    "per_code_messages",
    "transcript_annotator",
]

KIND = "transcript_codes"
"""Answer kind saved by the view: ``{"transcript_id": ..., "codes": {"<n>": "<code>"}}``."""

NOT_CODED = ""
"""Drop-down value of an utterance the learner has not coded yet."""

_SLOT_CODES = frozenset({"empathic_response", "missed_opportunity"})
SUBSTANTIAL_KAPPA = 0.80
"""Above this, agreement is "almost perfect" (Landis & Koch, Biometrics 1977)."""


@dataclass(frozen=True)
class TranscriptCoding:
    """A learner's coding of one transcript: utterance number to code (uncoded ones absent)."""

    transcript_id: str
    codes: Mapping[int, str]


def coding_to_answer(transcript_id: str, codes: Mapping[int, str]) -> dict[str, Any]:
    """Return the plain-JSON answer; uncoded utterances are left out, keys are strings."""
    return {
        "transcript_id": str(transcript_id),
        "codes": {str(n): code for n, code in sorted(codes.items()) if code},
    }


def answer_to_coding(data: Mapping[str, Any]) -> TranscriptCoding:
    """Rebuild a :class:`TranscriptCoding` from a saved ``transcript_codes`` answer (graders).

    Raises
    ------
    ValueError
        Missing keys, an utterance number that is not a whole number, or an unknown code (the
        message lists the allowed codes).
    """
    if not isinstance(data, Mapping) or "transcript_id" not in data or "codes" not in data:
        msg = f"a transcript_codes answer needs 'transcript_id' and 'codes', got {data!r}"
        raise ValueError(msg)
    raw = data["codes"]
    if not isinstance(raw, Mapping):
        msg = f"'codes' must map utterance numbers to codes, got {raw!r}"
        raise ValueError(msg)
    codes: dict[int, str] = {}
    for key, code in raw.items():
        if not str(key).strip().isdigit():
            msg = f"utterance number {key!r} in 'codes' is not a whole number"
            raise ValueError(msg)
        if code not in CODES:
            msg = f"utterance {key}: unknown code {code!r}; allowed codes: {', '.join(CODES)}"
            raise ValueError(msg)
        codes[int(key)] = str(code)
    return TranscriptCoding(str(data["transcript_id"]), MappingProxyType(codes))


def coding_checks(transcript: Transcript, codes: Mapping[int, str]) -> tuple[str, ...]:
    """Check a coding against the codebook's public rules, without the expert codes.

    Rules (CODEBOOK.md): S1, patient, family and interpreter utterances take only
    ``empathic_opportunity``, ``interruption`` or ``other``; an ``empathic_opportunity`` is a
    patient-side cue (Suchman et al., JAMA 1997); R, ``empathic_response`` and
    ``missed_opportunity`` are only for the clinician's first reply after a cue the learner
    coded as ``empathic_opportunity``.

    Parameters
    ----------
    transcript
        The transcript (its expert codes are not read).
    codes
        Utterance number to the learner's code.

    Returns
    -------
    tuple of str
        A coverage sentence first, then one sentence per rule broken.
    """
    messages = [f"You have coded {len(codes)} of {len(transcript)} utterances."]
    pending = False
    for u in transcript.utterances:
        code = codes.get(u.n)
        if u.patient_side:
            if code and code not in PATIENT_SIDE_CODES:
                allowed = ", ".join(c for c in CODES if c in PATIENT_SIDE_CODES)
                messages.append(
                    f"Utterance {u.n} is patient-side speech; it takes only {allowed} "
                    f"(you chose {code})."
                )
            if code == "empathic_opportunity":
                pending = True
            continue
        if code == "empathic_opportunity":
            messages.append(
                f"Utterance {u.n} is the clinician's: empathic_opportunity marks a patient-side "
                "cue; code the clinician's reply empathic_response or missed_opportunity."
            )
        if code in _SLOT_CODES and not pending:
            messages.append(
                f"Utterance {u.n}: {code} is only for the clinician's first reply to a cue you "
                "coded empathic_opportunity."
            )
        pending = False
    return tuple(messages)


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.2f}"


@dataclass(frozen=True)
class _CodeRow:
    code: str
    label: str
    expert_n: int
    learner_n: int
    agreed: int
    precision: float | None
    recall: float | None
    kappa: float | None


def _code_rows(report: AgreementReport) -> list[_CodeRow]:
    """Per-code counts and rates, read from the report without per-row pandas work."""
    labels = code_labels()
    order = [str(c) for c in report.confusion.index]
    counts = report.confusion.to_numpy()
    expert_n, learner_n = counts.sum(axis=1), counts.sum(axis=0)
    return [
        _CodeRow(
            code=code,
            label=labels.get(code, code),
            expert_n=int(expert_n[i]),
            learner_n=int(learner_n[i]),
            agreed=int(counts[i, i]),
            precision=report.precision.get(code),
            recall=report.recall.get(code),
            kappa=report.per_code_kappa.get(code),
        )
        for i, code in enumerate(order)
    ]


def per_code_messages(report: AgreementReport) -> tuple[str, ...]:
    """Return one feedback sentence per code either coder used where the two differ.

    Recall says how many of the expert's uses of a code the learner found; precision how many
    of the learner's uses the expert shares (as in information retrieval).
    """
    return tuple(
        f"{row.label}: you found {row.agreed} of the expert's {row.expert_n} and used it "
        f"{row.learner_n} time(s) (precision {_fmt(row.precision)}, recall {_fmt(row.recall)}, "
        f"κ {_fmt(row.kappa)}) [{row.code}]."
        for row in _code_rows(report)
        if not row.expert_n == row.learner_n == row.agreed
    )


def per_code_html(report: AgreementReport) -> str:
    """Render the per-code agreement table (codes either coder used) as accessible HTML."""
    head = "".join(
        f"<th scope='col' style='padding:2px 6px'>{h}</th>"
        for h in ("Code", "Expert", "You", "Agreed", "Precision", "Recall", "κ")
    )
    rows = "".join(
        f"<tr><th scope='row' style='text-align:left;padding:2px 6px'>{html.escape(row.label)}"
        f"</th><td>{row.expert_n}</td><td>{row.learner_n}</td><td>{row.agreed}</td>"
        f"<td>{_fmt(row.precision)}</td><td>{_fmt(row.recall)}</td><td>{_fmt(row.kappa)}</td>"
        "</tr>"
        for row in _code_rows(report)
        if row.expert_n or row.learner_n
    )
    return (
        "<table style='border-collapse:collapse;font-size:smaller;text-align:center'>"
        "<caption style='text-align:left'>Agreement per code over the utterances you coded "
        "(one-versus-rest Cohen's κ)</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


class CodeSlot:
    """One utterance's code in the table, read and set like a drop-down's ``value``."""

    def __init__(self, table: CodingTable, n: int) -> None:
        self._table = table
        self.n = n

    @property
    def value(self) -> str:
        """The code chosen for the utterance (:data:`NOT_CODED` if none)."""
        return str(self._table.codes.get(str(self.n), NOT_CODED))

    @value.setter
    def value(self, code: str) -> None:
        codes = {k: v for k, v in self._table.codes.items() if k != str(self.n)}
        if code:
            codes[str(self.n)] = code
        self._table.codes = codes


class TranscriptAnnotatorView(widgets.VBox):
    """Code the utterances of a transcript and compare the coding with the expert's.

    Parameters
    ----------
    transcript_id
        A bundled transcript id, e.g. ``"t02-early-interruption-back-pain"``.
    answer_name
        If given, a Save bar saves the coding (kind ``transcript_codes``).
    assignment
        The assignment the saved answer belongs to (checked when it is graded).
    folder
        Where the answer file goes (the notebook's folder by default).
    practice
        Practice mode (Voila apps): Check applies the codebook's public rules
        (:func:`coding_checks`).
    compare_with_expert
        Whether Check also compares the coding with the expert codes (kappa, per-code table,
        one sentence per disagreement). Default: outside practice mode only. The practice app
        turns it on for the teaching transcript alone, whose codes are public teaching
        material; a graded transcript's codes are never read in practice mode.
    initial
        Starting codes (utterance number, int or string, to code), e.g. a saved answer's
        ``codes``.
    load
        Loads the transcript (:func:`bpscare.clinical.transcripts.load_transcript`).
    report
        Compares a coding with the expert's (:func:`bpscare.clinical.transcripts.agreement_report`).
    checks
        Public checks for practice mode (:func:`coding_checks`).
    """

    def __init__(
        self,
        transcript_id: str,
        *,
        answer_name: str | None = None,
        assignment: str = "",
        folder: Path | str | None = None,
        practice: bool = False,
        compare_with_expert: bool | None = None,
        initial: Mapping[int | str, str] | None = None,
        load: Callable[[str], Transcript] = load_transcript,
        report: Callable[[Transcript, CodesArg], AgreementReport] = agreement_report,
        checks: Callable[[Transcript, Mapping[int, str]], tuple[str, ...]] = coding_checks,
    ) -> None:
        # The Transcript holds the expert codes: a plain attribute, never a trait.
        self._transcript = load(transcript_id)
        self._practice = practice
        self._with_expert = (not practice) if compare_with_expert is None else compare_with_expert
        self._report = report
        self._checks = checks
        learner = self._transcript.to_learner_dict()
        labels = code_labels()
        options = [("(not coded)", NOT_CODED)] + [(labels[c], c) for c in CODES]

        speakers = "; ".join(
            f"{html.escape(k)} = {html.escape(v)}" for k, v in learner["speakers"].items()
        )
        self.header = widgets.HTML(
            f"<h4 style='margin:4px 0'>{html.escape(learner['title'])}</h4>"
            f"<p style='margin:2px 0'>Setting: {html.escape(learner['setting'])}. "
            f"Speakers: {speakers}. Synthetic encounter.</p>"
            "<p style='margin:2px 0'>Give each utterance one code from the drop-down next to "
            "it. When two codes fit, the codebook's precedence rule decides.</p>"
        )
        self.codebook = widgets.Accordion(
            children=[
                widgets.HTML(feedback_html([f"{labels[c]} [{c}]" for c in CODES], "info", "Codes"))
            ],
            titles=("Codebook",),
            selected_index=None,
        )
        self.table = CodingTable(learner["utterances"], options)
        self.selectors: dict[int, CodeSlot] = {
            int(u["n"]): CodeSlot(self.table, int(u["n"])) for u in learner["utterances"]
        }
        self.table.observe(self._coded, names="codes")
        self.rows = self.table
        self.progress = widgets.Label(value="")
        self.check_button = widgets.Button(
            description="Check my coding",
            icon="check",
            button_style="primary",
            tooltip=(
                "Compare your codes with the expert's"
                if self._with_expert
                else "Check your codes against the codebook's rules"
            ),
        )
        self.summary = widgets.HTML(value="")
        self.agreement = widgets.HTML(value="")
        self.details = widgets.HTML(value="")
        self.check_button.on_click(self._check)

        children: list[widgets.Widget] = [
            self.header,
            self.codebook,
            self.rows,
            widgets.HBox([self.check_button, self.progress]),
            self.summary,
            self.agreement,
            self.details,
        ]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(
                answer_name, self.answer, kind=KIND, folder=folder, assignment=assignment
            )
            children.append(self.save_bar)
        super().__init__(page_support(self, children))
        if initial:
            self.table.codes = {str(key): code for key, code in initial.items() if code}
        self._coded()

    # Public -------------------------------------------------------------------------------
    @property
    def transcript_id(self) -> str:
        """The id of the transcript being coded."""
        return self._transcript.id

    def codes(self) -> dict[int, str]:
        """Return the learner's codes so far: utterance number to code (uncoded left out)."""
        return {int(n): code for n, code in self.table.codes.items() if code != NOT_CODED}

    def answer(self) -> dict[str, Any]:
        """Return the coding as the plain-JSON answer (:func:`coding_to_answer`)."""
        return coding_to_answer(self._transcript.id, self.codes())

    # Callbacks ----------------------------------------------------------------------------
    def _coded(self, _change: object = None) -> None:
        done = len(self.codes())
        self.progress.value = f"Coded {done} of {len(self.selectors)} utterances"

    def _check(self, _button: widgets.Button | None = None) -> None:
        codes = self.codes()
        if self._practice:
            self.summary.value = feedback_html(
                self._checks(self._transcript, codes), "info", "Codebook check"
            )
        if not self._with_expert:
            return
        if not codes:
            message = ["Code at least one utterance, then check again."]
            if self._practice:
                self.details.value = feedback_html(message, "info")
            else:
                self.summary.value = feedback_html(message, "info")
            return
        result = self._report(self._transcript, codes)
        level = "success" if result.kappa > SUBSTANTIAL_KAPPA else "warning"
        agreement = feedback_html([result.messages[0]], level, "Agreement with the expert coding")
        details = list(per_code_messages(result)) + list(result.messages[1:])
        details_html = feedback_html(details, "info", "Per code and per utterance")
        if self._practice:
            self.agreement.value = agreement + per_code_html(result)
        else:
            self.summary.value = agreement
            self.agreement.value = per_code_html(result)
        self.details.value = details_html


def transcript_annotator(
    transcript_id: str,
    answer_name: str | None = None,
    *,
    assignment: str = "",
    folder: Path | str | None = None,
    practice: bool = False,
    compare_with_expert: bool | None = None,
) -> TranscriptAnnotatorView:
    """Return the annotator for a bundled transcript (one line in a lesson cell)."""
    return TranscriptAnnotatorView(
        transcript_id,
        answer_name=answer_name,
        assignment=assignment,
        folder=folder,
        practice=practice,
        compare_with_expert=compare_with_expert,
    )
