"""Choose the map's 2D layout by measurement: PCA, scikit-learn t-SNE, openTSNE, UMAP.

Prints, per method, trustworthiness@10 against the article vectors (cosine) on
jbranchaud/til, seconds there, and seconds on a 40,000-article site made of jittered copies
(``--big``); methods whose package is not installed are skipped.

Usage: python bench/map_layout.py [--corpus PATH] [--cache DIR] [--big N] [--only NAME,...]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from topics import DEFAULT_CORPUS, embed, load_corpus  # noqa: E402


def pca(x: np.ndarray) -> np.ndarray:
    from sklearn.decomposition import PCA

    return PCA(2, random_state=0).fit_transform(x)


def sk_tsne(x: np.ndarray) -> np.ndarray:
    from sklearn.manifold import TSNE

    return TSNE(2, metric="cosine", init="pca", random_state=0, n_jobs=2).fit_transform(x)


def open_tsne(x: np.ndarray) -> np.ndarray:
    from vibesite.topics.projection import tsne_layout

    return tsne_layout(x)


def umap(x: np.ndarray) -> np.ndarray:
    import umap as umap_learn

    return umap_learn.UMAP(metric="cosine", random_state=0).fit_transform(x)


METHODS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "pca": pca, "sklearn-tsne": sk_tsne, "opentsne": open_tsne, "umap": umap}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--cache", type=Path, default=Path("/tmp"))
    ap.add_argument("--big", type=int, default=0)
    ap.add_argument("--only", default=",".join(METHODS))
    args = ap.parse_args()
    from sklearn.manifold import trustworthiness

    docs = load_corpus(args.corpus)
    x = embed([d.text for d in docs], args.cache)
    for name in args.only.split(","):
        try:
            t0 = time.perf_counter()
            xy = METHODS[name](x)
        except ImportError as exc:
            print(f"{name:14s} skipped ({exc})")
            continue
        s = time.perf_counter() - t0
        tw = trustworthiness(x, xy, n_neighbors=10, metric="cosine")
        line = f"{name:14s} n={len(x)} trustworthiness@10 {tw:.3f}  {s:6.1f}s"
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
