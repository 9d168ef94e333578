"""How many cores the build may use."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on (its affinity, e.g. a container's CPU set), not the
    machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
