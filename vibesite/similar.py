"""``vibesite similar SLUG``: the nearest articles of one article, from the embeddings file."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vibesite.store import ARTICLES, decode_vector


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
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path} does not exist: build the site first")
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT e.id, e.embedding, e.metadata FROM embeddings e JOIN collections c "
            "ON c.id = e.collection_id WHERE c.name = ? ORDER BY e.id", (ARTICLES,)).fetchall()
    ids = [r[0] for r in rows]
    if article_id not in ids:
        import difflib

        raise UnknownArticle(article_id, difflib.get_close_matches(article_id, ids, n=3))
    matrix = np.stack([decode_vector(r[1]) for r in rows])
    scores = matrix @ matrix[ids.index(article_id)]
    order = sorted((i for i in range(len(ids)) if ids[i] != article_id),
                   key=lambda i: (-scores[i], i))[:limit]
    neighbours = []
    for i in order:
        meta = json.loads(rows[i][2] or "{}")
        neighbours.append(Neighbour(ids[i], meta.get("title", ids[i]), meta.get("url", ""),
                                    float(scores[i])))
    return neighbours
