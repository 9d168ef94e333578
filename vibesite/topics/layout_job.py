"""The map layout computed in a forked child process while the build does other work.

In: the article vectors and ids, the previous build's map positions, and whether forking is
allowed. Out: ``MapLayout``, whose ``result()`` is exactly ``project_2d``'s output for those
inputs (the child runs the same function on the same arrays, so the bytes are the same).

A fresh t-SNE layout is the largest single cost of a cold build after embedding (jbranchaud-til,
1,871 articles: ~10 CPU-s of ~24 outside embedding; openTSNE runs on one thread so that it is
deterministic). It needs only the vectors, so the pipeline starts it as soon as they are known
and meanwhile computes related articles, the search index, the clusters and their names on the
other core; ``result()`` waits for it. A layout that keeps the previous positions (a warm
build) costs milliseconds and is computed in this process on demand, as is every layout when
forking is not allowed (``serve``, which runs threads of its own) or not possible.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType

import numpy as np

from vibesite.cores import die_with_parent, usable_cores
from vibesite.topics.cluster import unit
from vibesite.topics.projection import KEEP_SHARE, TSNE_MIN, project_2d


def layout_input(vectors: np.ndarray) -> np.ndarray:
    """The array the map is laid out from: unit rows, float32 (what build_topics uses)."""
    x = np.asarray(vectors, dtype=np.float32)
    return unit(x).astype(np.float32)


def fresh_layout(ids: Sequence[str], previous: Mapping[str, tuple[float, float]]) -> bool:
    """Whether project_2d lays the map out afresh with t-SNE, rather than keeping the previous
    positions (the same rule as project_2d; a wrong guess costs time, never a different map)."""
    n = len(ids)
    known = sum(1 for a in ids if a in previous)
    keeps = bool(previous) and known > 0 and known >= KEEP_SHARE * max(n, len(previous))
    return n >= TSNE_MIN and not keeps


class MapLayout:
    """``project_2d(layout_input(vectors), ids, random_state, previous)``, started in a forked
    child when that is a fresh t-SNE layout and ``background`` allows it; else computed by the
    first ``result()`` (also when the child fails). Use as a context manager: leaving it stops a
    child whose result nobody asked for (a failed build, or topics reused from the memo)."""

    def __init__(self, vectors: np.ndarray, ids: Sequence[str],
                 previous: Mapping[str, tuple[float, float]], random_state: int = 0,
                 background: bool = True) -> None:
        self.ids = tuple(ids)
        self._args = (layout_input(vectors), list(self.ids), random_state, dict(previous))
        self._child: BaseProcess | None = None
        self._xy: np.ndarray | None = None
        self.forked = (background and _can_fork() and usable_cores() > 1
                       and fresh_layout(ids, previous))  # a child computes it
        if self.forked:
            # fork: the child inherits the arrays (nothing is pickled on the way in) and runs
            # openTSNE and numpy on one thread; only the (n, 2) positions come back
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._child = context.Process(target=_child, args=(send, os.getpid(), self._args),
                                          daemon=True)
            self._child.start()
            send.close()

    def result(self) -> np.ndarray:
        """(n, 2) map positions; waits for the child if there is one."""
        if self._xy is None and self._child is not None:
            try:
                found = self._receive.recv()
            except (EOFError, OSError):  # the child died (killed, out of memory)
                found = None
            self.close()
            if isinstance(found, np.ndarray) and found.shape == (len(self.ids), 2):
                self._xy = found
        if self._xy is None:
            self._xy = _project(*self._args)
        return self._xy

    def close(self) -> None:
        """Stop the child, if it still runs."""
        if self._child is not None:
            self._child.kill()
            self._child.join()
            self._receive.close()
            self._child = None

    def __enter__(self) -> MapLayout:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def _project(x: np.ndarray, ids: list[str], random_state: int,
             previous: dict[str, tuple[float, float]]) -> np.ndarray:
    """project_2d with OpenMP on one thread, in the child and in this process alike: a forked
    child of a process whose OpenMP runtime started threads (scikit-learn's KMeans in an earlier
    build of ``serve`` or a test run; openTSNE's exact neighbours use it) hangs at the first
    parallel region of more than one thread, whose threads the fork did not copy."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="openmp"):
        return project_2d(x, ids, random_state, previous=previous)


def _child(send: Connection, parent: int, args: tuple) -> None:
    die_with_parent(parent)
    try:
        send.send(_project(*args))
    except Exception as exc:  # noqa: BLE001 - the parent computes it again, and raises
        send.send(repr(exc))
    finally:
        send.close()


def _can_fork() -> bool:
    """Forking a process that has threads is unsafe on macOS (render.py makes the same call)."""
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"
