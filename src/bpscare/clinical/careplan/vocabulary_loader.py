"""Care-plan vocabulary: the controlled id lists in ``bpscare/data/vocabulary.yaml``, read once.

Ids for team roles, referrals, interventions, access barriers and measures come from
``bpscare/data/vocabulary.yaml`` (see :func:`vocabulary`); nothing in the care-plan package copies
those lists. The model and the checks validate ids and look up labels through the helpers here.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Mapping
from importlib import resources

import yaml

__all__ = ["VOCABULARY_SECTIONS", "vocabulary"]

VOCABULARY_SECTIONS = ("team_roles", "interventions", "referrals", "access_barriers", "measures")


@functools.cache
def _load_vocabulary() -> dict[str, dict[str, str]]:
    text = (resources.files("bpscare") / "data" / "vocabulary.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {str(k): {str(i): str(label) for i, label in v.items()} for k, v in data.items()}


def vocabulary(section: str) -> Mapping[str, str]:
    """Return one controlled vocabulary (id -> label) from ``data/vocabulary.yaml``, read once.

    Parameters
    ----------
    section
        One of ``team_roles``, ``interventions``, ``referrals``, ``access_barriers``,
        ``measures`` (or any other section in the file).

    Returns
    -------
    Mapping[str, str]
        A read-only mapping from id to its human-readable label, in file order.
    """
    data = _load_vocabulary()
    if section not in data:
        msg = f"unknown vocabulary section {section!r}; allowed: {', '.join(data)}"
        raise ValueError(msg)
    return types.MappingProxyType(data[section])


def _label(section: str, item: str) -> str:
    return vocabulary(section).get(item, item)


def _check_id(section: str, what: str, name: str, value: object) -> None:
    allowed = vocabulary(section)
    if not isinstance(value, str) or value not in allowed:
        msg = f"{name}: {value!r} is not a known {what}; allowed: {', '.join(allowed)}"
        raise ValueError(msg)
