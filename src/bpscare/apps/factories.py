"""App factories: one per exercise, each the shared frame around widgets in practice mode.

Every factory returns an ``ipywidgets.Widget`` and is called from a two-cell app notebook in
``course/apps/`` (served by Voila from the learner edition's ``apps/``). The widgets run with
``practice=True``: feedback comes from public checks only, and no expert key of a graded case,
no hidden check and no answer key is loaded into the learner's kernel or a synced trait. The
apps that use expert material use the teaching case and transcript (:data:`TEACHING_CASE`,
:data:`TEACHING_TRANSCRIPT`), which no assignment grades.

Widget modules are imported inside each factory, so an app notebook loads only what it shows.
"""

from __future__ import annotations

import ipywidgets as widgets

from bpscare.apps.frame import TEACHING_CASE, TEACHING_TRANSCRIPT, AppInfo, app_frame

__all__ = [
    "APPS",
    "build_app",
    "build_care_plan_app",
    "build_communication_app",
    "build_disparity_app",
    "build_formulation_app",
    "build_interruption_app",
    "build_language_app",
    "build_registry_app",
    "build_screener_app",
    "build_transcript_app",
    "build_trust_app",
    "build_virtual_patient_app",
]

PHQ_SOURCE = (
    "PHQ-9, GAD-7 and PHQ-15 scoring: Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:"
    "606-613; Spitzer et al., Arch Intern Med 2006;166:1092-1097; Kroenke et al., Psychosom Med "
    "2002;64:258-266. Item text developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt "
    "Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required "
    "to reproduce, translate, display or distribute."
)
FORMULATION_SOURCE = (
    "4P x biopsychosocial formulation: Engel, Science 1977;196:129-136; Bolton, 2014 "
    "('Why vulnerable? Why now? Why still ill? Why not more ill?')."
)
INTERRUPTION_SOURCE = (
    "Agenda elicitation and interruption: Singh Ospina et al., J Gen Intern Med 2019;34:36-40 "
    "(interrupted after a median 11 s); Beckman & Frankel, Ann Intern Med 1984;101:692-696."
)
RIAS_SOURCE = "Utterance codes adapted from the Roter Interaction Analysis System (RIAS)."
CALGARY_SOURCE = "Calgary-Cambridge guide: Kurtz & Silverman, Med Educ 1996;30:83-89."
DISPARITY_SOURCE = (
    "Analgesia disparities: Meghani, Byun & Gallagher, Pain Med 2012;13:150-174; Lee et al., "
    "Am J Emerg Med 2019. The cohort in this app is synthetic."
)
TRUST_SOURCE = (
    "Trust in physicians and hospitals: Perlis et al., JAMA Netw Open 2024;7(7):e2424984. The "
    "simulator is a teaching model, not a prediction."
)
CARE_PLAN_SOURCE = (
    "Collaborative care principles: AIMS Center, University of Washington; measurement-based "
    "treatment to target (response = at least 50 % drop in PHQ-9, remission = PHQ-9 below 5: "
    "ICSI depression guideline)."
)
REGISTRY_SOURCE = (
    "Registry and systematic case review: AIMS Center, University of Washington; response and "
    "remission definitions: ICSI depression guideline and NCQA HEDIS DRR-E. Patients are "
    "synthetic."
)
COMMUNICATION_SOURCES = (
    "Question prompt lists: Sansoni et al., Patient Educ Couns 2015; Kinnersley et al., "
    "Cochrane review 2008.",
    "Decision aids: Stacey et al., Cochrane Database Syst Rev 2017 (CD001431.pub5).",
    "Teach-back: AHRQ Health Literacy Universal Precautions Toolkit, 2nd ed., 2015.",
)


def build_screener_app(instrument: str = "phq9") -> widgets.Widget:
    """Screener practice: fill in a PHQ-family screener and see its score and safety actions.

    Parameters
    ----------
    instrument
        Instrument name known to :mod:`bpscare.clinical.instruments` (e.g. ``"phq9"``, ``"gad7"``).

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.widgets.screener import screener_form

    body = screener_form(instrument, practice=True)
    return app_frame(
        "Screener practice",
        [
            "Answer each item as the person in your case would, or try your own made-up answers.",
            "Read the total, the severity band and any safety action the screener calls for.",
            "A positive screen is a prompt for a conversation, not a diagnosis.",
        ],
        body,
        sources=[PHQ_SOURCE],
    )


def build_virtual_patient_app(case_id: str = TEACHING_CASE) -> widgets.Widget:
    """Virtual patient: interview a synthetic person by choosing questions from the bank.

    Parameters
    ----------
    case_id
        Bundled case id; the default is the teaching case, which no assignment grades.

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.widgets.virtual_patient import virtual_patient

    # Only the teaching case's key questions are public teaching material.
    body = virtual_patient(case_id, practice=True, compare_with_expert=case_id == TEACHING_CASE)
    return app_frame(
        "Virtual patient interview",
        [
            "Choose a question and ask it; the person answers in their own words.",
            "Start open, listen to the whole story, then ask about ideas, concerns and "
            "expectations.",
            "The feedback shows which parts of a biopsychosocial history you have covered.",
        ],
        body,
        sources=[CALGARY_SOURCE, FORMULATION_SOURCE],
    )


def build_formulation_app(case_id: str = TEACHING_CASE) -> widgets.Widget:
    """Formulation grid: sort a case's findings into the 4P x biopsychosocial grid.

    Parameters
    ----------
    case_id
        Bundled case id; the default is the teaching case, which no assignment grades.

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.widgets.formulation_grid import formulation_grid

    # Only the teaching case's expert grid is public teaching material.
    body = formulation_grid(case_id, practice=True, compare_with_expert=case_id == TEACHING_CASE)
    return app_frame(
        "Formulation grid",
        [
            "Read the case, then place each finding in a cell: predisposing, precipitating, "
            "perpetuating or protective, and biological, psychological or social.",
            "Press the check button for feedback on coverage and structure.",
        ],
        body,
        sources=[FORMULATION_SOURCE],
    )


def build_transcript_app(transcript_id: str = TEACHING_TRANSCRIPT) -> widgets.Widget:
    """Transcript annotation: code each clinician utterance of a teaching transcript.

    Parameters
    ----------
    transcript_id
        Bundled transcript id; the default is the teaching transcript, which no assignment
        grades.

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.widgets.transcript_annotator import transcript_annotator

    # Only the teaching transcript's expert codes are public teaching material.
    body = transcript_annotator(
        transcript_id, practice=True, compare_with_expert=transcript_id == TEACHING_TRANSCRIPT
    )
    return app_frame(
        "Transcript annotation",
        [
            "Read the visit line by line and give each utterance a code.",
            "Look for open and closed questions, interruptions, empathy and dismissive wording.",
        ],
        body,
        sources=[RIAS_SOURCE, INTERRUPTION_SOURCE],
    )


def build_interruption_app(transcript_id: str = TEACHING_TRANSCRIPT) -> widgets.Widget:
    """Interruption timeline: see who talks when, and when the opening story is cut off.

    Parameters
    ----------
    transcript_id
        Bundled transcript id; the default is the teaching transcript.

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.widgets.interruption_timeline import interruption_timeline

    body = interruption_timeline(
        transcript_id, practice=True, compare_with_expert=transcript_id == TEACHING_TRANSCRIPT
    )
    return app_frame(
        "Interruption timeline",
        [
            "Choose a transcript, read it, and mark the clinician's opening question and the "
            "first interruption of the person's opening statement.",
            "Compare your timing with the published medians: 11 seconds to interruption, 6 "
            "seconds for an uninterrupted opening statement.",
        ],
        body,
        sources=[INTERRUPTION_SOURCE],
    )


def build_disparity_app(seed: int = 0) -> widgets.Widget:
    """Disparity explorer: compare analgesia rates between groups in a synthetic ED cohort.

    Parameters
    ----------
    seed
        Seed of the synthetic cohort; keep it different from any graded assignment's cohort,
        so the app never shows the figures an assignment asks for.

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.widgets.disparity_explorer import disparity_explorer

    body = disparity_explorer(seed=seed, practice=True)
    return app_frame(
        "Disparity explorer",
        [
            "Choose the outcome, the group to compare and the reference group; narrow the "
            "visits by pain category and pain score.",
            "Switch between the risk ratio and the odds ratio with their 95 % intervals, and "
            "notice that an odds ratio is not a risk ratio.",
        ],
        body,
        sources=[DISPARITY_SOURCE],
    )


def build_trust_app() -> widgets.Widget:
    """Trust simulator: see how dismissive or trust-building acts change a trust score.

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.widgets.trust_simulator import trust_simulator

    body = trust_simulator(practice=True)
    return app_frame(
        "Trust simulator",
        [
            "Move the sliders: how often the clinician does each helpful or harmful thing.",
            "Add a one-visit event and watch how trust, arousal and symptom burden respond "
            "over the visits. The model is illustrative, not a prediction.",
        ],
        body,
        sources=[TRUST_SOURCE],
    )


def build_care_plan_app(case_id: str = TEACHING_CASE) -> widgets.Widget:
    """Care-plan builder: draft an integrated care plan and check it for completeness.

    Parameters
    ----------
    case_id
        Bundled case id; the default is the teaching case. Feedback uses the public
        completeness checks only.

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.widgets.care_plan_builder import care_plan_builder

    body = care_plan_builder(case_id, practice=True)
    return app_frame(
        "Care-plan builder",
        [
            "Write shared goals in the person's words, choose team roles and a follow-up measure.",
            "Press the check button: the feedback lists what a complete plan still needs.",
        ],
        body,
        sources=[CARE_PLAN_SOURCE],
    )


def build_registry_app(seed: int = 0) -> widgets.Widget:
    """Registry dashboard: review a synthetic caseload the way a collaborative-care team does.

    Parameters
    ----------
    seed
        Seed of the synthetic registry (the same seed gives the same caseload).

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.widgets.registry_dashboard import registry_dashboard

    body = registry_dashboard(seed=seed, practice=True)
    return app_frame(
        "Registry dashboard",
        [
            "Move the registry date, switch the measure and filter the caseload.",
            "Find who needs a systematic case review and choose whom to bring to it.",
            "Response is a PHQ-9 drop of at least 50 %; remission is a PHQ-9 below 5.",
        ],
        body,
        sources=[REGISTRY_SOURCE],
    )


def build_communication_app() -> widgets.Widget:
    """Communication tools: a question prompt list, preferences form and decision-aid builder.

    Returns
    -------
    ipywidgets.Widget
        The framed app (one tab per tool).
    """
    from bpscare.widgets.communication_tools import (
        communication_preferences,
        decision_aid_builder,
        question_prompt_list,
    )

    tools = [
        ("Question prompt list", question_prompt_list(practice=True)),
        ("Communication preferences", communication_preferences(practice=True)),
        ("Decision aid", decision_aid_builder(practice=True)),
    ]
    tabs = widgets.Tab(children=[tool for _title, tool in tools])
    tabs.titles = tuple(title for title, _tool in tools)
    return app_frame(
        "Communication tools",
        [
            "Use each tab: prepare questions with a person before a visit, record how they "
            "prefer to be told things, and lay out options in natural frequencies.",
        ],
        tabs,
        sources=list(COMMUNICATION_SOURCES),
    )


LANGUAGE_SOURCE = (
    "Stigmatizing language in records: Park et al., JAMA Netw Open 2021;4(7):e2117052; Beach et "
    "al., J Gen Intern Med 2021;36:1708-1714; Goddu et al., J Gen Intern Med 2018;33:685-691; "
    "Sun et al., Health Aff 2022;41:203-211. The note is synthetic."
)


def build_language_app() -> widgets.Widget:
    """Wording check: rewrite a synthetic chart note without stigmatizing language.

    Returns
    -------
    ipywidgets.Widget
        The framed app.
    """
    from bpscare.apps.language_check import language_check

    return app_frame(
        "Wording check",
        [
            "Read the synthetic note: it uses words that doubt, blame or label the person.",
            "Rewrite it so it records what happened and what the person said, then press "
            "Check wording. Quoted words someone actually said are acceptable.",
        ],
        language_check(),
        sources=[LANGUAGE_SOURCE],
    )


APPS: tuple[AppInfo, ...] = (
    AppInfo(
        "screener",
        "build_screener_app",
        "Screener practice",
        "score a PHQ-family screener and see its safety actions",
    ),
    AppInfo(
        "virtual-patient",
        "build_virtual_patient_app",
        "Virtual patient interview",
        "interview a synthetic person with questions from the bank",
    ),
    AppInfo(
        "formulation-grid",
        "build_formulation_app",
        "Formulation grid",
        "sort a teaching case's findings into the 4P x biopsychosocial grid",
    ),
    AppInfo(
        "transcript-annotator",
        "build_transcript_app",
        "Transcript annotation",
        "code the utterances of a teaching transcript",
    ),
    AppInfo(
        "interruption-timeline",
        "build_interruption_app",
        "Interruption timeline",
        "see when the opening story is interrupted",
    ),
    AppInfo(
        "language-check",
        "build_language_app",
        "Wording check",
        "rewrite a chart note without stigmatizing language",
    ),
    AppInfo(
        "disparity-explorer",
        "build_disparity_app",
        "Disparity explorer",
        "risk and odds ratios of analgesia in a synthetic cohort",
    ),
    AppInfo(
        "trust-simulator",
        "build_trust_app",
        "Trust simulator",
        "how clinician acts change trust and distress",
    ),
    AppInfo(
        "care-plan-builder",
        "build_care_plan_app",
        "Care-plan builder",
        "draft an integrated care plan and check its completeness",
    ),
    AppInfo(
        "registry-dashboard",
        "build_registry_app",
        "Registry dashboard",
        "review a synthetic collaborative-care caseload",
    ),
    AppInfo(
        "communication-tools",
        "build_communication_app",
        "Communication tools",
        "question prompt list, preferences form and decision aid",
    ),
)


def build_app(name: str, **options: object) -> widgets.Widget:
    """Build the app called ``name`` (a notebook stem of :data:`APPS`) with its factory.

    Parameters
    ----------
    name
        App name, e.g. ``"screener"``.
    **options
        Passed to the factory (e.g. ``case_id=...``).

    Returns
    -------
    ipywidgets.Widget
        The framed app.

    Raises
    ------
    ValueError
        If ``name`` is not an app of :data:`APPS`.
    """
    for info in APPS:
        if info.name == name:
            return globals()[info.factory](**options)
    known = ", ".join(info.name for info in APPS)
    msg = f"unknown app name {name!r}; known apps: {known}"
    raise ValueError(msg)
