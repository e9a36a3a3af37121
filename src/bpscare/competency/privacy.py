"""Learner pseudonyms: a salted HMAC of the learner id, stable across runs.

With ``pseudonymize=True`` every learner id in every file of the report (CSV, HTML, badges,
xAPI, file names) is replaced by ``L-`` + the first 12 hex digits of HMAC-SHA256(salt, learner
id). The salt comes from the argument, else ``BPSCARE_PSEUDONYM_SALT``, else
``<course_dir>/.bpscare_salt`` (created with 64 random hex digits, mode 0600, on first use).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from bpscare.errors import BpscareError

SALT_FILE = ".bpscare_salt"
SALT_ENV = "BPSCARE_PSEUDONYM_SALT"
PSEUDONYM_PREFIX = "L-"
PSEUDONYM_HEX = 12


def resolve_salt(salt: str | None, course_dir: Path | None) -> str:
    """Return the pseudonym salt: argument, else env var, else ``<course>/.bpscare_salt``.

    The salt file is created (64 random hex digits, mode 0600) when missing, so pseudonyms are
    stable across runs.
    """
    if salt:
        return salt
    env = os.environ.get(SALT_ENV, "")
    if env:
        return env
    if course_dir is None:
        msg = (
            f"pseudonymisation needs a salt: pass one, set {SALT_ENV}, or give the course "
            f"folder so the salt can be kept in {SALT_FILE}"
        )
        raise BpscareError(msg)
    path = Path(course_dir) / SALT_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        msg = f"the salt file is empty; delete it to have a new one made, or set {SALT_ENV}"
        raise BpscareError(msg, path=path)
    return value


def pseudonym(learner_id: str, salt: str) -> str:
    """Return the stable pseudonym ``L-<12 hex>`` = truncated HMAC-SHA256(salt, learner id)."""
    digest = hmac.new(salt.encode("utf-8"), learner_id.encode("utf-8"), hashlib.sha256)
    return PSEUDONYM_PREFIX + digest.hexdigest()[:PSEUDONYM_HEX]


def pseudonymize_all(learner_ids: list[str], salt: str) -> list[str]:
    """Pseudonymise every id; raise if two ids collide (then a longer digest is needed)."""
    names = [pseudonym(lid, salt) for lid in learner_ids]
    if len(set(names)) != len(names):
        msg = "two learner ids share a pseudonym; report this as a bug (digest too short)"
        raise BpscareError(msg)
    return names
