"""The feedback-on-submit JupyterHub service (``bpscare hub-service``).

Run by the hub as a managed service (see ``docs/jupyterhub.md``). It polls the exchange's
inbound folder, checks each new submission, grades it in a scratch course (rate-limited per
learner and assignment), and writes the learner-safe result to ``<state>/results/``. Its page at
``/services/<name>/`` (JupyterHub OAuth) shows the signed-in learner their own results only;
``api/me`` gives the same as JSON. Scores stay *provisional* until the instructor's autograde
of that same submission, after which the page shows the instructor's score.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bpscare import atomic
from bpscare.errors import BpscareError
from bpscare.hub.inbound import Submission, owner_mismatch, problem, ready_submissions

log = logging.getLogger("bpscare.hub")
WARM_UP = "bpscare-warm-up"  # the learner id of the service's own first grading


@dataclass
class Settings:
    """What an instructor configures (command-line options of ``bpscare hub-service``)."""

    course: Path
    exchange: Path
    course_id: str
    state: Path
    max_gradings: int = 3  # per learner and assignment within ``per_seconds``
    per_seconds: float = 600.0
    poll: float = 0.5
    batch: int = 8
    workers: int = 1
    size_factor: float = 5.0


class RateLimit:
    """At most ``limit`` gradings per (learner, assignment) in any ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, student: str, assignment: str, now: float) -> float | None:
        """Record a grading and return None, or return when the next one is allowed."""
        with self._lock:
            times = self._seen.setdefault((student, assignment), deque())
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.limit:
                return times[0] + self.window
            times.append(now)
            return None


class ResultStore:
    """One JSON file per learner and assignment: their attempts, newest first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    def path(self, student: str, assignment: str) -> Path:
        """Where one learner's attempts at one assignment are kept."""
        return self.root / _safe(student) / f"{_safe(assignment)}.json"

    def attempts(self, student: str) -> dict[str, list[dict[str, Any]]]:
        """Assignment → attempts of one learner."""
        folder = self.root / _safe(student)
        out: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(folder.glob("*.json")):
            out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        return out

    def keys(self) -> set[str]:
        """Every submission already recorded (so a restart does not grade them again)."""
        found: set[str] = set()
        for path in self.root.glob("*/*.json"):
            found |= {a["key"] for a in json.loads(path.read_text(encoding="utf-8"))}
        return found

    def record(self, sub: Submission, **fields: Any) -> None:
        """Add or update the attempt for ``sub``."""
        with self._lock:
            path = self.path(sub.student, sub.assignment)
            attempts = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
            entry = next((a for a in attempts if a["key"] == sub.key), None)
            if entry is None:
                entry = {
                    "key": sub.key,
                    "student": sub.student,
                    "assignment": sub.assignment,
                    "timestamp": sub.timestamp,
                    "detected": sub.detected,
                }
                attempts.insert(0, entry)
            entry.update(fields)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_text(path, json.dumps(attempts, indent=1))


class FeedbackService:
    """The watcher, the grading worker and the result store, without the web part."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.inbound = settings.exchange / settings.course_id / "inbound"
        self.release = settings.course / "release"
        self.store = ResultStore(settings.state / "results")
        from bpscare.hub.grader import ScratchGrader

        self.grader = ScratchGrader(settings.course, settings.state, workers=settings.workers)
        self.limit = RateLimit(settings.max_gradings, settings.per_seconds)
        self.known = self.store.keys()
        self.todo: queue.Queue[Submission] = queue.Queue()
        self.stopping = threading.Event()
        self._warm: set[str] = set()

    def prepare(self) -> None:
        """Generate the scratch course of every released assignment (slow: done once)."""
        for folder in sorted(self.release.iterdir()) if self.release.is_dir() else []:
            if folder.is_dir() and (self.settings.course / "source" / folder.name).is_dir():
                self.grader.template(folder.name)

    def published(self) -> set[str]:
        """The assignments released to learners (in the exchange's outbound)."""
        outbound = self.settings.exchange / self.settings.course_id / "outbound"
        return {p.name for p in outbound.iterdir() if p.is_dir()} if outbound.is_dir() else set()

    def warm_up(self) -> None:
        """Make the scratch course of each assignment released to the exchange, ahead of time."""
        outbound = self.settings.exchange / self.settings.course_id / "outbound"
        for folder in sorted(outbound.iterdir()) if outbound.is_dir() else []:
            if folder.name in self._warm or not (self.release / folder.name).is_dir():
                continue
            self._warm.add(folder.name)
            try:
                self.grader.template(folder.name)
                # One grading of the released notebook loads the engine before learners submit.
                probe = Submission(self.release / folder.name, WARM_UP, folder.name, "", 0.0)
                self.grader.grade(folder.name, [probe])
                atomic.write_text(self.settings.state / "templates" / f"{folder.name}.ready", "")
                log.info("ready to grade %s", folder.name)
            except (BpscareError, OSError):
                log.exception("could not prepare %s", folder.name)

    def scan(self) -> int:
        """Queue the new ready submissions, answering bad ones at once; return how many."""
        subs = ready_submissions(self.inbound, self.known)
        for sub in subs:
            self.known.add(sub.key)
            log.info("new submission %s", sub.key)
            reason = owner_mismatch(sub)
            if reason is not None:
                log.warning("ignored %s: %s", sub.key, reason)
                continue
            bad = problem(sub, self.release, self.settings.size_factor, self.published())
            if bad is not None:
                self.store.record(sub, status="rejected", message=bad, done=time.time())
                continue
            retry = self.limit.take(sub.student, sub.assignment, time.time())
            if retry is not None:
                wait = max(1, round(retry - time.time()))
                message = (
                    f"received, but you have had {self.settings.max_gradings} automatic "
                    f"gradings of {sub.assignment} recently; the next is possible in about "
                    f"{_duration(wait)}. Your instructor grades every submission."
                )
                self.store.record(sub, status="rate_limited", message=message, done=time.time())
                continue
            self.store.record(sub, status="grading", message="received; grading now")
            self.todo.put(sub)
        return len(subs)

    def work(self) -> None:
        """Grade queued submissions in batches until :attr:`stopping` is set."""
        while not self.stopping.is_set():
            try:
                first = self.todo.get(timeout=0.5)
            except queue.Empty:
                self.warm_up()
                continue
            batch = [first]
            while len(batch) < self.settings.batch:
                try:
                    batch.append(self.todo.get_nowait())
                except queue.Empty:
                    break
            self.grade(batch)

    def grade(self, subs: list[Submission]) -> None:
        """Grade ``subs`` (any learners and assignments) and record each result."""
        by_assignment: dict[str, list[Submission]] = {}
        for sub in subs:
            by_assignment.setdefault(sub.assignment, []).append(sub)
        for assignment, group in by_assignment.items():
            while group:  # one submission per learner in each engine run
                this: dict[str, Submission] = {}
                rest: list[Submission] = []
                for sub in group:
                    if sub.student in this:
                        rest.append(sub)
                    else:
                        this[sub.student] = sub
                group = rest
                try:
                    results = self.grader.grade(assignment, list(this.values()))
                except Exception:  # one failed batch must not stop the service for everyone
                    log.exception("grading %s failed", assignment)
                    results = {}
                for sub in this.values():
                    result = results.get(sub.key) or {
                        "status": "error",
                        "message": "automatic grading failed; your instructor will grade it",
                    }
                    self.store.record(sub, **result, done=time.time())

    def view(self, student: str) -> dict[str, list[dict[str, Any]]]:
        """One learner's attempts, with instructor-confirmed scores where they exist."""
        attempts = self.store.attempts(student)
        for assignment, items in attempts.items():
            official = self._official(student, assignment)
            for item in items:
                item["provisional"] = not (official and official[0] == item["timestamp"])
                if not item["provisional"] and official is not None:
                    item["instructor_score"] = official[1]
        return attempts

    def _official(self, student: str, assignment: str) -> tuple[str, float] | None:
        folder = self.settings.course / "autograded" / student / assignment
        stamp = folder / "timestamp.txt"
        if not stamp.is_file():
            return None
        from bpscare.grading.backend import cell_scores

        scores = cell_scores(self.settings.course, assignment, student)
        return stamp.read_text(encoding="utf-8").strip(), round(sum(scores.values()), 2)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "_"


def _duration(seconds: int) -> str:
    return f"{seconds} s" if seconds < 120 else f"{round(seconds / 60)} min"


def render_page(student: str, attempts: dict[str, list[dict[str, Any]]]) -> str:
    """The learner's page: their own attempts only, newest first, escaped."""
    e = html.escape
    pending = any(a.get("status") == "grading" for items in attempts.values() for a in items)
    rows: list[str] = []
    for assignment, items in sorted(attempts.items()):
        rows.append(f"<h2>{e(assignment)}</h2>")
        for item in items:
            rows.append(_attempt_html(item))
    body = "".join(rows) or "<p>No submissions yet. Submit from the Assignments tab.</p>"
    refresh = '<meta http-equiv="refresh" content="2">' if pending else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">{refresh}
<title>Feedback on submit</title><style>
body{{font-family:system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem;
line-height:1.45;color:#1b1b1b}}h1{{font-size:1.4rem}}h2{{font-size:1.15rem;margin-top:1.5rem}}
.attempt{{border:1px solid #888;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0}}
.status{{font-weight:600}}.rejected,.error{{border-color:#a30000;background:#fff4f4}}
.rate_limited{{border-color:#8a5a00;background:#fff9ec}}.provisional{{color:#5a3d00}}
li{{margin:.2rem 0}}</style></head><body><main>
<h1>Feedback on submit for {e(student)}</h1>{body}</main></body></html>"""


def _attempt_html(item: dict[str, Any]) -> str:
    e = html.escape
    status = str(item.get("status", ""))
    head = f'<p class="status">Submitted {e(str(item.get("timestamp", "")))}: '
    if status == "graded":
        score = f"{item.get('score', 0):g} of {item.get('max_score', 0):g} points"
        if item.get("provisional", True):
            head += f'{score} <span class="provisional">(provisional)</span></p>'
            head += f"<p>{e(str(item.get('message', '')))} Reflections and other "
            head += "manually graded parts are not included.</p>"
        else:
            head += f"{item.get('instructor_score', 0):g} points, confirmed by your instructor's"
            head += " grading (see the released feedback).</p>"
        parts = []
        for part in item.get("parts", []):
            lis = "".join(f"<li>{e(m)}</li>" for m in part["public_not_passed"])
            if part["hidden_not_passed"]:
                lis += (
                    f"<li>{part['hidden_not_passed']} further check(s) did not pass. "
                    f"Revisit: {e(part['question'])}</li>"
                )
            lis = f"<ul>{lis}</ul>" if lis else " All checks passed."
            parts.append(
                f"<section><h3>{e(part['title'])}: {part['score']:g} of {part['points']:g}</h3>"
                f"{lis}</section>"
            )
        body = "".join(parts)
    elif status == "grading":
        head += "received; grading now (this page refreshes itself).</p>"
        body = ""
    else:
        label = {"rejected": "not graded", "rate_limited": "not graded yet", "error": "not graded"}
        head += f"{label.get(status, status)}</p>"
        message = str(item.get("message", ""))
        body = f"<p>{e(message[:1].upper() + message[1:])}</p>"
    return f'<article class="attempt {e(status)}">{head}{body}</article>'


def make_app(service: FeedbackService, prefix: str) -> Any:
    """The tornado application: the page, ``api/me`` and the OAuth callback."""
    from jupyterhub.services.auth import (  # type: ignore[import-untyped]
        HubOAuth,
        HubOAuthCallbackHandler,
        HubOAuthenticated,
    )
    from tornado import web

    class Page(HubOAuthenticated, web.RequestHandler):
        @web.authenticated
        def get(self) -> None:
            name = self.current_user["name"]
            self.set_header("Cache-Control", "no-store")
            self.write(render_page(name, service.view(name)))

    class Me(HubOAuthenticated, web.RequestHandler):
        @web.authenticated
        def get(self) -> None:
            name = self.current_user["name"]
            self.set_header("Cache-Control", "no-store")
            self.write({"user": name, "attempts": service.view(name)})

    token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
    if not token:
        msg = "bpscare hub-service runs under JupyterHub: JUPYTERHUB_API_TOKEN is not set"
        raise BpscareError(msg)
    auth = HubOAuth(api_token=token, cache_max_age=60)
    return web.Application(
        [
            (prefix, Page),
            (prefix + "api/me", Me),
            (prefix + "oauth_callback", HubOAuthCallbackHandler),
        ],
        hub_auth=auth,
        cookie_secret=os.urandom(32),
    )


def main(argv: list[str] | None = None) -> int:
    """Run the service until interrupted (the hub starts and stops it)."""
    parser = argparse.ArgumentParser(prog="bpscare hub-service", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The service's options (shared with the ``bpscare hub-service`` subcommand)."""
    parser.add_argument("--course", required=True, help="the instructor's nbgrader course folder")
    parser.add_argument("--exchange", required=True, help="nbgrader's Exchange.root")
    parser.add_argument(
        "--course-id",
        default=None,
        help="nbgrader's CourseDirectory.course_id (default: read from the course's config)",
    )
    parser.add_argument("--state", required=True, help="the service's own folder (results)")
    parser.add_argument(
        "--max-gradings",
        type=int,
        default=3,
        help="gradings allowed per learner and assignment in each window (default: 3)",
    )
    parser.add_argument(
        "--per-minutes", type=float, default=10.0, help="the rate-limit window (default: 10)"
    )
    parser.add_argument("--workers", type=int, default=1, help="grading processes (default: 1)")
    parser.add_argument(
        "--size-factor",
        type=float,
        default=5.0,
        help="refuse a submission larger than this many times the release, plus 1 MB (default: 5)",
    )
    parser.add_argument(
        "--port", type=int, default=None, help="the port (default: from JUPYTERHUB_SERVICE_URL)"
    )


def run(args: argparse.Namespace) -> int:
    """Start the watcher, the worker and the web server; block until interrupted."""
    from urllib.parse import urlparse

    from tornado.ioloop import IOLoop, PeriodicCallback

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    course = Path(args.course).resolve()
    course_id = args.course_id or _course_id(course)
    if args.max_gradings < 1 or args.per_minutes <= 0:
        msg = "--max-gradings must be at least 1 and --per-minutes above 0"
        raise BpscareError(msg)
    settings = Settings(
        course=course,
        exchange=Path(args.exchange).resolve(),
        course_id=course_id,
        state=Path(args.state).resolve(),
        max_gradings=args.max_gradings,
        per_seconds=args.per_minutes * 60,
        workers=args.workers,
        size_factor=args.size_factor,
    )
    service = FeedbackService(settings)
    worker = threading.Thread(target=service.work, name="bpscare-grader", daemon=True)
    worker.start()
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/bpscare-feedback/")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    app = make_app(service, prefix)
    port = args.port if args.port is not None else (url.port or 10101)
    app.listen(port, url.hostname or "127.0.0.1")

    def scan() -> None:
        service.scan()

    PeriodicCallback(scan, settings.poll * 1000).start()
    log.info("watching %s; serving %s", service.inbound, prefix)
    try:
        IOLoop.current().start()
    finally:
        service.stopping.set()
    return 0


def _course_id(course: Path) -> str:
    from bpscare import nbgrader_course

    config = nbgrader_course.load_course_config(course)
    course_id = str(config.CourseDirectory.get("course_id", ""))
    if not course_id:
        msg = "the course's nbgrader_config.py sets no CourseDirectory.course_id; pass --course-id"
        raise BpscareError(msg, path=course / "nbgrader_config.py")
    return course_id
