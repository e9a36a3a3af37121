"""Collect trusts the LMS: Canvas and Moodle exports, rosters, attempts, held and hostile zips."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest

from bpscare.cli import main
from bpscare.errors import BpscareError
from bpscare.grading.collect import Roster, collect_zips, identify, load_roster
from bpscare.grading.submission_zip import Manifest, pack_submission

A = "a01-screening"
DUE = dt.datetime(2026, 11, 2, 17, 0, tzinfo=dt.UTC)
WHEN = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "source" / A).mkdir(parents=True)
    return root


def packed(tmp_path: Path, learner: str, text: str = "{}", when: dt.datetime = WHEN) -> Path:
    folder = tmp_path / "work" / f"{learner}-{abs(hash(text))}" / A
    folder.mkdir(parents=True)
    (folder / f"{A}.ipynb").write_text(text)
    return pack_submission(folder, learner, out=folder.parent / f"{A}-{learner}.zip", now=when)


def write_roster(tmp_path: Path, rows: list[str], header: str = "learner,lms_user_id,submitted_at"):
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return load_roster(path)


def canvas_export(tmp_path: Path, entries: dict[str, Path], name: str = "submissions.zip") -> Path:
    bulk = tmp_path / name
    with zipfile.ZipFile(bulk, "w") as archive:
        for inner, path in entries.items():
            archive.write(path, inner)
    return bulk


def notebook(course: Path, learner: str) -> str:
    return (course / "submitted" / learner / A / f"{A}.ipynb").read_text()


def no_leftovers(course: Path) -> None:
    leftovers = [p for p in course.rglob(".*") if p.name != ".bpscare_salt"]
    assert leftovers == []


# -- identity from the LMS -------------------------------------------------------------------


def test_canvas_and_moodle_names_are_read():
    roster = Roster.empty()
    assert identify("doejane_4321_98765_a01-screening-ana.zip", roster) == ("canvas", "4321", False)
    assert identify("doejane_LATE_4321_98765_sub-1.zip", roster) == ("canvas", "4321", True)
    moodle = "Ana Lima_101_assignsubmission_file_/a01-ana.zip"
    assert identify(moodle, roster) == ("moodle", "101", False)
    flat = "Ana Lima_101_assignsubmission_file_a01-ana.zip"
    assert identify(flat, roster) == ("moodle", "101", False)
    assert identify("a01-ana.zip", roster) == ("", "", False)


def test_canvas_export_with_roster_times(tmp_path, course):
    """A Canvas bulk download: identity from user ids, time from the roster, not the zip."""
    ana = packed(tmp_path, "ana", when=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))  # backdated
    ben = packed(tmp_path, "ben")
    bulk = canvas_export(
        tmp_path,
        {"limaana_11_901_a01.zip": ana, "okafor_LATE_12_902_a01.zip": ben},
    )
    roster = write_roster(
        tmp_path, ["ana,11,2026-11-02T16:30:00Z", "ben,12,2026-11-03T08:00:00+00:00"]
    )
    result = collect_zips(course, A, [bulk], roster=roster, due=DUE, now=NOW)
    assert sorted(result.collected) == ["ana", "ben"]
    assert result.held == []
    assert result.rejected == []
    stamp = (course / "submitted" / "ana" / A / "timestamp.txt").read_text()
    assert stamp.startswith("2026-11-02 16:30:00"), "the zip's 2020 time must not be used"
    record = json.loads((course / "collect" / "records" / A / "ben.json").read_text())
    assert record["late"] is True
    assert record["lms"] == "canvas"
    assert record["time_from"] == "lms"
    no_leftovers(course)


def test_moodle_export_in_folders(tmp_path, course):
    """A Moodle download: one folder per participant, participant ids mapped by the worksheet."""
    ana, ben = packed(tmp_path, "ana"), packed(tmp_path, "ben")
    export = tmp_path / "moodle"
    for folder, path in (("Ana Lima_101", ana), ("Ben Okafor_102", ben)):
        target = export / f"{folder}_assignsubmission_file_"
        target.mkdir(parents=True)
        (target / path.name).write_bytes(path.read_bytes())
    roster = write_roster(
        tmp_path,
        [
            'ana,Participant 101,"Monday, 2 November 2026, 3:15 PM"',
            "ben,Participant 102,-",
        ],
        header="learner,Identifier,Last modified (submission)",
    )
    result = collect_zips(course, A, [export], roster=roster, due=DUE, now=NOW)
    assert sorted(result.collected) == ["ana", "ben"]
    stamp = (course / "submitted" / "ana" / A / "timestamp.txt").read_text()
    assert stamp.startswith("2026-11-02 15:15:00")
    assert not (course / "submitted" / "ben" / A / "timestamp.txt").exists()
    assert result.untimed == ["ben"]
    assert "no LMS submission time" in result.summary()


def test_impersonating_zip_is_held_and_never_overwrites(tmp_path, course):
    """Bob's Canvas slot holds a zip packed as Ana: held; Ana's real work is collected."""
    real = packed(tmp_path, "ana", '{"real": true}')
    fake = packed(tmp_path, "ana", '{"blank": true}')
    bulk = canvas_export(
        tmp_path, {"limaana_11_901_real.zip": real, "smithbob_12_902_fake.zip": fake}
    )
    roster = write_roster(tmp_path, ["ana,11,", "bob,12,"])
    result = collect_zips(course, A, [bulk], roster=roster, due=DUE, now=NOW)
    assert result.collected == ["ana"]
    assert notebook(course, "ana") == '{"real": true}'
    assert not (course / "submitted" / "bob").exists()
    [(origin, why)] = result.held
    assert origin.endswith("smithbob_12_902_fake.zip")
    assert "LMS says learner 'bob'" in why
    assert "manifest says 'ana'" in why
    [held] = (course / "collect" / "held" / A).iterdir()
    assert (held / "submission.zip").read_bytes() == fake.read_bytes()
    assert "manifest says 'ana'" in (held / "reason.txt").read_text()


def test_unknown_identity_is_held(tmp_path, course):
    """A zip following no LMS naming, or an LMS id the roster lacks, is held, not trusted."""
    plain = packed(tmp_path, "ana")
    stranger = canvas_export(tmp_path, {"who_77_903_x.zip": packed(tmp_path, "cy")}, "c.zip")
    result = collect_zips(course, A, [plain, stranger], now=NOW)
    assert result.collected == []
    reasons = [why for _o, why in result.held]
    assert any("no LMS identity" in r for r in reasons)
    assert any("canvas user id 77 is not in the roster" in r for r in reasons)
    assert not (course / "submitted").exists()


def test_roster_file_column_identifies_plain_zips(tmp_path, course):
    plain = packed(tmp_path, "ana")
    roster = write_roster(
        tmp_path,
        [f"ana,,2026-11-01T10:00:00,{plain.name}"],
        header="learner,lms_user_id,submitted_at,file",
    )
    result = collect_zips(course, A, [plain], roster=roster, due=DUE, now=NOW)
    assert result.collected == ["ana"]


def test_learner_id_with_newline_or_control_characters_is_rejected(tmp_path, course):
    path = tmp_path / "roster.csv"
    path.write_text('learner,lms_user_id\n"alice\n",11\n')
    with pytest.raises(BpscareError, match="learner id"):
        load_roster(path)
    path.write_text("learner,lms_user_id\nal\x07ice,11\n")
    with pytest.raises(BpscareError, match=r"roster\.csv:2"):
        load_roster(path)
    with pytest.raises(BpscareError, match="learner id"):
        packed(tmp_path, "alice\n")
    # A manifest that names "alice\n" (packed by hand) is rejected, and no "alice\n" appears.
    buffer = io.BytesIO()
    manifest = Manifest("alice", A, WHEN, {})
    text = manifest.to_json().replace('"learner": "alice"', '"learner": "alice\\n"')
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{A}/manifest.json", text)
    bulk = tmp_path / "one.zip"
    with zipfile.ZipFile(bulk, "w") as archive:
        archive.writestr("alice_11_901_x.zip", buffer.getvalue())
    roster = write_roster(tmp_path, ["alice,11,"])
    result = collect_zips(course, A, [bulk], roster=roster, now=NOW)
    assert "bad learner id" in result.rejected[0][1]
    assert not (course / "submitted").exists()


# -- attempts --------------------------------------------------------------------------------


def test_later_attempt_replaces_earlier_and_earlier_is_archived(tmp_path, course):
    first = canvas_export(
        tmp_path, {"limaana_11_901_a.zip": packed(tmp_path, "ana", '"v1"')}, "1.zip"
    )
    second = canvas_export(
        tmp_path, {"limaana_11_901_a.zip": packed(tmp_path, "ana", '"v2"')}, "2.zip"
    )
    late = canvas_export(
        tmp_path, {"limaana_LATE_11_901_a.zip": packed(tmp_path, "ana", '"v3"')}, "3.zip"
    )
    roster = write_roster(tmp_path, ["ana,11,"])
    collect_zips(course, A, [first], roster=roster, due=DUE, now=NOW)
    result = collect_zips(
        course, A, [second], roster=roster, due=DUE, now=NOW + dt.timedelta(hours=1)
    )
    assert result.collected == ["ana"]
    assert len(result.archived) == 1
    assert notebook(course, "ana") == '"v2"'
    # The late attempt does not replace the on-time one by default, and is archived.
    result = collect_zips(
        course, A, [late], roster=roster, due=DUE, now=NOW + dt.timedelta(hours=2)
    )
    assert result.collected == []
    assert len(result.archived) == 1
    assert notebook(course, "ana") == '"v2"'
    archived = sorted((course / "collect" / "archive" / A / "ana").iterdir())
    texts = sorted((p / f"{A}.ipynb").read_text() for p in archived)
    assert texts == ['"v1"', '"v3"'], "no attempt is ever dropped"
    # With the "latest" policy the late attempt wins, and v2 is archived in turn.
    result = collect_zips(
        course, A, [late], roster=roster, due=DUE, policy="latest", now=NOW + dt.timedelta(hours=3)
    )
    assert notebook(course, "ana") == '"v3"'
    no_leftovers(course)


def test_two_attempts_in_one_batch_follow_the_roster_times(tmp_path, course):
    early = packed(tmp_path, "ana", '"early"')
    later = packed(tmp_path, "ana", '"later"')
    export = tmp_path / "export"
    export.mkdir()
    (export / "limaana_11_901_early.zip").write_bytes(early.read_bytes())
    (export / "limaana_11_902_later.zip").write_bytes(later.read_bytes())
    roster = write_roster(
        tmp_path,
        [
            "ana,,2026-11-02T10:00:00Z,limaana_11_902_later.zip",
            "ana,,2026-11-01T10:00:00Z,limaana_11_901_early.zip",
            "ana,11,",
        ],
        header="learner,lms_user_id,submitted_at,file",
    )
    result = collect_zips(course, A, [export], roster=roster, due=DUE, now=NOW)
    assert notebook(course, "ana") == '"later"'
    assert len(result.archived) == 1


# -- hostile zips ----------------------------------------------------------------------------


def _patch(data: bytes, local: int, central: int, fmt: str, value: int) -> bytes:
    """Set a field in every local header and central directory entry of a zip."""
    buf = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
        start = 0
        while (pos := buf.find(sig, start)) >= 0:
            struct.pack_into(fmt, buf, pos + offset, value)
            start = pos + 4
    return bytes(buf)


def hostile(kind: str, valid: bytes) -> bytes:
    if kind == "lying sizes":
        return _patch(valid, 22, 24, "<I", 10)
    if kind == "encrypted":
        return _patch(valid, 6, 8, "<H", 1)
    buffer = io.BytesIO()
    if kind == "bzip2":
        with (
            zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_BZIP2) as archive,
            zipfile.ZipFile(io.BytesIO(valid)) as src,
        ):
            for info in src.infolist():
                archive.writestr(info.filename, src.read(info))
    elif kind == "long name":
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"{A}/{'x' * 300}.ipynb", "{}")
    elif kind == "bomb":
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{A}/{A}.ipynb", b"0" * 30_000_000)
    elif kind == "not a zip":
        return b"PK\x03\x04 certainly not"
    return buffer.getvalue()


HOSTILE = {
    "lying sizes": "sizes are false",
    "encrypted": "encrypted",
    "bzip2": "compression method 12",
    "long name": "entry name of 320 characters",
    "bomb": "too large",
    "not a zip": "not a zip file",
}


def test_every_hostile_zip_is_rejected_alone_and_the_batch_goes_on(tmp_path, course):
    good = packed(tmp_path, "ana")
    valid = packed(tmp_path, "zed").read_bytes()
    bulk = tmp_path / "submissions.zip"
    uid = 20
    rows = ["ana,11,"]
    with zipfile.ZipFile(bulk, "w") as archive:
        for kind in HOSTILE:
            archive.writestr(f"evil_{uid}_9{uid}_{kind.replace(' ', '')}.zip", hostile(kind, valid))
            rows.append(f"zed{uid},{uid},")
            uid += 1
        archive.writestr(f"x_{uid}_1_{'n' * 300}.zip", valid)  # a 300-character inner name
        archive.write(good, "limaana_11_901_a.zip")  # after every bad one
    roster = write_roster(tmp_path, rows)
    result = collect_zips(course, A, [bulk], roster=roster, due=DUE, now=NOW)
    assert result.collected == ["ana"]
    reasons = dict(result.rejected)
    assert len(reasons) == len(HOSTILE) + 1, result.rejected
    for kind, expected in HOSTILE.items():
        [why] = [r for o, r in reasons.items() if kind.replace(" ", "") in o and "n" * 300 not in o]
        assert expected in why, (kind, why)
    assert any("more than 255" in r for r in reasons.values())
    for why in reasons.values():
        assert "\n" not in why
        assert "Traceback" not in why
    no_leftovers(course)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["ana"]


def test_cli_collect_reports_held_and_rejected(tmp_path, course, capsys):
    bulk = canvas_export(
        tmp_path,
        {
            "limaana_11_901_a.zip": packed(tmp_path, "ana"),
            "smithbob_12_902_b.zip": packed(tmp_path, "cy"),
        },
    )
    roster = tmp_path / "r.csv"
    roster.write_text("learner,lms_user_id\nana,11\nbob,12\n")
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    code = main(
        [
            "collect",
            A,
            str(bulk),
            "--course",
            str(course),
            "--roster",
            str(roster),
            "--due",
            "2026-11-02T17:00:00Z",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "collected 1 submission(s) (policy: latest-before-due" in out
    assert "held" in out
    assert "manifest says 'cy'" in out
    code = main(["collect", A, str(bulk), "--course", str(course), "--lms-timezone", "Mars/Base"])
    assert code == 2
    assert "unknown time zone 'Mars/Base'" in capsys.readouterr().err
