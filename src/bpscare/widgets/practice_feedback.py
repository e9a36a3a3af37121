"""Feedback that teaches in the practice apps, from public rules and public teaching keys only.

Each function turns what a learner chose into sentences, without widgets, so it is tested on its
own and reused by the views:

- :func:`opening_question_feedback`: is the utterance marked as the clinician's opening question
  the first open invitation (``open_question`` or ``agenda_elicitation``) of the transcript? It
  reads the transcript's expert codes, so the timeline calls it only for a transcript whose
  codes are teaching material (the apps' teaching transcript), never a graded one.
- :func:`interview_debrief`: what an interview asked and missed in three areas a
  biopsychosocial history must reach: the person's ideas, concerns and expectations (ICE;
  Calgary-Cambridge guide, Kurtz & Silverman 1996), the psychosocial context (Engel 1977) and
  their history of care and trust. It reads only the public question bank.
- :func:`review_list_feedback`: the patients chosen for the systematic case review against the
  registry's public flags (AIMS Center case-review rules, computed by
  :func:`bpscare.clinical.registry.registry_status`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from bpscare.clinical.cases import InterviewQuestion
from bpscare.clinical.transcripts import CLINICIAN, Transcript, code_labels

__all__ = [
    "ICE_QUESTIONS",
    "OPENING_CODES",
    "TRUST_QUESTIONS",
    "interview_debrief",
    "opening_question_feedback",
    "review_list_feedback",
]

ICE_QUESTIONS = ("q-ideas", "q-concerns", "q-expectations")
"""The bank's questions for the person's ideas, concerns and expectations."""
TRUST_QUESTIONS = ("q-past-care", "q-trust")
"""The bank's questions about past care experiences and trust."""
_PSYCHOSOCIAL = ("psychological", "social")

OPENING_CODES = ("open_question", "agenda_elicitation")
"""Codes of an opening solicitation (as in ``time_to_first_interruption``)."""


def _quote(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def opening_question_feedback(transcript: Transcript, chosen: int | None) -> list[str]:
    """Say whether ``chosen`` is the clinician's first open invitation, and why.

    Parameters
    ----------
    transcript
        A transcript whose expert codes are teaching material (never a graded one).
    chosen
        The utterance number the learner marked, or ``None``.

    Returns
    -------
    list of str
        One or two sentences; empty when nothing is marked.
    """
    if not chosen:
        return []
    by_n = {u.n: u for u in transcript.utterances}
    expert = next(
        (u for u in transcript.utterances if u.speaker == CLINICIAN and u.code in OPENING_CODES),
        None,
    )
    mark = by_n.get(int(chosen))
    if mark is None:
        return [f"Utterance {chosen} is not in this transcript."]
    labels = code_labels()
    if expert is not None and mark.n == expert.n:
        return [
            f"Yes: utterance {mark.n} (‘{_quote(mark.text)}’) is the clinician's first open "
            f"invitation ({labels.get(mark.code, mark.code)}); the opening statement is the "
            "person's reply to it."
        ]
    kind = labels.get(mark.code, mark.code)
    if expert is None:
        return [
            f"Utterance {mark.n} is coded {kind}. In this visit the clinician never asks an open "
            "question or elicits the agenda, so the opening statement follows their first "
            "utterance."
        ]
    where = "after" if mark.n < expert.n else "before"
    return [
        f"Not quite: utterance {mark.n} (‘{_quote(mark.text)}’) is coded {kind}.",
        f"The first open invitation comes {where} it, at utterance {expert.n} "
        f"(‘{_quote(expert.text)}’, {labels.get(expert.code, expert.code)}): an opening "
        "question leaves the person free to tell their story in their own words.",
    ]


def review_list_feedback(status: pd.DataFrame, chosen: Sequence[str]) -> list[str]:
    """Compare the patients chosen for case review with the registry's review flags.

    Parameters
    ----------
    status
        The registry status table (``patient_id``, ``flag_case_review``, ``review_reason``,
        ``status``), as :func:`bpscare.clinical.registry.registry_status` returns it.
    chosen
        Patient ids the learner chose to bring to the review.

    Returns
    -------
    list of str
        One sentence per chosen patient, then the flagged patients left out.
    """
    rows: Mapping[str, Mapping[str, object]] = {
        str(r["patient_id"]): r for r in status.to_dict("records")
    }
    flagged = [pid for pid, r in rows.items() if bool(r["flag_case_review"])]
    if not chosen:
        return [
            f"Choose whom to bring to the review: {len(flagged)} patient(s) are flagged by the "
            "registry's rules (no follow-up within 4 weeks, not improved, or treatment to "
            "change)."
        ]
    messages = []
    for pid in chosen:
        row = rows.get(str(pid))
        if row is None:
            continue
        if bool(row["flag_case_review"]):
            messages.append(f"{pid}: yes, flagged: {row['review_reason']}.")
        else:
            messages.append(
                f"{pid}: not flagged ({row['status']}); the review's time goes first to people "
                "who are not improving or have no follow-up."
            )
    missed: list[str] = [pid for pid in flagged if pid not in set(map(str, chosen))]
    if missed:
        listed = "; ".join(f"{pid} ({rows[pid]['review_reason']})" for pid in missed[:8])
        more = f" and {len(missed) - 8} more" if len(missed) > 8 else ""
        messages.append(f"Flagged but not on your list: {listed}{more}.")
    else:
        messages.append("Every flagged patient is on your list.")
    return messages


def interview_debrief(asked: Sequence[str], bank: Sequence[InterviewQuestion]) -> list[str]:
    """Debrief an ended interview: what it asked and missed of ICE, context and trust history.

    Parameters
    ----------
    asked
        Question ids in the order asked.
    bank
        The public question bank (:func:`bpscare.clinical.cases.question_bank`).

    Returns
    -------
    list of str
        Three sentences (ICE, psychosocial context, trust history), each naming what was asked
        and what was not.
    """
    by_id = {q.id: q for q in bank}
    done = set(asked)

    def split(ids: Sequence[str]) -> tuple[list[str], list[str]]:
        present = [i for i in ids if i in by_id]
        return [i for i in present if i in done], [i for i in present if i not in done]

    ice_asked, ice_missed = split(ICE_QUESTIONS)
    names = {"q-ideas": "ideas", "q-concerns": "concerns", "q-expectations": "expectations"}
    if not ice_missed:
        ice = "Ideas, concerns and expectations: you asked about all three."
    else:
        got = ", ".join(names[i] for i in ice_asked) or "none of them"
        ice = (
            f"Ideas, concerns and expectations: you asked about {got}; not asked: "
            f"{', '.join(names[i] for i in ice_missed)}. What the person fears the symptoms "
            "mean, and hopes from the visit, shapes what will reassure and help them."
        )
    topics = {q.topic for q in bank if q.domain in _PSYCHOSOCIAL}
    covered = {by_id[i].topic for i in done if i in by_id and by_id[i].domain in _PSYCHOSOCIAL}
    missing = sorted(topics - covered)
    context = (
        f"Psychosocial context: you covered {len(covered)} of {len(topics)} psychological and "
        "social topics" + (f"; not asked: {', '.join(missing)}." if missing else ", all of them.")
    )
    trust_asked, trust_missed = split(TRUST_QUESTIONS)
    if not trust_missed:
        trust = "Trust history: you asked about past care and about trust."
    else:
        texts = "; ".join(f"‘{by_id[i].text}’" for i in trust_missed)
        trust = (
            f"Trust history: not asked: {texts}. Earlier dismissive care often explains "
            "reluctance, repeat visits and worry; asking shows you want to know."
        )
        if trust_asked:
            trust = "Trust history: partly asked. " + trust.removeprefix("Trust history: ")
    return [ice, context, trust]
