"""Benchmark the main callbacks of the W1 widgets on the bundled cases and transcripts.

Run on demand (not part of the test suite):

    /work/venv/bin/python benchmarks/bench_widgets_w1.py [--runs 30]

Each callback is timed headless (set a value or click a button, as a learner would) over the
bundled data; the table prints the number of timed calls and the median, 90th percentile and
maximum in milliseconds. The issue's target: "well under 100 ms" per callback.
"""

from __future__ import annotations

import functools

from widget_timing import run_suites, setter, take, time_ms

from bpscare.clinical.cases import case_ids, question_bank
from bpscare.clinical.transcripts import load_transcript, transcript_ids
from bpscare.widgets.formulation_grid import FormulationGridView
from bpscare.widgets.interruption_timeline import InterruptionTimelineView
from bpscare.widgets.screener import ScreenerView
from bpscare.widgets.transcript_annotator import TranscriptAnnotatorView
from bpscare.widgets.virtual_patient import VirtualPatientView


def bench_virtual_patient(runs: int) -> dict[str, list[float]]:
    ask, finish = [], []
    bank = [q.id for q in question_bank()]
    for case_id in case_ids():
        view = VirtualPatientView(case_id)
        ask += [time_ms(functools.partial(view.ask, q)) for q in bank]  # the conversation grows
        finish.append(time_ms(view.finish_button.click))
    return {"ask a question (all 35, every case)": ask, "finish (35 asked, every case)": finish}


def bench_screener(runs: int) -> dict[str, list[float]]:
    results = {}
    for name in ("phq9", "gad7", "phq15", "phq4"):
        view = ScreenerView(name)
        for buttons in view.items:
            buttons.value = 1
        # Alternate 0 and 2 on each item so that every call really changes a value.
        actions = [setter(b, v) for v in (0, 2) for b in view.items if not b.disabled]
        results[f"{name}: click an answer (complete form)"] = take(actions, runs)
    return results


def bench_formulation(runs: int) -> dict[str, list[float]]:
    place, check = [], []
    for case_id in case_ids():
        view = FormulationGridView(case_id)
        view.reveal.value = True
        for index, option in enumerate(view.finding.options):
            view.finding.value = option[1]
            view.p.value = view.p.options[index % 4][1]
            view.domain.value = view.domain.options[index % 3][1]
            place.append(time_ms(view.place_button.click))
        check += take([view.check_button.click], max(2, runs // len(case_ids())))
    return {"place a finding": place, "check against expert": check}


def bench_annotator(runs: int) -> dict[str, list[float]]:
    choose, check = [], []
    for transcript_id in transcript_ids():
        t = load_transcript(transcript_id)
        view = TranscriptAnnotatorView(transcript_id)
        for u in t.utterances:
            code = "other" if u.n % 4 == 0 else u.code
            choose.append(time_ms(setter(view.selectors[u.n], code)))
        check += take([view.check_button.click], max(2, runs // len(transcript_ids())))
    return {"choose a code": choose, "check agreement (kappa)": check}


def bench_timeline(runs: int) -> dict[str, list[float]]:
    mark, expert, window = [], [], []
    for transcript_id in transcript_ids():
        view = InterruptionTimelineView(transcript_id)
        clinician = [value for _, value in view.interruption.options][1:6]
        view.opening.value = clinician[0]
        mark += [time_ms(setter(view.interruption, n)) for n in clinician[1:]]
        expert += [time_ms(setter(view.source, v)) for v in ("expert", "marks")]
        window += [time_ms(setter(view.window, v)) for v in (view.window.max, 30)]
    return {"mark the interruption (redraw)": mark, "switch to expert": expert, "window": window}


def main() -> int:
    suites = {
        "virtual_patient": bench_virtual_patient,
        "screener": bench_screener,
        "formulation_grid": bench_formulation,
        "transcript_annotator": bench_annotator,
        "interruption_timeline": bench_timeline,
    }
    return run_suites(suites, __doc__.splitlines()[0])


if __name__ == "__main__":
    raise SystemExit(main())
