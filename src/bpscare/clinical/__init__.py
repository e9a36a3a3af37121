"""The clinical domain: screeners, cases, formulation, transcripts, care plans and more.

Pure logic over plain data, with no Jupyter, nbgrader or widget code: every module here can be
used from a script or a test. The bundled data (case files, PHQ item texts, transcripts,
vocabulary) lives in ``bpscare/data/``. Content folders reach these functions through
:mod:`bpscare.api`.
"""
