"""The program dashboard: drill-down from cohort to competency to learner, headless."""

from __future__ import annotations

import shutil

import pytest

from bpscare.competency.dashboard import ALL, load_program
from bpscare.competency.report import run_report
from bpscare.errors import BpscareError
from bpscare.widgets.program_dashboard import program_dashboard


@pytest.fixture(scope="module")
def two_cohorts(small_course, tmp_path_factory):
    root = tmp_path_factory.mktemp("dash")
    first = root / "2025-26"
    run_report(course_dir=small_course, out_dir=first)
    second = root / "2026-27"
    run_report(course_dir=small_course, out_dir=second, pseudonymize=True, salt="x" * 32)
    return {"2025-26": first, "2026-27": second}


def test_drill_down_from_cohort_to_competency_to_learner(two_cohorts):
    view = program_dashboard(two_cohorts)
    assert view.cohort.options == ("2025-26", "2026-27")
    assert view.assignment.options == (ALL, "a01", "a02")
    assert "ACGME-MK" in view.overview.value
    assert 'src="data:image/png;base64,iVBOR' in view.heatmap.value
    assert 'alt="Heatmap of attainment for 5 learners' in view.heatmap.value
    view.competency.value = "EPA-03"
    table = view.competency_table.value
    # lowest attainment first: chi (0.00) before eli (0.75) before ana (1.00)
    assert table.index("chi") < table.index("eli") < table.index("ana")
    view.learner.value = "chi"
    assert "At risk" in view.learner_table.value
    view.assignment.value = "a01"
    assert "a02" not in view.learner_table.value.split("Competencies of")[0]


def test_switching_cohort_refreshes_learners_and_tables(two_cohorts):
    view = program_dashboard(two_cohorts)
    view.cohort.value = "2026-27"
    assert all(name.startswith("L-") for name in view.learner.options)
    assert "ana" not in view.overview.value + view.competency_table.value


def test_filtering_by_assignment_changes_the_scores_table(two_cohorts):
    view = program_dashboard(two_cohorts)
    both = view.assignments_table.value
    view.assignment.value = "a02"
    assert "a01" in both
    assert "a01" not in view.assignments_table.value


def test_controls_have_visible_labels(two_cohorts):
    view = program_dashboard(two_cohorts)
    for control in (view.cohort, view.assignment, view.competency, view.learner):
        assert control.description


def test_a_folder_that_is_not_a_report_is_named(tmp_path, two_cohorts):
    broken = tmp_path / "broken"
    shutil.copytree(two_cohorts["2025-26"], broken)
    (broken / "competencies.csv").unlink()
    with pytest.raises(BpscareError, match=r"competencies\.csv"):
        load_program({"x": broken})


def test_pickers_are_filled_on_load_and_a_map_is_never_reported_missing(two_cohorts):
    view = program_dashboard(two_cohorts)
    assert view.cohort.value == "2025-26"
    assert view.competency.value == "ACGME-MK"
    assert view.learner.value == "ana"
    assert "No competency map" not in view.competency_table.value
    assert "Learners on ACGME-MK" in view.competency_table.value
    assert "Scores of ana" in view.learner_table.value


def test_assignment_filter_narrows_the_competency_tables_too(two_cohorts):
    view = program_dashboard(two_cohorts)
    view.assignment.value = "a01"  # a01's cells map to ACGME-MK and EPA-03 only
    assert set(view.competency.options) == {"ACGME-MK", "EPA-03"}
    assert "ACGME-ICS" not in view.overview.value
    assert "ACGME-ICS" not in view.learner_table.value
    assert 'alt="Heatmap of attainment for 5 learners on 2 competencies' in view.heatmap.value
    view.assignment.value = ALL
    assert "ACGME-ICS" in view.competency.options


def test_zero_evidence_rows_say_insufficient_evidence_not_a_level(two_cohorts):
    view = program_dashboard(two_cohorts)
    assert "Level 1" not in view.overview.value
    assert "Insufficient evidence: 1" in view.overview.value  # chi has no a02 evidence
    assert "not milestone ratings or entrustment decisions" in view.overview.value


def test_the_app_shows_its_title_once(two_cohorts, tmp_path):
    import nbformat

    from bpscare.apps.program_dashboard import write_dashboard_app

    path = write_dashboard_app(two_cohorts, tmp_path)
    nb = nbformat.read(str(path), as_version=4)
    assert [c.cell_type for c in nb.cells] == ["code"]
    view = program_dashboard(two_cohorts)
    titles = [
        c.value for c in view.children if "Program competency dashboard" in getattr(c, "value", "")
    ]
    assert len(titles) == 1
