"""The one way into the library for course content: lessons, assignments, autograders and apps.

Everything a notebook in ``modules/``, ``assignments/``, ``autograders/`` or ``course/apps/``
needs is imported from here, and only from here (a test enforces it)::

    from bpscare.api import Checks, load_case, save_answer, screener_form

The rest of the library (build, grading engine, reports) is for the command line and may move;
these names are kept stable, typed and documented in ``docs/api.md``. Each name is imported on
first use, so a notebook that needs a screener score does not pay for every widget.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpscare.apps.factories import (
        build_care_plan_app,
        build_communication_app,
        build_disparity_app,
        build_formulation_app,
        build_interruption_app,
        build_language_app,
        build_registry_app,
        build_screener_app,
        build_transcript_app,
        build_trust_app,
        build_virtual_patient_app,
    )
    from bpscare.clinical.careplan import (
        CarePlan,
        FollowUp,
        Referral,
        SafetyNet,
        SmartGoal,
        TeamMember,
        check_plan,
        red_flag_matches,
        smart_parts,
    )
    from bpscare.clinical.careplan import vocabulary as care_plan_vocabulary
    from bpscare.clinical.cases import load_case
    from bpscare.clinical.communication import (
        QPL_TOPICS,
        CommunicationPreferences,
        behaviour_effects,
        check_preferences,
        describe_effects,
        icon_array,
        natural_frequency,
        preferences_summary,
    )
    from bpscare.clinical.communication import question_bank as question_prompts
    from bpscare.clinical.disparities import (
        generate_ed_cohort,
        mantel_haenszel_odds_ratio,
        odds_ratio,
        rates,
        risk_ratio,
        stratified_odds_ratio,
    )
    from bpscare.clinical.formulation import DOMAINS, FOUR_PS, Formulation
    from bpscare.clinical.functional_explanation import check_explanation
    from bpscare.clinical.instruments import recommended_action
    from bpscare.clinical.instruments import score as score_screener
    from bpscare.clinical.language import flagged_terms, scan_text
    from bpscare.clinical.registry import (
        classify_change,
        generate_caseload,
        patient_trajectory,
        registry_status,
        treat_to_target_summary,
    )
    from bpscare.clinical.transcripts import (
        cohen_kappa,
        load_transcript,
        time_to_first_interruption,
        transcript_from_dict,
    )
    from bpscare.clinical.transcripts import summary as transcript_summary
    from bpscare.clinical.trust_model import ILLUSTRATIVE_NOTE, compare_scenarios
    from bpscare.clinical.trust_model import scenario as trust_scenario
    from bpscare.grading.answers import load_answer, save_answer, submitted_answer
    from bpscare.grading.checks import Checks
    from bpscare.grading.item_formats import (
        SCT_SCALE,
        ChoiceError,
        coding_credit,
        concordance_credit,
        harmful_choices,
        key_feature_credit,
        matching_credit,
        ordering_credit,
        panel_placement_credit,
        read_choice,
        read_choices,
        read_order,
    )
    from bpscare.widgets.care_plan_builder import care_plan_builder
    from bpscare.widgets.communication_tools import (
        communication_preferences,
        decision_aid_builder,
        question_prompt_list,
    )
    from bpscare.widgets.disparity_explorer import disparity_explorer
    from bpscare.widgets.explanation_practice import explanation_practice
    from bpscare.widgets.formulation_grid import FormulationGridView, formulation_grid
    from bpscare.widgets.interruption_timeline import interruption_timeline
    from bpscare.widgets.item_practice import build_practice_app, practice_items
    from bpscare.widgets.knowledge_check import knowledge_check
    from bpscare.widgets.registry_dashboard import registry_dashboard
    from bpscare.widgets.screener import screener_form
    from bpscare.widgets.submit import submit_button
    from bpscare.widgets.transcript_annotator import TranscriptAnnotatorView, transcript_annotator
    from bpscare.widgets.trust_simulator import trust_simulator
    from bpscare.widgets.virtual_patient import virtual_patient

#: Public name -> (home module, attribute there), grouped as in ``docs/api.md``.
SECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "Grading: checks and saved answers": {
        "Checks": ("bpscare.grading.checks", "Checks"),
        "save_answer": ("bpscare.grading.answers", "save_answer"),
        "load_answer": ("bpscare.grading.answers", "load_answer"),
        "submitted_answer": ("bpscare.grading.answers", "submitted_answer"),
    },
    "Item formats: reading choices and scoring them": {
        "read_choice": ("bpscare.grading.item_formats", "read_choice"),
        "read_choices": ("bpscare.grading.item_formats", "read_choices"),
        "read_order": ("bpscare.grading.item_formats", "read_order"),
        "ChoiceError": ("bpscare.grading.item_formats", "ChoiceError"),
        "SCT_SCALE": ("bpscare.grading.item_formats", "SCT_SCALE"),
        "key_feature_credit": ("bpscare.grading.item_formats", "key_feature_credit"),
        "harmful_choices": ("bpscare.grading.item_formats", "harmful_choices"),
        "concordance_credit": ("bpscare.grading.item_formats", "concordance_credit"),
        "matching_credit": ("bpscare.grading.item_formats", "matching_credit"),
        "ordering_credit": ("bpscare.grading.item_formats", "ordering_credit"),
        "panel_placement_credit": ("bpscare.grading.item_formats", "panel_placement_credit"),
        "coding_credit": ("bpscare.grading.item_formats", "coding_credit"),
    },
    "Screeners": {
        "score_screener": ("bpscare.clinical.instruments", "score"),
        "recommended_action": ("bpscare.clinical.instruments", "recommended_action"),
    },
    "Cases and formulation": {
        "load_case": ("bpscare.clinical.cases", "load_case"),
        "Formulation": ("bpscare.clinical.formulation", "Formulation"),
        "DOMAINS": ("bpscare.clinical.formulation", "DOMAINS"),
        "FOUR_PS": ("bpscare.clinical.formulation", "FOUR_PS"),
    },
    "Transcripts": {
        "load_transcript": ("bpscare.clinical.transcripts", "load_transcript"),
        "transcript_from_dict": ("bpscare.clinical.transcripts", "transcript_from_dict"),
        "cohen_kappa": ("bpscare.clinical.transcripts", "cohen_kappa"),
        "transcript_summary": ("bpscare.clinical.transcripts", "summary"),
        "time_to_first_interruption": (
            "bpscare.clinical.transcripts",
            "time_to_first_interruption",
        ),
    },
    "Language": {
        "scan_text": ("bpscare.clinical.language", "scan_text"),
        "flagged_terms": ("bpscare.clinical.language", "flagged_terms"),
    },
    "Disparity data": {
        "generate_ed_cohort": ("bpscare.clinical.disparities", "generate_ed_cohort"),
        "rates": ("bpscare.clinical.disparities", "rates"),
        "risk_ratio": ("bpscare.clinical.disparities", "risk_ratio"),
        "odds_ratio": ("bpscare.clinical.disparities", "odds_ratio"),
        "stratified_odds_ratio": ("bpscare.clinical.disparities", "stratified_odds_ratio"),
        "mantel_haenszel_odds_ratio": (
            "bpscare.clinical.disparities",
            "mantel_haenszel_odds_ratio",
        ),
    },
    "Trust-cycle teaching model": {
        "ILLUSTRATIVE_NOTE": ("bpscare.clinical.trust_model", "ILLUSTRATIVE_NOTE"),
        "trust_scenario": ("bpscare.clinical.trust_model", "scenario"),
        "compare_scenarios": ("bpscare.clinical.trust_model", "compare_scenarios"),
    },
    "Communication tools": {
        "CommunicationPreferences": ("bpscare.clinical.communication", "CommunicationPreferences"),
        "QPL_TOPICS": ("bpscare.clinical.communication", "QPL_TOPICS"),
        "question_prompts": ("bpscare.clinical.communication", "question_bank"),
        "check_preferences": ("bpscare.clinical.communication", "check_preferences"),
        "preferences_summary": ("bpscare.clinical.communication", "preferences_summary"),
        "natural_frequency": ("bpscare.clinical.communication", "natural_frequency"),
        "icon_array": ("bpscare.clinical.communication", "icon_array"),
        "behaviour_effects": ("bpscare.clinical.communication", "behaviour_effects"),
        "describe_effects": ("bpscare.clinical.communication", "describe_effects"),
        "check_explanation": ("bpscare.clinical.functional_explanation", "check_explanation"),
    },
    "Care plans": {
        "CarePlan": ("bpscare.clinical.careplan", "CarePlan"),
        "SmartGoal": ("bpscare.clinical.careplan", "SmartGoal"),
        "TeamMember": ("bpscare.clinical.careplan", "TeamMember"),
        "Referral": ("bpscare.clinical.careplan", "Referral"),
        "SafetyNet": ("bpscare.clinical.careplan", "SafetyNet"),
        "FollowUp": ("bpscare.clinical.careplan", "FollowUp"),
        "check_plan": ("bpscare.clinical.careplan", "check_plan"),
        "smart_parts": ("bpscare.clinical.careplan", "smart_parts"),
        "red_flag_matches": ("bpscare.clinical.careplan", "red_flag_matches"),
        "care_plan_vocabulary": ("bpscare.clinical.careplan", "vocabulary"),
    },
    "Measurement-based care registry": {
        "generate_caseload": ("bpscare.clinical.registry", "generate_caseload"),
        "registry_status": ("bpscare.clinical.registry", "registry_status"),
        "patient_trajectory": ("bpscare.clinical.registry", "patient_trajectory"),
        "classify_change": ("bpscare.clinical.registry", "classify_change"),
        "treat_to_target_summary": ("bpscare.clinical.registry", "treat_to_target_summary"),
    },
    "Widgets": {
        "knowledge_check": ("bpscare.widgets.knowledge_check", "knowledge_check"),
        "submit_button": ("bpscare.widgets.submit", "submit_button"),
        "screener_form": ("bpscare.widgets.screener", "screener_form"),
        "virtual_patient": ("bpscare.widgets.virtual_patient", "virtual_patient"),
        "formulation_grid": ("bpscare.widgets.formulation_grid", "formulation_grid"),
        "FormulationGridView": ("bpscare.widgets.formulation_grid", "FormulationGridView"),
        "transcript_annotator": ("bpscare.widgets.transcript_annotator", "transcript_annotator"),
        "TranscriptAnnotatorView": (
            "bpscare.widgets.transcript_annotator",
            "TranscriptAnnotatorView",
        ),
        "interruption_timeline": ("bpscare.widgets.interruption_timeline", "interruption_timeline"),
        "disparity_explorer": ("bpscare.widgets.disparity_explorer", "disparity_explorer"),
        "trust_simulator": ("bpscare.widgets.trust_simulator", "trust_simulator"),
        "care_plan_builder": ("bpscare.widgets.care_plan_builder", "care_plan_builder"),
        "registry_dashboard": ("bpscare.widgets.registry_dashboard", "registry_dashboard"),
        "question_prompt_list": ("bpscare.widgets.communication_tools", "question_prompt_list"),
        "communication_preferences": (
            "bpscare.widgets.communication_tools",
            "communication_preferences",
        ),
        "decision_aid_builder": ("bpscare.widgets.communication_tools", "decision_aid_builder"),
        "explanation_practice": ("bpscare.widgets.explanation_practice", "explanation_practice"),
        "practice_items": ("bpscare.widgets.item_practice", "practice_items"),
    },
    "Voila practice apps": {
        "build_screener_app": ("bpscare.apps.factories", "build_screener_app"),
        "build_virtual_patient_app": ("bpscare.apps.factories", "build_virtual_patient_app"),
        "build_formulation_app": ("bpscare.apps.factories", "build_formulation_app"),
        "build_transcript_app": ("bpscare.apps.factories", "build_transcript_app"),
        "build_interruption_app": ("bpscare.apps.factories", "build_interruption_app"),
        "build_disparity_app": ("bpscare.apps.factories", "build_disparity_app"),
        "build_trust_app": ("bpscare.apps.factories", "build_trust_app"),
        "build_care_plan_app": ("bpscare.apps.factories", "build_care_plan_app"),
        "build_registry_app": ("bpscare.apps.factories", "build_registry_app"),
        "build_communication_app": ("bpscare.apps.factories", "build_communication_app"),
        "build_language_app": ("bpscare.apps.factories", "build_language_app"),
        "build_practice_app": ("bpscare.widgets.item_practice", "build_practice_app"),
    },
}
_HOMES = {name: home for section in SECTIONS.values() for name, home in section.items()}

__all__ = [
    "DOMAINS",
    "FOUR_PS",
    "ILLUSTRATIVE_NOTE",
    "QPL_TOPICS",
    "SCT_SCALE",
    "CarePlan",
    "Checks",
    "ChoiceError",
    "CommunicationPreferences",
    "FollowUp",
    "Formulation",
    "FormulationGridView",
    "Referral",
    "SafetyNet",
    "SmartGoal",
    "TeamMember",
    "TranscriptAnnotatorView",
    "behaviour_effects",
    "build_care_plan_app",
    "build_communication_app",
    "build_disparity_app",
    "build_formulation_app",
    "build_interruption_app",
    "build_language_app",
    "build_practice_app",
    "build_registry_app",
    "build_screener_app",
    "build_transcript_app",
    "build_trust_app",
    "build_virtual_patient_app",
    "care_plan_builder",
    "care_plan_vocabulary",
    "check_explanation",
    "check_plan",
    "check_preferences",
    "classify_change",
    "coding_credit",
    "cohen_kappa",
    "communication_preferences",
    "compare_scenarios",
    "concordance_credit",
    "decision_aid_builder",
    "describe_effects",
    "disparity_explorer",
    "explanation_practice",
    "flagged_terms",
    "formulation_grid",
    "generate_caseload",
    "generate_ed_cohort",
    "harmful_choices",
    "icon_array",
    "interruption_timeline",
    "key_feature_credit",
    "knowledge_check",
    "load_answer",
    "load_case",
    "load_transcript",
    "mantel_haenszel_odds_ratio",
    "matching_credit",
    "natural_frequency",
    "odds_ratio",
    "ordering_credit",
    "panel_placement_credit",
    "patient_trajectory",
    "practice_items",
    "preferences_summary",
    "question_prompt_list",
    "question_prompts",
    "rates",
    "read_choice",
    "read_choices",
    "read_order",
    "recommended_action",
    "red_flag_matches",
    "registry_dashboard",
    "registry_status",
    "risk_ratio",
    "save_answer",
    "scan_text",
    "score_screener",
    "screener_form",
    "smart_parts",
    "stratified_odds_ratio",
    "submit_button",
    "submitted_answer",
    "time_to_first_interruption",
    "transcript_annotator",
    "transcript_from_dict",
    "transcript_summary",
    "treat_to_target_summary",
    "trust_scenario",
    "trust_simulator",
    "virtual_patient",
]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _HOMES[name]
    except KeyError:
        msg = f"module 'bpscare.api' has no attribute {name!r}; docs/api.md lists what it has"
        raise AttributeError(msg) from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
