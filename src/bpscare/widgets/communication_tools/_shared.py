"""Layout and helpers shared by the communication tools (private): widths, styles, Save bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bpscare.widgets.common import SaveAnswerBar

_WIDE = widgets.Layout(width="95%")
_STYLE = {"description_width": "initial"}


def _save_bar(
    answer_name: str | None, get_data: Callable[[], Any], kind: str, folder: Path | str | None
) -> SaveAnswerBar | None:
    if answer_name is None:
        return None
    return SaveAnswerBar(answer_name, get_data, kind=kind, folder=folder)
