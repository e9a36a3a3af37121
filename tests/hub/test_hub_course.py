"""The course on a real JupyterHub: release, fetch, answer, submit, feedback on submit, collect,
autograde, feedback, report. Learners use Debian's chromium for signing in and reading; their
server's nbgrader and contents APIs (as the learner, with the learner's token) for the rest.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from harness import COURSE_ID, LEARNERS, MAX_GRADINGS, PASSWORD, SERVICE, Hub

from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import load_assignment
from bpscare.authoring.leakguard import forbidden_fragments

pytestmark = pytest.mark.hub

A01 = "a01-screening"
NB = f"{A01}.ipynb"
SHOTS = os.environ.get("BPSCARE_SCREENSHOTS")  # a folder: screenshots are written there


def hidden_messages(project_root: Path, release: Path) -> list[str]:
    """Every message of a01's hidden checks (they carry expected values), except f-string
    pieces and text the released notebook shows anyway."""
    tree = ast.parse((project_root / "autograders" / A01 / "hidden_tests.py").read_text())
    pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    found = {
        n.value.strip()
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in pieces
    }
    public = release.read_text()
    return sorted(s for s in found if len(s) >= 12 and json.dumps(s)[1:-1] not in public)


def login(browser, hub: Hub, user: str):
    """A browser page signed in to the hub as ``user`` through the login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login", wait_until="domcontentloaded")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(lambda url: "/hub/login" not in url, timeout=60_000)
    return page


def answer(hub: Hub, project, user: str, answers: dict[str, str]) -> None:
    """Write the learner's answers into their fetched notebook through the contents API."""
    model = hub.as_user(user, "GET", f"api/contents/{A01}/{NB}?content=1")
    release = nbformat.from_dict(model["content"])
    source = load_assignment(project, A01).notebooks[NB]
    filled = simulated_submissions.fill_release(release, source, answers, reflection="I learnt.")
    body = {"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(filled))}
    hub.as_user(user, "PUT", f"api/contents/{A01}/{NB}", body)


def wait_for_text(page, text: str, seconds: float) -> float:
    """Reload the feedback page until ``text`` shows; return the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        page.goto(f"{page.url.split('?')[0]}", wait_until="domcontentloaded")
        if text in page.inner_text("main"):
            return time.monotonic() - start
        time.sleep(0.4)
    raise AssertionError(f"{text!r} not shown within {seconds} s: {page.inner_text('main')}")


def assert_learner_safe(text: str, secrets: list[str], hidden: list[str]) -> None:
    for fragment in secrets + hidden:
        assert fragment not in text, f"leaked to a learner: {fragment!r}"


def test_course_on_jupyterhub(hub, chromium, code_project, code_secret_fragments):
    hidden = hidden_messages(code_project.root, hub.course / "release" / A01 / NB)
    assert len(hidden) >= 10
    # 1. The instructor releases a01 (nbgrader, in the instructor's course folder).
    done = hub.instructor("nbgrader", "release_assignment", A01)
    assert done.returncode == 0, done.stderr
    hub.wait_ready(A01)  # the service prepares each released assignment once, ahead of time
    misconception = "def phq9_total(responses):\n    return sum(r or 0 for r in responses)\n"
    plans = {
        LEARNERS[0]: dict.fromkeys(
            simulated_submissions.answer_cells(load_assignment(code_project, A01).notebooks[NB]),
            simulated_submissions.SOLUTION_ANSWER,
        ),
        LEARNERS[1]: {"a01_q1_phq9_total": misconception},
        LEARNERS[2]: {},
    }
    pages = {}
    for learner, answers in plans.items():
        # 2. Each learner signs in (browser), fetches a01, answers and submits (server API).
        hub.start_server(learner)
        pages[learner] = login(chromium, hub, learner)
        listed = hub.nbgrader_action(learner, "fetch", A01)
        assert listed["success"], listed
        answer(hub, code_project, learner, answers)
        submitted = hub.nbgrader_action(learner, "submit", A01)
        assert submitted["success"], submitted
        t0 = time.monotonic()
        # 3. Feedback on submit: the learner's page shows a provisional score within 10 s.
        page = pages[learner]
        page.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
        wait_for_text(page, "(provisional)", 10 - (time.monotonic() - t0))
        assert time.monotonic() - t0 <= 10
        text = page.inner_text("main")
        assert f"Feedback on submit for {learner}" in text
        assert_learner_safe(page.content(), code_secret_fragments, hidden)
        me = page.goto(f"{hub.url}/services/{SERVICE}/api/me").json()
        assert me["user"] == learner
        assert {a["student"] for items in me["attempts"].values() for a in items} == {learner}
        assert_learner_safe(json.dumps(me), code_secret_fragments, hidden)
        page.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")

    scores = {
        learner: page.goto(f"{hub.url}/services/{SERVICE}/api/me").json()["attempts"][A01][0]
        for learner, page in pages.items()
    }
    assert scores[LEARNERS[0]]["score"] == scores[LEARNERS[0]]["max_score"] == 10
    assert 0 < scores[LEARNERS[1]]["score"] < 10
    assert scores[LEARNERS[2]]["score"] == 0
    public = "With every item answered 1, the total should be 9: add the nine items."
    assert any(public in m for p in scores[LEARNERS[2]]["parts"] for m in p["public_not_passed"])
    assert scores[LEARNERS[1]]["parts"][0]["hidden_not_passed"] > 0

    if SHOTS:  # the learner's page at 1280 px and 390 px
        page = pages[LEARNERS[1]]
        page.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
        page.screenshot(path=str(Path(SHOTS) / "hub-feedback-1280.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(Path(SHOTS) / "hub-feedback-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    # The rate limit: learner 0 has had 1 grading; MAX_GRADINGS more submissions, the last
    # one over the limit, is received but not graded, and says so in the browser.
    page = pages[LEARNERS[0]]
    for _ in range(MAX_GRADINGS):
        time.sleep(1.1)  # nbgrader's inbound names carry the time to the microsecond
        assert hub.nbgrader_action(LEARNERS[0], "submit", A01)["success"]
    page.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
    wait_for_text(page, "automatic gradings of a01-screening recently", 20)
    attempts = wait_graded(page, hub, count=MAX_GRADINGS)
    assert [a["status"] for a in attempts] == ["rate_limited"] + ["graded"] * MAX_GRADINGS

    # Bad input, the way nbgrader's submit writes to the inbound: wrong assignment, an empty
    # folder, a huge submission. Each learner is told why; others are still served.
    inbound = hub.exchange / COURSE_ID / "inbound"
    learner = LEARNERS[2]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    release_nb = hub.course / "release" / A01 / NB
    cases = {
        "a99-nothing": lambda d: (d / "a99-nothing.ipynb").write_bytes(release_nb.read_bytes()),
        f"{A01}-empty": None,
        f"{A01}-huge": lambda d: (
            (d / NB).write_bytes(release_nb.read_bytes()),
            (d / "data.bin").write_bytes(b"0" * 12_000_000),
        ),
    }
    for index, (name, fill) in enumerate(cases.items()):
        assignment = name.removesuffix("-empty").removesuffix("-huge")
        folder = inbound / f"{learner}+{assignment}+{stamp}+bad{index}"
        folder.mkdir()
        if fill is not None:
            fill(folder)
        (folder / "timestamp.txt").write_text(stamp)
    page = pages[learner]
    page.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
    wait_for_text(page, "'a99-nothing' is not an assignment of this course", 15)
    wait_for_text(page, "holds no notebook", 15)
    wait_for_text(page, "much larger than the released assignment", 15)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "hub-bad-input-1280.png"), full_page=True)
    # The service still grades: another learner, and this learner's proper resubmission
    # (which is then the latest, the one nbgrader's collect takes).
    time.sleep(1.1)
    for other in (LEARNERS[1], LEARNERS[2]):
        assert hub.nbgrader_action(other, "submit", A01)["success"]
    for other in (LEARNERS[1], LEARNERS[2]):
        attempts = wait_graded(pages[other], hub, count=2)
        assert attempts[0]["status"] == "graded"

    # 4. The instructor collects, autogrades, generates and releases feedback.
    for command in (
        ["nbgrader", "collect", A01],
        ["bpscare", "autograde", A01, "--course", "."],
        ["bpscare", "feedback", A01, "--course", "."],
        ["nbgrader", "release_feedback", A01],
    ):
        done = hub.instructor(*command)
        assert done.returncode == 0, f"{command}: {done.stdout[-800:]} {done.stderr[-800:]}"
    # The service now shows the instructor's grading instead of a provisional score.
    page = pages[LEARNERS[1]]
    page.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
    assert "confirmed by your instructor" in page.inner_text("main")
    for learner, page in pages.items():
        # 5. Each learner fetches the feedback and reads it in the browser.
        assert hub.nbgrader_action(learner, "fetch_feedback", A01)["success"]
        found = sorted((hub.homes / learner / A01 / "feedback").glob(f"*/{A01}.html"))
        assert found, learner
        rel = found[-1].relative_to(hub.homes / learner)
        page.goto(f"{hub.url}/user/{learner}/files/{rel}", wait_until="domcontentloaded")
        text = page.content()
        assert "Part 1, PHQ-9 total" in text
        # nbgrader's released feedback follows the project's feedback policy (LearnerSafeFeedback:
        # hidden checks' code never shown, their messages shown after grading): scan for the
        # solution and hidden-test code lines of a01's source.
        assert_learner_safe(text, source_code_fragments(hub), [])
    # 6. The program report runs on the course.
    done = hub.instructor("bpscare", "report", "--course", ".", "--out", str(hub.root / "report"))
    assert done.returncode == 0, done.stderr[-800:]
    assert (hub.root / "report" / "index.html").is_file()


def source_code_fragments(hub: Hub) -> list[str]:
    """The solution and hidden-test code lines of a01's source notebook (the leak guard's)."""
    source = nbformat.read(str(hub.course / "source" / A01 / NB), as_version=4)
    return [f.text for f in forbidden_fragments([source])]


def wait_graded(page, hub: Hub, count: int, seconds: float = 20) -> list[dict]:
    """Wait until ``count`` attempts of a01 are graded; return the attempts."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        attempts = page.goto(f"{hub.url}/services/{SERVICE}/api/me").json()["attempts"][A01]
        if sum(a["status"] == "graded" for a in attempts) >= count:
            return attempts
        time.sleep(0.5)
    raise AssertionError(f"not graded within {seconds} s")
