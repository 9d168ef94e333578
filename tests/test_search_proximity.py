"""Phrase and proximity: a page holding the query's words together, in order, ranks above one
where they are scattered, and a page holding the whole query as a phrase is a ranking of its own
in the fusion; in Python (``vibesite search``) and in Chromium, in the same order.

The tiny site's two phrase pages hold exactly the same words (the same BM25 score to the last
bit) and the scattered one comes first in the index, so by BM25 alone it would win the tie.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _sitebuild import build_quiet, built_with_model
from browser import Recorder, serve

from vibesite.config import Config
from vibesite.search.analysis import stemmer, tokenize
from vibesite.search.excerpt import excerpt
from vibesite.search.proximity import proximity_tf, query_pairs
from vibesite.search.query import SiteSearch

QUERY = "stale cache invalidation"
PAGES = {  # the same words in both: only their order differs
    "together.md": "---\ntitle: Notes one\ndate: 2024-01-01\n---\n"
                   "Stale cache invalidation breaks pages when a server keeps old data around.\n",
    "scattered.md": "---\ntitle: Notes two\ndate: 2024-01-02\n---\n"
                    "Invalidation breaks pages when a stale server keeps old data around cache.\n",
    "other.md": "---\ntitle: Something else\ndate: 2023-01-01\n---\n"
                "Nothing here is about the query at all.\n",
}


def test_query_pairs_are_neighbours_in_order_each_once() -> None:
    assert query_pairs(["a", "b", "c"]) == [("a", "b"), ("b", "c")]
    assert query_pairs(["a", "a", "b", "a", "b"]) == [("a", "b"), ("b", "a")]
    assert query_pairs(["a"]) == [] and query_pairs([]) == []


def test_proximity_tf_counts_in_order_neighbours_by_one_over_the_gap() -> None:
    assert proximity_tf([0], [1]) == 1.0  # a phrase
    assert proximity_tf([0], [2]) == 0.5
    assert proximity_tf([0], [3]) == pytest.approx(1 / 3)
    assert proximity_tf([0], [4]) == 0.0  # too far
    assert proximity_tf([5], [4]) == 0.0  # the wrong order
    assert proximity_tf([0, 10, 20], [1, 12, 30]) == 1.5  # each: the nearest after it
    assert proximity_tf([0, 1], [2]) == 1.5


def test_excerpt_links_the_section_holding_the_phrase() -> None:
    sections = [["", "The cache is big and stale; invalidation of a cache is slow."],
                ["how", "How stale cache invalidation works, in short."]]
    terms = tokenize(QUERY)
    anchor, html = excerpt(sections, terms, stemmer())
    assert anchor == "how"  # the first section has the same words, more of them, scattered
    assert "<mark>stale</mark> <mark>cache</mark> <mark>invalidation</mark>" in html


@pytest.fixture
def fake_site(make_site: Any, fake_embedder: Any) -> Config:
    config = make_site(PAGES)
    build_quiet(config, fake_embedder)
    return config


def without_proximity(search: SiteSearch) -> SiteSearch:
    manifest = json.loads(json.dumps(search.manifest))
    manifest["lexical"]["proximity"]["weight"] = 0
    return SiteSearch(search.site_dir, manifest)


def test_the_phrase_page_beats_the_scattered_one(fake_site: Config) -> None:
    search = SiteSearch.load(fake_site.output_dir)
    bm25 = without_proximity(search)
    scores = bm25.lexical_scores(QUERY)
    assert len(scores) == 2 and len(set(scores.values())) == 1  # the same BM25, to the last bit
    hits = search.search(QUERY, semantic=False)
    assert min(scores) == hits[1].doc  # so BM25 alone puts the scattered page first (the tie)
    assert search.lexical_scores(QUERY)[hits[0].doc] > search.lexical_scores(QUERY)[hits[1].doc]
    assert (hits[0].lexical_rank, hits[1].lexical_rank) == (1, 2)
    assert [h.url for h in hits] == ["together/", "scattered/"]
    assert hits[0].excerpt.startswith("<mark>Stale</mark> <mark>cache</mark> "
                                      "<mark>invalidation</mark>")
    # reversed, the words are not in the phrase's order: neither page is helped more
    assert [h.url for h in search.search("invalidation cache stale", semantic=False)] == [
        "scattered/", "together/"]


# Chromium: the same order --------------------------------------------------------------------


@pytest.fixture(scope="module")
def phrase_site(browser: Any, tmp_path_factory: pytest.TempPathFactory, real_embedder: Any,
                onnx_cache: Path) -> Config:
    root = tmp_path_factory.mktemp("phrase-site")
    return built_with_model(root, PAGES, onnx_cache, real_embedder, title="Phrase site",
                            base_url="/")


@pytest.fixture(scope="module")
def phrase_url(phrase_site: Config) -> Iterator[str]:
    with serve(phrase_site.output_dir, prefix="/") as url:
        yield url


QUERIES = [QUERY, "invalidation cache stale", "stale cache", "old data around",
           "server keeps old data", "pages"]


def test_the_browser_ranks_phrases_like_python(context: Any, phrase_url: str,
                                               phrase_site: Config) -> None:
    page = context.new_page()
    page.recorder = Recorder(page)
    page.goto(phrase_url)
    page.wait_for_function("() => window.vibesiteSearch !== undefined")
    python = SiteSearch.load(phrase_site.output_dir)

    def both(semantic: bool) -> None:
        for query in QUERIES:
            js = page.evaluate("([q, o]) => window.vibesiteSearch.search(q, o)",
                               [query, {"limit": 10, "semantic": semantic}])
            # semantic: the browser's own query vector (onnxruntime-web's float32 sums round
            # differently from onnxruntime's in the last digits, and the scores carry that)
            vector = (np.array(page.evaluate("(q) => window.vibesiteSearch.embed(q)", query))
                      if semantic else None)
            py = python.search(query, limit=10, semantic=semantic, query_vector=vector)
            assert [(h["url"], h["lexicalRank"], h["semanticRank"], h["anchor"], h["excerpt"])
                    for h in js] == [(h.url, h.lexical_rank, h.semantic_rank, h.anchor,
                                      h.excerpt) for h in py], query
            assert [h["score"] for h in js] == pytest.approx([h.score for h in py], rel=1e-12)

    both(semantic=False)
    keyword = page.evaluate("(q) => window.vibesiteSearch.search(q, {semantic: false})", QUERY)
    assert [h["url"] for h in keyword][:2] == ["together/", "scattered/"]
    assert page.evaluate("() => window.vibesiteSearch.load().then("
                         "() => window.vibesiteSearch.ready)")
    both(semantic=True)
    assert page.recorder.errors == []
