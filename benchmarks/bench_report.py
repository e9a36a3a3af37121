"""Benchmark ``bpscare report`` (``run_report``) against ``nbgrader export`` and at 1M grades.

Usage::

    /work/venv/bin/python benchmarks/bench_report.py            # both benchmarks
    /work/venv/bin/python benchmarks/bench_report.py --only export
    /work/venv/bin/python benchmarks/bench_report.py --only million

1. ``export``: a 30,000-grade gradebook (300 learners x 10 assignments x 10 cells) in a course
   folder; wall time of ``nbgrader export`` (subprocess, the venv's console script) against the
   wall time of ``run_report`` in a fresh subprocess (interpreter start-up and imports included)
   and of the ``bpscare report`` command (its console script, as a user runs it), measured in
   the same run (``--repeat`` runs; the run with the median subprocess ratio is summarised).
   The per-learner totals of both are compared, so the speed-up is not bought with a different
   answer, and the command's tables are compared byte for byte with ``run_report``'s.
2. ``million``: a 1,000,000-grade gradebook (2,000 learners x 25 assignments x 20 cells), every
   output written (``badges.jsonl`` counted line by line); wall time of ``run_report`` and peak
   RSS (``resource.getrusage`` of the child) measured in a fresh subprocess. ``run_report``
   forks helpers of its own (the page child, which forks a figure child, and on large SQLite
   gradebooks a scan child): ``getrusage`` of children counts every waited-for descendant, so
   the CPU figures include them, and the helpers' peak RSS is the largest of them. At most two
   helpers are alive at once, so the report's peak plus twice the largest helper's peak bounds
   the memory the report ever used at once.

Before timing, the library's source is compiled to bytecode (``compileall``), as pip does when it
installs a wheel and as Python does on a library's first import. On a machine with
``PYTHONDONTWRITEBYTECODE`` set and an editable install (as where this was written), nothing ever
writes that bytecode, so every run would otherwise also time the compiler on ~15 of bpscare's
modules (~0.05-0.1 s, paired runs); nbgrader, installed from a wheel, always has its bytecode.

Each timed command (``nbgrader export``, the report child, the ``bpscare report`` command) runs
once untimed right before it is timed (``--cold`` turns this off), so both sides are timed with
their files in the page cache; see :func:`warm_up`.

Both also record CPU time (user + system, from ``getrusage`` of the finished children, helper
included) and the load averages before and after: on a shared machine wall times stretch with
the load, CPU times much less, so the CPU ratio is the steadier figure; quote the wall figures
with the load.

Gradebooks are built once and cached in ``benchmarks/results/`` (git-ignored): the schema and the
assignment/notebook/grade-cell definitions through nbgrader's own ``Gradebook`` API, then students,
submissions and grades bulk-inserted with ``executemany`` in one transaction. Results are written
to ``benchmarks/results/bench_report.json``.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import datetime as dt
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
VENV_BIN = Path(sys.executable).parent
COMPETENCY_IDS = [
    *(f"ACGME-{c}" for c in ("PC", "MK", "PBLI", "ICS", "PROF", "SBP")),
    *(f"EPA-{i:02d}" for i in range(1, 14)),
    "IPEC-VE",
    "IPEC-RR",
    "IPEC-C",
    "IPEC-TT",
]


def cell_name(a: int, c: int) -> str:
    return f"a{a + 1:02d}_q{c + 1:02d}"


def assignment_name(a: int) -> str:
    return f"a{a + 1:02d}"


def build_gradebook(
    db_path: Path,
    *,
    n_learners: int,
    n_assignments: int,
    n_cells: int,
    seed: int = 0,
    missing_rate: float = 0.0,
) -> None:
    """Build a synthetic nbgrader gradebook (SQLite) quickly.

    Learner ability and item difficulty follow a Rasch-like model so that item statistics are
    realistic; scores are binomial on each cell's points. A small share of submissions is missing.
    Students get synthetic first/last names and emails so a test can check none leaks.
    """
    from nbgrader.api import Gradebook

    sys.path.insert(0, str(VENV_BIN))
    os.environ["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    rng = np.random.default_rng(seed)
    start = dt.datetime(2026, 1, 12, 17, 0, 0)
    points = rng.choice([1.0, 2.0, 3.0, 5.0], size=(n_assignments, n_cells))
    gb = Gradebook(f"sqlite:///{tmp}")
    try:
        for a in range(n_assignments):
            name = assignment_name(a)
            gb.add_assignment(name, duedate=start + dt.timedelta(weeks=a))
            gb.add_notebook(name, name)
            for c in range(n_cells):
                gb.add_grade_cell(
                    cell_name(a, c), name, name, max_score=float(points[a, c]), cell_type="code"
                )
    finally:
        gb.close()

    con = sqlite3.connect(tmp)
    cur = con.cursor()
    assignments = dict(cur.execute("SELECT name, id FROM assignment"))
    notebooks = dict(
        cur.execute("SELECT a.name, n.id FROM notebook n JOIN assignment a ON n.assignment_id=a.id")
    )
    cells = dict(cur.execute("SELECT name, id FROM base_cell"))
    learners = [f"learner{i:05d}" for i in range(n_learners)]
    ability = rng.normal(0.0, 1.0, n_learners)
    difficulty = rng.normal(-1.6, 0.8, (n_assignments, n_cells))
    submitted = rng.random((n_learners, n_assignments)) >= missing_rate
    con.execute("BEGIN")
    cur.executemany(
        "INSERT INTO student (id, first_name, last_name, email) VALUES (?, ?, ?, ?)",
        [(sid, f"Given{i}", f"Family{i}", f"{sid}@example.edu") for i, sid in enumerate(learners)],
    )
    subs, nbs, grades = [], [], []
    for a in range(n_assignments):
        name = assignment_name(a)
        p = 1.0 / (1.0 + np.exp(-(ability[:, None] - difficulty[a][None, :])))
        scores = rng.binomial(points[a][None, :].astype(int), p).astype(float)
        late = rng.random(n_learners) < 0.03
        for i in np.flatnonzero(submitted[:, a]):
            sa_id, sn_id = uuid.uuid4().hex, uuid.uuid4().hex
            ts = start + dt.timedelta(weeks=a, hours=int(rng.integers(-96, 12)))
            subs.append((sa_id, assignments[name], learners[i], ts.isoformat(" ")))
            nbs.append((sn_id, sa_id, notebooks[name], 0, 0.5 if late[i] else 0.0))
            for c in range(n_cells):
                grades.append(
                    (uuid.uuid4().hex, sn_id, cells[cell_name(a, c)], float(scores[i, c]), 0)
                )
    cur.executemany(
        "INSERT INTO submitted_assignment (id, assignment_id, student_id, timestamp) "
        "VALUES (?, ?, ?, ?)",
        subs,
    )
    cur.executemany(
        "INSERT INTO submitted_notebook (id, assignment_id, notebook_id, flagged, "
        "late_submission_penalty) VALUES (?, ?, ?, ?, ?)",
        nbs,
    )
    cur.executemany(
        "INSERT INTO grade (id, notebook_id, cell_id, auto_score, needs_manual_grade) "
        "VALUES (?, ?, ?, ?, ?)",
        grades,
    )
    con.commit()
    con.close()
    tmp.replace(db_path)


def write_map(path: Path, n_assignments: int, n_cells: int, seed: int = 1) -> None:
    """Write a competency map: each cell to one or two competencies across all three frameworks."""
    rng = np.random.default_rng(seed)
    lines = ["frameworks: [ACGME, EPA, IPEC]", "grade_cells:"]
    for a in range(n_assignments):
        for c in range(n_cells):
            k = int(rng.integers(1, 3))
            ids = rng.choice(COMPETENCY_IDS, size=k, replace=False)
            lines.append(f"  {cell_name(a, c)}: [{', '.join(ids)}]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cached_course(label: str, n_learners: int, n_assignments: int, n_cells: int) -> Path:
    """Return a course folder holding a cached gradebook and competency map, building once."""
    course = RESULTS / label
    db = course / "gradebook.db"
    if not db.is_file():
        t0 = time.perf_counter()
        build_gradebook(db, n_learners=n_learners, n_assignments=n_assignments, n_cells=n_cells)
        print(f"built {db} in {time.perf_counter() - t0:.1f} s", flush=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = 'bench'\n",
        encoding="utf-8",
    )
    write_map(course / "competency_map.yaml", n_assignments, n_cells)
    return course


REPORT_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
from bpscare.competency import run_report
summary = run_report(course_dir=Path(sys.argv[1]), out_dir=Path(sys.argv[2]))
wall = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_SELF)
helper = resource.getrusage(resource.RUSAGE_CHILDREN)  # the forked helpers (largest peak)
print(json.dumps({"wall_in_process_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024,
                  "helper_peak_rss_mb": helper.ru_maxrss / 1024,
                  "helper_cpu_s": helper.ru_utime + helper.ru_stime,
                  "cpu_s": usage.ru_utime + usage.ru_stime, "timings": summary.timings,
                  "n_badges": summary.n_badges, "n_xapi_statements": summary.n_xapi_statements}))
"""


def compile_library() -> int:
    """Compile bpscare's source to bytecode (what pip does for an installed wheel); return files."""
    import bpscare

    package = Path(bpscare.__file__).resolve().parent
    if not compileall.compile_dir(str(package), quiet=1):
        raise SystemExit(f"could not compile {package} to bytecode")
    return sum(1 for _ in package.rglob("*.py"))


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_load() -> dict[str, object]:
    """The load averages and CPU count: with other work on the machine, wall times stretch."""
    one, five, fifteen = os.getloadavg()
    return {"loadavg_1_5_15": [round(one, 2), round(five, 2), round(fifteen, 2)]}


def time_report(course: Path, out: Path, warm: bool) -> dict[str, object]:
    """Run ``run_report`` in a fresh interpreter; return wall and CPU times and peak RSS.

    ``cpu_subprocess_s`` is the child's user + system CPU including interpreter start-up and
    imports; unlike wall time it hardly changes when other processes compete for the cores.
    With ``warm``, one untimed run first (see :func:`warm_up`).
    """
    if warm:
        warm_up([sys.executable, "-c", REPORT_CHILD, str(course), str(out)])
    shutil.rmtree(out, ignore_errors=True)
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", REPORT_CHILD, str(course), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_subprocess_s"] = wall
    result["cpu_subprocess_s"] = children_cpu() - cpu0
    return result


def warm_up(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    """Run a command once, untimed, so the timed run reads its files from the page cache.

    Each command is warmed right before it is timed: on a machine that reclaims idle page
    cache (this one runs DAMON's ``kdamond``), a report timed straight after nbgrader's 35 s
    export otherwise spent up to 0.5 s more reading its modules from disk.
    """
    subprocess.run(command, check=True, capture_output=True, cwd=cwd, env=env)


def time_cli_report(course: Path, out: Path, warm: bool) -> tuple[float, float]:
    """Wall and CPU seconds of the ``bpscare report`` command itself (its console script)."""
    command = [str(VENV_BIN / "bpscare"), "report", "--course", str(course), "--out", str(out)]
    if warm:
        warm_up([*command[:-1], str(out.with_name(out.name + "_warm"))])
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - t0, children_cpu() - cpu0


def bench_export(repeat: int, warm: bool) -> dict[str, object]:
    """Run the 30k comparison ``repeat`` times; every run is reported, the median is summarised."""
    runs = [one_export_run(warm) for _ in range(repeat)]
    by_ratio = sorted(runs, key=lambda run: run["speedup_subprocess"])
    return {
        **by_ratio[len(by_ratio) // 2],
        "speedup_subprocess_all_runs": [run["speedup_subprocess"] for run in runs],
        "speedup_in_process_all_runs": [run["speedup_in_process"] for run in runs],
        "speedup_cli_all_runs": [run["speedup_cli"] for run in runs],
        "scores_identical_all_runs": all(run["scores_identical"] for run in runs),
        "runs": runs,
    }


def one_export_run(warm: bool) -> dict[str, object]:
    course = cached_course("export_30k", 300, 10, 10)
    work = Path(tempfile.mkdtemp(prefix="bench_export_"))
    try:
        dest = work / "grades.csv"
        export = [str(VENV_BIN / "nbgrader"), "export", "--to"]
        env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
        load_before = machine_load()
        if warm:
            warm_up([*export, str(work / "warm.csv")], cwd=course, env=env)
        cpu0 = children_cpu()
        t0 = time.perf_counter()
        subprocess.run([*export, str(dest)], cwd=course, check=True, capture_output=True, env=env)
        export_wall = time.perf_counter() - t0
        export_cpu = children_cpu() - cpu0
        report = time_report(course, work / "report", warm)
        cli_wall, cli_cpu = time_cli_report(course, work / "cli_report", warm)
        load_after = machine_load()
        cli_same = all(
            (work / "cli_report" / name).read_bytes() == (work / "report" / name).read_bytes()
            for name in ("assignment_scores.csv", "competencies.csv", "items.csv")
        )
        # Same answer? nbgrader's score is max(0, raw - late penalty), as is ours.
        theirs = {}
        with dest.open(newline="") as fh:
            for row in csv.DictReader(fh):
                theirs[(row["student_id"], row["assignment"])] = float(row["score"])
        # bpscare rounds to two decimals and leaves pending / not-yet-due scores empty (where
        # nbgrader writes 0): identical means equal after rounding wherever bpscare has a score,
        # and an empty score only with such a status.
        ours: dict[tuple[str, str], float | None] = {}
        empty_ok = True
        with (work / "report" / "assignment_scores.csv").open(newline="") as fh:
            for row in csv.DictReader(fh):
                key = (row["learner"], row["assignment"])
                ours[key] = float(row["score"]) if row["score"] else None
                if not row["score"]:
                    empty_ok &= row["status"].startswith(("pending", "not yet due"))
        same = (
            empty_ok
            and theirs.keys() == ours.keys()
            and all(ours[k] is None or round(theirs[k], 2) == ours[k] for k in theirs)
        )
        n_compared = sum(v is not None for v in ours.values())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wall = report["wall_subprocess_s"]
    return {
        "grades": 30_000,
        "nbgrader_export_s": round(export_wall, 3),
        "nbgrader_export_cpu_s": round(export_cpu, 3),
        "run_report_subprocess_s": round(wall, 3),
        "run_report_in_process_s": round(report["wall_in_process_s"], 3),
        "run_report_cpu_s": round(report["cpu_subprocess_s"], 3),
        "speedup_subprocess": round(export_wall / wall, 1),
        "speedup_in_process": round(export_wall / report["wall_in_process_s"], 1),
        "speedup_cpu": round(export_cpu / report["cpu_subprocess_s"], 1),
        "bpscare_report_cli_s": round(cli_wall, 3),
        "bpscare_report_cli_cpu_s": round(cli_cpu, 3),
        "speedup_cli": round(export_wall / cli_wall, 1),
        "cli_tables_identical_to_run_report": cli_same,
        "scores_identical": same,
        "scores_compared": n_compared,
        "report_timings": report["timings"],
        "load_before": load_before,
        "load_after": load_after,
    }


def bench_million(warm: bool) -> dict[str, object]:
    course = cached_course("million", 2000, 25, 20)
    work = Path(tempfile.mkdtemp(prefix="bench_million_"))
    try:
        load_before = machine_load()
        report = time_report(course, work / "report", warm)
        load_after = machine_load()
        sizes = {
            p.name: p.stat().st_size for p in sorted((work / "report").iterdir()) if p.is_file()
        }
        with (work / "report" / "badges.jsonl").open(encoding="utf-8") as fh:
            n_badges = sum(1 for _ in fh)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "grades": 1_000_000,
        "run_report_subprocess_s": round(report["wall_subprocess_s"], 3),
        "run_report_in_process_s": round(report["wall_in_process_s"], 3),
        "run_report_cpu_s": round(report["cpu_subprocess_s"], 3),
        "peak_rss_mb": round(report["peak_rss_mb"], 1),
        "helper_peak_rss_mb": round(report["helper_peak_rss_mb"], 1),
        "peak_rss_all_processes_mb_at_most": round(
            report["peak_rss_mb"] + 2 * report["helper_peak_rss_mb"], 1
        ),
        "run_report_main_cpu_s": round(report["cpu_s"], 3),
        "helper_cpu_s": round(report["helper_cpu_s"], 3),
        "report_timings": report["timings"],
        "output_bytes": sizes,
        "badges": n_badges,
        "badges_reported": report["n_badges"],
        "xapi_statements": report["n_xapi_statements"],
        "load_before": load_before,
        "load_after": load_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["export", "million"])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the 30k comparison (default: 3)"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no untimed warm-up run before each timed command (default: warm up each)",
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "library_files_compiled_to_bytecode": compile_library(),
        "warm_up_before_each_timed_command": not args.cold,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if args.only in (None, "export"):
        results["export_30k"] = bench_export(args.repeat, warm=not args.cold)
        summary = {k: v for k, v in results["export_30k"].items() if k != "runs"}
        print(json.dumps(summary, indent=2), flush=True)
    if args.only in (None, "million"):
        results["million"] = bench_million(warm=not args.cold)
        print(json.dumps(results["million"], indent=2), flush=True)
    out = RESULTS / "bench_report.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
