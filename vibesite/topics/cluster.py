"""Clustering article embeddings into topics: deterministic for fixed inputs and ``random_state``.

1. groups: the articles themselves, or scikit-learn KMeans micro-clusters on large sites;
2. exact average linkage (cosine) over the groups, weighted by group size;
3. the number of topics comes from the cut where a merge would join groups whose mean
   pairwise cosine is less than COHESION above that of two random articles of the site,
   within 2..min(150, n/3) (``n_topics`` overrides);
4. the cut is refined with scikit-learn KMeans, then settled to a fixed point of a spherical
   reassignment with a small margin, so a rebuild of unchanged content changes nothing;
5. with previous topics and little churn, the previous membership is the start and only
   settled, so adding an article never renumbers other topics.

Agreement with a site's folders (``bench/topic_agreement.py``, jbranchaud/til: 1,871 articles,
76 folders): NMI 0.588, ARI 0.313 at the 81 topics chosen here. ARI stays low whatever the
method or count: forced counts 30/50/76/150 give ARI 0.35/0.33/0.31/0.21, average linkage
alone at 76 0.35, KMeans 0.16, Ward 0.17, HDBSCAN under 0.1; the fine topics merged by their
dominant folder reach only 0.41, so splitting big folders is not the main loss. Even labels
that use the folders (each article to its nearest folder centre) reach only ARI 0.64 in this
space, so the rest is articles of different folders that the model places close together
(unix, mac, workflow, devops), not the clustering; nothing here is tuned to raise it.

Naming is in topics.naming, slugs and members in topics.build, persistence in the store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_GROUPS = 2000  # above this many articles, link KMeans micro-clusters instead
MICRO_CLUSTERS = 1200
MAX_TOPICS = 150
SETTLE_MARGIN = 0.02  # cosine margin before an article changes topic
COHESION = 0.13  # a topic's articles are this much more similar than two random articles
WARM_K = 0.15  # keep the previous topics while the fresh count is within this share of theirs
WARM_SURVIVAL = 0.8  # share of articles that must come from previous topics to stay warm


def _sum_by(labels: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    from scipy import sparse  # scipy and scikit-learn are imported only when clustering

    n = len(labels)
    onehot = sparse.csr_matrix((np.ones(n, dtype=x.dtype), (labels, np.arange(n))), shape=(k, n))
    return np.asarray(onehot @ x)


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def _groups(x: np.ndarray, random_state: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(group of each article, vector sum per group, size per group)."""
    n = x.shape[0]
    if n <= MAX_GROUPS:
        return np.arange(n), x.astype(np.float64), np.ones(n)
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    km = KMeans(MICRO_CLUSTERS, init="random", n_init=1, max_iter=6, random_state=random_state)
    with threadpool_limits(2, user_api="openmp"):  # reduction order is fixed with 2 threads
        km.fit(x)
    _, assign = np.unique(km.labels_, return_inverse=True)
    m = int(assign.max()) + 1
    sums = _sum_by(assign, x, m).astype(np.float64)
    return assign, sums, np.bincount(assign, minlength=m).astype(np.float64)


def _average_linkage(sums: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merges (kept, absorbed) of exact size-weighted average linkage on cosine similarity, and
    the mean pairwise cosine across each merge (non-increasing).

    The mean pairwise cosine of two groups of unit vectors is the dot product of their means,
    so with one article per group this equals AgglomerativeClustering(linkage="average",
    metric="cosine").
    """
    m = len(sizes)
    mean = sums / sizes[:, None]
    sim = mean @ mean.T
    np.fill_diagonal(sim, -np.inf)
    w, alive = sizes.astype(np.float64).copy(), np.ones(m, dtype=bool)
    best = sim.argmax(axis=1)
    best_sim = sim[np.arange(m), best]
    merges, heights = np.zeros((max(m - 1, 0), 2), dtype=np.int64), np.zeros(max(m - 1, 0))
    for t in range(m - 1):
        a = int(np.argmax(best_sim))
        heights[t] = best_sim[a]
        a, b = sorted((a, int(best[a])))
        merges[t] = a, b
        row = (w[a] * sim[a] + w[b] * sim[b]) / (w[a] + w[b])
        w[a] += w[b]
        alive[b] = False
        row[~alive] = -np.inf
        row[a] = -np.inf
        sim[a], sim[:, a], sim[b], sim[:, b] = row, row, -np.inf, -np.inf
        best_sim[b] = -np.inf
        stale = alive & ((best == a) | (best == b))
        stale[a] = True
        up = alive & ~stale & (row > best_sim)
        best[up], best_sim[up] = a, row[up]
        rows = np.flatnonzero(stale)
        best[rows] = sim[rows].argmax(axis=1)
        best_sim[rows] = sim[rows, best[rows]]
    return merges, heights


def _big_counts(merges: np.ndarray, sizes: np.ndarray, min_size: float) -> np.ndarray:
    """Number of clusters of at least min_size after t merges, for every t."""
    w = sizes.copy()
    count = int((w >= min_size).sum())
    out = [count]
    for a, b in merges.tolist():
        count -= int(w[a] >= min_size) + int(w[b] >= min_size)
        w[a] += w[b]
        count += int(w[a] >= min_size)
        out.append(count)
    return np.asarray(out)


def _partition(
    merges: np.ndarray, sums: np.ndarray, sizes: np.ndarray, counts: np.ndarray, k: int,
    min_size: float,
) -> np.ndarray:
    """Labels per group: the k largest clusters of the coarsest cut that has k clusters of at
    least min_size; groups in smaller clusters join the nearest kept cluster."""
    m = len(sizes)
    t = int(np.flatnonzero(counts >= min(k, counts.max()))[-1])
    roots = np.arange(m)
    roots[merges[:t, 1]] = merges[:t, 0]
    while not np.array_equal(roots[roots], roots):
        roots = roots[roots]
    csize = np.bincount(roots, weights=sizes, minlength=m)
    big = np.flatnonzero(csize >= min(min_size, csize.max()))
    big = big[np.lexsort((big, -csize[big]))][:k]
    centres = unit(_sum_by(roots, sums, m)[big]).astype(np.float32)
    label_of = np.full(m, -1)
    label_of[big] = np.arange(len(big))
    labels = label_of[roots]
    loose = labels < 0
    labels[loose] = np.argmax(sums[loose].astype(np.float32) @ centres.T, axis=1)
    return labels


def _settle(x: np.ndarray, labels: np.ndarray, min_size: int, rounds: int = 50) -> np.ndarray:
    """Iterate to a fixed point: unlabelled (-1) articles and those of clusters smaller than
    min_size join their nearest centroid; others move only when SETTLE_MARGIN closer."""
    for _ in range(rounds):
        known = labels >= 0
        _, first, dense = np.unique(labels[known], return_index=True, return_inverse=True)
        rank = np.empty_like(first)
        rank[np.argsort(first)] = np.arange(len(first))
        dense = rank[dense]  # numbered by first member: the same arithmetic for any numbering
        k = len(first)
        sizes = np.bincount(dense, minlength=k)
        keep = np.flatnonzero(sizes >= min(min_size, sizes.max()))
        remap = np.full(k, -1)
        remap[keep] = np.arange(len(keep))
        own = np.full(len(labels), -1)
        own[known] = remap[dense]
        sim = x @ unit(_sum_by(dense, x[known], k)[keep]).T
        best = sim.argmax(axis=1)
        rows = np.arange(len(labels))
        move = (own < 0) | (sim[rows, best] > sim[rows, np.maximum(own, 0)] + SETTLE_MARGIN)
        new = np.where(move, best, own)
        if np.array_equal(new, own):
            return own
        labels = new
    return np.unique(labels, return_inverse=True)[1]


def cluster(
    x: np.ndarray, ids: Sequence[str], previous: Sequence[frozenset[str]], n_topics: int | None,
    random_state: int,
) -> np.ndarray:
    """Topic label per article (0..k-1); previous: member ids of the last build's topics."""
    n = len(ids)
    min_size = max(3, n // 500)
    assign, sums, sizes = _groups(x, random_state)
    merges, heights = _average_linkage(sums, sizes)
    counts = _big_counts(merges, sizes, min_size)
    if n_topics is None:
        centre = sums.sum(axis=0) / n
        site = (n * float(centre @ centre) - 1) / (n - 1)  # mean cosine of two articles
        k = int(counts[int((heights >= site + COHESION).sum())])
        k = min(max(k, 2), max(2, min(MAX_TOPICS, n // 3)))
    else:
        k = max(1, min(n_topics, n))
    warm = _warm_labels(ids, previous)
    if warm is not None:
        k_prev = int(warm.max()) + 1
        if k == k_prev or (n_topics is None and abs(k - k_prev) <= WARM_K * k_prev):
            return _settle(x, warm, min_size)
    labels = _partition(merges, sums, sizes, counts, k, min_size)[assign]
    k = int(labels.max()) + 1  # fewer when there are not k clusters of min_size
    init = (_sum_by(labels, x, k) / np.bincount(labels, minlength=k)[:, None]).astype(x.dtype)
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    km = KMeans(k, init=init, n_init=1, max_iter=10, random_state=random_state)
    with threadpool_limits(2, user_api="openmp"):
        km.fit(x)
    return _settle(x, km.labels_, min_size)


def _warm_labels(ids: Sequence[str], previous: Sequence[frozenset[str]]) -> np.ndarray | None:
    """Previous automatic membership as labels (-1 for new articles), if churn is small."""
    index = {a: i for i, a in enumerate(ids)}
    labels = np.full(len(ids), -1)
    before = 0
    for j, members in enumerate(previous):
        before += len(members)
        for a in sorted(members):
            if a in index and labels[index[a]] < 0:
                labels[index[a]] = j
    if int((labels >= 0).sum()) < WARM_SURVIVAL * max(len(ids), before, 1):
        return None
    _, labels[labels >= 0] = np.unique(labels[labels >= 0], return_inverse=True)
    return labels
