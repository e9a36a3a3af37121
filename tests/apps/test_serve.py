"""Tests of bpscare.serve without a browser: the command line, the config and process cleanup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bpscare.apps.voila_config import (
    EXTENSION_DENYLIST,
    PREHEAT_FILL_DELAY,
    VOILA_TEMPLATE,
    template_environment,
    template_root,
    voila_settings,
    write_voila_json,
)
from bpscare.errors import BpscareError
from bpscare.serve import (
    _descendants,
    app_url,
    app_urls,
    free_port,
    start_voila,
    stop_voila,
    voila_command,
)

REPO = Path(__file__).resolve().parents[2]


def test_settings_keep_voila_safe_defaults_and_preheat_only_apps():
    config = voila_settings()["VoilaConfiguration"]
    assert config["strip_sources"] is True
    assert config["show_tracebacks"] is False
    assert "@jupyter/nbgrader" in config["extension_denylist"]
    denied = voila_settings()["VoilaKernelManager"]["preheat_denylist"]
    assert denied == ["lessons/", "assignments/"]


def test_write_voila_json_round_trips(tmp_path):
    write_voila_json(tmp_path)
    assert json.loads((tmp_path / "voila.json").read_text()) == voila_settings()


def test_command_serves_on_loopback_with_sources_stripped(tmp_path):
    command = voila_command(tmp_path, 9999)
    assert command[:3] == [sys.executable, "-m", "voila"]
    assert str(tmp_path.resolve()) in command
    for flag in (
        "--port=9999",
        "--Voila.ip=127.0.0.1",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--no-browser",
        "--preheat_kernel=True",
        "--pool_size=1",
        f"--template={VOILA_TEMPLATE}",
        f"--VoilaKernelManager.fill_delay={PREHEAT_FILL_DELAY}",
    ):
        assert flag in command
    assert not any("show_tracebacks=True" in part or "--debug" in part for part in command)


def test_command_without_preheat_and_with_another_python(tmp_path):
    command = voila_command(tmp_path, 8866, preheat=False, python="/opt/env/bin/python")
    assert command[0] == "/opt/env/bin/python"
    assert not any(part.startswith("--preheat_kernel") for part in command)


def test_app_urls_list_each_app_notebook(tmp_path):
    (tmp_path / "apps").mkdir()
    for name in ("b-app.ipynb", "a-app.ipynb", "notes.txt"):
        (tmp_path / "apps" / name).write_text("{}")
    assert app_urls(tmp_path, 8866) == [
        "http://127.0.0.1:8866/voila/render/apps/a-app.ipynb",
        "http://127.0.0.1:8866/voila/render/apps/b-app.ipynb",
    ]
    assert app_url(1, "screener") == app_url(1, "screener.ipynb")


def test_start_refuses_a_folder_that_is_not_a_learner_edition(tmp_path):
    with pytest.raises(BpscareError, match="no apps/ folder"):
        start_voila(tmp_path)


def test_free_port_is_bindable():
    import socket

    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_extension_denylist_names_only_instructor_extensions():
    assert "@jupyter-widgets/jupyterlab-manager" not in EXTENSION_DENYLIST
    assert "anywidget" not in EXTENSION_DENYLIST


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
def test_stop_ends_children_that_left_the_process_group(tmp_path):
    """Kernels start in sessions of their own; does stop_voila still end them?"""
    pid_file = tmp_path / "child.pid"
    script = f"setsid sleep 120 & echo $! > {pid_file}; wait"
    process = subprocess.Popen(["bash", "-c", script], start_new_session=True)
    deadline = time.monotonic() + 10
    while not (pid_file.is_file() and pid_file.read_text().strip()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(pid_file.read_text())
    assert child in [pid for pid, _start in _descendants(process.pid)]
    stop_voila(process)
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
    assert process.poll() is not None
    assert os.getpgid(os.getpid())  # this test process is untouched


def test_kernels_are_culled_the_same_way_everywhere(tmp_path):
    """Standalone Voila, voila.json and Binder's server config cull idle kernels alike."""
    from bpscare.apps.voila_config import KERNEL_CULLING, culling_arguments, server_settings
    from bpscare.serve import lab_command

    binder = json.loads((REPO / "binder" / "jupyter_server_config.json").read_text())
    assert binder == server_settings()
    assert binder["MappingKernelManager"] == KERNEL_CULLING
    assert voila_settings()["MappingKernelManager"] == KERNEL_CULLING
    assert KERNEL_CULLING["cull_idle_timeout"] > 0
    assert KERNEL_CULLING["cull_interval"] > 0
    assert KERNEL_CULLING["cull_connected"] is False  # an open lesson keeps its kernel
    for command in (voila_command(tmp_path, 9999), lab_command(tmp_path, 9999, "t")):
        for flag in culling_arguments():
            assert flag in command
    post_build = (REPO / "binder" / "postBuild").read_text()
    assert "jupyter_server_config.d/bpscare.json" in post_build


def test_template_is_found_first_on_jupyter_path_everywhere(tmp_path):
    """bpscare serve, Binder's server config and the lab server all render with the template."""
    from bpscare.apps.voila_config import server_settings
    from bpscare.serve import lab_command

    folder = template_root() / "voila" / "templates" / VOILA_TEMPLATE
    assert json.loads((folder / "conf.json").read_text()) == {"base_template": "lab"}
    assert (folder / "index.html.j2").is_file()
    env = template_environment({"JUPYTER_PATH": os.pathsep.join(["/a", str(template_root())])})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(template_root()), "/a"]
    assert template_environment({})["JUPYTER_PATH"] == str(template_root())
    assert server_settings()["VoilaConfiguration"] == {"template": VOILA_TEMPLATE}
    assert f"--VoilaConfiguration.template={VOILA_TEMPLATE}" in lab_command(tmp_path, 1, "t")
    post_build = (REPO / "binder" / "postBuild").read_text()
    assert "share/jupyter/voila/templates" in post_build
    assert "/data/jupyter/voila/templates/bpscare" in post_build
    assert template_root().parent.parent.name == "bpscare"  # the package folder postBuild finds


def test_preheated_kernels_refill_after_the_page_has_loaded():
    """The replacement kernel starts once the page that took a kernel has loaded, not during."""
    assert voila_settings()["VoilaKernelManager"]["fill_delay"] == PREHEAT_FILL_DELAY
    assert 3 <= PREHEAT_FILL_DELAY <= 10
    assert "jupyterlab_pygments" in EXTENSION_DENYLIST  # nbconvert writes its style in the page


def _tiny_edition(root: Path) -> Path:
    """A learner edition with one app notebook that shows a button (and its voila.json)."""
    import nbformat

    (root / "apps").mkdir(parents=True)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("A tiny app."),
        nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.Button(description='Go')"),
    ]
    nbformat.write(notebook, root / "apps" / "tiny.ipynb")
    write_voila_json(root)
    return root


@pytest.mark.parametrize("preheat", [False, True])
def test_served_app_page_names_no_outside_host(tmp_path, preheat):
    """The app page links no stylesheet or script on another host (no CDN), preheated or not."""
    import re
    import urllib.request

    learner = _tiny_edition(tmp_path / "learner")
    process, port = start_voila(learner, preheat=preheat, timeout=120)
    try:
        with urllib.request.urlopen(app_url(port, "tiny"), timeout=120) as response:
            page = response.read().decode()
    finally:
        stop_voila(process)
    assert "application/vnd.jupyter.widget-view+json" in page
    assert "cdn.jsdelivr.net" not in page
    assert "cdnjs.cloudflare.com" not in page
    loads = re.findall(r"<(?:link|script)\b[^>]*\b(?:href|src)=[\"']([^\"']+)", page)
    assert loads, "the page loads Voila's scripts and styles"
    assert [url for url in loads if re.match(r"(https?:)?//", url)] == []
    assert f"/voila/templates/{VOILA_TEMPLATE}/static/voila-style.js" in page
