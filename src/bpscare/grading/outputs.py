"""Outputs that come back from the learner's process: untrusted data, rebuilt and capped here.

The learner's process answers with JSON, and whatever it sends is checked field by field: only
the four nbformat output types survive, with string fields, and the 1,000,000-character cap is
enforced here, outside the learner's process (a learner that patches its own cap gains nothing).

While a **test cell** runs, learner output travels as text at most
(:func:`as_text`): a learner's ``display()``, ``execute_result`` or traceback becomes stdout or
stderr text, so it can never become the test cell's ``execute_result``, which nbgrader reads as
the score.
"""

from __future__ import annotations

from typing import Any

from bpscare.grading.learner import MAX_DISPLAY_ITEMS, MAX_OUTPUT_CHARS, OutputSink

KINDS = ("stream", "display_data", "execute_result", "error")


def _text(value: Any, limit: int = MAX_OUTPUT_CHARS) -> str:
    if isinstance(value, list):
        value = "".join(v for v in value if type(v) is str)
    return value[:limit] if type(value) is str else ""


def _data(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        return {}
    data: dict[str, Any] = {}
    for mime, content in list(value.items())[:20]:
        if type(mime) is not str or "/" not in mime:
            continue
        if type(content) in (str, list):
            data[mime[:200]] = _text(content)
        elif mime.endswith("json") and type(content) in (dict, list):
            data[mime[:200]] = content
    return data


def clean_output(raw: Any, execution_count: int | None = None) -> dict[str, Any] | None:
    """Return one well-formed nbformat output rebuilt from ``raw``, or None if it is not one."""
    if type(raw) is not dict or raw.get("output_type") not in KINDS:
        return None
    kind = raw["output_type"]
    if kind == "stream":
        name = raw.get("name") if raw.get("name") in ("stdout", "stderr") else "stdout"
        return {"output_type": "stream", "name": name, "text": _text(raw.get("text"))}
    if kind == "error":
        trace = raw.get("traceback")
        lines = [_text(t, 20_000) for t in trace[:200]] if type(trace) is list else []
        return {
            "output_type": "error",
            "ename": _text(raw.get("ename"), 200) or "Error",
            "evalue": _text(raw.get("evalue"), 20_000),
            "traceback": lines,
        }
    output: dict[str, Any] = {
        "output_type": kind,
        "data": _data(raw.get("data")),
        "metadata": raw.get("metadata") if type(raw.get("metadata")) is dict else {},
    }
    if kind == "execute_result":
        output["execution_count"] = execution_count
    return output


def as_text(output: dict[str, Any]) -> tuple[str, str]:
    """Return (stream name, text) for a learner output shown inside a test cell."""
    kind = output["output_type"]
    if kind == "stream":
        return output["name"], output["text"]
    if kind == "error":
        lines = output["traceback"] or [f"{output['ename']}: {output['evalue']}"]
        return "stderr", "\n".join(lines) + "\n"
    text = output["data"].get("text/plain", "")
    return "stdout", (text if isinstance(text, str) else "") + "\n"


def sanitize_outputs(
    raw: Any, execution_count: int | None = None, sink: OutputSink | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """Rebuild a learner cell's outputs from an untrusted reply; return them and whether cut."""
    own = sink or OutputSink()
    cut = type(raw) is not list and raw is not None
    for item in raw[: MAX_DISPLAY_ITEMS * 5] if type(raw) is list else ():
        output = clean_output(item, execution_count)
        if output is None:
            cut = True
        elif output["output_type"] == "stream":
            own.stream(output["name"], output["text"])
        else:
            own.add(output)
    outputs, truncated = own.take()
    return outputs, truncated or cut
