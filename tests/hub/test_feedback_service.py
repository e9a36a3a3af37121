"""The feedback-on-submit service without a hub: checks, rate limit, leak filter, store."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import load_assignment
from bpscare.hub.grader import PublicInfo, ScratchGrader, learner_view
from bpscare.hub.inbound import Submission, parse_name, problem, ready_submissions
from bpscare.hub.service import FeedbackService, RateLimit, Settings, render_page

pytestmark = pytest.mark.hub

A01 = "a01-screening"
NB = f"{A01}.ipynb"


def drop(inbound: Path, student: str, assignment: str, files: dict[str, bytes]) -> Path:
    folder = inbound / f"{student}+{assignment}+2026-12-07 10:00:00.000000 UTC+{len(files)}x"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "timestamp.txt").write_text("2026-12-07 10:00:00.000000 UTC")
    return folder


def test_inbound_names_and_readiness(tmp_path):
    assert parse_name("ana+a01+2026-12-07 10:00:00.1 UTC+xyz") == (
        "ana",
        "a01",
        "2026-12-07 10:00:00.1 UTC",
    )
    assert parse_name("ana+a01+2026-12-07 10:00:00.1 UTC") is not None
    assert parse_name("not-a-submission") is None
    assert parse_name("+a01+t+r") is None
    folder = tmp_path / "ana+a01+t+r"
    folder.mkdir()
    (folder / "a.ipynb").write_text("{}")
    assert ready_submissions(tmp_path, set(), settle=0) == []  # no timestamp.txt yet
    (folder / "timestamp.txt").write_text("t")
    assert ready_submissions(tmp_path, set(), settle=60) == []  # still settling
    (found,) = ready_submissions(tmp_path, set(), settle=0)
    assert (found.student, found.assignment) == ("ana", "a01")
    assert ready_submissions(tmp_path, {found.key}, settle=0) == []


def test_bad_submissions_get_a_clear_reason(built_code_course, tmp_path):
    release = built_code_course.out / "course" / "release"
    nb = (release / A01 / NB).read_bytes()
    inbound = tmp_path / "inbound"

    def sub(folder: Path) -> Submission:
        student, assignment, stamp = parse_name(folder.name)
        return Submission(folder, student, assignment, stamp, time.time())

    wrong = sub(drop(inbound, "ana", "a99-nothing", {"a99.ipynb": nb}))
    assert "'a99-nothing' is not an assignment of this course" in problem(wrong, release)
    assert A01 in problem(wrong, release)  # names what was released
    empty = sub(drop(inbound, "ben", A01, {}))
    assert "holds no notebook" in problem(empty, release)
    renamed = sub(drop(inbound, "chi", A01, {"mine.ipynb": nb}))
    assert f"lacks {NB}" in problem(renamed, release)
    huge = sub(drop(inbound, "dee", A01, {NB: nb, "data.bin": b"0" * 8_000_000}))
    assert "much larger than the released assignment" in problem(huge, release)
    fine = sub(drop(inbound, "eve", A01, {NB: nb}))
    assert problem(fine, release) is None
    # built but not yet released to learners: refused, naming what is released
    message = problem(fine, release, published={"a02-bps-assessment"})
    assert "(released: a02-bps-assessment)" in message


def test_rate_limit_per_learner_and_assignment():
    limit = RateLimit(2, 600)
    assert limit.take("ana", A01, 0) is None
    assert limit.take("ana", A01, 10) is None
    assert limit.take("ana", A01, 20) == 600  # the first grading leaves the window at 600
    assert limit.take("ana", "a02", 20) is None  # another assignment
    assert limit.take("ben", A01, 20) is None  # another learner
    assert limit.take("ana", A01, 600) is None  # the window moved on


def test_page_escapes_and_shows_only_what_it_is_given():
    attempts = {
        A01: [
            {
                "key": "k",
                "status": "rejected",
                "timestamp": "t",
                "message": "<script>alert(1)</script>",
            }
        ]
    }
    page = render_page("<b>ana</b>", attempts)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;ana&lt;/b&gt;" in page


@pytest.fixture(scope="module")
def graded(built_code_course, code_project, tmp_path_factory):
    """a01 graded for the solution, every misconception and a blank submission."""
    course = built_code_course.out / "course"
    root = tmp_path_factory.mktemp("svc")
    source = load_assignment(code_project, A01).notebooks[NB]
    release = nbformat.read(str(course / "release" / A01 / NB), as_version=4)
    ids = simulated_submissions.answer_cells(release)
    mistakes = simulated_submissions.load_misconceptions(
        code_project.root / "autograders" / A01 / "misconceptions.yaml"
    )
    plans = {"solution": dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER), "blank": {}}
    for m in mistakes:
        plans[m.id] = {**dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER), **m.answers}
    subs = []
    for name, answers in plans.items():
        nb = simulated_submissions.fill_release(release, source, answers, reflection="x")
        folder = drop(root / "inbound", name, A01, {NB: nbformat.writes(nb).encode()})
        subs.append(Submission(folder, name, A01, "t", time.time()))
    grader = ScratchGrader(course, root / "state", workers=2)
    results = grader.grade(A01, subs)
    return {s.student: results[s.key] for s in subs}


def test_scores_follow_the_answers(graded):
    assert graded["solution"]["score"] == graded["solution"]["max_score"] == 10
    assert graded["blank"]["score"] == 0
    for name, result in graded.items():
        assert result["status"] == "graded", (name, result)
        assert result["message"].startswith("Provisional")
    wrong = [n for n in graded if n not in ("solution", "blank")]
    assert wrong
    assert all(graded[n]["score"] < 10 for n in wrong)


def test_nothing_hidden_reaches_the_learner(graded, code_project, code_secret_fragments):
    """Every hidden-test line, solution line and hidden-check message of a01 is absent."""
    import ast

    tree = ast.parse((code_project.root / "autograders" / A01 / "hidden_tests.py").read_text())
    pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    hidden = {
        n.value.strip()
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in pieces
    }
    for name, result in graded.items():
        seen = json.dumps(result) + render_page(name, {A01: [result]})
        for fragment in code_secret_fragments:
            assert fragment not in seen, (name, fragment)
        for message in hidden:
            if len(message) >= 12:
                assert message not in seen, (name, message)
    # the hidden checks are still counted, so the learner knows something is left to fix
    assert sum(p["hidden_not_passed"] for p in graded["blank"]["parts"]) > 0


def test_service_records_rejects_and_skips_known(built_code_course, tmp_path):
    course = built_code_course.out / "course"
    exchange = tmp_path / "exchange"
    inbound = exchange / "bpscare-101" / "inbound"
    nb = (course / "release" / A01 / NB).read_bytes()
    drop(inbound, "ana", "a99-nothing", {"x.ipynb": nb})
    drop(inbound, "ben", A01, {})
    (exchange / "bpscare-101" / "outbound" / A01).mkdir(parents=True)  # a01 is released
    settings = Settings(course, exchange, "bpscare-101", tmp_path / "state")
    service = FeedbackService(settings)
    time.sleep(0.4)
    assert service.scan() == 2
    assert service.todo.empty()  # both rejected at once, nothing queued for grading
    ana = service.view("ana")["a99-nothing"][0]
    assert ana["status"] == "rejected"
    assert "not an assignment" in ana["message"]
    assert service.view("ben")[A01][0]["status"] == "rejected"
    assert "holds no notebook" in service.view("ben")[A01][0]["message"]
    assert service.view("ben").keys() == {A01}
    assert "ana" not in json.dumps(service.view("ben"))
    again = FeedbackService(settings)  # a restart does not handle them again
    assert again.scan() == 0
    shutil.rmtree(tmp_path / "state")


def test_hidden_message_starting_with_a_released_name_stays_hidden():
    """A hidden check's message that begins with a string of the released cell (a person's
    name, an argument of the public checks) is counted, never shown (found on the real a01)."""
    info = PublicInfo(
        questions={"q1": "Item 1: the next step."},
        points={"q1": 3.0},
        messages={"q1": ["Ms. Kobayashi", "Write one letter between the quotes."]},
        forbidden=[],
        hidden={"q1": ["Ms. Kobayashi: skipped items are never scored as zero."]},
    )
    output = (
        "Item 1, next step: 1.8 of 3 points\n"
        "  - Ms. Kobayashi: skipped items are never scored as zero.\n"
        "  - Write one letter between the quotes.\n"
    )
    (part,) = learner_view({"q1": output}, {"q1": 1.8}, info)
    assert part.public_not_passed == ["Write one letter between the quotes."]
    assert part.hidden_not_passed == 1
