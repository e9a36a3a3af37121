"""Competency frameworks as data: ACGME core competencies, AAMC Core EPAs, IPEC 2023.

The frameworks, their sources and their level schemes are read from
``bpscare/data/frameworks.yaml``:

- ACGME six core competencies (ACGME, 1999; Milestones 2.0, 2020-2021);
- AAMC Core Entrustable Professional Activities for Entering Residency (AAMC Curriculum
  Developers' Guide, 2014), titles only;
- IPEC Core Competencies for Interprofessional Collaborative Practice, Version 3 (IPEC, 2023),
  titles only.

Every framework reports course bands ("not yet meeting course expectations", "developing",
"meeting course expectations"), never milestone levels or entrustment decisions: those are a
committee's to make, and the bands are evidence for it. ``badges: false`` (EPAs) means no Open
Badge is ever issued for the framework's items.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from bpscare.competency.levels import LevelBand, LevelScheme
from bpscare.errors import BpscareError

#: libyaml's safe loader when PyYAML was built with it (about 20x faster), else the Python one.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Competency:
    """One competency (or EPA) of a framework: a stable id and its published short title."""

    id: str
    title: str
    framework: str


@dataclass(frozen=True)
class Framework:
    """A competency framework: id, title, citation, level scheme and its competencies."""

    id: str
    title: str
    version: str
    source: str
    url: str
    target_type: str
    levels: LevelScheme
    competencies: tuple[Competency, ...]
    badges: bool = True

    def competency(self, competency_id: str) -> Competency:
        """Return one competency by id (KeyError if the framework has no such id)."""
        for comp in self.competencies:
            if comp.id == competency_id:
                return comp
        raise KeyError(competency_id)


def _require(entry: dict[str, Any], key: str, where: str, path: Path | str) -> Any:
    if key not in entry:
        msg = f"{where} has no {key!r}; required keys: id, title, source, levels, competencies"
        raise BpscareError(msg, path=path)
    return entry[key]


def _parse_levels(raw: dict[str, Any], where: str, path: Path | str) -> LevelScheme:
    bands = tuple(
        LevelBand(
            id=str(b["id"]),
            label=str(b["label"]),
            min_attainment=float(b["min"]),
            description=str(b.get("description", "")),
        )
        for b in raw.get("bands", [])
    )
    try:
        return LevelScheme(
            name=str(raw.get("scheme", where)),
            bands=bands,
            min_evidence=int(raw.get("min_evidence", 2)),
            attained_from=str(raw.get("attained_from", bands[-1].id if bands else "")),
        )
    except ValueError as exc:
        msg = f"{where}: {exc}"
        raise BpscareError(msg, path=path) from exc


def parse_frameworks(data: dict[str, Any], path: Path | str) -> dict[str, Framework]:
    """Build frameworks from the parsed YAML mapping; raise BpscareError on a malformed entry."""
    out: dict[str, Framework] = {}
    seen: set[str] = set()
    for entry in data.get("frameworks", []):
        fid = str(_require(entry, "id", "a framework", path))
        where = f"framework {fid}"
        comps = []
        for c in _require(entry, "competencies", where, path):
            cid = str(c["id"])
            if cid in seen:
                msg = f"{where}: competency id {cid!r} is listed twice; ids must be unique"
                raise BpscareError(msg, path=path)
            seen.add(cid)
            comps.append(Competency(id=cid, title=str(c["title"]), framework=fid))
        out[fid] = Framework(
            id=fid,
            title=str(_require(entry, "title", where, path)),
            version=str(entry.get("version", "")),
            source=" ".join(str(_require(entry, "source", where, path)).split()),
            url=str(entry.get("url", "")),
            target_type=str(entry.get("target_type", "ceasn:Competency")),
            levels=_parse_levels(_require(entry, "levels", where, path), where, path),
            competencies=tuple(comps),
            badges=bool(entry.get("badges", True)),
        )
    return out


@functools.cache
def load_frameworks() -> dict[str, Framework]:
    """Return the bundled frameworks keyed by framework id (read once, then cached)."""
    resource = files("bpscare") / "data" / "frameworks.yaml"
    data = yaml.load(resource.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    return parse_frameworks(data, "bpscare/data/frameworks.yaml")


def competency_index(frameworks: dict[str, Framework] | None = None) -> dict[str, Competency]:
    """Return every competency of the given (default: bundled) frameworks keyed by its id."""
    frameworks = load_frameworks() if frameworks is None else frameworks
    return {c.id: c for fw in frameworks.values() for c in fw.competencies}
