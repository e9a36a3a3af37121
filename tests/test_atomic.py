"""Does bpscare.atomic replace files and folders so a reader sees the old or the new, never half?"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bpscare import atomic


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_write_text_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a" / "out.txt"
    atomic.write_text(target, "one")
    atomic.write_text(target, "two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_write_bytes_that_fails_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_copy_file_copies_contents(tmp_path):
    (tmp_path / "src.txt").write_text("x")
    atomic.copy_file(tmp_path / "src.txt", tmp_path / "dst" / "dst.txt")
    assert (tmp_path / "dst" / "dst.txt").read_text() == "x"


def test_staged_dir_replaces_the_folder_on_success(tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    with atomic.staged_dir(dest) as staging:
        (staging / "new.txt").write_text("new")
    assert tree(dest) == {"new.txt": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_staged_dir_keeps_the_old_folder_when_the_block_fails(tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "old.txt").write_text("old")

    def fill_then_fail() -> None:
        with atomic.staged_dir(dest) as staging:
            (staging / "half.txt").write_text("half")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fill_then_fail()
    assert tree(dest) == {"old.txt": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_replace_dir_with_and_without_the_atomic_exchange(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    elif atomic._renameat2() is None:
        pytest.skip("renameat2 is not available on this system")
    dest, staging = tmp_path / "out", tmp_path / "staging"
    dest.mkdir()
    staging.mkdir()
    (dest / "a").write_text("old")
    (staging / "b").write_text("new")
    atomic.replace_dir(staging, dest)
    assert tree(dest) == {"b": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_fallback_rolls_back_when_the_second_rename_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "a").write_text("old")
    missing = tmp_path / "no-such-staging"
    with pytest.raises(FileNotFoundError):
        atomic.replace_dir(missing, dest)
    assert tree(dest) == {"a": "old"}


def test_a_kill_between_the_two_renames_is_recovered(tmp_path):
    """Killed after moving the old folder aside, before the new one arrives: nothing is lost."""
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "a").write_text("old")
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from bpscare import atomic
        atomic._exchange = lambda a, b: False
        staging = atomic.new_staging_dir(Path({str(dest)!r}))
        (staging / "b").write_text("new")
        real_rename = Path.rename
        def rename(self, target):
            result = real_rename(self, target)
            if ".old-" in str(target):
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        Path.rename = rename
        atomic.replace_dir(staging, Path({str(dest)!r}))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], check=False)
    assert result.returncode == -9
    assert not dest.exists()  # the window the fallback leaves open
    assert atomic.recover_dir(dest) is True
    assert tree(dest) == {"a": "old"}
    with atomic.staged_dir(dest) as staging:  # and the next run cleans the leftovers
        (staging / "c").write_text("next")
    assert tree(dest) == {"c": "next"}
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".out.staging")) == [
        "out"
    ]


def test_exchange_is_one_step_where_the_kernel_offers_it(tmp_path):
    if atomic._renameat2() is None:
        pytest.skip("renameat2 is not available on this system")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    assert atomic._exchange(a, b)
    assert (a / "x").read_text() == "b"
    assert (b / "x").read_text() == "a"
    assert os.path.isdir(a)
