"""`bpscare autograde` before anything was collected: one clear sentence and a non-zero exit."""

from __future__ import annotations

import shutil

import pytest

from bpscare.cli import EXIT_USER_ERROR, main


@pytest.mark.parametrize("engine", ["bpscare", "nbgrader"])
def test_autograde_with_nothing_collected_says_to_collect_first(
    built_tiny, tmp_path, capsys, engine
):
    course = tmp_path / "course"
    shutil.copytree(built_tiny.out / "course", course)
    code = main(["autograde", "t01-tiny", "--course", str(course), "--engine", engine])
    assert code == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "nothing to autograde" in err
    assert "bpscare collect t01-tiny" in err
    assert not (course / "autograded").exists()
