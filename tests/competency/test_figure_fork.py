"""The page's figures drawn in a forked child (bpscare.competency.figure_fork): same page, safe."""

from __future__ import annotations

import datetime as dt
import os
import threading
from types import SimpleNamespace

import pytest

from bpscare.competency import figure_fork
from bpscare.competency.report import run_report

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@needs_fork
def test_forked_figures_give_the_same_report(small_course, tmp_path, monkeypatch):
    """Is every file of a report drawn with forked figures byte-identical to one without?"""
    monkeypatch.setattr(figure_fork, "fork_usable", lambda: True)
    run_report(course_dir=small_course, out_dir=tmp_path / "fork", now=NOW, parallel=False)
    monkeypatch.setattr(figure_fork, "fork_usable", lambda: False)
    run_report(course_dir=small_course, out_dir=tmp_path / "one", now=NOW, parallel=False)
    names = sorted(p.name for p in (tmp_path / "one").iterdir() if p.name != ".bpscare-report.json")
    assert "index.html" in names
    for name in names:
        assert (tmp_path / "fork" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()


@needs_fork
def test_child_draws_its_figures_and_the_parent_the_rest(monkeypatch):
    parent = os.getpid()
    monkeypatch.setattr(figure_fork, "fork_usable", lambda: True)
    monkeypatch.setattr(figure_fork, "draw", lambda name, data: f"{name}/{data}/{os.getpid()}")
    with figure_fork.FigureFork("d", ["heatmap", "trend"]) as fork:
        assert fork.forked
        drawn = fork.collect()
    assert sorted(drawn) == ["heatmap", "trend"]
    for name, text in drawn.items():
        got_name, data, pid = text.split("/")
        assert (got_name, data) == (name, "d")
        assert int(pid) != parent  # drawn by the child


@needs_fork
def test_a_failing_child_falls_back_to_drawing_here(monkeypatch):
    """A child that crashes (or answers nonsense) costs time, never a figure."""
    parent = os.getpid()

    def draw(name, data):
        if os.getpid() != parent:
            raise RuntimeError("child crashed")
        return f"{name} here"

    monkeypatch.setattr(figure_fork, "fork_usable", lambda: True)
    monkeypatch.setattr(figure_fork, "draw", draw)
    fork = figure_fork.FigureFork("d", ["heatmap", "competency_trend"])
    assert fork.forked
    assert fork.collect() == {
        "heatmap": "heatmap here",
        "competency_trend": "competency_trend here",
    }
    assert not fork.forked  # reaped


@needs_fork
def test_close_stops_an_unwanted_child(monkeypatch):
    monkeypatch.setattr(figure_fork, "fork_usable", lambda: True)
    monkeypatch.setattr(figure_fork, "draw", lambda name, data: threading.Event().wait() or "")
    fork = figure_fork.FigureFork("d", ["heatmap"])
    pid = fork._pid
    assert fork.forked
    fork.close()
    assert not fork.forked
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped


def test_no_fork_while_another_thread_runs(monkeypatch):
    """A fork with a second thread alive could inherit a held lock: draw here instead."""
    monkeypatch.delenv("BPSCARE_NO_FORK", raising=False)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert figure_fork.fork_usable() is False
        monkeypatch.setattr(figure_fork, "draw", lambda name, data: f"{name} here")
        fork = figure_fork.FigureFork("d", ["trend"])
        assert not fork.forked
        assert fork.collect() == {"trend": "trend here"}
    finally:
        stop.set()
        thread.join()


def test_page_figures_follow_the_sections():
    data = SimpleNamespace(competencies=["c"], assignments=["a"])
    names = ["heatmap", "competency_trend", "trend", "distribution"]
    assert figure_fork.page_figures(data) == names  # type: ignore[arg-type]
    data.competencies = []
    assert figure_fork.page_figures(data) == ["trend", "distribution"]  # type: ignore[arg-type]
