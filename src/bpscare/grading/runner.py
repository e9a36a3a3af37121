"""Grade one prepared submission in a worker: learner cells sandboxed, test cells judged here.

:func:`run_job` takes and returns plain data only (notebook JSON, files as bytes, limits), so
the same function runs in a local worker process and on a Dask worker. The worker imported the
judge's libraries once and started its learner zygote (:mod:`bpscare.grading.zygote`) before
any job arrived; each submission is judged in a fork of the worker, and each notebook's learner
cells run in a learner process the zygote forks (no kernel start, no per-run imports). Test
sources stay here, in the judge: the learner process only ever receives learner cells.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from bpscare.grading import answers, transport, zygote
from bpscare.grading.judge import (
    TIMEOUT_OUTPUT,
    CellAborted,
    Judge,
    Link,
    _crash_output,
    compiled_test,
    display_formatter,
    prepare_tests,
)
from bpscare.grading.outputs import sanitize_outputs
from bpscare.grading.sandbox import (
    NOBODY_UID,
    PRELOAD,
    Limits,
    SandboxCrash,
    SandboxTimeout,
    become_subreaper,
    runs_as_nobody,
    warm_course_library,
)
from bpscare.grading.zygote import Sandbox

#: Address space the judge of one submission may add to the warm worker's (item: a learner's
#: gigantic replies are refused by size before they are decoded; this caps what remains).
JUDGE_MEMORY_MB = 1536
_WARM = False


def warm(require_sandbox: bool = False) -> zygote.ZygoteClient:
    """Import what the judge uses once per worker, and start the learner zygote.

    The zygote is started here, before any job reaches this process, by ``execve`` with a
    minimal environment (inside bwrap where it works): learner processes are forked from it,
    so they never hold a test source, an expected value or the grader's environment.
    """
    global _WARM
    if not _WARM:
        # the zygote first: it starts (fresh, by execve) and imports while this process does
        keeper = zygote.client(require_sandbox)
        os.environ.setdefault("MPLBACKEND", "agg")
        for name in PRELOAD:
            with contextlib.suppress(Exception):
                __import__(name)
        with contextlib.suppress(Exception):
            display_formatter().format(1)
            compiled_test("x = 1\n")
        warm_course_library()
        become_subreaper()
        _WARM = True
        return keeper
    return zygote.client(require_sandbox)


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Grade one submission in a forked copy of this warm process; return its result.

    The fork gives every submission a pristine trusted namespace (module state changed by one
    notebook's test cells, such as random seeds, cannot reach the next), as a fresh kernel per
    notebook does under nbgrader, and a crash while judging costs only that submission.
    """
    warm(bool(job.get("limits", {}).get("require_sandbox")))
    # The same test sources for every submission of an assignment: compiled once, here, and
    # inherited by each submission's judge (this worker is the judge; no learner code runs here).
    prepare_tests(
        source
        for tests in job.get("tests", {}).values()
        if isinstance(tests, dict)
        for source in tests.values()
        if isinstance(source, str)
    )
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked judge
        code = 0
        try:
            os.close(read_fd)
            become_subreaper()  # orphans of this submission's learner processes come here
            _cap_judge_memory()
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
    limits = Limits.from_dict(job["limits"])
    workdir = warm(limits.require_sandbox).scratch_dir()
    flags: list[str] = []
    result: dict[str, Any] = {"student": job["student"], "notebooks": {}, "flags": flags}
    files = job.get("files", {})
    # Saved answers are read by the judge from the files as submitted, before learner code runs.
    submitted = {
        rel: base64.b64decode(data) for rel, data in files.items() if rel.endswith(answers.SUFFIX)
    }
    try:
        _write_files(workdir, files)
        with answers.grading_from(submitted, job["student"], str(job.get("assignment", ""))):
            for name, text in job["notebooks"].items():
                nb = json.loads(text)
                tests = job.get("tests", {}).get(name, {})
                protections = _run_notebook(nb, tests, workdir, limits, flags)
                result["notebooks"][name] = json.dumps(nb)
                result["protections"] = protections
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["seconds"] = time.monotonic() - started
    return result


def _cap_judge_memory() -> None:
    """Limit this submission's judge to the warm worker's size plus ``JUDGE_MEMORY_MB``."""
    import resource

    from bpscare.grading.sandbox import _vm_size_bytes

    size = _vm_size_bytes()
    if size:
        limit = size + JUDGE_MEMORY_MB * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))


def _write_files(workdir: Path, files: dict[str, str]) -> None:
    (workdir / ".tmp").mkdir()
    for rel, data in files.items():
        target = (workdir / rel).resolve()
        if workdir.resolve() not in target.parents:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
    if runs_as_nobody() and not zygote.client().sandboxed:  # the child's folder: its own
        for root, dirs, names in os.walk(workdir):
            for entry in [root, *(os.path.join(root, n) for n in dirs + names)]:
                os.chown(entry, NOBODY_UID, NOBODY_UID)


class _Learner:
    """The current learner process, restarted and replayed after a crash or timeout."""

    def __init__(self, workdir: Path, limits: Limits, flags: list[str]) -> None:
        self.workdir, self.limits, self.flags = workdir, limits, flags
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
            self.sandbox = Sandbox(self.workdir, self.limits)
            try:
                self.sandbox.start()
                for code, count in self.history:
                    deadline = time.monotonic() + self.limits.timeout_cell
                    self.sandbox.request({"op": "exec", "code": code, "count": count}, deadline)
                return
            except (SandboxCrash, SandboxTimeout):
                continue

    def execute(self, code: str, count: int) -> list[dict]:
        try:
            sandbox = self.get()  # (re)starting it is not the cell's time
            deadline = time.monotonic() + self.limits.timeout_cell
            reply = sandbox.request({"op": "exec", "code": code, "count": count}, deadline)
        except SandboxTimeout:
            _note(self.flags, f"timeout: a cell ran longer than {self.limits.timeout_cell:g} s")
            return [dict(TIMEOUT_OUTPUT)]
        except SandboxCrash as exc:
            _note(self.flags, f"crash: {exc}")
            return [_crash_output(str(exc))]
        self.history.append((code, count))
        # The reply is untrusted data: outputs are rebuilt field by field and capped here.
        outputs, truncated = sanitize_outputs(reply.get("outputs"), execution_count=count)
        if truncated or reply.get("truncated") or "oversized" in reply:
            _note(self.flags, "gigantic output: the learner's output was cut")
        return outputs

    def close(self) -> dict[str, str]:
        protections = dict(self.sandbox.protections) if self.sandbox else {}
        if self.sandbox is not None:
            self.sandbox.stop()
        return protections


def _note(flags: list[str], text: str) -> None:
    if text not in flags:
        flags.append(text)


def _run_notebook(
    nb: dict[str, Any],
    tests: dict[str, str],
    workdir: Path,
    limits: Limits,
    flags: list[str],
) -> dict[str, str]:
    learner = _Learner(workdir, limits, flags)
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
