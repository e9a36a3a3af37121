"""The real course on a real JupyterHub, every learner in Debian's chromium: release, fetch,
answer, submit, feedback on submit, collect, autograde, feedback, report.

Each learner signs in through the hub's login form and works in JupyterLab as a learner does:
Nbgrader > Assignment List, Fetch, the notebook's link, letters typed between the quotes of the
choice cells, Shift+Enter on the cell and its checks, Ctrl+S, Submit; the feedback-on-submit page;
Fetch Feedback, "(view feedback)" and the feedback HTML opened from the file browser. The
instructor uses the command line (nbgrader and bpscare) in the course folder.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import re
import subprocess
import time
from pathlib import Path

import lab_ui
import nbformat
import pytest
from harness import COURSE_ID, LEARNERS, MAX_GRADINGS, PASSWORD, SERVICE, VENV_BIN, Hub
from playwright.sync_api import expect

from bpscare.api import DOMAINS, FOUR_PS
from bpscare.authoring.leakguard import forbidden_fragments
from bpscare.authoring.simulated_submissions import load_key, load_misconceptions

pytestmark = pytest.mark.hub

A01 = "a01-screening"
A02 = "a02-bps-assessment"
NB = f"{A01}.ipynb"
SHOTS = os.environ.get("BPSCARE_SCREENSHOTS")  # a folder: screenshots are written there
REFLECTION = (
    "I would tell Ms. Rivera that these questionnaires help me take her chest tightness "
    "seriously, alongside the examination, and that a positive item 9 means we talk today."
)


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


def choices(text: str) -> dict[str, str]:
    """The ``name = "letters"`` lines of a choice cell's text."""
    return dict(re.findall(r'^(\w+) = "([^"]*)"', text, flags=re.M))


def choice_cells(release: Path) -> list[tuple[str, str, str]]:
    """(grade id, first line, first line of the checks cell after it) of each choice cell."""
    cells = nbformat.read(str(release), as_version=4).cells
    found = []
    for index, cell in enumerate(cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and index + 1 < len(cells):
            checks = cells[index + 1].source.splitlines()[0]
            found.append((meta["grade_id"], cell.source.splitlines()[0], checks))
    return found


def work_in_lab(
    page, hub: Hub, learner: str, typed: dict[str, str], key: dict[str, str], reflect: bool
) -> None:
    """The learner fetches a01, answers in the notebook with the keyboard, saves, submits."""
    base = f"{hub.url}/user/{learner}"
    lab_ui.open_assignments(page, base)
    lab_ui.fetch(page, A01)
    lab_ui.shot(page, SHOTS, f"lab-fetched-{learner}.png")
    panel = lab_ui.open_notebook(page, COURSE_ID, A01, A01)
    release = hub.homes / learner / A01 / NB
    cells = choice_cells(release)
    assert len(cells) == 5
    first_cell = None
    for grade_id, first, checks_first in cells:
        wanted = choices(typed.get(grade_id, ""))
        cell = lab_ui.code_cell(panel, first)
        first_cell = first_cell or cell
        checks = lab_ui.code_cell(panel, checks_first)
        if wanted:
            text = lab_ui.type_between_quotes(page, cell, wanted)
            assert choices(text) == wanted, text
        elif grade_id != cells[0][0]:
            continue  # a blank item this learner does not even run
        output = lab_ui.run_cell_and_next(page, cell, checks)  # the item's public checks
        assert output.strip(), grade_id
        if not wanted:
            assert "No choice was written" in output, output
        elif typed == key:
            assert "scores 0" not in output, output
    if reflect:
        answer_cell = lab_ui.markdown_cell(panel, "Write your answer here.")
        lab_ui.write_markdown(page, answer_cell, REFLECTION)
    lab_ui.save(page)
    saved = nbformat.read(str(release), as_version=4)
    saved_text = "\n".join(c.source for c in saved.cells)
    for grade_id in typed:
        for name, value in choices(typed[grade_id]).items():
            assert f'{name} = "{value}"' in saved_text, (learner, name)
    assert (REFLECTION in saved_text) == reflect
    lab_ui.shot(page, SHOTS, f"lab-answered-{learner}.png")
    if SHOTS and first_cell is not None:  # Item 1's typed answers and their checks' output
        first_cell.scroll_into_view_if_needed()
        lab_ui.shot(page, SHOTS, f"lab-item1-{learner}.png")
    lab_ui.submit(page, COURSE_ID, A01)


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


def test_nbgrader_lab_extension_enabled_for_learners(hub):
    """The learners' servers load nbgrader's lab extension (their Assignments panel)."""
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(hub.etc))
    done = subprocess.run(
        [str(VENV_BIN / "jupyter"), "labextension", "list"],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    listing = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    assert re.search(r"@jupyter/nbgrader v\S+ enabled OK", listing), listing


def test_course_on_jupyterhub(hub, chromium, real_project, secret_fragments):
    release_nb = hub.course / "release" / A01 / NB
    hidden = hidden_messages(real_project.root, release_nb)
    assert len(hidden) >= 10
    # 1. The instructor releases a01 (nbgrader, in the instructor's course folder).
    done = hub.instructor("nbgrader", "release_assignment", A01)
    assert done.returncode == 0, done.stderr
    hub.wait_ready(A01)  # the service prepares each released assignment once, ahead of time
    autograders = real_project.root / "autograders" / A01
    key = load_key(autograders / "key.yaml").choices
    wrong = {m.id: m for m in load_misconceptions(autograders / "misconceptions.yaml")}
    misconception = wrong["missing_items_counted_as_zero"]  # Item 1: 1.8 of 3 points
    plans = {
        LEARNERS[0]: key,
        LEARNERS[1]: {**key, **misconception.answers},
        LEARNERS[2]: {},  # runs Item 1's checks on the blank cell, then submits it blank
    }
    pages, services, seconds = {}, {}, {}
    for learner, typed in plans.items():
        # 2. Each learner signs in, fetches a01, answers and submits, all in the browser.
        hub.start_server(learner)
        pages[learner] = page = login(chromium, hub, learner)
        started = time.monotonic()
        work_in_lab(page, hub, learner, typed, key, reflect=learner == LEARNERS[0])
        t0 = time.monotonic()  # the Submitted list shows the new submission
        # 3. Feedback on submit: the learner's page shows a provisional score within 10 s.
        services[learner] = service = page.context.new_page()
        service.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
        wait_for_text(service, "(provisional)", 10 - (time.monotonic() - t0))
        seconds[learner] = (t0 - started, time.monotonic() - t0)
        assert time.monotonic() - t0 <= 10
        text = service.inner_text("main")
        assert f"Feedback on submit for {learner}" in text
        assert_learner_safe(service.content(), secret_fragments, hidden)
        me = service.goto(f"{hub.url}/services/{SERVICE}/api/me").json()
        assert me["user"] == learner
        assert {a["student"] for items in me["attempts"].values() for a in items} == {learner}
        assert_learner_safe(json.dumps(me), secret_fragments, hidden)
        service.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
    print("seconds in the lab (sign-in to submitted) and to the provisional score:", seconds)

    scores = {
        learner: service.goto(f"{hub.url}/services/{SERVICE}/api/me").json()["attempts"][A01][0]
        for learner, service in services.items()
    }
    assert scores[LEARNERS[0]]["score"] == scores[LEARNERS[0]]["max_score"] == 10
    assert scores[LEARNERS[1]]["score"] == pytest.approx(10 - 3 + 1.8)
    assert scores[LEARNERS[2]]["score"] == 0
    for part in scores[LEARNERS[2]]["parts"]:  # each blank item says that a check failed
        assert part["score"] == 0
        assert part["hidden_not_passed"] + len(part["public_not_passed"]) > 0, part
    assert scores[LEARNERS[1]]["parts"][0]["hidden_not_passed"] > 0

    if SHOTS:  # the learner's page at 1280 px and 390 px
        service = services[LEARNERS[1]]
        service.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
        service.screenshot(path=str(Path(SHOTS) / "hub-feedback-1280.png"), full_page=True)
        service.set_viewport_size({"width": 390, "height": 844})
        service.screenshot(path=str(Path(SHOTS) / "hub-feedback-390.png"), full_page=True)
        service.set_viewport_size({"width": 1280, "height": 900})

    # The rate limit: learner 0 has had 1 grading; MAX_GRADINGS more submissions from the
    # Assignments panel, the last one over the limit, are received; that one is not graded,
    # and the page says so.
    for _ in range(MAX_GRADINGS):
        time.sleep(1.1)  # nbgrader's inbound names carry the time to the microsecond
        lab_ui.submit(pages[LEARNERS[0]], COURSE_ID, A01)
    service = services[LEARNERS[0]]
    service.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
    wait_for_text(service, "automatic gradings of a01-screening recently", 20)
    attempts = wait_graded(service, hub, count=MAX_GRADINGS)
    assert [a["status"] for a in attempts] == ["rate_limited"] + ["graded"] * MAX_GRADINGS

    # Bad input, the way nbgrader's submit writes to the inbound: wrong assignment, an empty
    # folder, a huge submission. Each learner is told why; others are still served.
    inbound = hub.exchange / COURSE_ID / "inbound"
    learner = LEARNERS[2]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
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
    service = services[learner]
    service.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
    wait_for_text(service, "'a99-nothing' is not an assignment of this course", 15)
    wait_for_text(service, "holds no notebook", 15)
    wait_for_text(service, "much larger than the released assignment", 15)
    if SHOTS:
        service.screenshot(path=str(Path(SHOTS) / "hub-bad-input-1280.png"), full_page=True)
    # The service still grades: another learner, and this learner's proper resubmission
    # (which is then the latest, the one nbgrader's collect takes), both from the panel.
    time.sleep(1.1)
    for other in (LEARNERS[1], LEARNERS[2]):
        lab_ui.submit(pages[other], COURSE_ID, A01)
    for other in (LEARNERS[1], LEARNERS[2]):
        attempts = wait_graded(services[other], hub, count=2)
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
    service = services[LEARNERS[1]]
    service.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
    assert "confirmed by your instructor" in service.inner_text("main")
    forbidden = source_code_fragments(hub)
    for learner, page in pages.items():
        # 5. Each learner fetches the feedback in the Assignments panel and reads it in
        # JupyterLab's HTML viewer, opened from the file browser.
        lab_ui.fetch_feedback(page, A01)
        text = lab_ui.open_feedback_html(page, f"{A01}.html", "Item 1, next step after each")
        assert "Assignment 1" in text, text[:2000]
        lab_ui.shot(page, SHOTS, f"lab-feedback-{learner}.png")
        found = sorted((hub.homes / learner / A01 / "feedback").glob(f"*/{A01}.html"))
        assert found, learner
        # The served file itself: nbgrader's released feedback follows the project's feedback
        # policy (hidden checks' code never shown, their messages shown after grading): scan it
        # for the solution and hidden-test code lines of a01's source.
        rel = found[-1].relative_to(hub.homes / learner)
        services[learner].goto(f"{hub.url}/user/{learner}/files/{rel}")
        assert_learner_safe(services[learner].content(), forbidden, [])
    # 6. The program report runs on the course.
    done = hub.instructor("bpscare", "report", "--course", ".", "--out", str(hub.root / "report"))
    assert done.returncode == 0, done.stderr[-800:]
    assert (hub.root / "report" / "index.html").is_file()


def test_widget_answer_on_jupyterhub(hub, chromium, real_project, secret_fragments):
    """a02 in the browser: letters typed into its choice cells, Ms. Rahman's fourteen findings
    placed with the grid widget's dropdowns and Place button, the widget's Save answer button,
    Ctrl+S, Submit; the service grades the saved grid (the key's grid: full marks)."""
    done = hub.instructor("nbgrader", "release_assignment", A02)
    assert done.returncode == 0, done.stderr
    hub.wait_ready(A02)
    key = load_key(real_project.root / "autograders" / A02 / "key.yaml")
    grid = key.saved_answers["a02_formulation"].data
    learner = LEARNERS[0]
    page = login(chromium, hub, learner)
    lab_ui.open_assignments(page, f"{hub.url}/user/{learner}")
    lab_ui.fetch(page, A02)
    panel = lab_ui.open_notebook(page, COURSE_ID, A02, A02)
    lab_ui.run_all(page)  # the case data, then the widget
    place = lab_ui.widget_button(panel, "Place")
    expect(place).to_be_visible(timeout=lab_ui.LONG_MS)
    release = hub.homes / learner / A02 / f"{A02}.ipynb"
    for grade_id, first, _checks in choice_cells(release):
        typed = lab_ui.type_between_quotes(
            page, lab_ui.code_cell(panel, first), choices(key.choices[grade_id])
        )
        assert choices(typed) == choices(key.choices[grade_id]), typed
    findings = finding_texts(release)
    placed = 0
    for p_index, p in enumerate(FOUR_PS):
        for d_index, domain in enumerate(DOMAINS):
            for finding in grid[p][domain]:
                lab_ui.dropdown(panel, "Finding").select_option(label=findings[finding])
                lab_ui.dropdown(panel, "Row (P)").select_option(index=p_index)
                lab_ui.dropdown(panel, "Column (domain)").select_option(index=d_index)
                place.click()
                placed += 1
                expect(panel.locator(".widget-html", has_text="Placed ‘")).to_contain_text(
                    findings[finding][:30], timeout=lab_ui.ACTION_MS
                )
    assert placed == 14
    lab_ui.widget_button(panel, "Save answer").click()
    expect(panel.locator(".widget-html", has_text="Saved as")).to_be_visible(
        timeout=lab_ui.ACTION_MS
    )
    lab_ui.shot(page, SHOTS, "lab-a02-grid-saved.png")
    # The graded cell after the widget, run again, reads the saved grid.
    checks_first = next(
        c.source.splitlines()[0]
        for c in nbformat.read(str(release), as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "a02_q2_grid_tests"
    )
    lab_ui.rerun(page, lab_ui.code_cell(panel, checks_first), "places 14 of 14 findings")
    lab_ui.save(page)
    lab_ui.submit(page, COURSE_ID, A02)
    t0 = time.monotonic()
    service = page.context.new_page()
    # (ana's a01 attempts already say "provisional": wait for a02's own result)
    (attempt,) = wait_graded(service, hub, 1, 10 - (time.monotonic() - t0), assignment=A02)
    assert time.monotonic() - t0 <= 10
    service.goto(f"{hub.url}/services/{SERVICE}/", wait_until="domcontentloaded")
    assert A02 in service.inner_text("main")
    assert_learner_safe(service.content(), secret_fragments, [])
    grid_part = [p for p in attempt["parts"] if p["question"].startswith("Item 2:")]
    assert [p["score"] for p in grid_part] == [6], attempt["parts"]
    assert attempt["score"] == attempt["max_score"], attempt["parts"]


def finding_texts(release: Path) -> dict[str, str]:
    """a02's finding ids and texts, from the released notebook's ``rahman_findings`` cell."""
    for cell in nbformat.read(str(release), as_version=4).cells:
        if cell.cell_type == "code" and "rahman_findings = {" in cell.source:
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == (
                    "rahman_findings"
                ):
                    return ast.literal_eval(node.value)
    raise AssertionError("no rahman_findings cell in a02")


def source_code_fragments(hub: Hub) -> list[str]:
    """The solution and hidden-test code lines of a01's source notebook (the leak guard's)."""
    source = nbformat.read(str(hub.course / "source" / A01 / NB), as_version=4)
    return [f.text for f in forbidden_fragments([source])]


def wait_graded(
    page, hub: Hub, count: int, seconds: float = 20, assignment: str = A01
) -> list[dict]:
    """Wait until ``count`` attempts of ``assignment`` are graded; return the attempts."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        me = page.goto(f"{hub.url}/services/{SERVICE}/api/me").json()
        attempts = me["attempts"].get(assignment, [])
        if sum(a["status"] == "graded" for a in attempts) >= count:
            return attempts
        time.sleep(0.5)
    raise AssertionError(f"not graded within {seconds} s")
