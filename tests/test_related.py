"""Related articles with the real packaged model, and the exact top-k itself."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable

import numpy as np
from _sitebuild import build_quiet

from vibesite.config import Config
from vibesite.embeddings.relate import top_k
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder

GROUPS = {
    "pasta": [
        ("Cooking spaghetti carbonara", "Whisk eggs and pecorino, fry guanciale, toss with hot "
         "spaghetti off the heat so the sauce turns creamy without scrambling."),
        ("Fresh egg pasta by hand", "Knead flour and eggs into a smooth dough, rest it, then "
         "roll thin sheets and cut tagliatelle for dinner."),
        ("Salting pasta water", "Boil a large pot of water and salt it well before adding the "
         "pasta; it seasons the noodles from the inside."),
        ("A quick tomato sauce for pasta", "Simmer canned tomatoes with garlic and olive oil "
         "for twenty minutes and stir in basil before serving with penne."),
    ],
    "git": [
        ("Undo the last git commit", "Use git reset --soft HEAD~1 to move the branch back one "
         "commit while keeping your changes staged."),
        ("Interactive rebase to squash commits", "Run git rebase -i and mark commits as squash "
         "to combine them into one before merging the branch."),
        ("Recover a lost commit with the reflog", "git reflog lists where HEAD has been, so a "
         "commit lost after a reset can be checked out again."),
        ("Stash uncommitted changes in git", "git stash saves your working tree changes so you "
         "can switch branches, and git stash pop brings them back."),
    ],
    "space": [
        ("Choosing a first telescope for stargazing", "A small refractor telescope is an easy "
         "first instrument for watching stars, planets and galaxies in the night sky."),
        ("Observing Jupiter's moons with a telescope", "Point a small telescope at the planet "
         "Jupiter in the night sky to see its four largest moons orbit it."),
        ("Seeing the craters of the Moon", "Even a small telescope shows the craters and seas of "
         "the Moon on a clear night; the best views are along the shadow line."),
        ("Finding the Andromeda galaxy", "On a dark autumn night, Andromeda is a faint smudge "
         "near Cassiopeia, the most distant object visible to the naked eye."),
    ],
}


def _site_files() -> dict[str, str]:
    files = {}
    for group, articles in GROUPS.items():
        for n, (title, body) in enumerate(articles):
            files[f"{group}/{group}-{n}.md"] = f"# {title}\n\n{body}\n"
    return files


def test_related_finds_the_hand_made_neighbours(
        make_site: Callable[..., Config], real_embedder: SentenceTransformerEmbedder) -> None:
    config = make_site(_site_files())
    result = build_quiet(config, real_embedder)
    assert result.articles == 12
    related = json.loads((config.output_dir / "related.json").read_text())
    for group, articles in GROUPS.items():
        for n in range(len(articles)):
            entries = related[f"{group}/{group}-{n}"]
            assert len(entries) == 10
            top3 = {e["id"].split("/")[0] for e in entries[:3]}
            assert top3 == {group}, (group, n, entries[:3])
            scores = [e["score"] for e in entries]
            assert scores == sorted(scores, reverse=True)
    page = (config.output_dir / "git/git-0/index.html").read_text()
    related_block = page[page.index("Related"):]
    titles = re.findall(r'<a href="/git/git-[123]/">([^<]+)</a>', related_block)
    assert len(titles) == 3
    with sqlite3.connect(config.db_path) as conn:
        rows = conn.execute("SELECT other_id FROM similarities WHERE id = 'space/space-0' "
                            "ORDER BY score DESC LIMIT 3").fetchall()
    assert {r[0].split("/")[0] for r in rows} == {"space"}


def test_long_articles_are_split_into_titled_windows(
        make_site: Callable[..., Config], real_embedder: SentenceTransformerEmbedder) -> None:
    body = " ".join(f"Paragraph {i} explains how sqlite stores pages on disk." for i in range(80))
    config = make_site({"long.md": f"# SQLite internals\n\n{body}\n"})
    build_quiet(config, real_embedder)
    with sqlite3.connect(config.db_path) as conn:
        passages = conn.execute(
            "SELECT e.id, e.content, e.embedding FROM embeddings e JOIN collections c "
            "ON c.id = e.collection_id WHERE c.name = 'passages' ORDER BY e.id").fetchall()
        article = conn.execute(
            "SELECT e.embedding FROM embeddings e JOIN collections c ON c.id = e.collection_id "
            "WHERE c.name = 'articles'").fetchone()[0]
    assert len(passages) >= 3
    assert all(content.startswith("SQLite internals\n\n") for _, content, _ in passages)
    for _, content, _ in passages:
        assert len(real_embedder.tokenizer.tokenize(content)) <= real_embedder.max_tokens - 2
    windows = np.stack([np.frombuffer(p[2], "<f4") for p in passages])
    mean = windows.mean(axis=0)
    assert np.allclose(np.frombuffer(article, "<f4"), mean / np.linalg.norm(mean), atol=1e-6)


def test_top_k_is_exact_and_independent_of_block_size() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    expected = np.argsort(-sims, axis=1, kind="stable")[:, :10]
    for block in (1, 64, 500):
        assert (top_k(vectors, 10, block=block).neighbours == expected).all()


def test_top_k_breaks_ties_by_index_and_excludes_self() -> None:
    base = np.eye(4, dtype=np.float32)
    vectors = np.repeat(base, 3, axis=0)  # 4 groups of 3 identical vectors
    related = top_k(vectors, 4)
    assert related.neighbours[0].tolist()[:2] == [1, 2]
    assert related.neighbours[4].tolist()[:2] == [3, 5]
    assert all(i not in row for i, row in enumerate(related.neighbours.tolist()))
    assert top_k(vectors[:3], 10).neighbours.shape == (3, 2)
    assert top_k(vectors[:1], 10).neighbours.shape == (1, 0)
