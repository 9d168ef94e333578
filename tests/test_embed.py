"""The embedding cache: skip unchanged, update changed, delete removed, survive a kill."""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Callable

import numpy as np
import pytest
from _sitebuild import FakeEmbedder, build_quiet

from vibesite.config import Config
from vibesite.embeddings.store import ARTICLES, PASSAGES


def _rows(config: Config, collection: str) -> dict[str, tuple[bytes, bytes, str]]:
    with sqlite3.connect(config.db_path) as conn:
        rows = conn.execute(
            "SELECT e.id, e.embedding, e.content_hash, e.metadata FROM embeddings e "
            "JOIN collections c ON c.id = e.collection_id WHERE c.name = ?", (collection,))
        return {r[0]: (r[1], r[2], r[3]) for r in rows}


def test_unchanged_articles_are_not_embedded_again(make_site: Callable[..., Config],
                                                   fake_embedder: FakeEmbedder) -> None:
    config = make_site("six-posts")
    first = build_quiet(config, fake_embedder)
    assert (first.embedded_new, first.embedded_changed, first.windows_embedded) == (6, 0, 6)
    fake_embedder.calls.clear()
    second = build_quiet(config, fake_embedder)
    assert fake_embedder.calls == []
    assert (second.embedded_new, second.embedded_changed, second.embeddings_removed) == (0, 0, 0)


def test_changed_article_is_re_embedded_and_deleted_one_removed(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    config = make_site("six-posts")
    build_quiet(config, fake_embedder)
    before = _rows(config, ARTICLES)
    (config.content_dir / "post-1.md").write_text("---\ntitle: Post 1\n---\nNow about sqlite.\n")
    (config.content_dir / "post-2.md").unlink()
    fake_embedder.calls.clear()
    result = build_quiet(config, fake_embedder)
    assert fake_embedder.encoded == ["Post 1\n\nNow about sqlite."]
    assert (result.embedded_new, result.embedded_changed, result.embeddings_removed) == (0, 1, 1)
    after = _rows(config, ARTICLES)
    assert set(after) == set(before) - {"post-2"}
    assert after["post-1"][1] != before["post-1"][1]
    assert after["post-3"] == before["post-3"]
    assert "post-2#0" not in _rows(config, PASSAGES)


def test_a_moved_article_keeps_its_vectors_under_its_new_id(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    """A renamed or moved file (or a new permalink) changes the article's id, not its text:
    its vectors and windows are copied to the new id, nothing is embedded, the old id goes."""
    config = make_site("six-posts")
    build_quiet(config, fake_embedder)
    before, windows = _rows(config, ARTICLES), _rows(config, PASSAGES)
    (config.content_dir / "notes").mkdir()
    (config.content_dir / "post-1.md").rename(config.content_dir / "notes" / "moved.md")
    fake_embedder.calls.clear()
    result = build_quiet(config, fake_embedder)
    assert fake_embedder.calls == []
    assert (result.embedded_new, result.embedded_changed, result.embeddings_removed,
            result.windows_embedded) == (1, 0, 1, 0)
    after, moved_windows = _rows(config, ARTICLES), _rows(config, PASSAGES)
    assert set(after) == set(before) - {"post-1"} | {"notes/moved"}
    assert after["notes/moved"][:2] == before["post-1"][:2]  # vector and content hash
    assert '"url": "notes/moved/"' in after["notes/moved"][2]
    assert moved_windows["notes/moved#0"][:2] == windows["post-1#0"][:2]
    assert "post-1#0" not in moved_windows
    fake_embedder.calls.clear()
    again = build_quiet(config, fake_embedder)
    assert fake_embedder.calls == [] and (again.embedded_new, again.embeddings_removed) == (0, 0)


def test_metadata_only_change_updates_metadata_without_embedding(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    config = make_site("six-posts")
    build_quiet(config, fake_embedder)
    path = config.content_dir / "post-0.md"
    path.write_text(path.read_text().replace("2024-01-01", "2023-05-05"))
    fake_embedder.calls.clear()
    build_quiet(config, fake_embedder)
    assert fake_embedder.calls == []
    assert '"date": "2023-05-05T00:00:00+00:00"' in _rows(config, ARTICLES)["post-0"][2]


def test_model_change_re_embeds_everything(make_site: Callable[..., Config],
                                           fake_embedder: FakeEmbedder) -> None:
    config = make_site("six-posts")
    build_quiet(config, fake_embedder)
    other = make_site({}, model="sentence-transformers/all-mpnet-base-v2")
    fake_embedder.calls.clear()
    result = build_quiet(other, fake_embedder)
    assert result.embedded_new == 6 and len(fake_embedder.encoded) == 6
    with sqlite3.connect(config.db_path) as conn:
        models = {r[0] for r in conn.execute("SELECT model FROM collections")}
    assert models == {"sentence-transformers/all-mpnet-base-v2"}


class _DiesOnSecondBatch(FakeEmbedder):
    def encode(self, texts: list[str]) -> np.ndarray:
        if self.calls:
            raise KeyboardInterrupt("killed during embedding")
        return super().encode(texts)


def test_a_kill_during_embedding_loses_only_the_batch_in_flight(
        make_site: Callable[..., Config]) -> None:
    files = {f"a{i:03d}.md": f"# Article {i}\n\nText {i}.\n" for i in range(100)}
    config = make_site(files, batch_size=1)  # batches of 64 articles
    with pytest.raises(KeyboardInterrupt):
        build_quiet(config, _DiesOnSecondBatch())
    assert len(_rows(config, ARTICLES)) == 64
    assert not config.output_dir.exists()
    resumed = FakeEmbedder()
    result = build_quiet(config, resumed)
    assert len(resumed.encoded) == 36 and result.embedded_new == 36


def test_database_is_readable_as_llm_embeddings(make_site: Callable[..., Config],
                                                fake_embedder: FakeEmbedder) -> None:
    config = make_site("six-posts")
    build_quiet(config, fake_embedder)
    conn = sqlite3.connect(config.db_path)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(embeddings)")]
    assert columns == ["collection_id", "id", "embedding", "content", "content_blob",
                       "content_hash", "metadata", "updated"]
    assert [r[1] for r in conn.execute("PRAGMA table_info(collections)")] == ["id", "name",
                                                                               "model"]
    blob, content = conn.execute(
        "SELECT embedding, content FROM embeddings JOIN collections c ON c.id = collection_id "
        "WHERE c.name = 'articles' AND embeddings.id = 'post-3'").fetchone()
    vector = struct.unpack("<" + "f" * (len(blob) // 4), blob)
    expected = FakeEmbedder().encode([content])[0]
    assert np.allclose(vector, expected, atol=1e-6)
    assert content == "Post 3\n\nBody number 3 about cats."
    similar = conn.execute("SELECT other_id, score FROM similarities WHERE id = 'post-3' "
                           "ORDER BY score DESC").fetchall()
    assert len(similar) == 5 and similar[0][0] in {"post-1", "post-5"}
    applied = {r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'llm.embeddings'")}
    assert "m001_create_tables" in applied
