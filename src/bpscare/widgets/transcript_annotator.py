"""Transcript annotator: code each utterance, then see agreement with the expert (Cohen's kappa).

Each utterance of a synthetic encounter is a row with its own code drop-down: click the
drop-down next to an utterance and choose a code (keyboard: Tab to it, arrows to choose). Stock
ipywidgets give this click-to-annotate experience with standard, focusable controls that
headless tests can drive, so no custom front-end (anywidget) is needed. "Check" calls
:func:`bpscare.clinical.transcripts.agreement_report`: kappa with its Landis & Koch band (Cohen,
Educ
Psychol Meas 1960; Landis & Koch, Biometrics 1977), percent agreement, a per-code table and one
sentence per disagreement. The expert codes stay in the private :class:`Transcript`; only the
computed feedback reaches the browser, and only after "Check". In practice mode the expert
codes are never read: :func:`coding_checks` applies the codebook's public rules instead
(CODEBOOK.md rules S1 and R; Suchman et al., JAMA 1997;277:678-682).
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
from bpscare.widgets.common import SaveAnswerBar, feedback_html

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


class TranscriptAnnotatorView(widgets.VBox):
    """Code the utterances of a transcript and compare the coding with the expert's.

    Parameters
    ----------
    transcript_id
        A bundled transcript id, e.g. ``"t02-early-interruption-back-pain"``.
    answer_name
        If given, a Save bar saves the coding (kind ``transcript_codes``).
    folder
        Where the answer file goes (the notebook's folder by default).
    practice
        Practice mode (Voila apps): the expert codes are never read; Check applies
        :func:`coding_checks`.
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
        folder: Path | str | None = None,
        practice: bool = False,
        initial: Mapping[int | str, str] | None = None,
        load: Callable[[str], Transcript] = load_transcript,
        report: Callable[[Transcript, CodesArg], AgreementReport] = agreement_report,
        checks: Callable[[Transcript, Mapping[int, str]], tuple[str, ...]] = coding_checks,
    ) -> None:
        # The Transcript holds the expert codes: a plain attribute, never a trait.
        self._transcript = load(transcript_id)
        self._practice = practice
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
        self.selectors: dict[int, widgets.Dropdown] = {}
        rows = []
        for u in learner["utterances"]:
            n = u["n"]
            text = widgets.HTML(
                f"<p style='margin:2px 0'><strong>{n}.</strong> "
                f"<span style='color:#555'>[{u['start']:.1f} s]</span> "
                f"<strong>{html.escape(u['speaker'])}:</strong> {html.escape(u['text'])}</p>",
                layout=widgets.Layout(width="62%"),
            )
            selector = widgets.Dropdown(
                options=options,
                value=NOT_CODED,
                description=f"Code {n}",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="36%"),
            )
            selector.observe(self._coded, names="value")
            self.selectors[n] = selector
            rows.append(widgets.HBox([text, selector]))
        self.rows = widgets.VBox(rows, layout=widgets.Layout(max_height="480px", overflow="auto"))
        self.progress = widgets.Label(value="")
        self.check_button = widgets.Button(
            description="Check my coding",
            icon="check",
            button_style="primary",
            tooltip="Compare your codes with the expert's",
        )
        self.summary = widgets.HTML(value="")
        self.table = widgets.HTML(value="")
        self.details = widgets.HTML(value="")
        self.check_button.on_click(self._check)

        children: list[widgets.Widget] = [
            self.header,
            self.codebook,
            self.rows,
            widgets.HBox([self.check_button, self.progress]),
            self.summary,
            self.table,
            self.details,
        ]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(answer_name, self.answer, kind=KIND, folder=folder)
            children.append(self.save_bar)
        super().__init__(children)
        if initial:
            for key, code in initial.items():
                self.selectors[int(key)].value = code or NOT_CODED
        self._coded()

    # Public -------------------------------------------------------------------------------
    @property
    def transcript_id(self) -> str:
        """The id of the transcript being coded."""
        return self._transcript.id

    def codes(self) -> dict[int, str]:
        """Return the learner's codes so far: utterance number to code (uncoded left out)."""
        return {n: s.value for n, s in self.selectors.items() if s.value != NOT_CODED}

    def answer(self) -> dict[str, Any]:
        """Return the coding as the plain-JSON answer (:func:`coding_to_answer`)."""
        return coding_to_answer(self._transcript.id, self.codes())

    # Callbacks ----------------------------------------------------------------------------
    def _coded(self, _change: object = None) -> None:
        done = sum(s.value != NOT_CODED for s in self.selectors.values())
        self.progress.value = f"Coded {done} of {len(self.selectors)} utterances"

    def _check(self, _button: widgets.Button | None = None) -> None:
        codes = self.codes()
        if self._practice:
            self.summary.value = feedback_html(
                self._checks(self._transcript, codes), "info", "Codebook check"
            )
            return
        if not codes:
            self.summary.value = feedback_html(
                ["Code at least one utterance, then check again."], "info"
            )
            return
        result = self._report(self._transcript, codes)
        level = "success" if result.kappa > SUBSTANTIAL_KAPPA else "warning"
        self.summary.value = feedback_html(
            [result.messages[0]], level, "Agreement with the expert coding"
        )
        self.table.value = per_code_html(result)
        details = list(per_code_messages(result)) + list(result.messages[1:])
        self.details.value = feedback_html(details, "info", "Per code and per utterance")


def transcript_annotator(
    transcript_id: str,
    answer_name: str | None = None,
    *,
    folder: Path | str | None = None,
    practice: bool = False,
) -> TranscriptAnnotatorView:
    """Return the annotator for a bundled transcript (one line in a lesson cell)."""
    return TranscriptAnnotatorView(
        transcript_id, answer_name=answer_name, folder=folder, practice=practice
    )
