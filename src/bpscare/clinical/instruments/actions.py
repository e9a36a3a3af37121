"""What to do next after a screener: the item-9 safety instruction and the band's next step.

:func:`safety_action` gives the same-visit safety instruction for a PHQ-9 item-9 alert,
:func:`provisional_safety_action` gives it for a form still being filled in, and
:func:`recommended_action` the proposed next step for a score, each with its source. Every band
range and cut-off quoted in these messages is read from the rule records in
:mod:`bpscare.clinical.instruments.rules`, so the prose cannot drift from the scoring.

Examples
--------
>>> from bpscare.clinical.instruments.scoring import score
>>> recommended_action(score("PHQ-9", [1, 0, 0, 0, 0, 0, 0, 0, 1])).startswith("Safety first")
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from bpscare.clinical.instruments.rules import RULES, InstrumentRules, SafetyItemRule, rules_for
from bpscare.clinical.instruments.scoring import Score

__all__ = [
    "provisional_safety_action",
    "recommended_action",
    "safety_action",
    "safety_item_guidance",
]

# Proposed treatment actions by PHQ-9/PHQ-8 band; the ranges are added from the rule record.
_PHQ_ACTIONS = {
    "minimal": (
        "no depression treatment is proposed on the score alone; stay alert to other concerns "
        "the person raises"
    ),
    "mild": "watchful waiting; repeat the PHQ-9 at follow-up",
    "moderate": (
        "make a treatment plan together, considering counselling, follow-up and/or pharmacotherapy"
    ),
    "moderately severe": "active treatment with pharmacotherapy and/or psychotherapy",
    "severe": (
        "immediate initiation of pharmacotherapy and, if there is severe impairment or poor "
        "response to treatment, expedited referral to a mental health specialist for "
        "psychotherapy and/or collaborative management"
    ),
}
_PHQ_ACTION_SOURCE = "(Kroenke & Spitzer, Psychiatric Annals 2002;32:509-515, Table 4)"
_FULL_FORM_SOURCES = {
    "phq2": "Kroenke, Spitzer & Williams, Med Care 2003",
    "gad2": "Kroenke et al., Ann Intern Med 2007",
}
# The instrument whose item-9 rule :func:`safety_action` describes, and that rule.
_SAFETY_RULES = RULES["phq9"]
_SAFETY_ITEM = cast("SafetyItemRule", _SAFETY_RULES.safety_item)


def _safety_text(rules: InstrumentRules, *, unanswered: bool) -> str | None:
    """Return the safety instruction of ``rules.safety_item``, or ``None`` if it has none."""
    rule = rules.safety_item
    if rule is None:
        return None
    item = f"{rules.title} item {rule.item} ({rule.topic})"
    if unanswered:
        return (
            f"Safety first: {item} was left unanswered, so risk cannot be ruled out. Ask it "
            f"directly, and if the answer is anything other than 'not at all', {rule.action}."
        )
    return f"Safety first: {item} was endorsed. {rule.action[0].upper()}{rule.action[1:]}."


def safety_action(score: Score) -> str | None:
    """Return the same-visit safety instruction for a PHQ-9 item-9 alert, or ``None``.

    Any PHQ-9 item 9 answer of 1 or more triggers a structured suicide-risk assessment (e.g. the
    Columbia Suicide Severity Rating Scale, C-SSRS) before the encounter ends, whatever the
    total (FHIR MII PRO PHQ-9 guidance: "immediate clinical evaluation for any positive
    response, regardless of the total score"; Simon et al., Psychiatr Serv 2013; Louzon et al.,
    Psychiatr Serv 2016). An unanswered item 9 cannot rule out risk, so the learner must ask it.
    An answer of 0 does not rule out risk either (Louzon 2016: most suicides followed "not at
    all"), but it does not trigger this text.

    Parameters
    ----------
    score
        A result from :func:`score`.

    Returns
    -------
    str or None
        The instruction, or ``None`` if ``score.safety_alert`` is not ``True``.
    """
    if score.safety_alert is not True:
        return None
    return _safety_text(_SAFETY_RULES, unanswered=_SAFETY_ITEM.item in score.missing_items)


def provisional_safety_action(name: str, responses: Sequence[int | None]) -> str | None:
    """Return the safety instruction for a form still being filled in, or ``None``.

    The instruction appears as soon as the safety item (PHQ-9 item 9) is answered at or above its
    alert level, however many items are still open. An item not yet answered raises nothing
    here: the form is not finished (:func:`safety_action` treats it as an alert once it is).

    Parameters
    ----------
    name
        Any instrument name :func:`bpscare.clinical.instruments.rules.rules_for` accepts.
    responses
        One entry per item in form order; ``None`` for an unanswered item.

    Returns
    -------
    str or None
        The same text :func:`safety_action` gives for an endorsed item, or ``None``.
    """
    rules = rules_for(name)
    rule = rules.safety_item
    if rule is None:
        return None
    value = responses[rule.item - 1]
    if value is None or not rule.alert(value):
        return None
    return _safety_text(rules, unanswered=False)


def safety_item_guidance(name: str) -> str | None:
    """Return how to ask the safety item of an instrument (PHQ-9 item 9), or ``None``.

    Parameters
    ----------
    name
        Any instrument name :func:`bpscare.clinical.instruments.rules.rules_for` accepts.

    Returns
    -------
    str or None
        One paragraph with its sources, for a screener form's guidance panel.
    """
    rule = rules_for(name).safety_item
    if rule is None:
        return None
    return (
        f"Item {rule.item} asks about thoughts of death or self-harm. Ask it plainly and without "
        "hurry; any answer other than \u2018not at all\u2019 calls for a same-visit safety "
        "assessment (FHIR MII PRO PHQ-9 guidance; Simon et al., Psychiatr Serv 2013), and "
        "\u2018not at all\u2019 does not rule out risk (Louzon et al., Psychiatr Serv 2016)."
    )


def recommended_action(score: Score) -> str:
    """Return the proposed next step for a score, phrased for learners, with its source.

    PHQ-9 and PHQ-8: the proposed treatment actions by band of Kroenke & Spitzer (Psychiatric
    Annals 2002, Table 4), preceded by the item-9 safety instruction whenever
    ``score.safety_alert`` is ``True``. GAD-7: further evaluation at 10 or more (Spitzer et al.
    2006). PHQ-2/GAD-2: a positive screen calls for the full PHQ-9/GAD-7 (Kroenke et al. 2003;
    2007). PHQ-4: the full instrument for each positive subscale (Kroenke et al. 2009). PHQ-15,
    SSS-8 and WSAS: what the band means and that it is not a diagnosis.

    Parameters
    ----------
    score
        A result from :func:`score`, :func:`score_sss8` or :func:`score_wsas`.

    Returns
    -------
    str
        One or more sentences.

    Raises
    ------
    ValueError
        If ``score.instrument`` or ``score.band`` is not one bpscare scores.
    """
    rules = rules_for(score.instrument)
    rules.band(score.band)  # raises for a band the instrument does not have
    parts: list[str] = []
    safety = safety_action(score)
    if safety is not None:
        parts.append(safety)
    parts.append(_band_action(rules, score))
    if score.prorated:
        missing = ", ".join(str(n) for n in score.missing_items)
        parts.append(
            f"The total was prorated because item(s) {missing} were unanswered; ask them "
            "directly when you can."
        )
    return " ".join(parts)


def _and_list(values: Sequence[object]) -> str:
    """Return ``"5, 10 and 15"``."""
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _band_action(rules: InstrumentRules, score: Score) -> str:
    """Return the band-specific sentence(s) of :func:`recommended_action`."""
    key = rules.name
    if key in {"phq9", "phq8"}:
        label = score.band
        text = (
            f"{label[0].upper()}{label[1:]} symptoms ({rules.band_range(label)}): "
            f"{_PHQ_ACTIONS[label]} {_PHQ_ACTION_SOURCE}."
        )
        if score.positive:
            text += " A positive screen supports, but does not replace, a diagnostic interview."
        if rules.safety_item is None:
            text += (
                f" The {rules.title} has no item {_SAFETY_ITEM.item}, so it does not screen for "
                "suicidal thoughts; ask directly whenever there is concern."
            )
        return text
    if key == "gad7":
        if score.positive:
            return (
                f"GAD-7 total {score.total} ({rules.cutoff} or more): further evaluation is "
                "needed for generalized anxiety disorder and for panic, social anxiety and "
                "post-traumatic stress disorders, which this cut point also detects (Spitzer et "
                "al., Arch Intern Med 2006; Kroenke et al., Gen Hosp Psychiatry 2010)."
            )
        return (
            f"GAD-7 total {score.total} ({score.band}) is below the cut point of {rules.cutoff} "
            "for further evaluation (Spitzer et al., Arch Intern Med 2006); use clinical "
            "judgement if concerns remain."
        )
    if rules.full_form is not None:
        full, source = rules_for(rules.full_form).title, _FULL_FORM_SOURCES[key]
        if score.positive:
            return (
                f"Positive {rules.title} screen ({rules.cutoff} or more): administer the full "
                f"{full} ({source})."
            )
        return (
            f"Negative {rules.title} screen (below {rules.cutoff}): the full {full} is not "
            f"indicated by the score alone ({source}); ask again if concerns arise."
        )
    if rules.subscales:
        subscales = score.subscales or {}
        cut = rules.subscale_cutoff
        steps = [
            f"the {sub.name} subscale is {cut} or more: administer the full "
            f"{rules_for(sub.full_form).title}"
            for sub in rules.subscales
            if cut is not None and subscales.get(sub.name, 0) >= cut
        ]
        source = "(Kroenke, Spitzer, Williams & Löwe, Psychosomatics 2009)"
        head = f"{rules.title} {score.band} ({score.total}/{rules.max_total})"
        if steps:
            return f"{head}; {'; '.join(steps)} {source}."
        return f"{head}; neither subscale reaches {cut} {source}."
    if key == "phq15":
        cuts = _and_list([band.low for band in rules.bands[1:]])
        return (
            f"Somatic symptom severity is {score.band} (PHQ-15 cut points {cuts}; Kroenke, "
            "Spitzer & Williams, Psychosom Med 2002). The score is not a diagnosis: review each "
            "bothersome symptom for medical causes and explore its biopsychosocial context with "
            "the person."
        )
    if key == "sss8":
        return (
            f"Somatic symptom burden is {score.band} (SSS-8; Gierk et al., JAMA Intern Med 2014). "
            "The score is not a diagnosis: review the bothersome symptoms and what they mean for "
            "the person's daily life."
        )
    subclinical, significant, severe = rules.bands
    return (
        f"Work and social adjustment: {score.band} (WSAS; Mundt et al., Br J Psychiatry 2002: "
        f"above {severe.low - 1} suggests moderately severe or worse psychopathology, "
        f"{significant.low}-{significant.high} significant functional impairment with less "
        f"severe symptoms, below {subclinical.high + 1} subclinical). Ask which areas of daily "
        "life are most affected and set functional goals together."
    )
