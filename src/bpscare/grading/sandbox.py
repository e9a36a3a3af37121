"""The sandboxed learner process: forked from a warm zygote, limited, isolated, replaceable.

The learner zygote (:mod:`bpscare.grading.zygote`, started fresh and, where ``bwrap`` works,
inside bubblewrap) forks one learner process per notebook with :func:`fork_learner`. Before the
child runs any learner code it (best effort, each step reported in the sandbox's protections;
inside bwrap the namespace and uid steps are already done by bwrap):

* starts its own session and closes every inherited file descriptor but its two pipes;
* clears the environment (no credentials, ``NBGRADER_EXECUTION=autograde`` as in nbgrader);
* enters a new network namespace (``unshare(CLONE_NEWNET)``; unprivileged: with a user
  namespace), else blocks socket creation inside Python;
* drops privileges to ``nobody`` when running as root (its folder is chowned first);
* applies a Landlock rule set (Linux >= 5.13): read-only access to the Python installation and
  system folders, read-write access to its private folder only; TCP bind/connect and signals to
  processes outside the sandbox are denied where the kernel supports it;
* sets resource limits: address space, CPU seconds, file size, processes, open files, no core.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bpscare.grading import transport
from bpscare.grading.landlock import apply_landlock as _landlock
from bpscare.grading.seccomp import deny_unix_sockets

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_SECUREBITS = 28
PR_CAPBSET_DROP = 24
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECBIT_NOROOT, SECBIT_NOROOT_LOCKED = 1, 2
_CGROUP_SEQ = 0
NOBODY_UID = 65534

PRELOAD = (
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "IPython",
    "bpscare.api",
    "bpscare.grading.checks",
    "bpscare.clinical.instruments",
    "bpscare.grading.answers",
    "bpscare.clinical.formulation",
)
#: Imported by the learner zygote only (learner cells use them; the judge never does): every
#: course notebook ends with ``submit_button``, whose first import costs ~0.3 s per learner.
LEARNER_PRELOAD = (*PRELOAD, "ipywidgets", "bpscare.widgets.submit")


@dataclass(frozen=True)
class Limits:
    """Resource limits for one learner process (seconds, megabytes)."""

    timeout_cell: float = 30.0
    memory_mb: int = 2048
    cpu_seconds: int = 600
    file_size_mb: int = 64
    max_processes: int = 256
    open_files: int = 256
    max_restarts: int = 10
    protected: tuple[str, ...] = ()
    require_sandbox: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the limits as plain data (they travel to Dask workers)."""
        return {
            "timeout_cell": self.timeout_cell,
            "memory_mb": self.memory_mb,
            "cpu_seconds": self.cpu_seconds,
            "file_size_mb": self.file_size_mb,
            "max_processes": self.max_processes,
            "open_files": self.open_files,
            "max_restarts": self.max_restarts,
            "protected": list(self.protected),
            "require_sandbox": self.require_sandbox,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        """Rebuild limits sent as plain data."""
        return cls(**{**data, "protected": tuple(data.get("protected", ()))})


class SandboxCrash(BaseException):
    """The learner process died (exit, signal, memory or CPU limit)."""


class SandboxTimeout(BaseException):
    """The learner process did not answer before the cell's deadline."""


#: learner processes of the zygote that ended, and their wait status (filled as they are reaped)
ENDED: dict[int, int] = {}


def warm_learner_shell() -> Any:
    """Import the usual libraries and build the learner's IPython shell (done in the zygote)."""
    for name in PRELOAD:
        with contextlib.suppress(Exception):
            __import__(name)
    warm_course_library()
    from bpscare.grading.learner import make_shell

    shell = make_shell()
    for name in LEARNER_PRELOAD[len(PRELOAD) :]:  # after the shell: ipywidgets registers its
        with contextlib.suppress(Exception):  # comm target with it, as on a learner's import
            __import__(name)
    try:  # warm IPython's traceback formatter (its first use costs ~0.7 s)
        _ = 1 / 0
    except ZeroDivisionError:
        shell.showtraceback()
    shell.sink.take()
    return shell


def warm_course_library() -> None:
    """Fill the course library's load-once caches (the PHQ wording, read from package data).

    Done in the zygote and in the worker before they fork, so a learner process or a judge
    that scores a screener does not parse the same packaged YAML again (~40 ms each).
    """
    with contextlib.suppress(Exception):
        from bpscare.clinical.instruments.wording import instrument_info

        instrument_info("phq9")


def fork_learner(shell: Any, request: dict, fds: list[int], in_bwrap: bool) -> tuple[int, str]:
    """Fork one learner process from the zygote; return its pid and its pids cgroup."""
    limits = Limits.from_dict(request["limits"])
    workdir = Path(str(request["workdir"]))
    fd_in, fd_out = fds
    cgroup = "" if in_bwrap else make_pids_cgroup(limits.max_processes)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the learner process
        code = 0
        try:
            counted = in_bwrap and bool(request.get("cgroup"))  # the sandbox's pids cgroup
            _child_main(shell, workdir, limits, fd_in, fd_out, cgroup, in_bwrap, counted)
        except BaseException:
            code = 70
            with contextlib.suppress(BaseException):
                import traceback

                transport.send(fd_out, {"fatal": traceback.format_exc()[-3000:]})
        os._exit(code)
    os.close(fd_in)
    os.close(fd_out)
    return pid, cgroup


def kill_learner(pid: int, cgroup: str, in_bwrap: bool) -> str:
    """Kill a learner process and everything it left behind; return why it ended."""
    reason = "the learner's process stopped"
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    if pid in ENDED:
        reason = describe_status(ENDED.pop(pid))
    else:
        try:
            _, status = os.waitpid(pid, 0)
            reason = describe_status(status)
        except ChildProcessError:
            pass
    if in_bwrap:  # everything in this PID namespace but bwrap (1) and the zygote is learner's
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) not in (1, os.getpid()):
                with contextlib.suppress(OSError):
                    os.kill(int(entry.name), signal.SIGKILL)
    remove_pids_cgroup(cgroup)
    reap_orphans()
    return reason


def describe_status(status: int) -> str:
    """Turn a wait status into a learner-facing reason."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = (
            signal.Signals(number).name if number in signal.Signals._value2member_map_ else number
        )
        if number == signal.SIGXCPU:
            return "the CPU time limit was reached"
        if number == signal.SIGKILL:
            return "the process was stopped (SIGKILL: a time or memory limit, or a crash)"
        if number == signal.SIGXFSZ:
            return "the file size limit was reached"
        return f"the process crashed (signal {name})"
    if os.WIFEXITED(status):
        return f"the process exited with status {os.WEXITSTATUS(status)} (os._exit or a crash)"
    return "the process ended"


def reap_orphans() -> None:
    """Kill processes a learner left behind (as root they run as ``nobody``, re-parented to us).

    Only processes owned by ``nobody`` whose parent is this process are touched, so a Dask worker's
    own children are never affected; without root, PR_SET_PDEATHSIG and RLIMIT_NPROC apply.
    """
    if os.getuid() != 0:
        return
    me = str(os.getpid())
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            lines = (entry / "status").read_text().splitlines()
        except OSError:
            continue
        fields = {
            line.split(":", 1)[0]: line.split(":", 1)[1].split() for line in lines if ":" in line
        }
        if fields.get("PPid", [""])[0] == me and fields.get("Uid", [""])[0] == str(NOBODY_UID):
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(int(entry.name), 0)


def become_subreaper() -> bool:
    """Make orphaned grandchildren re-parent to this process, so they can be cleaned up."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except OSError:
        return False


# --- the child --------------------------------------------------------------------------------


def _child_main(
    shell: Any,
    workdir: Path,
    limits: Limits,
    fd_in: int,
    fd_out: int,
    cgroup: str,
    in_bwrap: bool = False,
    counted: bool = False,
) -> None:
    """Isolate this freshly forked process, then serve the judge's requests."""
    from bpscare.grading.learner import LearnerServer

    os.setsid()
    protections: dict[str, str] = {}
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    keep = sorted({0, 1, 2, fd_in, fd_out})
    start = 3
    for fd in keep:
        if fd >= start:
            os.closerange(start, fd)
            start = fd + 1
    os.closerange(start, 65536)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    _clean_environment(workdir)
    os.chdir(workdir)
    if in_bwrap:
        protections["network"] = "bwrap network namespace (no interfaces, no host socket)"
        protections["user"] = f"uid {os.getuid()} in a user namespace, no capabilities"
        protections["filesystem"] = _landlock(libc, workdir, limits)
        protections["sockets"] = deny_unix_sockets(libc)
        protections["limits"] = _set_limits(limits, processes=not counted)
    else:
        python_readable = _python_world_readable()
        protections["processes"] = _join_pids_cgroup(cgroup, limits.max_processes)
        protections["network"] = _isolate_network(libc)
        protections["filesystem"] = _landlock(libc, workdir, limits)
        protections["sockets"] = deny_unix_sockets(libc)
        protections["limits"] = _set_limits(limits)
        protections["user"] = _drop_privileges(libc, python_readable)
    transport.send(fd_out, {"protections": protections})
    LearnerServer(shell, fd_in, fd_out).serve()


def _clean_environment(workdir: Path) -> None:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
    os.environ.clear()
    os.environ.update(keep)
    os.environ.update(
        {
            "HOME": str(workdir),
            "TMPDIR": str(workdir / ".tmp"),
            "MPLCONFIGDIR": str(workdir / ".tmp"),
            "NBGRADER_EXECUTION": "autograde",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
    )
    import tempfile

    tempfile.tempdir = str(workdir / ".tmp")


def _isolate_network(libc: Any) -> str:
    if libc.unshare(CLONE_NEWNET) == 0:
        return "network namespace (no interfaces)"
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        return "user + network namespace (no interfaces)"
    import socket

    def refuse(*args: Any, **kwargs: Any) -> Any:
        msg = "network access is disabled while grading"
        raise PermissionError(msg)

    socket.socket = refuse  # type: ignore[misc,assignment]
    socket.create_connection = refuse
    return "socket creation blocked in Python only (no namespace permission)"


def runs_as_nobody() -> bool:
    """Say whether sandboxes started by this process will run as ``nobody``."""
    return os.getuid() == 0 and _python_world_readable()


def _python_world_readable() -> bool:
    """Say whether ``nobody`` could read this Python installation (every folder searchable)."""
    import stat

    for base in {sys.base_prefix, sys.prefix}:
        path = Path(base).resolve()
        for folder in [path, *path.parents]:
            try:
                mode = folder.stat().st_mode
            except OSError:
                return False
            if not mode & stat.S_IXOTH:
                return False
        if not path.stat().st_mode & stat.S_IROTH:
            return False
    return True


def _drop_capabilities(libc: Any) -> bool:
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    libc.prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0)
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = Header(0x20080522, 0)
    data = (Data * 2)()
    return libc.capset(ctypes.byref(header), ctypes.byref(data)) == 0


def _drop_privileges(libc: Any, python_readable: bool) -> str:
    if os.getuid() != 0:
        return f"runs as uid {os.getuid()} (not root: no change)"
    if python_readable:
        os.setgroups([])
        os.setgid(NOBODY_UID)
        os.setuid(NOBODY_UID)
        return f"dropped root to nobody (uid {NOBODY_UID})"
    if _drop_capabilities(libc):
        return (
            "uid 0 without any capability (this Python is not readable by nobody); "
            "files are confined by Landlock"
        )
    return "root (could not drop capabilities)"


def _join_pids_cgroup(cgroup: str, limit: int) -> str:
    if not cgroup:
        return "no pids cgroup (RLIMIT_NPROC only)"
    try:
        (Path(cgroup) / "cgroup.procs").write_text(str(os.getpid()))
    except OSError as exc:
        return f"pids cgroup not joined ({exc.strerror})"
    return f"pids cgroup (at most {limit} processes)"


def make_pids_cgroup(limit: int) -> str:
    """Create a cgroup-v1 ``pids`` group capped at ``limit`` processes (root only; else "")."""
    root = Path("/sys/fs/cgroup/pids")
    if os.getuid() != 0 or not root.is_dir():
        return ""
    global _CGROUP_SEQ
    _CGROUP_SEQ += 1
    path = root / f"bpscare-{os.getpid()}-{_CGROUP_SEQ}"
    try:
        path.mkdir(exist_ok=True)
        (path / "pids.max").write_text(str(limit))
    except OSError:
        with contextlib.suppress(OSError):
            path.rmdir()
        return ""
    return str(path)


def remove_pids_cgroup(cgroup: str) -> None:
    """Kill whatever is left in the group and remove it."""
    if not cgroup:
        return
    path = Path(cgroup)
    for _ in range(50):
        try:
            pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
        except OSError:
            return
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.01)
    with contextlib.suppress(OSError):
        path.rmdir()


def _vm_size_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _set_limits(limits: Limits, processes: bool = True) -> str:
    mb = 1024 * 1024
    applied = []

    def cap(which: int, value: int, label: str) -> None:
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value if which != resource.RLIMIT_CPU else value + 5))
            applied.append(label)
        except (ValueError, OSError):
            pass

    cap(resource.RLIMIT_AS, _vm_size_bytes() + limits.memory_mb * mb, "memory")
    cap(resource.RLIMIT_CPU, int(limits.cpu_seconds), "cpu")
    cap(resource.RLIMIT_FSIZE, limits.file_size_mb * mb, "file size")
    if processes:  # in bwrap the pids cgroup of the whole sandbox counts processes instead
        cap(resource.RLIMIT_NPROC, limits.max_processes, "processes")
    cap(resource.RLIMIT_NOFILE, limits.open_files, "open files")
    cap(resource.RLIMIT_CORE, 0, "core")
    return ", ".join(applied)
