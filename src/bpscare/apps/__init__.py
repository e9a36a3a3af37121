"""Voila apps: one factory per exercise, each a widget in practice mode inside a shared frame.

An app notebook in ``course/apps/`` is two cells: a title and ``build_<name>_app()``. ``bpscare
build`` writes the notebooks into the learner edition's ``apps/``, and ``bpscare serve`` (or
Binder's ``?urlpath=voila/render/apps/<name>.ipynb``) serves them with Voila.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {name: "bpscare.apps.factories" for name in __all__} | {
    name: "bpscare.apps.frame"
    for name in ("PRACTICE_NOTE", "TEACHING_CASE", "TEACHING_TRANSCRIPT", "AppInfo", "app_frame")
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    msg = f"module 'bpscare.apps' has no attribute {name!r}"
    raise AttributeError(msg)
