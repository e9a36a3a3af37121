"""Memory of one learner's session on the Binder configuration (target: under 2 GB).

Usage::

    .venv/bin/python benchmarks/bench_memory.py            # every app and one lesson
    .venv/bin/python benchmarks/bench_memory.py --keep-open

What is measured: the real course is built once (learner edition, no wheel) and served as the
Binder image serves it: JupyterLab with Voila as a server extension and the culling settings of
``binder/jupyter_server_config.json`` (:func:`bpscare.serve.start_lab`). One learner, in Debian's
chromium on the same machine, opens a lesson in JupyterLab and runs all its cells, then opens
every Voila app in turn. By default each app tab is closed before the next opens (a learner
moving from app to app); ``--keep-open`` keeps every tab open to the end (the worst case).

The memory of the server and every process below it (its kernels) is sampled every 0.25 s from
``/proc``: the sum of PSS (proportional set size: shared libraries split between the processes
that map them, what a container's memory limit sees most closely) and, for comparison, the sum
of RSS (which counts shared pages once per process). The browser is not counted: on Binder it
runs on the learner's own computer. The peak, the figure after the session and the number of
kernels left are printed and written to ``benchmarks/results/memory.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
LESSON = "lessons/m03-recognizing-bias/02-transcripts-notes-and-managing-bias.ipynb"
LIMIT_MB = 2048.0


def _kib(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_memory_mb(pid: int) -> tuple[float, float, int]:
    """(PSS MB, RSS MB, kernel count) of ``pid`` and every process below it."""
    from bpscare.serve import _descendants

    pss = rss = 0
    kernels = 0
    for each in [pid, *(child for child, _start in _descendants(pid))]:
        pss += _kib(Path(f"/proc/{each}/smaps_rollup"), "Pss:")
        rss += _kib(Path(f"/proc/{each}/status"), "VmRSS:")
        try:
            if b"ipykernel" in Path(f"/proc/{each}/cmdline").read_bytes():
                kernels += 1
        except OSError:
            pass
    return pss / 1024, rss / 1024, kernels


class Sampler(threading.Thread):
    """Samples :func:`tree_memory_mb` until stopped; keeps the peaks."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_pss = self.peak_rss = 0.0
        self.peak_kernels = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            pss, rss, kernels = tree_memory_mb(self.pid)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_kernels = max(self.peak_kernels, kernels)
            time.sleep(0.25)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


KERNEL_IDLE_JS = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && k.connectionStatus === 'connected'; }"""


def poll(page, script: str, timeout_s: float = 300.0) -> None:
    """Evaluate ``script`` every 0.25 s until it is truthy."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script):
        if time.monotonic() > deadline:
            msg = f"timed out waiting for {script[:80]}"
            raise TimeoutError(msg)
        page.wait_for_timeout(250)


def run_lesson(context, url: str) -> None:
    """Open a lesson in JupyterLab and run all its cells (as "Run All" does)."""
    page = context.new_page()
    page.goto(url, timeout=180_000)
    page.locator(".jp-Notebook").first.wait_for(timeout=180_000)
    poll(page, KERNEL_IDLE_JS)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_timeout(3000)
    poll(page, KERNEL_IDLE_JS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-open", action="store_true", help="keep every app tab open")
    parser.add_argument("--out", type=Path, default=RESULTS / "memory.json")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from bpscare.apps import APPS
    from bpscare.authoring.build import Project, build
    from bpscare.serve import start_lab, stop_voila

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        print("building the learner edition ...", flush=True)
        built = build(Project(REPO), Path(tmp) / "_build", learner_wheel=False).out / "learner"
        root = Path(tmp) / "course"
        shutil.copytree(built, root)
        env = {
            **os.environ,
            "JUPYTERLAB_SETTINGS_DIR": str(Path(tmp) / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(Path(tmp) / "workspaces"),
        }
        token = secrets.token_hex(16)
        process, port = start_lab(root, token, timeout=180, env=env)
        base = f"http://127.0.0.1:{port}"
        idle = tree_memory_mb(process.pid)
        sampler = Sampler(process.pid)
        sampler.start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context()
                print(f"lesson {LESSON} ...", flush=True)
                run_lesson(context, f"{base}/lab/tree/{LESSON}?token={token}")
                for info in APPS:
                    page = context.new_page()
                    page.goto(f"{base}/voila/render/apps/{info.name}.ipynb", timeout=180_000)
                    page.locator(".bpscare-app").first.wait_for(timeout=180_000)
                    pss, rss, kernels = tree_memory_mb(process.pid)
                    print(
                        f"  {info.name:22} open: PSS {pss:7.0f} MB, RSS {rss:7.0f} MB, "
                        f"{kernels} kernels",
                        flush=True,
                    )
                    if not args.keep_open:
                        page.close(run_before_unload=True)
                time.sleep(5)
                during = tree_memory_mb(process.pid)
                context.close()
                browser.close()
            time.sleep(5)
            after = tree_memory_mb(process.pid)
        finally:
            sampler.stop()
            stop_voila(process)

    peak_pss, peak_rss = sampler.peak_pss, sampler.peak_rss
    verdict = "under" if peak_pss < LIMIT_MB else "OVER"
    print()
    print(f"server idle:               PSS {idle[0]:7.0f} MB, RSS {idle[1]:7.0f} MB")
    print(
        f"peak of the session:       PSS {peak_pss:7.0f} MB, RSS {peak_rss:7.0f} MB, "
        f"{sampler.peak_kernels} kernels at most ({verdict} the {LIMIT_MB:.0f} MB of Binder)"
    )
    print(f"end of session (tabs open): PSS {during[0]:7.0f} MB, {during[2]} kernels")
    print(f"after the browser closed:  PSS {after[0]:7.0f} MB, {after[2]} kernels")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "memory of one learner: a lesson and every app (Binder config)",
                "keep_open": args.keep_open,
                "limit_mb": LIMIT_MB,
                "idle_pss_mb": round(idle[0]),
                "peak_pss_mb": round(peak_pss),
                "peak_rss_mb": round(peak_rss),
                "peak_kernels": sampler.peak_kernels,
                "end_pss_mb": round(during[0]),
                "after_close_pss_mb": round(after[0]),
                "after_close_kernels": after[2],
                "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out}")
    return 0 if peak_pss < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
