"""Fan grading jobs out over a Dask distributed cluster (``executor="dask://HOST:PORT"``).

Jobs and results are plain data (notebook JSON, files as base64, limits; outputs and flags),
so a worker needs bpscare installed but no access to the course or the gradebook. Each Dask
worker keeps one warm local zygote pool (:class:`bpscare.grading.pool.WorkerPool` with one
process), so forking sandboxes never happens inside Dask's multi-threaded worker.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from typing import Any

from bpscare.errors import BpscareError

CONNECT_TIMEOUT = "5s"
_WORKER_POOL: Any = None
_POOL_LOCK = threading.Lock()


def run_on_worker(job: dict[str, Any]) -> dict[str, Any]:
    """Grade one job on a Dask worker, in that worker's warm grading processes.

    The pool has one process per Dask worker thread and lives as long as the Dask worker.
    """
    global _WORKER_POOL
    with _POOL_LOCK:
        if _WORKER_POOL is None:
            from bpscare.grading.pool import WorkerPool

            _WORKER_POOL = WorkerPool(_worker_threads())
    return _WORKER_POOL.submit(job).result()


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except Exception:
        return 1


class DaskExecutor:
    """Submit jobs to a running Dask scheduler; fail fast (one line) when it is unreachable."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            msg = "the dask executor needs the 'distributed' package"
            raise BpscareError(msg) from exc
        if not address or ":" not in address:
            msg = f"dask executor address {address!r} must look like dask://HOST:PORT"
            raise BpscareError(msg)
        self._futures: list[Any] = []
        try:
            self._client = Client(f"tcp://{address}", timeout=CONNECT_TIMEOUT, set_as_default=False)
        except Exception as exc:
            msg = f"cannot reach the Dask scheduler at {address}: {str(exc).splitlines()[0][:200]}"
            raise BpscareError(msg) from None

    def submit(self, job: dict[str, Any]) -> Any:
        """Queue one job on the cluster (pure=False: every run really runs)."""
        future = self._client.submit(run_on_worker, job, pure=False)
        self._futures.append(future)
        return future

    def as_completed(self, futures: Iterable[Any]) -> Iterable[tuple[Any, Any]]:
        """Yield (future, result or exception) as jobs finish."""
        from distributed import as_completed

        for future in as_completed(list(futures), loop=self._client.loop):
            try:
                yield future, future.result()
            except BaseException as exc:
                yield future, exc

    def close(self, kill: bool = False) -> None:
        """Disconnect from the scheduler (cancelling queued jobs first with ``kill``)."""
        with contextlib.suppress(Exception):
            if kill:
                self._client.cancel(list(self._futures))
            self._client.close()
