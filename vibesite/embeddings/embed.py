"""Stage 3: embed new or changed articles (by content hash) and load every article's vector.

torch and sentence-transformers are imported only when something needs embedding, so a
rebuild with no content change starts in well under a second.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from vibesite.config import Config
from vibesite.content.parse import Article
from vibesite.embeddings.store import ARTICLES, PASSAGES, EmbeddingStore, StoredRow, content_hash
from vibesite.model.base import Embedder, encoder_of, model_id


@dataclass(frozen=True)
class Embeddings:
    ids: tuple[str, ...]  # article ids, in the order of ParsedContent.articles
    vectors: np.ndarray  # (n, dim) float32, L2-normalised
    new: int
    changed: int
    removed: int
    windows: int  # windows embedded in this build
    seconds_encoding: float
    passages: np.ndarray  # (m, dim) float32: every window's vector, article after article
    passage_counts: np.ndarray  # (n,) int64: how many of ``passages`` each article owns


def _metadata(article: Article) -> dict:
    return {"title": article.title, "url": article.url, "date": article.date_iso}


def _article_vector(window_vectors: np.ndarray) -> np.ndarray:
    mean = window_vectors.mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def embed(
    config: Config,
    articles: Sequence[Article],
    store: EmbeddingStore,
    make_embedder: Callable[[int], Embedder],
    progress: bool = True,
) -> Embeddings:
    mid = model_id(config.model)
    articles_cid = store.collection(ARTICLES, mid)
    passages_cid = store.collection(PASSAGES, mid)
    ids = {a.id for a in articles}
    encoder = encoder_of(make_embedder)  # the encoder the factory expects to load
    moved = _keep_moved(store, articles_cid, passages_cid, articles, encoder)
    removed = store.delete_except(articles_cid, ids)
    store.delete_except(passages_cid, ids, group=True)
    entries = {a.id: (a.embed_text, _metadata(a)) for a in articles}
    check = store.check_content(articles_cid, entries, encoder)
    n_windows, seconds = 0, 0.0
    if check.changed:
        embedder = make_embedder(len(check.changed))
        if encoder_of(embedder) != encoder:  # another encoder than expected: no mixing
            encoder = encoder_of(embedder)
            check = store.check_content(articles_cid, entries, encoder)
        todo_ids = set(check.changed)
        todo = [a for a in articles if a.id in todo_ids]
        n_windows, seconds = _embed_batches(embedder, todo, store, articles_cid, passages_cid,
                                            chunk=max(64, config.batch_size * 8),
                                            progress=progress)
    new, changed = len(check.new) + moved, len(check.changed) - len(check.new)
    vectors = store.vectors(articles_cid, [a.id for a in articles])
    passages, counts = _passages(store.grouped_vectors(passages_cid), articles, vectors)
    return Embeddings(tuple(a.id for a in articles), vectors, new, changed, removed,
                      n_windows, seconds, passages, counts)


def _keep_moved(store: EmbeddingStore, articles_cid: int, passages_cid: int,
                articles: Sequence[Article], encoder: str) -> int:
    """An article whose id changed (its file moved or renamed, a new permalink) but whose
    text did not: its stored vectors are copied to the new id instead of embedded again (the
    old id's rows are deleted after this). How many articles were kept so."""
    stored = store.content_hashes(articles_cid)
    ids = {a.id for a in articles}
    gone = {digest: old for old, digest in sorted(stored.items()) if old not in ids}
    moved = [(a, gone[digest]) for a in articles if a.id not in stored
             and (digest := content_hash(a.embed_text, encoder)) in gone]
    if not moved:
        return 0
    windows = store.grouped_vectors(passages_cid)
    texts = store.contents(PASSAGES, [f"{old}#{i}" for _, old in moved
                                      for i in range(len(windows.get(old, [])))])
    article_rows: list[StoredRow] = []
    passage_rows: list[StoredRow] = []
    for (article, old), vector in zip(moved, store.vectors(articles_cid, [o for _, o in moved]),
                                      strict=True):
        digest, meta = stored[old], _metadata(article)
        article_rows.append(StoredRow(article.id, vector, article.embed_text, digest, meta))
        passage_rows.extend(StoredRow(f"{article.id}#{i}", v, texts.get(f"{old}#{i}", ""),
                                      digest, meta) for i, v in enumerate(windows.get(old, [])))
    store.save_chunk(articles_cid, article_rows, passages_cid, passage_rows)
    return len(moved)


def _passages(windows: dict[str, list[np.ndarray]], articles: Sequence[Article],
              vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each article's stored window vectors in article order (its article vector if none)."""
    rows: list[np.ndarray] = []
    counts = np.zeros(len(articles), dtype=np.int64)
    for index, article in enumerate(articles):
        own = windows.get(article.id) or [vectors[index]]
        rows.extend(own)
        counts[index] = len(own)
    if not rows:
        return np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), np.float32), counts
    return np.stack(rows).astype(np.float32, copy=False), counts


def _embed_batches(embedder: Embedder, todo: Sequence[Article], store: EmbeddingStore,
                   articles_cid: int, passages_cid: int, chunk: int,
                   progress: bool) -> tuple[int, float]:
    """Encode in chunks of whole articles; each chunk is committed, so a kill loses one."""
    from tqdm import tqdm

    many = getattr(embedder, "windows_of", None)  # all at once, on every core
    windows = (many([(a.title, a.text) for a in todo]) if many is not None
               else [embedder.windows(a.title, a.text) for a in todo])
    encoder = encoder_of(embedder)
    total = sum(len(w) for w in windows)
    bar = tqdm(total=total, unit="text", desc="Embedding", disable=not progress,
               file=sys.stderr, leave=False)
    started = time.perf_counter()
    batch: list[int] = []
    size = 0
    for index, article_windows in enumerate(windows):
        batch.append(index)
        size += len(article_windows)
        if size >= chunk or index == len(windows) - 1:
            texts = [t for i in batch for t in windows[i]]
            vectors = embedder.encode(texts)
            _save(store, articles_cid, passages_cid, [todo[i] for i in batch],
                  [windows[i] for i in batch], vectors, encoder)
            bar.update(len(texts))
            batch, size = [], 0
    bar.close()
    return total, time.perf_counter() - started


def _save(store: EmbeddingStore, articles_cid: int, passages_cid: int,
          articles: Sequence[Article], windows: Sequence[list[str]], vectors: np.ndarray,
          encoder: str) -> None:
    article_rows: list[StoredRow] = []
    passage_rows: list[StoredRow] = []
    at = 0
    for article, texts in zip(articles, windows, strict=True):
        own = vectors[at : at + len(texts)]
        at += len(texts)
        digest = content_hash(article.embed_text, encoder)
        meta = _metadata(article)
        article_rows.append(StoredRow(article.id, _article_vector(own), article.embed_text,
                                      digest, meta))
        passage_rows.extend(StoredRow(f"{article.id}#{i}", own[i], text, digest, meta)
                            for i, text in enumerate(texts))
    store.save_chunk(articles_cid, article_rows, passages_cid, passage_rows)
