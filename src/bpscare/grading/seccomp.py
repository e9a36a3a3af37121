"""A seccomp filter for the learner process: no new unix or netlink sockets.

Neither a network namespace nor Landlock stops ``connect()`` to a *pathname* unix socket of the
host (PostgreSQL's, a Docker or D-Bus socket). The learner process therefore installs, before
any learner code runs, a seccomp filter that makes ``socket(AF_UNIX, ...)`` and
``socket(AF_NETLINK, ...)`` fail with ``EACCES``: without a socket, nothing can be connected.
``socketpair`` (already-connected pairs, as ``multiprocessing`` uses) keeps working. Inside
bwrap no host socket path exists anyway; this closes the hole where bwrap is missing.
"""

from __future__ import annotations

import ctypes
import errno
import platform
from typing import Any

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
BPF_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
BPF_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
BPF_RET_K = 0x06  # BPF_RET | BPF_K
AF_UNIX, AF_NETLINK = 1, 16
#: machine -> (AUDIT_ARCH_*, the socket syscall's number)
ARCHES = {
    "x86_64": (0xC000003E, 41),
    "aarch64": (0xC00000B7, 198),
}


class _Filter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def program() -> list[tuple[int, int, int, int]] | None:
    """Return the filter's BPF instructions for this machine, or None if it is not supported."""
    arch = ARCHES.get(platform.machine())
    if arch is None:
        return None
    audit_arch, socket_nr = arch
    deny = SECCOMP_RET_ERRNO | errno.EACCES
    return [
        (BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (BPF_JEQ_K, 1, 0, audit_arch),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),  # another ABI: not this filter's business
        (BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (BPF_JGE_K, 5, 0, 0x40000000),  # x32 system calls: refused
        (BPF_JEQ_K, 0, 5, socket_nr),
        (BPF_LD_W_ABS, 0, 0, 16),  # args[0] (low 32 bits): the address family
        (BPF_JEQ_K, 2, 0, AF_UNIX),
        (BPF_JEQ_K, 1, 0, AF_NETLINK),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (BPF_RET_K, 0, 0, deny),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]


def deny_unix_sockets(libc: Any) -> str:
    """Install the filter in this process; return what took effect (or why not)."""
    instructions = program()
    if instructions is None:
        return f"no seccomp filter for {platform.machine()}: new unix sockets are allowed"
    filters = (_Filter * len(instructions))(*[_Filter(*i) for i in instructions])
    prog = _Program(len(instructions), ctypes.cast(filters, ctypes.POINTER(_Filter)))
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        return f"seccomp filter not applied (errno {ctypes.get_errno()})"
    return "seccomp: no new unix or netlink sockets (host unix sockets unreachable)"
