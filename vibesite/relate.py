"""Stage 4: the exact top-k most similar articles of every article (cosine)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Related:
    neighbours: np.ndarray  # (n, k) int indices into the article list, best first
    scores: np.ndarray  # (n, k) float32 cosine similarities

    def of(self, index: int) -> list[tuple[int, float]]:
        return [(int(j), float(s)) for j, s in zip(self.neighbours[index], self.scores[index],
                                                   strict=True)]


def top_k(vectors: np.ndarray, k: int, block: int = 1024) -> Related:
    """Exact top-k by dot product of L2-normalised rows, self excluded.

    Rows are processed in blocks (one matrix product each, memory ``block x n``); ties are
    broken by lower index, so the result does not depend on the block size.
    """
    n = vectors.shape[0]
    k = min(k, max(n - 1, 0))
    neighbours = np.zeros((n, k), dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float32)
    if k == 0:
        return Related(neighbours, scores)
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    spare = min(n - 1, k + 32)  # extra candidates so that ties at the cut sort by index
    for start in range(0, n, block):
        sims = matrix[start : start + block] @ matrix.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = -np.inf
        if spare < n - 1:
            candidates = np.argpartition(-sims, spare - 1, axis=1)[:, :spare]
        else:
            candidates = np.argsort(-sims, axis=1, kind="stable")[:, : n - 1]
        cand_scores = np.take_along_axis(sims, candidates, axis=1)
        order = np.lexsort((candidates, -cand_scores), axis=1)[:, :k]
        neighbours[start : start + block] = np.take_along_axis(candidates, order, axis=1)
        scores[start : start + block] = np.take_along_axis(cand_scores, order, axis=1)
    return Related(neighbours, scores)
