"""Voila's settings for the learner edition, pinned to its safe defaults, and kernel culling.

Sources are stripped and tracebacks hidden: with ``show_tracebacks`` on, a failing cell's
source line reaches the page. ``bpscare build`` writes these settings into the learner edition's
``voila.json`` (read by Voila and by Binder) and ``bpscare serve`` passes them on the command line.

Kernels end: a closed or reloaded app shuts its kernel down (see :mod:`bpscare.widgets.page`
for the ``_xsrf`` repair that makes Voila's shutdown call succeed), and a kernel whose page went
away without saying so (a crashed tab, a phone that dropped the connection) is culled after
:data:`KERNEL_CULLING` ``cull_idle_timeout`` seconds without a connection or activity. A
kernel with an open page is never culled, so a lesson left open keeps its state. The same
settings go to standalone Voila (``voila.json``, ``bpscare serve``) and to the Jupyter server
that runs Voila as an extension on Binder (``binder/jupyter_server_config.json``, installed by
``binder/postBuild``).
"""

from __future__ import annotations

import json
from pathlib import Path

PREHEAT_DENYLIST = ["lessons/", "assignments/"]
# Instructor-side JupyterLab extensions that an app page never needs; where they are installed
# (an instructor's machine) they fail to load inside Voila and fill the console with errors.
EXTENSION_DENYLIST = ["@jupyter/nbgrader", "jupyterlab-jupytext", "@jupyter-notebook/lab-extension"]


KERNEL_CULLING = {
    "cull_idle_timeout": 900,
    "cull_interval": 60,
    "cull_connected": False,
    "cull_busy": False,
}
"""``MappingKernelManager`` settings: cull kernels idle and without a page for 15 minutes."""


def server_settings() -> dict:
    """The Jupyter server configuration of the learner environment (Voila as an extension)."""
    return {"MappingKernelManager": dict(KERNEL_CULLING)}


def culling_arguments() -> list[str]:
    """:data:`KERNEL_CULLING` as command-line options of ``voila`` or ``jupyter lab``."""
    return [f"--MappingKernelManager.{name}={value}" for name, value in KERNEL_CULLING.items()]


def voila_settings() -> dict:
    """The Voila configuration written to the learner edition's ``voila.json``."""
    return {
        "VoilaConfiguration": {
            "strip_sources": True,
            "show_tracebacks": False,
            "extension_denylist": EXTENSION_DENYLIST,
        },
        "VoilaKernelManager": {"preheat_denylist": PREHEAT_DENYLIST},
        "MappingKernelManager": dict(KERNEL_CULLING),
    }


def write_voila_json(learner_dir: Path) -> None:
    """Write ``voila.json`` into the learner edition (read by Voila and by Binder)."""
    (Path(learner_dir) / "voila.json").write_text(json.dumps(voila_settings(), indent=2) + "\n")
