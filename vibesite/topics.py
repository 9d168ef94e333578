"""Topics: clusters of article embeddings with distinctive names and stable slugs.

Deterministic for fixed inputs and ``random_state``. Automatic topics:

1. groups: the articles themselves, or scikit-learn KMeans micro-clusters on large sites;
2. exact average linkage (cosine) over the groups, weighted by group size;
3. the number of topics comes from the cut where a merge would join groups whose mean
   pairwise cosine is less than COHESION above that of two random articles of the site,
   within 2..min(150, n/3) (``n_topics`` overrides);
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
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from threadpoolctl import threadpool_limits

from vibesite.topicmap import project_2d

MIN_ARTICLES = 8  # smaller sites get no automatic topics
MAX_GROUPS = 2000  # above this many articles, link KMeans micro-clusters instead
MICRO_CLUSTERS = 1200
MAX_TOPICS = 150
MAX_TEXT_CHARS = 3000  # per article, for naming
NAME_SAMPLE = 60  # most central articles per topic that name it
SETTLE_MARGIN = 0.02  # cosine margin before an article changes topic
CENTROID_MATCH = 0.9  # centroid cosine that keeps a slug when memberships do not overlap
COHESION = 0.13  # a topic's articles are this much more similar than two random articles
WARM_K = 0.15  # keep the previous topics while the fresh count is within this share of theirs
WARM_SURVIVAL = 0.8  # share of articles that must come from previous topics to stay warm
_NO_RENAMES: Mapping[str, str] = MappingProxyType({})
_TOKEN = r"(?u)\b[^\W\d_]{2,}\b"
_STOP_WORDS = sorted(ENGLISH_STOP_WORDS | {"ca", "wo"})  # what "can't" and "won't" leave
_NOISE = re.compile(r"(?:https?://|www\.)\S+|(?:n['’]t|['’](?:s|ll|re|ve|d|m))\b", re.IGNORECASE)


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


# ---------------------------------------------------------------- clustering


def _sum_by(labels: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    n = len(labels)
    onehot = sparse.csr_matrix((np.ones(n, dtype=x.dtype), (labels, np.arange(n))), shape=(k, n))
    return np.asarray(onehot @ x)


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def _groups(x: np.ndarray, random_state: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(group of each article, vector sum per group, size per group)."""
    n = x.shape[0]
    if n <= MAX_GROUPS:
        return np.arange(n), x.astype(np.float64), np.ones(n)
    km = KMeans(MICRO_CLUSTERS, init="random", n_init=1, max_iter=6, random_state=random_state)
    with threadpool_limits(2, user_api="openmp"):  # reduction order is fixed with 2 threads
        km.fit(x)
    _, assign = np.unique(km.labels_, return_inverse=True)
    m = int(assign.max()) + 1
    sums = _sum_by(assign, x, m).astype(np.float64)
    return assign, sums, np.bincount(assign, minlength=m).astype(np.float64)


def _average_linkage(sums: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merges (kept, absorbed) of exact size-weighted average linkage on cosine similarity, and
    the mean pairwise cosine across each merge (non-increasing).

    The mean pairwise cosine of two groups of unit vectors is the dot product of their means,
    so with one article per group this equals AgglomerativeClustering(linkage="average",
    metric="cosine").
    """
    m = len(sizes)
    mean = sums / sizes[:, None]
    sim = mean @ mean.T
    np.fill_diagonal(sim, -np.inf)
    w, alive = sizes.astype(np.float64).copy(), np.ones(m, dtype=bool)
    best = sim.argmax(axis=1)
    best_sim = sim[np.arange(m), best]
    merges, heights = np.zeros((max(m - 1, 0), 2), dtype=np.int64), np.zeros(max(m - 1, 0))
    for t in range(m - 1):
        a = int(np.argmax(best_sim))
        heights[t] = best_sim[a]
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
    return merges, heights


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
    roots = np.arange(m)
    roots[merges[:t, 1]] = merges[:t, 0]
    while not np.array_equal(roots[roots], roots):
        roots = roots[roots]
    csize = np.bincount(roots, weights=sizes, minlength=m)
    big = np.flatnonzero(csize >= min(min_size, csize.max()))
    big = big[np.lexsort((big, -csize[big]))][:k]
    centres = _unit(_sum_by(roots, sums, m)[big]).astype(np.float32)
    label_of = np.full(m, -1)
    label_of[big] = np.arange(len(big))
    labels = label_of[roots]
    loose = labels < 0
    labels[loose] = np.argmax(sums[loose].astype(np.float32) @ centres.T, axis=1)
    return labels


def _settle(x: np.ndarray, labels: np.ndarray, min_size: int, rounds: int = 50) -> np.ndarray:
    """Iterate to a fixed point: unlabelled (-1) articles and those of clusters smaller than
    min_size join their nearest centroid; others move only when SETTLE_MARGIN closer."""
    for _ in range(rounds):
        known = labels >= 0
        _, first, dense = np.unique(labels[known], return_index=True, return_inverse=True)
        rank = np.empty_like(first)
        rank[np.argsort(first)] = np.arange(len(first))
        dense = rank[dense]  # numbered by first member: the same arithmetic for any numbering
        k = len(first)
        sizes = np.bincount(dense, minlength=k)
        keep = np.flatnonzero(sizes >= min(min_size, sizes.max()))
        remap = np.full(k, -1)
        remap[keep] = np.arange(len(keep))
        own = np.full(len(labels), -1)
        own[known] = remap[dense]
        sim = x @ _unit(_sum_by(dense, x[known], k)[keep]).T
        best = sim.argmax(axis=1)
        rows = np.arange(len(labels))
        move = (own < 0) | (sim[rows, best] > sim[rows, np.maximum(own, 0)] + SETTLE_MARGIN)
        new = np.where(move, best, own)
        if np.array_equal(new, own):
            return own
        labels = new
    return np.unique(labels, return_inverse=True)[1]


def _cluster(
    x: np.ndarray, ids: Sequence[str], previous: Sequence[frozenset[str]], n_topics: int | None,
    random_state: int,
) -> np.ndarray:
    """Topic label per article (0..k-1); previous: member ids of the last build's topics."""
    n = len(ids)
    min_size = max(3, n // 500)
    assign, sums, sizes = _groups(x, random_state)
    merges, heights = _average_linkage(sums, sizes)
    counts = _big_counts(merges, sizes, min_size)
    if n_topics is None:
        centre = sums.sum(axis=0) / n
        site = (n * float(centre @ centre) - 1) / (n - 1)  # mean cosine of two articles
        k = int(counts[int((heights >= site + COHESION).sum())])
        k = min(max(k, 2), max(2, min(MAX_TOPICS, n // 3)))
    else:
        k = max(1, min(n_topics, n))
    warm = _warm_labels(ids, previous)
    if warm is not None:
        k_prev = int(warm.max()) + 1
        if k == k_prev or (n_topics is None and abs(k - k_prev) <= WARM_K * k_prev):
            return _settle(x, warm, min_size)
    labels = _partition(merges, sums, sizes, counts, k, min_size)[assign]
    k = int(labels.max()) + 1  # fewer when there are not k clusters of min_size
    init = (_sum_by(labels, x, k) / np.bincount(labels, minlength=k)[:, None]).astype(x.dtype)
    km = KMeans(k, init=init, n_init=1, max_iter=10, random_state=random_state)
    with threadpool_limits(2, user_api="openmp"):
        km.fit(x)
    return _settle(x, km.labels_, min_size)


def _warm_labels(ids: Sequence[str], previous: Sequence[frozenset[str]]) -> np.ndarray | None:
    """Previous automatic membership as labels (-1 for new articles), if churn is small."""
    index = {a: i for i, a in enumerate(ids)}
    labels = np.full(len(ids), -1)
    before = 0
    for j, members in enumerate(previous):
        before += len(members)
        for a in sorted(members):
            if a in index and labels[index[a]] < 0:
                labels[index[a]] = j
    if int((labels >= 0).sum()) < WARM_SURVIVAL * max(len(ids), before, 1):
        return None
    _, labels[labels >= 0] = np.unique(labels[labels >= 0], return_inverse=True)
    return labels


# ---------------------------------------------------------------- names and slugs


def _ranked_terms(texts: Sequence[str], classes: Sequence[np.ndarray], top: int = 12) -> list[
    list[str]
]:
    """Most distinctive words and two-word phrases per class of articles (class-based TF-IDF:
    share of the class using a term, times the term's inverse document frequency among all the
    articles of the classes)."""
    if not classes:
        return []
    used = np.unique(np.concatenate(list(classes)))
    vectorizer = CountVectorizer(
        stop_words=_STOP_WORDS, ngram_range=(1, 2), min_df=2, token_pattern=_TOKEN, binary=True,
        dtype=np.float32,
    )
    try:
        docs = vectorizer.fit_transform([_NOISE.sub("", texts[i][:MAX_TEXT_CHARS]) for i in used])
    except ValueError:  # no term in two articles
        return [[] for _ in classes]
    vocab = vectorizer.get_feature_names_out()
    idf = np.log(len(used) / np.asarray(docs.sum(axis=0)).ravel())
    rows = np.concatenate([np.full(len(m), c) for c, m in enumerate(classes)])
    cols = np.searchsorted(used, np.concatenate(list(classes)))
    member = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(classes), len(used)))
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


def _stem(word: str) -> str:
    """Crude English singular, so that 'version' and 'versions' do not both name a topic."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-2] if word.endswith(("ches", "shes", "xes", "sses")) else word[:-1]
    return word


def _pick_keywords(ranked: Sequence[str], count: int = 3) -> tuple[str, ...]:
    """Top terms; a phrase replaces its own words, and no word appears twice (as a plural)."""
    chosen: list[str] = []
    for term in ranked:
        stems = [_stem(w) for w in term.split()]
        words = {_stem(c) for c in chosen if " " not in c}
        in_phrases = {_stem(w) for c in chosen if " " in c for w in c.split()}
        if len(stems) == 1:
            if stems[0] in words | in_phrases:
                continue
            chosen.append(term)
        else:
            if len(set(stems)) < len(stems) or in_phrases & set(stems):
                continue
            at = next((i for i, c in enumerate(chosen) if _stem(c) in stems), len(chosen))
            chosen = [c for c in chosen if " " in c or _stem(c) not in stems]
            chosen.insert(min(at, len(chosen)), term)
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


def _ranked_members(
    members: np.ndarray, x: np.ndarray, ids: np.ndarray, centre: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Members most central first (ties by id), with their cosine to the centre."""
    sim = x[members] @ centre.astype(np.float32)
    order = np.lexsort((ids[members], -sim))
    return members[order], sim[order]


def _seed_members(
    x: np.ndarray, index: Mapping[str, int], seed: TopicSeed, threshold: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Articles scoring >= threshold against the centroid of the seed's known examples (the
    examples themselves always), with that centroid; None when no example is known."""
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

    ids: unique article ids in a fixed order; vectors: (n, d) embeddings (normalised here);
    texts: plain title + body per article, for naming.
    """
    id_arr = np.array([str(a) for a in ids], dtype=object)
    n = len(id_arr)
    x = np.asarray(vectors, dtype=np.float32)
    x = x if x.ndim == 2 else x.reshape(n, -1) if n else np.zeros((0, 0), np.float32)
    if len(set(id_arr)) != n or len(texts) != n or x.shape[0] != n:
        raise ValueError("ids must be unique and match vectors and texts one to one")
    x = _unit(x).astype(np.float32)
    seeds = list({s.slug: s for s in reversed(seeds)}.values())[::-1]  # first of a slug wins
    seed_slugs = {s.slug for s in seeds}
    prev = sorted((p for p in previous if not p.seeded and p.slug not in seed_slugs),
                  key=lambda p: p.slug)
    groups: list[np.ndarray] = []
    if n >= MIN_ARTICLES:
        labels = _cluster(x, list(id_arr), [p.member_ids for p in prev], n_topics, random_state)
        groups = [np.flatnonzero(labels == c) for c in range(int(labels.max()) + 1)]
        groups = sorted((g for g in groups if g.size), key=lambda g: (-g.size, int(g[0])))
    index = {a: i for i, a in enumerate(id_arr)}
    seeded = [(s, hit) for s in seeds if (hit := _seed_members(x, index, s, seed_threshold))]
    centres = [_unit(x[g].astype(np.float64).sum(axis=0)) for g in groups]
    ranked = [_ranked_members(g, x, id_arr, c) for g, c in zip(groups, centres, strict=True)]
    ranked += [_ranked_members(m, x, id_arr, c) for _, (m, c) in seeded]
    terms = _ranked_terms(texts, [m[:NAME_SAMPLE] for m, _ in ranked])
    centre_arr = np.array(centres).reshape(len(groups), x.shape[1])
    heirs, changes = _heirs(groups, list(id_arr), centre_arr, prev)
    used = set(seed_slugs) | {prev[h].slug for h in heirs if h is not None}
    slugs, names, keywords = [], [], []
    for c in range(len(groups)):
        words = _pick_keywords(terms[c])
        heir = prev[heirs[c]] if heirs[c] is not None else None
        if heir is not None and heir.keywords and set(heir.keywords) <= set(terms[c][:10]):
            words = heir.keywords  # names stay put while they still describe the topic
        slug = heir.slug if heir is not None else _unique_slug(_slugify("-".join(words)), used)
        slugs.append(slug)
        names.append(renames.get(slug) or " · ".join(words) or slug)
        keywords.append(words)
    for seed, _ in seeded:
        slugs.append(seed.slug)
        names.append(renames.get(seed.slug) or seed.name)
        keywords.append(_pick_keywords(terms[len(keywords)]))
    topics = [
        Topic(
            slug=slugs[i],
            name=names[i],
            keywords=keywords[i],
            member_ids=tuple(str(a) for a in id_arr[members]),
            member_scores=tuple(round(float(v), 6) + 0.0 for v in sims),
            centroid=tuple(float(v) for v in centre.astype(np.float32)),
            seeded=i >= len(groups),
        )
        for i, ((members, sims), centre) in enumerate(
            zip(ranked, centres + [c for _, (_, c) in seeded], strict=True)
        )
    ]
    topic_of = {a: t.slug for t in topics if not t.seeded for a in t.member_ids}
    xy = project_2d(x, random_state, fit_on=np.array(centres).reshape(-1, x.shape[1]))
    return Topics(
        topics=tuple(sorted(topics, key=lambda t: (-len(t.member_ids), t.slug))),
        topic_of=dict(sorted(topic_of.items())),
        coords={a: (float(xy[i, 0]), float(xy[i, 1])) for i, a in enumerate(id_arr)},
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
