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

Pages load fast and stay on the machine: apps render with bpscare's Voila template
(:data:`VOILA_TEMPLATE`, Voila's ``lab`` template without its CDN links, shipped in
``bpscare/data/jupyter``), and a preheated kernel's replacement starts :data:`PREHEAT_FILL_DELAY`
seconds after a page took it, once that page has loaded, instead of competing with it for the CPU.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

PREHEAT_DENYLIST = ["lessons/", "assignments/"]
# JupyterLab extensions that a Voila page never needs. The instructor-side ones, where they are
# installed (an instructor's machine), fail to load inside Voila and fill the console with errors;
# jupyterlab_pygments only brings the code-highlighting style that nbconvert already writes into
# every Voila page, and loading it costs each page about 0.1 s of the browser's time.
EXTENSION_DENYLIST = [
    "@jupyter/nbgrader",
    "jupyterlab-jupytext",
    "@jupyter-notebook/lab-extension",
    "jupyterlab_pygments",
]


VOILA_TEMPLATE = "bpscare"
"""Voila's ``lab`` template without the links to Font Awesome and Mermaid on CDNs."""

PREHEAT_FILL_DELAY = 5.0
"""Seconds between a page taking a preheated kernel and the start of its replacement.

Voila's default (1 s) starts the new kernel, which imports the app and runs it, while the page
that took the old one is still loading Voila's scripts: on a 2-core machine with the browser on
it, the two compete and the first widget comes later. The price is paid only by a reload of the
same app within this delay, which waits for the replacement as it would with the default.
"""

KERNEL_CULLING = {
    "cull_idle_timeout": 900,
    "cull_interval": 60,
    "cull_connected": False,
    "cull_busy": False,
}
"""``MappingKernelManager`` settings: cull kernels idle and without a page for 15 minutes."""


def template_root() -> Path:
    """The Jupyter data folder that holds :data:`VOILA_TEMPLATE` (``voila/templates/bpscare``)."""
    return Path(__file__).resolve().parents[1] / "data" / "jupyter"


def template_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` with :func:`template_root` first on ``JUPYTER_PATH``, so Voila finds the template."""
    paths = [str(template_root()), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {**env, "JUPYTER_PATH": os.pathsep.join(dict.fromkeys(paths))}


def server_settings() -> dict:
    """The Jupyter server configuration of the learner environment (Voila as an extension).

    ``binder/postBuild`` installs it together with the template it names.
    """
    return {
        "MappingKernelManager": dict(KERNEL_CULLING),
        "VoilaConfiguration": {"template": VOILA_TEMPLATE},
    }


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
        "VoilaKernelManager": {
            "preheat_denylist": PREHEAT_DENYLIST,
            "fill_delay": PREHEAT_FILL_DELAY,
        },
        "MappingKernelManager": dict(KERNEL_CULLING),
    }


def write_voila_json(learner_dir: Path) -> None:
    """Write ``voila.json`` into the learner edition (read by Voila and by Binder)."""
    (Path(learner_dir) / "voila.json").write_text(json.dumps(voila_settings(), indent=2) + "\n")
