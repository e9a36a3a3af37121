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
    "nbgrader.preprocessors.GetGrades",
    "bpscare.grading.feedback.LearnerSafeFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
