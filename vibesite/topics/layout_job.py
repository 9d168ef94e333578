"""The map layout computed in a child process while the build does other work.

In: the article vectors and ids, the previous build's map positions, and whether a child is
allowed. Out: ``MapLayout``, whose ``result()`` is exactly ``project_2d``'s output for those
inputs (the child runs the same function on the same arrays, so the bytes are the same).

A fresh t-SNE layout is the largest single cost of a cold build after embedding
(jbranchaud-til, 1,871 articles: ~10 CPU-s of ~20 outside embedding). It needs only the
vectors, so the pipeline starts it as soon as they are known and meanwhile computes related
articles, the search index, the clusters and their names beside it;
``result()`` waits for it. A layout that keeps the previous positions (a warm build) costs
milliseconds and is computed in this process on demand, as is every layout when a child is
not allowed (``serve``) or fails.

The child is a fresh interpreter (``python -m vibesite.topics.layout_job``), not a fork: a fork
of a process whose OpenMP runtime has run a parallel region (scikit-learn's KMeans, openTSNE,
faiss: in an earlier build of the same process) hangs at its own first parallel region, since
the fork did not copy the runtime's threads. Starting it costs ~1.5 CPU-s of imports, on the
core the parent leaves free. Vectors go in and positions come back pickled through its pipes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
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
    """``project_2d(layout_input(vectors), ids, random_state, previous)``, started in a child
    process when that is a fresh t-SNE layout and ``background`` allows it; else computed by the
    first ``result()`` (also when the child fails). Use as a context manager: leaving it stops a
    child whose result nobody asked for (a failed build, or topics reused from the memo)."""

    def __init__(self, vectors: np.ndarray, ids: Sequence[str],
                 previous: Mapping[str, tuple[float, float]], random_state: int = 0,
                 background: bool = True) -> None:
        self.ids = tuple(ids)
        self._args = (layout_input(vectors), list(self.ids), random_state, dict(previous))
        self._child: subprocess.Popen[bytes] | None = None
        self._xy: np.ndarray | None = None
        self.forked = background and usable_cores() > 1 and fresh_layout(ids, previous)
        if self.forked:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            self._child = subprocess.Popen(
                [sys.executable, "-m", __name__, str(os.getpid())], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
            threading.Thread(target=self._send, args=(self._child,), daemon=True).start()

    def _send(self, child: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(OSError):  # the child died or was stopped: result() copes
            assert child.stdin is not None
            with child.stdin:
                pickle.dump(self._args, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)

    def result(self) -> np.ndarray:
        """(n, 2) map positions; waits for the child if there is one."""
        if self._xy is None and self._child is not None:
            assert self._child.stdout is not None
            try:
                found = pickle.loads(self._child.stdout.read())
            except Exception:  # noqa: BLE001 - a dead child: computed here instead
                found = None
            ok = self._child.wait() == 0
            self.close()
            if ok and isinstance(found, np.ndarray) and found.shape == (len(self.ids), 2):
                self._xy = found
        if self._xy is None:
            self._xy = _project(*self._args)
        return self._xy

    def close(self) -> None:
        """Stop the child, if it still runs."""
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            if self._child.stdout is not None:
                self._child.stdout.close()
            self._child = None

    def __enter__(self) -> MapLayout:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def _project(x: np.ndarray, ids: list[str], random_state: int,
             previous: dict[str, tuple[float, float]]) -> np.ndarray:
    """project_2d with OpenMP libraries limited to one thread unless told otherwise, here and
    in the child alike, so that both give the same bytes."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="openmp"):
        return project_2d(x, ids, random_state, previous=previous)


def _main(parent: int) -> None:
    """The child: arguments pickled on stdin, positions pickled on stdout."""
    die_with_parent(parent)
    args = pickle.load(sys.stdin.buffer)
    xy = _project(*args)
    sys.stdout.buffer.write(pickle.dumps(xy, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _main(int(sys.argv[1]))
