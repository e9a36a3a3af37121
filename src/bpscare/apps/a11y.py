"""Accessibility repairs for the apps: re-exported from :mod:`bpscare.widgets.page`.

The patch used to live here and apply only in Voila; it now travels with every bpscare widget,
so lessons and assignments in JupyterLab get the same slider names and image text alternatives
(WCAG 2.1 SC 4.1.2 and 1.1.1). See :mod:`bpscare.widgets.page` for what it repairs.
"""

from __future__ import annotations

from bpscare.widgets.page import DEFAULT_IMAGE_TEXT, AccessibilityPatch, walk_widgets

__all__ = ["DEFAULT_IMAGE_TEXT", "AccessibilityPatch", "walk_widgets"]
