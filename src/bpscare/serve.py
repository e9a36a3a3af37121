"""``bpscare serve``: the learner edition's Voila apps on 127.0.0.1, with Voila's safe defaults.

Sources are stripped and tracebacks hidden (Voila's defaults, pinned explicitly here and in the
learner edition's ``voila.json``: with ``show_tracebacks`` on, a failing cell's source line
reaches the page). Kernels for the apps are preheated, so the first visitor does not wait for a
kernel to start and the notebook to run; lessons and assignments are not preheated. Kernels end:
a closed app shuts its kernel down and kernels left without a page are culled
(:data:`bpscare.apps.voila_config.KERNEL_CULLING`). Pages come from bpscare's Voila template,
found through ``JUPYTER_PATH`` (:func:`bpscare.apps.voila_config.template_environment`): Voila's
``lab`` template without links to CDNs, so a page fetches nothing from outside the server.

:func:`start_lab` serves a folder with JupyterLab, Voila running inside it as a server
extension, configured as Binder configures it (``binder/jupyter_server_config.json``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bpscare.apps.voila_config import (
    PREHEAT_FILL_DELAY,
    VOILA_TEMPLATE,
    culling_arguments,
    template_environment,
)
from bpscare.errors import BpscareError


def voila_command(
    learner_dir: Path,
    port: int,
    *,
    preheat: bool = True,
    pool_size: int = 1,
    python: str | Path | None = None,
) -> list[str]:
    """Return the command line that serves ``learner_dir`` with Voila on loopback.

    ``python`` is the interpreter whose Voila runs (default: this one), e.g. a learner
    environment built from ``binder/requirements.txt``.
    """
    command = [
        str(python or sys.executable),
        "-m",
        "voila",
        str(Path(learner_dir).resolve()),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--template={VOILA_TEMPLATE}",
        *culling_arguments(),
    ]
    if preheat:
        command += [
            "--preheat_kernel=True",
            f"--pool_size={pool_size}",
            f"--VoilaKernelManager.fill_delay={PREHEAT_FILL_DELAY}",
        ]
    return command


def app_url(port: int, name: str) -> str:
    """The URL of the app notebook ``apps/<name>.ipynb`` served on ``port``."""
    stem = name.removesuffix(".ipynb")
    return f"http://127.0.0.1:{port}/voila/render/apps/{stem}.ipynb"


def app_urls(learner_dir: Path, port: int) -> list[str]:
    """The URL of each app in the learner edition."""
    apps = sorted((Path(learner_dir) / "apps").glob("*.ipynb"))
    return [app_url(port, app.name) for app in apps]


def free_port() -> int:
    """Ask the OS for a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_voila(
    learner_dir: Path,
    port: int | None = None,
    *,
    preheat: bool = True,
    timeout: float = 60.0,
    python: str | Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, int]:
    """Start Voila in its own process group and wait until it answers; return (process, port).

    ``python`` selects the interpreter (see :func:`voila_command`); ``env`` replaces the
    environment of the server and its kernels (default: this process's environment).
    """
    learner_dir = Path(learner_dir).resolve()
    if not (learner_dir / "apps").is_dir():
        msg = "not a learner edition (no apps/ folder); run `bpscare build` first"
        raise BpscareError(msg, path=learner_dir)
    port = port or free_port()
    command = voila_command(learner_dir, port, preheat=preheat, python=python)
    env = template_environment(dict(os.environ if env is None else env))
    return _start_server(
        "Voila", command, learner_dir, port, f"http://127.0.0.1:{port}/", env, timeout
    )


def lab_command(
    root: Path, port: int, token: str, *, python: str | Path | None = None
) -> list[str]:
    """The command line of a JupyterLab server on loopback as Binder runs it (Voila inside).

    Culling and Voila's template are the settings ``binder/postBuild`` installs
    (:func:`bpscare.apps.voila_config.server_settings`); ``expose_app_in_browser`` lets browser
    tests run commands.
    """
    # A container's root user (CI) needs the explicit opt-in; Binder runs as jovyan.
    root_opt_in = ["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []
    return [
        str(python or sys.executable),
        "-m",
        "jupyterlab",
        *root_opt_in,
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={Path(root).resolve()}",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--VoilaConfiguration.template={VOILA_TEMPLATE}",
        *culling_arguments(),
    ]


def start_lab(
    root: Path,
    token: str,
    *,
    timeout: float = 90.0,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, int]:
    """Start JupyterLab on ``root`` in its own process group; return (process, port).

    Stop it with :func:`stop_voila` (the same teardown: process group, then its kernels).
    """
    root = Path(root).resolve()
    port = free_port()
    probe = f"http://127.0.0.1:{port}/api/status?token={token}"
    env = template_environment(dict(os.environ if env is None else env))
    return _start_server(
        "JupyterLab", lab_command(root, port, token), root, port, probe, env, timeout
    )


def _start_server(
    name: str,
    command: list[str],
    cwd: Path,
    port: int,
    probe: str,
    env: dict[str, str] | None,
    timeout: float,
) -> tuple[subprocess.Popen, int]:
    """Start a Jupyter server in its own process group; return once ``probe`` answers."""
    env = {**(os.environ if env is None else env), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    # A server logs every request to stderr: a pipe nobody reads fills up and blocks it, so the
    # log goes to an unlinked temporary file, read back only when start-up fails.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the process)
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
    )
    process.voila_log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"{name} exited with status {process.returncode}: {voila_log_tail(process)}"
            raise BpscareError(msg, path=cwd)
        try:
            with urllib.request.urlopen(probe, timeout=2):
                return process, port
        except OSError:
            time.sleep(0.2)
    stop_voila(process)
    msg = f"{name} did not answer on port {port} within {timeout:.0f} s"
    raise BpscareError(msg, path=cwd)


def kernel_processes(process: subprocess.Popen) -> list[int]:
    """Ids of the kernels a Voila or JupyterLab server started (its ipykernel descendants)."""
    found = []
    for pid, _start in _descendants(process.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in cmdline:
            found.append(pid)
    return found


def voila_log_tail(process: subprocess.Popen, chars: int = 300) -> str:
    """The last ``chars`` characters of Voila's log (stderr) for an error message."""
    log = getattr(process, "voila_log", None)
    if log is None:
        return ""
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace").strip()[-chars:]


def _process_table() -> dict[int, tuple[int, str]]:
    """Map each visible process id to (parent id, start time) from ``/proc`` (Linux)."""
    table: dict[int, tuple[int, str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(stat.parent.name)] = (int(fields[1]), fields[19])
    return table


def _descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, start time) of every process below ``pid`` (kernels run in their own sessions)."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for child, (parent, _start) in table.items():
        children.setdefault(parent, []).append(child)
    found: list[tuple[int, str]] = []
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append((child, table[child][1]))
            stack.append(child)
    return found


def stop_voila(process: subprocess.Popen) -> None:
    """Stop Voila, its process group and every kernel it started.

    Kernels are started in sessions of their own (jupyter_client), so they are not in Voila's
    process group: their ids are collected first and any that outlive Voila are ended by id.
    """
    kernels = _descendants(process.pid) if process.poll() is None else []
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
    table = _process_table()
    for pid, started in kernels:
        if pid in table and table[pid][1] == started:  # the same process, not a reused id
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    log = getattr(process, "voila_log", None)
    if log is not None:
        log.close()
