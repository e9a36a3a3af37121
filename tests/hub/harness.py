"""A real JupyterHub on loopback for the hub tests: started, driven and stopped by the tests.

JupyterHub (the ``jupyterhub`` package) with configurable-http-proxy from npm (in .ci/node),
DummyAuthenticator with one shared password, SimpleLocalProcessSpawner (each user gets
``homes/<name>`` as home and working folder; ``--allow-root`` for CI containers), nbgrader's
exchange in ``exchange/`` and the bpscare feedback-on-submit service as a managed service.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
NODE_PREFIX = REPO / ".ci" / "node"
CHP = NODE_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
# The command .ci/run uses; kept identical so a local run installs the same package.
CHP_INSTALL = ["npm", "install", "--prefix", str(NODE_PREFIX), "--no-audit", "--no-fund"]
CHP_INSTALL += ["configurable-http-proxy@4"]
VENV_BIN = Path(sys.executable).parent
SERVICE = "bpscare-feedback"
PASSWORD = "bpscare-test-password"  # a throwaway hub on loopback
INSTRUCTOR = "instructor"
LEARNERS = ("learner-ana", "learner-ben", "learner-chi")
COURSE_ID = "bpscare-101"
MAX_GRADINGS = 2  # the instructor's rate limit in these tests: 2 gradings per 10 minutes


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_proxy() -> Path:
    """configurable-http-proxy from npm, installed into .ci/node when missing."""
    if not CHP.exists():
        if shutil.which("npm") is None:
            msg = f"configurable-http-proxy is missing and npm is not installed: {CHP_INSTALL}"
            raise RuntimeError(msg)
        subprocess.run(CHP_INSTALL, check=True, capture_output=True, timeout=300)
    return CHP


class Hub:
    """One JupyterHub with its folders under ``root``."""

    def __init__(self, root: Path, course: Path, max_gradings: int = 3) -> None:
        self.root = root
        self.homes = root / "homes"
        self.exchange = root / "exchange"
        self.etc = root / "etc"
        self.state = root / "service-state"
        self.course = self.homes / INSTRUCTOR / "course"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.service_port = free_port()
        self.admin_token = os.urandom(16).hex()
        self.max_gradings = max_gradings
        self.process: subprocess.Popen[bytes] | None = None
        self.log = root / "jupyterhub.log"
        for user in (INSTRUCTOR, *LEARNERS):
            (self.homes / user).mkdir(parents=True, exist_ok=True)
        self.exchange.mkdir(mode=0o777, exist_ok=True)
        self.exchange.chmod(0o777)
        self.etc.mkdir(exist_ok=True)
        shutil.copytree(course, self.course)
        # nbgrader names a submission after the OS user (root here; jupyter-<name> on TLJH)
        # unless that is "jovyan": the hub user's name must be set as the student id.
        nbgrader_config = (
            f"import os\nc = get_config()  # noqa: F821\nc.Exchange.root = {str(self.exchange)!r}\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
            "if os.environ.get('JUPYTERHUB_USER'):\n"
            "    c.CourseDirectory.student_id = os.environ['JUPYTERHUB_USER']\n"
        )
        (self.etc / "nbgrader_config.py").write_text(nbgrader_config)

    # -- configuration and process -------------------------------------------------------
    def config(self) -> str:
        """The hub's ``jupyterhub_config.py``."""
        service_cmd = [
            sys.executable, "-m", "bpscare", "hub-service",
            "--course", str(self.course), "--exchange", str(self.exchange),
            "--state", str(self.state), "--max-gradings", str(self.max_gradings),
            "--per-minutes", "10",
        ]  # fmt: skip
        env = {
            "JUPYTER_CONFIG_PATH": str(self.etc),
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        }
        roles = [
            {"name": "user", "scopes": ["self", f"access:services!service={SERVICE}"]},
            {"name": "admin", "services": ["tester"]},
        ]
        settings: dict[str, Any] = {
            "JupyterHub.ip": "127.0.0.1",
            "JupyterHub.port": self.port,
            "JupyterHub.hub_ip": "127.0.0.1",
            "JupyterHub.hub_port": free_port(),
            "JupyterHub.authenticator_class": "dummy",
            "DummyAuthenticator.password": PASSWORD,
            "Authenticator.allowed_users": [INSTRUCTOR, *LEARNERS],
            "Authenticator.admin_users": [INSTRUCTOR],
            "JupyterHub.spawner_class": "simple",
            "SimpleLocalProcessSpawner.home_dir_template": str(self.homes / "{username}"),
            "Spawner.cmd": [str(VENV_BIN / "jupyterhub-singleuser")],
            "Spawner.args": ["--allow-root"],
            "Spawner.environment": env,
            "Spawner.start_timeout": 120,
            "Spawner.http_timeout": 120,
            "ConfigurableHTTPProxy.command": [str(ensure_proxy())],
            "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{free_port()}",
            "JupyterHub.db_url": f"sqlite:///{self.root / 'jupyterhub.sqlite'}",
            "JupyterHub.cookie_secret_file": str(self.root / "cookie_secret"),
            "JupyterHub.load_roles": roles,
            "JupyterHub.services": [
                {"name": "tester", "api_token": self.admin_token},
                {
                    "name": SERVICE,
                    "url": f"http://127.0.0.1:{self.service_port}",
                    "command": service_cmd,
                    "environment": env,
                    "oauth_no_confirm": True,
                },
            ],
        }
        lines = ["c = get_config()  # noqa: F821"]
        lines += [f"c.{key} = {value!r}" for key, value in settings.items()]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 120) -> None:
        """Start the hub and wait until its API and the feedback service answer."""
        config = self.root / "jupyterhub_config.py"
        config.write_text(self.config())
        log = self.log.open("wb")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "jupyterhub"), "-f", str(config)],
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited: {self.log_tail()}")
            try:
                self.api("GET", "/hub/api/")
                with urllib.request.urlopen(f"http://127.0.0.1:{self.service_port}/x", timeout=2):
                    pass
            except urllib.error.HTTPError:
                return  # the service answers (404 for /x): up
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
                continue
        raise RuntimeError(f"jupyterhub did not start: {self.log_tail()}")

    def stop(self) -> None:
        """Stop the hub, its proxy, the service and every single-user server."""
        if self.process is None:
            return
        try:
            for user in (INSTRUCTOR, *LEARNERS):
                with contextlib.suppress(OSError):
                    self.api("DELETE", f"/hub/api/users/{user}/server")
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)
            self.process = None

    def wait_ready(self, assignment: str, timeout: float = 180) -> None:
        """Wait until the feedback service has prepared ``assignment`` (after its release)."""
        marker = self.state / "templates" / f"{assignment}.ready"
        deadline = time.monotonic() + timeout
        while not marker.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the service did not prepare {assignment}: {self.log_tail()}")
            time.sleep(0.5)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the hub's log (hub, proxy, service and servers)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    # -- REST ------------------------------------------------------------------------------
    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """Call the hub (or a user's server through the proxy) with a token; return JSON."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"token {token or self.admin_token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=120) as resp:
            raw = resp.read()
        return json.loads(raw) if raw.strip() else None

    def start_server(self, user: str, timeout: float = 120) -> None:
        """Start ``user``'s single-user server and wait until it is ready."""
        try:
            self.api("POST", f"/hub/api/users/{user}/server")
        except urllib.error.HTTPError as exc:
            if exc.code != 400:  # 400: already running
                raise
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"/hub/api/users/{user}")
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{user}'s server did not start: {self.log_tail()}")

    def instructor(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run an instructor command (nbgrader or bpscare) in the instructor's course folder."""
        env = dict(os.environ, JUPYTER_CONFIG_PATH=str(self.etc))
        env.pop("JUPYTERHUB_USER", None)  # the instructor's commands act on every learner
        env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '')}"
        return subprocess.run(
            list(args), cwd=self.course, env=env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
