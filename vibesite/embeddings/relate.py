"""Stage 4: the top-k most similar articles of every article (cosine).

Up to ``EXACT_LIMIT`` articles every pair is compared (blocked matrix products). Above it an
HNSW graph (faiss) proposes candidates and every candidate is re-scored exactly, so the
scores are true dot products and only a rare missed neighbour differs from exact search
(recall@10 against exact is measured by bench/scale.py). Both paths are deterministic.

``top_k_within`` relates each article only to those of its own group (its language, on a
multilingual site): each group is searched on its own, and a group smaller than k + 1 leaves
the end of its rows empty (index -1, which ``Related.of`` skips).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vibesite.cores import usable_cores

# bench/scale.py --crossover, 2 cores, real MiniLM vectors: exact 1.2 s / HNSW 0.8 s at
# 10k articles, 3.2 / 2.4 s at 20k, 18.7 / 6.3 s at 40k. Below 20k exact search saves little
# time by being replaced, so the lists stay exact there.
VERSION = 1  # bump when the lists for the same vectors change (memo key)
EXACT_LIMIT = 20_000
HNSW_LINKS = 16  # graph degree M
HNSW_EF_CONSTRUCTION = 100
BLOCK = 4096  # rows per re-ranking block


@dataclass(frozen=True)
class Related:
    neighbours: np.ndarray  # (n, k) int indices into the article list, best first; -1: none
    scores: np.ndarray  # (n, k) float32 cosine similarities

    def of(self, index: int) -> list[tuple[int, float]]:
        return [(int(j), float(s)) for j, s in zip(self.neighbours[index], self.scores[index],
                                                   strict=True) if j >= 0]

    @property
    def pairs(self) -> int:
        """How many (article, related article) pairs there are."""
        return int((self.neighbours >= 0).sum())


def top_k_within(vectors: np.ndarray, groups: list[str], k: int) -> Related:
    """Top-k of every row among the rows of its own group (``groups[i]``: row i's)."""
    members: dict[str, list[int]] = {}
    for row, group in enumerate(groups):
        members.setdefault(group, []).append(row)
    if len(members) <= 1:
        return top_k(vectors, k)
    n = vectors.shape[0]
    width = min(k, max(len(rows) for rows in members.values()) - 1)
    neighbours = np.full((n, width), -1, dtype=np.int64)
    scores = np.zeros((n, width), dtype=np.float32)
    for rows in members.values():
        index = np.array(rows)
        found = top_k(vectors[index], k)
        used = found.neighbours.shape[1]
        neighbours[index, :used] = index[found.neighbours]
        scores[index, :used] = found.scores
    return Related(neighbours, scores)


def top_k(vectors: np.ndarray, k: int, block: int = 1024,
          exact_limit: int = EXACT_LIMIT) -> Related:
    """Top-k by dot product of L2-normalised rows, self excluded; ties go to the lower index.

    Exact for at most ``exact_limit`` rows, else HNSW candidates re-ranked exactly.
    """
    n = vectors.shape[0]
    k = min(k, max(n - 1, 0))
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if k == 0:
        return Related(np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float32))
    if n <= exact_limit:
        return Related(*exact_top_k(matrix, np.arange(n), k, block))
    return _approximate(matrix, k)


def exact_top_k(matrix: np.ndarray, rows: np.ndarray, k: int,
                block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k of the given rows against every row (one matrix product per block).

    Extra candidates are kept before the final sort, so that ties at the cut sort by index
    and the result does not depend on the block size.
    """
    n = matrix.shape[0]
    neighbours = np.zeros((len(rows), k), dtype=np.int64)
    scores = np.zeros((len(rows), k), dtype=np.float32)
    spare = min(n - 1, k + 32)
    for start in range(0, len(rows), block):
        own = rows[start : start + block]
        sims = matrix[own] @ matrix.T
        sims[np.arange(len(own)), own] = -np.inf
        if spare < n - 1:
            candidates = np.argpartition(-sims, spare - 1, axis=1)[:, :spare]
        else:
            candidates = np.argsort(-sims, axis=1, kind="stable")[:, : n - 1]
        cand_scores = np.take_along_axis(sims, candidates, axis=1)
        order = np.lexsort((candidates, -cand_scores), axis=1)[:, :k]
        neighbours[start : start + block] = np.take_along_axis(candidates, order, axis=1)
        scores[start : start + block] = np.take_along_axis(cand_scores, order, axis=1)
    return neighbours, scores


def candidate_count(k: int) -> int:
    """Candidates asked of the graph per article (self included) before exact re-ranking."""
    return 2 * k + 4


def _approximate(matrix: np.ndarray, k: int) -> Related:
    """HNSW candidates, re-scored exactly; rows short of k candidates are searched exactly.

    The graph is built on one thread (faiss's parallel insertion order varies from run to
    run, and so would the graph); searching reads it only, so it uses every core.
    """
    import faiss

    n, dim = matrix.shape
    wanted = min(n, candidate_count(k))
    threads_before = faiss.omp_get_max_threads()
    try:
        faiss.omp_set_num_threads(1)
        index = faiss.IndexHNSWFlat(dim, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.add(matrix)
        index.hnsw.efSearch = 2 * wanted
        faiss.omp_set_num_threads(usable_cores())
        _, found = index.search(matrix, wanted)
    finally:
        faiss.omp_set_num_threads(threads_before)
    del index
    neighbours, scores = rerank(matrix, found.astype(np.int64), k)
    short = np.flatnonzero(np.isinf(scores[:, -1]))
    if len(short):
        neighbours[short], scores[short] = exact_top_k(matrix, short, k, 1024)
    return Related(neighbours, scores)


def rerank(matrix: np.ndarray, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best of each row's candidates (-1 = none) by exact dot product, self excluded.

    A row with fewer than k real candidates ends in score -inf.
    """
    n = candidates.shape[0]
    neighbours = np.zeros((n, k), dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, BLOCK):
        rows = np.arange(start, min(n, start + BLOCK))
        found = candidates[rows]
        safe = np.where(found < 0, 0, found)
        sims = np.einsum("nd,ncd->nc", matrix[rows], matrix[safe]).astype(np.float32)
        sims[(found < 0) | (found == rows[:, None])] = -np.inf
        order = np.lexsort((safe, -sims), axis=1)[:, :k]
        neighbours[rows] = np.take_along_axis(safe, order, axis=1)
        scores[rows] = np.take_along_axis(sims, order, axis=1)
    return neighbours, scores
