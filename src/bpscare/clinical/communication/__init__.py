"""Trust-building communication models: question prompt lists, preference forms and decision aids.

Plain models that the communication widgets render (and lessons can call directly), plus a
one-at-a-time explanation of the illustrative trust-cycle model, one module per concern:

- :mod:`~bpscare.clinical.communication.question_prompts` - the question bank and a patient's
  ordered question list;
- :mod:`~bpscare.clinical.communication.preferences` - the communication-preferences form and
  its summary for the care team;
- :mod:`~bpscare.clinical.communication.risk_formats` - natural frequencies and icon arrays;
- :mod:`~bpscare.clinical.communication.decision_aid` - the decision-aid model and its Markdown;
- :mod:`~bpscare.clinical.communication.decision_aid_checks` - IPDAS-inspired teaching checks;
- :mod:`~bpscare.clinical.communication.trust_effects` - which behaviours moved the trust curves.

Every public name is re-exported here, so ``from bpscare.clinical.communication import ...``
keeps working.
"""

from __future__ import annotations

from bpscare.clinical.communication.decision_aid import (
    DecisionAid,
    Option,
    Outcome,
    OutcomeKind,
    ValueStatement,
    decision_aid_to_markdown,
    with_option,
    with_outcome,
    with_value,
    without_option,
    without_outcome,
    without_value,
)
from bpscare.clinical.communication.decision_aid_checks import (
    DECISION_AID_CRITERIA,
    AidFinding,
    AidReview,
    check_decision_aid,
)
from bpscare.clinical.communication.preferences import (
    CHANNELS,
    DECISION_ROLES,
    DETAIL_LEVELS,
    CommunicationPreferences,
    check_preferences,
    preferences_summary,
    preferences_to_markdown,
)
from bpscare.clinical.communication.question_prompts import (
    QPL_TOPICS,
    QUESTION_BANK,
    QuestionList,
    QuestionPrompt,
    add_question,
    move_question,
    question_bank,
    question_list_feedback,
    question_list_text,
    remove_question,
)
from bpscare.clinical.communication.risk_formats import icon_array, natural_frequency
from bpscare.clinical.communication.trust_effects import (
    BEHAVIOUR_LABELS,
    HARMFUL_BEHAVIOURS,
    HELPFUL_BEHAVIOURS,
    BehaviourEffect,
    behaviour_effects,
    describe_effects,
)

__all__ = [
    "BEHAVIOUR_LABELS",
    "CHANNELS",
    "DECISION_AID_CRITERIA",
    "DECISION_ROLES",
    "DETAIL_LEVELS",
    "HARMFUL_BEHAVIOURS",
    "HELPFUL_BEHAVIOURS",
    "QPL_TOPICS",
    "QUESTION_BANK",
    "AidFinding",
    "AidReview",
    "BehaviourEffect",
    "CommunicationPreferences",
    "DecisionAid",
    "Option",
    "Outcome",
    "OutcomeKind",
    "QuestionList",
    "QuestionPrompt",
    "ValueStatement",
    "add_question",
    "behaviour_effects",
    "check_decision_aid",
    "check_preferences",
    "decision_aid_to_markdown",
    "describe_effects",
    "icon_array",
    "move_question",
    "natural_frequency",
    "preferences_summary",
    "preferences_to_markdown",
    "question_bank",
    "question_list_feedback",
    "question_list_text",
    "remove_question",
    "with_option",
    "with_outcome",
    "with_value",
    "without_option",
    "without_outcome",
    "without_value",
]
