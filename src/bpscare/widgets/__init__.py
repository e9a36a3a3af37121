"""Views over the clinical-domain library: ipywidgets with no logic of their own.

Each widget takes the pure function or model it renders (injected, with the library's function
as the default), renders into traits rather than prints, and saves answers through
:mod:`bpscare.grading.answers` so they survive nbgrader's re-execution.
"""
