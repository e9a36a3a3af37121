"""The competency ids a course may use: the frameworks named in its competency map."""

from __future__ import annotations

from pathlib import Path

import yaml

from bpscare.errors import BpscareError


def course_frameworks(map_path: Path) -> list[str]:
    """Return the framework ids listed in a course's ``competency_map.yaml``."""
    try:
        data = yaml.safe_load(Path(map_path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        msg = "competency map not found"
        raise BpscareError(msg, path=map_path) from exc
    except yaml.YAMLError as exc:
        msg = f"malformed YAML: {exc}"
        raise BpscareError(msg, path=map_path) from exc
    frameworks = data.get("frameworks") if isinstance(data, dict) else None
    if not isinstance(frameworks, list) or not frameworks:
        msg = "needs a non-empty list under 'frameworks' (e.g. [ACGME, EPA, IPEC])"
        raise BpscareError(msg, path=map_path)
    known = set(all_frameworks())
    unknown = [f for f in frameworks if f not in known]
    if unknown:
        msg = f"unknown framework(s) {', '.join(map(str, unknown))}; known: {', '.join(known)}"
        raise BpscareError(msg, path=map_path)
    return frameworks


def all_frameworks() -> dict[str, set[str]]:
    """Map each framework id to its competency ids, from the library's frameworks data."""
    from bpscare.competency.frameworks import load_frameworks

    return {fid: {c.id for c in fw.competencies} for fid, fw in load_frameworks().items()}


def known_competency_ids(frameworks: list[str]) -> set[str]:
    """Return every competency id of the given frameworks."""
    catalogue = all_frameworks()
    return set().union(*(catalogue[f] for f in frameworks))
