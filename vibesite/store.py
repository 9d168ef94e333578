"""The embeddings SQLite file, in the schema of simonw/llm (so `llm similar` can read it)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ARTICLES = "articles"
PASSAGES = "passages"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS collections (
    id INTEGER PRIMARY KEY, name TEXT, model TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_collections_name ON collections (name);
CREATE TABLE IF NOT EXISTS embeddings (
    collection_id INTEGER REFERENCES collections(id),
    id TEXT,
    embedding BLOB,
    content TEXT,
    content_blob BLOB,
    content_hash BLOB,
    metadata TEXT,
    updated INTEGER,
    PRIMARY KEY (collection_id, id)
);
CREATE INDEX IF NOT EXISTS idx_embeddings_content_hash ON embeddings (content_hash);
CREATE TABLE IF NOT EXISTS similarities (
    id TEXT, other_id TEXT, score REAL, PRIMARY KEY (id, other_id)
);
CREATE TABLE IF NOT EXISTS _sqlite_migrations (
    migration_set TEXT, name TEXT, applied_at TEXT, PRIMARY KEY (migration_set, name)
);
"""
# llm runs these migrations on a file it opens; recording them as applied lets it use ours as is.
_LLM_MIGRATIONS = ("m001_create_tables", "m002_foreign_key", "m003_add_updated",
                   "m004_store_content_hash", "m005_add_content_blob")


def content_hash(text: str) -> bytes:
    return hashlib.md5(text.encode("utf-8")).digest()


def encode_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def decode_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


@dataclass(frozen=True)
class StoredRow:
    id: str
    vector: np.ndarray
    content: str
    content_hash: bytes
    metadata: dict


class EmbeddingStore:
    """One SQLite connection; every write method is one transaction."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(path)
        with self.conn:
            self.conn.executescript(_SCHEMA)
            self.conn.executemany(
                "INSERT OR IGNORE INTO _sqlite_migrations VALUES ('llm.embeddings', ?, ?)",
                [(name, time.strftime("%Y-%m-%d %H:%M:%S")) for name in _LLM_MIGRATIONS],
            )

    def close(self) -> None:
        self.conn.close()

    def collection(self, name: str, model: str) -> int:
        """The collection's id; a different model than before empties it (all re-embedded)."""
        row = self.conn.execute("SELECT id, model FROM collections WHERE name = ?",
                                (name,)).fetchone()
        with self.conn:
            if row is None:
                cursor = self.conn.execute(
                    "INSERT INTO collections (name, model) VALUES (?, ?)", (name, model))
                return int(cursor.lastrowid or 0)
            if row[1] != model:
                self.conn.execute("DELETE FROM embeddings WHERE collection_id = ?", (row[0],))
                self.conn.execute("UPDATE collections SET model = ? WHERE id = ?", (model, row[0]))
        return int(row[0])

    def hashes(self, collection_id: int) -> dict[str, tuple[bytes, str]]:
        rows = self.conn.execute(
            "SELECT id, content_hash, metadata FROM embeddings WHERE collection_id = ?",
            (collection_id,))
        return {r[0]: (bytes(r[1] or b""), r[2] or "") for r in rows}

    def _insert(self, collection_id: int, rows: Iterable[StoredRow]) -> None:
        now = int(time.time())
        self.conn.executemany(
            "INSERT OR REPLACE INTO embeddings (collection_id, id, embedding, content, "
            "content_blob, content_hash, metadata, updated) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
            [(collection_id, r.id, encode_vector(r.vector), r.content, r.content_hash,
              json.dumps(r.metadata, sort_keys=True), now) for r in rows],
        )

    def save_chunk(self, articles_cid: int, article_rows: Sequence[StoredRow],
                   passages_cid: int, passage_rows: Sequence[StoredRow]) -> None:
        """Store a chunk of embedded articles and their windows in one transaction, so a
        build killed at any moment keeps every chunk before it and no half of this one."""
        with self.conn:
            self.conn.executemany(
                "DELETE FROM embeddings WHERE collection_id = ? AND id >= ? AND id < ?",
                [(passages_cid, f"{r.id}#", f"{r.id}$") for r in article_rows],
            )
            self._insert(passages_cid, passage_rows)
            self._insert(articles_cid, article_rows)

    def update_metadata(self, collection_id: int, metadata: dict[str, dict]) -> None:
        with self.conn:
            self.conn.executemany(
                "UPDATE embeddings SET metadata = ? WHERE collection_id = ? AND id = ?",
                [(json.dumps(m, sort_keys=True), collection_id, i) for i, m in metadata.items()],
            )

    def delete_except(self, collection_id: int, keep: set[str], group: bool = False) -> int:
        """Delete rows not in ``keep`` (with ``group``, the part before ``#`` is compared)."""
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM embeddings WHERE collection_id = ?", (collection_id,))]
        gone = [i for i in ids if (i.rsplit("#", 1)[0] if group else i) not in keep]
        with self.conn:
            self.conn.executemany("DELETE FROM embeddings WHERE collection_id = ? AND id = ?",
                                  [(collection_id, i) for i in gone])
        return len(gone)

    def vectors(self, collection_id: int, ids: Sequence[str]) -> np.ndarray:
        found = dict(self.conn.execute(
            "SELECT id, embedding FROM embeddings WHERE collection_id = ?", (collection_id,)))
        if not ids:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([decode_vector(found[i]) for i in ids]).astype(np.float32, copy=False)

    def grouped_vectors(self, collection_id: int) -> dict[str, list[np.ndarray]]:
        """``prefix -> [vector of <prefix>#0, <prefix>#1, ...]`` for the rows named so."""
        numbered: dict[str, list[tuple[int, np.ndarray]]] = {}
        for row_id, blob in self.conn.execute(
                "SELECT id, embedding FROM embeddings WHERE collection_id = ?", (collection_id,)):
            prefix, _, number = row_id.rpartition("#")
            if prefix and number.isdigit():
                numbered.setdefault(prefix, []).append((int(number), decode_vector(blob)))
        return {prefix: [v for _, v in sorted(rows, key=lambda r: r[0])]
                for prefix, rows in numbered.items()}

    def replace_similarities(self, rows: Iterable[tuple[str, str, float]]) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM similarities")
            self.conn.executemany("INSERT INTO similarities VALUES (?, ?, ?)", rows)
