"""Choose the map's 2D layout by measurement: PCA, scikit-learn t-SNE, openTSNE, UMAP.

Prints, per method, trustworthiness@10 against the article vectors (cosine) on
jbranchaud/til, seconds there, and seconds on a 40,000-article site made of jittered copies
(``--big``); methods whose package is not installed are skipped.

``--vectors`` lays out the article vectors a real build stored instead (its
.vibesite/embeddings.db, read only), e.g. winrt-api-docs' 40,289; trustworthiness is then
measured on a random TRUST_SAMPLE of them, as bench/topics.py does. Seconds are wall and CPU,
with the load average, since the two cores are shared. ``opentsne`` is the site's layout
(``project_2d``); ``sample2500`` is the layout before: t-SNE of 2,500 articles, the others
placed beside their neighbours.

Usage: python bench/map_layout.py [--corpus PATH] [--cache DIR] [--big N] [--only NAME,...]
       [--vectors EMBEDDINGS_DB]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from topics import DEFAULT_CORPUS, TRUST_SAMPLE, embed, load_corpus  # noqa: E402


def pca(x: np.ndarray) -> np.ndarray:
    from sklearn.decomposition import PCA

    return PCA(2, random_state=0).fit_transform(x)


def sk_tsne(x: np.ndarray) -> np.ndarray:
    from sklearn.manifold import TSNE

    return TSNE(2, metric="cosine", init="pca", random_state=0, n_jobs=2).fit_transform(x)


def open_tsne(x: np.ndarray) -> np.ndarray:
    from vibesite.topics.projection import project_2d

    return project_2d(x)


def sample2500(x: np.ndarray) -> np.ndarray:
    from vibesite.topics import projection

    limit = projection.LAYOUT_LIMIT
    projection.LAYOUT_LIMIT = 2500
    try:
        return projection.project_2d(x)
    finally:
        projection.LAYOUT_LIMIT = limit


def umap(x: np.ndarray) -> np.ndarray:
    import umap as umap_learn

    return umap_learn.UMAP(metric="cosine", random_state=0).fit_transform(x)


METHODS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "pca": pca, "sklearn-tsne": sk_tsne, "opentsne": open_tsne, "sample2500": sample2500,
    "umap": umap}


def stored(db: Path) -> np.ndarray:
    """The article vectors of a build's embeddings file, by id."""
    from vibesite.embeddings.store import EmbeddingStore

    with EmbeddingStore.existing(db) as store:
        return np.stack([a.vector for a in store.articles("articles")]).astype(np.float32)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--cache", type=Path, default=Path("/tmp"))
    ap.add_argument("--big", type=int, default=0)
    ap.add_argument("--only", default=",".join(METHODS))
    ap.add_argument("--vectors", type=Path, default=None,
                    help="lay out the article vectors of this embeddings.db instead")
    args = ap.parse_args()
    from sklearn.manifold import trustworthiness

    if args.vectors:
        x = stored(args.vectors)
    else:
        x = embed([d.text for d in load_corpus(args.corpus)], args.cache)
    sample = np.arange(len(x))
    if len(x) > TRUST_SAMPLE:  # pairwise distances of all 40,000 would need 13 GB
        sample = np.sort(np.random.default_rng(0).choice(len(x), TRUST_SAMPLE, replace=False))
    for name in args.only.split(","):
        try:
            t0, cpu = time.perf_counter(), time.process_time()
            xy = METHODS[name](x)
        except ImportError as exc:
            print(f"{name:14s} skipped ({exc})")
            continue
        s, cpu = time.perf_counter() - t0, time.process_time() - cpu
        tw = trustworthiness(x[sample], xy[sample], n_neighbors=10, metric="cosine")
        line = (f"{name:14s} n={len(x)} trustworthiness@10 {tw:.3f}  {s:6.1f}s wall, "
                f"{cpu:6.1f}s CPU, load {os.getloadavg()[0]:.1f}")
        if args.big:
            rng = np.random.default_rng(0)
            pick = np.arange(args.big) % len(x)
            big = x[pick] + rng.normal(scale=0.25 / np.sqrt(x.shape[1]), size=(args.big,
                                                                             x.shape[1]))
            big = (big / np.linalg.norm(big, axis=1, keepdims=True)).astype(np.float32)
            t0 = time.perf_counter()
            METHODS[name](big)
            line += f"  n={args.big}: {time.perf_counter() - t0:6.1f}s"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
