"""Plain data across the sandbox boundary: a strict, tagged encoding and length-prefixed frames.

Learner values cross to the judging process only as data whose type is checked EXACTLY
(``type(x) is int``, never ``isinstance``), so a subclass with a lying ``__eq__``, ``__bool__``,
``__float__`` or ``__len__`` never reaches trusted code as a value: it becomes a *handle* (a
reference to an object that stays in the learner's process). Callables become *function*
references that the judge calls remotely. Nothing is ever unpickled: frames are JSON.

The same encoder runs on both sides; what a value becomes on the other side is decided by the
``decode`` function that side passes in (the judge builds proxies, the learner child resolves
references to its own objects).
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import decimal
import fractions
import json
import math
import os
import select
import struct
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Upper bounds for one encoded value (a learner may return something gigantic on purpose).
MAX_NODES = 500_000
MAX_TEXT = 8 * 1024 * 1024
MAX_DEPTH = 200
#: Frames between trusted processes (jobs and results of the grading workers).
MAX_FRAME = 256 * 1024 * 1024
#: Frames from a learner's process: anything larger is read past and dropped unparsed (the
#: judge then sees ``{"oversized": size}``), so a hostile reply costs the judge no memory.
MAX_REPLY = 16 * 1024 * 1024

NUMPY_KINDS = frozenset("biufcUSMm")
DEFAULTDICT_FACTORIES = {"int": int, "float": float, "list": list, "dict": dict, "set": set}


class FrameError(EOFError):
    """The other side closed the pipe or sent a frame that is not valid."""


class FrameTimeout(TimeoutError):
    """No complete frame arrived before the deadline."""


@dataclass
class Encoder:
    """Encode one value into tagged JSON-ready lists, checking exact types and size limits.

    Parameters
    ----------
    on_other
        Called for anything that is not plain data; returns the tagged form to send instead
        (a handle or a function reference).
    """

    on_other: Callable[[Any, str], list]
    nodes: int = 0
    text: int = 0
    too_large: bool = field(default=False)

    def encode(self, value: Any, depth: int = 0) -> list:
        """Return the tagged form of ``value``."""
        self.nodes += 1
        if self.nodes > MAX_NODES or self.text > MAX_TEXT:
            self.too_large = True
            return self.on_other(value, "too large to grade")
        if depth > MAX_DEPTH:
            self.too_large = True
            return self.on_other(value, "nested too deeply to grade")
        kind = type(value)
        if value is None:
            return ["N"]
        if kind is bool:
            return ["B", value]
        if kind is int:
            return ["I", str(value)]
        if kind is float:
            return ["F", value]
        if kind is str:
            self.text += len(value)
            return ["S", value]
        if kind is bytes:
            self.text += len(value)
            return ["Y", base64.b64encode(value).decode("ascii")]
        if kind is complex:
            return ["C", value.real, value.imag]
        if kind in (list, tuple, set, frozenset):
            tags: dict[type, str] = {list: "L", tuple: "T", set: "E", frozenset: "Z"}
            tag = tags[kind]
            return [tag, [self.encode(item, depth + 1) for item in value]]
        if kind is dict:
            return ["D", self._pairs(value, depth)]
        if kind is collections.OrderedDict:
            return ["OD", self._pairs(value, depth)]
        if kind is collections.Counter:
            return ["CT", self._pairs(value, depth)]
        if kind is collections.defaultdict:
            factory = value.default_factory
            name = next((k for k, v in DEFAULTDICT_FACTORIES.items() if v is factory), None)
            return ["DD", name, self._pairs(value, depth)]
        if kind is collections.deque:
            return ["DQ", [self.encode(i, depth + 1) for i in value], value.maxlen]
        if kind is range:
            return ["R", value.start, value.stop, value.step]
        if kind is fractions.Fraction:
            return ["FR", str(value.numerator), str(value.denominator)]
        if kind is decimal.Decimal:
            return ["DEC", str(value)]
        if kind in (dt.datetime, dt.date, dt.time):
            tag = {dt.datetime: "DT", dt.date: "DA", dt.time: "TI"}[kind]
            return [tag, value.isoformat()]
        if kind is dt.timedelta:
            return ["TD", value.days, value.seconds, value.microseconds]
        if kind is types.ModuleType:
            return ["MOD", value.__name__]
        encoded = self._numpy_or_pandas(value, kind, depth)
        if encoded is not None:
            return encoded
        return self.on_other(value, "not plain data")

    def _pairs(self, mapping: dict, depth: int) -> list:
        # dict.items() is safe on an exact dict; keys and values are encoded strictly.
        return [
            [self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in dict.items(mapping)
        ]

    def _numpy_or_pandas(self, value: Any, kind: type, depth: int) -> list | None:
        module = getattr(kind, "__module__", "") or ""
        if module.startswith("numpy"):
            import numpy as np

            if kind is np.ndarray:
                if value.dtype.kind in NUMPY_KINDS:
                    self.nodes += int(value.size)
                    if self.nodes > MAX_NODES:
                        self.too_large = True
                        return self.on_other(value, "too large to grade")
                    return ["NA", value.dtype.str, list(value.shape), _flat(value)]
                if value.dtype.kind == "O":
                    items = [self.encode(v, depth + 1) for v in value.ravel().tolist()]
                    return ["NO", list(value.shape), items]
                return None
            if (
                isinstance(value, np.generic)
                and type(value).__module__ == "numpy"
                and value.dtype.kind in NUMPY_KINDS
            ):
                return ["NS", value.dtype.str, _flat(np.asarray(value))[0]]
            return None
        if module.startswith("pandas"):
            import pandas as pd

            if kind is pd.Series:
                return [
                    "PS",
                    self.encode(value.name, depth + 1),
                    self._pandas_column(value, depth),
                    self._pandas_index(value.index, depth),
                ]
            if kind is pd.DataFrame:
                columns = [self.encode(c, depth + 1) for c in value.columns.tolist()]
                data = [self._pandas_column(value.iloc[:, i], depth) for i in range(value.shape[1])]
                return ["PF", columns, data, self._pandas_index(value.index, depth)]
            return None
        return None

    def _pandas_column(self, series: Any, depth: int) -> list:
        dtype = str(series.dtype)
        values = series.to_numpy(dtype=object) if dtype in ("object", "str", "string") else None
        if values is not None:
            return [dtype, self.encode(values.tolist(), depth + 1)]
        return [dtype, self.encode(series.to_numpy(), depth + 1)]

    def _pandas_index(self, index: Any, depth: int) -> list:
        import pandas as pd

        if type(index) is pd.RangeIndex:
            return ["range", index.start, index.stop, index.step, self.encode(index.name, depth)]
        return ["values", self.encode(index.tolist(), depth + 1), self.encode(index.name, depth)]


def _flat(array: Any) -> list:
    """Return a numpy array's items as JSON-safe plain values, in C order."""
    kind = array.dtype.kind
    flat = array.ravel()
    if kind in "biu":
        return [int(v) if kind != "b" else bool(v) for v in flat.tolist()]
    if kind == "f":
        return [float(v) for v in flat.tolist()]
    if kind == "c":
        return [[float(v.real), float(v.imag)] for v in flat.tolist()]
    if kind in "Mm":
        return [str(v) for v in flat.astype(str).tolist()]
    if kind == "S":
        return [base64.b64encode(v).decode("ascii") for v in flat.tolist()]
    return [str(v) for v in flat.tolist()]


def decode(
    tagged: list,
    *,
    on_function: Callable[[int, str], Any],
    on_handle: Callable[[int, str, str], Any],
    on_module: Callable[[str], Any],
    on_ref: Callable[[int], Any] | None = None,
    on_callback: Callable[[int, str], Any] | None = None,
) -> Any:
    """Rebuild a value from its tagged form; references are resolved by the callbacks given."""

    def rec(node: list) -> Any:
        if not isinstance(node, list) or not node:
            msg = f"malformed value frame {node!r:.80}"
            raise FrameError(msg)
        tag = node[0]
        if tag == "N":
            return None
        if tag == "B":
            return bool(node[1])
        if tag == "I":
            return int(node[1])
        if tag == "F":
            return float(node[1])
        if tag == "S":
            return str(node[1])
        if tag == "Y":
            return base64.b64decode(node[1])
        if tag == "C":
            return complex(node[1], node[2])
        if tag in ("L", "T", "E", "Z"):
            items = [rec(i) for i in node[1]]
            return {"L": list, "T": tuple, "E": set, "Z": frozenset}[tag](items)
        if tag in ("D", "OD", "CT"):
            pairs = [(rec(k), rec(v)) for k, v in node[1]]
            if tag == "CT":
                return collections.Counter(dict(pairs))
            return {"D": dict, "OD": collections.OrderedDict}[tag](pairs)
        if tag == "DD":
            factory = DEFAULTDICT_FACTORIES.get(node[1]) if node[1] else None
            return collections.defaultdict(factory, [(rec(k), rec(v)) for k, v in node[2]])
        if tag == "DQ":
            return collections.deque([rec(i) for i in node[1]], node[2])
        if tag == "R":
            return range(node[1], node[2], node[3])
        if tag == "FR":
            return fractions.Fraction(int(node[1]), int(node[2]))
        if tag == "DEC":
            return decimal.Decimal(node[1])
        if tag == "DT":
            return dt.datetime.fromisoformat(node[1])
        if tag == "DA":
            return dt.date.fromisoformat(node[1])
        if tag == "TI":
            return dt.time.fromisoformat(node[1])
        if tag == "TD":
            return dt.timedelta(days=node[1], seconds=node[2], microseconds=node[3])
        if tag == "NA":
            return _rebuild_array(node[1], node[2], node[3])
        if tag == "NS":
            import numpy as np

            return _rebuild_array(node[1], [], [node[2]])[()].astype(np.dtype(node[1]))[()]
        if tag == "NO":
            import numpy as np

            items = [rec(i) for i in node[2]]
            array = np.empty(len(items), dtype=object)
            for i, item in enumerate(items):
                array[i] = item
            return array.reshape(node[1])
        if tag == "PS":
            return _rebuild_series(rec(node[1]), node[2], node[3], rec)
        if tag == "PF":
            import pandas as pd

            columns = [rec(c) for c in node[1]]
            series = [_rebuild_series(None, col, node[3], rec) for col in node[2]]
            frame = (
                pd.concat(series, axis=1) if series else pd.DataFrame(index=_index(node[3], rec))
            )
            frame.columns = columns
            return frame
        if tag == "MOD":
            return on_module(str(node[1]))
        if tag == "FN":
            return on_function(int(node[1]), str(node[2]))
        if tag == "H":
            return on_handle(int(node[1]), str(node[2]), str(node[3]))
        if tag == "REF" and on_ref is not None:
            return on_ref(int(node[1]))
        if tag == "CB" and on_callback is not None:
            return on_callback(int(node[1]), str(node[2]))
        msg = f"unknown value tag {tag!r:.40}"
        raise FrameError(msg)

    return rec(tagged)


def _rebuild_array(dtype: str, shape: list, flat: list) -> Any:
    import numpy as np

    np_dtype = np.dtype(str(dtype))
    kind = np_dtype.kind
    if kind not in NUMPY_KINDS or np_dtype.itemsize > 4096 or np_dtype.fields is not None:
        msg = f"array dtype {dtype!r:.40} is not accepted"
        raise FrameError(msg)
    if not isinstance(flat, list) or math.prod(int(n) for n in shape) != len(flat):
        msg = "array shape does not match its items"
        raise FrameError(msg)
    if kind == "c":
        items: list = [complex(a, b) for a, b in flat]
    elif kind == "S":
        items = [base64.b64decode(v) for v in flat]
    else:
        items = list(flat)
    array = np.array(items, dtype=np_dtype) if items else np.empty(0, dtype=np_dtype)
    return array.reshape(shape)


def _index(spec: list, rec: Callable[[list], Any]) -> Any:
    import pandas as pd

    if spec[0] == "range":
        return pd.RangeIndex(spec[1], spec[2], spec[3], name=rec(spec[4]))
    return pd.Index(rec(spec[1]), name=rec(spec[2]))


def _rebuild_series(name: Any, column: list, index_spec: list, rec: Callable[[list], Any]) -> Any:
    import pandas as pd

    dtype, values = column
    data = rec(values)
    try:
        return pd.Series(data, index=_index(index_spec, rec), name=name, dtype=dtype)
    except (TypeError, ValueError):
        return pd.Series(data, index=_index(index_spec, rec), name=name)


# --- frames ---------------------------------------------------------------------------------


def send(fd: int, message: dict) -> None:
    """Write one message as a length-prefixed JSON frame (blocking until written)."""
    payload = json.dumps(message, separators=(",", ":"), allow_nan=True).encode("utf-8")
    data = struct.pack("!Q", len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def receive(fd: int, deadline: float | None = None, limit: int = MAX_FRAME) -> dict:
    """Read one frame; raise FrameTimeout after ``deadline`` (monotonic), FrameError on EOF.

    A frame larger than ``limit`` is read and thrown away in small pieces, never held whole:
    the reply is then ``{"oversized": size}``.
    """
    header = _read_exact(fd, 8, deadline)
    (size,) = struct.unpack("!Q", header)
    if size > limit:
        if limit >= MAX_FRAME:
            msg = f"frame of {size} bytes exceeds the {limit}-byte limit"
            raise FrameError(msg)
        _skip(fd, size, deadline)
        return {"oversized": size}
    payload = _read_exact(fd, size, deadline)
    try:
        message = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"frame is not valid JSON: {exc}"
        raise FrameError(msg) from exc
    if not isinstance(message, dict):
        msg = "frame is not a JSON object"
        raise FrameError(msg)
    return message


def _skip(fd: int, size: int, deadline: float | None) -> None:
    remaining = size
    while remaining:
        remaining -= len(_read_exact(fd, min(remaining, 1 << 20), deadline))


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks = []
    remaining = size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise FrameTimeout
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise FrameTimeout
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            msg = "the other side closed the pipe"
            raise FrameError(msg)
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
