"""Broad topics: the fine topics grouped into a few areas of the site (the first level).

In: the fine topics' unit centres and sizes. Out: the broad group of each fine topic
(0..b-1, numbered by first fine topic), or None when there are too few fine topics for two
levels to help. Deterministic: Ward linkage over the centres, no random start.

b is about sqrt(1.5 k) for k fine topics, within 2..MAX_BROAD: on jbranchaud/til (1,871
articles, ~80 fine topics) that is 11 areas, close to how its 76 folders group by hand.
"""

from __future__ import annotations

import math

import numpy as np

MIN_FINE = 6  # fewer fine topics than this: one level
MAX_BROAD = 15


def broad_count(k_fine: int) -> int:
    return max(2, min(MAX_BROAD, round(math.sqrt(1.5 * k_fine))))


def broad_groups(centres: np.ndarray) -> np.ndarray | None:
    """Broad group per fine topic, or None below MIN_FINE fine topics."""
    k = len(centres)
    if k < MIN_FINE:
        return None
    from sklearn.cluster import AgglomerativeClustering

    # each fine topic counts once, whatever its size, so that small distinct topics (a folder
    # of five articles) are not swallowed by large ones
    labels = AgglomerativeClustering(broad_count(k), linkage="ward").fit_predict(
        np.asarray(centres, dtype=np.float64))
    _, first, dense = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty_like(first)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[dense]
