"""Formulation grid: build a 4P x biopsychosocial formulation and compare it with the expert's.

The learner places each of the case's findings into one or more of the twelve cells (four Ps,
Bolton, Philos Psychiatr Psychol 2014;21:179-189, crossed with Engel's three domains, Science
1977;196:129-136). The grid itself is a :class:`bpscare.clinical.formulation.Formulation`; "Check"
calls :func:`bpscare.clinical.formulation.compare` against the expert grid, which stays in a private
attribute: only the computed feedback sentences reach the browser. In practice mode the expert
grid is never read and :func:`public_checks` gives structural feedback instead.

The saved answer (kind ``formulation``) is the library's own dict form,
:meth:`Formulation.to_dict`; :func:`answer_to_formulation` rebuilds it for graders.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.cases import Case, load_case
from bpscare.clinical.formulation import (
    DOMAINS,
    FOUR_PS,
    Formulation,
    FormulationFeedback,
    cell_label,
    compare,
)
from bpscare.widgets.common import SaveAnswerBar, feedback_html, labelled_html
from bpscare.widgets.page import page_support

__all__ = [
    "BOLTON_QUESTIONS",
    "KIND",
    "FormulationGridView",
    "answer_to_formulation",
    "formulation_grid",
    "formulation_to_answer",
    "grid_html",
    "public_checks",
]

KIND = "formulation"
"""Answer kind saved by the view: :meth:`Formulation.to_dict` (``{p: {domain: [ids]}}``)."""

BOLTON_QUESTIONS = {
    "predisposing": "why vulnerable?",
    "precipitating": "why now?",
    "perpetuating": "why still?",
    "protective": "why not worse?",
}
"""Bolton's question for each row (Philos Psychiatr Psychol 2014;21:179-189)."""


def formulation_to_answer(formulation: Formulation) -> dict[str, Any]:
    """Return the plain-JSON answer: the formulation's own nested dict form."""
    return formulation.to_dict()


def answer_to_formulation(data: Mapping[str, Any] | None) -> Formulation:
    """Rebuild a :class:`Formulation` from a saved ``formulation`` answer (for graders).

    Raises
    ------
    ValueError
        Unknown P or domain, or ids that are not strings (from :meth:`Formulation.from_dict`).
    """
    return Formulation.from_dict(data)


def public_checks(learner: Formulation, findings: Mapping[str, str]) -> tuple[str, ...]:
    """Return structural feedback on a grid that needs no expert key (for practice mode).

    Checks: how many of the case's findings are placed; that every row holds something, with
    Bolton's question for an empty row; that the protective row names strengths (stigma
    checklist ``strengths-present``; Bolton 2014); and placements of ids that are not findings
    of this case.

    Parameters
    ----------
    learner
        The learner's grid.
    findings
        ``{finding id: text}`` of the case (``Case.findings_by_id()``).

    Returns
    -------
    tuple of str
        One sentence per observation, summary first.

    Examples
    --------
    >>> public_checks(Formulation.empty(), {"f-a": "A"})[0]
    'You have placed 0 of 1 findings.'
    """
    placed = learner.findings()
    messages = [f"You have placed {len(placed & set(findings))} of {len(findings)} findings."]
    for p in FOUR_PS:
        if not any(learner.cell(p, d) for d in DOMAINS):
            if p == "protective":
                messages.append(
                    "The protective row is empty: name the person's strengths and supports "
                    "(why not worse?), as every formulation should (stigma checklist "
                    "'strengths-present'; Bolton 2014)."
                )
            else:
                messages.append(
                    f"The {p} row is empty: which findings answer '{BOLTON_QUESTIONS[p]}' "
                    "(Bolton 2014)?"
                )
    for d in DOMAINS:
        if not any(learner.cell(p, d) for p in FOUR_PS):
            messages.append(f"Nothing is in the {d} column yet (Engel 1977).")
    unknown = sorted(placed - set(findings))
    if unknown:
        messages.append(f"Not findings of this case: {', '.join(unknown)}.")
    return tuple(messages)


def grid_html(formulation: Formulation, findings: Mapping[str, str]) -> str:
    """Render a grid as an accessible HTML table (caption, row and column headers).

    Cells list the finding texts the learner placed there; rows carry Bolton's questions.
    """
    head = "".join(f"<th scope='col' style='padding:4px'>{d.capitalize()}</th>" for d in DOMAINS)
    rows = []
    for p in FOUR_PS:
        cells = []
        for d in DOMAINS:
            texts = sorted(findings.get(f, f) for f in formulation.cell(p, d))
            items = "".join(f"<li>{html.escape(t)}</li>" for t in texts)
            body = f"<ul style='margin:0;padding-left:16px'>{items}</ul>" if items else "(empty)"
            cells.append(
                f"<td style='border:1px solid #888;padding:4px;vertical-align:top'>{body}</td>"
            )
        rows.append(
            f"<tr><th scope='row' style='text-align:left;padding:4px'>{p.capitalize()}<br>"
            f"<small>{BOLTON_QUESTIONS[p]}</small></th>{''.join(cells)}</tr>"
        )
    return (
        "<table style='border-collapse:collapse;width:100%;font-size:smaller'>"
        "<caption style='text-align:left'>Your formulation: 4 Ps (Bolton 2014) by domain "
        "(Engel 1977)</caption>"
        f"<thead><tr><th scope='col'></th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


class FormulationGridView(widgets.VBox):
    """Place a case's findings in the 4P x BPS grid and check it against the expert grid.

    Parameters
    ----------
    case_id
        A bundled case id.
    answer_name
        If given, a Save bar saves the grid (kind ``formulation``).
    assignment
        The assignment the saved answer belongs to (checked when it is graded).
    folder
        Where the answer file goes (the notebook's folder by default).
    compare_with_expert
        Whether Check also compares the grid with the expert's, one comment per wrong or
        missing placement. Default: outside practice mode only; the practice app turns it on
        for the teaching case alone.
    practice
        Practice mode (Voila apps): Check gives
        :func:`public_checks` feedback.
    initial
        A starting grid (a :class:`Formulation` or its dict form), e.g. a saved answer.
    load
        Loads the case (:func:`bpscare.clinical.cases.load_case`).
    compare_with
        Compares learner and expert grids (:func:`bpscare.clinical.formulation.compare`).
    checks
        Public checks for practice mode (:func:`public_checks`).
    """

    def __init__(
        self,
        case_id: str,
        *,
        answer_name: str | None = None,
        assignment: str = "",
        folder: Path | str | None = None,
        practice: bool = False,
        compare_with_expert: bool | None = None,
        initial: Formulation | Mapping[str, Any] | None = None,
        load: Callable[[str], Case] = load_case,
        compare_with: Callable[..., FormulationFeedback] = compare,
        checks: Callable[[Formulation, Mapping[str, str]], tuple[str, ...]] = public_checks,
    ) -> None:
        case = load(case_id)
        self._case_id = case_id
        self._practice = practice
        self._findings = case.findings_by_id()
        # Expert material: a plain attribute, never a trait; in practice mode read only when
        # asked (the practice app asks for the teaching case alone, whose key is public).
        with_expert = (not practice) if compare_with_expert is None else compare_with_expert
        self._expert: Formulation | None = case.expert_formulation() if with_expert else None
        self._compare_with = compare_with
        self._checks = checks
        if isinstance(initial, Formulation):
            self._grid = initial
        else:
            self._grid = answer_to_formulation(initial)

        self.intro = widgets.HTML(
            f"<h4 style='margin:4px 0'>{html.escape(case.title)}</h4>"
            f"<p style='margin:2px 0'>{html.escape(case.summary)}</p>"
            "<p style='margin:2px 0'>Choose a finding, its row (which P) and its column "
            "(which domain), then press Place. A finding may belong in more than one cell.</p>"
        )
        wide = {"description_width": "initial"}
        self.finding = widgets.Dropdown(
            options=[(f.text, f.id) for f in case.findings],
            description="Finding",
            style=wide,
            layout=widgets.Layout(width="95%"),
        )
        self.p = widgets.Dropdown(
            options=[(f"{p.capitalize()}: {BOLTON_QUESTIONS[p]}", p) for p in FOUR_PS],
            description="Row (P)",
            style=wide,
            layout=widgets.Layout(width="320px"),
        )
        self.domain = widgets.Dropdown(
            options=[(d.capitalize(), d) for d in DOMAINS],
            description="Column (domain)",
            style=wide,
            layout=widgets.Layout(width="280px"),
        )
        self.place_button = widgets.Button(
            description="Place", icon="plus", button_style="primary", tooltip="Place the finding"
        )
        self.remove_button = widgets.Button(
            description="Remove finding",
            icon="minus",
            tooltip="Remove the chosen finding from every cell",
        )
        self.grid = widgets.HTML(value="")
        self.reveal = widgets.Checkbox(
            value=False,
            description="Say where missed findings belong",
            indent=False,
            style=wide,
            layout=widgets.Layout(width="auto"),
        )
        self.check_button = widgets.Button(
            description="Check my grid", icon="check", tooltip="Get feedback on your formulation"
        )
        self.status = widgets.HTML(value="")
        self.feedback = widgets.HTML(value="")

        self.place_button.on_click(self._place)
        self.remove_button.on_click(self._remove)
        self.check_button.on_click(self._check)

        check_row: list[widgets.Widget] = [self.check_button]
        if self._expert is not None:
            check_row.append(self.reveal)
        children: list[widgets.Widget] = [
            self.intro,
            self.finding,
            widgets.HBox([self.p, self.domain]),
            widgets.HBox([self.place_button, self.remove_button]),
            self.status,
            self.grid,
            widgets.HBox(check_row),
            self.feedback,
        ]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(
                answer_name, self.answer, kind=KIND, folder=folder, assignment=assignment
            )
            children.append(labelled_html("Save your grid so that it can be graded."))
            children.append(self.save_bar)
        super().__init__(page_support(self, children))
        self._render()

    # Public -------------------------------------------------------------------------------
    @property
    def formulation(self) -> Formulation:
        """The learner's grid as it stands."""
        return self._grid

    def answer(self) -> dict[str, Any]:
        """Return the grid as the plain-JSON answer (:func:`formulation_to_answer`)."""
        return formulation_to_answer(self._grid)

    # Callbacks ----------------------------------------------------------------------------
    def _place(self, _button: widgets.Button | None = None) -> None:
        finding, p, domain = self.finding.value, self.p.value, self.domain.value
        self._grid = self._grid.with_placement(finding, p, domain)
        self.status.value = feedback_html(
            [f"Placed ‘{self._findings[finding]}’ under {cell_label((p, domain))}."], "info"
        )
        self._render()

    def _remove(self, _button: widgets.Button | None = None) -> None:
        finding = self.finding.value
        self._grid = self._grid.without(finding)
        self.status.value = feedback_html(
            [f"Removed ‘{self._findings[finding]}’ from the grid."], "info"
        )
        self._render()

    def _check(self, _button: widgets.Button | None = None) -> None:
        structure = ""
        if self._practice or self._expert is None:
            messages = self._checks(self._grid, self._findings)
            structure = feedback_html(messages, "info", "Structure check")
        if self._expert is None:
            self.feedback.value = structure
            return
        result = self._compare_with(
            self._grid, self._expert, self._findings, reveal_expert=self.reveal.value
        )
        level = "success" if result.f1 == 1.0 else "warning"
        compared = feedback_html(result.messages, level, "Compared with the expert")
        self.feedback.value = structure + compared

    def _render(self) -> None:
        self.grid.value = grid_html(self._grid, self._findings)


def formulation_grid(
    case_id: str,
    answer_name: str | None = None,
    *,
    assignment: str = "",
    folder: Path | str | None = None,
    practice: bool = False,
    compare_with_expert: bool | None = None,
) -> FormulationGridView:
    """Return the formulation grid builder for a case (one line in a lesson cell)."""
    return FormulationGridView(
        case_id,
        answer_name=answer_name,
        assignment=assignment,
        folder=folder,
        practice=practice,
        compare_with_expert=compare_with_expert,
    )
