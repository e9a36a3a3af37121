"""Care-plan builder: a structured form over :mod:`bpscare.clinical.careplan`, with feedback.

The learner builds an integrated care plan for a case - what matters to the person, SMART goals,
the team, referrals, non-pharmacological care, medication, a safety net, follow-up, measures and
access barriers - and checks it with :func:`bpscare.clinical.careplan.check_plan` (completeness and
quality, after the AIMS Center "Principles of Collaborative Care", Bao et al., Psychiatr Serv
2016, and the AHRQ Health Literacy Universal Precautions Toolkit). The plan exports as Markdown
(:func:`~bpscare.clinical.careplan.plan_to_markdown`) and saves as a ``care_plan`` answer file
whose data is :meth:`~bpscare.clinical.careplan.CarePlan.to_dict`; graders rebuild it with
:func:`answer_to_plan`.

Feedback uses only the public checks unless the caller asks for the case's expert plan with
``expert_feedback=True`` (teaching cases in lessons); in practice mode the expert plan is never
loaded. The expert plan, when loaded, lives in a plain attribute, never in a synced trait.

The pure form helpers and the entry-list sub-widget live in
:mod:`bpscare.widgets.care_plan_builder_parts`; their public names are re-exported here.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.clinical.careplan import (
    FOLLOW_UP_MODES,
    CarePlan,
    FollowUp,
    PlanReview,
    Referral,
    SafetyNet,
    SmartGoal,
    TeamMember,
    check_plan,
    plan_to_markdown,
    vocabulary,
)
from bpscare.clinical.cases import Case, load_case
from bpscare.widgets.care_plan_builder_parts import (
    _STYLE,
    _WIDE,
    _EntryList,
    _heading,
    _smart_summary,
    answer_to_plan,
    goal_from_form,
    plan_to_answer,
    review_messages,
    split_lines,
)
from bpscare.widgets.common import SaveAnswerBar, feedback_html, labelled_html
from bpscare.widgets.page import page_support

__all__ = [
    "KIND",
    "CarePlanBuilder",
    "answer_to_plan",
    "care_plan_builder",
    "goal_from_form",
    "plan_to_answer",
    "review_messages",
    "split_lines",
]

#: Answer-file kind for care plans (widgets-split contract).
KIND = "care_plan"

_MODE_LABELS = {
    "in_person": "In person",
    "phone": "Phone",
    "video": "Video",
    "secure_message": "Secure message",
    "home_visit": "Home visit",
    "group": "Group session",
}


# --------------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------------


class CarePlanBuilder(widgets.VBox):
    """A structured care-plan form with completeness and quality feedback and a Markdown export.

    The view holds no rules: :meth:`plan` assembles a :class:`~bpscare.clinical.careplan.CarePlan`
    from
    the controls, the injected ``check`` reviews it and the injected ``to_markdown`` renders it.

    Parameters
    ----------
    case_id
        A bundled case id; its public title and summary head the form. None for a blank plan.
    answer_name
        When given, a Save bar saves the plan as a ``care_plan`` answer (see
        :func:`bpscare.grading.answers.save_answer`).
    assignment
        The assignment the saved answer belongs to (checked when it is graded).
    folder
        Where the answer file goes (the notebook's folder by default).
    practice
        Practice mode (Voila apps): public checks only; the case's expert plan is never loaded.
    expert_feedback
        Compare with the case's expert plan (teaching cases in lessons only). Ignored in
        practice mode.
    initial
        A plan to start from (e.g. a saved answer).
    check
        Reviews a plan against an optional expected plan (default :func:`check_plan`).
    to_markdown
        Renders a plan as Markdown (default :func:`plan_to_markdown`).
    case_loader
        Loads a case by id (default :func:`bpscare.clinical.cases.load_case`).
    """

    def __init__(
        self,
        case_id: str | None = None,
        *,
        answer_name: str | None = None,
        assignment: str = "",
        folder: Path | str | None = None,
        practice: bool = False,
        expert_feedback: bool = False,
        initial: CarePlan | None = None,
        check: Callable[[CarePlan, Mapping[str, Any] | None], PlanReview] = check_plan,
        to_markdown: Callable[[CarePlan], str] = plan_to_markdown,
        case_loader: Callable[[str], Case] = load_case,
    ) -> None:
        self._check = check
        self._to_markdown = to_markdown
        self.practice = practice
        self.case_id = case_id
        self._expected: dict[str, Any] | None = None
        self._goals: list[SmartGoal] = []
        self.last_review: PlanReview | None = None
        header: list[widgets.Widget] = []
        if case_id is not None:
            case = case_loader(case_id)
            header.append(
                widgets.HTML(
                    f"<h3 style='margin:4px 0'>Care plan: {html.escape(case.title)}</h3>"
                    f"<p style='margin:2px 0'>{html.escape(case.summary)}</p>"
                )
            )
            if expert_feedback and not practice:
                self._expected = dict(case.to_dict()["care_plan"])
        header.append(
            labelled_html(
                "Build the plan with the person: what matters to them first, then goals, team "
                "and safety net. Check the plan at any time; the feedback says what to add."
            )
        )
        self._build_controls()
        self.check_button = widgets.Button(
            description="Check plan",
            icon="check",
            button_style="primary",
            tooltip="Review completeness and quality of the plan",
        )
        self.export_button = widgets.Button(
            description="Show as Markdown",
            icon="file-text",
            tooltip="Render the plan as a Markdown document to copy",
        )
        self.feedback = widgets.HTML()
        self.markdown = widgets.Textarea(
            description="Plan as Markdown (copy it):",
            style=_STYLE,
            rows=11,
            layout=widgets.Layout(width="95%"),
        )
        self.check_button.on_click(self._on_check)
        self.export_button.on_click(self._on_export)
        footer: list[widgets.Widget] = [
            widgets.HBox([self.check_button, self.export_button]),
            self.feedback,
            self.markdown,
        ]
        self.save_bar: SaveAnswerBar | None = None
        if answer_name is not None:
            self.save_bar = SaveAnswerBar(
                answer_name, self.answer, kind=KIND, folder=folder, assignment=assignment
            )
            footer.append(self.save_bar)
        super().__init__(page_support(self, [*header, *self._sections, *footer]))
        if initial is not None:
            self.set_plan(initial)

    # -- controls ---------------------------------------------------------------------------

    def _build_controls(self) -> None:
        self.priorities = widgets.Textarea(
            description="What matters most to the person (one per line):",
            placeholder="e.g. Getting back to my weekend shifts",
            style=_STYLE,
            layout=_WIDE,
        )
        self.goal_what = widgets.Text(
            description="Goal - what:", placeholder="walk to the park", style=_STYLE, layout=_WIDE
        )
        self.goal_measure = widgets.Text(
            description="Measured by:", placeholder="minutes walked", style=_STYLE, layout=_WIDE
        )
        self.goal_target = widgets.Text(
            description="Target:", placeholder="20 minutes", style=_STYLE, layout=_WIDE
        )
        self.goal_by_when = widgets.Text(
            description="By when:", placeholder="in 6 weeks", style=_STYLE, layout=_WIDE
        )
        self.goal_why = widgets.Text(
            description="Why it matters to them:",
            placeholder="to play with her grandchildren",
            style=_STYLE,
            layout=_WIDE,
        )
        self.goal_first_step = widgets.Text(
            description="First step or support:",
            placeholder="5 minutes after lunch, with the physical therapist's plan",
            style=_STYLE,
            layout=_WIDE,
        )
        self.add_goal = widgets.Button(description="Add goal", icon="plus")
        self.remove_goal = widgets.Button(description="Remove last goal", icon="minus")
        self.goal_status = widgets.HTML()
        self.goal_list = widgets.HTML()
        self.add_goal.on_click(self._on_add_goal)
        self.remove_goal.on_click(self._on_remove_goal)
        self.team = _EntryList(
            "team_roles", "Team member", "Responsibility:", "what this person does in the plan"
        )
        self.referrals = _EntryList("referrals", "Referral", "Reason:", "why, in plain words")
        self.interventions = widgets.SelectMultiple(
            options=[(label, key) for key, label in vocabulary("interventions").items()],
            description="Non-medication care (Ctrl/Cmd-click for several):",
            rows=6,
            style=_STYLE,
            layout=_WIDE,
        )
        self.medication = widgets.Text(
            description="Medication plan ('none' is a plan):",
            placeholder="no change; review at follow-up",
            style=_STYLE,
            layout=_WIDE,
        )
        self.red_flags = widgets.Textarea(
            description="Warning signs, plain language (one per line):",
            style=_STYLE,
            layout=_WIDE,
        )
        self.what_to_do = widgets.Text(
            description="What to do if one appears:", style=_STYLE, layout=_WIDE
        )
        self.escalation = widgets.Text(
            description="Who to contact (and after hours):", style=_STYLE, layout=_WIDE
        )
        self.follow_up_weeks = widgets.BoundedFloatText(
            value=0,
            min=0,
            max=52,
            step=1,
            description="Next contact in weeks (0 = not yet planned):",
            style=_STYLE,
            layout=widgets.Layout(width="min(30rem, 100%)"),
        )
        self.follow_up_mode = widgets.Dropdown(
            options=[(_MODE_LABELS.get(m, m), m) for m in FOLLOW_UP_MODES],
            description="How:",
            style=_STYLE,
        )
        self.measures = widgets.SelectMultiple(
            options=[(label, key) for key, label in vocabulary("measures").items()],
            description="Measures to repeat at follow-up:",
            rows=5,
            style=_STYLE,
            layout=_WIDE,
        )
        self.barriers = _EntryList(
            "access_barriers", "Access barrier", "How the plan addresses it:", "e.g. video visits"
        )
        self._sections: list[widgets.Widget] = [
            _heading("1. What matters to the person"),
            self.priorities,
            _heading("2. Goals agreed with the person (SMART)"),
            self.goal_what,
            self.goal_measure,
            self.goal_target,
            self.goal_by_when,
            self.goal_why,
            self.goal_first_step,
            widgets.HBox([self.add_goal, self.remove_goal]),
            self.goal_status,
            self.goal_list,
            _heading("3. Care team"),
            self.team,
            _heading("4. Referrals"),
            self.referrals,
            _heading("5. Treatment"),
            self.interventions,
            self.medication,
            _heading("6. Safety net"),
            self.red_flags,
            self.what_to_do,
            self.escalation,
            _heading("7. Follow-up and measurement"),
            widgets.HBox([self.follow_up_weeks, self.follow_up_mode]),
            self.measures,
            _heading("8. Access barriers"),
            self.barriers,
        ]
        self._render_goals()

    # -- model <-> controls -----------------------------------------------------------------

    def plan(self) -> CarePlan:
        """Assemble the :class:`~bpscare.clinical.careplan.CarePlan` the form describes now."""
        weeks = float(self.follow_up_weeks.value)
        return CarePlan(
            goals=tuple(self._goals),
            team=tuple(TeamMember(r, t) for r, t in self.team.entries.items()),
            referrals=tuple(Referral(r, t) for r, t in self.referrals.entries.items()),
            interventions=tuple(self.interventions.value),
            medication=self.medication.value.strip(),
            safety_net=SafetyNet(
                split_lines(self.red_flags.value),
                self.what_to_do.value.strip(),
                self.escalation.value.strip(),
            ),
            follow_up=FollowUp(weeks, self.follow_up_mode.value) if weeks > 0 else None,
            measures=tuple(self.measures.value),
            barriers_addressed={k: v for k, v in self.barriers.entries.items()},
            patient_priorities=split_lines(self.priorities.value),
        )

    def answer(self) -> dict[str, Any]:
        """Return the answer data the Save bar writes (:func:`plan_to_answer` of :meth:`plan`)."""
        return plan_to_answer(self.plan())

    def set_plan(self, plan: CarePlan) -> None:
        """Fill the form from ``plan`` (e.g. a saved answer), replacing what is there."""
        self._goals = list(plan.goals)
        self._render_goals()
        self.priorities.value = "\n".join(plan.patient_priorities)
        self.team.set_entries({m.role: m.responsibility for m in plan.team})
        self.referrals.set_entries({r.to: r.reason for r in plan.referrals})
        self.interventions.value = tuple(plan.interventions)
        self.medication.value = plan.medication
        self.red_flags.value = "\n".join(plan.safety_net.red_flags)
        self.what_to_do.value = plan.safety_net.what_to_do
        self.escalation.value = plan.safety_net.escalation
        if plan.follow_up is None:
            self.follow_up_weeks.value = 0
        else:
            self.follow_up_weeks.value = plan.follow_up.interval_weeks
            self.follow_up_mode.value = plan.follow_up.mode
        self.measures.value = tuple(plan.measures)
        self.barriers.set_entries(plan.barriers_addressed)

    # -- callbacks --------------------------------------------------------------------------

    def _on_add_goal(self, _button: widgets.Button | None = None) -> None:
        try:
            goal = goal_from_form(
                self.goal_what.value,
                self.goal_measure.value,
                self.goal_target.value,
                self.goal_by_when.value,
                why=self.goal_why.value,
                first_step=self.goal_first_step.value,
            )
        except ValueError as exc:
            self.goal_status.value = feedback_html([str(exc)], "alert", "Goal not added")
            return
        self._goals.append(goal)
        for box in (
            self.goal_what,
            self.goal_measure,
            self.goal_target,
            self.goal_by_when,
            self.goal_why,
            self.goal_first_step,
        ):
            box.value = ""
        self.goal_status.value = feedback_html([_smart_summary(goal)], "info", "Goal added")
        self._render_goals()

    def _on_remove_goal(self, _button: widgets.Button | None = None) -> None:
        if self._goals:
            self._goals.pop()
        self.goal_status.value = ""
        self._render_goals()

    def _render_goals(self) -> None:
        if not self._goals:
            self.goal_list.value = "<p style='margin:2px 0'><em>No goals added yet.</em></p>"
            return
        items = "".join(
            f"<li>{html.escape(g.text)}<br><small>{html.escape(_smart_summary(g))}</small></li>"
            for g in self._goals
        )
        self.goal_list.value = f"<ol style='margin:2px 0 2px 18px;padding:0'>{items}</ol>"

    def _on_check(self, _button: widgets.Button | None = None) -> None:
        try:
            review = self._check(self.plan(), self._expected)
        except ValueError as exc:
            self.feedback.value = feedback_html([str(exc)], "alert", "The plan cannot be checked")
            return
        self.last_review = review
        level, title, messages = review_messages(review)
        self.feedback.value = feedback_html(messages, level, title)

    def _on_export(self, _button: widgets.Button | None = None) -> None:
        try:
            self.markdown.value = self._to_markdown(self.plan())
        except ValueError as exc:
            self.feedback.value = feedback_html([str(exc)], "alert", "The plan cannot be exported")


def care_plan_builder(
    case_id: str | None = None,
    answer_name: str | None = None,
    *,
    assignment: str = "",
    folder: Path | str | None = None,
    practice: bool = False,
    expert_feedback: bool = False,
    resume: bool = True,
    **kwargs: Any,
) -> CarePlanBuilder:
    """Build a care-plan builder for a lesson or assignment in one line.

    Parameters
    ----------
    case_id
        A bundled case id, e.g. ``"c03-low-back-pain"`` (None: a blank plan, no case).
    answer_name
        Save the plan under this answer name (kind ``"care_plan"``), e.g. ``"a05_care_plan"``.
    folder
        Where answers live (the notebook's folder by default).
    practice
        Practice mode: public checks only.
    expert_feedback
        Compare with the case's expert plan (teaching cases only; never in practice mode).
    resume
        When an answer with ``answer_name`` is already saved, start from it.
    **kwargs
        Passed to :class:`CarePlanBuilder` (e.g. injected ``check``).

    Returns
    -------
    CarePlanBuilder
    """
    initial = kwargs.pop("initial", None)
    if initial is None and resume and answer_name is not None:
        initial = _saved_plan(answer_name, folder)
    return CarePlanBuilder(
        case_id,
        answer_name=answer_name,
        assignment=assignment,
        folder=folder,
        practice=practice,
        expert_feedback=expert_feedback,
        initial=initial,
        **kwargs,
    )


def _saved_plan(answer_name: str, folder: Path | str | None) -> CarePlan | None:
    from bpscare.grading.answers import AnswerError, answer_path, load_answer

    if not answer_path(answer_name, folder).is_file():
        return None
    try:
        return answer_to_plan(load_answer(answer_name, kind=KIND, folder=folder))
    except (AnswerError, ValueError):
        return None
