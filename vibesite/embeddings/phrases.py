"""Short phrases embedded with the site's model, kept in the embeddings file (topic names).

In: the store, the configured model's name and the factory that loads an embedder only when
needed. Out: ``phrase_encoder``, a function phrases -> (n, dim) unit vectors that embeds only
phrases the store does not hold yet (collection ``topic-phrases``), so a rebuild whose topic
names draw on the same candidates embeds nothing and loads no model.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vibesite.embeddings.store import EmbeddingStore, StoredRow, content_hash
from vibesite.model.base import Embedder, encoder_of, model_id

PHRASES = "topic-phrases"
PHRASES_PER_ARTICLE = 64  # phrases that cost about as much to embed as one article


def phrase_encoder(store: EmbeddingStore, model: str,
                   make_embedder: Callable[[int], Embedder]) -> Callable[[list[str]], np.ndarray]:
    def encode(phrases: list[str]) -> np.ndarray:
        cid = store.collection(PHRASES, model_id(model))
        entries = {p: (p, {}) for p in phrases}
        encoder = encoder_of(make_embedder)
        todo = store.check_content(cid, entries, encoder).changed
        if todo:
            # a phrase is a few tokens, ~1/64 of an article's window
            embedder = make_embedder(max(1, len(todo) // PHRASES_PER_ARTICLE))
            if encoder_of(embedder) != encoder:  # the articles' encoder, not a mix
                encoder = encoder_of(embedder)
                todo = store.check_content(cid, entries, encoder).changed
            vectors = np.asarray(embedder.encode(list(todo)), dtype=np.float32)
            store.save_rows(cid, [StoredRow(p, v, p, content_hash(p, encoder), {})
                                  for p, v in zip(todo, vectors, strict=True)])
        found = store.vectors(cid, phrases)
        norms = np.linalg.norm(found, axis=1, keepdims=True) if found.size else 1.0
        return found / np.where(norms > 0, norms, 1.0)

    return encode
