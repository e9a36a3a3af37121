"""The learner side of the sandbox: run learner cells in an IPython shell and answer the judge.

This code runs only inside the sandboxed child (after its limits are applied). It executes
learner cells with :class:`IPython.core.interactiveshell.InteractiveShell`, so magics, the
displayhook and ``execute_result`` behave as in a kernel, and it answers the judge's requests
(fetch a name, call a function, read an attribute) with plain data (see
:mod:`bpscare.grading.transport`). It never sees a test cell.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from bpscare.grading import transport

#: Characters of stream output kept per cell (nbgrader's LimitOutput then trims to 1000 lines).
MAX_OUTPUT_CHARS = 1_000_000
MAX_DISPLAY_ITEMS = 200

SAFE_EXCEPTIONS = frozenset(
    name
    for name in dir(builtins)
    if isinstance(getattr(builtins, name), type) and issubclass(getattr(builtins, name), Exception)
)


class OutputSink:
    """Collect a cell's outputs in nbformat order (streams merged), with a size cap."""

    def __init__(self) -> None:
        self.outputs: list[dict] = []
        self.chars = 0
        self.truncated = False

    def stream(self, name: str, text: str) -> None:
        """Append stream text, merging with a preceding stream of the same name."""
        if not text:
            return
        if self.chars >= MAX_OUTPUT_CHARS:
            self.truncated = True
            return
        text = text[: MAX_OUTPUT_CHARS - self.chars]
        if len(text) < 1:
            return
        self.chars += len(text)
        if self.chars >= MAX_OUTPUT_CHARS:
            self.truncated = True
        last = self.outputs[-1] if self.outputs else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def add(self, output: dict) -> None:
        """Append a display_data, execute_result or error output."""
        if len(self.outputs) >= MAX_DISPLAY_ITEMS:
            self.truncated = True
            return
        size = sum(len(str(v)) for v in output.get("data", {}).values())
        if self.chars + size > MAX_OUTPUT_CHARS:
            self.truncated = True
            return
        self.chars += size
        self.outputs.append(output)

    def take(self) -> tuple[list[dict], bool]:
        """Return the outputs so far and whether any were cut, and start afresh."""
        outputs, truncated = self.outputs, self.truncated
        self.outputs, self.chars, self.truncated = [], 0, False
        return outputs, truncated


class StreamWriter(io.TextIOBase):
    """A text stream that sends everything written to an :class:`OutputSink`."""

    def __init__(self, sink: OutputSink, name: str) -> None:
        super().__init__()
        self._sink = sink
        self._name = name

    def writable(self) -> bool:
        """Say the stream accepts writes."""
        return True

    def write(self, text: str) -> int:
        """Record ``text`` as stream output."""
        if not isinstance(text, str):
            text = str(text)
        self._sink.stream(self._name, text)
        return len(text)

    def isatty(self) -> bool:
        """Say this is not a terminal (as in a kernel)."""
        return False

    encoding = "utf-8"  # the stream's encoding, as a kernel's


def make_shell() -> Any:
    """Create the IPython shell whose outputs go to an :class:`OutputSink` (done in the zygote)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    sink = OutputSink()

    class SinkDisplayHook(DisplayHook):
        def start_displayhook(self) -> None:
            self.msg: dict[str, Any] = {}

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: dict, md_dict: dict | None = None) -> None:
            sink.add(
                {
                    "output_type": "execute_result",
                    "execution_count": getattr(self.shell, "execution_count", None),
                    "data": dict(format_dict),
                    "metadata": dict(md_dict or {}),
                }
            )

        def finish_displayhook(self) -> None:
            pass

    class SinkDisplayPublisher(DisplayPublisher):
        def publish(
            self,
            data: Any,
            metadata: Any = None,
            source: Any = None,
            *,
            transient: Any = None,
            update: Any = False,
            **kwargs: Any,
        ) -> None:
            sink.add(
                {
                    "output_type": "display_data",
                    "data": dict(data),
                    "metadata": dict(metadata or {}),
                }
            )

        def clear_output(self, wait: bool = False) -> None:
            sink.outputs.clear()

    class SandboxShell(InteractiveShell):
        sink: OutputSink

        def init_displayhook(self) -> None:
            self.displayhook = SinkDisplayHook(shell=self, cache_size=self.cache_size)
            self.configurables.append(self.displayhook)  # type: ignore[arg-type]
            self.display_trap = __import__(
                "IPython.core.display_trap", fromlist=["DisplayTrap"]
            ).DisplayTrap(hook=self.displayhook)

        def init_display_pub(self) -> None:
            self.display_pub = SinkDisplayPublisher(shell=self)
            self.configurables.append(self.display_pub)  # type: ignore[arg-type]

        def _showtraceback(self, etype: Any, evalue: Any, stb: list[str]) -> None:
            sink.add(
                {
                    "output_type": "error",
                    "ename": getattr(etype, "__name__", str(etype)),
                    "evalue": str(evalue),
                    "traceback": list(stb),
                }
            )

        def ask_exit(self) -> None:
            # exit()/quit() in a cell would end a kernel; here they are ignored (graded on).
            pass

    shell = SandboxShell(colors="NoColor", history_length=0)
    if shell.history_manager is not None:
        shell.history_manager.enabled = False
    shell.sink = sink
    with contextlib.suppress(Exception):
        shell.enable_matplotlib("inline")
    return shell


class LearnerServer:
    """Answer the judge's requests inside the sandboxed child."""

    def __init__(self, shell: Any, fd_in: int, fd_out: int) -> None:
        self.shell = shell
        self.sink: OutputSink = shell.sink
        self.fd_in = fd_in
        self.fd_out = fd_out
        self.handles: dict[int, Any] = {}

    # --- encoding of learner values ------------------------------------------------------

    def _other(self, value: Any, reason: str) -> list:
        key = len(self.handles) + 1
        self.handles[key] = value
        kind = type(value)
        name = f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', '?')}"
        if reason == "not plain data" and callable(value) and not _is_plain_subclass(kind):
            return ["FN", key, getattr(value, "__name__", name) if _is_function(value) else name]
        if _is_plain_subclass(kind):
            reason = "a subclass of a plain type (its comparisons cannot be trusted)"
        return ["H", key, name, reason]

    def encode(self, value: Any) -> tuple[list, bool]:
        """Encode a learner value; say whether it had to be cut for size."""
        encoder = transport.Encoder(self._other)
        return encoder.encode(value), encoder.too_large

    def decode(self, tagged: list) -> Any:
        """Decode arguments sent by the judge (plain data and references to our own objects)."""

        def no_callable(key: int, name: str, *_details: str) -> Any:
            msg = "the grader cannot pass a function to learner code"
            raise TypeError(msg)

        return transport.decode(
            tagged,
            on_function=no_callable,
            on_handle=no_callable,
            on_module=lambda name: sys.modules.get(name) or __import__(name),
            on_ref=lambda key: self.handles[key],
            on_callback=self._judge_function,
        )

    def _judge_function(self, key: int, name: str) -> Callable[..., Any]:
        """Return a function that, when learner code calls it, runs a test's function."""
        server = self

        def judge_function(*args: Any, **kwargs: Any) -> Any:
            return server.call_judge(key, args, kwargs)

        judge_function.__name__ = judge_function.__qualname__ = name
        return judge_function

    def call_judge(self, key: int, args: tuple, kwargs: dict) -> Any:
        """Ask the judge to run its function ``key``; serve its requests until it answers."""
        encoded = [self.encode(a)[0] for a in args]
        named = [[k, self.encode(v)[0]] for k, v in kwargs.items()]
        transport.send(self.fd_out, {"callback": key, "args": encoded, "kwargs": named})
        while True:
            request = transport.receive(self.fd_in)
            if "callback_value" in request:
                return self.decode(request["callback_value"])
            if "callback_exc" in request:
                kind, message = request["callback_exc"]
                exc_type = getattr(builtins, str(kind), None)
                if isinstance(exc_type, type) and issubclass(exc_type, Exception):
                    raise exc_type(str(message))
                raise RuntimeError(str(message))
            self.handle(request)

    def apply_sync(self, change: Any) -> None:
        """Apply the tests' deletions and rebindings of learner names (nbgrader's idioms)."""
        if not isinstance(change, dict):
            return
        namespace = self.shell.user_ns
        for name in change.get("delete", []):
            namespace.pop(str(name), None)
        for name, tagged in change.get("bind", []):
            namespace[str(name)] = self.decode(tagged)

    # --- the loop ------------------------------------------------------------------------

    def serve(self) -> None:
        """Handle requests until the judge closes the pipe."""
        while True:
            try:
                request = transport.receive(self.fd_in)
            except transport.FrameError:
                return
            self.handle(request)

    def handle(self, request: dict) -> None:
        """Answer one request of the judge."""
        op = request.get("op")
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            transport.send(self.fd_out, {"error": f"unknown request {op!r}"})
            return
        try:
            self.apply_sync(request.get("sync"))
            reply = handler(request)
        except Exception as exc:  # a stale reference or a malformed request
            reply = {"exc": ["LearnerError", type(exc).__name__, _safe_str(exc)], "outputs": []}
        transport.send(self.fd_out, reply)

    def _capture(self) -> None:
        sys.stdout = StreamWriter(self.sink, "stdout")
        sys.stderr = StreamWriter(self.sink, "stderr")

    def op_exec(self, request: dict) -> dict:
        """Run one learner cell and return its outputs."""
        self._capture()
        self.shell.execution_count = int(request.get("count", self.shell.execution_count))
        start = time.monotonic()
        result = self.shell.run_cell(request["code"], store_history=True, silent=False)
        outputs, truncated = self.sink.take()
        return {
            "outputs": outputs,
            "truncated": truncated,
            "failed": not result.success,
            "seconds": time.monotonic() - start,
        }

    def op_fetch(self, request: dict) -> dict:
        """Return the learner's values for the names a test cell needs."""
        self._capture()
        values: dict[str, list] = {}
        cut = []
        namespace = self.shell.user_ns
        for name in request["names"]:
            if name in namespace and not name.startswith("_ih") and name not in ("In", "Out"):
                try:
                    values[name], too_large = self.encode(namespace[name])
                except Exception as exc:
                    values[name] = self._other(namespace[name], f"cannot be read: {exc!r:.80}")
                    too_large = False
                if too_large:
                    cut.append(name)
        self.sink.take()
        return {"values": values, "too_large": cut}

    def _answer(self, work: Callable[[], Any]) -> dict:
        self._capture()
        try:
            value = work()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
                kind = "LearnerError"
            else:
                kind = type(exc).__name__ if type(exc).__name__ in SAFE_EXCEPTIONS else ""
            outputs, truncated = self.sink.take()
            return {
                "exc": [kind or "LearnerError", type(exc).__name__, _safe_str(exc)],
                "outputs": outputs,
                "truncated": truncated,
            }
        try:
            encoded, too_large = self.encode(value)
        except Exception as exc:
            encoded, too_large = self._other(value, f"cannot be read: {exc!r:.80}"), False
        outputs, truncated = self.sink.take()
        return {
            "value": encoded,
            "too_large": too_large,
            "outputs": outputs,
            "truncated": truncated,
        }

    def op_call(self, request: dict) -> dict:
        """Call a learner function with plain-data arguments."""
        target = self.handles[int(request["ref"])]
        args = [self.decode(a) for a in request.get("args", [])]
        kwargs = {str(k): self.decode(v) for k, v in request.get("kwargs", [])}
        return self._answer(lambda: target(*args, **kwargs))

    def op_getattr(self, request: dict) -> dict:
        """Read an attribute of a learner object."""
        target = self.handles[int(request["ref"])]
        return self._answer(lambda: getattr(target, str(request["name"])))

    def op_getitem(self, request: dict) -> dict:
        """Index a learner object."""
        target = self.handles[int(request["ref"])]
        key = self.decode(request["key"])
        return self._answer(lambda: target[key])

    def op_ping(self, request: dict) -> dict:
        """Say the child is alive."""
        return {"pong": os.getpid()}


def _is_function(value: Any) -> bool:
    import types

    return type(value) in (
        types.FunctionType,
        types.BuiltinFunctionType,
        types.MethodType,
        types.BuiltinMethodType,
    )


def _is_plain_subclass(kind: type) -> bool:
    plain = (int, float, str, bytes, bool, complex, list, tuple, dict, set, frozenset)
    try:
        return any(issubclass(kind, p) for p in plain)
    except TypeError:
        return False


def _safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = "".join(traceback.format_exception_only(type(exc), None)).strip()
    return text[:2000] if type(text) is str else "?"
