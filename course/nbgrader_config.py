"""nbgrader settings for the course. `bpscare build` copies this file into the course folder."""

c = get_config()  # noqa: F821  (nbgrader injects get_config)

c.CourseDirectory.course_id = "bpscare-101"
# Per-cell time limit while autograding (seconds); an infinite loop costs this much, then the
# remaining cells are still graded.
c.ExecutePreprocessor.timeout = 30
# Late work: a submission after the due date is flagged; the penalty is decided by the
# instructor in formgrader, not subtracted automatically.
c.LateSubmissionPlugin.penalty_method = "none"
# Keep learners' output from flooding the gradebook and feedback.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40
# Feedback is learner-safe on every path (`bpscare feedback`, `nbgrader generate_feedback`,
# formgrader's Generate Feedback button): after GetGrades, LearnerSafeFeedback removes hidden
# tests, mark schemes and test-cell tracebacks from the cells nbgrader restores from the
# gradebook. Named as strings, so nbgrader imports them only when it generates feedback.
c.GenerateFeedback.preprocessors = [
    "bpscare.grading.feedback.GetGradesAndPending",
    "bpscare.grading.feedback.LearnerSafeFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# bpscare's feedback page (nbgrader's, plus "awaiting grading" for cells not graded yet, and
# wrapped long lines) shadows nbgrader's "feedback" template on every path.
import importlib.util as _find
import pathlib as _pathlib

c.HTMLExporter.extra_template_basedirs = [
    str(_pathlib.Path(*_find.find_spec(_name).submodule_search_locations[:1]) / _where)
    for _name, _where in (
        ("bpscare", "data/feedback_templates"),
        ("nbgrader", "server_extensions/formgrader/templates"),
    )
]
# Choice cells (`grading="choice"`) carry an empty solution region; nbgrader replaces it with this
# stub, so the released cell is only the blank answer line (`a01_q1 = ""`), never boilerplate code.
c.ClearSolutions.code_stub = {"python": ""}
