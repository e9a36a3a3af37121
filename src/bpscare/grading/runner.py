"""Grade one prepared submission in a worker: learner cells sandboxed, test cells judged here.

:func:`run_job` takes and returns plain data only (notebook JSON, files as bytes, limits), so
the same function runs in a local worker process and on a Dask worker. The worker is the warm
"zygote": it imported IPython, numpy, pandas and the course library once, and forks a fresh
sandboxed child per notebook (no kernel start, no per-run imports).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bpscare.grading import transport
from bpscare.grading.judge import TIMEOUT_OUTPUT, CellAborted, Judge, Link, _crash_output
from bpscare.grading.sandbox import (
    NOBODY_UID,
    Limits,
    Sandbox,
    SandboxCrash,
    SandboxTimeout,
    become_subreaper,
    runs_as_nobody,
)

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

_SHELL: Any = None


def warm() -> Any:
    """Import the usual libraries and build the IPython shell once per worker process."""
    global _SHELL
    if _SHELL is None:
        os.environ.setdefault("MPLBACKEND", "agg")
        for name in PRELOAD:
            with contextlib.suppress(Exception):
                __import__(name)
        from bpscare.grading.learner import make_shell

        _SHELL = make_shell()
        try:  # warm IPython's traceback formatter (its first use costs ~0.7 s)
            _ = 1 / 0
        except ZeroDivisionError:
            _SHELL.showtraceback()
        _SHELL.sink.take()
        become_subreaper()
    return _SHELL


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Grade one submission in a forked copy of this warm process; return its result.

    The fork gives every submission a pristine trusted namespace (module state changed by one
    notebook's test cells, such as random seeds, cannot reach the next), as a fresh kernel per
    notebook does under nbgrader, and a crash while judging costs only that submission.
    """
    warm()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked judge
        code = 0
        try:
            os.close(read_fd)
            become_subreaper()  # orphans of this submission's learner processes come here
            transport.send(write_fd, {"result": run_job_here(job)})
        except BaseException as exc:
            code = 70
            with contextlib.suppress(BaseException):
                transport.send(write_fd, {"error": f"{type(exc).__name__}: {exc}"[:2000]})
        os._exit(code)
    os.close(write_fd)
    try:
        reply = transport.receive(read_fd)
    except transport.FrameError:
        reply = {"error": "the grading process for this submission stopped unexpectedly"}
    finally:
        os.close(read_fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    if "error" in reply:
        raise RuntimeError(str(reply["error"]))
    return reply["result"]


def run_job_here(job: dict[str, Any]) -> dict[str, Any]:
    """Execute and judge every notebook of one submission; return outputs and flags as data.

    ``job`` holds ``student``, ``notebooks`` (name → notebook JSON, sanitized, hidden tests
    restored), ``tests`` (notebook name → grade id → the gradebook's test source), ``files``
    (relative path → base64 bytes, the submission's other files) and ``limits``.
    """
    started = time.monotonic()
    shell = warm()
    limits = Limits.from_dict(job["limits"])
    workdir = Path(tempfile.mkdtemp(prefix="bpscare-sandbox-"))
    flags: list[str] = []
    result: dict[str, Any] = {"student": job["student"], "notebooks": {}, "flags": flags}
    try:
        _write_files(workdir, job.get("files", {}))
        for name, text in job["notebooks"].items():
            nb = json.loads(text)
            tests = job.get("tests", {}).get(name, {})
            protections = _run_notebook(shell, nb, tests, workdir, limits, flags)
            result["notebooks"][name] = json.dumps(nb)
            result["protections"] = protections
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["seconds"] = time.monotonic() - started
    return result


def _write_files(workdir: Path, files: dict[str, str]) -> None:
    (workdir / ".tmp").mkdir()
    for rel, data in files.items():
        target = (workdir / rel).resolve()
        if workdir.resolve() not in target.parents:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
    if runs_as_nobody():  # the child's own folder must be writable by the child
        for root, dirs, names in os.walk(workdir):
            for entry in [root, *(os.path.join(root, n) for n in dirs + names)]:
                os.chown(entry, NOBODY_UID, NOBODY_UID)


class _Learner:
    """The current learner process, restarted and replayed after a crash or timeout."""

    def __init__(self, shell: Any, workdir: Path, limits: Limits, flags: list[str]) -> None:
        self.shell, self.workdir, self.limits, self.flags = shell, workdir, limits, flags
        self.sandbox: Sandbox | None = None
        self.history: list[tuple[str, int]] = []
        self.restarts = 0
        self.dead_reason = ""

    def get(self) -> Sandbox:
        if self.dead_reason:
            raise SandboxCrash(self.dead_reason)
        if self.sandbox is None or not self.sandbox.pid:
            self._start()
        if self.sandbox is None:
            msg = "the learner's process is not running"
            raise SandboxCrash(msg)
        return self.sandbox

    def _start(self) -> None:
        while True:
            if self.sandbox is not None:
                self.restarts += 1
                if self.restarts > self.limits.max_restarts:
                    self.dead_reason = (
                        f"grading stopped after {self.limits.max_restarts} restarts of the "
                        "learner's code"
                    )
                    _note(self.flags, self.dead_reason)
                    raise SandboxCrash(self.dead_reason)
            self.sandbox = Sandbox(self.shell, self.workdir, self.limits)
            try:
                self.sandbox.start()
                for code, count in self.history:
                    deadline = time.monotonic() + self.limits.timeout_cell
                    self.sandbox.request({"op": "exec", "code": code, "count": count}, deadline)
                return
            except (SandboxCrash, SandboxTimeout):
                continue

    def execute(self, code: str, count: int) -> list[dict]:
        deadline = time.monotonic() + self.limits.timeout_cell
        try:
            reply = self.get().request({"op": "exec", "code": code, "count": count}, deadline)
        except SandboxTimeout:
            _note(self.flags, f"timeout: a cell ran longer than {self.limits.timeout_cell:g} s")
            return [dict(TIMEOUT_OUTPUT)]
        except SandboxCrash as exc:
            _note(self.flags, f"crash: {exc}")
            return [_crash_output(str(exc))]
        self.history.append((code, count))
        for output in reply.get("outputs", []):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count
        if reply.get("truncated"):
            _note(self.flags, "gigantic output: the learner's output was cut")
        return list(reply.get("outputs", []))

    def close(self) -> dict[str, str]:
        protections = dict(self.sandbox.protections) if self.sandbox else {}
        if self.sandbox is not None:
            self.sandbox.stop()
        return protections


def _note(flags: list[str], text: str) -> None:
    if text not in flags:
        flags.append(text)


def _run_notebook(
    shell: Any,
    nb: dict[str, Any],
    tests: dict[str, str],
    workdir: Path,
    limits: Limits,
    flags: list[str],
) -> dict[str, str]:
    learner = _Learner(shell, workdir, limits, flags)
    judge = Judge(Link(learner.get, flags))
    count = 0
    try:
        for cell in nb["cells"]:
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            if cell.get("cell_type") != "code" or not source.strip():
                continue
            count += 1
            cell["execution_count"] = count
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in tests:
                try:
                    cell["outputs"] = judge.run(tests[grade_id], count, limits.timeout_cell)
                except CellAborted as aborted:
                    cause = aborted.cause
                    if isinstance(cause, SandboxTimeout):
                        _note(flags, f"timeout: a cell ran longer than {limits.timeout_cell:g} s")
                    else:
                        _note(flags, f"crash: {cause}")
                    cell["outputs"] = aborted.outputs
                    if learner.sandbox is not None:
                        learner.sandbox.stop()
            else:
                cell["outputs"] = learner.execute(source, count)
    finally:
        protections = learner.close()
    return protections
