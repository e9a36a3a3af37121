"""Submitting from Binder: pack with a manifest; reading a zip rejects what it must."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

from bpscare.errors import BpscareError
from bpscare.grading.collect import Roster, collect_zips
from bpscare.grading.submission_zip import pack_submission, read_submission

A = "a01-screening"
WHEN = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "source" / A).mkdir(parents=True)
    return root


def learner_folder(tmp_path: Path, learner: str, text: str = "{}") -> Path:
    folder = tmp_path / learner / A
    folder.mkdir(parents=True)
    (folder / f"{A}.ipynb").write_text(text)
    (folder / "a05_care_plan.answer.json").write_text('{"bpscare_answer": 1}')
    (folder / "notes.txt").write_text("not packed")
    return folder


def test_pack_then_collect_round_trip(tmp_path, course):
    zip_path = pack_submission(learner_folder(tmp_path, "ana"), "ana", now=WHEN)
    with zipfile.ZipFile(zip_path) as archive:
        names = sorted(archive.namelist())
    assert names == [f"{A}/{A}.ipynb", f"{A}/a05_care_plan.answer.json", f"{A}/manifest.json"]
    roster = Roster({}, {"file:" + zip_path.name: WHEN}, {zip_path.name: "ana"})
    result = collect_zips(course, A, [zip_path], roster=roster)
    assert result.collected == ["ana"]
    assert result.rejected == []
    target = course / "submitted" / "ana" / A
    assert sorted(p.name for p in target.iterdir()) == [
        f"{A}.ipynb",
        "a05_care_plan.answer.json",
        "timestamp.txt",
    ]
    assert (target / "timestamp.txt").read_text().startswith("2026-11-01 12:00:00")


def rejection(course, zips, **kwargs) -> str:
    result = collect_zips(course, A, zips, **kwargs)
    assert result.collected == []
    assert len(result.rejected) == 1
    return result.rejected[0][1]


def test_wrong_assignment_is_rejected(tmp_path, course):
    folder = learner_folder(tmp_path, "ben")
    zip_path = pack_submission(folder, "ben", assignment="a02-formulation", now=WHEN)
    assert "for assignment 'a02-formulation', not 'a01-screening'" in rejection(course, [zip_path])


def rewrite(zip_path: Path, change) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    change(entries)
    out = zip_path.with_name("changed.zip")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out


def test_tampered_file_is_rejected(tmp_path, course):
    zip_path = pack_submission(learner_folder(tmp_path, "cy"), "cy", now=WHEN)

    def edit(entries):
        entries[f"{A}/{A}.ipynb"] = b'{"edited": true}'

    assert "checksum of a01-screening.ipynb" in rejection(course, [rewrite(zip_path, edit)])


def test_tampered_manifest_is_rejected(tmp_path, course):
    zip_path = pack_submission(learner_folder(tmp_path, "di"), "di", now=WHEN)

    def edit(entries):
        manifest = json.loads(entries[f"{A}/manifest.json"])
        manifest["files"]["extra.ipynb"] = "0" * 64
        entries[f"{A}/manifest.json"] = json.dumps(manifest).encode()

    assert "manifest does not match the files" in rejection(course, [rewrite(zip_path, edit)])


def test_zip_escaping_its_folder_is_rejected(tmp_path, course):
    bad = tmp_path / "evil.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr(f"{A}/../../../../etc/cron.d/x", "boom")
    assert "would escape its folder" in rejection(course, [bad])
    assert not (tmp_path / "etc").exists()


def test_absolute_path_and_link_are_rejected(tmp_path, course):
    absolute = tmp_path / "abs.zip"
    with zipfile.ZipFile(absolute, "w") as archive:
        archive.writestr("/tmp/x.ipynb", "{}")
    assert "would escape" in rejection(course, [absolute])
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as archive:
        info = zipfile.ZipInfo(f"{A}/{A}.ipynb")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    assert "is a link" in rejection(course, [link])


def test_lms_bulk_download(tmp_path, course):
    """Is an LMS bulk download (a zip of learners' zips) opened and each learner collected?"""
    zips = [
        pack_submission(learner_folder(tmp_path / str(i), f"l{i}"), f"l{i}", now=WHEN)
        for i in range(3)
    ]
    bulk = tmp_path / "submissions.zip"
    with zipfile.ZipFile(bulk, "w") as archive:
        for i, path in enumerate(zips):
            archive.write(path, f"student{i}_{100 + i}_900{i}_{path.name}")
    roster = Roster({str(100 + i): f"l{i}" for i in range(3)}, {}, {})
    result = collect_zips(course, A, [bulk], roster=roster)
    assert sorted(result.collected) == ["l0", "l1", "l2"]


def test_not_a_zip_and_unknown_assignment(tmp_path, course):
    junk = tmp_path / "junk.zip"
    junk.write_text("hello")
    assert "not a zip file" in rejection(course, [junk])
    with pytest.raises(BpscareError, match="no assignment 'a09'"):
        collect_zips(course, "a09", [junk])


def test_zip_bomb_is_rejected(tmp_path, course):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{A}/{A}.ipynb", b"0" * 30_000_000)
    assert "too large" in rejection(course, [bomb])


def test_bad_learner_id(tmp_path):
    with pytest.raises(BpscareError, match="learner id"):
        pack_submission(learner_folder(tmp_path, "x"), "../root")
    with pytest.raises(BpscareError, match="learner id"):
        pack_submission(learner_folder(tmp_path / "2", "x"), "alice\n")


def test_read_submission_requires_manifest():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{A}/{A}.ipynb", "{}")
    with pytest.raises(BpscareError, match=r"no a01-screening/manifest\.json"):
        read_submission(buffer.getvalue(), A, "x.zip")
