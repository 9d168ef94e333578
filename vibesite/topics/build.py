"""Topics: clusters of article embeddings with distinctive names and stable slugs.

Deterministic for fixed inputs and ``random_state``. The clustering itself (average linkage
over the articles, refined by KMeans and settled to a fixed point; warm-started from the
previous build's membership when churn is small) is in topics.cluster, naming in
topics.naming, map positions in topics.projection. Here:

- slugs pass to the successor cluster holding most of a previous topic's surviving members
  (previous topics come from the store), so adding an article never renames other topics;
- names come from topics.naming (prose words and phrases, a shared folder or tag), and
  topics.distinct tells apart those that share one, within a level and across the two;
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
from vibesite.topics.distinct import distinct_labels
from vibesite.topics.layout_job import MapLayout
from vibesite.topics.levels import broad_groups
from vibesite.topics.naming import Encoder, name_topics
from vibesite.topics.projection import project_2d

VERSION = 4  # bump when the topics built from the same inputs change (memo key)
MIN_ARTICLES = 8  # smaller sites get no automatic topics
NAME_SAMPLE = 60  # most central articles per topic that name it
BROAD_SAMPLE = 12  # most central articles of each fine topic that name its broad topic
CENTROID_MATCH = 0.9  # centroid cosine that keeps a slug when memberships do not overlap
_NO_RENAMES: Mapping[str, str] = MappingProxyType({})
_NO_COORDS: Mapping[str, tuple[float, float]] = MappingProxyType({})


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    keywords: tuple[str, ...]
    member_ids: tuple[str, ...]  # most central first
    member_scores: tuple[float, ...]  # cosine to the centroid, same order
    centroid: tuple[float, ...]  # unit length, float32 values
    seeded: bool = False
    level: int = 2  # 1: a broad topic (in Topics.broad); 2: a fine or seeded one
    parent: str = ""  # a fine topic's broad topic, when the site has two levels


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
    broad: tuple[Topic, ...] = ()  # level 1: groups of the fine topics (size desc, then slug)


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
    tags: Sequence[Sequence[str]] = (),
    encode: Encoder | None = None,
    previous: Sequence[StoredTopic] = (),
    previous_coords: Mapping[str, tuple[float, float]] = _NO_COORDS,
    n_topics: int | None = None,
    renames: Mapping[str, str] = _NO_RENAMES,
    seeds: Sequence[TopicSeed] = (),
    seed_threshold: float = 0.5,
    random_state: int = 0,
    layout: MapLayout | None = None,
) -> Topics:
    """Automatic and seeded topics plus 2D map positions for the articles.

    ids: unique article ids in a fixed order; vectors: (n, d) embeddings (normalised here);
    texts: title and prose per article (naming.prose_text), for naming; tags: folder and
    tags per article; encode: phrases -> unit vectors of the same model (naming candidates);
    previous, previous_coords: the last build's topics and map positions (from the store);
    layout: the map positions of these ids and vectors, already under way (topics.layout_job),
    else computed here.
    """
    id_arr = np.array([str(a) for a in ids], dtype=object)
    n = len(id_arr)
    x = np.asarray(vectors, dtype=np.float32)
    x = x if x.ndim == 2 else x.reshape(n, -1) if n else np.zeros((0, 0), np.float32)
    if (len(set(id_arr)) != n or len(texts) != n or x.shape[0] != n
            or len(tags) not in (0, n)):
        raise ValueError("ids must be unique and match vectors and texts one to one")
    if n == 0:  # a site with no articles yet: nothing to group or map
        return Topics((), {}, {}, TopicChanges(0, 0, 0, sum(
            1 for p in previous if not p.seeded and p.level == 2)))
    x = unit(x).astype(np.float32)
    # seed slugs name folders of the site: made URL-safe ("", "../x" and "A b" would not be)
    seeds = [replace(s, slug=topic_slug(s.slug)) for s in seeds]
    seeds = list({s.slug: s for s in reversed(seeds)}.values())[::-1]  # first of a slug wins
    seed_slugs = {s.slug for s in seeds}
    prev = sorted((p for p in previous
                   if not p.seeded and p.level == 2 and p.slug not in seed_slugs),
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
    all_centres = np.array(centres + [c for _, (_, c) in seeded]).reshape(-1, x.shape[1])
    heirs, changes = _heirs(groups, list(id_arr), all_centres[:len(groups)], prev)
    keep = [prev[h].keywords if h is not None else None for h in heirs]
    samples = [m[:NAME_SAMPLE] for m, _ in ranked]
    named = name_topics(texts, samples[:len(groups)], groups=tags,
                        centres=all_centres[:len(groups)], encode=encode, keep=keep)
    named += name_topics(texts, samples[len(groups):], centres=all_centres[len(groups):],
                         encode=encode)  # seeds: named by the config, terms for the store
    used = set(seed_slugs) | {prev[h].slug for h in heirs if h is not None}
    slugs, names = [], []
    for c in range(len(groups)):
        heir = prev[heirs[c]] if heirs[c] is not None else None
        label = named[c].label or " ".join(named[c].terms)
        slug = heir.slug if heir is not None else unique_slug(topic_slug(label), used)
        slugs.append(slug)
        names.append(renames.get(slug) or label or slug)
    for seed, _ in seeded:
        slugs.append(seed.slug)
        names.append(renames.get(seed.slug) or seed.name)
    topics = [
        _topic(slugs[i], names[i], named[i].terms, id_arr[members], sims, centre,
               seeded=i >= len(groups))
        for i, ((members, sims), centre) in enumerate(zip(ranked, all_centres, strict=True))
    ]
    broad, parent_of = _broad_topics(
        x, id_arr, ranked[:len(groups)], all_centres[:len(groups)], texts, tags, encode,
        [p for p in previous if p.level == 1], used, renames)
    topics = [replace(t, parent=parent_of.get(c, "")) for c, t in enumerate(topics)]
    topics, broad = _told_apart(topics, broad, texts, index, renames)
    topic_of = {a: t.slug for t in topics if not t.seeded for a in t.member_ids}
    if layout is not None and layout.ids != tuple(id_arr):
        raise ValueError("the map layout was started for other articles")
    xy = (layout.result() if layout is not None
          else project_2d(x, list(id_arr), random_state, previous=previous_coords))
    return Topics(
        topics=tuple(sorted(topics, key=lambda t: (-len(t.member_ids), t.slug))),
        topic_of=dict(sorted(topic_of.items())),
        coords={a: (float(xy[i, 0]), float(xy[i, 1])) for i, a in enumerate(id_arr)},
        changes=changes,
        broad=tuple(sorted(broad, key=lambda t: (-len(t.member_ids), t.slug))),
    )


def _told_apart(fine: list[Topic], broad: list[Topic], texts: Sequence[str],
                index: Mapping[str, int], renames: Mapping[str, str]
                ) -> tuple[list[Topic], list[Topic]]:
    """The topics with labels no two of them share (topics.distinct), either level."""
    every = [*fine, *broad]
    at = {t.slug: len(fine) + b for b, t in enumerate(broad)}
    labels = distinct_labels(
        texts, [t.name for t in every],
        [np.array([index[a] for a in t.member_ids[:NAME_SAMPLE]]) for t in every],
        broad=[t.level == 1 for t in every],
        fixed=[t.seeded or bool(renames.get(t.slug)) for t in every],
        terms=[t.keywords for t in every], parents=[at.get(t.parent, -1) for t in every])
    told = [replace(t, name=label) for t, label in zip(every, labels, strict=True)]
    return told[:len(fine)], told[len(fine):]


def _topic(slug: str, name: str, keywords: tuple[str, ...], members: np.ndarray,
           sims: np.ndarray, centre: np.ndarray, seeded: bool = False, level: int = 2) -> Topic:
    return Topic(slug=slug, name=name, keywords=keywords,
                 member_ids=tuple(str(a) for a in members),
                 member_scores=tuple(round(float(v), 6) + 0.0 for v in sims),
                 centroid=tuple(float(v) for v in centre.astype(np.float32)),
                 seeded=seeded, level=level)


def _broad_topics(
    x: np.ndarray, id_arr: np.ndarray, ranked: Sequence[tuple[np.ndarray, np.ndarray]],
    centres: np.ndarray, texts: Sequence[str], tags: Sequence[Sequence[str]],
    encode: Encoder | None, previous: Sequence[StoredTopic], used: set[str],
    renames: Mapping[str, str],
) -> tuple[list[Topic], dict[int, str]]:
    """Broad topics over the fine ones (topics.levels), named and slugged like them; with the
    broad slug of each fine topic (by index)."""
    labels = broad_groups(centres)
    if labels is None:
        return [], {}
    fine_of = [np.flatnonzero(labels == b) for b in range(int(labels.max()) + 1)]
    members = [np.concatenate([ranked[f][0] for f in fines]) for fines in fine_of]
    bcentres = np.array([unit(x[m].astype(np.float64).sum(axis=0)) for m in members])
    branked = [_ranked_members(m, x, id_arr, c) for m, c in zip(members, bcentres, strict=True)]
    prev = sorted(previous, key=lambda p: p.slug)
    heirs, _ = _heirs(members, list(id_arr), bcentres, prev)
    # named from the most central articles of each of its fine topics, so none is drowned
    sample = [np.concatenate([ranked[f][0][:BROAD_SAMPLE] for f in fines]) for fines in fine_of]
    named = name_topics(texts, sample, groups=tags, centres=bcentres, encode=encode, pairs=True,
                        keep=[prev[h].keywords if h is not None else None for h in heirs])
    used |= {prev[h].slug for h in heirs if h is not None}
    broad, parent_of = [], {}
    for b, ((m, sims), centre) in enumerate(zip(branked, bcentres, strict=True)):
        label = named[b].label or " ".join(named[b].terms)
        slug = (prev[heirs[b]].slug if heirs[b] is not None
                else unique_slug(topic_slug(label), used))
        broad.append(_topic(slug, renames.get(slug) or label or slug, named[b].terms,
                            id_arr[m], sims, centre, level=1))
        parent_of.update({int(f): slug for f in fine_of[b]})
    return broad, parent_of
