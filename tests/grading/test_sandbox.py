"""The learner sandbox: bwrap, a fresh environment, no host socket, the judge's own limits."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from bpscare.errors import BpscareError
from bpscare.grading import transport, zygote
from bpscare.grading.judge import trusted_module
from bpscare.grading.outputs import as_text, clean_output, sanitize_outputs
from bpscare.grading.sandbox import Limits

SECRETS = {"PGPASSWORD": "SANDBOX-TEST-pg", "JUPYTERHUB_API_TOKEN": "SANDBOX-TEST-hub"}
needs_bwrap = pytest.mark.skipif(bool(zygote.bwrap_works()), reason=zygote.bwrap_works())


@pytest.fixture(scope="module")
def keeper():
    """A zygote started while the grader's environment holds secrets."""
    saved = {k: os.environ.get(k) for k in SECRETS}
    os.environ.update(SECRETS)
    try:
        client = zygote.ZygoteClient()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield client
    client.close()
    shutil.rmtree(client.scratch, ignore_errors=True)


def _run(keeper, code: str) -> str:
    """Run ``code`` in a fresh learner process of ``keeper``; return its stdout."""
    workdir = keeper.scratch_dir()
    (workdir / ".tmp").mkdir()
    previous, zygote._CLIENT = zygote._CLIENT, keeper
    try:
        box = zygote.Sandbox(workdir, Limits(timeout_cell=30))
        box.start()
        reply = box.request({"op": "exec", "code": code, "count": 1}, time.monotonic() + 30)
        box.stop()
    finally:
        zygote._CLIENT = previous
    return "".join(o.get("text", "") for o in reply["outputs"] if o["output_type"] == "stream")


@needs_bwrap
def test_learner_code_runs_as_65534_with_only_the_clean_environment(keeper):
    """Is the uid 65534 and /proc/self/environ free of the grader's secrets?"""
    out = _run(
        keeper,
        "import os\nprint(os.getuid(), os.geteuid(), os.getgid())\n"
        "print(open('/proc/self/environ').read().replace('\\0', ' '))\n"
        "print(open(f'/proc/{os.getppid()}/environ').read().replace('\\0', ' '))\n",
    )
    assert out.splitlines()[0] == "65534 65534 65534"
    assert "SANDBOX-TEST" not in out
    assert "PGPASSWORD" not in out
    names = {pair.split("=")[0] for pair in out.splitlines()[1].split()}
    assert names <= set(zygote.zygote_env()) | {"PWD"}
    assert keeper.sandboxed


@pytest.fixture(params=["bwrap", "no-bwrap"])
def any_keeper(request, keeper, monkeypatch):
    """The bwrap zygote, and one started where bwrap is missing (the fallback)."""
    if request.param == "bwrap":
        if zygote.bwrap_works():
            pytest.skip(zygote.bwrap_works())
        yield keeper
        return
    monkeypatch.setenv("BPSCARE_NO_BWRAP", "1")
    client = zygote.ZygoteClient()
    assert client.protections["sandbox"].startswith("WARNING: no bwrap")
    yield client
    client.close()
    shutil.rmtree(client.scratch, ignore_errors=True)


def test_a_host_unix_socket_cannot_be_reached(any_keeper, tmp_path):
    """Does connect() to a unix socket of a server on the host fail, with or without bwrap?"""
    keeper = any_keeper
    path = tmp_path / "host.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    path.chmod(0o777)
    server.listen(4)
    server.settimeout(0.2)
    accepted: list[bool] = []

    def serve() -> None:
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(True)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    out = _run(
        keeper,
        "import socket\n"
        f"try:\n    socket.socket(socket.AF_UNIX).connect({str(path)!r})\n    print('connected')\n"
        "except OSError as exc:\n    print('refused', exc.errno)\n",
    )
    probe = socket.socket(socket.AF_UNIX)  # the same connect from the host works: it is real
    probe.connect(str(path))
    probe.close()
    time.sleep(0.5)
    server.close()
    assert out.startswith("refused"), out
    assert accepted == [True]  # only the host's own probe


def test_without_bwrap_the_run_is_refused_when_the_sandbox_is_required(tmp_path, monkeypatch):
    """Does --require-sandbox refuse to grade (nothing written) when bwrap is missing?"""
    from bpscare.grading import autograde

    monkeypatch.setenv("BPSCARE_NO_BWRAP", "1")
    (tmp_path / "source").mkdir()
    with pytest.raises(BpscareError, match="refusing to grade: the sandbox is not available"):
        autograde(tmp_path, "a01", require_sandbox=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source"]


def test_the_judge_imports_only_allowlisted_modules():
    """Are fake or side-effect modules named like standard ones never imported?"""
    assert trusted_module("math") is sys.modules["math"]
    for name in ("this", "antigravity", "a01_helper", "os.path/../x", "bpscare_evil"):
        assert trusted_module(name) is None
        assert name not in sys.modules


def test_learner_outputs_reach_a_test_cell_as_text_only():
    """Is a learner's execute_result (a forged score) turned into stdout text?"""
    forged = {"output_type": "execute_result", "data": {"text/plain": "'full marks'"}}
    output = clean_output(forged)
    assert output is not None
    assert as_text(output) == ("stdout", "'full marks'\n")
    outputs, cut = sanitize_outputs([{"output_type": "bogus"}, {"output_type": "stream"}])
    assert cut is True
    assert outputs == [{"output_type": "stream", "name": "stdout", "text": ""}] or outputs == []


def test_the_output_cap_is_enforced_outside_the_learner():
    """Is a 30 MB stream cut to 1,000,000 characters by the judge side?"""
    outputs, cut = sanitize_outputs(
        [{"output_type": "stream", "name": "stdout", "text": "x" * 30_000_000}]
    )
    assert cut is True
    assert sum(len(o["text"]) for o in outputs) == 1_000_000


def test_an_oversized_reply_frame_is_dropped_unread(tmp_path):
    """Is a learner reply larger than the cap read past, never decoded?"""
    read_fd, write_fd = os.pipe()
    big = {"value": ["S", "9" * (transport.MAX_REPLY + 10)]}
    writer = threading.Thread(target=transport.send, args=(write_fd, big))
    writer.start()
    reply = transport.receive(read_fd, time.monotonic() + 60, transport.MAX_REPLY)
    writer.join()
    transport.send(write_fd, {"next": 1})
    assert set(reply) == {"oversized"}
    assert transport.receive(read_fd, time.monotonic() + 5, transport.MAX_REPLY) == {"next": 1}
    os.close(read_fd)
    os.close(write_fd)


def test_the_bwrap_command_binds_no_course_and_clears_the_environment(tmp_path):
    """Does the command bind only system, Python and scratch folders, with --clearenv?"""
    command = zygote.bwrap_command("/usr/bin/bwrap", str(tmp_path), ["python"])
    assert "--clearenv" in command
    assert "--unshare-all" in command
    assert command[command.index("--uid") + 1] == "65534"
    bound = [command[i + 1] for i, arg in enumerate(command) if arg in ("--bind", "--ro-bind")]
    repo = Path(__file__).resolve().parents[2]
    assert str(repo) not in bound
    assert "/etc" not in bound
    assert "/" not in bound
    assert str(repo / "autograders") not in bound
    assert [command[i + 1] for i, arg in enumerate(command) if arg == "--bind"] == [str(tmp_path)]


SCAN = """import gc


def scan():
    needle = "SECRET-" + "EXPECTED-4242"
    return any(type(o) is str and needle in o for o in gc.get_objects()) or any(
        needle in v
        for o in gc.get_objects()
        if type(o) is dict
        for v in list(o.values())
        if type(v) is str
    )
"""


def _job(learner_cells: list[str], test_source: str) -> dict:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code) for code in learner_cells]
    test = nbformat.v4.new_code_cell(test_source)
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    nb.cells.append(test)
    return {
        "student": "s",
        "notebooks": {"n.ipynb": nbformat.writes(nb)},
        "tests": {"n.ipynb": {"t": test_source}},
        "files": {},
        "limits": Limits(timeout_cell=30).to_dict(),
    }


def _test_output(job: dict) -> str:
    import json

    from bpscare.grading import runner

    result = runner.run_job(job)
    nb = json.loads(result["notebooks"]["n.ipynb"])
    return json.dumps(nb["cells"][-1]["outputs"])


def test_the_learner_process_never_holds_the_tests_while_they_run():
    """Does a gc scan in learner code, called BY the test, miss the test's expected value?"""
    test = (
        'expected = "SECRET-EXPECTED-4242"\nprint("FOUND" if scan() else "CLEAN", expected[:6])\n'
    )
    assert "CLEAN SECRET" in _test_output(_job([SCAN], test))
    # the same scan finds the value when it really is in the learner's process
    planted = _job([SCAN, 'mine = "SECRET-" + "EXPECTED-4242"'], test)
    assert "FOUND SECRET" in _test_output(planted)
