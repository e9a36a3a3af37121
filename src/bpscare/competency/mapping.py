"""Read and validate a course's competency map (``<course>/competency_map.yaml``).

Format::

    frameworks: [ACGME, EPA, IPEC]          # which frameworks the course reports on
    grade_cells:                            # grade_id -> competency ids
      a01_q1_phq9_total_tests: [ACGME-MK, EPA-03]
      a01_q3_reflection: [ACGME-ICS, ACGME-PROF]
    issuer:                                 # optional: who issues the Open Badges
      id: https://example.edu/programs/bpscare
      name: Example School of Medicine
    xapi:                                   # optional: IRIs used in the xAPI statements
      home_page: https://lms.example.edu    # the learners' account system (actor.account)
      activity_base: https://example.edu/bpscare/course-2026

A grade id maps every grade cell (or task cell) of that name, in any notebook of any assignment.
``frameworks`` may be omitted: it then defaults to the frameworks the mapped ids belong to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bpscare.competency.frameworks import SAFE_LOADER, Framework, load_frameworks
from bpscare.errors import BpscareError

MAP_FILENAME = "competency_map.yaml"
ALLOWED_KEYS = ("frameworks", "grade_cells", "reasons", "issuer", "xapi")


@dataclass(frozen=True)
class CompetencyMap:
    """A validated course competency map.

    Attributes
    ----------
    path
        The file it came from (None for a map built in code).
    frameworks
        Framework ids the course reports on, in the order given.
    grade_cells
        grade id -> competency ids (each id known and inside ``frameworks``).
    issuer_id, issuer_name
        Optional Open Badges issuer profile.
    home_page, activity_base
        Optional xAPI IRIs (account home page, base of activity ids).
    """

    path: Path | None
    frameworks: tuple[str, ...]
    grade_cells: dict[str, tuple[str, ...]] = field(default_factory=dict)
    issuer_id: str | None = None
    issuer_name: str | None = None
    home_page: str | None = None
    activity_base: str | None = None

    def competencies(self) -> list[str]:
        """Return the mapped competency ids in framework order, each once."""
        used = {cid for ids in self.grade_cells.values() for cid in ids}
        frameworks = load_frameworks()
        return [
            c.id for fid in self.frameworks for c in frameworks[fid].competencies if c.id in used
        ]


def _as_str_list(value: Any, what: str, path: Path) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    msg = f"{what} must be a competency id or a list of ids, not {value!r}"
    raise BpscareError(msg, path=path)


def _optional_str(section: Any, key: str, where: str, path: Path) -> str | None:
    if section is None:
        return None
    if not isinstance(section, dict):
        msg = f"{where} must be a mapping with keys like {key!r}, not {section!r}"
        raise BpscareError(msg, path=path)
    value = section.get(key)
    if value is not None and not isinstance(value, str):
        msg = f"{where}.{key} must be a string, not {value!r}"
        raise BpscareError(msg, path=path)
    return value


def load_map(path: Path | str, frameworks: dict[str, Framework] | None = None) -> CompetencyMap:
    """Read a competency map and validate every framework and competency id in it.

    Parameters
    ----------
    path
        The YAML file.
    frameworks
        Known frameworks (default: the bundled ACGME, EPA and IPEC).

    Returns
    -------
    CompetencyMap

    Raises
    ------
    BpscareError
        The file is missing or not YAML, a key is unknown, a framework id is unknown, or a grade
        cell names an unknown competency id or one outside the listed frameworks. The message
        names the file, the grade cell and the id.
    """
    path = Path(path)
    frameworks = load_frameworks() if frameworks is None else frameworks
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        msg = "competency map not found"
        raise BpscareError(msg, path=path) from exc
    except OSError as exc:
        msg = f"cannot read the competency map: {exc.strerror}"
        raise BpscareError(msg, path=path) from exc
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        msg = f"not valid YAML: {' '.join(str(exc).split())}"
        raise BpscareError(msg, path=path) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        msg = f"a competency map must be a mapping with keys {list(ALLOWED_KEYS)}"
        raise BpscareError(msg, path=path)
    unknown = sorted(set(data) - set(ALLOWED_KEYS))
    if unknown:
        msg = f"unknown key(s) {unknown}; allowed: {list(ALLOWED_KEYS)}"
        raise BpscareError(msg, path=path)

    by_id = {c.id: c for fw in frameworks.values() for c in fw.competencies}
    cells_raw = data.get("grade_cells") or {}
    if not isinstance(cells_raw, dict):
        msg = "grade_cells must be a mapping of grade id -> list of competency ids"
        raise BpscareError(msg, path=path)

    listed: list[str] | None = None
    if data.get("frameworks") is not None:
        listed = _as_str_list(data["frameworks"], "frameworks", path)
        for fid in listed:
            if fid not in frameworks:
                msg = f"unknown framework {fid!r}; allowed: {sorted(frameworks)}"
                raise BpscareError(msg, path=path)

    grade_cells: dict[str, tuple[str, ...]] = {}
    used_frameworks: list[str] = []
    for grade_id, value in cells_raw.items():
        grade_id = str(grade_id)
        ids = _as_str_list(value or [], f"grade cell {grade_id}", path)
        for cid in ids:
            if cid not in by_id:
                prefixes = ", ".join(
                    f"{fw.competencies[0].id}..{fw.competencies[-1].id}"
                    for fw in frameworks.values()
                )
                msg = (
                    f"unknown competency id {cid!r}; allowed ids: {prefixes} "
                    "(see bpscare/data/frameworks.yaml)"
                )
                raise BpscareError(msg, path=path, cell=grade_id)
            fid = by_id[cid].framework
            if listed is not None and fid not in listed:
                msg = (
                    f"competency {cid!r} belongs to framework {fid!r}, which the map's "
                    f"frameworks list {listed} does not include"
                )
                raise BpscareError(msg, path=path, cell=grade_id)
            if fid not in used_frameworks:
                used_frameworks.append(fid)
        if ids:
            grade_cells[grade_id] = tuple(dict.fromkeys(ids))

    if listed is None:
        listed = [fid for fid in frameworks if fid in used_frameworks]
    issuer = data.get("issuer")
    xapi = data.get("xapi")
    return CompetencyMap(
        path=path,
        frameworks=tuple(listed),
        grade_cells=grade_cells,
        issuer_id=_optional_str(issuer, "id", "issuer", path),
        issuer_name=_optional_str(issuer, "name", "issuer", path),
        home_page=_optional_str(xapi, "home_page", "xapi", path),
        activity_base=_optional_str(xapi, "activity_base", "xapi", path),
    )
