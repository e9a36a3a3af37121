"""The shared interview question bank (``data/interview/question_bank.yaml``).

The virtual-patient widget asks these questions; each case answers them in the person's own
voice (:meth:`bpscare.clinical.cases.model.Case.answer`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bpscare.clinical.cases.yaml_reader import _data, _read_yaml, _Reader
from bpscare.clinical.formulation import DOMAINS

__all__ = ["QUESTION_STYLES", "InterviewQuestion", "question_bank"]

QUESTION_STYLES = ("open", "closed")
_QUESTION_ID = re.compile(r"^q-[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class InterviewQuestion:
    """One question of the shared interview bank used by the virtual-patient widget.

    Attributes
    ----------
    id
        Stable id, e.g. ``"q-open-story"``.
    text
        What the learner asks.
    domain
        The biopsychosocial domain the answer chiefly informs.
    style
        ``"open"`` or ``"closed"``.
    topic
        Short topic label, e.g. ``"sleep"``.
    framework
        The communication framework it comes from (Calgary-Cambridge, ICE, FIFE, BATHE), or
        ``None``.
    """

    id: str
    text: str
    domain: str
    style: str
    topic: str
    framework: str | None


@cache
def _question_bank() -> tuple[InterviewQuestion, ...]:
    source = _data("interview", "question_bank.yaml")
    reader = _Reader(str(source))
    raw = reader.mapping(_read_yaml(source), "")
    reader.keys(raw, "", ["questions"])
    entries = raw["questions"]
    if not isinstance(entries, list) or not entries:
        msg = "expected a non-empty list of questions"
        raise reader.fail(msg, "questions")
    questions = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        field = f"questions[{i}]"
        data = reader.mapping(entry, field)
        reader.keys(data, field, ["id", "text", "domain", "style", "topic"], ["framework"])
        qid = reader.pattern(data["id"], f"{field}.id", _QUESTION_ID, "q-open-story")
        if qid in seen:
            msg = f"duplicate question id {qid!r}"
            raise reader.fail(msg, f"{field}.id")
        seen.add(qid)
        framework = data.get("framework")
        questions.append(
            InterviewQuestion(
                id=qid,
                text=reader.text(data["text"], f"{field}.text"),
                domain=reader.choice(data["domain"], f"{field}.domain", DOMAINS),
                style=reader.choice(data["style"], f"{field}.style", QUESTION_STYLES),
                topic=reader.text(data["topic"], f"{field}.topic"),
                framework=None
                if framework is None
                else reader.text(framework, f"{field}.framework"),
            )
        )
    return tuple(questions)


def question_bank() -> list[InterviewQuestion]:
    """Return the shared interview question bank, in file order.

    Returns
    -------
    list of InterviewQuestion
        30-45 questions covering the presenting story, agenda setting, biological,
        psychological and social history, ICE/FIFE and BATHE (facts sheet §2.3-2.4).
    """
    return list(_question_bank())
