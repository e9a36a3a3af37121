"""The learner zygote: a warm process, started fresh, that forks one learner process per notebook.

A grading worker starts the zygote **before any job reaches it**, with ``execve`` and a minimal
environment, so neither the zygote nor the learner processes it forks ever hold a test source,
an expected value, another learner's files or the grader's secrets (``/proc/self/environ`` holds
only the few variables set here). Where Debian's ``bwrap`` (bubblewrap) works, the zygote runs
inside it: new user, PID, network, IPC and mount namespaces, uid and gid 65534, no capabilities,
read-only binds of the system and Python folders, a fresh ``/proc``, ``/dev`` and ``/tmp``, and
the worker's scratch folder bound read-write. No host socket path exists in there. Where ``bwrap``
is missing, the zygote runs as the worker's user and each learner process applies the in-process
protections of :mod:`bpscare.grading.sandbox` (reported with a warning).

The judge asks the zygote over a ``SOCK_SEQPACKET`` socket pair (inherited, never a path) to
``spawn`` a learner process with two pipe ends it passes along (``SCM_RIGHTS``), and to ``kill``
it. The zygote receives nothing else: a folder path and the limits.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpscare.errors import BpscareError
from bpscare.grading import transport
from bpscare.grading.sandbox import (
    Limits,
    SandboxCrash,
    SandboxTimeout,
    make_pids_cgroup,
    remove_pids_cgroup,
)

#: Variables a learner process may see (and nothing else): no database password, no token.
CLEAN_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "agg",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
SYSTEM_BINDS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
#: The few /etc entries Python, matplotlib and the C library read (never /etc as a whole).
ETC_BINDS = ("/etc/ld.so.cache", "/etc/localtime", "/etc/fonts", "/etc/alternatives")
SANDBOX_UID = 65534
MAX_MESSAGE = 65536
_BWRAP_OK: dict[str, str] = {}


def bwrap_path() -> str | None:
    """Return the ``bwrap`` executable, if installed (``BPSCARE_NO_BWRAP=1`` hides it)."""
    if os.environ.get("BPSCARE_NO_BWRAP") == "1":
        return None
    return shutil.which("bwrap")


def python_roots() -> list[str]:
    """Folders the zygote needs to run Python and import bpscare: prefixes and import path."""
    package_root = str(Path(__file__).resolve().parents[2])
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, package_root}
    # import-path folders only when they are installations (never a caller's working folder,
    # which may be the course itself)
    roots.update(
        p
        for p in sys.path
        if p and os.path.isdir(p) and os.path.basename(p) in ("site-packages", "dist-packages")
    )
    found: list[str] = []
    for root in sorted(roots, key=len):
        path = os.path.realpath(root)
        if path == "/" or any(path == f or path.startswith(f + "/") for f in found):
            continue
        found.append(path)
    for link in {sys.prefix, sys.base_prefix}:  # a prefix reached through a symbolic link
        path = os.path.abspath(link)
        if os.path.islink(path) and not any(path.startswith(f + "/") for f in found):
            found.append(path)
    return found


def bwrap_command(bwrap: str, scratch: str, argv: list[str]) -> list[str]:
    """Return the ``bwrap`` command line that runs ``argv`` in the learners' sandbox."""
    command = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--clearenv",
        "--cap-drop",
        "ALL",
    ]
    for path in SYSTEM_BINDS + ETC_BINDS:
        if os.path.islink(path):
            command += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            command += ["--ro-bind", path, path]
    command += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for root in python_roots():
        if os.path.islink(root):
            command += ["--symlink", os.readlink(root), root]
        else:
            command += ["--ro-bind", root, root]
    command += ["--bind", scratch, scratch, "--chdir", scratch]
    for key, value in zygote_env().items():
        command += ["--setenv", key, value]
    return [*command, "--", *argv]


def zygote_env() -> dict[str, str]:
    """The zygote's whole environment (learner processes inherit it, then trim it further)."""
    package_root = str(Path(__file__).resolve().parents[2])
    return {**CLEAN_ENV, "PYTHONPATH": package_root, "HOME": "/tmp", "MPLCONFIGDIR": "/tmp"}


def bwrap_works() -> str:
    """Return "" when ``bwrap`` runs Python here, else why not (cached per process)."""
    bwrap = bwrap_path()
    if bwrap is None:
        return "bwrap (bubblewrap) is not installed"
    if bwrap in _BWRAP_OK:
        return _BWRAP_OK[bwrap]
    scratch = tempfile.mkdtemp(prefix="bpscare-probe-")
    try:
        argv = [sys.executable, "-P", "-c", "import os; print(os.getuid())"]
        done = subprocess.run(
            bwrap_command(bwrap, scratch, argv),
            capture_output=True,
            text=True,
            timeout=60,
            env={},
            check=False,
        )
        ok = done.returncode == 0 and done.stdout.strip() == str(SANDBOX_UID)
        reason = "" if ok else f"bwrap does not run here: {done.stderr.strip()[-200:]}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        reason = f"bwrap does not run here: {exc}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _BWRAP_OK[bwrap] = reason
    return reason


def require_strong_sandbox() -> None:
    """Raise ``BpscareError`` unless learner code can run in the bubblewrap sandbox here."""
    reason = bwrap_works()
    if reason:
        msg = (
            f"refusing to grade: the sandbox is not available ({reason}); install Debian's "
            "bubblewrap (apt-get install bubblewrap) or grade without --require-sandbox"
        )
        raise BpscareError(msg)


class ZygoteClient:
    """The judge's handle on one zygote: start it, ask it to spawn and kill learner processes."""

    def __init__(self, require_sandbox: bool = False) -> None:
        self.scratch = tempfile.mkdtemp(prefix="bpscare-learners-")
        os.chmod(self.scratch, 0o711)
        self.sock: socket.socket | None = None
        self.process: subprocess.Popen | None = None
        self.protections: dict[str, str] = {}
        self.require_sandbox = require_sandbox
        self.owner = os.getpid()
        self.cgroup = ""
        self.start()

    @property
    def sandboxed(self) -> bool:
        """Say whether the zygote runs inside bwrap."""
        return self.protections.get("sandbox", "").startswith("bwrap")

    def start(self) -> None:
        """Start (or restart) the zygote process; it warms up while the worker does."""
        self.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [sys.executable, "-P", "-m", "bpscare.grading.zygote", str(theirs.fileno())]
        reason = bwrap_works()
        if reason and self.require_sandbox:
            require_strong_sandbox()
        bwrap = bwrap_path()
        # One learner process runs in a sandbox at a time, so the sandbox's own pids cgroup is
        # that learner's process limit (plus bwrap and the zygote).
        self.cgroup = make_pids_cgroup(Limits().max_processes + 8) if not reason else ""
        if not reason and bwrap is not None:
            argv = bwrap_command(bwrap, self.scratch, argv)
            self.protections = {
                "sandbox": (
                    f"bwrap: uid {SANDBOX_UID}, no capabilities, new user/pid/network/ipc/mount "
                    "namespaces, no host socket, read-only system and Python folders"
                ),
            }
        else:
            self.protections = {
                "sandbox": (
                    f"WARNING: no bwrap ({reason}); in-process protections only: no user, "
                    "mount or PID namespace, and learner code may run as uid 0 without "
                    "capabilities (see docs/autograding.md)"
                ),
            }
        cgroup = self.cgroup

        def join_cgroup() -> None:  # runs in the new process, before bwrap or Python starts
            import resource

            with contextlib.suppress(ValueError, OSError):  # not the judge's memory cap
                hard = resource.getrlimit(resource.RLIMIT_AS)[1]
                resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
            if cgroup:
                with contextlib.suppress(OSError):
                    Path(cgroup, "cgroup.procs").write_text(str(os.getpid()))

        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=[theirs.fileno()],
            cwd=self.scratch,
            env=zygote_env(),
            preexec_fn=join_cgroup,
            start_new_session=True,
        )
        theirs.close()
        self.sock = ours
        self.owner = os.getpid()
        if cgroup:
            self.protections["processes"] = (
                f"pids cgroup (at most {Limits().max_processes} processes per learner)"
            )

    def alive(self) -> bool:
        """Say whether the zygote process is running (also from a fork of its starter)."""
        if self.process is None:
            return False
        if os.getpid() == self.owner:
            return self.process.poll() is None
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return False
        return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")

    def ask(self, message: dict, fds: list[int] | None = None, timeout: float = 180.0) -> dict:
        """Send one request (with file descriptors) and return the zygote's reply."""
        if self.sock is None or not self.alive():
            self.start()
        sock = self.sock
        assert sock is not None
        sock.settimeout(timeout)
        try:
            socket.send_fds(sock, [json.dumps(message).encode()], fds or [])
            data = sock.recv(MAX_MESSAGE)
        except OSError as exc:
            self.start()  # a zygote that does not answer is replaced
            msg = f"the learner zygote did not answer ({exc})"
            raise OSError(msg) from None
        if not data:
            self.start()
            msg = "the learner zygote stopped"
            raise OSError(msg)
        reply = json.loads(data.decode())
        if not isinstance(reply, dict):
            msg = "the learner zygote sent a malformed reply"
            raise OSError(msg)
        return reply

    def scratch_dir(self) -> Path:
        """Return a fresh folder inside the zygote's scratch area (bound into the sandbox)."""
        return Path(tempfile.mkdtemp(prefix="sub-", dir=self.scratch))

    def close(self) -> None:
        """Stop the zygote (and, inside bwrap, everything it started)."""
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None
        if self.process is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                self.process.kill()
            with contextlib.suppress(Exception):
                self.process.wait(timeout=10)
            self.process = None
        if self.cgroup:
            remove_pids_cgroup(self.cgroup)
            self.cgroup = ""


_CLIENT: ZygoteClient | None = None


def shutdown() -> None:
    """Stop this process's zygote and remove its scratch folder (a worker that is done)."""
    global _CLIENT
    if _CLIENT is not None and _CLIENT.owner == os.getpid():
        _CLIENT.close()
        shutil.rmtree(_CLIENT.scratch, ignore_errors=True)
    _CLIENT = None


def client(require_sandbox: bool = False) -> ZygoteClient:
    """Return this process's zygote, starting it (or a replacement) when needed."""
    global _CLIENT
    if require_sandbox:
        require_strong_sandbox()
    if _CLIENT is None:
        _CLIENT = ZygoteClient(require_sandbox)
        atexit.register(shutdown)  # a process that grades in-process (tests, Dask) cleans up
    elif not _CLIENT.alive():
        _CLIENT.start()
    return _CLIENT


@dataclass
class Sandbox:
    """The judge's handle on one learner process, forked by the zygote, with a request pipe.

    The learner process is a child of the zygote (see :mod:`bpscare.grading.zygote`), never of
    the judge: it holds only what the zygote held (no job, no tests) plus the learner cells the
    judge sends it.
    """

    workdir: Path
    limits: Limits
    pid: int = 0
    fd_to: int = -1
    fd_from: int = -1
    protections: dict[str, str] = field(default_factory=dict)
    fatal: str = ""

    def start(self) -> None:
        """Ask the zygote for a learner process and wait for its report of its protections."""
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            keeper = client(self.limits.require_sandbox)
            reply = keeper.ask(
                {
                    "op": "spawn",
                    "workdir": str(self.workdir),
                    "limits": self.limits.to_dict(),
                    "cgroup": bool(keeper.cgroup),
                },
                [to_child_r, from_child_w],
            )
        except OSError as exc:
            for fd in (to_child_r, to_child_w, from_child_r, from_child_w):
                os.close(fd)
            raise SandboxCrash(str(exc)) from None
        os.close(to_child_r)
        os.close(from_child_w)
        self.pid, self.fd_to, self.fd_from = int(reply.get("pid", 0)), to_child_w, from_child_r
        try:
            hello = transport.receive(self.fd_from, time.monotonic() + 30, transport.MAX_REPLY)
        except (transport.FrameError, transport.FrameTimeout) as exc:
            reason = self.stop()
            msg = f"the sandbox did not start ({reason})"
            raise SandboxCrash(msg) from exc
        if "fatal" in hello:
            self.stop()
            msg = f"the sandbox did not start: {str(hello['fatal']).strip().splitlines()[-1]}"
            self.fatal = str(hello["fatal"])
            raise SandboxCrash(msg)
        reported = hello.get("protections", {})
        self.protections = {**keeper.protections}
        if isinstance(reported, dict):  # the child's own report: text only, never trusted data
            for key, value in list(reported.items())[:20]:
                self.protections.setdefault(str(key)[:40], str(value)[:300])

    def request(
        self,
        message: dict,
        deadline: float,
        callback: Callable[[dict], dict] | None = None,
    ) -> dict:
        """Send one request and wait for the reply until ``deadline`` (monotonic seconds).

        While learner code calls a test's function, the learner sends ``callback`` frames:
        ``callback`` answers them (without one, the call is refused) and the wait goes on.
        """
        try:
            transport.send(self.fd_to, message)
            reply = transport.receive(self.fd_from, deadline, transport.MAX_REPLY)
            while "callback" in reply:
                answer = (
                    callback(reply)
                    if callback is not None
                    else {"callback_exc": ["RuntimeError", "the tests' functions are not here"]}
                )
                transport.send(self.fd_to, answer)
                reply = transport.receive(self.fd_from, deadline, transport.MAX_REPLY)
            return reply
        except transport.FrameTimeout:
            self.stop()
            raise SandboxTimeout from None
        except (transport.FrameError, OSError) as exc:
            reason = self.stop()
            raise SandboxCrash(reason) from exc

    def stop(self) -> str:
        """Kill the learner process (and whatever it started); return why it ended."""
        reason = "the learner's process stopped"
        for fd in (self.fd_to, self.fd_from):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.fd_to = self.fd_from = -1
        if self.pid:
            # if the zygote was restarted, everything it had started went with it
            with contextlib.suppress(OSError):
                reason = str(client().ask({"op": "kill", "pid": self.pid}).get("reason"))
            self.pid = 0
        return reason[:300]


# --- inside the zygote ------------------------------------------------------------------------


def zygote_main(control_fd: int) -> None:  # pragma: no cover - runs in the zygote process
    """Warm up, then fork a learner process per ``spawn`` request until the socket closes."""
    import ctypes

    from bpscare.grading import sandbox

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: learner processes cannot ptrace the zygote
    with contextlib.suppress(OSError):  # its own group: a learner's killpg of it is refused
        os.setsid()
    sock = socket.socket(fileno=control_fd)
    shell = sandbox.warm_learner_shell()
    sandbox.become_subreaper()
    in_bwrap = os.getuid() == SANDBOX_UID and Path("/proc/1/comm").read_text().strip() == "bwrap"
    children: dict[int, str] = {}
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(sock, MAX_MESSAGE, 4)
        except OSError:
            os._exit(0)
        if not data:
            os._exit(0)
        request = json.loads(data.decode())
        if request.get("op") == "spawn" and len(fds) == 2:
            pid, cgroup = sandbox.fork_learner(shell, request, fds, in_bwrap)
            children[pid] = cgroup
            reply: dict[str, Any] = {"pid": pid}
        elif request.get("op") == "kill":
            for fd in fds:
                os.close(fd)
            pid = int(request.get("pid", 0))
            reason = sandbox.kill_learner(pid, children.pop(pid, ""), in_bwrap)
            reply = {"reason": reason}
        else:
            for fd in fds:
                os.close(fd)
            reply = {"error": "unknown request"}
        sock.send(json.dumps(reply).encode())
        _reap()


def _reap() -> None:  # pragma: no cover - runs in the zygote process
    from bpscare.grading import sandbox

    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        sandbox.ENDED[pid] = status


if __name__ == "__main__":  # pragma: no cover
    time.sleep(0)
    zygote_main(int(sys.argv[1]))
