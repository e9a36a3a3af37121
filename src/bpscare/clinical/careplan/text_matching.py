"""Text matching rules for care plans: SMART-part patterns and lenient red-flag matching.

The rules are documented and deterministic so a learner and a grader can predict them:
:data:`MEASURE_PATTERN` and :data:`TIME_FRAME_PATTERN` decide the measurable and time-bound
parts of a goal, :data:`FUNCTION_PATTERN` spots goals about daily life, and
:func:`red_flag_matches` decides whether a learner's safety net names an expected red flag.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["FUNCTION_PATTERN", "MEASURE_PATTERN", "TIME_FRAME_PATTERN", "red_flag_matches"]

_COUNT_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    "forty|fifty|sixty|ninety"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
#: A measure is detectable when the text holds a number, a number word, an instrument name or a
#: countable unit ("walk 20 minutes", "PHQ-9 below 10", "twice a week", "sleep diary").
MEASURE_PATTERN = re.compile(
    r"\d|\b(?:" + _COUNT_WORDS + r"|once|twice|half)\b|"
    r"\b(?:phq|gad|wsas|promis|score|scale|rating|diary|minutes?|hours?|steps|km|miles?|"
    r"blocks?|times?|daily|weekly)\b",
    re.IGNORECASE,
)
#: A time frame is detectable when the text holds a span of days/weeks/months that is not a
#: frequency ("in 6 weeks", "within two months", "in a month"; not "3 days a week" or "twice a
#: week"), a week number ("by week 8"), a month name, an ISO date, the next visit or review, or
#: the end of a week/month/year.
TIME_FRAME_PATTERN = re.compile(
    r"\b(?:\d+|" + _COUNT_WORDS + r")[\s-]*(?:days?|weeks?|months?|years?)\b"
    r"(?!\s+(?:a|per|each|every)\s+(?:day|week|month))"
    r"|\b(?:in|within|over|for|after|by)\s+(?:a|one)\s+(?:week|month|year)\b"
    r"|\bweek\s*\d+\b"
    r"|\b(?:" + _MONTHS + r")\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    r"|\b(?:next|following)\s+(?:visit|appointment|review|check-?in)\b"
    r"|\bend of (?:the )?(?:week|month|year)\b",
    re.IGNORECASE,
)
#: Daily-life functions and "what matters" phrases that make a goal patient-centred rather than
#: a symptom score alone (seed: "co-create management plans, setting realistic goals ... that
#: reflect personal priorities").
FUNCTION_PATTERN = re.compile(
    r"\b(?:work|job|shift|school|class|study|walk|walking|cook|cooking|sleep|family|child|"
    r"children|kids|grandchild\w*|partner|friends?|social|church|mosque|temple|garden\w*|drive|"
    r"driving|shop\w*|errands|exercise|hobby|hobbies|play|dance|swim\w*|volunteer\w*|care for|"
    r"caregiv\w*|daily activities|household|chores|matters|important to|wants? to|so that|"
    r"able to|back to|return to|enjoy\w*)\b",
    re.IGNORECASE,
)

# fmt: off
_STOPWORDS = frozenset((
    "a", "an", "and", "any", "are", "as", "at", "be", "by", "for", "from", "has", "have", "if",
    "in", "into", "is", "it", "its", "new", "of", "on", "or", "over", "that", "the", "their",
    "them", "then", "this", "to", "up", "was", "were", "what", "when", "which", "who", "will",
    "with", "worse", "worsening", "sudden", "suddenly", "severe", "more", "than", "very",
    "i", "me", "my", "we", "our", "you", "your", "he", "him", "his", "she", "her", "they",
    "their", "can", "get", "getting", "want", "wants", "able",
))
#: Words too general to identify a red flag on their own ("leg pain" must not match "chest pain").
_GENERIC_WORDS = frozenset((
    "pain", "painful", "ache", "aches", "symptom", "symptoms", "problem", "problems", "trouble",
    "feeling", "feel", "change", "changes", "sign", "signs",
))
# fmt: on
_PREFIX = 5
_STEM = 4


def _content_words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [w for w in words if w not in _STOPWORDS]


def _words_match(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= _STEM and long_.startswith(short):
        return True
    return len(a) >= _PREFIX and len(b) >= _PREFIX and a[:_PREFIX] == b[:_PREFIX]


def _covers(candidate: str, expected: str) -> bool:
    """True when ``candidate`` holds at least half of ``expected``'s content words, one specific."""
    wanted = _content_words(expected)
    if not wanted:
        return False
    have = _content_words(candidate)
    hits = [w for w in wanted if any(_words_match(w, h) for h in have)]
    specific = any(w not in _GENERIC_WORDS for w in hits)
    return 2 * len(hits) >= len(wanted) and specific


def _shares_word(text: str, other: str) -> bool:
    """True when the texts share one specific (non-generic) content word."""
    have = _content_words(text)
    return any(
        w not in _GENERIC_WORDS and any(_words_match(w, h) for h in have)
        for w in _content_words(other)
    )


def red_flag_matches(named: Sequence[str], expected: str) -> bool:
    """Decide whether a learner's list of red flags names one expected red flag.

    The matching rule (lenient on wording, strict on content):

    1. The expected flag is split into alternatives at " or " and "/" ("thoughts of suicide or
       self-harm" -> "thoughts of suicide", "self-harm"); naming any alternative is enough.
    2. Each text is reduced to lower-case content words, ignoring stop-words and intensity words
       ("new", "of", "worsening", "severe", "sudden"...).
    3. Two words match when they are equal, share their first five letters ("suicidal" ~
       "suicide", "breathless" ~ "breath"), or the shorter word has at least four letters and
       starts the longer one ("walk" ~ "walking", "knit" ~ "knitting"; "arm" only matches "arm").
    4. An alternative is named when **one** learner flag contains **at least half** of its content
       words **and** at least one matched word is specific - generic words such as "pain",
       "symptoms", "problems" do not count alone, so "leg pain" does not name "chest pain".
       Words are not pooled across different learner flags.

    The rule is deliberately lenient: "back pain at night" names "back pain with fever" (two of
    three words). Case authors should therefore write each expected flag as its distinguishing
    words ("fever with back pain" -> "fever", "back pain") or as alternatives joined by "or".

    Parameters
    ----------
    named
        The red flags the learner listed.
    expected
        One red flag from the case key.

    Returns
    -------
    bool
        True when some learner flag covers the expected one.

    Examples
    --------
    >>> red_flag_matches(["suicidal thoughts"], "thoughts of suicide or self-harm")
    True
    >>> red_flag_matches(["leg pain"], "chest pain")
    False
    """
    alternatives = [a for a in re.split(r"\s+or\s+|/", expected) if a.strip()]
    return any(_covers(item, alt) for item in named for alt in alternatives)
