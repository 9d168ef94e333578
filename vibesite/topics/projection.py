"""Map positions: a 2D layout of the article vectors that keeps neighbours together.

In: (n, d) unit vectors, article ids and the previous build's positions (may be empty).
Out: (n, 2) positions in [-1, 1], rounded to 4 places (byte-stable).

- A full layout is openTSNE (FFT-accelerated t-SNE, perplexity 30, PCA start, seeded),
  chosen by ``bench/map_layout.py`` on jbranchaud/til (1,871 articles; wall seconds on two
  shared cores): trustworthiness@10 PCA 0.742 (0.6 s), scikit-learn t-SNE 0.961 (109 s),
  openTSNE 0.955 (101 s; 0.952 in 34 s with the shorter schedule used here), UMAP 0.939
  (135 s, and numba + llvmlite add ~210 MB to the install against openTSNE's 13 MB).
- Every article takes part, up to LAYOUT_LIMIT. Laying out a sample of 2,500 and placing the
  rest beside their neighbours lost the neighbourhoods of large sites: on winrt-api-docs
  (40,289 articles; trustworthiness on a random 5,000 of them) 0.869 in 18 s of CPU,
  against 0.977 in 35 s for t-SNE of all of them (``bench/map_layout.py --vectors``). A
  sample of s articles at perplexity 30 resolves groups of about 30 n / s articles, and a
  placed article lands on a mean of sample positions, so the order inside those groups is
  lost. Two costs grew with n and are cut instead: the neighbour
  graph (topics.neighbours: an HNSW graph, 6 s CPU at 40k against Annoy's 27 s) and the
  FFT grid, whose intervals follow the map's span (FFT_INTERVAL units each, not openTSNE's
  1: 20 s CPU at 40k against 32 s, trustworthiness 0.9751 against 0.9750). The learning
  rate is n / exaggeration (openTSNE's "auto", Belkina et al. 2019), so the same iteration
  schedule converges at 2,000 and at 40,000 articles (in trials at 40k: 0.976 with 100 + 100
  iterations, 0.975 with 125 + 250; TIL needs the longer schedule: 0.950 with 100 + 150).
  Barnes-Hut instead of the FFT halves TIL's time but keeps less (0.949 against 0.956).
- Past LAYOUT_LIMIT articles, t-SNE lays out an evenly spread sample of that size and the
  others are placed like new articles (below), so the layout's time stays bounded.
  Tiny sites (under TSNE_MIN articles) use PCA.
- When most articles already have a position (at least KEEP_SHARE of them, and of the
  previous positions), those stay where they were and each new article goes to the
  similarity-weighted mean of its PLACE_NEIGHBOURS nearest placed articles, so adding an
  article moves no other dot. A larger change lays the whole map out afresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from vibesite.cores import usable_cores
from vibesite.topics.neighbours import nearest

TSNE_MIN = 100  # fewer articles than this: PCA
LAYOUT_LIMIT = 50_000  # most articles laid out by t-SNE itself
PERPLEXITY = 30.0  # each article's affinities cover its 3 x 30 nearest articles
TSNE_ITERATIONS = (125, 250)  # early exaggeration, then normal (openTSNE: 250, 500)
FFT_INTERVAL = 2.0  # map units per FFT interpolation interval (openTSNE's ints_in_interval)
# Stored beside the positions; bump when the method changes, so that a site's old map (PCA
# before openTSNE, a 2,500-article sample before opentsne-2) is laid out afresh once
# instead of being kept for good.
LAYOUT = "opentsne-2"
KEEP_SHARE = 0.97  # share of articles (and of old positions) that must carry over
PLACE_NEIGHBOURS = 5


def _scaled(xy: np.ndarray) -> np.ndarray:
    xy = xy - (xy.max(axis=0) + xy.min(axis=0)) / 2 if len(xy) else xy
    scale = float(np.abs(xy).max()) if len(xy) else 0.0
    if scale > 0:
        xy = xy / scale
    return np.round(xy, 4) + 0.0


def pca_layout(x: np.ndarray, random_state: int = 0) -> np.ndarray:
    """(n, 2) PCA positions (not scaled); all zero when there is no spread."""
    from sklearn.decomposition import PCA  # imported only when there is something to place
    from threadpoolctl import threadpool_limits

    n = x.shape[0]
    xy = np.zeros((n, 2))
    if n >= 2 and x.shape[1] >= 1 and np.ptp(x, axis=0).any():
        k = min(2, n, x.shape[1])
        with threadpool_limits(1, user_api="blas"):
            xy[:, :k] = PCA(k, svd_solver="full", random_state=random_state).fit_transform(x)
    return xy


def tsne_layout(x: np.ndarray, random_state: int = 0) -> np.ndarray:
    """(n, 2) openTSNE positions (not scaled), deterministic for fixed inputs and seed.

    The threads split the work by article, so the positions are the same on any number of
    cores (checked: byte-identical on one and two).
    """
    from openTSNE import TSNE
    from openTSNE.affinity import PerplexityBasedNN
    from openTSNE.nearest_neighbors import PrecomputedNeighbors
    from threadpoolctl import threadpool_limits

    n = x.shape[0]
    perplexity = min(PERPLEXITY, (n - 1) / 3)
    neighbours, sims = nearest(x, min(n - 1, int(3 * perplexity)))
    distances = np.sqrt(np.maximum(2.0 - 2.0 * sims.astype(np.float64), 0.0))  # of unit vectors
    tsne = TSNE(
        n_components=2, initialization="pca", random_state=random_state,
        n_jobs=usable_cores(), early_exaggeration_iter=TSNE_ITERATIONS[0],
        n_iter=TSNE_ITERATIONS[1], negative_gradient_method="fft",
        ints_in_interval=FFT_INTERVAL, verbose=False,
    )
    with threadpool_limits(1, user_api="blas"):
        affinities = PerplexityBasedNN(
            knn_index=PrecomputedNeighbors(neighbours, distances), perplexity=perplexity,
            n_jobs=usable_cores())
        return np.asarray(tsne.fit(np.asarray(x, dtype=np.float64), affinities=affinities))


def _place_new(x: np.ndarray, known: np.ndarray, known_xy: np.ndarray,
               new: np.ndarray) -> np.ndarray:
    """Positions of the ``new`` rows: weighted mean of their nearest ``known`` rows'."""
    sim = x[new] @ x[known].T
    k = min(PLACE_NEIGHBOURS, len(known))
    near = np.argsort(-sim, axis=1, kind="stable")[:, :k]
    w = np.maximum(np.take_along_axis(sim, near, axis=1), 1e-6)
    return (known_xy[near] * w[..., None]).sum(axis=1) / w.sum(axis=1, keepdims=True)


def project_2d(vectors: np.ndarray, ids: Sequence[str] = (), random_state: int = 0,
               previous: Mapping[str, tuple[float, float]] | None = None) -> np.ndarray:
    """(n, 2) map positions in [-1, 1], rounded; see the module docstring."""
    x = np.asarray(vectors, dtype=np.float64)
    n = x.shape[0]
    previous = previous or {}
    if ids and previous:
        known = np.array([i for i, a in enumerate(ids) if a in previous], dtype=np.int64)
        if len(known) >= KEEP_SHARE * max(n, len(previous)) and len(known):
            xy = np.zeros((n, 2))
            xy[known] = [previous[ids[i]] for i in known]
            new = np.setdiff1d(np.arange(n), known)
            if len(new):
                xy[new] = _place_new(x, known, xy[known], new)
            return np.round(xy, 4) + 0.0
    if n < TSNE_MIN or not np.ptp(x, axis=0).any():
        return _scaled(pca_layout(x, random_state))
    if n <= LAYOUT_LIMIT:
        return _scaled(tsne_layout(x, random_state))
    sample = np.linspace(0, n - 1, LAYOUT_LIMIT).round().astype(np.int64)
    xy = np.zeros((n, 2))
    xy[sample] = tsne_layout(x[sample], random_state)
    rest = np.setdiff1d(np.arange(n), sample)
    for lo in range(0, len(rest), 4096):  # blocks keep the similarity matrix small
        xy[rest[lo:lo + 4096]] = _place_new(x, sample, xy[sample], rest[lo:lo + 4096])
    return _scaled(xy)
