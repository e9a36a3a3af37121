"""The preprocessor that makes nbgrader's feedback safe to hand to a learner.

nbgrader's ``generate_feedback`` shows hidden tests (nbgrader#917) and full tracebacks, which
quote the failing hidden-test line. This filter runs before the HTML is rendered.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, NbGraderPreprocessor


class LearnerSafeFeedback(NbGraderPreprocessor):
    """Remove hidden-test regions, mark schemes and test-cell tracebacks from a notebook."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """Filter every cell in place and return the notebook."""
        hidden = ClearHiddenTests(enforce_metadata=False)
        scheme = ClearMarkScheme(enforce_metadata=False, check_attachment_leakage=False)
        for index, cell in enumerate(nb.cells):
            hidden.preprocess_cell(cell, resources, index)
            scheme.preprocess_cell(cell, resources, index)
            nbg = cell.get("metadata", {}).get("nbgrader", {})
            if nbg.get("grade") and nbg.get("locked"):
                cell.outputs = [without_traceback(out) for out in cell.get("outputs", [])]
        return nb, resources


def without_traceback(output: NotebookNode) -> NotebookNode:
    """Keep an error's name and message but not its traceback (which quotes hidden test lines)."""
    if output.get("output_type") == "error":
        output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
    return output
