"""The fusion of keyword and semantic scores (vibesite.search.fusion) and the per-doc semantic
scores it takes (SiteSearch.doc_scores), on hand-made inputs with exact expected values."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from vibesite.content.parse import Article
from vibesite.search.fusion import Fused, fuse
from vibesite.search.index import FUSION_ALPHA, build_search_files
from vibesite.search.query import SiteSearch

FUSION = {"alpha": 0.4, "passage_mean": 0.25}


def test_keyword_results_alone_rank_by_bm25_over_the_best() -> None:
    lexical = [(3, 8.0), (1, 4.0), (2, 4.0)]  # BM25 order: score, then doc
    assert fuse(lexical, None, FUSION, 100, 0.5) == [
        Fused(3, 1.0, 1, None), Fused(1, 0.5, 2, None), Fused(2, 0.5, 3, None)]
    assert fuse([], None, FUSION, 100, None) == []


def test_scores_combine_convexly_and_the_floor_keeps_out_semantic_only_docs() -> None:
    best = np.array([0.9, 0.2, 0.6, 0.5, 0.1])
    semantic = np.array([0.8, 0.2, 0.5, 0.45, 0.1])
    lexical = [(1, 6.0), (4, 3.0)]
    fused = fuse(lexical, (best, semantic), FUSION, 2, 0.55)
    # doc 3 (best 0.5) is under the floor and no keyword matches it: left out;
    # docs 1 and 4 are keyword matches: kept whatever their semantic score
    assert [f.doc for f in fused] == [1, 0, 2, 4]  # 0.52, 0.48, 0.30, 0.26
    by_doc = {f.doc: f for f in fused}
    assert by_doc[1].score == 0.4 * 1.0 + (1 - 0.4) * 0.2
    assert by_doc[0].score == 0.4 * 0.0 + (1 - 0.4) * 0.8
    assert by_doc[4].score == 0.4 * 0.5 + (1 - 0.4) * 0.1
    assert (by_doc[1].lexical_rank, by_doc[1].semantic_rank) == (1, None)
    assert (by_doc[0].lexical_rank, by_doc[0].semantic_rank) == (None, 1)
    assert by_doc[2].semantic_rank == 2  # the first `candidates` (2) by semantic score
    assert len(fuse([], (best, semantic), FUSION, 100, None)) == 5  # no floor: every doc


def test_equal_scores_rank_the_lower_doc_first() -> None:
    same = np.full(4, 0.5)
    assert [f.doc for f in fuse([(2, 1.0), (0, 1.0)], (same, same),
                                 FUSION, 100, 0.9)] == [0, 2]


def test_a_docs_semantic_score_is_its_best_passage_plus_a_share_of_its_mean(
        tmp_path: Path) -> None:
    articles = [Article(id=f"a{i}", source=f"a{i}.md", title=f"Title {i}",
                        date=datetime(2024, 1, 1, tzinfo=UTC), updated=None, tags=(),
                        summary="", html_body=f"<p>text {i}</p>", text=f"text {i}",
                        reading_minutes=1) for i in range(3)]
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((6, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    files = build_search_files(articles, vectors, passage_counts=[1, 3, 2])
    for relpath, data in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_bytes(data if isinstance(data, bytes) else data.read_bytes())
    search = SiteSearch.load(tmp_path)
    query = vectors[2]
    passages = search.passage_scores(query)
    best, semantic = search.doc_scores(query)
    share = search.manifest["fusion"]["passage_mean"]
    assert share == 0.25 and search.manifest["fusion"]["alpha"] == FUSION_ALPHA
    for doc, (start, stop) in enumerate([(0, 1), (1, 4), (4, 6)]):
        own = passages[start:stop]
        total = 0.0
        for value in own:  # in order, as codes.js adds them
            total += value
        assert best[doc] == own.max()
        assert semantic[doc] == (own.max() + share * (total / len(own))) / (1 + share)
    assert semantic[1] < best[1]  # the mean of three passages pulls the best one down
    assert semantic[0] == pytest.approx(best[0], rel=1e-15)  # one passage: its own score
