"""Markdown export of a care plan, in plain language and ending with a teach-back prompt."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bpscare.clinical.careplan.model import _SMART_FIELDS, CarePlan, _weeks
from bpscare.clinical.careplan.vocabulary_loader import _label

__all__ = ["plan_to_markdown"]

_TEACH_BACK = "teach-back"


def _md(text: str) -> str:
    """Flatten text to one Markdown-safe line (no raw newlines; escape leading markup)."""
    line = " ".join(text.split())
    return re.sub(r"^([#>*+-]|\d+\.)", r"\\\1", line)


def plan_to_markdown(plan: CarePlan, title: str | None = None) -> str:
    """Render a plan as a Markdown document the patient and the team can share.

    The layout follows an action-plan format in plain language and ends with a teach-back
    prompt (AHRQ Health Literacy Universal Precautions Toolkit, Tool 5: ask the patient to explain
    the plan in their own words - a test of how well we explained, not of the patient).

    Parameters
    ----------
    plan
        The plan to render.
    title
        A heading; defaults to "Care plan".

    Returns
    -------
    str
        Markdown text ending with a newline.
    """
    out: list[str] = [f"# {_md(title or 'Care plan')}", ""]

    def section(heading: str, lines: Sequence[str], empty: str = "_Not yet stated._") -> None:
        out.extend([f"## {heading}", ""])
        out.extend(lines or [empty])
        out.append("")

    section(
        "What matters most to me", [f"- {_md(p)}" for p in plan.patient_priorities if p.strip()]
    )
    goal_lines = []
    for i, goal in enumerate(plan.goals, 1):
        goal_lines.append(f"{i}. **{_md(goal.text)}**")
        for part in _SMART_FIELDS:
            value = getattr(goal, part).strip()
            if value:
                goal_lines.append(f"   - {part.replace('_', '-').capitalize()}: {_md(value)}")
    section("Goals", goal_lines)
    section(
        "Care team",
        [
            f"- **{_label('team_roles', m.role)}**"
            + (f": {_md(m.responsibility)}" if m.responsibility.strip() else "")
            for m in plan.team
        ],
    )
    section(
        "Referrals",
        [
            f"- {_label('referrals', r.to)}" + (f": {_md(r.reason)}" if r.reason.strip() else "")
            for r in plan.referrals
        ],
        "_None planned._",
    )
    section(
        "What we will do (non-medication)",
        [f"- {_label('interventions', i)}" for i in plan.interventions],
    )
    section("Medication", [_md(plan.medication)] if plan.medication.strip() else [])
    fu = plan.follow_up
    measure_lines = [f"- {_label('measures', m)}" for m in plan.measures]
    section("How we will measure progress", measure_lines)
    section(
        "Follow-up",
        [f"Next contact in {_weeks(fu.interval_weeks)} by {fu.mode.replace('_', ' ')}."]
        if fu is not None
        else [],
    )
    net = plan.safety_net
    net_lines = [f"- {_md(f)}" for f in net.red_flags if f.strip()]
    if net.what_to_do.strip():
        net_lines += ["", f"**What to do:** {_md(net.what_to_do)}"]
    if net.escalation.strip():
        net_lines += ["", f"**Who to contact:** {_md(net.escalation)}"]
    section("Warning signs (safety net)", net_lines)
    section(
        "Making the plan work for me",
        [
            f"- {_label('access_barriers', b)}: {_md(how)}"
            for b, how in plan.barriers_addressed.items()
            if how.strip()
        ],
        "_No access barriers recorded._",
    )
    out.extend(
        [
            "---",
            "",
            "_Check understanding: ask the patient to explain the plan in their own words "
            f"({_TEACH_BACK}, AHRQ Health Literacy Universal Precautions Toolkit)._",
            "",
        ]
    )
    return "\n".join(out)
