"""Benchmark the main callbacks of the W2 widgets on the bundled cases and synthetic data.

Run on demand (not part of the test suite):

    /work/venv/bin/python benchmarks/bench_widgets_w2.py [--runs 30]

Each callback is timed headless (set a value or click a button, as a learner would). Widgets
that redraw a chart (inline SVG) are timed twice: the whole callback, and the same callback with
the chart function replaced by a no-op (so the table separates the domain computation from the
drawing). The table prints the number of timed calls and the median, 90th percentile and maximum
in milliseconds. The issue's target: "well under 100 ms" per callback.
"""

from __future__ import annotations

from widget_timing import run_suites, setter, take

from bpscare.clinical.cases import case_ids
from bpscare.widgets.care_plan_builder import CarePlanBuilder
from bpscare.widgets.communication_tools import (
    CommunicationPreferencesView,
    DecisionAidBuilder,
    QuestionPromptListView,
)
from bpscare.widgets.disparity_explorer import DisparityExplorerView
from bpscare.widgets.registry_dashboard import RegistryDashboardView
from bpscare.widgets.trust_simulator import TrustSimulatorView


def _no_plot(*_args: object) -> str:
    return ""


def _fill_plan(view: CarePlanBuilder) -> None:
    view.priorities.value = "Getting back to work\nSleeping through the night"
    view.goal_what.value = "Walk to the bus stop and back"
    view.goal_measure.value = "minutes walked"
    view.goal_target.value = "20 minutes"
    view.goal_by_when.value = "in 6 weeks"
    view.goal_why.value = "to get back to work"
    view.goal_first_step.value = "5 minutes after lunch"
    view.add_goal.click()
    for role in ("primary_care_clinician", "behavioral_health_care_manager"):
        view.team.choice.value = role
        view.team.text.value = "follows up"
        view.team.add.click()
    view.interventions.value = ("graded_activity", "sleep")
    view.red_flags.value = "New weakness in a leg\nThoughts of suicide"
    view.what_to_do.value = "Call the clinic"
    view.escalation.value = "Nurse line; after hours 911"
    view.follow_up_weeks.value = 2
    view.measures.value = ("phq9",)
    view.medication.value = "none"


def bench_care_plan(runs: int) -> dict[str, list[float]]:
    public, expert, export, goal = [], [], [], []
    per_case = max(2, runs // len(case_ids()))
    for case_id in case_ids():
        view = CarePlanBuilder(case_id)
        _fill_plan(view)
        public += take([view.check_button.click], per_case)
        export += take([view.export_button.click], per_case)
        teaching = CarePlanBuilder(case_id, expert_feedback=True)
        _fill_plan(teaching)
        expert += take([teaching.check_button.click], per_case)

        def add_goal(v: CarePlanBuilder = view) -> None:
            v.goal_what.value = "Cook dinner for my family"
            v.goal_by_when.value = "by week 4"
            v.add_goal.click()

        goal += take([add_goal], per_case)
    return {
        "check plan (public checks)": public,
        "check plan (teaching case key)": expert,
        "show as Markdown": export,
        "add a goal (SMART summary)": goal,
    }


def bench_communication(runs: int) -> dict[str, list[float]]:
    qpl = QuestionPromptListView()
    for _, topic in qpl.topic.options:
        qpl.topic.value = topic
        qpl.add_bank.click()
    qpl.questions.index = 3
    moves = take([qpl.up.click, qpl.down.click], runs)
    topics = take([setter(qpl.topic, key) for _, key in qpl.topic.options], runs)
    prefs = CommunicationPreferencesView()
    edits = take([setter(prefs.results_channel, v) for _, v in prefs.results_channel.options], runs)
    aid = DecisionAidBuilder()
    aid.decision.value = "Should I start physical therapy now or wait?"
    for name in ("Physical therapy now", "Wait and see"):
        aid.option_name.value = name
        aid.add_option.click()
        for kind, text, n in (("benefit", "Pain improves", 60), ("harm", "Sore muscles", 20)):
            aid.outcome_kind.value = kind
            aid.outcome_description.value = text
            aid.per_100.value = n
            aid.timeframe.value = "within 3 months"
            aid.add_outcome.click()

    def add_and_remove() -> None:
        aid.outcome_description.value = "Time off work"
        aid.add_outcome.click()
        aid.remove_outcome.click()

    outcomes = take([add_and_remove], runs)
    checks = take([aid.check_button.click], runs)
    return {
        "question list: move a question": moves,
        "question list: change topic": topics,
        "preferences: change a field (summary)": edits,
        "decision aid: add+remove an outcome": outcomes,
        "decision aid: check (9 criteria)": checks,
    }


def bench_disparity(runs: int) -> dict[str, list[float]]:
    results = {}
    for label, plot in (("", None), (" [no plot]", _no_plot)):
        kwargs = {} if plot is None else {"plot": plot}
        view = DisparityExplorerView(**kwargs)
        measures = [setter(view.measure, m) for _, m in view.measure.options]
        ranges = [setter(view.pain_range, r) for r in ((1, 10), (4, 10), (7, 10), (2, 9))]
        results[f"change measure (OR/RR/MH){label}"] = take(measures, runs)
        results[f"change pain filter (redraw){label}"] = take(ranges, runs)
    return results


def bench_trust(runs: int) -> dict[str, list[float]]:
    results = {}
    for label, plot in (("", None), (" [no plot]", _no_plot)):
        kwargs = {} if plot is None else {"plot": plot}
        view = TrustSimulatorView(**kwargs)
        values = [0.1, 0.5, 0.9]
        sliders = [setter(s, v) for v in values for s in view.sliders.values()]
        presets = [setter(view.preset, p) for _, p in view.preset.options if p != "custom"]
        results[f"move a behaviour slider{label}"] = take(sliders, runs)
        results[f"choose a preset{label}"] = take(presets, runs)
    return results


def bench_registry(runs: int) -> dict[str, list[float]]:
    results = {}
    for label, plot in (("", None), (" [no plot]", _no_plot)):
        kwargs = {} if plot is None else {"plot": plot}
        view = RegistryDashboardView(**kwargs)
        shows = [setter(view.show, v) for _, v in view.show.options]
        dates = [setter(view.as_of, d) for _, d in view.as_of.options[4::3]]
        results[f"change filter{label}"] = take(shows, runs)
        results[f"change registry date{label}"] = take(dates, runs)
        patients = [setter(view.patient, p) for p in view.patient.options[:10]]
        results[f"choose a patient (plot){label}"] = take(patients, runs)
    return results


def main() -> int:
    suites = {
        "care_plan_builder": bench_care_plan,
        "communication_tools": bench_communication,
        "disparity_explorer": bench_disparity,
        "trust_simulator": bench_trust,
        "registry_dashboard": bench_registry,
    }
    return run_suites(suites, __doc__.splitlines()[0])


if __name__ == "__main__":
    raise SystemExit(main())
