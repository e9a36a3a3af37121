"""Voila apps: one factory per exercise, each a widget in practice mode inside a shared frame.

An app notebook in ``course/apps/`` is two cells: a title and ``build_<name>_app()``. ``bpscare
build`` writes the notebooks into the learner edition's ``apps/``, and ``bpscare serve`` (or
Binder's ``?urlpath=voila/render/apps/<name>.ipynb``) serves them with Voila.
"""

from __future__ import annotations

from bpscare.apps.factories import (
    APPS,
    build_app,
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
from bpscare.apps.frame import (
    PRACTICE_NOTE,
    TEACHING_CASE,
    TEACHING_TRANSCRIPT,
    AppInfo,
    app_frame,
)

__all__ = [
    "APPS",
    "PRACTICE_NOTE",
    "TEACHING_CASE",
    "TEACHING_TRANSCRIPT",
    "AppInfo",
    "app_frame",
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
