"""Benchmark the first render of a Voila app with preheated kernels against fresh kernels.

Usage::

    /work/venv/bin/python benchmarks/bench_preheat.py                    # 5 visits per mode
    /work/venv/bin/python benchmarks/bench_preheat.py --runs 7 --apps screener disparity-explorer

What is measured: the real course is built once (learner edition, no wheel) and served by
``bpscare.serve.start_voila`` exactly as ``bpscare serve`` does, once with
``--preheat_kernel=True --pool_size=1`` (the default of ``bpscare serve``) and once without
(``bpscare serve --no-preheat``). Each visit is a new learner: a fresh browser context of Debian's
chromium (Playwright; no cache) opens ``/voila/render/apps/<app>.ipynb``, and two times are taken
from the navigation start:

- ``html``: the HTML document has arrived (``responseEnd`` of the navigation timing): Voila has
  executed the notebook (fresh kernel) or handed over a pre-rendered page (preheated);
- ``page``: the page has loaded, with Voila's front-end bundles (the ``load`` event);
- ``app``: the app's widgets are visible (``.bpscare-app``), i.e. what the learner waits for.

Before every visit the benchmark waits until the server and all its kernels are idle (their
CPU time stops growing), so a preheated pool has finished executing its notebook and the
fresh-kernel mode gets the same quiet machine. The medians of ``--runs`` visits per mode are
printed as a table and written to ``benchmarks/results/preheat.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and every process below it."""
    from bpscare.serve import _descendants

    total = 0.0
    for each in [pid, *(child for child, _start in _descendants(pid))]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def wait_quiet(pid: int, *, window: float = 1.5, threshold: float = 0.08, limit: float = 180):
    """Wait until the server's process tree uses under ``threshold`` CPU seconds per window."""
    deadline = time.monotonic() + limit
    before = tree_cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(window)
        now = tree_cpu_seconds(pid)
        if now - before < threshold:
            return
        before = now
    print(f"  (server still busy after {limit:.0f} s; measuring anyway)", file=sys.stderr)


def visit(browser, url: str) -> tuple[float, float, float]:
    """One new learner opens ``url``: seconds until the HTML, page load and app visible."""
    context = browser.new_context()
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="load", timeout=180_000)
        loaded = time.perf_counter() - start
        page.locator(".bpscare-app").first.wait_for(state="visible", timeout=180_000)
        visible = time.perf_counter() - start
        html = page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].responseEnd / 1000"
        )
        if page.get_by_text("There was an error when executing cell").count():
            msg = f"the app at {url} failed to execute"
            raise RuntimeError(msg)
    finally:
        context.close()
    return html, loaded, visible


def measure(learner: Path, apps: list[str], runs: int, *, preheat: bool, browser) -> dict:
    """Serve ``learner`` in one mode and time ``runs`` visits of each app."""
    from bpscare.serve import app_url, start_voila, stop_voila

    process, port = start_voila(learner, preheat=preheat, timeout=180)
    out: dict[str, dict] = {}
    try:
        for app in apps:
            htmls, pages, visibles = [], [], []
            for run in range(runs):
                wait_quiet(process.pid)
                html, loaded, visible = visit(browser, app_url(port, app))
                htmls.append(html)
                pages.append(loaded)
                visibles.append(visible)
                mode = "preheated" if preheat else "fresh kernel"
                print(
                    f"  {mode:12} {app:22} run {run + 1}: html {html:6.2f} s, "
                    f"page {loaded:6.2f} s, app {visible:6.2f} s",
                    flush=True,
                )
            out[app] = {"html_s": htmls, "page_s": pages, "app_s": visibles}
    finally:
        stop_voila(process)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="visits per app and mode (>= 5)")
    parser.add_argument(
        "--apps", nargs="+", default=["screener", "disparity-explorer"], help="app names"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "preheat.json")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error(f"--runs must be at least 5 for a median, got {args.runs}")

    from playwright.sync_api import sync_playwright

    from bpscare.authoring.build import Project, build

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with tempfile.TemporaryDirectory(prefix="bench-preheat-") as tmp:
        print("building the learner edition ...", flush=True)
        learner = build(Project(REPO), Path(tmp) / "_build", learner_wheel=False).out / "learner"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                results = {
                    "preheated": measure(
                        learner, args.apps, args.runs, preheat=True, browser=browser
                    ),
                    "fresh kernel": measure(
                        learner, args.apps, args.runs, preheat=False, browser=browser
                    ),
                }
            finally:
                browser.close()

    rows = []
    for app in args.apps:
        for mode in ("fresh kernel", "preheated"):
            data = results[mode][app]
            rows.append(
                {
                    "app": app,
                    "mode": mode,
                    "runs": len(data["app_s"]),
                    "html_median_s": round(statistics.median(data["html_s"]), 3),
                    "page_median_s": round(statistics.median(data["page_s"]), 3),
                    "app_median_s": round(statistics.median(data["app_s"]), 3),
                    "app_min_s": round(min(data["app_s"]), 3),
                    "app_max_s": round(max(data["app_s"]), 3),
                }
            )
    print()
    print(
        f"{'app':22} {'mode':13} {'runs':>4} {'html median':>12} {'page median':>12} "
        f"{'app median':>11} {'app min-max':>14}"
    )
    for r in rows:
        print(
            f"{r['app']:22} {r['mode']:13} {r['runs']:4d} {r['html_median_s']:10.2f} s "
            f"{r['page_median_s']:10.2f} s {r['app_median_s']:9.2f} s "
            f"{r['app_min_s']:6.2f}-{r['app_max_s']:.2f} s"
        )
    for app in args.apps:
        fresh = next(r for r in rows if r["app"] == app and r["mode"] == "fresh kernel")
        warm = next(r for r in rows if r["app"] == app and r["mode"] == "preheated")
        print(
            f"{app}: preheating saves {fresh['app_median_s'] - warm['app_median_s']:.2f} s "
            f"per first render ({fresh['app_median_s'] / warm['app_median_s']:.1f}x faster); "
            f"the HTML arrives {fresh['html_median_s'] - warm['html_median_s']:.2f} s sooner"
        )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "first render of a Voila app: preheated kernels vs fresh kernels",
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "runs_per_mode": args.runs,
                "summary": rows,
                "raw": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
