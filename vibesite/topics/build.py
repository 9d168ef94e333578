"""Topics: clusters of article embeddings with distinctive names and stable slugs.

Deterministic for fixed inputs and ``random_state``. The clustering itself (average linkage
over the articles, refined by KMeans and settled to a fixed point; warm-started from the
previous build's membership when churn is small) is in topics.cluster, naming in
topics.naming, map positions in topics.projection. Here:

- slugs pass to the successor cluster holding most of a previous topic's surviving members
  (previous topics come from the store), so adding an article never renames other topics;
- names are the top class-based TF-IDF terms of a cluster against the rest of the site;
- seeded topics (from the config) list the articles near the centroid of their examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from vibesite.content.slugs import topic_slug, unique_slug
from vibesite.embeddings.store import StoredTopic
from vibesite.topics.cluster import cluster, unit
from vibesite.topics.naming import pick_keywords, ranked_terms
from vibesite.topics.projection import project_2d

VERSION = 1  # bump when the topics built from the same inputs change (memo key)
MIN_ARTICLES = 8  # smaller sites get no automatic topics
NAME_SAMPLE = 60  # most central articles per topic that name it
CENTROID_MATCH = 0.9  # centroid cosine that keeps a slug when memberships do not overlap
_NO_RENAMES: Mapping[str, str] = MappingProxyType({})


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
class TopicSeed:
    slug: str
    name: str
    example_ids: tuple[str, ...]


# ---------------------------------------------------------------- names and slugs


def _heirs(
    clusters: Sequence[np.ndarray], ids: Sequence[str], centres: np.ndarray,
    prev: Sequence[StoredTopic],
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
    previous: Sequence[StoredTopic] = (),
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
    seeds = [replace(s, slug=topic_slug(s.slug)) for s in seeds]
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
    terms = ranked_terms(texts, [m[:NAME_SAMPLE] for m, _ in ranked])
    centre_arr = np.array(centres).reshape(len(groups), x.shape[1])
    heirs, changes = _heirs(groups, list(id_arr), centre_arr, prev)
    used = set(seed_slugs) | {prev[h].slug for h in heirs if h is not None}
    slugs, names, keywords = [], [], []
    for c in range(len(groups)):
        words = pick_keywords(terms[c])
        heir = prev[heirs[c]] if heirs[c] is not None else None
        if heir is not None and heir.keywords and set(heir.keywords) <= set(terms[c][:10]):
            words = heir.keywords  # names stay put while they still describe the topic
        slug = heir.slug if heir is not None else unique_slug(topic_slug("-".join(words)), used)
        slugs.append(slug)
        names.append(renames.get(slug) or " · ".join(words) or slug)
        keywords.append(words)
    for seed, _ in seeded:
        slugs.append(seed.slug)
        names.append(renames.get(seed.slug) or seed.name)
        keywords.append(pick_keywords(terms[len(keywords)]))
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
