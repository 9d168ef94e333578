"""The score a semantic-only result must reach: calibrated per site and model at build time.

Semantic similarity always ranks something, so without a floor a query that means nothing
("xyzzyplughqwerty") lists every article. The floor is measured, not chosen: ``NULL_QUERIES``
strings of random letters (a fixed seed, so builds are reproducible) are embedded by the
browser's own query encoder and scored against the site's passage vectors exactly as search
scores them (``Quantized.scores``), and a Gumbel distribution (the law of a maximum over many
scores) is fitted to their top-1 scores by its mean and standard deviation; the floor is its
``NULL_QUANTILE`` quantile, so about 1 nonsense query in 100 reaches it. The fit is steadier than
the highest of the 100 scores: across seeds the highest let 0.2-3.1% of 2,000 other nonsense
queries through on the demo site, the fitted floor 0.2-0.9% (and 0.3-0.9% on a 1,871-article
site). A result that only semantic ranking supports must score at least that; keyword matches
are always results.

In: a query encoder (texts -> unit vectors) and the quantized passage vectors. Out: the floor,
a float stored in the search manifest as ``semantic_floor``.
"""

from __future__ import annotations

import math
import random
import string
from collections.abc import Callable, Sequence

import numpy as np

from vibesite.search.codes import Quantized

NULL_QUERIES = 100
SEED = 20261130
NULL_QUANTILE = 0.99
# Part of the search index's format: other settings give another floor.
CALIBRATION = (NULL_QUERIES, SEED, "gumbel", NULL_QUANTILE)
EULER_GAMMA = 0.5772156649015329


def null_queries(count: int = NULL_QUERIES, seed: int = SEED) -> list[str]:
    """``count`` queries of one to three "words" of 3 to 12 random lowercase letters."""
    rng = random.Random(seed)
    return [" ".join("".join(rng.choice(string.ascii_lowercase)
                             for _ in range(rng.randint(3, 12)))
                     for _ in range(rng.randint(1, 3)))
            for _ in range(count)]


def gumbel_quantile(samples: np.ndarray, quantile: float) -> float:
    """The ``quantile`` of a Gumbel distribution with the samples' mean and standard deviation
    (method of moments: scale = sd * sqrt(6) / pi, location = mean - gamma * scale)."""
    scale = float(np.std(samples, ddof=1)) * math.sqrt(6) / math.pi
    location = float(np.mean(samples)) - EULER_GAMMA * scale
    return location - scale * math.log(-math.log(quantile))


def semantic_floor(encode: Callable[[Sequence[str]], np.ndarray], vectors: Quantized) -> float:
    """The null queries' fitted top-1 score at ``NULL_QUANTILE``, rounded up to 4 decimals
    (0 without passages)."""
    if len(vectors.codes) == 0:
        return 0.0
    queries = np.asarray(encode(null_queries()), dtype=np.float32)
    best = vectors.scores(queries).max(axis=1).astype(np.float64)
    return math.ceil(gumbel_quantile(best, NULL_QUANTILE) * 10_000) / 10_000
