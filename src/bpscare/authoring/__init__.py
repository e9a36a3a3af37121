"""Authoring and building the course: from text sources to nbgrader's ``source/`` and ``release/``.

:mod:`~bpscare.authoring.textnb` reads the text notebooks and expands short grading tags,
:mod:`~bpscare.authoring.build` writes ``_build/`` (or updates a live course in place),
:mod:`~bpscare.authoring.leakguard` proves no solution reaches a learner, and
:mod:`~bpscare.authoring.simulated_submissions` fills released notebooks with known answers for
``bpscare validate`` and ``bpscare demo``.
"""
