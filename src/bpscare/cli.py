"""The ``bpscare`` command line: build, validate, demo, autograde, feedback, report.

Problems a user can fix (a bad file, cell or value) print one line naming it and exit with
status 2; nothing is half-written, because every command writes to a temporary place first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from bpscare import __version__
from bpscare.errors import BpscareError

EXIT_USER_ERROR = 2
EXIT_CHECK_FAILED = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USER_ERROR
    from bpscare.nbgrader_course import ensure_tools_on_path

    ensure_tools_on_path()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return int(args.handler(args) or 0)
    except BpscareError as exc:
        print(f"bpscare {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"bpscare {args.command}: interrupted", file=sys.stderr)
        return 130


def _skip_slow_format_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (autograde and feedback).

    jsonschema's format checker imports it, when installed, for the ``iri`` formats, and it
    compiles a Lark grammar at import: 1-8 s, depending on the machine's load, in every process
    that loads nbformat's validator. No schema these commands validate (notebooks, nbgrader's,
    Jupyter's events) uses an ``iri`` format, so jsonschema goes without those two checkers here,
    as it does wherever the package is not installed. ``--engine nbgrader`` keeps nbgrader's own
    behaviour (and cost), so the benchmarks compare against nbgrader as it runs.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bpscare",
        description="Build, grade and report a biopsychosocial-care course on nbgrader.",
    )
    parser.add_argument("--version", action="version", version=f"bpscare {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("build", help="render the course, lessons and learner edition")
    _project_arg(p)
    p.add_argument("--out", type=Path, default=Path("_build"), help="output folder (_build)")
    p.add_argument(
        "--course",
        type=Path,
        help="also update this live course folder in place (learners' work is never touched)",
    )
    p.set_defaults(handler=_cmd_build)

    p = sub.add_parser("validate", help="build, then prove every assignment grades as intended")
    _project_arg(p)
    p.add_argument("--out", type=Path, default=Path("_build"), help="build folder (_build)")
    p.add_argument(
        "--engine",
        choices=("bpscare", "nbgrader"),
        default="bpscare",
        help="grading engine: bpscare's sandboxed one or nbgrader's own (default: bpscare)",
    )
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("demo", help="build, grade and report a synthetic cohort end to end")
    _project_arg(p)
    p.add_argument("--out", type=Path, help="folder to keep the demo in (default: a temp folder)")
    p.add_argument("--learners", type=int, default=30, help="number of synthetic learners (30)")
    p.add_argument("--seed", type=int, default=7, help="random seed for the cohort (7)")
    p.add_argument(
        "--engine",
        choices=("bpscare", "nbgrader"),
        default="bpscare",
        help="grading engine: bpscare's sandboxed one or nbgrader's own (default: bpscare)",
    )
    p.add_argument("--workers", type=int, help="grading worker processes (default: CPU count)")
    p.set_defaults(handler=_cmd_demo)

    p = sub.add_parser("autograde", help="autograde submissions of any nbgrader course")
    p.add_argument("assignment", help="assignment name, as in the course's source/ folder")
    p.add_argument("--course", type=Path, required=True, help="nbgrader course folder")
    p.add_argument("--student", action="append", help="grade only this learner (repeatable)")
    p.add_argument("--workers", type=int, help="worker processes (default: CPU count)")
    p.add_argument("--executor", default="local", help="local or dask://HOST:PORT (default: local)")
    p.add_argument("--db-url", help="gradebook URL (default: the course's own)")
    p.add_argument(
        "--timeout-cell",
        type=float,
        help="seconds per cell (default: the course's Execute.timeout, else nbgrader's 30)",
    )
    p.add_argument(
        "--engine",
        choices=("bpscare", "nbgrader"),
        default="bpscare",
        help="grading engine: bpscare's sandboxed one or nbgrader's own (default: bpscare)",
    )
    p.add_argument(
        "--require-sandbox",
        action="store_true",
        help="refuse to grade unless learner code runs in the bwrap sandbox",
    )
    p.set_defaults(handler=_cmd_autograde)

    p = sub.add_parser("feedback", help="generate learner-safe feedback HTML")
    p.add_argument("assignment", help="assignment name, as in the course's source/ folder")
    p.add_argument("--course", type=Path, required=True, help="nbgrader course folder")
    p.add_argument("--student", action="append", help="only this learner (repeatable)")
    p.add_argument("--workers", type=int, help="render processes (default: CPU count)")
    p.add_argument(
        "--engine",
        choices=("bpscare", "nbgrader"),
        default="bpscare",
        help=(
            "bpscare renders in-process (fast); nbgrader runs its generate_feedback "
            "(default: bpscare)"
        ),
    )
    p.set_defaults(handler=_cmd_feedback)

    p = sub.add_parser("serve", help="serve the learner edition's Voila apps on 127.0.0.1")
    p.add_argument("--port", type=int, default=8866, help="port (8866)")
    p.add_argument(
        "--dir",
        type=Path,
        default=Path("_build") / "learner",
        help="learner edition folder (default: _build/learner)",
    )
    p.add_argument("--no-preheat", action="store_true", help="do not preheat app kernels")
    p.set_defaults(handler=_cmd_serve)

    p = sub.add_parser("pack", help="learners: zip an assignment folder for upload to the LMS")
    p.add_argument("folder", type=Path, help="the assignment folder (with the notebook)")
    p.add_argument("--learner", required=True, help="your learner id as your school uses it")
    p.add_argument("--out", type=Path, help="zip path (default: inside the folder)")
    p.set_defaults(handler=_cmd_pack)

    p = sub.add_parser(
        "collect",
        help="collect a Canvas or Moodle submission export into the course",
        description=(
            "Place an LMS submission export (Canvas 'Download Submissions' zip, Moodle 'Download "
            "all submissions' zip or folder, or zips listed in a roster) in the course's "
            "submitted/ folder. Identity and time come from the LMS names and the roster, never "
            "from the zip; doubtful zips are held in collect/held/, other attempts archived in "
            "collect/archive/."
        ),
    )
    p.add_argument("assignment", help="assignment name, as in the course's source/ folder")
    p.add_argument(
        "zips",
        nargs="+",
        type=Path,
        metavar="EXPORT",
        help="LMS bulk download zip, folder of an unpacked export, or single submission zips",
    )
    p.add_argument("--course", type=Path, required=True, help="nbgrader course folder")
    p.add_argument(
        "--roster",
        type=Path,
        help=(
            "CSV mapping LMS ids to learner ids (columns learner, lms_user_id; optional "
            "submitted_at, file); Canvas gradebook and Moodle worksheet exports work as they are "
            "(default: none, so only zips whose LMS id is known are collected)"
        ),
    )
    p.add_argument(
        "--policy",
        choices=("latest-before-due", "latest", "first"),
        default="latest-before-due",
        help="which attempt stays when a learner has several; the others are archived "
        "(default: latest-before-due)",
    )
    p.add_argument(
        "--due",
        help="due date, ISO 8601 (default: the assignment's due date in the gradebook, if any)",
    )
    p.add_argument(
        "--lms-timezone",
        default="UTC",
        help="time zone of roster times written without one, e.g. Europe/Berlin (default: UTC)",
    )
    p.set_defaults(handler=_cmd_collect)

    p = sub.add_parser("report", help="program report: scores, competencies, items, exports")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--course", type=Path, help="nbgrader course folder")
    source.add_argument("--db-url", help="gradebook URL (sqlite:///… or postgresql://…)")
    p.add_argument("--out", type=Path, required=True, help="report folder")
    p.add_argument("--map", type=Path, help="competency map (default: the course's own)")
    p.add_argument("--pseudonymize", action="store_true", help="replace learner ids by hashes")
    p.add_argument(
        "--xapi-cells",
        action="store_true",
        help="one xAPI statement per graded cell (default: per submitted assignment)",
    )
    rule = p.add_argument_group(
        "at-risk rule", "a learner is at risk when any condition holds (printed in the report)"
    )
    rule.add_argument(
        "--at-risk-missing",
        type=_whole_number,
        default=2,
        metavar="N",
        help="N or more submissions missing past their due date (default: 2)",
    )
    rule.add_argument(
        "--at-risk-mean",
        type=_percent,
        default=60.0,
        metavar="PERCENT",
        help="mean score on due, fully graded assignments below PERCENT (default: 60)",
    )
    rule.add_argument(
        "--at-risk-attainment",
        type=_percent,
        default=60.0,
        metavar="PERCENT",
        help="a competency with enough graded evidence is low below PERCENT (default: 60) ...",
    )
    rule.add_argument(
        "--at-risk-low-competencies",
        type=_whole_number,
        default=2,
        metavar="N",
        help="... and N or more low competencies make a learner at risk (default: 2)",
    )
    p.set_defaults(handler=_cmd_report)

    p = sub.add_parser("dashboard", help="serve the program dashboard over report folders")
    p.add_argument(
        "reports",
        nargs="+",
        metavar="[LABEL=]REPORT_DIR",
        help="a folder written by `bpscare report`; LABEL names its cohort (default: folder name)",
    )
    p.add_argument("--port", type=int, default=8867, help="port (8867)")
    p.set_defaults(handler=_cmd_dashboard)

    p = sub.add_parser("hub-service", help="JupyterHub service: feedback when learners submit")
    from bpscare.hub.service import add_arguments as hub_service_arguments

    hub_service_arguments(p)
    p.set_defaults(handler=_cmd_hub_service)
    for action in sub._choices_actions:  # each subcommand's -h opens with its one-line summary
        command = sub.choices[action.dest]
        if command.description is None and action.help:
            command.description = action.help[0].upper() + action.help[1:] + "."
    return parser


def _whole_number(text: str) -> int:
    """An option's whole number of at least 1 (argparse prints the option's name with it)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"expected a whole number of at least 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _percent(text: str) -> float:
    """An option's percentage, 0 to 100."""
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        msg = f"expected a percentage from 0 to 100, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _project_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--project",
        type=Path,
        default=Path.cwd(),
        help="bpscare project folder with course/course.yaml (default: here or above)",
    )


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _cmd_build(args: argparse.Namespace) -> int:
    from bpscare.authoring.build import build, find_project, update_live_course

    project = find_project(args.project)
    result = build(project, args.out, progress=_say)
    print(
        f"built {len(result.assignments)} assignment(s), {len(result.lessons)} lesson(s) "
        f"into {result.out}"
    )
    print(f"  nbgrader course: {result.out / 'course'}")
    print(f"  learner edition: {result.out / 'learner'}")
    if args.course:
        update_live_course(result.out / "course", args.course, result.assignments)
        print(f"  live course updated in place: {args.course.resolve()}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from bpscare.authoring.build import find_project
    from bpscare.validate import validate

    report = validate(find_project(args.project), args.out, engine=args.engine, progress=_say)
    print(report.format_table())
    for line in report.checked:
        print(f"ok   {line}")
    for line in report.failures:
        print(f"FAIL {line}")
    if report.failures:
        print(f"{len(report.failures)} failure(s)")
        return EXIT_CHECK_FAILED
    print("validation passed")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from bpscare.authoring.build import find_project
    from bpscare.demo import run_demo

    if args.learners < 1:
        msg = f"--learners must be at least 1, got {args.learners}"
        raise BpscareError(msg)
    result = run_demo(
        find_project(args.project),
        out=args.out,
        learners=args.learners,
        seed=args.seed,
        engine=args.engine,
        workers=args.workers,
    )
    print(result.summary())
    return 0


def _cmd_autograde(args: argparse.Namespace) -> int:
    """Autograde with the sandboxed engine (default) or nbgrader; 1 if a submission failed."""
    if args.engine == "bpscare":
        _skip_slow_format_checker()
    from bpscare.nbgrader_course import require_course, submitted_students

    course = require_course(args.course)
    known = (course / "source" / args.assignment).is_dir()
    if known and not args.student and not submitted_students(course, args.assignment):
        print(
            f"error: nothing to autograde: no submission of {args.assignment!r} has been "
            f"collected into {course / 'submitted'}; run `bpscare collect {args.assignment} "
            "<LMS export or zips> --course ...` (or `nbgrader collect`) first",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    if args.engine == "nbgrader":
        from bpscare.grading.backend import autograde_students

        students = args.student or submitted_students(course, args.assignment)
        errors = autograde_students(course, args.assignment, students, engine="nbgrader")
        failed = {s: e for s, e in errors.items() if e}
        print(f"autograded {len(errors) - len(failed)} of {len(errors)} submission(s)")
        for student, error in failed.items():
            print(f"  {student}: {error}")
        return EXIT_CHECK_FAILED if failed else 0
    from bpscare.grading import autograde
    from bpscare.progress import event_bar

    with event_bar("autograding") as on_event:
        run = autograde(
            course,
            args.assignment,
            students=args.student,
            workers=args.workers,
            executor=args.executor,
            db_url=args.db_url,
            timeout_cell=args.timeout_cell,
            progress=on_event,
            require_sandbox=args.require_sandbox,
        )
    print(run.summary())
    sandbox = run.protections.get("sandbox", "")
    if sandbox.startswith("WARNING"):  # no bwrap: say so plainly (see docs/autograding.md)
        print(f"bpscare autograde: {sandbox}", file=sys.stderr)
    return EXIT_CHECK_FAILED if any(r.error for r in run.results) else 0


def _cmd_feedback(args: argparse.Namespace) -> int:
    """Write learner-safe feedback; 1 if some learner's feedback failed (the others are written)."""
    _skip_slow_format_checker()
    if args.engine == "bpscare" and "nbgrader" not in sys.modules:
        # nbgrader's package __init__ loads its Jupyter server extensions (tornado, the
        # exchange, about 1 s); rendering feedback needs none of them. Give the package its
        # path and version only; its modules import as usual.
        import importlib.util
        import types

        spec = importlib.util.find_spec("nbgrader")
        if spec is not None and spec.submodule_search_locations:
            package = types.ModuleType("nbgrader")
            package.__path__ = list(spec.submodule_search_locations)
            package.__file__ = spec.origin
            package.__spec__ = spec
            sys.modules["nbgrader"] = package
            from nbgrader._version import __version__

            package.__version__ = __version__  # type: ignore[attr-defined]
    from bpscare.grading.feedback import generate_feedback
    from bpscare.nbgrader_course import require_course

    course = require_course(args.course)
    run = generate_feedback(
        course, args.assignment, args.student, workers=args.workers, engine=args.engine
    )
    print(run.summary())
    return EXIT_CHECK_FAILED if run.failed else 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from bpscare.serve import app_urls, start_voila, stop_voila

    process, port = start_voila(args.dir, args.port, preheat=not args.no_preheat)
    print(f"Voila is serving {args.dir.resolve()} on http://127.0.0.1:{port}/ (Ctrl+C stops it)")
    for url in app_urls(args.dir, port):
        print(f"  {url}")
    try:
        return process.wait()
    finally:
        stop_voila(process)


def _cmd_pack(args: argparse.Namespace) -> int:
    from bpscare.grading.submission_zip import pack_submission

    path = pack_submission(args.folder, args.learner, out=args.out)
    print(f"packed {path}; upload this zip to your course's LMS assignment")
    return 0


def _cmd_collect(args: argparse.Namespace) -> int:
    import zoneinfo

    from bpscare.grading.collect import collect_zips, load_roster
    from bpscare.nbgrader_course import require_course

    course = require_course(args.course)
    try:
        timezone = zoneinfo.ZoneInfo(args.lms_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"unknown time zone {args.lms_timezone!r} (use e.g. UTC or Europe/Berlin)"
        raise BpscareError(msg) from exc
    roster = load_roster(args.roster, timezone) if args.roster else None
    due: dt.datetime | None
    if args.due:
        try:
            due = dt.datetime.fromisoformat(args.due.replace("Z", "+00:00"))
        except ValueError as exc:
            msg = f"--due {args.due!r} is not an ISO 8601 time (e.g. 2026-03-01T17:00:00Z)"
            raise BpscareError(msg) from exc
        due = due if due.tzinfo else due.replace(tzinfo=timezone)
    else:
        due = _gradebook_due(course, args.assignment)
    result = collect_zips(
        course, args.assignment, args.zips, roster=roster, due=due, policy=args.policy
    )
    print(result.summary())
    return EXIT_CHECK_FAILED if result.rejected or result.held else 0


def _gradebook_due(course: Path, assignment: str) -> dt.datetime | None:
    """The assignment's due date recorded in the course's gradebook (UTC), if any."""
    from bpscare.nbgrader_course import course_db_url

    url = course_db_url(course)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None  # no gradebook yet (nbgrader's Gradebook would create an empty one)
    try:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(url) as gradebook:
            due = gradebook.find_assignment(assignment).duedate
    except (MissingEntry, ImportError, OSError):
        return None
    except Exception:  # a gradebook nbgrader cannot open: collect without a due date
        return None
    return due.replace(tzinfo=dt.UTC) if due is not None else None


def _cmd_report(args: argparse.Namespace) -> int:
    from bpscare.competency.report import run_report
    from bpscare.competency.report_data import AtRiskRule

    rule = AtRiskRule(
        max_missing=args.at_risk_missing,
        min_mean_score=args.at_risk_mean / 100,
        low_attainment=args.at_risk_attainment / 100,
        min_low_competencies=args.at_risk_low_competencies,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = run_report(
            course_dir=args.course,
            db_url=args.db_url,
            out_dir=args.out,
            map_path=args.map,
            pseudonymize=args.pseudonymize,
            progress=_say,
            rule=rule,
            xapi_detail="cells" if args.xapi_cells else "assignments",
        )
    for warning in [*(str(w.message) for w in caught), *summary.warnings]:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"report of {summary.n_learners} learner(s), {summary.n_assignments} assignment(s) and "
        f"{summary.n_grades} grade(s) written to {summary.out_dir}"
    )
    print(
        f"  competencies: {summary.n_competencies}; learners at risk: {summary.n_at_risk}; "
        f"badges: {summary.n_badges}; xAPI statements: {summary.n_xapi_statements}"
    )
    print(f"  open {summary.out_dir / 'index.html'}")
    return 0


def _cmd_hub_service(args: argparse.Namespace) -> int:
    from bpscare.hub.service import run

    return run(args)


def _cmd_dashboard(args: argparse.Namespace) -> int:
    import tempfile
    import time

    from bpscare.apps.program_dashboard import write_dashboard_app
    from bpscare.competency.report import MARKER_FILE
    from bpscare.serve import app_url, start_voila, stop_voila

    reports: dict[str, Path] = {}
    for spec in args.reports:
        label, _, folder = spec.rpartition("=")
        path = Path(folder).expanduser()
        if not path.is_dir():
            msg = "report folder does not exist (write one with `bpscare report --out`)"
            raise BpscareError(msg, path=path.resolve())
        if not (path / MARKER_FILE).is_file():
            msg = "not a report folder written by `bpscare report` (no report marker in it)"
            raise BpscareError(msg, path=path.resolve())
        reports[label or path.resolve().name] = path
    with tempfile.TemporaryDirectory(prefix="bpscare-dashboard-") as tmp:
        write_dashboard_app(reports, Path(tmp))
        process, port = start_voila(Path(tmp), args.port, preheat=False)
        print(f"program dashboard: {app_url(port, 'program_dashboard')} (Ctrl+C stops it)")
        try:
            while process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            stop_voila(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
