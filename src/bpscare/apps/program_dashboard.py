"""The program dashboard as a Voila app: a folder with one notebook over some report folders."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import nbformat

from bpscare.apps.voila_config import write_voila_json
from bpscare.competency import dashboard as logic


def write_dashboard_app(reports: Mapping[str, Path | str], folder: Path) -> Path:
    """Write a Voila-servable folder (``apps/program_dashboard.ipynb``) for these reports."""
    logic.load_program(reports)  # fail now, with the folder named, rather than in the browser
    resolved = {label: str(Path(path).resolve()) for label, path in reports.items()}
    nb = nbformat.v4.new_notebook()
    nb.cells = [  # the view draws its own title: no markdown heading here (it showed twice)
        nbformat.v4.new_code_cell(
            "from bpscare.widgets.program_dashboard import program_dashboard\n\n"
            f"program_dashboard({resolved!r})"
        ),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    (folder / "apps").mkdir(parents=True, exist_ok=True)
    path = folder / "apps" / "program_dashboard.ipynb"
    nbformat.write(nb, str(path))
    write_voila_json(folder)
    return path
