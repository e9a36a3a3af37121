"""Every competency a graded cell claims carries a one-line reason (``course/competency_map.yaml``).

A program reads the course's figures as evidence about clinicians, so a tag is a claim: this cell
elicits that behaviour. The map's ``cells`` section gives, for each graded cell, each competency
with the reason it fits::

    cells:
      a01_q2_tests:
        EPA-10: "Chooses the same-visit response that a positive item 9 requires"

The build fails, naming the file and every cell, when a tag has no reason, when a reason names a
competency the cell does not claim, or when the map lists a cell that no assignment has.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from bpscare.errors import BpscareError

MIN_REASON_CHARS = 15


def load_reasons(map_path: Path) -> dict[str, dict[str, str]]:
    """Read the ``cells`` section: grade id → competency id → reason."""
    try:
        data = yaml.safe_load(Path(map_path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        msg = f"cannot read the competency map ({exc})"
        raise BpscareError(msg, path=map_path) from exc
    cells = data.get("cells", {}) if isinstance(data, dict) else {}
    if not isinstance(cells, dict):
        msg = "'cells' must map each graded cell's grade id to {competency id: reason}"
        raise BpscareError(msg, path=map_path)
    reasons: dict[str, dict[str, str]] = {}
    for grade_id, tags in cells.items():
        if not isinstance(tags, dict):
            msg = "must map each competency id to a one-line reason"
            raise BpscareError(msg, path=map_path, cell=str(grade_id))
        reasons[str(grade_id)] = {str(k): v if isinstance(v, str) else "" for k, v in tags.items()}
    return reasons


def check_reasons(map_path: Path, mapping: Mapping[str, list[str]]) -> dict[str, dict[str, str]]:
    """Check every tag of every graded cell has a reason; return the reasons of those cells."""
    reasons = load_reasons(map_path)
    problems = []
    for grade_id, tags in sorted(mapping.items()):
        given = reasons.get(grade_id, {})
        missing = [t for t in tags if len(given.get(t, "").strip()) < MIN_REASON_CHARS]
        extra = sorted(set(given) - set(tags))
        if missing:
            problems.append(f"{grade_id}: no one-line reason for {', '.join(missing)}")
        if extra:
            problems.append(
                f"{grade_id}: reasons for {', '.join(extra)}, which the cell does not claim"
            )
    stale = sorted(set(reasons) - set(mapping))
    if stale:
        problems.append(f"reasons for cells no assignment has: {', '.join(stale)}")
    if problems:
        msg = "competency tags need reasons under 'cells':\n  " + "\n  ".join(problems)
        raise BpscareError(msg, path=map_path)
    return {grade_id: dict(reasons[grade_id]) for grade_id in mapping}
