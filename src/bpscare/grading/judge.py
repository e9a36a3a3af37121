"""Run autograder test cells in the trusted process, on learner answers passed out as data.

A test cell never runs in the learner's process. Each free name it loads (found by AST
analysis) that no test cell defines is fetched from the learner's process: plain data arrives
as data (exact types, see :mod:`bpscare.grading.transport`), learner functions arrive as
:class:`LearnerFunction` proxies whose calls run in the learner's process under the cell's
deadline, and anything else arrives as a :class:`LearnerObject` that compares unequal to
everything. So monkeypatching ``math.isclose``, builtins, ``unittest``, ``Checks`` or IPython in
the learner's process changes nothing here, and printed "All tests passed" text is only text.

Outputs follow a kernel's: stdout/stderr streams, the last expression's ``execute_result``
(nbgrader reads a number there as partial credit), and an ``error`` output on an exception.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.util
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bpscare.grading import transport
from bpscare.grading.learner import OutputSink, StreamWriter
from bpscare.grading.sandbox import SandboxCrash, SandboxTimeout

TIMEOUT_OUTPUT = {
    "output_type": "error",
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"],
}
#: A test cell may run this many times ``timeout_cell`` in total (each call into learner code
#: gets ``timeout_cell``), so one endless loop fails one check, not the whole cell.
CELL_BUDGET = 4
BUILTIN_NAMES = frozenset(dir(builtins)) | {"__builtins__", "__name__", "__doc__"}


class LearnerError(Exception):
    """An exception raised by learner code that is not a builtin exception type."""


class LearnerValueError(TypeError):
    """A learner's answer is not plain data, so it cannot be used as a value."""


def free_names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Return (names the code loads, names it binds), at any depth."""
    loaded: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            loaded.update(node.names)
    return loaded, bound


class Link:
    """The judge's side of the pipe to the learner process, for one test cell at a time."""

    def __init__(self, get_sandbox: Callable[[], Any], flags: list[str]) -> None:
        self._get_sandbox = get_sandbox
        self.deadline = 0.0
        self.call_timeout = 30.0
        self.sink: OutputSink | None = None
        self.flags = flags

    def pid(self) -> int:
        """Return the pid of the live learner process (starting and replaying it if needed)."""
        return int(self._get_sandbox().pid)

    def request(self, message: dict, deadline: float | None = None) -> dict:
        """Send a request to the learner process and return its reply (outputs replayed)."""
        reply = self._get_sandbox().request(message, deadline or self.deadline)
        if self.sink is not None:
            for output in reply.get("outputs", []):
                if output.get("output_type") == "stream":
                    self.sink.stream(str(output.get("name")), str(output.get("text", "")))
                else:
                    self.sink.add(output)
        if reply.get("truncated"):
            _flag(self.flags, "gigantic output: the learner's output was cut")
        if reply.get("too_large"):
            _flag(self.flags, "an answer was too large to grade")
        return reply

    def decode(self, tagged: list, what: str, origin: str = "") -> Any:
        """Turn a learner value into trusted data or a proxy.

        ``origin`` is the global name the value was fetched as: a proxy that knows it can be
        found again after the learner's process restarts.
        """
        top = origin if isinstance(tagged, list) and tagged[:1] in (["FN"], ["H"]) else ""
        return transport.decode(
            tagged,
            on_function=lambda key, name: LearnerFunction(self, key, name, top),
            on_handle=lambda key, kind, reason: self._handle(key, kind, reason, what, top),
            on_module=lambda name: (
                trusted_module(name)
                or LearnerObject(self, 0, f"module {name}", "a module the grader cannot load", what)
            ),
        )

    def _handle(self, key: int, kind: str, reason: str, what: str, origin: str) -> LearnerObject:
        _flag(self.flags, f"not plain data: {what} is a {kind} object ({reason})")
        return LearnerObject(self, key, kind, reason, what, origin)

    def resolve(self, proxy: Any) -> int:
        """Return the proxy's key in the live learner process, finding it again after a restart."""
        pid = self.pid()
        if object.__getattribute__(proxy, "_pid") == pid:
            return int(object.__getattribute__(proxy, "_key"))
        origin = object.__getattribute__(proxy, "_origin")
        if origin:
            reply = self.request({"op": "fetch", "names": [origin]})
            tagged = reply.get("values", {}).get(origin)
            if isinstance(tagged, list) and tagged[:1] in (["FN"], ["H"]):
                object.__setattr__(proxy, "_key", int(tagged[1]))
                object.__setattr__(proxy, "_pid", pid)
                return int(tagged[1])
        msg = "this learner object was lost when the learner's process restarted"
        raise LearnerError(msg)

    def remote(self, proxy: Any, op: str, what: str, **fields: Any) -> Any:
        """Run one operation on a learner object under the per-call time limit.

        A call that runs too long raises ``TimeoutError``, one that kills the learner's
        process raises ``LearnerError``: ordinary exceptions, so the test cell's other checks
        still run (the learner's process is restarted and replayed for them). Only the test
        cell's own, larger budget aborts the whole cell.
        """
        try:
            message = {"op": op, "ref": self.resolve(proxy)}
            for name, value in fields.items():
                if name == "args":
                    message[name] = [self.encode(v) for v in value]
                elif name == "kwargs":
                    message[name] = [[k, self.encode(v)] for k, v in value.items()]
                elif name == "key":
                    message[name] = self.encode(value)
                else:
                    message[name] = value
            deadline = min(self.deadline, time.monotonic() + self.call_timeout)
            reply = self.request(message, deadline)
        except SandboxTimeout:
            if time.monotonic() >= self.deadline:
                raise
            _flag(self.flags, f"timeout: learner code ran longer than {self.call_timeout:g} s")
            msg = f"the learner's code did not finish within {self.call_timeout:g} s"
            raise TimeoutError(msg) from None
        except SandboxCrash as exc:
            _flag(self.flags, f"crash: {exc}")
            msg = f"the learner's code stopped: {exc}"
            raise LearnerError(msg) from None
        return self.result(reply, what)

    def encode(self, value: Any) -> list:
        """Encode a trusted argument for the learner process (proxies become references)."""

        def other(obj: Any, reason: str) -> list:
            if type(obj) in (LearnerFunction, LearnerObject):
                return ["REF", self.resolve(obj)]
            msg = f"the grader cannot pass a {type(obj).__name__} to learner code ({reason})"
            raise TypeError(msg)

        return transport.Encoder(other).encode(value)

    def result(self, reply: dict, what: str) -> Any:
        """Return a call's value, or raise the matching builtin exception."""
        if "exc" in reply:
            kind, original, message = reply["exc"]
            exc_type = getattr(builtins, str(kind), None)
            if (
                isinstance(exc_type, type)
                and issubclass(exc_type, Exception)
                and exc_type.__module__ == "builtins"
            ):
                raise exc_type(str(message))
            msg = f"{original}: {message}"
            raise LearnerError(msg)
        return self.decode(reply["value"], what)


def trusted_module(name: str) -> Any:
    """Return the grader's own copy of a module the learner referenced, if it is safe to load."""
    if name in sys.modules:
        return sys.modules[name]
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None) if spec else None
    if not origin:
        return None
    roots = [Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    here = Path(origin).resolve()
    if origin not in ("built-in", "frozen") and not any(r in here.parents for r in roots):
        return None
    return importlib.import_module(name)


class LearnerFunction:
    """A learner function: calling it runs it in the learner's process, on plain data."""

    __slots__ = ("__name__", "_key", "_link", "_origin", "_pid")

    def __init__(self, link: Link, key: int, name: str, origin: str = "") -> None:
        self._link = link
        self._key = key
        self._origin = origin
        self._pid = link.pid()
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the learner's function remotely and return its plain-data result."""
        return self._link.remote(
            self, "call", f"the result of {self.__name__}()", args=args, kwargs=kwargs
        )

    def __repr__(self) -> str:
        return f"<learner function {self.__name__}>"


class LearnerObject:
    """A learner value that is not plain data: it stays in the learner's process.

    It compares unequal to everything and refuses truth, length, numbers and iteration, so it
    can never satisfy a check; attribute reads and calls go to the learner's process.
    """

    __slots__ = ("_key", "_kind", "_link", "_origin", "_pid", "_reason", "_what")

    def __init__(
        self, link: Link, key: int, kind: str, reason: str, what: str, origin: str = ""
    ) -> None:
        for name, value in (
            ("_link", link),
            ("_key", key),
            ("_kind", kind),
            ("_reason", reason),
            ("_what", what),
            ("_origin", origin),
            ("_pid", link.pid() if key else 0),
        ):
            object.__setattr__(self, name, value)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        what = object.__getattribute__(self, "_what")
        kind = object.__getattribute__(self, "_kind")
        reason = object.__getattribute__(self, "_reason")
        text = f"{what} is a {kind} object ({reason}); answers must be plain data"
        _flag(object.__getattribute__(self, "_link").flags, f"not plain data: {text}")
        raise LearnerValueError(text)

    def __eq__(self, other: object) -> bool:
        self._note()
        return False

    def __ne__(self, other: object) -> bool:
        self._note()
        return True

    def _note(self) -> None:
        what = object.__getattribute__(self, "_what")
        kind = object.__getattribute__(self, "_kind")
        reason = object.__getattribute__(self, "_reason")
        _flag(
            object.__getattribute__(self, "_link").flags,
            f"not plain data: {what} is a {kind} object ({reason})",
        )

    __hash__ = object.__hash__
    __bool__ = __len__ = __iter__ = __float__ = __int__ = __index__ = __complex__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __contains__ = __round__ = __abs__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _refuse

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or object.__getattribute__(self, "_key") == 0:
            raise AttributeError(name)
        link: Link = object.__getattribute__(self, "_link")
        what = f"{object.__getattribute__(self, '_what')}.{name}"
        return link.remote(self, "getattr", what, name=name)

    def __getitem__(self, key: Any) -> Any:
        link: Link = object.__getattribute__(self, "_link")
        what = f"{object.__getattribute__(self, '_what')}[...]"
        return link.remote(self, "getitem", what, key=key)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the learner object in the learner's process."""
        if object.__getattribute__(self, "_key") == 0:
            self._refuse()
        link: Link = object.__getattribute__(self, "_link")
        what = f"the result of {object.__getattribute__(self, '_what')}()"
        return link.remote(self, "call", what, args=args, kwargs=kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        self._refuse()

    def __repr__(self) -> str:
        kind = object.__getattribute__(self, "_kind")
        return f"<learner {kind} object: not plain data>"


def _flag(flags: list[str], text: str) -> None:
    if text not in flags:
        flags.append(text)


class Judge:
    """Run one notebook's test cells in a trusted namespace shared by its test cells."""

    def __init__(self, link: Link) -> None:
        self.link = link
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.test_bound: set[str] = set()
        self.from_learner: set[str] = set()

    def run(self, source: str, execution_count: int, timeout: float) -> list[dict]:
        """Execute one test cell; return its nbformat outputs (as a kernel would produce)."""
        sink = OutputSink()
        self.link.sink = sink
        self.link.deadline = time.monotonic() + timeout * CELL_BUDGET
        self.link.call_timeout = timeout
        code = _transform(source)
        try:
            tree = ast.parse(code, filename="<test cell>")
        except SyntaxError as exc:
            sink.add(_error_output(exc, code))
            return sink.take()[0]
        loaded, bound = free_names(tree)
        self.test_bound |= bound
        wanted = sorted(loaded - BUILTIN_NAMES - self.test_bound - {"display"})
        old_out, old_err = sys.stdout, sys.stderr
        try:
            if wanted:
                reply = self.link.request({"op": "fetch", "names": wanted})
                for name in self.from_learner - set(reply["values"]):
                    self.namespace.pop(name, None)
                for name, tagged in reply["values"].items():
                    if name in wanted:
                        self.namespace[name] = self.link.decode(tagged, name, origin=name)
                        self.from_learner.add(name)
            self.namespace.setdefault("display", _make_display(sink))
            sys.stdout = StreamWriter(sink, "stdout")
            sys.stderr = StreamWriter(sink, "stderr")
            value = _execute(tree, self.namespace)
            if value is not None and not code.rstrip().endswith(";"):
                sink.add(_execute_result(value, execution_count))
        except (SandboxTimeout, SandboxCrash) as exc:
            sys.stdout, sys.stderr = old_out, old_err
            self.link.sink = None
            outputs = sink.take()[0]
            if isinstance(exc, SandboxTimeout):
                outputs.append(dict(TIMEOUT_OUTPUT))
            else:
                outputs.append(_crash_output(str(exc)))
            raise _CellAborted(outputs, exc) from None
        except BaseException as exc:
            sink.add(_error_output(exc, code))
        finally:
            sys.stdout, sys.stderr = old_out, old_err
            self.link.sink = None
        return sink.take()[0]


class _CellAborted(Exception):
    """A test cell stopped because the learner process died or timed out."""

    def __init__(self, outputs: list[dict], cause: BaseException) -> None:
        super().__init__(str(cause))
        self.outputs = outputs
        self.cause = cause


CellAborted = _CellAborted


def _transform(source: str) -> str:
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:
        return source


def _execute(tree: ast.Module, namespace: dict[str, Any]) -> Any:
    body = list(tree.body)
    tail = body[-1] if body else None
    last = tail if isinstance(tail, ast.Expr) else None
    if last is not None:
        body.pop()
    if body:
        module = ast.Module(body=body, type_ignores=[])
        exec(compile(module, "<test cell>", "exec"), namespace)
    if last is None:
        return None
    expression = ast.Expression(body=last.value)
    return eval(compile(expression, "<test cell>", "eval"), namespace)


def _execute_result(value: Any, execution_count: int) -> dict:
    try:
        from IPython.core.formatters import DisplayFormatter

        data, metadata = DisplayFormatter().format(value)
    except Exception:
        data, metadata = {"text/plain": repr(value)}, {}
    return {
        "output_type": "execute_result",
        "execution_count": execution_count,
        "data": data,
        "metadata": metadata,
    }


def _make_display(sink: OutputSink) -> Callable[..., None]:
    def display(*objs: Any, **kwargs: Any) -> None:
        from IPython.core.formatters import DisplayFormatter

        for obj in objs:
            data, metadata = DisplayFormatter().format(obj)
            sink.add({"output_type": "display_data", "data": data, "metadata": metadata})

    return display


def _error_output(exc: BaseException, code: str) -> dict:
    lines = code.splitlines()
    frames = [
        f"  Cell line {frame.lineno}: {lines[frame.lineno - 1].strip()}"
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == "<test cell>" and frame.lineno and 0 < frame.lineno <= len(lines)
    ]
    name = type(exc).__name__
    text = str(exc)
    return {
        "output_type": "error",
        "ename": name,
        "evalue": text,
        "traceback": ["Traceback (most recent call last):", *frames, f"{name}: {text}"],
    }


def _crash_output(reason: str) -> dict:
    return {
        "output_type": "error",
        "ename": "SandboxError",
        "evalue": f"the learner's code stopped while this cell was graded: {reason}",
        "traceback": [
            f"SandboxError: the learner's code stopped while this cell was graded: {reason}"
        ],
    }
