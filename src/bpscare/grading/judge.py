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
import contextlib
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import CodeType
from typing import Any

from bpscare.grading import transport
from bpscare.grading.learner import OutputSink, StreamWriter
from bpscare.grading.outputs import as_text, clean_output
from bpscare.grading.proxies import (
    LearnerError,
    LearnerFunction,
    LearnerObject,
    trusted_module,
)
from bpscare.grading.proxies import (
    flag as _flag,
)
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
_MISSING = object()


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
        self.sync: Callable[[], dict | None] = lambda: None
        self.callbacks: dict[int, Callable[..., Any]] = {}

    def pid(self) -> int:
        """Return the pid of the live learner process (starting and replaying it if needed)."""
        return int(self._get_sandbox().pid)

    def request(self, message: dict, deadline: float | None = None) -> dict:
        """Send a request to the learner process and return its reply (outputs replayed).

        The reply is untrusted data: only its value is used. Learner outputs reach the test
        cell as stdout/stderr text at most (never as ``execute_result``), under the cell's cap.
        A call back into a test's own function (a wrapper the test bound to a learner name)
        is answered here, in the judge, and the wait continues.
        """
        change = self.sync()
        if change:
            message = {**message, "sync": change}
        reply = self._get_sandbox().request(message, deadline or self.deadline, self._callback)
        if "oversized" in reply:
            _flag(self.flags, "gigantic output: the learner's reply was too large and was dropped")
            reply = {"exc": ["LearnerError", "OversizedReply", "the reply was too large"]}
        self.show(reply.get("outputs"))
        if reply.get("truncated"):
            _flag(self.flags, "gigantic output: the learner's output was cut")
        if reply.get("too_large"):
            _flag(self.flags, "an answer was too large to grade")
        return reply

    def show(self, outputs: Any) -> None:
        """Add a reply's outputs to the test cell's outputs, as text."""
        if self.sink is None or type(outputs) is not list:
            return
        for raw in outputs[:1000]:
            output = clean_output(raw)
            if output is not None:
                self.sink.stream(*as_text(output))
        if self.sink.truncated:
            _flag(self.flags, "gigantic output: the learner's output was cut")

    def _callback(self, reply: dict) -> dict:
        """Run a test's function that learner code called; return the answer for the learner."""
        self.show(reply.get("outputs"))
        function = self.callbacks.get(int(reply.get("callback", 0)))
        try:
            if function is None:
                msg = "this function of the tests is not available"
                raise RuntimeError(msg)
            args = [self.decode(a, "an argument") for a in reply.get("args", [])]
            kwargs = {str(k): self.decode(v, "an argument") for k, v in reply.get("kwargs", [])}
            return {"callback_value": self.encode(function(*args, **kwargs))}
        except (SandboxTimeout, SandboxCrash):
            raise
        except BaseException as exc:
            kind = type(exc).__name__ if type(exc).__module__ == "builtins" else "RuntimeError"
            return {"callback_exc": [kind, str(exc)[:2000]]}

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
            if callable(obj) and not isinstance(obj, type):  # a test's own function
                key = next((k for k, f in self.callbacks.items() if f is obj), 0)
                if not key:
                    key = len(self.callbacks) + 1
                    self.callbacks[key] = obj
                return ["CB", key, str(getattr(obj, "__name__", "function"))[:100]]
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


class Judge:
    """Run one notebook's test cells in a trusted namespace shared by its test cells.

    Names follow nbgrader's single namespace where it matters for its idioms. A name a test
    cell first *reads* that the learner defined is the learner's: it is fetched again for every
    test cell that reads it, and when a test deletes it (``del squares``), rebinds it
    (``squares = orig_squares``) or wraps it (``def squares(n): ...`` calling the original),
    the change is made in the learner's namespace before the next call into learner code, so
    the learner's other functions see it. A name a test cell first *binds* (``expected = ...``,
    ``from nose.tools import assert_equal``) is the test's: it is never fetched from the
    learner nor sent to it, so a learner's global of the same name reads nothing and shadows
    nothing.
    """

    def __init__(self, link: Link) -> None:
        self.link = link
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.test_owned: set[str] = set()
        self.learner_owned: set[str] = set()
        self.synced: dict[str, Any] = {}
        link.sync = self.pending_sync

    def pending_sync(self) -> dict | None:
        """Return the learner names the tests deleted or rebound since the last call, if any."""
        bind: list[list] = []
        delete: list[str] = []
        for name in sorted(self.learner_owned):
            current = self.namespace.get(name, _MISSING)
            if current is self.synced.get(name, _MISSING):
                continue
            self.synced[name] = current
            if current is _MISSING:
                delete.append(name)
                continue
            try:
                bind.append([name, self.link.encode(current)])
            except Exception:  # not something learner code could use: the test keeps it
                continue
        return {"bind": bind, "delete": delete} if bind or delete else None

    def _fetch(self, test: CompiledTest) -> None:
        wanted = sorted(
            name
            for name in test.loaded - BUILTIN_NAMES - self.test_owned - {"display"}
            if name in self.learner_owned or name not in test.first_bound
        )
        if wanted:
            reply = self.link.request({"op": "fetch", "names": wanted})
            values = reply.get("values")
            values = values if type(values) is dict else {}
            for name in wanted:
                if name in values:
                    value = self.link.decode(values[name], name, origin=name)
                    self.namespace[name] = value
                    self.synced[name] = value
                    self.learner_owned.add(name)
                elif name in self.learner_owned:  # the learner's code deleted it since
                    self.namespace.pop(name, None)
                    self.synced[name] = _MISSING
        self.test_owned |= test.bound - self.learner_owned

    def run(self, source: str, execution_count: int, timeout: float) -> list[dict]:
        """Execute one test cell; return its nbformat outputs (as a kernel would produce)."""
        sink = OutputSink()
        self.link.sink = sink
        self.link.deadline = time.monotonic() + timeout * CELL_BUDGET
        self.link.call_timeout = timeout
        try:
            test = compiled_test(source)
        except SyntaxError as exc:
            sink.add(_error_output(exc, _transform(source)))
            return sink.take()[0]
        old_out, old_err = sys.stdout, sys.stderr
        try:
            try:
                self._fetch(test)
                self.namespace.setdefault("display", _make_display(sink))
                sys.stdout = StreamWriter(sink, "stdout")
                sys.stderr = StreamWriter(sink, "stderr")
                value = _execute(test, self.namespace)
                if value is not None and not test.silent:
                    sink.add(_execute_result(value, execution_count))
            except (SandboxTimeout, SandboxCrash):
                raise
            except BaseException as exc:
                sink.add(_error_output(exc, test.code))
            sys.stdout, sys.stderr = old_out, old_err
            change = self.pending_sync()  # the learner's later cells see the tests' changes
            if change:
                self.link.sync = lambda: change
                try:
                    self.link.request({"op": "ping"})
                finally:
                    self.link.sync = self.pending_sync
        except (SandboxTimeout, SandboxCrash) as exc:
            sys.stdout, sys.stderr = old_out, old_err
            self.link.sink = None
            outputs = sink.take()[0]
            if isinstance(exc, SandboxTimeout):
                outputs.append(dict(TIMEOUT_OUTPUT))
            else:
                outputs.append(_crash_output(str(exc)))
            raise _CellAborted(outputs, exc) from None
        finally:
            sys.stdout, sys.stderr = old_out, old_err
            self.link.sink = None
        return sink.take()[0]


def _bound_before_loaded(tree: ast.Module) -> set[str]:
    """Return the names whose first occurrence in the cell (in source order) binds them."""
    first: dict[str, tuple[tuple[int, int], bool]] = {}

    def note(name: str, node: ast.AST, binds: bool) -> None:
        where = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        if name not in first or where < first[name][0]:
            first[name] = (where, binds)

    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            note(node.id, node, not isinstance(node.ctx, ast.Load))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            note(node.name, node, True)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                note((alias.asname or alias.name).split(".")[0], node, True)
    for node in ast.walk(tree):  # ``x = f(x)``/``x += 1`` read x before binding it
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            value = node.value
            if value is None:
                continue
            for sub in ast.walk(value):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                    where = first.get(sub.id)
                    if where is not None and where[1] and where[0][0] == node.lineno:
                        first[sub.id] = (where[0], False)
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                first[node.target.id] = ((node.lineno, node.col_offset), False)
    return {name for name, (_, binds) in first.items() if binds}


class _CellAborted(Exception):
    """A test cell stopped because the learner process died or timed out."""

    def __init__(self, outputs: list[dict], cause: BaseException) -> None:
        super().__init__(str(cause))
        self.outputs = outputs
        self.cause = cause


CellAborted = _CellAborted


@dataclass(frozen=True)
class CompiledTest:
    """A test cell's source, transformed, analysed and compiled once per worker process.

    Every submission of an assignment runs the same test sources: the worker compiles them
    before it forks the submission's judge (:func:`prepare_tests`), so each fork only executes.
    """

    code: str  # the source after IPython's input transformations
    silent: bool  # a trailing ``;`` hides the last expression's value, as in a kernel
    loaded: frozenset[str]
    bound: frozenset[str]
    first_bound: frozenset[str]
    body: CodeType | None  # every statement but a final expression
    last: CodeType | None  # the final expression, if the cell ends with one
    broken: bool = False  # parsed but does not compile (``return`` outside a function)


_COMPILED: dict[str, CompiledTest] = {}
_TOOLS: dict[str, Any] = {}


def compiled_test(source: str) -> CompiledTest:
    """Return the compiled form of a test cell's source (raises ``SyntaxError``)."""
    found = _COMPILED.get(source)
    if found is not None:
        return found
    code = _transform(source)
    tree = ast.parse(code, filename="<test cell>")
    loaded, bound = free_names(tree)
    first_bound = _bound_before_loaded(tree)
    try:
        body, last, broken = *_compile_parts(tree), False
    except Exception:  # it fails again when the cell runs, after its names were fetched
        body, last, broken = None, None, True
    test = CompiledTest(
        code=code,
        silent=code.rstrip().endswith(";"),
        loaded=frozenset(loaded),
        bound=frozenset(bound),
        first_bound=frozenset(first_bound),
        body=body,
        last=last,
        broken=broken,
    )
    if len(_COMPILED) > 1024:  # a long-lived worker that graded many assignments
        _COMPILED.clear()
    _COMPILED[source] = test
    return test


def prepare_tests(sources: Iterable[str]) -> None:
    """Compile test sources ahead (in the warm worker, so every judge fork inherits them)."""
    for source in sources:
        with contextlib.suppress(SyntaxError, ValueError):
            compiled_test(source)


def _transform(source: str) -> str:
    try:
        manager = _TOOLS.get("transformer")
        if manager is None:
            from IPython.core.inputtransformer2 import TransformerManager

            manager = _TOOLS["transformer"] = TransformerManager()
        return str(manager.transform_cell(source))
    except Exception:
        return source


def display_formatter() -> Any:
    """Return this process's IPython ``DisplayFormatter`` (built once: it costs ~5 ms)."""
    formatter = _TOOLS.get("formatter")
    if formatter is None:
        from IPython.core.formatters import DisplayFormatter

        formatter = _TOOLS["formatter"] = DisplayFormatter()
    return formatter


def _compile_parts(tree: ast.Module) -> tuple[CodeType | None, CodeType | None]:
    body = list(tree.body)
    tail = body[-1] if body else None
    last = tail if isinstance(tail, ast.Expr) else None
    if last is not None:
        body.pop()
    return (
        compile(ast.Module(body=body, type_ignores=[]), "<test cell>", "exec") if body else None,
        None if last is None else compile(ast.Expression(body=last.value), "<test cell>", "eval"),
    )


def _execute(test: CompiledTest, namespace: dict[str, Any]) -> Any:
    if test.broken:  # the compiler's error is raised afresh, where an uncached cell raises it
        return _execute_tree(ast.parse(test.code, filename="<test cell>"), namespace)
    if test.body is not None:
        exec(test.body, namespace)
    if test.last is None:
        return None
    return eval(test.last, namespace)


def _execute_tree(tree: ast.Module, namespace: dict[str, Any]) -> Any:
    body = list(tree.body)
    tail = body[-1] if body else None
    last = tail if isinstance(tail, ast.Expr) else None
    if last is not None:
        body.pop()
    if body:
        exec(compile(ast.Module(body=body, type_ignores=[]), "<test cell>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(body=last.value), "<test cell>", "eval"), namespace)


def _execute_result(value: Any, execution_count: int) -> dict:
    try:
        data, metadata = display_formatter().format(value)
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
        for obj in objs:
            data, metadata = display_formatter().format(obj)
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
