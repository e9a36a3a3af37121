"""The shared controlled vocabularies (``data/vocabulary.yaml``) that case care plans use."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from bpscare.clinical.cases.yaml_reader import CaseError, _data, _read_yaml

__all__ = ["vocabulary"]


@cache
def _vocabulary() -> Mapping[str, Mapping[str, str]]:
    source = _data("vocabulary.yaml")
    raw = _read_yaml(source)
    if not isinstance(raw, dict):
        msg = f"expected a mapping of vocabulary names to ids, got {type(raw).__name__}"
        raise CaseError(msg, path=str(source))
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in raw.items()})


def vocabulary(name: str) -> Mapping[str, str]:
    """Return one shared controlled vocabulary (``{id: label}``) from ``data/vocabulary.yaml``.

    Parameters
    ----------
    name
        ``"team_roles"``, ``"interventions"``, ``"referrals"``, ``"access_barriers"``,
        ``"measures"`` or ``"utterance_codes"``.

    Returns
    -------
    Mapping
        Read-only ``{id: label}``.

    Raises
    ------
    ValueError
        For an unknown vocabulary name (the message lists the known ones).
    """
    vocab = _vocabulary()
    if name not in vocab:
        msg = f"unknown vocabulary {name!r}; known: {', '.join(sorted(vocab))}"
        raise ValueError(msg)
    return vocab[name]
