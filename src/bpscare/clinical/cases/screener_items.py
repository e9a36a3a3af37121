"""Screener answers by item key: the keys cases use, and their positions on the bundled forms.

Case files store each screener answer under an item key (``headaches: 2``), never by position,
because the published forms order items differently (the PHQ-15 in Kroenke et al., Psychosom Med
2002 lists headaches 5th; the LOINC 69728-4 form bundled here lists sexual intercourse 5th). A key
names its item by the short label in ``data/instruments/phq_family.yaml``, so the position is
looked up on the form itself and cannot drift when a form's order changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from bpscare.clinical.instruments import instrument_info

__all__ = ["SCREENER_ITEM_KEYS", "item_keys", "item_position"]

#: ``{instrument: {item key: the item's short label on the bundled form}}``.
SCREENER_ITEM_KEYS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "phq9": MappingProxyType(
            {
                "interest": "little interest or pleasure",
                "down": "feeling down, depressed or hopeless",
                "sleep": "sleep problems",
                "tired": "tired or little energy",
                "appetite": "poor appetite or overeating",
                "self_worth": "feeling bad about yourself",
                "concentration": "trouble concentrating",
                "psychomotor": "moving or speaking slowly, or restless",
                "self_harm_thoughts": "thoughts of being better off dead or self-harm",
            }
        ),
        "gad7": MappingProxyType(
            {
                "nervous": "nervous, anxious or on edge",
                "cannot_stop_worrying": "not able to stop or control worrying",
                "worrying_too_much": "worrying too much",
                "trouble_relaxing": "trouble relaxing",
                "restless": "restless",
                "irritable": "easily annoyed or irritable",
                "afraid": "afraid something awful might happen",
            }
        ),
        "phq15": MappingProxyType(
            {
                "stomach_pain": "stomach pain",
                "back_pain": "back pain",
                "limb_joint_pain": "pain in arms, legs or joints",
                "menstrual": "menstrual cramps or problems with periods",
                "sexual_intercourse": "pain or problems during sexual intercourse",
                "headaches": "headaches",
                "chest_pain": "chest pain",
                "dizziness": "dizziness",
                "fainting": "fainting spells",
                "heart_racing": "heart pounding or racing",
                "short_of_breath": "shortness of breath",
                "bowel": "constipation, loose bowels or diarrhea",
                "nausea_indigestion": "nausea, gas or indigestion",
                "tired": "tired or low energy",
                "sleep": "trouble sleeping",
            }
        ),
    }
)


@cache
def _positions(instrument: str) -> dict[str, int]:
    labels = instrument_info(instrument).labels
    keys = SCREENER_ITEM_KEYS[instrument]
    positions: dict[str, int] = {}
    for key, label in keys.items():
        if labels.count(label) != 1:
            msg = (
                f"{instrument} item key {key!r} names the label {label!r}, which appears "
                f"{labels.count(label)} times on the bundled form (labels: {list(labels)})"
            )
            raise ValueError(msg)
        positions[key] = labels.index(label)
    if sorted(positions.values()) != list(range(len(labels))):
        msg = f"{instrument} item keys do not cover the {len(labels)} items of the bundled form"
        raise ValueError(msg)
    return positions


def item_keys(instrument: str) -> tuple[str, ...]:
    """Return the item keys of ``instrument`` in the order of the bundled form."""
    positions = _positions(instrument)
    return tuple(sorted(positions, key=positions.__getitem__))


def item_position(instrument: str, key: str) -> int:
    """Return the 0-based position of item ``key`` on the bundled form of ``instrument``."""
    return _positions(instrument)[key]
