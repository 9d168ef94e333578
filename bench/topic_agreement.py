"""How far can topics agree with a site's folders? ARI and NMI of vibesite's clustering against
the folders of jbranchaud/til, beside other clusterings and two supervised ceilings.

The ceilings use the folders themselves, so no clustering of the same vectors should be
expected to beat them: each article given the folder whose centre (mean vector) is nearest,
and the folder most of its 10 nearest articles are in. Then vibesite's clustering at its own
topic count and at forced counts, the fine topics merged by their dominant folder (what
splitting a folder into several topics costs, the rest is mixing), and scikit-learn's
KMeans, average and Ward linkage at the folder count, and HDBSCAN.

Usage: python bench/topic_agreement.py [--corpus PATH] [--cache DIR] [--vectors EMBEDDINGS_DB]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from topics import DEFAULT_CORPUS, embed, load_corpus, stored_vectors  # noqa: E402

from vibesite.topics.cluster import cluster, unit  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--cache", type=Path, default=Path("/tmp"))
    ap.add_argument("--vectors", type=Path, default=None,
                    help="read article vectors from this embeddings.db instead of embedding")
    args = ap.parse_args(argv)
    docs = load_corpus(args.corpus)
    ids = [d.id for d in docs]
    truth = np.array([d.label for d in docs])
    x = (stored_vectors(args.vectors, ids) if args.vectors
         else embed([d.text for d in docs], args.cache)).astype(np.float32)
    folders = sorted(set(truth.tolist()))
    folder = np.searchsorted(folders, truth)
    sizes = np.bincount(folder)
    largest = sorted(sizes.tolist())[-6:][::-1]
    print(f"{len(docs)} articles in {len(folders)} folders; largest {largest}, "
          f"{int((sizes < 5).sum())} folders under 5 articles\n")
    print(f"{'labelling vs folders':58s} {'k':>5s} {'NMI':>6s} {'ARI':>6s}")

    def row(name: str, pred: np.ndarray) -> None:
        print(f"{name:58s} {len(set(pred.tolist())):5d} "
              f"{normalized_mutual_info_score(truth, pred):6.3f} "
              f"{adjusted_rand_score(truth, pred):6.3f}", flush=True)

    centres = unit(np.stack([x[folder == i].mean(axis=0) for i in range(len(folders))]))
    row("ceiling: nearest folder centre (supervised)", (x @ centres.T).argmax(axis=1))
    sim = x @ x.T
    np.fill_diagonal(sim, -np.inf)
    near = np.argsort(-sim, axis=1)[:, :10]
    vote = np.array([Counter(folder[r].tolist()).most_common(1)[0][0] for r in near])
    row("ceiling: folder of most of the 10 nearest (supervised)", vote)
    auto = np.zeros(0, dtype=np.int64)
    for k in (None, 30, 50, len(folders), 100, 150):
        t0 = time.perf_counter()
        labels = cluster(x, ids, [], k, 0)
        auto = labels if k is None else auto
        row(f"vibesite cluster, {'own count' if k is None else f'n_topics={k}'} "
            f"({time.perf_counter() - t0:.1f}s)", labels)
    dominant = {c: Counter(truth[auto == c].tolist()).most_common(1)[0][0]
                for c in set(auto.tolist())}
    row("vibesite's own topics merged by dominant folder", np.array([dominant[c] for c in auto]))
    from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans

    k = len(folders)
    row(f"KMeans k={k}, n_init=10", KMeans(k, n_init=10, random_state=0).fit_predict(x))
    row(f"average linkage, cosine, k={k}",
        AgglomerativeClustering(k, metric="cosine", linkage="average").fit_predict(x))
    row(f"Ward linkage, k={k}", AgglomerativeClustering(k, linkage="ward").fit_predict(x))
    for size in (5, 10):
        labels = HDBSCAN(min_cluster_size=size, copy=True).fit_predict(x)
        noise = labels < 0
        row(f"HDBSCAN min_cluster_size={size}, {noise.mean():.0%} noise as singletons",
            np.where(noise, -1 - np.arange(len(labels)), labels))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
