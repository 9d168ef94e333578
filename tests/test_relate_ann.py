"""Related items past EXACT_LIMIT: HNSW candidates re-ranked exactly, against exact search."""

from __future__ import annotations

import re

import numpy as np
import pytest
from _sitebuild import CORPORA

from vibesite.embeddings import relate
from vibesite.embeddings.relate import exact_top_k, rerank, top_k
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder


def _recall(found: np.ndarray, exact: np.ndarray) -> float:
    hits = sum(len(set(a) & set(b)) for a, b in zip(found, exact, strict=True))
    return hits / exact.size


def _clustered(count: int, seed: int = 7) -> np.ndarray:
    """Topic centres plus per-article noise and a shared direction, like sentence vectors."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(count // 40, 96))
    sizes = rng.zipf(1.6, len(centres)).clip(1, 200)
    owner = rng.choice(len(centres), count, p=sizes / sizes.sum())
    vectors = centres[owner] + rng.normal(0, 0.8, (count, 96)) + 1.5
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def title_vectors(real_embedder: SentenceTransformerEmbedder) -> np.ndarray:
    """The real model's vectors of ~2,400 real titles (two corpora), or skip."""
    titles: list[str] = []
    for corpus, pattern in (("jbranchaud-til", r"\A# (.+)"), ("18f-blog-jekyll",
                                                              r"^title:\s*['\"]?(.+?)['\"]?$")):
        for path in sorted((CORPORA / corpus).rglob("*.md")):
            found = re.search(pattern, path.read_text(encoding="utf-8"), re.M)
            if found:
                titles.append(found.group(1))
    if len(titles) < 2000:
        pytest.skip("the jbranchaud-til and 18f-blog-jekyll corpora are not here")
    return real_embedder.encode(titles)


def test_hnsw_recall_on_real_vectors_is_high_and_scores_are_exact(
        title_vectors: np.ndarray) -> None:
    exact = top_k(title_vectors, 10)
    approx = top_k(title_vectors, 10, exact_limit=1000)
    assert _recall(approx.neighbours, exact.neighbours) >= 0.98
    rows = np.arange(len(title_vectors))[:, None]
    recomputed = np.einsum("nd,nkd->nk", title_vectors, title_vectors[approx.neighbours])
    np.testing.assert_allclose(approx.scores, recomputed, atol=1e-6)
    assert (approx.neighbours != rows).all()
    assert (np.diff(approx.scores, axis=1) <= 0).all()


def test_hnsw_results_are_the_same_every_run_and_recall_clustered_vectors() -> None:
    vectors = _clustered(3000)
    first = top_k(vectors, 10, exact_limit=100)
    second = top_k(vectors.copy(), 10, exact_limit=100)
    assert np.array_equal(first.neighbours, second.neighbours)
    assert first.scores.tobytes() == second.scores.tobytes()
    assert _recall(first.neighbours, top_k(vectors, 10).neighbours) >= 0.98


def test_exact_search_is_used_up_to_the_limit_and_hnsw_above(
        monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = _clustered(400)
    calls: list[int] = []
    real_approximate = relate._approximate

    def spy(matrix: np.ndarray, k: int) -> relate.Related:
        calls.append(len(matrix))
        return real_approximate(matrix, k)

    monkeypatch.setattr(relate, "_approximate", spy)
    below = top_k(vectors, 10, exact_limit=400)
    assert calls == []
    expected, _ = exact_top_k(vectors, np.arange(400), 10)
    assert np.array_equal(below.neighbours, expected)
    top_k(vectors, 10, exact_limit=399)
    assert calls == [400]


def test_rerank_orders_exactly_drops_self_and_marks_missing_candidates() -> None:
    vectors = np.eye(4, dtype=np.float32)
    vectors[1] = vectors[0] * 0.6 + vectors[2] * 0.8
    candidates = np.array([[0, 2, 1, -1], [3, 1, 0, 2], [1, -1, -1, -1], [0, 1, 2, 3]])
    neighbours, scores = rerank(vectors, candidates, 2)
    assert neighbours[0].tolist() == [1, 2]
    assert np.allclose(scores[0], [0.6, 0.0])
    assert neighbours[1].tolist() == [2, 0]
    assert neighbours[2, 0] == 1 and np.isneginf(scores[2, 1])
    assert neighbours[3].tolist() == [0, 1]  # all zero: ties go to the lower index
