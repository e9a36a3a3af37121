"""bpscare: a Jupyter curriculum and assessment package for health-professions education.

The library holds the pure clinical-domain logic (screeners, cases, formulation, transcripts,
care plans, registry, disparity data, a trust-cycle model), the widgets and Voila app factories
built over it, and the course pipeline (build, validate, autograde, report) around nbgrader.
"""

__version__ = "0.1.0"
