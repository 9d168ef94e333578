"""One result list from a search's keyword and semantic scores (the browser: rank.js
fuseResults, the same arithmetic in the same order).

In: every keyword match in BM25 order, as (doc, BM25 score); per doc, its best passage's score
and its semantic score (``SiteSearch.doc_scores``), or None for keyword results alone; the
manifest's ``fusion`` (``alpha``), ``candidates`` and ``semantic_floor``.
Out: ``[Fused]``, best first (score descending, then doc ascending). A keyword match's part is
its score over the best one's; each doc scores
``alpha`` times that part (0 without one) plus ``1 - alpha`` times its semantic score, a convex
combination of the two scores (``vibesite.search.index.FUSION_ALPHA`` says why); a doc no
keyword matches is a result only if its best passage reaches the floor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Fused", "fuse"]


@dataclass(frozen=True)
class Fused:
    doc: int
    score: float
    lexical_rank: int | None  # 1-based among the keyword matches, None if not one
    semantic_rank: int | None  # 1-based among the first ``candidates`` by semantic score


def fuse(lexical: Sequence[tuple[int, float]],
         semantic: tuple[np.ndarray, np.ndarray] | None, fusion: Mapping[str, Any],
         candidates: int, floor: float | None) -> list[Fused]:
    """Every result of a search, best first (see the module docstring)."""
    top = lexical[0][1] if lexical else 1.0
    part = {doc: score / top for doc, score in lexical}
    lexical_rank = {doc: rank for rank, (doc, _) in enumerate(lexical, start=1)}
    if semantic is None:
        ranked = sorted(part, key=lambda doc: (-part[doc], doc))
        return [Fused(doc, part[doc], lexical_rank[doc], None) for doc in ranked]
    best, similarity = semantic
    semantic_rank = {int(doc): rank for rank, doc
                     in enumerate(np.argsort(-similarity, kind="stable")[:candidates], start=1)}
    keep = best >= floor if floor is not None else np.ones(len(best), dtype=bool)
    keyword = np.zeros(len(best), dtype=np.float64)
    for doc, value in part.items():
        keyword[doc] = value
        keep[doc] = True
    alpha = float(fusion["alpha"])
    combined = alpha * keyword + (1 - alpha) * similarity
    return [Fused(int(doc), float(combined[doc]), lexical_rank.get(int(doc)),
                  semantic_rank.get(int(doc)))
            for doc in np.argsort(-combined, kind="stable") if keep[doc]]
