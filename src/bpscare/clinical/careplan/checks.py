"""Care-plan checks: SMART-part parsing and :func:`check_plan`, learner-facing findings.

:func:`check_plan` reviews a :class:`~bpscare.clinical.careplan.model.CarePlan` against a case's
``care_plan`` section and returns a :class:`~bpscare.clinical.careplan.review.PlanReview`;
:func:`smart_parts` says which SMART parts a goal states.

The checks encode the principles of collaborative care: patient-centred team care,
measurement-based treatment to target and accountable follow-up (AIMS Center, University of
Washington, "Principles of Collaborative Care", 2011; APA/APM, "Dissemination of Integrated Care
Within Adult Primary Care Settings: The Collaborative Care Model", 2016), the process benchmark of
care-manager follow-up within four weeks (Bao et al., Psychiatr Serv 2016, doi
10.1176/appi.ps.201400577), plain-language action plans confirmed by teach-back (AHRQ Health
Literacy Universal Precautions Toolkit, DeWalt et al. 2010, 2nd ed. 2015, Tools 4-5), explicit
safety-netting and co-created goals that reflect what matters to the patient (seed articles
"How chronic mistrust of healthcare providers amplifies somatic distress", 2025, and "Strategies to
reduce stigma around psychosomatic conditions in medical training", 2025).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bpscare.clinical.careplan.model import CarePlan, SmartGoal, _check_str, _weeks
from bpscare.clinical.careplan.review import Finding, PlanReview
from bpscare.clinical.careplan.text_matching import (
    FUNCTION_PATTERN,
    MEASURE_PATTERN,
    TIME_FRAME_PATTERN,
    _covers,
    _shares_word,
    red_flag_matches,
)
from bpscare.clinical.careplan.vocabulary_loader import _check_id, _label

__all__ = ["check_plan", "smart_parts"]


def smart_parts(goal: SmartGoal) -> dict[str, bool]:
    """Report which of the five SMART parts a goal states, by a documented, checkable rule.

    - ``specific``: the ``specific`` field is filled, or the goal text has at least five words;
    - ``measurable``: the ``measurable`` field (or, if empty, the text) matches
      :data:`MEASURE_PATTERN` - a number, number word, instrument or countable unit;
    - ``achievable``: the ``achievable`` field is filled (a first step or support);
    - ``relevant``: the ``relevant`` field is filled (why it matters to the patient);
    - ``time_bound``: the ``time_bound`` field (or, if empty, the text) matches
      :data:`TIME_FRAME_PATTERN` - a span such as "in 6 weeks", a week number, a month, a date or
      "the next visit"; a frequency such as "3 days a week" is not a time frame.

    Achievable and relevant cannot be inferred from free text, so a text-only goal can show at
    most three parts.

    Parameters
    ----------
    goal
        The goal to inspect.

    Returns
    -------
    dict[str, bool]
        One entry per SMART part, in the order S, M, A, R, T.
    """
    measurable_text = goal.measurable.strip() or goal.text
    time_text = goal.time_bound.strip() or goal.text
    return {
        "specific": bool(goal.specific.strip()) or len(goal.text.split()) >= 5,
        "measurable": bool(MEASURE_PATTERN.search(measurable_text)),
        "achievable": bool(goal.achievable.strip()),
        "relevant": bool(goal.relevant.strip()),
        "time_bound": bool(TIME_FRAME_PATTERN.search(time_text)),
    }


@dataclass(frozen=True)
class _Expected:
    goals: tuple[str, ...]
    team: tuple[str, ...]
    referrals: tuple[str, ...]
    interventions: tuple[str, ...]
    red_flags: tuple[str, ...]
    follow_up_weeks: float | None
    measures: tuple[str, ...]
    access_barriers: tuple[str, ...]


def _expected_ids(
    expected: Mapping[str, Any], key: str, section: str, what: str, item_key: str
) -> tuple[str, ...]:
    raw = expected.get(key) or ()
    if isinstance(raw, str | Mapping) or not isinstance(raw, Iterable):
        msg = f"expected.{key}: expected a list, got {raw!r}"
        raise ValueError(msg)
    out = []
    for i, item in enumerate(raw):
        value = item.get(item_key, item.get("id")) if isinstance(item, Mapping) else item
        _check_id(section, what, f"expected.{key}[{i}]", value)
        out.append(value)
    return tuple(out)


def _expected_texts(expected: Mapping[str, Any], key: str) -> tuple[str, ...]:
    raw = expected.get(key) or ()
    if isinstance(raw, str):
        raw = (raw,)
    if isinstance(raw, Mapping) or not isinstance(raw, Iterable):
        msg = f"expected.{key}: expected a list of text, got {raw!r}"
        raise ValueError(msg)
    out = []
    for i, item in enumerate(raw):
        text = item.get("text", item.get("what")) if isinstance(item, Mapping) else item
        _check_str(f"expected.{key}[{i}]", text)
        out.append(text)
    return tuple(out)


def _parse_expected(expected: Mapping[str, Any]) -> _Expected:
    if not isinstance(expected, Mapping):
        msg = f"expected: expected a case's care_plan mapping, got {expected!r}"
        raise ValueError(msg)
    weeks = expected.get("follow_up_weeks")
    if weeks is not None and (
        isinstance(weeks, bool) or not isinstance(weeks, int | float) or weeks <= 0
    ):
        msg = f"expected.follow_up_weeks: expected a positive number, got {weeks!r}"
        raise ValueError(msg)
    return _Expected(
        goals=_expected_texts(expected, "goals"),
        team=_expected_ids(expected, "team", "team_roles", "role", "role"),
        referrals=_expected_ids(expected, "referrals", "referrals", "referral", "to"),
        interventions=_expected_ids(
            expected, "interventions", "interventions", "intervention", "id"
        ),
        red_flags=_expected_texts(expected, "red_flags_to_safety_net"),
        follow_up_weeks=weeks,
        measures=_expected_ids(expected, "measures", "measures", "measure", "id"),
        access_barriers=_expected_ids(
            expected, "access_barriers", "access_barriers", "access barrier", "id"
        ),
    )


def _labels(section: str, ids: Iterable[str]) -> str:
    return "; ".join(_label(section, i) for i in ids)


def _goal_findings(plan: CarePlan) -> list[Finding]:
    if not plan.goals:
        return [
            Finding(
                "smart_goal",
                False,
                "required",
                "Add at least one goal agreed with the patient, stating what, how it will be "
                "measured, why it is achievable, why it matters and by when (SMART).",
            )
        ]
    best: dict[str, bool] = {}
    for goal in plan.goals:
        parts = smart_parts(goal)
        if all(parts.values()):
            return [
                Finding(
                    "smart_goal",
                    True,
                    "required",
                    f"Goal '{goal.text}' states all five SMART parts.",
                )
            ]
        if not best or sum(parts.values()) > sum(best.values()):
            best = parts
    missing = [part.replace("_", "-") for part, ok in best.items() if not ok]
    hints = {
        "specific": "name the concrete activity",
        "measurable": "add a number, unit or instrument (e.g. '20 minutes', 'PHQ-9 below 10')",
        "achievable": "say what first step or support makes it realistic now",
        "relevant": "say why it matters to the patient",
        "time-bound": "give a time frame (e.g. 'in 6 weeks', 'by the next visit')",
    }
    advice = "; ".join(f"{p} ({hints[p]})" for p in missing)
    return [
        Finding(
            "smart_goal",
            False,
            "required",
            f"Make at least one goal fully SMART - your closest goal is missing {advice}.",
        )
    ]


def _team_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    findings = []
    unassigned = [m for m in plan.team if not m.responsibility.strip()]
    if not plan.team:
        findings.append(
            Finding(
                "team",
                False,
                "required",
                "Name the care team and what each person will do, so the patient knows who to "
                "contact for what (patient-centred team care).",
            )
        )
    elif unassigned:
        findings.append(
            Finding(
                "team",
                False,
                "required",
                "Give each team member a responsibility in this plan - missing for: "
                f"{_labels('team_roles', (m.role for m in unassigned))}.",
            )
        )
    else:
        findings.append(
            Finding("team", True, "required", "Each team member has a stated responsibility.")
        )
    if exp is not None and exp.team:
        have = {m.role for m in plan.team}
        missing = [r for r in exp.team if r not in have]
        findings.append(
            Finding(
                "team_expected",
                not missing,
                "required",
                (
                    "Add to the team: "
                    f"{_labels('team_roles', missing)} - this patient's needs call for them."
                    if missing
                    else "The team includes every role this case needs."
                ),
            )
        )
    return findings


def _referral_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    if exp is None or not exp.referrals:
        return []
    have = {r.to for r in plan.referrals}
    missing = [r for r in exp.referrals if r not in have]
    return [
        Finding(
            "referrals_expected",
            not missing,
            "required",
            (
                f"Add referrals to: {_labels('referrals', missing)}, each with a reason the "
                "patient can repeat back."
                if missing
                else "The referrals cover what this case needs."
            ),
        )
    ]


def _intervention_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    findings = [
        Finding(
            "non_pharmacological",
            bool(plan.interventions),
            "required",
            (
                "The plan includes non-pharmacological care: "
                f"{_labels('interventions', plan.interventions)}."
                if plan.interventions
                else "Add at least one non-pharmacological intervention (e.g. graded activity, "
                "CBT-informed strategies, sleep plan, psychoeducation about the stress-symptom "
                "cycle)."
            ),
        )
    ]
    if exp is not None and exp.interventions:
        missing = [i for i in exp.interventions if i not in plan.interventions]
        findings.append(
            Finding(
                "interventions_expected",
                not missing,
                "required",
                (
                    f"Add the interventions the case findings point to: "
                    f"{_labels('interventions', missing)}."
                    if missing
                    else "The interventions include those the case findings point to."
                ),
            )
        )
    return findings


def _safety_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    net = plan.safety_net
    gaps = []
    if not any(flag.strip() for flag in net.red_flags):
        gaps.append("name the red flags in plain language")
    if not net.what_to_do.strip():
        gaps.append("say what the patient should do if one appears")
    if not net.escalation.strip():
        gaps.append("give an escalation route (who to contact, how, and after hours)")
    findings = [
        Finding(
            "safety_net",
            not gaps,
            "required",
            (
                "Complete the safety net: " + "; ".join(gaps) + "."
                if gaps
                else "The safety net names red flags, what to do and how to escalate."
            ),
        )
    ]
    if exp is not None and exp.red_flags:
        missing = [f for f in exp.red_flags if not red_flag_matches(net.red_flags, f)]
        findings.append(
            Finding(
                "safety_net_red_flags",
                not missing,
                "required",
                (
                    "Add these red flags to the safety net: " + "; ".join(missing) + "."
                    if missing
                    else "The safety net covers the red flags this case needs."
                ),
            )
        )
    return findings


def _follow_up_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    fu = plan.follow_up
    if fu is None:
        return [
            Finding(
                "follow_up",
                False,
                "required",
                "Schedule follow-up: say when (in weeks) and how (visit, phone, video) the team "
                "will check in; care-manager contact within 4 weeks is linked to better "
                "outcomes (Bao et al., Psychiatr Serv 2016).",
            )
        ]
    if (
        exp is not None
        and exp.follow_up_weeks is not None
        and fu.interval_weeks > (exp.follow_up_weeks)
    ):
        return [
            Finding(
                "follow_up",
                False,
                "required",
                f"Bring follow-up forward: the plan says {_weeks(fu.interval_weeks)}, but this "
                f"case needs contact within {_weeks(exp.follow_up_weeks)}.",
            )
        ]
    return [
        Finding(
            "follow_up",
            True,
            "required",
            f"Follow-up is planned in {_weeks(fu.interval_weeks)} ({fu.mode.replace('_', ' ')}).",
        )
    ]


def _measure_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    findings = [
        Finding(
            "measurement_plan",
            bool(plan.measures),
            "required",
            (
                f"Measures to repeat: {_labels('measures', plan.measures)}."
                if plan.measures
                else "Add a measurement plan: name the instrument (e.g. PHQ-9) and when it will "
                "be repeated, so the team can treat to target."
            ),
        )
    ]
    if exp is not None and exp.measures:
        missing = [m for m in exp.measures if m not in plan.measures]
        findings.append(
            Finding(
                "measures_expected",
                not missing,
                "required",
                (
                    f"Add to the measurement plan: {_labels('measures', missing)}, repeated at "
                    "follow-up so change can be tracked."
                    if missing
                    else "The measurement plan includes the measures this case needs."
                ),
            )
        )
    return findings


def _barrier_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    if exp is None or not exp.access_barriers:
        return []
    missing = [b for b in exp.access_barriers if not plan.barriers_addressed.get(b, "").strip()]
    return [
        Finding(
            "access_barriers",
            not missing,
            "required",
            (
                f"Say how the plan addresses: {_labels('access_barriers', missing)} - a plan the "
                "patient cannot reach will not work."
                if missing
                else "Each access barrier has an action in the plan."
            ),
        )
    ]


def _medication_finding(plan: CarePlan) -> Finding:
    stated = bool(plan.medication.strip())
    return Finding(
        "medication",
        stated,
        "required",
        (
            f"Medication plan stated: {plan.medication.strip()}."
            if stated
            else "State the medication plan, even if it is 'none' or 'no change', so the team "
            "knows it was considered."
        ),
    )


def _quality_findings(plan: CarePlan, exp: _Expected | None) -> list[Finding]:
    priorities = [p for p in plan.patient_priorities if p.strip()]
    findings = [
        Finding(
            "patient_priorities",
            bool(priorities),
            "quality",
            (
                "The plan records what matters most to the patient."
                if priorities
                else "Record what matters most to the patient, in their words, and build the "
                "goals around it."
            ),
        )
    ]

    def centred(goal: SmartGoal) -> bool:
        text = " ".join((goal.text, goal.specific, goal.relevant))
        return bool(FUNCTION_PATTERN.search(text)) or any(_shares_word(text, p) for p in priorities)

    ok = any(centred(g) for g in plan.goals)
    findings.append(
        Finding(
            "patient_centred_goals",
            ok,
            "quality",
            (
                "At least one goal is about daily life or what matters to the patient."
                if ok
                else "Tie at least one goal to daily function or what matters to the patient "
                "(work, family, walking, sleep), not only a symptom score."
            ),
        )
    )
    if exp is not None and exp.goals:
        texts = [" ".join((g.text, g.specific, g.measurable, g.relevant)) for g in plan.goals]
        missing = [t for t in exp.goals if not any(_covers(x, t) for x in texts)]
        findings.append(
            Finding(
                "goals_expected",
                not missing,
                "quality",
                (
                    "Consider a goal about: " + "; ".join(missing) + "."
                    if missing
                    else "The goals address the themes this case raises."
                ),
            )
        )
    return findings


def check_plan(plan: CarePlan, expected: Mapping[str, Any] | None = None) -> PlanReview:
    """Review a care plan and return findings a learner can act on, with partial credit.

    Required checks: a SMART goal (:func:`smart_parts`); a named team with responsibilities and,
    with ``expected``, the expected roles; expected referrals; at least one non-pharmacological
    intervention and the expected ones; a complete safety net (red flags, what to do, escalation)
    covering the expected red flags (:func:`red_flag_matches`); follow-up scheduled no later than
    ``follow_up_weeks``; a measurement plan including the expected measures; an action for each
    expected access barrier; a stated medication plan. Quality checks: patient priorities recorded;
    at least one patient-centred goal (it matches :data:`FUNCTION_PATTERN` or shares a specific
    word with a recorded priority); and, with ``expected``, goals touching the expected goal
    themes.

    Sources: AIMS Center "Principles of Collaborative Care" (patient-centred team care,
    measurement-based treatment to target, accountable care); APA/APM 2016 report on the
    Collaborative Care Model; Bao et al., Psychiatr Serv 2016 (follow-up within 4 weeks); AHRQ
    Health Literacy Universal Precautions Toolkit (plain-language plans, teach-back); seed articles
    on mistrust and somatic distress and on psychosomatic stigma (safety-netting, co-created goals,
    non-pharmacological care, access barriers).

    Parameters
    ----------
    plan
        The learner's plan.
    expected
        A case's ``care_plan`` section with keys ``goals``, ``team``, ``referrals``,
        ``interventions``, ``medication``, ``red_flags_to_safety_net``, ``follow_up_weeks``,
        ``measures`` and ``access_barriers``; missing keys skip their checks and unknown keys are
        ignored. ``medication`` is not compared (a plan only has to state one). Id lists may hold
        ids or objects with ``role``/``to``/``id``. None runs only the generic checks.

    Returns
    -------
    PlanReview
        Findings in a stable order.

    Raises
    ------
    ValueError
        If ``plan`` is not a :class:`CarePlan` or ``expected`` holds an unknown id (named by path,
        e.g. ``expected.team[1]``).
    """
    if not isinstance(plan, CarePlan):
        msg = f"plan: expected a CarePlan, got {type(plan).__name__}"
        raise ValueError(msg)
    exp = None if expected is None else _parse_expected(expected)
    findings = [
        *_goal_findings(plan),
        *_team_findings(plan, exp),
        *_referral_findings(plan, exp),
        *_intervention_findings(plan, exp),
        *_safety_findings(plan, exp),
        *_follow_up_findings(plan, exp),
        *_measure_findings(plan, exp),
        *_barrier_findings(plan, exp),
        _medication_finding(plan),
        *_quality_findings(plan, exp),
    ]
    return PlanReview(tuple(findings))
