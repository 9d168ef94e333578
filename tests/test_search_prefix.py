"""The last word matches as a prefix while typed ("sqli" finds the SQLite page), weighted below
an exact match, in Python (``vibesite search --prefix``) and in Chromium (the search boxes), in
the same order; and the keyword shards are sorted term ranges that a prefix finds by itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _sitebuild import build_quiet, built_with_model
from browser import Recorder, serve

from vibesite.config import Config
from vibesite.search import lexicon
from vibesite.search.analysis import stemmer
from vibesite.search.lexicon import Posting, Shards, decode_shard, shard_files, typed_prefix
from vibesite.search.query import SiteSearch

PAGES = {
    "sqlite.md": "---\ntitle: Backups of a live database\ndate: 2024-01-01\n---\n"
                 "Copy it with the sqlite3 shell: SQLite writes a consistent snapshot.\n",
    "sql.md": "---\ntitle: Joins explained\ndate: 2024-01-02\n---\n"
              "An SQL join combines the rows of two tables.\n",
    "other.md": "---\ntitle: Something else\ndate: 2023-01-01\n---\n"
                "Nothing here is about the query at all.\n",
}


def test_typed_prefix_is_the_last_word_when_nothing_follows_it() -> None:
    assert typed_prefix("sqli", 3) == "sqli"
    assert typed_prefix("backup SQLi", 3) == "sqli"  # as typed: lowercase, not stemmed
    assert typed_prefix("sqli ", 3) is None  # a space: the word is whole
    assert typed_prefix("sqli.", 3) is None
    assert typed_prefix("sq", 3) is None  # too short to expand
    assert typed_prefix("", 3) is None and typed_prefix("   ", 3) is None
    assert typed_prefix("ＳＱＬＩ", 3) == "sqli"  # NFKC, like the index's terms


def test_shards_are_sorted_ranges_found_by_term_and_by_prefix() -> None:
    postings = {w: [[d, d] for d in range(3)]
                for w in ["con", "conc", "cond", "cons", "const", "construct", "d", "app"]}
    files: dict[str, bytes] = {}

    def add(prefix: str, data: bytes) -> str:
        files[f"{prefix}.json"] = data
        return f"{prefix}.json"

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lexicon, "SHARD_BYTES", 60)  # two terms a shard
        ranges = shard_files(postings, 3, add)
    assert [first for first, _ in ranges] == ["app", "conc", "cons", "construct"]
    assert len(files) == 4
    shards = Shards(ranges)
    decoded = {s: decode_shard(json.loads(files[path])) for s, path in enumerate(shards.paths)}
    for term in postings:  # every term is in the shard it is looked up in, decoded exactly
        assert decoded[shards.holding(term)][term] == [Posting(d, 1.0, (d,)) for d in range(3)]
    assert shards.holding("aaa") is None and shards.holding("zzz") == 3
    assert list(shards.with_prefix("con", 9)) == [0, 1, 2, 3]  # "con" is in the "app" shard
    assert list(shards.with_prefix("con", 2)) == [0, 1]  # at most PREFIX_SHARDS are read
    assert list(shards.with_prefix("cons", 9)) == [2, 3]
    assert list(shards.with_prefix("d", 9)) == [3]
    assert list(shards.with_prefix("a", 9)) == [0]
    assert list(shards.with_prefix("b", 9)) == [0]  # between terms: the one it would be in


def test_terms_in_most_docs_keep_counts_only() -> None:
    common = [[doc, 0, 5] for doc in range(70)]  # in 70 of 100 docs, twice each
    files: dict[str, bytes] = {}
    shard_files({"the": common, "rare": [[3, 1], [90, 2, 1]]}, 100,
                lambda prefix, data: files.setdefault(prefix, data) and prefix)
    data = json.loads(files["search/lex/0"])
    assert data == {"f": {"the": [0, 2] + [1, 2] * 69}, "p": {"rare": [[3, 1], [87, 2, 1]]}}
    assert decode_shard(data)["the"][:2] == [Posting(0, 2.0, None), Posting(1, 2.0, None)]
    assert not lexicon.counts_only(100, 200) and lexicon.counts_only(101, 200)
    assert not lexicon.counts_only(3, 4)  # a tiny site keeps every position


@pytest.fixture
def fake_site(make_site: Any, fake_embedder: Any) -> Config:
    config = make_site(PAGES)
    build_quiet(config, fake_embedder)
    return config


def urls(search: SiteSearch, query: str, prefix: bool = True) -> list[str]:
    return [h.url for h in search.search(query, semantic=False, prefix=prefix)]


def test_a_typed_prefix_finds_the_page_and_an_exact_word_wins(fake_site: Config) -> None:
    search = SiteSearch.load(fake_site.output_dir)
    assert urls(search, "sqli") == ["sqlite/"]  # sqlite and sqlite3 start with "sqli"
    assert search.search("sqli", semantic=False, prefix=True)[0].excerpt == (
        "Copy it with the <mark>sqlite3</mark> shell: <mark>SQLite</mark> writes a consistent "
        "snapshot.")  # the words it matched are marked
    assert urls(search, "sqli", prefix=False) == []  # whole words only
    assert urls(search, "sqli ") == []  # a space after it: the word is whole
    # "sql" is a word of sql.md and the start of sqlite.md's: the exact match ranks first
    assert urls(search, "sql") == ["sql/", "sqlite/"]
    assert urls(search, "sql", prefix=False) == ["sql/"]
    scores = search.lexical_scores("sql", prefix=True)
    assert scores[search.search("sql", semantic=False)[0].doc] > min(scores.values())
    assert urls(search, "consistent snap") == ["sqlite/"]  # the last word only


def test_a_word_typed_part_way_into_its_ending_still_finds_its_page(fake_site: Config) -> None:
    # Snowball stems "combines" to "combin" and "consistent" to "consist": no term starts with
    # "combini" or "consistentl", but "combining" and "consistently" stem to them
    search = SiteSearch.load(fake_site.output_dir)
    assert urls(search, "combini") == ["sql/"]
    assert urls(search, "consistentl") == ["sqlite/"]
    assert urls(search, "combini", prefix=False) == []
    assert lexicon.completions("combini", lexicon.PREFIX_SUFFIXES, stemmer()) == {
        "combin": len("combini") / len("combining")}
    hit = search.search("consistentl", semantic=False, prefix=True)[0]
    assert "<mark>consistent</mark>" in hit.excerpt


def test_the_cli_prefix_flag(fake_site: Config) -> None:
    def run(*args: str) -> list[dict[str, Any]]:
        done = subprocess.run([sys.executable, "-m", "vibesite", "search", "--json",
                               "--keyword-only", "--site", str(fake_site.output_dir), *args],
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout)["results"]

    assert [r["url"] for r in run("--prefix", "sqli")] == ["sqlite/"]
    assert run("sqli") == []


# Chromium: the same order, and the search box ------------------------------------------------


@pytest.fixture(scope="module")
def prefix_site(browser: Any, tmp_path_factory: pytest.TempPathFactory, real_embedder: Any,
                onnx_cache: Path) -> Config:
    root = tmp_path_factory.mktemp("prefix-site")
    return built_with_model(root, PAGES, onnx_cache, real_embedder, title="Prefix site",
                            base_url="/")


@pytest.fixture(scope="module")
def prefix_url(prefix_site: Config) -> Iterator[str]:
    with serve(prefix_site.output_dir, prefix="/") as url:
        yield url


QUERIES = ["sqli", "sql", "sqli ", "sq", "copy it with the sqli", "join", "joi", "tabl",
           "nothing here is about", "sqlite3", "combini", "consistentl"]


def test_the_browser_expands_prefixes_like_python(context: Any, prefix_url: str,
                                                  prefix_site: Config) -> None:
    page = context.new_page()
    page.recorder = Recorder(page)
    page.goto(prefix_url)
    page.wait_for_function("() => window.vibesiteSearch !== undefined")
    python = SiteSearch.load(prefix_site.output_dir)
    for query in QUERIES:
        for prefix in (True, False):
            js = page.evaluate("([q, o]) => window.vibesiteSearch.search(q, o)",
                               [query, {"limit": 10, "semantic": False, "prefix": prefix}])
            py = python.search(query, limit=10, semantic=False, prefix=prefix)
            assert [(h["url"], h["lexicalRank"], h["excerpt"]) for h in js] == [
                (h.url, h.lexical_rank, h.excerpt) for h in py], (query, prefix)
            assert [h["score"] for h in js] == pytest.approx([h.score for h in py], rel=1e-12)
    found = page.evaluate("(q) => window.vibesiteSearch.search(q, {semantic: false, "
                          "prefix: true})", "sql")
    assert [h["url"] for h in found] == ["sql/", "sqlite/"]  # the exact word first

    # the header box searches as the reader types: "sqli" already lists the SQLite page
    page.locator("#vs-search-input").focus()
    page.keyboard.type("sqli")
    page.locator("#vs-search-listbox [role='option']").first.wait_for()
    first = page.locator("#vs-search-listbox [role='option']").first.inner_text()
    assert "Backups of a live database" in first
    assert page.recorder.errors == []
