"""Explaining a functional diagnosis: what a good explanation contains, and phrases that harm.

Explaining the diagnosis is itself part of treatment. The elements below follow the
communication strategy for functional (dissociative) seizures tested by Hall-Patch et al.
(Epilepsia 2010;51(1):70-78, doi 10.1111/j.1528-1167.2009.02099.x, PMID 19453708): confirm that
the symptoms are real, give the condition a name, say that it is common and recognized, explain
what the tests show and what the diagnosis is not, offer a model of how the symptoms happen and
what keeps them going, explain that treatment helps and what to expect, and agree the next steps.
The same structure serves other functional and persistent physical symptoms, such as post-COVID
fatigue (NICE guideline NG188).

:func:`check_explanation` is a formative practice aid, not a grader: it looks for words that
usually carry each element and for phrases that are heard as dismissal, and it says what it
found. A human reader decides whether the explanation is good. Harmful phrases come from the
project's flagged-term list (:func:`bpscare.clinical.language.scan_text`) plus the explanation-
specific phrases in :data:`DISMISSIVE_PHRASES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bpscare.clinical.language import flagged_terms, scan_text

__all__ = [
    "DISMISSIVE_PHRASES",
    "ELEMENTS",
    "ExplanationElement",
    "ExplanationFeedback",
    "check_explanation",
]

SOURCE = "Hall-Patch et al., Epilepsia 2010;51(1):70-78"


@dataclass(frozen=True)
class ExplanationElement:
    """One element of a good explanation, with the words that usually carry it."""

    id: str
    label: str
    prompt: str
    patterns: tuple[str, ...]

    def found_in(self, text: str) -> bool:
        """Return ``True`` if any of the element's patterns occurs in ``text``."""
        return any(re.search(p, text, re.IGNORECASE) for p in self.patterns)


#: The elements, in the order a clinician usually says them.
ELEMENTS: tuple[ExplanationElement, ...] = (
    ExplanationElement(
        "real",
        "Says the symptoms are real and involuntary",
        "Start by saying the symptoms are real, not imagined and not under voluntary control.",
        (
            r"\breal\b",
            r"\bgenuine\b",
            r"involuntar",
            r"not (imagin|pretend|your fault)",
            r"not (something )?you('re| are) (doing|making)",
        ),
    ),
    ExplanationElement(
        "name",
        "Gives the condition a name",
        "Name the condition (for example 'functional seizures' or 'post-COVID fatigue').",
        (
            r"\bfunctional\b",
            r"dissociative",
            r"post[- ]?covid",
            r"long covid",
            r"persistent physical symptom",
            r"(it|this) is called",
            r"the name",
        ),
    ),
    ExplanationElement(
        "common",
        "Says it is common and recognized",
        "Say that it is common and well recognized, so the person is not alone.",
        (r"\bcommon\b", r"many (other )?people", r"not alone", r"recogni[sz]ed", r"we see"),
    ),
    ExplanationElement(
        "tests",
        "Explains what the tests show and what it is not",
        "Say what the tests showed, what that rules out, and what the diagnosis is not.",
        (
            r"\btests?\b",
            r"\bscan",
            r"\bEEG\b",
            r"\bvideo\b",
            r"blood",
            r"rule[sd]? out",
            r"not epilepsy",
            r"no (sign of )?damage",
            r"positive (signs|features)",
        ),
    ),
    ExplanationElement(
        "mechanism",
        "Offers a model of how the symptoms happen",
        "Offer a simple model of the mechanism (the nervous system's alarm, a 'software' problem).",
        (
            r"\bbrain\b",
            r"nervous system",
            r"\balarm\b",
            r"software",
            r"\bsignals?\b",
            r"switch",
            r"wiring",
            r"stress response",
            r"fight[- ]or[- ]flight",
            r"overload",
            r"shuts? down",
            r"energy (system|budget)",
        ),
    ),
    ExplanationElement(
        "maintaining",
        "Explains what keeps the symptoms going",
        "Explain what keeps the symptoms going (worry, sleep loss, avoidance, boom and bust).",
        (
            r"\bcycle\b",
            r"vicious",
            r"\bloop\b",
            r"keeps? (it|them|this) going",
            r"worse when",
            r"make[s]? (it|them) worse",
            r"boom",
            r"avoid",
            r"\bsleep\b",
        ),
    ),
    ExplanationElement(
        "treatment",
        "Says treatment helps and what to expect",
        "Say that it can improve with the right treatment, and what that treatment is.",
        (
            r"treat",
            r"therap",
            r"physio",
            r"rehab",
            r"\bCBT\b",
            r"pacing",
            r"get better",
            r"improve",
            r"recover",
        ),
    ),
    ExplanationElement(
        "plan",
        "Agrees next steps and follow-up",
        "Agree concrete next steps, who will follow up and when, and what to do if things change.",
        (
            r"follow[- ]?up",
            r"next (week|visit|appointment|step)",
            r"\bplan\b",
            r"refer",
            r"call (me|us|the clinic)",
            r"see you",
            r"check in",
        ),
    ),
    ExplanationElement(
        "check",
        "Invites questions or checks understanding",
        "Invite questions, or ask the person to say it back in their own words (teach-back).",
        (
            r"question",
            r"own words",
            r"does (that|this) (make sense|fit|sound)",
            r"what do you (think|make of)",
            r"how does that sound",
            r"tell me",
        ),
    ),
)

#: Explanation-specific phrases heard as dismissal: (pattern, why it harms, what to say instead).
DISMISSIVE_PHRASES: tuple[tuple[str, str, str], ...] = (
    (
        r"nothing (is )?(physically |really )?wrong",
        "Heard as 'you are not ill'.",
        "Say what the tests ruled out and what the diagnosis is.",
    ),
    (
        r"no (medical|physical|real|organic) (cause|reason|problem|explanation)",
        "Implies the symptoms are not medical, so not real.",
        "Name the condition and the mechanism.",
    ),
    (
        r"psychosomatic",
        "Widely heard as 'imagined'; it closes the conversation.",
        "Use the condition's name and explain the mechanism.",
    ),
    (
        r"psychogenic",
        "Locates the cause only in the mind; most patients find it unacceptable.",
        "Say 'functional' or 'dissociative' seizures.",
    ),
    (
        r"medically unexplained",
        "Defines the person by what medicine cannot explain.",
        "Give a positive diagnosis with a name.",
    ),
    (
        r"in your (mind|imagination)",
        "Heard as 'you are imagining it'.",
        "Say the symptoms are real and involuntary.",
    ),
    (
        r"you('re| are) (fine|healthy)",
        "Contradicts the person's experience of being unwell.",
        "Acknowledge the symptoms, then explain the diagnosis.",
    ),
    (
        r"(good|great) news.{0,40}(normal|negative|clear)",
        "A normal test is not good news to someone still unwell without an explanation.",
        "Give the result and the diagnosis together.",
    ),
)


@dataclass(frozen=True)
class ExplanationFeedback:
    """What :func:`check_explanation` found (formative; a person judges the explanation)."""

    present: tuple[str, ...]
    missing: tuple[str, ...]
    harmful: tuple[tuple[str, str, str], ...]
    words: int
    long_sentences: int

    def messages(self) -> list[str]:
        """Plain-language feedback lines, strengths first."""
        labels = {e.id: e for e in ELEMENTS}
        lines = [f"Includes: {labels[i].label.lower()}." for i in self.present]
        lines += [f"Consider adding: {labels[i].prompt}" for i in self.missing]
        lines += [
            f'Reconsider "{phrase}": {why} Instead: {alt}' for phrase, why, alt in self.harmful
        ]
        if self.long_sentences:
            lines.append(
                f"{self.long_sentences} sentence(s) have more than 25 words; shorter sentences "
                "are easier to take in when someone is anxious."
            )
        return lines


def check_explanation(text: str) -> ExplanationFeedback:
    """Check a draft explanation of a functional diagnosis against :data:`ELEMENTS`.

    Parameters
    ----------
    text
        The explanation as the learner would say it to the person.

    Returns
    -------
    ExplanationFeedback
        Elements found and missing (by id), harmful phrases with why and an alternative, the word
        count and the number of sentences longer than 25 words.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    """
    if not isinstance(text, str):
        msg = f"text: expected a string, got {type(text).__name__}"
        raise TypeError(msg)
    present = tuple(e.id for e in ELEMENTS if e.found_in(text))
    missing = tuple(e.id for e in ELEMENTS if e.id not in present)
    harmful: list[tuple[str, str, str]] = []
    for pattern, why, alternative in DISMISSIVE_PHRASES:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            harmful.append((match.group(0), why, alternative))
    whys = {term.term: term.why for term in flagged_terms()}
    for hit in scan_text(text):
        if not hit.quoted:
            harmful.append((hit.matched, whys.get(hit.term, ""), hit.alternative))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    long_sentences = sum(1 for s in sentences if len(s.split()) > 25)
    return ExplanationFeedback(
        present=present,
        missing=missing,
        harmful=tuple(harmful),
        words=len(text.split()),
        long_sentences=long_sentences,
    )
