"""No view may overwrite an ipywidgets internal (``self._compare = ...`` broke display once)."""

from __future__ import annotations

import ast
from pathlib import Path

import ipywidgets as widgets
import pytest

import bpscare

PACKAGE = Path(bpscare.__file__).parent
SOURCES = sorted([*(PACKAGE / "widgets").glob("*.py"), *(PACKAGE / "apps").glob("*.py")])
INTERNALS = {
    name
    for cls in (widgets.DOMWidget, widgets.Box, widgets.Widget, widgets.Image, widgets.HTML)
    for name in dir(cls)
    if name.startswith("_") and not name.startswith("__")
}


def assigned_private_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            names.add(node.attr)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_views_do_not_assign_widget_internals(path):
    clashes = assigned_private_names(path) & INTERNALS
    assert not clashes, f"{path.name} overwrites ipywidgets internals: {sorted(clashes)}"


def test_the_check_would_catch_the_old_bug(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("class V:\n    def __init__(self):\n        self._compare = None\n")
    assert assigned_private_names(bad) & INTERNALS == {"_compare"}
