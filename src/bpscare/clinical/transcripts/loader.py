"""Loading transcripts: from parsed YAML, from a file, and the bundled ``data/transcripts/``.

Every loader validates the whole transcript and raises
:class:`~bpscare.clinical.transcripts.model.TranscriptError` naming the file, the utterance, the
field and the bad value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from bpscare.clinical.transcripts.model import Transcript, TranscriptError, Utterance, _check_text

__all__ = [
    "load_transcript",
    "load_transcript_file",
    "load_transcripts",
    "transcript_from_dict",
    "transcript_ids",
]

_TRANSCRIPT_DIR = ("data", "transcripts")
_REQUIRED_KEYS = (
    "id",
    "title",
    "setting",
    "synthetic",
    "description",
    "speakers",
    "utterances",
    "teaching_points",
    "sources",
)
_OPTIONAL_KEYS = ("case_id",)
_UTTERANCE_KEYS = ("n", "start", "end", "speaker", "text", "code")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _string_list(value: object, field_name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        msg = f"must be a non-empty list of strings, got {value!r}"
        raise TranscriptError(msg, field=field_name, value=value)
    for item in value:
        if not isinstance(item, str) or not item.strip():
            msg = f"every entry must be a non-empty string, got {item!r}"
            raise TranscriptError(msg, field=field_name, value=item)
    return tuple(value)


def _utterance_from_mapping(raw: object, position: int) -> Utterance:
    if not isinstance(raw, dict):
        msg = f"each utterance must be a mapping with keys {', '.join(_UTTERANCE_KEYS)}"
        raise TranscriptError(msg, utterance=position, field="utterances", value=raw)
    number = raw.get("n")
    label = number if isinstance(number, int) and not isinstance(number, bool) else position
    missing = [key for key in _UTTERANCE_KEYS if key not in raw]
    if missing:
        msg = f"missing required key(s): {', '.join(missing)}"
        raise TranscriptError(msg, utterance=label, field=missing[0])
    unknown = sorted(str(key) for key in raw if key not in _UTTERANCE_KEYS)
    if unknown:
        msg = f"unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(_UTTERANCE_KEYS)}"
        raise TranscriptError(msg, utterance=label, field=unknown[0])
    try:
        return Utterance(**{key: raw[key] for key in _UTTERANCE_KEYS})
    except TranscriptError as error:
        if error.utterance is None:
            raise TranscriptError(
                error.problem, utterance=label, field=error.field, value=error.value
            ) from None
        raise


def transcript_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Transcript:
    """Build and validate a :class:`Transcript` from parsed YAML (the file schema).

    Parameters
    ----------
    data
        Mapping with the keys described in CODEBOOK.md ("File schema").
    source
        Where the data came from, used as the location in error messages.

    Raises
    ------
    TranscriptError
        Naming ``source``, the utterance number, the field and the bad value.
    """
    try:
        if not isinstance(data, Mapping):
            msg = (
                f"a transcript file must hold a mapping at the top level, got {type(data).__name__}"
            )
            raise TranscriptError(msg)
        missing = [key for key in _REQUIRED_KEYS if key not in data]
        if missing:
            msg = f"missing required key(s): {', '.join(missing)}"
            raise TranscriptError(msg, field=missing[0])
        allowed = (*_REQUIRED_KEYS, *_OPTIONAL_KEYS)
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            msg = f"unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(allowed)}"
            raise TranscriptError(msg, field=unknown[0])
        speakers = data["speakers"]
        if not isinstance(speakers, dict) or not speakers:
            msg = f"must map speaker keys to role descriptions, got {speakers!r}"
            raise TranscriptError(msg, field="speakers", value=speakers)
        raw_utterances = data["utterances"]
        if not isinstance(raw_utterances, list):
            msg = f"must be a list of utterances, got {type(raw_utterances).__name__}"
            raise TranscriptError(msg, field="utterances", value=raw_utterances)
        utterances = tuple(
            _utterance_from_mapping(raw, position)
            for position, raw in enumerate(raw_utterances, start=1)
        )
        description = data["description"]
        _check_text(description, "description")
        return Transcript(
            id=data["id"],
            title=data["title"],
            setting=data["setting"],
            case_id=data.get("case_id"),
            speakers=speakers,
            utterances=utterances,
            description=description.strip(),
            teaching_points=_string_list(data["teaching_points"], "teaching_points"),
            sources=_string_list(data["sources"], "sources"),
            synthetic=data["synthetic"],
        )
    except TranscriptError as error:
        raise error.located(source) from None


def load_transcript_file(path: str | os.PathLike[str] | Traversable) -> Transcript:
    """Load and validate one transcript YAML file.

    Parameters
    ----------
    path
        A file path, or a :mod:`importlib.resources` traversable.

    Raises
    ------
    TranscriptError
        If the file cannot be read, is not YAML, or breaks the schema; the message names the
        file, the utterance, the field and the bad value.
    """
    source = str(path)
    try:
        if isinstance(path, str | os.PathLike):
            text = Path(path).read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror or exc}"
        raise TranscriptError(msg, source=source) from exc
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        msg = f"not valid YAML: {exc}".replace("\n", " ")
        raise TranscriptError(msg, source=source) from exc
    return transcript_from_dict(data, source)


def _bundle() -> Traversable:
    return resources.files("bpscare").joinpath(*_TRANSCRIPT_DIR)


def transcript_ids() -> tuple[str, ...]:
    """Return the ids of the bundled transcripts, sorted (``t01-...``, ``t02-...``, ...)."""
    return tuple(
        sorted(
            entry.name.removesuffix(".yaml")
            for entry in _bundle().iterdir()
            if entry.name.endswith(".yaml")
        )
    )


@cache
def load_transcript(transcript_id: str) -> Transcript:
    """Load one bundled transcript by id (cached; transcripts are immutable).

    Raises
    ------
    TranscriptError
        If the id is unknown (the message lists the available ids) or the file is invalid.
    """
    ids = transcript_ids()
    if transcript_id not in ids:
        msg = f"unknown transcript id {transcript_id!r}; available: {', '.join(ids)}"
        raise TranscriptError(msg, field="id", value=transcript_id)
    entry = _bundle().joinpath(f"{transcript_id}.yaml")
    transcript = load_transcript_file(entry)
    if transcript.id != transcript_id:
        msg = f"id {transcript.id!r} does not match the file name {transcript_id}.yaml"
        raise TranscriptError(msg, source=str(entry), field="id", value=transcript.id)
    return transcript


def load_transcripts() -> tuple[Transcript, ...]:
    """Load every bundled transcript, in id order."""
    return tuple(load_transcript(transcript_id) for transcript_id in transcript_ids())
