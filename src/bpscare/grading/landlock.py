"""Landlock for the learner process: read-only system and Python folders, its own folder only.

Landlock (Linux >= 5.13) is applied by the learner process to itself, after the fork and before
any learner code runs. ABI >= 4 also denies TCP bind and connect; ABI >= 6 denies signals to
processes outside the sandbox and abstract unix sockets. A folder that contains the course or
the gradebook is never readable.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path
from typing import Any

PR_SET_NO_NEW_PRIVS = 38

# Landlock (include/uapi/linux/landlock.h)
LL_EXECUTE, LL_WRITE_FILE, LL_READ_FILE, LL_READ_DIR = 1, 2, 4, 8
LL_ALL_V1 = (1 << 13) - 1
LL_REFER, LL_TRUNCATE, LL_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
LL_FILE_ONLY = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV
SYS_LANDLOCK_CREATE, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT = 444, 445, 446
READ_ONLY_SYSTEM = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def readable_roots(workdir: Path, protected: tuple[str, ...]) -> list[str]:
    """Folders the learner may read: Python's installation, its import path, system folders.

    Any folder that contains a protected path (the course, the gradebook) is left out.
    """
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, *READ_ONLY_SYSTEM}
    for entry in sys.path:
        if entry and Path(entry).is_dir():
            candidates.add(entry)
    roots = []
    guarded = [Path(p).resolve() for p in protected]
    for candidate in sorted(candidates):
        path = Path(candidate).resolve()
        if not path.exists() or path == Path("/"):
            continue
        if any(g == path or path in g.parents for g in guarded):
            continue
        if path == workdir or workdir in path.parents or path in workdir.parents:
            continue
        roots.append(str(path))
    return roots


def apply_landlock(libc: Any, workdir: Path, limits: Any) -> str:
    """Apply the rule set to this process; return what took effect (or why not)."""
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    abi = syscall(SYS_LANDLOCK_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return "no Landlock in this kernel: file access limited by user permissions only"
    handled = LL_ALL_V1 | (LL_REFER if abi >= 2 else 0) | (LL_TRUNCATE if abi >= 3 else 0)
    handled |= LL_IOCTL_DEV if abi >= 5 else 0
    attr = _RulesetAttr(handled, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = syscall(SYS_LANDLOCK_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return f"Landlock unavailable (errno {ctypes.get_errno()})"
    read_only = LL_EXECUTE | LL_READ_FILE | LL_READ_DIR

    def allow(path: str, access: int) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        if not Path(path).is_dir():
            access &= LL_FILE_ONLY & handled
        rule = _PathBeneath(access & handled, fd)
        syscall(SYS_LANDLOCK_ADD_RULE, ruleset, 1, ctypes.byref(rule), 0)
        os.close(fd)

    for root in readable_roots(workdir, limits.protected):
        allow(root, read_only)
    for device in DEVICES:
        allow(device, LL_READ_FILE | LL_WRITE_FILE)
    allow(str(workdir), handled)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        os.close(ruleset)
        return "Landlock not applied (no_new_privs refused)"
    result = syscall(SYS_LANDLOCK_RESTRICT, ruleset, 0)
    os.close(ruleset)
    if result != 0:
        return f"Landlock not applied (errno {ctypes.get_errno()})"
    extra = ", TCP and outside signals denied" if abi >= 6 else ""
    return f"Landlock ABI {abi}: read-only system and Python folders, own folder only{extra}"
