"""A 'Prepare my submission' button for assignments opened on Binder (no nbgrader exchange)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets

from bpscare.errors import BpscareError
from bpscare.grading.submission_zip import pack_submission
from bpscare.widgets.common import feedback_html
from bpscare.widgets.page import page_support

__all__ = ["SubmitView", "submit_button"]


class SubmitView(widgets.VBox):
    """Learner id field and a button that packs the assignment folder into a zip for the LMS."""

    def __init__(
        self,
        assignment: str,
        folder: Path | str | None = None,
        *,
        packer: Callable[..., Path] = pack_submission,
    ) -> None:
        self._assignment = assignment
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._packer = packer
        self.learner = widgets.Text(
            description="Your learner id",
            placeholder="as your school writes it",
            style={"description_width": "initial"},
        )
        self.button = widgets.Button(
            description="Prepare my submission",
            icon="upload",
            button_style="primary",
            tooltip="Pack this assignment and your saved answers into a zip for the LMS",
        )
        self.status = widgets.HTML(
            feedback_html(
                [
                    "Save the notebook first (Ctrl+S or File > Save), and save each widget answer.",
                    "Then enter your id and press the button. The zip appears next to this "
                    "notebook: download it (right-click > Download) and upload it to the LMS.",
                ],
                "info",
                "Submitting this assignment",
            )
        )
        self.button.on_click(self._pack)
        super().__init__(
            page_support(self, [self.status, widgets.HBox([self.learner, self.button])])
        )

    def _pack(self, _button: widgets.Button | None = None) -> None:
        try:
            path = self._packer(
                self._folder, self.learner.value.strip(), assignment=self._assignment
            )
        except BpscareError as exc:
            self.status.value = feedback_html([str(exc)], "alert", "Not packed")
            return
        self.status.value = feedback_html(
            [f"Created {path.name}. Download it and upload it to the LMS assignment."],
            "success",
            "Ready to upload",
        )


def submit_button(assignment: str, folder: Path | str | None = None) -> SubmitView:
    """Return the submit widget for an assignment notebook (one line in the notebook)."""
    return SubmitView(assignment, folder)
