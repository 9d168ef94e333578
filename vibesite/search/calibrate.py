"""The score a semantic-only result must reach: calibrated per site and model at build time.

Semantic similarity always ranks something, so without a floor a query that means nothing
("xyzzyplughqwerty") lists every article. The floor is measured, not chosen: ``NULL_QUERIES``
strings of random letters (a fixed seed, so builds are reproducible) are embedded by the
browser's own query encoder and scored against the site's passage vectors exactly as search
scores them (``Quantized.scores``); the floor is the highest top-1 score any of them reaches. A
result that only semantic ranking supports must score at least that; keyword matches are
always results.

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
# Part of the search index's format: other settings give another floor.
CALIBRATION = (NULL_QUERIES, SEED)


def null_queries(count: int = NULL_QUERIES, seed: int = SEED) -> list[str]:
    """``count`` queries of one to three "words" of 3 to 12 random lowercase letters."""
    rng = random.Random(seed)
    return [" ".join("".join(rng.choice(string.ascii_lowercase)
                             for _ in range(rng.randint(3, 12)))
                     for _ in range(rng.randint(1, 3)))
            for _ in range(count)]


def semantic_floor(encode: Callable[[Sequence[str]], np.ndarray], vectors: Quantized) -> float:
    """The highest top-1 score of the null queries, rounded up to 4 decimals (0 without
    passages)."""
    if len(vectors.codes) == 0:
        return 0.0
    queries = np.asarray(encode(null_queries()), dtype=np.float32)
    best = float(vectors.scores(queries).max())
    return math.ceil(best * 10_000) / 10_000
