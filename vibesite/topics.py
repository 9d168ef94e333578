"""Topics: clusters of article embeddings with distinctive names and stable slugs.

Deterministic for fixed inputs and ``random_state``. The clustering itself (average linkage
over the articles, refined by KMeans and settled to a fixed point; warm-started from the
previous build's membership when churn is small) is in vibesite.topic_cluster. Here:

- slugs pass to the successor cluster holding most of a previous topic's surviving members
  (previous topics come from SQLite), so adding an article never renames other topics;
- names are the top class-based TF-IDF terms of a cluster against the rest of the site;
- seeded topics (from the config) list the articles near the centroid of their examples.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from vibesite.topic_cluster import cluster, unit
from vibesite.topicmap import project_2d

MIN_ARTICLES = 8  # smaller sites get no automatic topics
MAX_TEXT_CHARS = 3000  # per article, for naming
NAME_SAMPLE = 60  # most central articles per topic that name it
CENTROID_MATCH = 0.9  # centroid cosine that keeps a slug when memberships do not overlap
_NO_RENAMES: Mapping[str, str] = MappingProxyType({})
_TOKEN = r"(?u)\b[^\W\d_]{2,}\b"
@lru_cache(maxsize=1)
def _stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(ENGLISH_STOP_WORDS | {"ca", "wo"})  # what "can't" and "won't" leave
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


# ---------------------------------------------------------------- names and slugs


def _ranked_terms(texts: Sequence[str], classes: Sequence[np.ndarray], top: int = 12) -> list[
    list[str]
]:
    """Most distinctive words and two-word phrases per class of articles (class-based TF-IDF:
    share of the class using a term, times the term's inverse document frequency among all the
    articles of the classes)."""
    if not classes:
        return []
    from scipy import sparse  # imported here: a build whose topics are memoized needs neither
    from sklearn.feature_extraction.text import CountVectorizer

    used = np.unique(np.concatenate(list(classes)))
    vectorizer = CountVectorizer(
        stop_words=_stop_words(), ngram_range=(1, 2), min_df=2, token_pattern=_TOKEN, binary=True,
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
        sim = centres[empty] @ unit(np.array([prev[j].centroid for j in orphans])).T
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
    centre = unit(x[examples].astype(np.float64).sum(axis=0))
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
    if n == 0:  # a site with no articles yet: nothing to group or map
        return Topics((), {}, {}, TopicChanges(0, 0, 0, sum(1 for p in previous
                                                            if not p.seeded)))
    x = unit(x).astype(np.float32)
    # seed slugs name folders of the site: made URL-safe ("", "../x" and "A b" would not be)
    seeds = [replace(s, slug=_slugify(s.slug)) for s in seeds]
    seeds = list({s.slug: s for s in reversed(seeds)}.values())[::-1]  # first of a slug wins
    seed_slugs = {s.slug for s in seeds}
    prev = sorted((p for p in previous if not p.seeded and p.slug not in seed_slugs),
                  key=lambda p: p.slug)
    groups: list[np.ndarray] = []
    if n >= MIN_ARTICLES:
        labels = cluster(x, list(id_arr), [p.member_ids for p in prev], n_topics, random_state)
        groups = [np.flatnonzero(labels == c) for c in range(int(labels.max()) + 1)]
        groups = sorted((g for g in groups if g.size), key=lambda g: (-g.size, int(g[0])))
    index = {a: i for i, a in enumerate(id_arr)}
    seeded = [(s, hit) for s in seeds if (hit := _seed_members(x, index, s, seed_threshold))]
    centres = [unit(x[g].astype(np.float64).sum(axis=0)) for g in groups]
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
