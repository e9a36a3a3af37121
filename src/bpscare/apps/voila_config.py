"""Voila's settings for the learner edition, pinned to its safe defaults.

Sources are stripped and tracebacks hidden: with ``show_tracebacks`` on, a failing cell's
source line reaches the page. ``bpscare build`` writes these settings into the learner edition's
``voila.json`` (read by Voila and by Binder) and ``bpscare serve`` passes them on the command line.
"""

from __future__ import annotations

import json
from pathlib import Path

PREHEAT_DENYLIST = ["lessons/", "assignments/"]
# Instructor-side JupyterLab extensions that an app page never needs; where they are installed
# (an instructor's machine) they fail to load inside Voila and fill the console with errors.
EXTENSION_DENYLIST = ["@jupyter/nbgrader", "jupyterlab-jupytext", "@jupyter-notebook/lab-extension"]


def voila_settings() -> dict:
    """The Voila configuration written to the learner edition's ``voila.json``."""
    return {
        "VoilaConfiguration": {
            "strip_sources": True,
            "show_tracebacks": False,
            "extension_denylist": EXTENSION_DENYLIST,
        },
        "VoilaKernelManager": {"preheat_denylist": PREHEAT_DENYLIST},
    }


def write_voila_json(learner_dir: Path) -> None:
    """Write ``voila.json`` into the learner edition (read by Voila and by Binder)."""
    (Path(learner_dir) / "voila.json").write_text(json.dumps(voila_settings(), indent=2) + "\n")
