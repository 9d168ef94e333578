"""Topics as data for others: JSON for the site (``topics.json``) and rows for the store.

In: ``Topics``. Out: deterministic JSON text; ``StoredTopic`` rows and map positions that
``EmbeddingStore.replace_topics`` writes.
"""

from __future__ import annotations

import json

from vibesite.embeddings.store import StoredTopic
from vibesite.topics.build import Topics


def stored_topics(topics: Topics) -> list[StoredTopic]:
    """The rows the store keeps of each topic, members most central first."""
    return [StoredTopic(slug=t.slug, name=t.name, keywords=t.keywords, centroid=t.centroid,
                        seeded=t.seeded, member_ids=t.member_ids, member_scores=t.member_scores,
                        level=t.level, parent=t.parent)
            for t in (*topics.broad, *topics.topics)]


def topics_json(topics: Topics) -> str:
    """Deterministic JSON of the topics and map positions (not the build-to-build changes)."""
    data = {
        "topics": [
            {
                "slug": t.slug,
                "name": t.name,
                "keywords": list(t.keywords),
                "seeded": t.seeded,
                "parent": t.parent,
                "size": len(t.member_ids),
                "members": [
                    {"id": a, "score": round(s, 4) + 0.0}
                    for a, s in zip(t.member_ids, t.member_scores, strict=True)
                ],
            }
            for t in topics.topics
        ],
        "broad": [
            {"slug": t.slug, "name": t.name, "keywords": list(t.keywords),
             "size": len(t.member_ids),
             "topics": [f.slug for f in topics.topics if f.parent == t.slug]}
            for t in topics.broad
        ],
        "map": {a: [round(x, 4) + 0.0, round(y, 4) + 0.0] for a, (x, y) in topics.coords.items()},
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
