"""Turn a course-level attainment (0-1) and an evidence count into a course band.

The schemes live in ``bpscare/data/frameworks.yaml``. They are course bands, named as such
("not yet meeting course expectations", "developing", "meeting course expectations"), never
milestone levels or entrustment decisions: an ACGME milestone level is set by a program's
Clinical Competency Committee (ACGME Milestones; JGME milestone supplements), and an AAMC Core
EPA entrustment decision needs workplace observation (AAMC Core EPAs Curriculum Developers'
Guide, 2014). The bands are evidence for such a committee (:data:`COMMITTEE_NOTE`). The rules:

1. attainment = points earned / points possible over the graded cells mapped to the competency
   (cells awaiting a manual grade are not evidence yet);
2. with fewer than ``min_evidence`` graded cells the learner has :data:`INSUFFICIENT` (written
   the same in every CSV file and on the page); the band index is then 0, and never counts as
   met;
3. otherwise the highest band whose ``min`` is at or below the attainment is assigned (a band's
   ``min`` is inclusive; a tolerance of 1e-9 absorbs floating-point noise).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: Floating-point tolerance for band boundaries (4/5 must reach a 0.80 band).
BOUNDARY_TOLERANCE = 1e-9
#: What a learner with fewer graded cells than the scheme's ``min_evidence`` has, everywhere.
INSUFFICIENT = "Insufficient evidence"
#: The note every output that shows bands carries.
COMMITTEE_NOTE = (
    "Course bands summarise graded notebook work. They are evidence for a clinical competency "
    "committee, not milestone ratings or entrustment decisions."
)


@dataclass(frozen=True)
class LevelBand:
    """One level of a scheme: an id, a label shown to people, and its lowest attainment."""

    id: str
    label: str
    min_attainment: float
    description: str = ""


@dataclass(frozen=True)
class LevelScheme:
    """Ordered attainment bands plus the evidence and attainment rules of one framework.

    Parameters
    ----------
    name
        Human-readable name of the scheme (shown in the HTML report).
    bands
        Bands from lowest to highest; the first must start at 0.
    min_evidence
        Minimum number of graded cells before any band above the lowest is assigned.
    attained_from
        Id of the band from which the competency counts as attained (badge issued).
    """

    name: str
    bands: tuple[LevelBand, ...]
    min_evidence: int
    attained_from: str

    def __post_init__(self) -> None:
        if not self.bands:
            msg = f"level scheme {self.name!r} has no bands; give at least one"
            raise ValueError(msg)
        if self.bands[0].min_attainment != 0.0:
            msg = (
                f"level scheme {self.name!r}: the first band {self.bands[0].id!r} starts at "
                f"{self.bands[0].min_attainment}; it must start at 0"
            )
            raise ValueError(msg)
        mins = [b.min_attainment for b in self.bands]
        if any(b <= a for a, b in itertools.pairwise(mins)) or mins[-1] > 1.0:
            msg = (
                f"level scheme {self.name!r}: band minimums {mins} must increase strictly and "
                "stay within 0-1"
            )
            raise ValueError(msg)
        ids = [b.id for b in self.bands]
        if self.attained_from not in ids:
            msg = (
                f"level scheme {self.name!r}: attained_from {self.attained_from!r} is not a band; "
                f"allowed: {ids}"
            )
            raise ValueError(msg)
        if self.min_evidence < 1:
            msg = f"level scheme {self.name!r}: min_evidence {self.min_evidence} must be >= 1"
            raise ValueError(msg)

    @property
    def lowest(self) -> LevelBand:
        """The band assigned when evidence is insufficient."""
        return self.bands[0]

    @property
    def attained_index(self) -> int:
        """Position of the first band that counts as attained."""
        return [b.id for b in self.bands].index(self.attained_from)

    def band_index(self, attainment: float | None, evidence_count: int) -> int:
        """Return the index of the band for this attainment and evidence count (rules above)."""
        if attainment is None or math.isnan(attainment) or evidence_count < self.min_evidence:
            return 0
        index = 0
        for i, band in enumerate(self.bands):
            if attainment + BOUNDARY_TOLERANCE >= band.min_attainment:
                index = i
        return index

    def level_for(self, attainment: float | None, evidence_count: int) -> LevelBand:
        """Return the band for this attainment and evidence count (rules in the module doc)."""
        return self.bands[self.band_index(attainment, evidence_count)]

    def is_attained(self, attainment: float | None, evidence_count: int) -> bool:
        """Say whether the competency counts as attained (the band reaches ``attained_from``)."""
        return self.band_index(attainment, evidence_count) >= self.attained_index

    def label(self, band_index: int, evidence_count: int) -> str:
        """The band's label, or :data:`INSUFFICIENT` below the minimum evidence."""
        if evidence_count < self.min_evidence:
            return INSUFFICIENT
        return self.bands[band_index].label

    def describe(self) -> str:
        """One line listing the bands, e.g. ``developing from 60%; ...``."""
        parts = []
        for band in self.bands:
            parts.append(f"{band.label} from {band.min_attainment:.0%}")
        return "; ".join(parts)


def band_indices(
    scheme: LevelScheme, attainments: ArrayLike, evidence_counts: ArrayLike
) -> np.ndarray:
    """Return the band index of every (attainment, evidence count) pair, vectorised.

    Same rules as :meth:`LevelScheme.band_index`; NaN attainment means no evidence.
    """
    att = np.asarray(attainments, dtype=float)
    n = np.asarray(evidence_counts)
    mins = np.array([b.min_attainment for b in scheme.bands])
    index = np.searchsorted(mins, np.nan_to_num(att, nan=0.0) + BOUNDARY_TOLERANCE, side="right")
    index = np.clip(index - 1, 0, len(mins) - 1)
    index[np.isnan(att) | (n < scheme.min_evidence)] = 0
    return index
