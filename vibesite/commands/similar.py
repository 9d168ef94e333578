"""``vibesite similar SLUG``: the nearest articles of one article, from the embeddings file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vibesite.embeddings.store import ARTICLES, EmbeddingStore


@dataclass(frozen=True)
class Neighbour:
    id: str
    title: str
    url: str
    score: float


class UnknownArticle(LookupError):
    """No article with that id in the store; ``suggestions`` are close ids."""

    def __init__(self, article_id: str, suggestions: list[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no article '{article_id}' in the embeddings file{hint}")


def similar(db_path: Path, article_id: str, limit: int = 10) -> list[Neighbour]:
    """Exact cosine top-``limit`` of ``article_id`` among the stored article vectors."""
    with EmbeddingStore.existing(db_path) as store:
        rows = store.articles(ARTICLES)
    ids = [r.id for r in rows]
    if article_id not in ids:
        import difflib

        raise UnknownArticle(article_id, difflib.get_close_matches(article_id, ids, n=3))
    matrix = np.stack([r.vector for r in rows])
    scores = matrix @ matrix[ids.index(article_id)]
    order = sorted((i for i in range(len(ids)) if ids[i] != article_id),
                   key=lambda i: (-scores[i], i))[:limit]
    neighbours = []
    for i in order:
        meta = rows[i].metadata
        neighbours.append(Neighbour(ids[i], meta.get("title", ids[i]), meta.get("url", ""),
                                    float(scores[i])))
    return neighbours
