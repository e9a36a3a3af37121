"""Flag stigmatizing words in clinical text so cases, transcripts and notes can be checked.

The flagged terms and their safer alternatives live in ``data/stigma_checklist.yaml`` (under
``flagged_terms``), next to the stigma review checklist that every case is reviewed against.
The scan is a screening aid, not a verdict: it finds candidate words at word boundaries,
case-insensitively, and says whether each one sits inside quotation marks (the form a case uses
when it reports what someone else said, e.g. a patient recalling being told "it's just
stress"). A human reviewer decides whether the context is teaching or harm.

Sources for the term list: Park et al., JAMA Netw Open 2021;4(7):e2117052 (five negative
language categories); Beach et al., J Gen Intern Med 2021;36:1708-1714 (doubt markers such as
"claims" and "insists"); Goddu et al., J Gen Intern Med 2018;33:685-691 (stigmatizing chart
language changed trainees' attitudes and pain management); Sun et al., Health Aff
2022;41:203-211 (negative descriptors in history-and-physical notes); Kelly & Westerhoff, Int J
Drug Policy 2010;21:202-207 ("substance abuser" versus "person with a substance use disorder").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["FlaggedTerm", "TermHit", "flagged_terms", "scan_text"]

_CHECKLIST_FILE = ("data", "stigma_checklist.yaml")

# Quoted spans: straight double quotes, curly double quotes, curly single quotes. A closing
# curly single quote followed by a letter is an apostrophe (it’s), so it does not close a span.
_QUOTED_SPANS = re.compile(r"\"[^\"\n]*\"|“[^”]*”|‘.*?’(?![A-Za-z])", re.DOTALL)
_SEPARATOR = r"[\s\-‐‑]*"  # hyphen variants are intentional


@dataclass(frozen=True)
class FlaggedTerm:
    """A word or phrase that can stigmatize a person, with a safer way to say the same thing.

    Attributes
    ----------
    term
        Canonical form, e.g. ``"non-compliant"``.
    variants
        Other spellings and inflections matched as the same term (``"noncompliant"``).
    category
        Why it harms, using the categories of Park et al. (JAMA Netw Open 2021) plus
        ``"label"`` (reduces a person to a condition or status) and ``"dismissal"``.
    alternative
        A safer, more precise wording.
    why
        One sentence on the harm, for feedback messages.
    source
        Citation for the harm.
    """

    term: str
    variants: tuple[str, ...]
    category: str
    alternative: str
    why: str
    source: str

    def forms(self) -> tuple[str, ...]:
        """Return every matched form, the canonical term first."""
        return (self.term, *self.variants)


@dataclass(frozen=True)
class TermHit:
    """One occurrence of a flagged term in a text.

    Attributes
    ----------
    term
        The canonical flagged term (look it up with :func:`flagged_terms`).
    matched
        The text as it appears, e.g. ``"Non-compliant"``.
    start, end
        Character offsets of the match in the scanned text.
    quoted
        ``True`` if the match lies inside quotation marks (reported speech or a term under
        discussion), which is the only acceptable form in a teaching context.
    alternative
        The safer wording to suggest.
    category
        The harm category of the term.
    """

    term: str
    matched: str
    start: int
    end: int
    quoted: bool
    alternative: str
    category: str


def _load_checklist_yaml() -> dict[str, Any]:
    path = resources.files("bpscare").joinpath(*_CHECKLIST_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        msg = f"{path}: expected a mapping with 'items' and 'flagged_terms', got {type(data)}"
        raise ValueError(msg)
    return data


def _text_field(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        msg = f"stigma_checklist.yaml: {where}.{key} must be a non-empty string, got {value!r}"
        raise ValueError(msg)
    return value.strip()


@cache
def _terms() -> tuple[FlaggedTerm, ...]:
    raw = _load_checklist_yaml().get("flagged_terms")
    if not isinstance(raw, list) or not raw:
        msg = f"stigma_checklist.yaml: flagged_terms must be a non-empty list, got {raw!r}"
        raise ValueError(msg)
    terms = []
    for index, entry in enumerate(raw):
        where = f"flagged_terms[{index}]"
        if not isinstance(entry, dict):
            msg = f"stigma_checklist.yaml: {where} must be a mapping, got {entry!r}"
            raise ValueError(msg)
        variants = entry.get("variants", [])
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            msg = f"stigma_checklist.yaml: {where}.variants must be a list of strings"
            raise ValueError(msg)
        terms.append(
            FlaggedTerm(
                term=_text_field(entry, "term", where),
                variants=tuple(v.strip() for v in variants),
                category=_text_field(entry, "category", where),
                alternative=_text_field(entry, "alternative", where),
                why=_text_field(entry, "why", where),
                source=_text_field(entry, "source", where),
            )
        )
    return tuple(terms)


def flagged_terms() -> list[FlaggedTerm]:
    """Return the curated list of stigmatizing terms with their safer alternatives.

    Returns
    -------
    list of FlaggedTerm
        In file order (``data/stigma_checklist.yaml``, key ``flagged_terms``).
    """
    return list(_terms())


def _form_pattern(form: str) -> str:
    words = [re.escape(word) for word in re.split(r"[\s\-]+", form.strip()) if word]
    return _SEPARATOR.join(words).replace("'", "['’]")


@cache
def _matcher() -> tuple[re.Pattern[str], dict[str, FlaggedTerm]]:
    by_form: dict[str, FlaggedTerm] = {}
    forms: dict[str, None] = {}
    for term in _terms():
        for form in term.forms():
            by_form[_normalise(form)] = term
            forms[form] = None
    # Longest forms first, so "drug-seeking behaviour" wins over "drug-seeking".
    forms = dict.fromkeys(sorted(forms, key=lambda f: len(_normalise(f)), reverse=True))
    pattern = r"(?<![\w])(?:" + "|".join(_form_pattern(f) for f in forms) + r")(?![\w])"
    return re.compile(pattern, re.IGNORECASE), by_form


def _normalise(text: str) -> str:
    return re.sub(r"[\s\-‐‑]+", "", text.lower()).replace("’", "'")


def scan_text(text: str) -> list[TermHit]:
    """Find flagged stigmatizing terms in ``text`` (whole words, any case).

    Spelling variants count as the same term: ``"non-compliant"``, ``"non compliant"`` and
    ``"noncompliant"`` all match ``non-compliant``. Each hit says whether it is inside quotation
    marks, so a caller can allow quoted, reported speech in a teaching context (for example a
    case's account of what a patient was once told) and reject everything else.

    Parameters
    ----------
    text
        Any text: a case field, a transcript utterance, a learner's note.

    Returns
    -------
    list of TermHit
        Non-overlapping hits in order of position; empty if the text is clean.

    Raises
    ------
    ValueError
        If ``text`` is not a string.

    Examples
    --------
    >>> [hit.term for hit in scan_text("Patient denies chest pain; non compliant with meds.")]
    ['denies', 'non-compliant']
    """
    if not isinstance(text, str):
        msg = f"scan_text expects a string, got {type(text).__name__}: {text!r}"
        raise ValueError(msg)
    pattern, by_form = _matcher()
    quoted_spans = [(m.start(), m.end()) for m in _QUOTED_SPANS.finditer(text)]
    hits = []
    for match in pattern.finditer(text):
        term = by_form[_normalise(match.group(0))]
        start, end = match.span()
        quoted = any(q_start < start and end < q_end for q_start, q_end in quoted_spans)
        hits.append(
            TermHit(
                term=term.term,
                matched=match.group(0),
                start=start,
                end=end,
                quoted=quoted,
                alternative=term.alternative,
                category=term.category,
            )
        )
    return hits
