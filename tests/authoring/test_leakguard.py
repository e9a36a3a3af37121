"""The leak guard finds solution lines, hidden tests, markers and trusted text anywhere."""

from __future__ import annotations

import nbformat

from bpscare.authoring.leakguard import forbidden_fragments, scan_tree, secret_lines


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_secret_lines_split_inside_and_outside():
    nb = notebook(
        "def answer_function(x):\n    ### BEGIN SOLUTION\n    return x * 12345 + 678\n"
        "    ### END SOLUTION\n"
    )
    inside, outside = secret_lines(nb)
    assert inside == {"return x * 12345 + 678"}
    assert outside == {"def answer_function(x):"}


def test_scan_finds_a_solution_line_in_a_notebook_output(tmp_path):
    """Is a solution line found even inside a notebook's output, despite JSON escaping?"""
    source = notebook('### BEGIN SOLUTION\nprint("the secret \\"answer\\" line")\n### END SOLUTION')
    leaked = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", text='print("the secret \\"answer\\" line")')]
    leaked.cells.append(cell)
    nbformat.write(leaked, str(tmp_path / "leak.ipynb"))
    findings = scan_tree(tmp_path, forbidden_fragments([source]))
    assert len(findings) == 1
    assert "solution" in findings[0].fragment.origin


def test_scan_finds_trusted_yaml_text(tmp_path):
    trusted = tmp_path / "rubric.yaml"
    trusted.write_text("q1:\n  criteria:\n    - full: A long rubric sentence for graders only.\n")
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "notes.md").write_text("Here: A long rubric sentence for graders only.")
    findings = scan_tree(learner, forbidden_fragments([], [trusted]))
    assert [f.path.name for f in findings] == ["notes.md"]


def test_clean_tree_has_no_findings(tmp_path):
    (tmp_path / "ok.md").write_text("Nothing to see here, just a lesson.")
    assert scan_tree(tmp_path, forbidden_fragments([notebook("x = 1")])) == []


def test_markers_are_always_forbidden(tmp_path):
    (tmp_path / "a.py").write_text("# LEAK-CANARY q1")
    assert scan_tree(tmp_path, forbidden_fragments([]))


def test_imports_and_bare_call_openers_are_not_secrets():
    """Would a lesson that imports the same module as a solution be called a leak? It must not."""
    import nbformat

    from bpscare.authoring.leakguard import forbidden_fragments

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "### BEGIN SOLUTION\n"
            "from bpscare.clinical.careplan import SmartGoal\n"
            "plan = SmartGoal.from_parts(\n"
            "    'walk 20 minutes after lunch on five days a week',\n"
            ")\n"
            "### END SOLUTION\n"
        )
    ]
    texts = {f.text for f in forbidden_fragments([nb])}
    assert "'walk 20 minutes after lunch on five days a week'," in texts
    assert "from bpscare.clinical.careplan import SmartGoal" not in texts
    assert "plan = SmartGoal.from_parts(" not in texts


def test_import_lines_in_trusted_yaml_are_not_secrets(tmp_path):
    """Is an import line in misconceptions.yaml harmless when a release merges it with others?"""
    trusted = tmp_path / "misconceptions.yaml"
    trusted.write_text(
        "- id: m1\n  answer: |\n    from bpscare.api import CarePlan, SmartGoal\n"
        "    plan = CarePlan(goals=[SmartGoal.from_parts('walk 10 minutes daily')])\n"
    )
    texts = {f.text for f in forbidden_fragments([], [trusted])}
    assert "from bpscare.api import CarePlan, SmartGoal" not in texts
    assert "plan = CarePlan(goals=[SmartGoal.from_parts('walk 10 minutes daily')])" in texts
