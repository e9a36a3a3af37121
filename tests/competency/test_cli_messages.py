"""The command line: every subcommand and option explained; report/dashboard errors in one line."""

from __future__ import annotations

import argparse
import importlib.util
import sys

import pytest

from bpscare.cli import _parser, main


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = _parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_subcommand_has_a_description_and_every_option_help_with_its_default():
    for name, command in subcommands().items():
        assert command.description, f"{name} has no description"
        assert "\n" not in command.description.strip() or name == "collect", name
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            where = f"bpscare {name} {'/'.join(action.option_strings) or action.dest}"
            assert action.help, f"{where} has no help"
            default = action.default
            if action.option_strings and default not in (None, False, argparse.SUPPRESS):
                shown = str(default).replace("\\", "/")
                assert "default" in action.help or shown in action.help, (
                    f"{where}: help does not state the default {default!r}"
                )


def test_report_out_inside_a_file_is_one_line(small_course, tmp_path, capsys):
    blocker = tmp_path / "FILE"
    blocker.write_text("x")
    code = main(["report", "--course", str(small_course), "--out", str(blocker / "sub")])
    err = capsys.readouterr().err
    assert code == 2
    assert "it is a file, not a folder" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_report_on_postgresql_without_a_driver_names_the_extra(tmp_path, monkeypatch, capsys):
    real = importlib.util.find_spec

    def no_driver(name: str, *args, **kwargs):
        return (
            None if name.split(".")[0] in ("psycopg", "psycopg2") else real(name, *args, **kwargs)
        )

    monkeypatch.setattr(importlib.util, "find_spec", no_driver)
    for module in [m for m in sys.modules if m.split(".")[0] in ("psycopg", "psycopg2")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    monkeypatch.setitem(sys.modules, "psycopg", None)
    url = "postgresql://u:secret@127.0.0.1:1/gradebook"
    code = main(["report", "--db-url", url, "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2
    assert 'pip install "bpscare[postgres]"' in err
    assert "secret" not in err
    assert not (tmp_path / "r").exists()


def test_dashboard_on_a_missing_folder_says_it_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "no-such-report"
    assert main(["dashboard", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "report folder does not exist" in err
    assert str(missing) in err
    other = tmp_path / "plain"
    other.mkdir()
    assert main(["dashboard", f"cohort={other}"]) == 2
    assert "not a report folder" in capsys.readouterr().err


def test_at_risk_rule_defaults_on_the_command_line_are_the_rules_own():
    from bpscare.competency.report_data import AtRiskRule

    args = _parser().parse_args(["report", "--course", "c", "--out", "o"])
    rule = AtRiskRule()
    assert args.at_risk_missing == rule.max_missing
    assert args.at_risk_mean / 100 == rule.min_mean_score
    assert args.at_risk_attainment / 100 == rule.low_attainment
    assert args.at_risk_low_competencies == rule.min_low_competencies


def test_report_applies_a_programs_at_risk_rule(small_course, tmp_path, capsys):
    """A stricter and a looser rule change who is listed, and the page prints the rule used."""
    import csv

    def listed(out, *options):
        assert main(["report", "--course", str(small_course), "--out", str(out), *options]) == 0
        with (out / "at_risk.csv").open(newline="") as fh:
            return {row["learner"] for row in csv.DictReader(fh)}

    default = listed(tmp_path / "default")
    strict = listed(tmp_path / "strict", "--at-risk-mean", "97.5", "--at-risk-attainment", "97.5")
    loose = listed(
        tmp_path / "loose",
        *("--at-risk-missing", "9", "--at-risk-mean", "0", "--at-risk-low-competencies", "9"),
    )
    assert default < strict, (default, strict)
    assert loose == set()
    page = (tmp_path / "strict" / "index.html").read_text(encoding="utf-8")
    assert "a mean assignment score below 97.5%" in page
    assert "attainment below 97.5%" in page


def test_bad_at_risk_options_name_the_option(small_course, tmp_path, capsys):
    for option, value in (
        ("--at-risk-mean", "120"),
        ("--at-risk-attainment", "sixty"),
        ("--at-risk-missing", "0"),
        ("--at-risk-low-competencies", "1.5"),
    ):
        out = tmp_path / option.strip("-")
        with pytest.raises(SystemExit) as exit_:
            main(["report", "--course", str(small_course), "--out", str(out), option, value])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert f"argument {option}" in err, err
        assert repr(value) in err, err
        assert not out.exists()
