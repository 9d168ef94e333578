"""One build of a site at a time: an OS file lock in the cache folder.

A second build of the same site (same ``cache_dir``) waits for the first, saying so on
stderr. The lock is ``flock`` on ``<cache_dir>/build.lock``: the OS releases it when its
holder exits in any way, ``kill -9`` included, so a stale lock never blocks a build. The file
holds the holder's pid, for the waiting message only.
"""

from __future__ import annotations

import fcntl
import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar

LOCK_FILE = "build.lock"


class LockError(Exception):
    """The lock file cannot be created (the cache folder is not writable)."""


@contextmanager
def site_lock(cache_dir: Path) -> Iterator[None]:
    """Hold the site's build lock for the ``with`` block, waiting while another build holds it."""
    path = cache_dir / LOCK_FILE
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LockError(f"cannot create the build lock {path}: {exc.strerror}; make sure the "
                        f"cache folder {cache_dir} can be created and written, or set cache_dir "
                        "in vibesite.toml") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            print(f"waiting for another build of this site{who} to finish...",
                  file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


class _HasCacheDir(Protocol):
    cache_dir: Path


P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=_HasCacheDir)


def holding_site_lock(func: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
    """Decorate ``func(config, ...)`` to run under the build lock of ``config.cache_dir``."""

    @functools.wraps(func)
    def locked(config: C, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with site_lock(config.cache_dir):
            return func(config, *args, **kwargs)

    return locked
