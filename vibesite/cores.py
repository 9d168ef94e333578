"""How many cores the build may use, and what a forked worker does first.

In: nothing. Out: a core count; ``die_with_parent`` for worker processes.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def usable_cores() -> int:
    """The cores this process may run on (its affinity, e.g. a container's CPU set), not the
    machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def die_with_parent(parent: int) -> None:
    """In a forked worker: be killed when the process that forked it (``parent``) dies. An
    orphaned worker would keep the build lock's file (inherited) and its pipes open, and block
    every later build of the site. Linux only; elsewhere nothing happens."""
    with contextlib.suppress(OSError, AttributeError, TypeError):  # no prctl, or no libc
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
