"""The embeddings SQLite file: one object owns every table in it.

In: article and window vectors, related lists, topics and map positions. Out: the same, read
back for the next build, ``vibesite similar`` and anyone with ``llm``/sqlite-utils/Datasette.
``collections`` and ``embeddings`` are simonw/llm's schema (so ``llm similar`` reads them);
``similarities``, ``topics``, ``topic_members`` and ``map_coords`` are vibesite's. No other
module speaks SQL to this file.

Other tools may have touched the file (llm rebuilds ``_sqlite_migrations`` with an ``id``
column, sqlite-utils adds FTS tables and triggers, anyone may add tables, indexes, columns or
collections): every write names its columns, rows are updated in place (``ON CONFLICT DO
UPDATE``, so triggers see a real update) and nothing vibesite did not create is dropped. A
file that cannot be used raises ``StoreError``: one line naming the file and what to do.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vibesite.embeddings.errors import StoreError, rebuild_hint

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
CREATE TABLE IF NOT EXISTS topics (
    slug TEXT PRIMARY KEY, name TEXT NOT NULL, keywords TEXT NOT NULL, size INTEGER NOT NULL,
    centroid BLOB NOT NULL, seeded INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS topic_members (
    topic_slug TEXT NOT NULL, id TEXT NOT NULL, rank INTEGER NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (topic_slug, id)
);
CREATE TABLE IF NOT EXISTS map_coords (id TEXT PRIMARY KEY, x REAL NOT NULL, y REAL NOT NULL);
CREATE TABLE IF NOT EXISTS _sqlite_migrations (
    id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, applied_at TEXT
);
"""
# The columns each write needs; a table without them was made by something else.
_REQUIRED_COLUMNS = {
    "collections": ("id", "name", "model"),
    "embeddings": ("collection_id", "id", "embedding", "content", "content_blob", "content_hash",
                   "metadata", "updated"),
    "similarities": ("id", "other_id", "score"),
    "topics": ("slug", "name", "keywords", "size", "centroid", "seeded"),
    "topic_members": ("topic_slug", "id", "rank", "score"),
    "map_coords": ("id", "x", "y"),
}
# llm runs these migrations on a file it opens; recording them as applied lets it use ours as is.
# The table is sqlite-utils' current shape (an ``id`` key), so llm has nothing to rebuild.
_LLM_MIGRATIONS = ("m001_create_tables", "m002_foreign_key", "m003_add_updated",
                   "m004_store_content_hash", "m005_add_content_blob")
# PRAGMA user_version of the files this vibesite writes; a larger one is a newer vibesite's.
STORE_FORMAT = 1



def content_hash(text: str, encoder: str = "") -> bytes:
    """llm's hash of a row's content (md5 of its UTF-8) for vectors the model itself gives
    (torch, or its float32 ONNX export: the same vectors to rounding). Vectors of another
    encoder of the same model (``encoder``: the int8 build encoder) hash its name in too, so
    that a switch of encoder re-embeds every row instead of mixing vectors of both, and llm,
    which computes the model's own vectors, re-embeds such a row rather than skip it."""
    data = f"{encoder}\0{text}" if encoder else text
    return hashlib.md5(data.encode("utf-8")).digest()


def encode_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def decode_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


def _metadata_json(metadata: dict) -> str:
    return json.dumps(metadata, sort_keys=True)


@dataclass(frozen=True)
class StoredTopic:
    """A topic as the store keeps it: the last build's, read back to keep slugs stable."""

    slug: str
    member_ids: Collection[str]  # most central first when written
    centroid: tuple[float, ...]
    name: str = ""
    keywords: tuple[str, ...] = ()
    seeded: bool = False
    member_scores: tuple[float, ...] = ()  # cosine to the centroid, as member_ids
    level: int = 2  # 1: a broad topic holding fine ones; 2: a fine (or seeded) topic
    parent: str = ""  # a fine topic's broad topic


@dataclass(frozen=True)
class ContentCheck:
    """What ``check_content`` found: the ids to embed, and which of them are new."""

    changed: list[str]  # new or changed content, in the order given
    new: frozenset[str]  # of those, the ids with no stored row


@dataclass(frozen=True)
class StoredArticle:
    """An article's vector with the metadata stored beside it (title, url, date)."""

    id: str
    vector: np.ndarray
    metadata: dict


@dataclass(frozen=True)
class StoredRow:
    id: str
    vector: np.ndarray
    content: str
    content_hash: bytes
    metadata: dict


class EmbeddingStore:
    """One SQLite connection; every write method is one transaction.

    ``EmbeddingStore(path)`` creates the file and its tables as needed (a build);
    ``EmbeddingStore.existing(path)`` only reads a file a build made (FileNotFoundError if none).
    """

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not create and not path.exists():
            raise FileNotFoundError(f"{path} does not exist: build the site first")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path)
        try:
            self._check_format()
            self._check_columns()  # before any write: a file vibesite cannot use stays as it is
            if create:
                with self.conn:
                    self.conn.executescript(_SCHEMA)
                    self._add_columns()
                    self._record_llm_migrations()
                    self.conn.execute(f"PRAGMA user_version = {STORE_FORMAT}")
        except sqlite3.Error as exc:
            self.conn.close()
            raise StoreError.from_sqlite(path, exc) from exc
        except StoreError:
            self.conn.close()
            raise

    def _check_format(self) -> None:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > STORE_FORMAT:
            raise StoreError(self.path, f"was written by a newer vibesite (store format "
                             f"{version}; this vibesite reads format {STORE_FORMAT})",
                             "upgrade vibesite, or " + rebuild_hint(self.path))

    def _columns(self, table: str) -> set[str]:
        return {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}

    def _check_columns(self) -> None:
        for table, needed in _REQUIRED_COLUMNS.items():
            have = self._columns(table)
            if not have:
                continue  # a reader of a file from before this table existed
            missing = [c for c in needed if c not in have]
            if missing:
                raise StoreError(self.path, f"table {table} lacks the column(s) "
                                 f"{', '.join(missing)} vibesite needs (made by another program?)")

    def _add_columns(self) -> None:
        """Files from before two topic levels get the columns, every topic a fine one; files
        from before the map's layout was recorded get it empty, so the next build lays the
        map out afresh instead of keeping an older method's positions."""
        for table, column, kind in (("topics", "level", "INTEGER NOT NULL DEFAULT 2"),
                                    ("topics", "parent", "TEXT NOT NULL DEFAULT ''"),
                                    ("map_coords", "layout", "TEXT NOT NULL DEFAULT ''")):
            if column not in self._columns(table):
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def _record_llm_migrations(self) -> None:
        """Mark llm's migrations applied, in whichever shape the table is (llm's older
        ``(migration_set, name, applied_at)`` or sqlite-utils' current one with ``id``)."""
        if not {"migration_set", "name", "applied_at"} <= self._columns("_sqlite_migrations"):
            return  # someone else's table of that name: leave it alone
        self.conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS "
                          "idx__sqlite_migrations_migration_set_name "
                          "ON _sqlite_migrations (migration_set, name)")
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        self.conn.executemany(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "SELECT 'llm.embeddings', :name, :now WHERE NOT EXISTS (SELECT 1 FROM "
            "_sqlite_migrations WHERE migration_set = 'llm.embeddings' AND name = :name)",
            [{"name": name, "now": now} for name in _LLM_MIGRATIONS],
        )

    @classmethod
    def existing(cls, path: Path) -> EmbeddingStore:
        return cls(path, create=False)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> EmbeddingStore:
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        """Close; a SQLite error raised while using the file leaves as a ``StoreError``."""
        self.close()
        if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.ProgrammingError):
            raise StoreError.from_sqlite(self.path, exc) from exc

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

    def _hashes(self, collection_id: int) -> dict[str, tuple[bytes, str]]:
        """``id -> (content hash, metadata JSON)`` of every stored row."""
        rows = self.conn.execute(
            "SELECT id, content_hash, metadata FROM embeddings WHERE collection_id = ?",
            (collection_id,))
        return {r[0]: (bytes(r[1] or b""), r[2] or "") for r in rows}

    def content_hashes(self, collection_id: int) -> dict[str, bytes]:
        return {i: h for i, (h, _) in self._hashes(collection_id).items()}

    def check_content(self, collection_id: int, entries: Mapping[str, tuple[str, dict]],
                      encoder: str = "") -> ContentCheck:
        """llm's skip of unchanged content: of ``entries`` (id -> (text, metadata)), the ids
        with no stored row or a different content hash (``encoder``: see content_hash). A row
        whose content is unchanged but whose metadata is not (a new URL or date) takes the new
        metadata."""
        stored = self._hashes(collection_id)
        changed = [i for i, (text, _) in entries.items()
                   if stored.get(i, (b"",))[0] != content_hash(text, encoder)]
        todo = set(changed)
        stale = {i: meta for i, (_, meta) in entries.items()
                 if i in stored and i not in todo and stored[i][1] != _metadata_json(meta)}
        if stale:
            self.update_metadata(collection_id, stale)
        return ContentCheck(changed, frozenset(i for i in changed if i not in stored))

    def _insert(self, collection_id: int, rows: Iterable[StoredRow]) -> None:
        now = int(time.time())
        self.conn.executemany(
            "INSERT INTO embeddings (collection_id, id, embedding, content, content_blob, "
            "content_hash, metadata, updated) VALUES (?, ?, ?, ?, NULL, ?, ?, ?) "
            "ON CONFLICT (collection_id, id) DO UPDATE SET embedding = excluded.embedding, "
            "content = excluded.content, content_blob = NULL, "
            "content_hash = excluded.content_hash, metadata = excluded.metadata, "
            "updated = excluded.updated",
            [(collection_id, r.id, encode_vector(r.vector), r.content, r.content_hash,
              _metadata_json(r.metadata), now) for r in rows],
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

    def save_rows(self, collection_id: int, rows: Sequence[StoredRow]) -> None:
        """Store rows of one collection (such as embedded topic-name phrases) in one go."""
        with self.conn:
            self._insert(collection_id, rows)

    def update_metadata(self, collection_id: int, metadata: dict[str, dict]) -> None:
        with self.conn:
            self.conn.executemany(
                "UPDATE embeddings SET metadata = ? WHERE collection_id = ? AND id = ?",
                [(_metadata_json(m), collection_id, i) for i, m in metadata.items()],
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

    def row_count(self, table: str) -> int:
        """Rows in one of vibesite's own tables (``similarities``, ``topics``, ``map_coords``)."""
        if table not in ("similarities", "topics", "topic_members", "map_coords"):
            raise ValueError(f"not a table of vibesite's: {table!r}")
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def replace_similarities(self, rows: Iterable[tuple[str, str, float]]) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM similarities")
            self.conn.executemany(
                "INSERT INTO similarities (id, other_id, score) VALUES (?, ?, ?)", rows)

    def articles(self, collection: str) -> list[StoredArticle]:
        """Every row of the named collection, by id (empty when it does not exist)."""
        rows = self.conn.execute(
            "SELECT e.id, e.embedding, e.metadata FROM embeddings e JOIN collections c "
            "ON c.id = e.collection_id WHERE c.name = ? ORDER BY e.id", (collection,))
        return [StoredArticle(r[0], decode_vector(r[1]), json.loads(r[2] or "{}")) for r in rows]

    def contents(self, collection: str, ids: Sequence[str]) -> dict[str, str]:
        """The stored text of the named rows of a collection (``vibesite ask``'s passages);
        ids with no row are left out."""
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ", ".join("?" * len(chunk))
            found.update(self.conn.execute(
                "SELECT e.id, e.content FROM embeddings e JOIN collections c "
                f"ON c.id = e.collection_id WHERE c.name = ? AND e.id IN ({marks})",
                (collection, *chunk)))
        return found

    def previous_topics(self) -> list[StoredTopic]:
        """The topics of the last build (empty when none was saved), sorted by slug; members
        most central first."""
        members: dict[str, list[str]] = {}
        for slug, article in self.conn.execute(
                "SELECT topic_slug, id FROM topic_members ORDER BY topic_slug, rank"):
            members.setdefault(slug, []).append(article)
        rows = self.conn.execute(
            "SELECT slug, name, keywords, centroid, seeded, level, parent FROM topics "
            "ORDER BY slug")
        return [
            StoredTopic(slug=slug, member_ids=frozenset(members.get(slug, ())),
                        centroid=tuple(float(v) for v in np.frombuffer(blob, dtype="<f4")),
                        name=name, keywords=tuple(json.loads(keywords)), seeded=bool(seeded),
                        level=int(level), parent=parent)
            for slug, name, keywords, blob, seeded, level, parent in rows
        ]

    def map_coords(self, layout: str = "") -> dict[str, tuple[float, float]]:
        """The last build's map positions made by ``layout``, by article id (empty when none
        was saved, or when another layout method made them)."""
        return {a: (float(x), float(y)) for a, x, y in self.conn.execute(
            "SELECT id, x, y FROM map_coords WHERE layout = ? ORDER BY id", (layout,))}

    def replace_topics(self, topics: Sequence[StoredTopic],
                       coords: Mapping[str, tuple[float, float]], layout: str = "") -> None:
        """Replace the stored topics, their members and the map positions (made by the
        ``layout`` method), in one transaction."""
        with self.conn:
            for table in ("topics", "topic_members", "map_coords"):
                self.conn.execute(f"DELETE FROM {table}")
            self.conn.executemany(
                "INSERT INTO topics (slug, name, keywords, size, centroid, seeded, level, parent) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(t.slug, t.name, json.dumps(list(t.keywords), ensure_ascii=False),
                  len(t.member_ids), np.asarray(t.centroid, dtype="<f4").tobytes(), int(t.seeded),
                  t.level, t.parent)
                 for t in topics])
            self.conn.executemany(
                "INSERT INTO topic_members (topic_slug, id, rank, score) VALUES (?, ?, ?, ?)",
                [(t.slug, a, rank, s) for t in topics
                 for rank, (a, s) in enumerate(zip(t.member_ids, t.member_scores, strict=True))])
            self.conn.executemany("INSERT INTO map_coords (id, x, y, layout) VALUES (?, ?, ?, ?)",
                                  [(a, xy[0], xy[1], layout) for a, xy in sorted(coords.items())])
