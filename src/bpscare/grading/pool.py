"""A pool of warm grading workers (``python -m bpscare.grading.pool``) fed over pipes.

Each worker is a separate Python process that imports IPython, numpy, pandas and the course
library once and then judges job after job; before the first job it starts its learner zygote
(:mod:`bpscare.grading.zygote`), which forks a sandboxed learner process per notebook.
Jobs and results are plain JSON frames (never pickles), and the worker's own standard output is
moved away from the frame pipe, so nothing a learner prints can corrupt a frame. Unlike
``multiprocessing``, starting the pool never re-imports the caller's ``__main__`` module.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bpscare.grading import transport

STOP = None


class WorkerDied(RuntimeError):
    """A grading worker process ended while grading a job."""


class _Worker:
    """One worker process and the thread that feeds it jobs from the shared queue."""

    def __init__(self, jobs: queue.Queue) -> None:
        self.jobs = jobs
        self.process: subprocess.Popen | None = self._spawn()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _spawn(self) -> subprocess.Popen:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [package_root, *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
        )
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("OMP_NUM_THREADS", "1")
        env.setdefault("MPLBACKEND", "agg")
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        return subprocess.Popen(
            [sys.executable, "-P", "-m", "bpscare.grading.pool"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd="/",
            env=env,
            close_fds=True,
        )

    def _loop(self) -> None:
        while True:
            item = self.jobs.get()
            if item is STOP:
                self._stop()
                return
            job, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(self._run(job))
            except BaseException as exc:
                future.set_exception(exc)

    def _run(self, job: dict[str, Any]) -> dict[str, Any]:
        if self.process is None or self.process.poll() is not None:
            self.process = self._spawn()
        try:
            stdin, stdout = self.process.stdin, self.process.stdout
            if stdin is None or stdout is None:  # pragma: no cover - spawned with both pipes
                msg = "the grading worker has no pipes"
                raise OSError(msg)
            transport.send(stdin.fileno(), {"job": job})
            reply = transport.receive(stdout.fileno())
        except (transport.FrameError, OSError) as exc:
            self._stop()
            msg = "the grading worker stopped unexpectedly"
            raise WorkerDied(msg) from exc
        if "error" in reply:
            raise WorkerDied(str(reply["error"]))
        return reply["result"]

    def _stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(Exception):
            self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(Exception):
            self.process.stdout.close()  # type: ignore[union-attr]
        self.process = None


class WorkerPool:
    """``workers`` warm grading processes; ``submit`` returns a ``concurrent.futures.Future``."""

    def __init__(self, workers: int) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._workers = [_Worker(self._jobs) for _ in range(max(1, workers))]

    def submit(self, job: dict[str, Any]) -> concurrent.futures.Future:
        """Queue one job."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((job, future))
        return future

    def as_completed(self, futures: Iterable[Any]) -> Iterable[tuple[Any, Any]]:
        """Yield (future, result or exception) as jobs finish."""
        for future in concurrent.futures.as_completed(list(futures)):
            try:
                yield future, future.result()
            except BaseException as exc:
                yield future, exc

    def close(self, kill: bool = False) -> None:
        """Stop every worker process: after its current job, or at once with ``kill``."""
        if kill:
            for worker in self._workers:
                process = worker.process
                if process is not None and process.poll() is None:
                    with contextlib.suppress(OSError):
                        process.kill()
        for _ in self._workers:
            self._jobs.put(STOP)
        for worker in self._workers:
            worker.thread.join(timeout=30)


def worker_main() -> None:
    """Serve jobs from stdin until it closes (the worker process's entry point)."""
    fd_in = os.dup(0)
    fd_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints go to stderr, never into a frame
    sys.stdout = sys.stderr
    from bpscare.grading import runner

    runner.warm()
    import gc

    # Each submission's judge is a fork of this warm process: with the warm heap frozen, the
    # fork's garbage collections never write to (and so copy) its pages.
    gc.collect()
    gc.freeze()
    while True:
        try:
            request = transport.receive(fd_in)
        except transport.FrameError:
            from bpscare.grading import zygote

            zygote.shutdown()  # the learner zygote and its scratch folder go too
            os._exit(0)  # skip the slow interpreter shutdown
        started = time.monotonic()
        try:
            result = runner.run_job(request["job"])
        except Exception as exc:
            transport.send(fd_out, {"error": f"{type(exc).__name__}: {exc}"[:2000]})
            continue
        result.setdefault("seconds", time.monotonic() - started)
        transport.send(fd_out, {"result": result})


if __name__ == "__main__":
    worker_main()
