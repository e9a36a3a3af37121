"""The submit button packs the folder into a verified zip, or says in one line why not."""

from __future__ import annotations

import zipfile

from bpscare.widgets.submit import SubmitView


def test_button_packs_a_zip(tmp_path):
    (tmp_path / "a01-screening.ipynb").write_text("{}")
    view = SubmitView("a01-screening", tmp_path)
    view.learner.value = "ana-01"
    view.button.click()
    zip_path = tmp_path / "a01-screening-ana-01.zip"
    assert zip_path.is_file()
    assert "Ready to upload" in view.status.value
    with zipfile.ZipFile(zip_path) as archive:
        assert "a01-screening/manifest.json" in archive.namelist()


def test_missing_learner_id_is_explained(tmp_path):
    (tmp_path / "a01-screening.ipynb").write_text("{}")
    view = SubmitView("a01-screening", tmp_path)
    view.button.click()
    assert "learner id" in view.status.value
    assert "Not packed" in view.status.value
    assert not list(tmp_path.glob("*.zip"))
