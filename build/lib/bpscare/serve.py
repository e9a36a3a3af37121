"""``bpscare serve``: the learner edition's Voila apps on 127.0.0.1, with Voila's safe defaults.

Sources are stripped and tracebacks hidden (Voila's defaults, pinned explicitly here and in the
learner edition's ``voila.json``: with ``show_tracebacks`` on, a failing cell's source line
reaches the page). Kernels for the apps are preheated, so the first visitor does not wait for a
kernel to start and the notebook to run; lessons and assignments are not preheated.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bpscare.errors import BpscareError

PREHEAT_DENYLIST = ["lessons/", "assignments/"]


def voila_settings() -> dict:
    """The Voila configuration written to the learner edition's ``voila.json``."""
    return {
        "VoilaConfiguration": {"strip_sources": True, "show_tracebacks": False},
        "VoilaKernelManager": {"preheat_denylist": PREHEAT_DENYLIST},
    }


def write_voila_json(learner_dir: Path) -> None:
    """Write ``voila.json`` into the learner edition (read by Voila and by Binder)."""
    (Path(learner_dir) / "voila.json").write_text(json.dumps(voila_settings(), indent=2) + "\n")


def voila_command(learner_dir: Path, port: int, *, preheat: bool = True, pool_size: int = 1):
    """Return the command line that serves ``learner_dir`` with Voila on loopback."""
    command = [
        sys.executable,
        "-m",
        "voila",
        str(Path(learner_dir).resolve()),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--strip_sources=True",
        "--show_tracebacks=False",
    ]
    if preheat:
        command += ["--preheat_kernel=True", f"--pool_size={pool_size}"]
    return command


def app_urls(learner_dir: Path, port: int) -> list[str]:
    """The URL of each app in the learner edition."""
    apps = sorted((Path(learner_dir) / "apps").glob("*.ipynb"))
    return [f"http://127.0.0.1:{port}/voila/render/apps/{app.name}" for app in apps]


def free_port() -> int:
    """Ask the OS for a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_voila(
    learner_dir: Path, port: int | None = None, *, preheat: bool = True, timeout: float = 60.0
) -> tuple[subprocess.Popen, int]:
    """Start Voila in its own process group and wait until it answers; return (process, port)."""
    learner_dir = Path(learner_dir).resolve()
    if not (learner_dir / "apps").is_dir():
        msg = "not a learner edition (no apps/ folder); run `bpscare build` first"
        raise BpscareError(msg, path=learner_dir)
    port = port or free_port()
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    process = subprocess.Popen(
        voila_command(learner_dir, port, preheat=preheat),
        cwd=learner_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            msg = f"Voila exited with status {process.returncode}: {err.strip()[-300:]}"
            raise BpscareError(msg, path=learner_dir)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return process, port
        except OSError:
            time.sleep(0.2)
    stop_voila(process)
    msg = f"Voila did not answer on port {port} within {timeout:.0f} s"
    raise BpscareError(msg, path=learner_dir)


def stop_voila(process: subprocess.Popen) -> None:
    """Stop Voila and its kernels (the whole process group)."""
    import signal

    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
