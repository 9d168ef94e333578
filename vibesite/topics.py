"""Topics: clusters of article embeddings with distinctive names and stable slugs.

Deterministic for fixed inputs and ``random_state``. Automatic topics:

1. groups: the articles themselves, or scikit-learn KMeans micro-clusters on large sites;
2. exact average linkage (cosine) over the groups, weighted by group size;
3. the number of topics is the cut most stable under subsampling, over a range around
   sqrt(n/2) (``n_topics`` overrides);
4. the cut is refined with scikit-learn KMeans, then settled to a fixed point of a spherical
   reassignment with a small margin, so a rebuild of unchanged content changes nothing;
5. with previous topics (from SQLite) and little churn, the previous membership is the start
   and only settled, so adding an article never renumbers other topics; slugs pass to the
   successor cluster holding most of a previous topic's surviving members.

Names are the top class-based TF-IDF terms of a cluster against the rest of the site.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer

from vibesite.topicmap import project_2d

MIN_ARTICLES = 8  # smaller sites get no automatic topics
MAX_GROUPS = 2000  # above this many articles, link KMeans micro-clusters instead
MAX_TOPICS = 150
MAX_TEXT_CHARS = 4000  # per article, for naming
SETTLE_MARGIN = 0.02  # cosine margin before an article changes topic
CENTROID_MATCH = 0.9  # centroid cosine that keeps a slug when memberships do not overlap
STAY_WARM = 0.03  # re-cluster from scratch only when another k is this much more stable
WARM_SURVIVAL = 0.8  # share of articles that must come from previous topics to stay warm
_NO_RENAMES: Mapping[str, str] = MappingProxyType({})
_TOKEN = r"(?u)\b[^\W\d_]{2,}\b"


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    keywords: tuple[str, ...]
    member_ids: tuple[str, ...]  # most central first
    member_scores: tuple[float, ...]  # cosine to the centroid, same order
    centroid: tuple[float, ...]  # unit length, float32 values
    seeded: bool = False


@dataclass(frozen=True)
class TopicChanges:
    kept: int
    new: int
    merged: int
    gone: int


@dataclass(frozen=True)
class Topics:
    topics: tuple[Topic, ...]  # size desc, then slug
    topic_of: dict[str, str]  # article id -> automatic topic slug
    coords: dict[str, tuple[float, float]]  # article id -> map position in [-1, 1]
    changes: TopicChanges


@dataclass(frozen=True)
class PreviousTopic:
    slug: str
    member_ids: frozenset[str]
    centroid: tuple[float, ...]
    name: str = ""
    keywords: tuple[str, ...] = ()
    seeded: bool = False


@dataclass(frozen=True)
class TopicSeed:
    slug: str
    name: str
    example_ids: tuple[str, ...]


# ---------------------------------------------------------------- clustering helpers


def _sum_by(labels: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    n = len(labels)
    onehot = sparse.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    return np.asarray(onehot @ x.astype(np.float64))


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def _groups(x: np.ndarray, random_state: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(group of each article, vector sum per group, size per group)."""
    n = x.shape[0]
    if n <= MAX_GROUPS:
        return np.arange(n), x.astype(np.float64), np.ones(n)
    km = KMeans(MAX_GROUPS, n_init=1, max_iter=15, random_state=random_state).fit(x)
    _, assign = np.unique(km.labels_, return_inverse=True)
    m = int(assign.max()) + 1
    return assign, _sum_by(assign, x, m), np.bincount(assign, minlength=m).astype(np.float64)


def _average_linkage(sums: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Merges (kept, absorbed) of exact size-weighted average linkage on cosine similarity.

    The mean pairwise cosine of two groups of unit vectors is the dot product of their means,
    so at one article per group this equals AgglomerativeClustering(linkage="average",
    metric="cosine").
    """
    m = len(sizes)
    mean = sums / sizes[:, None]
    sim = mean @ mean.T
    np.fill_diagonal(sim, -np.inf)
    w, alive = sizes.astype(np.float64).copy(), np.ones(m, dtype=bool)
    best = sim.argmax(axis=1)
    best_sim = sim[np.arange(m), best]
    merges = np.zeros((max(m - 1, 0), 2), dtype=np.int64)
    for t in range(m - 1):
        a = int(np.argmax(best_sim))
        a, b = sorted((a, int(best[a])))
        merges[t] = a, b
        row = (w[a] * sim[a] + w[b] * sim[b]) / (w[a] + w[b])
        w[a] += w[b]
        alive[b] = False
        row[~alive] = -np.inf
        row[a] = -np.inf
        sim[a], sim[:, a], sim[b], sim[:, b] = row, row, -np.inf, -np.inf
        best_sim[b] = -np.inf
        stale = alive & ((best == a) | (best == b))
        stale[a] = True
        up = alive & ~stale & (row > best_sim)
        best[up], best_sim[up] = a, row[up]
        rows = np.flatnonzero(stale)
        best[rows] = sim[rows].argmax(axis=1)
        best_sim[rows] = sim[rows, best[rows]]
    return merges


def _roots(merges: np.ndarray, m: int, t: int) -> np.ndarray:
    parent = np.arange(m)
    parent[merges[:t, 1]] = merges[:t, 0]
    while True:
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            return parent
        parent = nxt


def _big_counts(merges: np.ndarray, sizes: np.ndarray, min_size: float) -> np.ndarray:
    """Number of clusters of at least min_size after t merges, for every t."""
    w = sizes.copy()
    count = int((w >= min_size).sum())
    out = [count]
    for a, b in merges.tolist():
        count -= int(w[a] >= min_size) + int(w[b] >= min_size)
        w[a] += w[b]
        count += int(w[a] >= min_size)
        out.append(count)
    return np.asarray(out)


def _partition(
    merges: np.ndarray, sums: np.ndarray, sizes: np.ndarray, counts: np.ndarray, k: int,
    min_size: float,
) -> np.ndarray:
    """Labels per group: the k largest clusters of the coarsest cut that has k clusters of at
    least min_size; groups in smaller clusters join the nearest kept cluster."""
    m = len(sizes)
    t = int(np.flatnonzero(counts >= min(k, counts.max()))[-1])
    roots = _roots(merges, m, t)
    csize = np.bincount(roots, weights=sizes, minlength=m)
    big = np.flatnonzero(csize >= min(min_size, csize.max()))
    big = big[np.lexsort((big, -csize[big]))][:k]
    centres = _unit(_sum_by(roots, sums, m)[big])
    label_of = np.full(m, -1)
    label_of[big] = np.arange(len(big))
    labels = label_of[roots]
    loose = labels < 0
    labels[loose] = np.argmax(sums[loose] @ centres.T, axis=1)
    return labels


def _weighted_ari(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), w)

    def pairs(v: np.ndarray) -> float:
        return float((v * (v - 1) / 2).sum())

    both, ra, rb = pairs(table), pairs(table.sum(1)), pairs(table.sum(0))
    expected = ra * rb / max(pairs(np.array([w.sum()])), 1e-12)
    top = (ra + rb) / 2
    return 1.0 if top == expected else (both - expected) / (top - expected)


def _k_range(n: int) -> np.ndarray:
    root = np.sqrt(n / 2)
    lo = max(2, round(root / 2))
    hi = max(lo, min(MAX_TOPICS, n // 3))
    return np.unique(np.round(np.geomspace(lo, hi, 16)).astype(int))


def _stability(
    sums: np.ndarray, sizes: np.ndarray, ks: Sequence[int], min_size: float, random_state: int,
    rounds: int = 4,
) -> tuple[dict[int, float], np.ndarray, np.ndarray]:
    """Mean weighted ARI between the cut of all groups and cuts of 80% subsamples, per k."""
    m = len(sizes)
    merges = _average_linkage(sums, sizes)
    counts = _big_counts(merges, sizes, min_size)
    full = {k: _partition(merges, sums, sizes, counts, k, min_size) for k in ks}
    rng = np.random.default_rng(random_state)
    scores = dict.fromkeys(ks, 0.0)
    for _ in range(rounds):
        sub = np.sort(rng.choice(m, size=max(2, int(0.8 * m)), replace=False))
        s_merges = _average_linkage(sums[sub], sizes[sub])
        s_counts = _big_counts(s_merges, sizes[sub], min_size)
        for k in ks:
            part = _partition(s_merges, sums[sub], sizes[sub], s_counts, k, min_size)
            scores[k] += _weighted_ari(full[k][sub], part, sizes[sub]) / rounds
    return scores, merges, counts


def _settle(x: np.ndarray, labels: np.ndarray, min_size: int, rounds: int = 50) -> np.ndarray:
    """Iterate to a fixed point: unlabelled (-1) articles and those of clusters smaller than
    min_size join their nearest centroid; others move only when SETTLE_MARGIN closer."""
    for _ in range(rounds):
        known = labels >= 0
        _, dense = np.unique(labels[known], return_inverse=True)
        k = int(dense.max()) + 1
        sizes = np.bincount(dense, minlength=k)
        keep = np.flatnonzero(sizes >= min(min_size, sizes.max()))
        remap = np.full(k, -1)
        remap[keep] = np.arange(len(keep))
        own = np.full(len(labels), -1)
        own[known] = remap[dense]
        centres = _unit(_sum_by(dense, x[known], k)[keep]).astype(np.float32)
        sim = x @ centres.T
        best = sim.argmax(axis=1)
        rows = np.arange(len(labels))
        move = (own < 0) | (sim[rows, best] > sim[rows, np.maximum(own, 0)] + SETTLE_MARGIN)
        new = np.where(move, best, own)
        if np.array_equal(new, own) and len(keep) == k:
            return own
        labels = new
    return np.unique(labels, return_inverse=True)[1]


def _refine(x: np.ndarray, labels: np.ndarray, min_size: int, random_state: int) -> np.ndarray:
    k = int(labels.max()) + 1
    init = (_sum_by(labels, x, k) / np.bincount(labels, minlength=k)[:, None]).astype(x.dtype)
    km = KMeans(k, init=init, n_init=1, max_iter=30, random_state=random_state).fit(x)
    return _settle(x, km.labels_, min_size)


def _min_size(n: int) -> int:
    return max(3, n // 500)


def _cluster(
    x: np.ndarray, ids: Sequence[str], previous: Sequence[PreviousTopic], n_topics: int | None,
    random_state: int,
) -> np.ndarray:
    n = len(ids)
    min_size = _min_size(n)
    assign, sums, sizes = _groups(x, random_state)
    ks = _k_range(n) if n_topics is None else np.array([max(1, min(n_topics, n))])
    warm = _warm_labels(ids, previous)
    k_prev = int(warm.max()) + 1 if warm is not None else 0
    if warm is not None and n_topics is None:
        ks = np.unique(np.append(ks, k_prev))
    if n_topics is None:
        scores, merges, counts = _stability(sums, sizes, ks.tolist(), min_size, random_state)
        k = max(ks.tolist(), key=lambda kk: (round(scores[kk], 3), kk))
        if warm is not None and scores[k_prev] >= scores[k] - STAY_WARM:
            return _settle(x, warm, min_size)
    else:
        k = int(ks[0])
        if warm is not None and k == k_prev:
            return _settle(x, warm, min_size)
        merges = _average_linkage(sums, sizes)
        counts = _big_counts(merges, sizes, min_size)
    labels = _partition(merges, sums, sizes, counts, k, min_size)[assign]
    return _refine(x, labels, min_size, random_state)


def _warm_labels(ids: Sequence[str], previous: Sequence[PreviousTopic]) -> np.ndarray | None:
    """Previous automatic membership as labels (-1 for new articles), if churn is small."""
    auto = sorted((p for p in previous if not p.seeded), key=lambda p: p.slug)
    index = {a: i for i, a in enumerate(ids)}
    labels = np.full(len(ids), -1)
    before = 0
    for j, topic in enumerate(auto):
        before += len(topic.member_ids)
        for a in sorted(topic.member_ids):
            if a in index and labels[index[a]] < 0:
                labels[index[a]] = j
    kept = int((labels >= 0).sum())
    if not auto or kept < WARM_SURVIVAL * max(len(ids), before):
        return None
    _, labels[labels >= 0] = np.unique(labels[labels >= 0], return_inverse=True)
    return labels


# ---------------------------------------------------------------- names and slugs


def _ranked_terms(texts: Sequence[str], classes: Sequence[np.ndarray], top: int = 12) -> list[
    list[str]
]:
    """Most distinctive words and two-word phrases per class (class-based TF-IDF: share of the
    class's articles using the term, times the term's inverse document frequency on the site)."""
    if not classes:
        return []
    vectorizer = CountVectorizer(
        stop_words="english", ngram_range=(1, 2), min_df=2, token_pattern=_TOKEN, binary=True,
        dtype=np.float32,
    )
    try:
        docs = vectorizer.fit_transform([t[:MAX_TEXT_CHARS] for t in texts])
    except ValueError:  # no term in two articles
        return [[] for _ in classes]
    vocab = vectorizer.get_feature_names_out()
    n = docs.shape[0]
    idf = np.log(n / np.asarray(docs.sum(axis=0)).ravel())
    rows = np.concatenate([np.full(len(m), c) for c, m in enumerate(classes)])
    cols = np.concatenate(list(classes))
    member = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(classes), n))
    class_df = sparse.csr_matrix(member @ docs)
    out = []
    for c, members in enumerate(classes):
        lo, hi = class_df.indptr[c], class_df.indptr[c + 1]
        terms, counts = class_df.indices[lo:hi], class_df.data[lo:hi]
        ok = counts >= (2 if len(members) >= 4 else 1)
        terms, score = terms[ok], counts[ok] / len(members) * idf[terms[ok]]
        order = np.lexsort((terms, -score))[:top]
        out.append([str(vocab[terms[i]]) for i in order if score[i] > 0])
    return out


def _pick_keywords(ranked: Sequence[str], count: int = 3) -> tuple[str, ...]:
    """Top terms; a chosen phrase replaces its own words, phrases do not share words."""
    chosen: list[str] = []
    for term in ranked:
        words = term.split()
        taken = {w for c in chosen for w in c.split()}
        if len(words) == 1 and term in taken:
            continue
        if len(words) > 1:
            phrase_words = {w for c in chosen if " " in c for w in c.split()}
            if len(set(words)) < len(words) or phrase_words & set(words):
                continue
            at = next((i for i, c in enumerate(chosen) if c in words), len(chosen))
            chosen = [c for c in chosen if c not in words]
            chosen.insert(min(at, len(chosen)), term)
        else:
            chosen.append(term)
        if len(chosen) >= count:
            break
    return tuple(chosen)


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].rstrip("-") or "topic"


def _unique_slug(base: str, used: set[str]) -> str:
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug


def _heirs(
    clusters: Sequence[np.ndarray], ids: Sequence[str], centres: np.ndarray,
    prev: Sequence[PreviousTopic],
) -> tuple[list[int | None], TopicChanges]:
    """Per cluster, the previous topic whose slug it inherits: the one most of whose surviving
    members it holds (the largest share when it absorbed several), else a near centroid."""
    owner = {ids[i]: c for c, members in enumerate(clusters) for i in members}
    succ: dict[int, tuple[int, int]] = {}
    for j, topic in enumerate(prev):
        hits = Counter(owner[a] for a in topic.member_ids if a in owner)
        if hits:
            c, overlap = min(hits.items(), key=lambda kv: (-kv[1], kv[0]))
            if 2 * overlap >= sum(hits.values()):
                succ[j] = (c, overlap)
    preds: dict[int, list[int]] = {}
    for j, (c, _) in sorted(succ.items()):
        preds.setdefault(c, []).append(j)
    heir: list[int | None] = [None] * len(clusters)
    for c, js in preds.items():
        heir[c] = min(js, key=lambda j: (-succ[j][1], -len(prev[j].member_ids), prev[j].slug))
    dim = centres.shape[1] if len(clusters) else 0
    orphans = [j for j in range(len(prev)) if j not in succ and len(prev[j].centroid) == dim]
    empty = [c for c in range(len(clusters)) if heir[c] is None]
    rescued = 0
    if orphans and empty:
        sim = centres[empty] @ _unit(np.array([prev[j].centroid for j in orphans])).T
        for flat in np.argsort(-sim, axis=None, kind="stable"):
            ci, pj = divmod(int(flat), len(orphans))
            if sim[ci, pj] < CENTROID_MATCH:
                break
            if heir[empty[ci]] is None and orphans[pj] not in heir:
                heir[empty[ci]] = orphans[pj]
                rescued += 1
    merged = sum(1 for js in preds.values() if len(js) > 1)
    changes = TopicChanges(
        kept=len(preds) - merged + rescued,
        new=sum(1 for h in heir if h is None),
        merged=merged,
        gone=len(prev) - len(succ) - rescued,
    )
    return heir, changes


# ---------------------------------------------------------------- building


def _topic(
    slug: str, name: str, keywords: tuple[str, ...], members: np.ndarray, x: np.ndarray,
    ids: Sequence[str], seeded: bool = False, centre: np.ndarray | None = None,
) -> Topic:
    if centre is None:
        centre = _unit(x[members].astype(np.float64).sum(axis=0))
    sim = x[members] @ centre.astype(np.float32)
    order = np.lexsort((np.asarray(ids)[members], -sim))
    return Topic(
        slug=slug,
        name=name,
        keywords=keywords,
        member_ids=tuple(ids[members[i]] for i in order),
        member_scores=tuple(round(float(sim[i]), 6) + 0.0 for i in order),
        centroid=tuple(float(v) for v in centre.astype(np.float32)),
        seeded=seeded,
    )


def _seed_members(
    x: np.ndarray, index: Mapping[str, int], seed: TopicSeed, threshold: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Articles scoring >= threshold against the centroid of the seed's known examples."""
    examples = sorted({index[a] for a in seed.example_ids if a in index})
    if not examples:
        return None
    centre = _unit(x[examples].astype(np.float64).sum(axis=0))
    chosen = x @ centre.astype(np.float32) >= threshold
    chosen[examples] = True
    return np.flatnonzero(chosen), centre


def build_topics(
    ids: Sequence[str],
    vectors: np.ndarray,
    texts: Sequence[str],
    *,
    previous: Sequence[PreviousTopic] = (),
    n_topics: int | None = None,
    renames: Mapping[str, str] = _NO_RENAMES,
    seeds: Sequence[TopicSeed] = (),
    seed_threshold: float = 0.5,
    random_state: int = 0,
) -> Topics:
    """Automatic and seeded topics plus 2D map positions for the articles.

    ids: article ids in a fixed order; vectors: (n, d) embeddings; texts: plain title + body.
    """
    ids = [str(a) for a in ids]
    n = len(ids)
    x = _unit(np.asarray(vectors, dtype=np.float32).reshape(n, -1)).astype(np.float32)
    if len(set(ids)) != n or len(texts) != n:
        raise ValueError("ids must be unique and match vectors and texts one to one")
    seed_slugs = {s.slug for s in seeds}
    prev = [p for p in previous if not p.seeded and p.slug not in seed_slugs]
    clusters: list[np.ndarray] = []
    if n >= MIN_ARTICLES:
        labels = _cluster(x, ids, prev, n_topics, random_state)
        groups = [np.flatnonzero(labels == c) for c in range(int(labels.max()) + 1)]
        clusters = sorted((g for g in groups if g.size), key=lambda g: (-g.size, int(g[0])))
    index = {a: i for i, a in enumerate(ids)}
    seeded = [(s, hit) for s in seeds if (hit := _seed_members(x, index, s, seed_threshold))]
    ranked = _ranked_terms(texts, clusters + [hit[0] for _, hit in seeded])
    centres = np.stack([_unit(x[g].astype(np.float64).sum(axis=0)) for g in clusters]) if (
        clusters
    ) else np.zeros((0, x.shape[1]))
    heirs, changes = _heirs(clusters, ids, centres, prev)
    used = set(seed_slugs) | {prev[h].slug for h in heirs if h is not None}
    topics: list[Topic] = []
    for c, members in enumerate(clusters):
        keywords = _pick_keywords(ranked[c])
        heir = prev[heirs[c]] if heirs[c] is not None else None
        if heir is not None:
            slug = heir.slug
            if heir.keywords and set(heir.keywords) <= set(ranked[c][:10]):
                keywords = heir.keywords
        else:
            slug = _unique_slug(_slugify("-".join(keywords)), used)
        name = renames.get(slug) or " · ".join(keywords) or slug
        topics.append(_topic(slug, name, keywords, members, x, ids, centre=centres[c]))
    topic_of = {ids[i]: t.slug for t in topics for i in (index[a] for a in t.member_ids)}
    for k, (seed, (members, centre)) in enumerate(seeded, start=len(clusters)):
        name = renames.get(seed.slug) or seed.name
        topics.append(_topic(seed.slug, name, _pick_keywords(ranked[k]), members, x, ids, True,
                             centre))
    xy = project_2d(x, random_state)
    return Topics(
        topics=tuple(sorted(topics, key=lambda t: (-len(t.member_ids), t.slug))),
        topic_of=dict(sorted(topic_of.items())),
        coords={a: (float(xy[i, 0]), float(xy[i, 1])) for i, a in enumerate(ids)},
        changes=changes,
    )


# ---------------------------------------------------------------- persistence and JSON

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS topics(slug TEXT PRIMARY KEY, name TEXT NOT NULL, keywords TEXT"
    " NOT NULL, size INTEGER NOT NULL, centroid BLOB NOT NULL, seeded INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS topic_members(topic_slug TEXT NOT NULL, id TEXT NOT NULL,"
    " rank INTEGER NOT NULL, score REAL NOT NULL, PRIMARY KEY(topic_slug, id))",
    "CREATE TABLE IF NOT EXISTS map_coords(id TEXT PRIMARY KEY, x REAL NOT NULL, y REAL NOT NULL)",
)


def load_previous_topics(conn: sqlite3.Connection) -> list[PreviousTopic]:
    """Topics of the last saved build (empty when nothing was saved), sorted by slug."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"topics", "topic_members"} <= tables:
        return []
    members: dict[str, set[str]] = {}
    for slug, article in conn.execute("SELECT topic_slug, id FROM topic_members"):
        members.setdefault(slug, set()).add(article)
    rows = conn.execute("SELECT slug, name, keywords, centroid, seeded FROM topics ORDER BY slug")
    return [
        PreviousTopic(
            slug=slug,
            member_ids=frozenset(members.get(slug, ())),
            centroid=tuple(float(v) for v in np.frombuffer(blob, dtype="<f4")),
            name=name,
            keywords=tuple(json.loads(keywords)),
            seeded=bool(seeded),
        )
        for slug, name, keywords, blob, seeded in rows
    ]


def save_topics(conn: sqlite3.Connection, topics: Topics) -> None:
    """Replace the stored topics, members and map positions (the caller commits)."""
    for statement in _SCHEMA:
        conn.execute(statement)
    for table in ("topics", "topic_members", "map_coords"):
        conn.execute(f"DELETE FROM {table}")
    conn.executemany(
        "INSERT INTO topics(slug, name, keywords, size, centroid, seeded) VALUES (?,?,?,?,?,?)",
        [
            (t.slug, t.name, json.dumps(list(t.keywords), ensure_ascii=False), len(t.member_ids),
             np.asarray(t.centroid, dtype="<f4").tobytes(), int(t.seeded))
            for t in topics.topics
        ],
    )
    conn.executemany(
        "INSERT INTO topic_members(topic_slug, id, rank, score) VALUES (?,?,?,?)",
        [
            (t.slug, a, rank, s)
            for t in topics.topics
            for rank, (a, s) in enumerate(zip(t.member_ids, t.member_scores, strict=True))
        ],
    )
    conn.executemany(
        "INSERT INTO map_coords(id, x, y) VALUES (?,?,?)",
        [(a, xy[0], xy[1]) for a, xy in sorted(topics.coords.items())],
    )


def topics_json(topics: Topics) -> str:
    """Deterministic JSON of the topics and map positions (not the build-to-build changes)."""
    data = {
        "topics": [
            {
                "slug": t.slug,
                "name": t.name,
                "keywords": list(t.keywords),
                "seeded": t.seeded,
                "size": len(t.member_ids),
                "members": [
                    {"id": a, "score": round(s, 4) + 0.0}
                    for a, s in zip(t.member_ids, t.member_scores, strict=True)
                ],
            }
            for t in topics.topics
        ],
        "map": {a: [round(x, 4) + 0.0, round(y, 4) + 0.0] for a, (x, y) in topics.coords.items()},
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
