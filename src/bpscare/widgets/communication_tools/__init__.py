"""Trust-building communication tools: question prompt list, preferences form, decision-aid builder.

Three views over the plain models in :mod:`bpscare.clinical.communication`, one module each
(``question_list_view``, ``preferences_view``, ``decision_aid_view``):

- :class:`QuestionPromptListView` - choose questions from the bank or write your own, order them
  and print the list (question prompt lists increase question asking when the clinician endorses
  them: Sansoni et al., Patient Educ Couns 2015);
- :class:`CommunicationPreferencesView` - how a person likes to receive results and news, whom to
  include, language, detail and decision role, summarised for the team;
- :class:`DecisionAidBuilder` - options, benefits and harms in natural frequencies, uncertainty
  and values, checked against teaching criteria inspired by IPDAS (Elwyn et al., BMJ 2006;
  decision aids: Stacey et al., Cochrane 2017).

The views hold no rules: every change goes through an injected pure function of the library.
These tools have no expert key; their answers are the models' dict forms (kinds
``question_list``, ``communication_preferences`` and ``decision_aid``), rebuilt by graders with
the models' ``from_dict``.
"""

from __future__ import annotations

from bpscare.widgets.communication_tools.decision_aid_view import (
    KIND_DECISION_AID,
    DecisionAidBuilder,
    aid_review_messages,
    decision_aid_builder,
)
from bpscare.widgets.communication_tools.preferences_view import (
    KIND_PREFERENCES,
    CommunicationPreferencesView,
    communication_preferences,
)
from bpscare.widgets.communication_tools.question_list_view import (
    KIND_QUESTION_LIST,
    QuestionPromptListView,
    question_prompt_list,
)

__all__ = [
    "KIND_DECISION_AID",
    "KIND_PREFERENCES",
    "KIND_QUESTION_LIST",
    "CommunicationPreferencesView",
    "DecisionAidBuilder",
    "QuestionPromptListView",
    "aid_review_messages",
    "communication_preferences",
    "decision_aid_builder",
    "question_prompt_list",
]
