"""Time to first widget of every Voila app with preheated kernels (targets: p50 <= 1 s, p95 <= 2 s).

Usage::

    .venv/bin/python benchmarks/bench_preheat.py                  # every app, 5 visits per mode
    .venv/bin/python benchmarks/bench_preheat.py --runs 7 --apps screener --fresh

What is measured: the real course is built once (learner edition, no wheel) and served by
``bpscare.serve.start_voila`` exactly as ``bpscare serve`` does (``--preheat_kernel=True
--pool_size=1``); ``--fresh`` adds ``bpscare serve --no-preheat``. Debian's chromium (Playwright)
opens ``/voila/render/apps/<app>.ipynb`` on the same machine and the clock runs from the
navigation start to the **first widget a learner can use**: an enabled button, drop-down, text
box or slider inside the app. Two kinds of visit:

- ``warm``: a returning learner; one browser context (its HTTP cache holds Voila's scripts after
  one untimed visit) opens each app in turn, closing the previous one;
- ``cold``: a new learner; every visit is a fresh context with an empty cache.

Everything is served locally: chromium resolves no host but ``localhost``/``127.0.0.1`` (its
``--host-resolver-rules``), so a request that tries to leave the machine fails at once, and every
such request is listed. (Playwright's request routing is not used for this: routing turns the
browser's HTTP cache off, which made every ``warm`` visit a cold one.) Before every visit the
benchmark opens the tab (headless chromium builds its own omnibox page for each new tab, about a
CPU second that is not the app's) and waits until the server, its kernels and the browser are
idle (their CPU time stops growing) and, with preheated kernels, until Voila has begun refilling
the pool (``bpscare.apps.voila_config.PREHEAT_FILL_DELAY`` after the previous visit), so the
pool has refilled; then the clock starts with the navigation. p50, p95 and max per mode, the
load average before and after (the machine may be shared), and every raw time go to
``benchmarks/results/preheat.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
# Only localhost resolves: a request for any other host fails at once (a DNS error).
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1"]
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


FIRST_WIDGET_JS = """() => {
  const app = document.querySelector('.bpscare-app');
  if (!app) return false;
  return Array.from(app.querySelectorAll('button, select, input, textarea, [role=slider]'))
    .some((el) => !el.disabled && el.getBoundingClientRect().width > 0);
}"""
"""True once the app shows an enabled control: the first widget a learner can use."""


def is_local(url: str) -> bool:
    """Whether ``url`` is served by this machine (loopback, data: or blob:)."""
    return url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:"))


def visit(page, url: str) -> tuple[float, float, float]:
    """One visit of ``url`` in the open, idle tab ``page``: seconds to the HTML, load, first widget.

    The tab is closed afterwards (as a learner closes an app, so Voila shuts its kernel down).
    """
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=180_000)
        page.wait_for_function(FIRST_WIDGET_JS, timeout=180_000, polling="raf")
        widget = time.perf_counter() - start
        page.wait_for_load_state("load", timeout=180_000)
        loaded = time.perf_counter() - start
        html = page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].responseEnd / 1000"
        )
        if page.get_by_text("There was an error when executing cell").count():
            msg = f"the app at {url} failed to execute"
            raise RuntimeError(msg)
        page.close(run_before_unload=True)
    finally:
        if not page.is_closed():
            page.close()
    return html, loaded, widget


def new_context(browser, external: list[str]):
    """A browser context that records every request leaving the machine (chromium refuses them).

    No routing: Playwright's routing would turn the context's HTTP cache off.
    """
    context = browser.new_context()

    def record(request) -> None:
        if not is_local(request.url):
            external.append(request.url)

    context.on("request", record)
    return context


def open_idle_tab(context, server_pid: int, refill_after: float):
    """A new tab in ``context``, returned once the server's pool has refilled and all is idle.

    ``refill_after`` is the monotonic time at which Voila starts refilling the pool (0: nothing
    pending); until then the server looks idle although the next visit would wait for the refill.
    """
    page = context.new_page()
    time.sleep(max(0.0, refill_after - time.monotonic()))
    wait_quiet(server_pid)
    wait_quiet(os.getpid())  # the server, its kernels, the Playwright driver and chromium
    return page


def measure(
    learner: Path, apps: list[str], runs: int, *, preheat: bool, browser, warm: bool
) -> dict:
    """Serve ``learner`` in one mode and time ``runs`` visits of each app.

    ``warm``: the visits share one browser context (a returning learner whose browser has
    Voila's scripts cached; one untimed visit warms it); otherwise every visit is a new
    learner with an empty cache.
    """
    from bpscare.apps.voila_config import PREHEAT_FILL_DELAY
    from bpscare.serve import app_url, start_voila, stop_voila

    process, port = start_voila(learner, preheat=preheat, timeout=180)
    out: dict[str, dict] = {}
    external: list[str] = []
    shared = new_context(browser, external) if warm else None
    # Voila starts refilling a notebook's pool PREHEAT_FILL_DELAY s after a page took its kernel.
    delay = PREHEAT_FILL_DELAY + 0.5 if preheat else 0.0
    refill_after = 0.0
    try:
        if shared is not None:
            visit(open_idle_tab(shared, process.pid, 0.0), app_url(port, apps[0]))
            refill_after = time.monotonic() + delay
        for app in apps:
            htmls, pages, widgets = [], [], []
            for run in range(runs):
                context = shared or new_context(browser, external)
                try:
                    page = open_idle_tab(context, process.pid, refill_after)
                    refill_after = time.monotonic() + delay
                    html, loaded, widget = visit(page, app_url(port, app))
                finally:
                    if shared is None:
                        context.close()
                htmls.append(html)
                pages.append(loaded)
                widgets.append(widget)
                mode = ("preheated" if preheat else "fresh kernel") + (
                    ", warm" if warm else ", cold"
                )
                print(
                    f"  {mode:24} {app:22} run {run + 1}: html {html:6.2f} s, "
                    f"first widget {widget:6.2f} s, load {loaded:6.2f} s",
                    flush=True,
                )
            out[app] = {"html_s": htmls, "page_s": pages, "widget_s": widgets}
    finally:
        if shared is not None:
            shared.close()
        stop_voila(process)
    out["_external_requests"] = sorted(set(external))
    return out


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values`` by linear interpolation."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    from bpscare.apps import APPS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="visits per app and mode (>= 5)")
    parser.add_argument(
        "--apps", nargs="+", default=[info.name for info in APPS], help="app names (all)"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="also time fresh (not preheated) kernels"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "preheat.json")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error(f"--runs must be at least 5 for a median, got {args.runs}")

    from playwright.sync_api import sync_playwright

    from bpscare.authoring.build import Project, build

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    modes = [("preheated, warm", True, True), ("preheated, cold", True, False)]
    if args.fresh:
        modes.append(("fresh kernel, cold", False, False))
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-preheat-") as tmp:
        print("building the learner edition ...", flush=True)
        learner = build(Project(REPO), Path(tmp) / "_build", learner_wheel=False).out / "learner"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS
            )
            try:
                results = {
                    name: measure(
                        learner, args.apps, args.runs, preheat=pre, browser=browser, warm=warm
                    )
                    for name, pre, warm in modes
                }
            finally:
                browser.close()

    rows = []
    for name, _pre, _warm in modes:
        widgets = [t for app in args.apps for t in results[name][app]["widget_s"]]
        htmls = [t for app in args.apps for t in results[name][app]["html_s"]]
        rows.append(
            {
                "mode": name,
                "visits": len(widgets),
                "first_widget_p50_s": round(percentile(widgets, 0.5), 3),
                "first_widget_p95_s": round(percentile(widgets, 0.95), 3),
                "first_widget_max_s": round(max(widgets), 3),
                "html_p50_s": round(percentile(htmls, 0.5), 3),
                "external_requests_refused": len(results[name]["_external_requests"]),
            }
        )
    print()
    print(f"{'mode':22} {'visits':>6} {'widget p50':>11} {'p95':>8} {'max':>8} {'html p50':>9}")
    for r in rows:
        print(
            f"{r['mode']:22} {r['visits']:6d} {r['first_widget_p50_s']:9.2f} s "
            f"{r['first_widget_p95_s']:6.2f} s {r['first_widget_max_s']:6.2f} s "
            f"{r['html_p50_s']:7.2f} s"
        )
    external = sorted({u for name, *_ in modes for u in results[name]["_external_requests"]})
    print(f"requests that tried to leave the machine (refused): {external or 'none'}")
    load_after = os.getloadavg()
    print(f"load average before {load_before}, after {load_after}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "navigation to the first usable widget of each Voila app",
                "targets": {"preheated p50_s": 1.0, "preheated p95_s": 2.0},
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_average_before": load_before,
                    "load_average_after": load_after,
                },
                "runs_per_app": args.runs,
                "summary": rows,
                "external_requests_refused": external,
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
