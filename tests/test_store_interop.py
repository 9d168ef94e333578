"""The embeddings file is shared with llm, sqlite-utils and Datasette, as the guide suggests.

Each test builds a tiny site, lets the real ``llm`` / ``sqlite-utils`` command line change its
``.vibesite/embeddings.db`` the way a user would, builds again and checks both sides still
work. A file vibesite truly cannot use is one line naming it and what to do, exit 2.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from _sitebuild import FakeEmbedder, build_quiet, site_with_toml

from vibesite.cli import main
from vibesite.config import Config
from vibesite.embeddings.store import STORE_FORMAT, EmbeddingStore
from vibesite.pipeline import build

BIN = Path(sys.executable).parent


def _notes(count: int) -> dict[str, str]:
    subjects = ("sqlite backups", "vim buffers", "git rebase")
    return {f"note-{i}.md": f"---\ntitle: Note {i}\ndate: 2024-02-0{i + 1}\n---\n"
            f"A note about {subjects[i % 3]} number {i}.\n" for i in range(count)}


def _site(root: Path) -> Config:
    """Six notes and a vibesite.toml (search off: the browser's model is not the point)."""
    return site_with_toml(root, _notes(6), title="Interop", search=False)


def _tool(*args: str | Path) -> str:
    """Run ``llm`` or ``sqlite-utils`` from this environment; their stdout."""
    done = subprocess.run([str(BIN / str(args[0])), *map(str, args[1:])], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _llm_similar(config: Config, article: str) -> list[str]:
    out = _tool("llm", "similar", "articles", article, "-d", config.db_path, "-n", "3")
    return [json.loads(line)["id"] for line in out.splitlines()]


def _query(config: Config, sql: str) -> list[tuple]:
    with sqlite3.connect(config.db_path) as conn:
        return conn.execute(sql).fetchall()


def _edit(config: Config) -> None:
    """One article changed, one removed, one added: every kind of write the store does."""
    note = config.content_dir / "note-1.md"
    note.write_text(note.read_text() + "Also about sqlite-utils full-text search.\n")
    (config.content_dir / "note-2.md").unlink()
    (config.content_dir / "note-9.md").write_text("---\ntitle: Note 9\n---\nA fresh note.\n")


def test_llm_cli_on_the_file_between_two_builds(tmp_path: Path,
                                                fake_embedder: FakeEmbedder) -> None:
    config = _site(tmp_path)
    build_quiet(config, fake_embedder)
    assert "articles: sentence-transformers/all-MiniLM-L6-v2\n  6 embeddings" in _tool(
        "llm", "collections", "list", "-d", config.db_path)
    neighbours = _llm_similar(config, "note-0")
    assert neighbours[0] == "note-3"  # the other sqlite backups note
    # llm migrates the file on open: _sqlite_migrations is rebuilt with an id column.
    columns = [r[1] for r in _query(config, "PRAGMA table_info(_sqlite_migrations)")]
    assert columns == ["id", "migration_set", "name", "applied_at"]

    _edit(config)
    second = build_quiet(config, fake_embedder)
    assert (second.embedded_new, second.embedded_changed, second.embeddings_removed) == (1, 1, 1)
    assert _llm_similar(config, "note-0") == neighbours[:1] + _llm_similar(config, "note-0")[1:]
    assert "Also about sqlite-utils" in _tool("llm", "similar", "articles", "note-4", "-d",
                                              config.db_path)
    migrations = _query(config, "SELECT migration_set, name FROM _sqlite_migrations")
    assert len(migrations) == len(set(migrations)) == 5


@pytest.mark.parametrize("shape", [
    "migration_set TEXT, name TEXT, applied_at TEXT, PRIMARY KEY (migration_set, name)",
    "id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, applied_at TEXT",
])
def test_either_shape_of_the_migrations_table_is_written_by_column_name(
        tmp_path: Path, fake_embedder: FakeEmbedder, shape: str) -> None:
    """The three-column table older vibesite and llm wrote, and sqlite-utils' current one;
    llm's rows already there are kept, not duplicated."""
    config = _site(tmp_path)
    config.cache_dir.mkdir()
    with sqlite3.connect(config.db_path) as conn:
        conn.execute(f"CREATE TABLE _sqlite_migrations ({shape})")
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('llm.embeddings', 'm001_create_tables', 'x'), ('other', 'a', 'y')")
    build_quiet(config, fake_embedder)
    build_quiet(config, fake_embedder)
    rows = _query(config, "SELECT migration_set, name, applied_at FROM _sqlite_migrations")
    assert ("llm.embeddings", "m001_create_tables", "x") in rows and ("other", "a", "y") in rows
    assert sorted(r[1] for r in rows if r[0] == "llm.embeddings") == [
        "m001_create_tables", "m002_foreign_key", "m003_add_updated",
        "m004_store_content_hash", "m005_add_content_blob"]
    assert _llm_similar(config, "note-0")[0] == "note-3"


def test_sqlite_utils_fts_columns_indexes_tables_and_collections_are_left_alone(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    config = _site(tmp_path)
    build_quiet(config, fake_embedder)
    db = config.db_path
    _tool("sqlite-utils", "enable-fts", db, "embeddings", "content", "--create-triggers")
    _tool("sqlite-utils", "add-column", db, "embeddings", "note", "text")
    _tool("sqlite-utils", "query", db, "UPDATE embeddings SET note = 'mine' WHERE id LIKE 'note-%'")
    _tool("sqlite-utils", "create-index", db, "embeddings", "updated")
    _tool("sqlite-utils", "create-table", db, "bookmarks", "id", "integer", "url", "text",
          "--pk", "id")
    # A collection of llm's own beside vibesite's, as `llm embed mine ...` would leave it.
    _tool("sqlite-utils", "query", db, "INSERT INTO collections (name, model) VALUES "
          "('mine', '3-small')")
    _tool("sqlite-utils", "query", db, "INSERT INTO embeddings (collection_id, id, embedding, "
          "content, updated) SELECT id, 'x', zeroblob(16), 'my own text', 0 FROM collections "
          "WHERE name = 'mine'")

    _edit(config)
    build_quiet(config, fake_embedder)
    _tool("sqlite-utils", "query", db,
          "INSERT INTO embeddings_fts (embeddings_fts) VALUES ('integrity-check')")
    found = json.loads(_tool("sqlite-utils", "search", db, "embeddings", "fresh", "-c", "id"))
    assert {row["id"] for row in found} == {"note-9", "note-9#0"}
    found = json.loads(_tool("sqlite-utils", "search", db, "embeddings", "rebase", "-c", "id"))
    assert {row["id"] for row in found} == {"note-5", "note-5#0"}  # note-2's rows are gone
    assert _query(config, "SELECT id, note FROM embeddings WHERE id IN ('note-0', 'note-1', "
                  "'note-9') ORDER BY id") == [("note-0", "mine"), ("note-1", "mine"),
                                               ("note-9", None)]
    assert _query(config, "SELECT content FROM embeddings WHERE id = 'x'") == [("my own text",)]
    indexes = {r[1] for r in _query(config, "PRAGMA index_list(embeddings)")}
    assert "idx_embeddings_updated" in indexes
    assert _query(config, "SELECT count(*) FROM bookmarks") == [(0,)]
    assert "mine: 3-small\n  1 embedding" in _tool("llm", "collections", "list", "-d", db)
    assert _llm_similar(config, "note-0")[0] == "note-3"


@pytest.mark.parametrize(("damage", "problem"), [
    (lambda db: db.write_bytes(b"these are not the bytes you are looking for\n" * 40),
     "is not a SQLite database"),
    (lambda db: sqlite3.connect(db).execute("PRAGMA user_version = 99"),
     f"was written by a newer vibesite (store format 99; this vibesite reads format "
     f"{STORE_FORMAT}); upgrade vibesite, or run"),
    (lambda db: sqlite3.connect(db).executescript(
        "DROP TABLE topics; CREATE TABLE topics (slug TEXT PRIMARY KEY, title TEXT)"),
     "table topics lacks the column(s) name, keywords, size, centroid, seeded vibesite "
     "needs (made by another program?); run"),
], ids=["not-sqlite", "newer-format", "foreign-schema"])
def test_a_file_vibesite_cannot_use_is_one_line_and_exit_2_then_rebuild_cache(
        tmp_path: Path, fake_embedder: FakeEmbedder, capsys: pytest.CaptureFixture[str],
        damage: object, problem: str) -> None:
    config = _site(tmp_path)
    build_quiet(config, fake_embedder)
    site = {p: p.read_bytes() for p in config.output_dir.rglob("*") if p.is_file()}
    damage(config.db_path)  # type: ignore[operator]
    kept = config.db_path.read_bytes()
    toml = str(tmp_path / "vibesite.toml")
    for command in (["build", "--config", toml], ["similar", "note-0", "--config", toml]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {config.db_path}: {problem}"), err
        assert err.endswith(f"run `vibesite build --rebuild-cache` (or delete "
                            f"{config.cache_dir}) to start it afresh\n"), err
        assert err.count("\n") == 1
    assert config.db_path.read_bytes() == kept  # nothing of the user's is touched
    assert {p: p.read_bytes() for p in config.output_dir.rglob("*") if p.is_file()} == site

    result = build(config, embedder=fake_embedder, progress=False, rebuild_cache=True)
    assert (result.embedded_new, result.articles) == (6, 6)
    with EmbeddingStore.existing(config.db_path) as store:
        assert store.row_count("similarities") == 6 * 5  # every other note is related
    assert _llm_similar(config, "note-0")[0] == "note-3"


@pytest.mark.slow  # the real model, through the real command line
def test_the_issue_reproduction_with_the_real_model(tmp_path: Path) -> None:
    """init, build, `llm similar`, edit, build: both builds exit 0 (the real CLI and model)."""
    vibesite = [sys.executable, "-m", "vibesite"]
    site = tmp_path / "site"
    subprocess.run([*vibesite, "init", str(site)], check=True, capture_output=True)

    def build_site(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*vibesite, "build", "--quiet", *options], cwd=site, text=True,
                              capture_output=True, timeout=600)

    assert build_site().returncode == 0
    db = site / ".vibesite" / "embeddings.db"
    assert _tool("llm", "similar", "articles", "welcome", "-d", db)
    with (site / "content" / "welcome.md").open("a") as welcome:
        welcome.write("\nmore\n")
    second = build_site()
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    assert json.loads(_tool("llm", "similar", "articles", "welcome", "-d", db))["id"] == (
        "writing-your-first-post")
    db.write_bytes(b"junk")
    broken = build_site()
    assert broken.returncode == 2 and broken.stderr.count("\n") == 1, broken.stderr
    assert build_site("--rebuild-cache").returncode == 0
