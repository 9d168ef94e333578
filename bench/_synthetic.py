"""Synthetic sites for bench/scale.py: Markdown articles from a fixed seed, and real MiniLM
vectors handed out by title so that the model never runs.

Words are sampled from the Markdown corpora in ../shared/corpora when present (read at run
time, never stored); vectors come from the embedding caches of earlier real builds.
"""

from __future__ import annotations

import glob
import random
import re
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
VECTOR_DBS = "/tmp/cb/*/.vibesite/embeddings.db"
NOISE = 0.03  # per-dimension sigma of the noise added to real vectors reused for padding
FALLBACK_WORDS = ["index", "build", "vector", "search", "page", "render", "cache", "topic",
                  "article", "model", "query", "token", "graph", "cluster", "theme", "site"]


def vocabulary(corpora: Path = CORPORA, files_per_corpus: int = 400) -> list[str]:
    """The 5,000 most common words of the corpora (a fixed file sample), most common first."""
    counts: Counter[str] = Counter()
    for corpus in sorted(p for p in corpora.glob("*") if p.is_dir()):
        for path in sorted(corpus.rglob("*.md"))[:files_per_corpus]:
            text = path.read_text(encoding="utf-8", errors="replace")
            counts.update(w.lower() for w in re.findall(r"[A-Za-z]{3,12}", text))
    words = [w for w, _ in counts.most_common(5000)]
    return words or list(FALLBACK_WORDS)


def real_vectors(count: int, seed: int, pattern: str = VECTOR_DBS) -> tuple[np.ndarray, int]:
    """``count`` L2-normalised vectors and how many of them are distinct real embeddings.

    Every distinct vector of every matching embeddings.db (articles and passages), shuffled;
    past those, random ones again with Gaussian noise (sigma NOISE per dimension, cosine
    ~0.93 to their source), so the extra rows look like near-duplicate articles. With no
    database at all: clusters of Gaussian noise around random centres (said by the caller).
    """
    blobs: set[bytes] = set()
    for db in sorted(glob.glob(pattern)):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            blobs.update(r[0] for r in conn.execute("SELECT embedding FROM embeddings"))
    rng = np.random.default_rng(seed)
    if blobs:
        real = np.frombuffer(b"".join(sorted(blobs)), dtype="<f4").reshape(len(blobs), -1)
        real = real[rng.permutation(len(real))]
    else:
        centres = rng.normal(size=(max(1, count // 50), 384))
        real = centres[rng.integers(0, len(centres), count)] + rng.normal(0, 0.5, (count, 384))
    distinct = min(count, len(real)) if blobs else 0
    rows = [real[:count]]
    if count > len(real):
        base = real[rng.integers(0, len(real), count - len(real))]
        rows.append(base + rng.normal(0, NOISE, base.shape))
    vectors = np.vstack(rows).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors), distinct


def title_of(index: int, words: list[str], rng: random.Random) -> str:
    return " ".join(rng.choices(words[:2000], k=rng.randint(3, 7))).capitalize() + f" {index}"


def article(index: int, title: str, words: list[str], rng: random.Random) -> str:
    """Front matter, paragraphs, a heading, sometimes a list and a code block."""
    tags = sorted(set(rng.choices(words[100:400], k=rng.randint(1, 4))))
    day = rng.randint(0, 3650)
    date = f"{2015 + day // 365:04d}-{day % 365 // 31 + 1:02d}-{day % 28 + 1:02d}"
    parts = [f"---\ntitle: \"{title}\"\ndate: {date}\ntags: [{', '.join(tags)}]\n---\n"]
    for section in range(rng.randint(1, 4)):
        if section:
            parts.append(f"## {' '.join(rng.choices(words, k=3)).capitalize()}\n")
        for _ in range(rng.randint(1, 3)):
            parts.append(" ".join(rng.choices(words, k=rng.randint(20, 90))).capitalize() + ".\n")
        if rng.random() < 0.3:
            parts.append("".join(f"- {' '.join(rng.choices(words, k=5))}\n" for _ in range(3)))
        if rng.random() < 0.2:
            name = rng.choice(words)
            parts.append(f"```python\ndef {name}(x):\n    return x + {index}\n```\n")
    return "\n".join(parts)


def write_corpus(root: Path, count: int, seed: int, words: list[str]) -> list[str]:
    """``count`` articles in folders of 500 under ``root``; their titles, in index order."""
    rng = random.Random(seed)
    titles = []
    for index in range(count):
        title = title_of(index, words, rng)
        folder = root / f"section-{index // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"article-{index:06d}.md").write_text(article(index, title, words, rng),
                                                      encoding="utf-8")
        titles.append(title)
    return titles


class TitleVectorEmbedder:
    """Gives article ``i`` (recognised by its title) row ``i`` of a vector matrix."""

    model_id = "bench/title-vectors"

    def __init__(self, titles: list[str], vectors: np.ndarray) -> None:
        self.row_of = {t: i for i, t in enumerate(titles)}
        self.vectors = vectors

    def windows(self, title: str, text: str) -> list[str]:
        return [f"{title}\n\n{text}"]

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.vectors[[self.row_of[t.split("\n\n", 1)[0]] for t in texts]]
