"""Topics and the map on synthetic data: no model, fast."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from vibesite.content.slugs import topic_slug
from vibesite.embeddings.store import EmbeddingStore, StoredTopic
from vibesite.site.map_svg import PLACE_SIZE, label_overlaps, placed_sizes, render_map_svg
from vibesite.topics.build import Topics, TopicSeed, build_topics
from vibesite.topics.projection import LAYOUT, project_2d
from vibesite.topics.serialize import stored_topics, topics_json

VOCAB = (
    ("git", "rebase", "commit", "branch", "merge", "stash", "reflog"),
    ("python", "pandas", "dataframe", "numpy", "series", "pip", "venv"),
    ("vim", "buffer", "motion", "register", "macro", "split", "normal"),
    ("postgres", "index", "query", "vacuum", "schema", "psql", "join"),
)
COMMON = ("note", "today", "learned", "how", "works", "quick", "tip", "small")


def blobs(per: int = 16, seed: int = 0, dim: int = 32) -> tuple[list[str], np.ndarray, list[str]]:
    """Four well-separated blobs on the unit sphere; texts whose words differ per blob."""
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.normal(size=(dim, len(VOCAB))))[0].T  # orthonormal
    ids, vecs, texts = [], [], []
    for b, words in enumerate(VOCAB):
        for i in range(per):
            v = centres[b] / np.linalg.norm(centres[b]) + rng.normal(scale=0.35 / np.sqrt(dim),
                                                                      size=dim)
            vecs.append(v / np.linalg.norm(v))
            ids.append(f"{words[0]}-{i:02d}")
            body = rng.choice(words, size=12).tolist() + rng.choice(COMMON, size=6).tolist()
            texts.append(f"{words[0].title()} {i}\n\n" + " ".join(body))
    return ids, np.asarray(vecs, dtype=np.float32), texts


def roundtrip(topics: Topics) -> list[StoredTopic]:
    with EmbeddingStore(Path(":memory:")) as store:
        store.replace_topics(stored_topics(topics), topics.coords)
        return store.previous_topics()


def blob_of(article_id: str) -> str:
    return article_id.split("-")[0]


def test_finds_the_blobs_and_names_them() -> None:
    ids, vecs, texts = blobs()
    topics = build_topics(ids, vecs, texts)
    assert len(topics.topics) == 4
    labels = [topics.topic_of[a] for a in ids]
    assert normalized_mutual_info_score([blob_of(a) for a in ids], labels) > 0.9
    for topic in topics.topics:
        words = VOCAB[[w[0] for w in VOCAB].index(blob_of(topic.member_ids[0]))]
        assert topic.keywords and all(set(k.split()) <= set(words) for k in topic.keywords)
        assert set(topic.name.lower().split()) <= set(words) | {"and"}
        assert 1 <= len(topic.name.split()) <= 4
        assert topic.slug == topic_slug(topic.name)
        assert list(topic.member_scores) == sorted(topic.member_scores, reverse=True)
        assert len(topic.centroid) == vecs.shape[1] and not topic.seeded
    assert [len(t.member_ids) for t in topics.topics] == [16, 16, 16, 16]
    assert topics.changes.new == 4 and topics.changes.kept == 0
    assert set(topics.coords) == set(ids)
    assert all(-1 <= c <= 1 for xy in topics.coords.values() for c in xy)


def test_two_builds_are_byte_identical() -> None:
    ids, vecs, texts = blobs()
    titles = {a: t.splitlines()[0] for a, t in zip(ids, texts, strict=True)}
    urls = {a: f"/{a}/" for a in ids}
    one, two = build_topics(ids, vecs, texts), build_topics(ids, vecs, texts)
    assert topics_json(one) == topics_json(two)
    assert render_map_svg(one, titles, urls) == render_map_svg(two, titles, urls)
    # a rebuild that starts from the saved state of the first build changes nothing
    again = build_topics(ids, vecs, texts, previous=roundtrip(one))
    assert topics_json(again) == topics_json(one)
    assert again.changes.kept == 4 and again.changes.new == 0


@pytest.mark.parametrize("n", [0, 1, 2, 7])
def test_small_sites_get_no_automatic_topics(n: int) -> None:
    ids, vecs, texts = blobs()
    topics = build_topics(ids[:n], vecs[:n], texts[:n])
    assert topics.topics == () and topics.topic_of == {}
    assert set(topics.coords) == set(ids[:n])
    render_map_svg(topics, {}, {})
    topics_json(topics)


def test_small_site_still_gets_seed_topics_and_reports_previous_as_gone() -> None:
    ids, vecs, texts = blobs()
    previous = roundtrip(build_topics(ids, vecs, texts))
    seed = TopicSeed("versioning", "Versioning", (ids[0],))
    topics = build_topics(ids[:5], vecs[:5], texts[:5], previous=previous, seeds=[seed])
    assert [t.slug for t in topics.topics] == ["versioning"]
    assert topics.changes.gone == 4


def test_adding_one_article_keeps_every_slug_and_name() -> None:
    ids, vecs, texts = blobs(per=17)
    keep = [i for i, a in enumerate(ids) if a != "vim-16"]
    first = build_topics([ids[i] for i in keep], vecs[keep], [texts[i] for i in keep])
    second = build_topics(ids, vecs, texts, previous=roundtrip(first))
    before = {t.slug: t.name for t in first.topics}
    after = {t.slug: t.name for t in second.topics}
    assert before == after
    assert second.topic_of["vim-16"] == first.topic_of["vim-00"]
    for a in first.topic_of:
        assert second.topic_of[a] == first.topic_of[a]
    assert second.changes.kept == 4 and second.changes.new == 0


def test_removing_a_third_keeps_the_largest_topics() -> None:
    ids, vecs, texts = blobs(per=18, seed=3)
    first = build_topics(ids, vecs, texts)
    keep = [i for i in range(len(ids)) if i % 3]
    second = build_topics([ids[i] for i in keep], vecs[keep], [texts[i] for i in keep],
                          previous=roundtrip(first))
    largest = sorted(first.topics, key=lambda t: -len(t.member_ids))[:2]
    assert {t.slug for t in largest} <= {t.slug for t in second.topics}
    assert second.changes.kept == 4 and second.changes.gone == 0


def test_renames_apply_by_slug() -> None:
    ids, vecs, texts = blobs()
    slug = build_topics(ids, vecs, texts).topic_of["git-00"]
    topics = build_topics(ids, vecs, texts, renames={slug: "Git <tricks>"})
    renamed = [t for t in topics.topics if t.slug == slug]
    assert renamed[0].name == "Git <tricks>"
    assert sum(t.name == "Git <tricks>" for t in topics.topics) == 1


def test_seeds_score_by_average_location() -> None:
    ids, vecs, texts = blobs()
    seeds = [
        TopicSeed("data", "Data work", ("python-00", "python-01", "no-such-article")),
        TopicSeed("ghost", "Ghost", ("missing",)),
    ]
    topics = build_topics(ids, vecs, texts, seeds=seeds, seed_threshold=0.5)
    seeded = [t for t in topics.topics if t.seeded]
    assert [t.slug for t in seeded] == ["data"]
    data = seeded[0]
    assert data.name == "Data work"
    assert {blob_of(a) for a in data.member_ids} == {"python"}
    assert len(data.member_ids) >= 12
    assert min(data.member_scores) >= 0.5
    assert list(data.member_scores) == sorted(data.member_scores, reverse=True)
    assert "data" not in topics.topic_of.values()
    # a seed slug is never taken by an automatic topic
    low = build_topics(ids, vecs, texts, seeds=seeds, seed_threshold=-1.0)
    assert len([t for t in low.topics if t.slug == "data"]) == 1
    assert len(next(t for t in low.topics if t.slug == "data").member_ids) == len(ids)


def test_forced_topic_count() -> None:
    ids, vecs, texts = blobs()
    topics = build_topics(ids, vecs, texts, n_topics=2)
    assert len(topics.topics) == 2
    assert sum(len(t.member_ids) for t in topics.topics) == len(ids)
    for topic in topics.topics:  # whole blobs only
        assert len(topic.member_ids) % 16 == 0
        assert len({blob_of(a) for a in topic.member_ids}) == len(topic.member_ids) // 16


@pytest.mark.parametrize("n_topics", [1, 40, 1000])
def test_forced_topic_count_out_of_range(n_topics: int) -> None:
    ids, vecs, texts = blobs()
    topics = build_topics(ids, vecs, texts, n_topics=n_topics)
    assert 1 <= len(topics.topics) <= min(n_topics, len(ids) // 3)
    assert sorted(topics.topic_of) == sorted(ids)


def test_changes_are_counted() -> None:
    ids, vecs, texts = blobs()
    by_blob = {w[0]: [a for a in ids if blob_of(a) == w[0]] for w in VOCAB}
    centroid = tuple([0.0] * vecs.shape[1])
    previous = [
        StoredTopic("old-git", frozenset(by_blob["git"]), centroid, "old git", ("git",)),
        StoredTopic("py-a", frozenset(by_blob["python"][:8]), centroid, "", ("stale",)),
        StoredTopic("py-b", frozenset(by_blob["python"][8:]), centroid),
        StoredTopic("deleted", frozenset({"gone-1", "gone-2", "gone-3"}), centroid),
        StoredTopic("seed-x", frozenset(by_blob["vim"]), centroid, seeded=True),
    ]
    topics = build_topics(ids, vecs, texts, previous=previous)
    slugs = {t.slug for t in topics.topics}
    assert "old-git" in slugs and "deleted" not in slugs and "seed-x" not in slugs
    assert len(slugs & {"py-a", "py-b"}) == 1
    assert topics.changes.kept == 1 and topics.changes.merged == 1
    assert topics.changes.new == 2 and topics.changes.gone == 1
    # keywords that still rank among the topic's top terms are kept; stale ones are replaced
    git = next(t for t in topics.topics if t.slug == "old-git")
    assert git.keywords == ("git",) and git.name == "Git"
    python = next(t for t in topics.topics if t.slug in {"py-a", "py-b"})
    assert len(python.keywords) == 3 and "python" in " ".join(python.keywords)


def test_centroid_match_keeps_slug_when_ids_change() -> None:
    ids, vecs, texts = blobs()
    first = build_topics(ids, vecs, texts)
    renamed = [f"new-{a}" for a in ids]
    second = build_topics(renamed, vecs, texts, previous=roundtrip(first))
    assert {t.slug for t in second.topics} == {t.slug for t in first.topics}
    assert second.changes.kept == 4 and second.changes.gone == 0


def test_sqlite_roundtrip_replaces_contents(tmp_path: Path) -> None:
    ids, vecs, texts = blobs()
    topics = build_topics(ids, vecs, texts, seeds=[TopicSeed("s", "S", ("git-00",))])
    store = EmbeddingStore(tmp_path / "embeddings.db")
    store.replace_topics(stored_topics(topics), topics.coords)
    store.replace_topics(stored_topics(topics), topics.coords)
    loaded = {p.slug: p for p in store.previous_topics()}
    conn = sqlite3.connect(tmp_path / "embeddings.db")
    assert set(loaded) == {t.slug for t in topics.topics}
    for t in topics.topics:
        p = loaded[t.slug]
        assert p.member_ids == frozenset(t.member_ids) and p.keywords == t.keywords
        assert p.centroid == t.centroid and p.seeded == t.seeded and p.name == t.name
    assert conn.execute("SELECT count(*) FROM map_coords").fetchone()[0] == len(ids)
    rows = conn.execute("SELECT id, rank FROM topic_members WHERE topic_slug = ? ORDER BY rank",
                        (topics.topics[0].slug,)).fetchall()
    assert [r[0] for r in rows] == list(topics.topics[0].member_ids)
    with EmbeddingStore(tmp_path / "new.db") as empty:
        assert empty.previous_topics() == []


def test_svg_escapes_and_links_every_article() -> None:
    ids, vecs, texts = blobs()
    topics = build_topics(ids, vecs, texts)
    titles = {a: f"Title {a}" for a in ids}
    titles[ids[0]] = 'EventHandler<T> & "x"'
    urls = {a: f"/posts/{a}/?a=1&b=2" for a in ids}
    svg = render_map_svg(topics, titles, urls)
    assert svg.count('tabindex="-1"><circle') == len(ids) and svg.count("<circle") == len(ids)
    assert "EventHandler&lt;T&gt; &amp; &quot;x&quot;" in svg
    assert "EventHandler<T>" not in svg and "&b=2" not in svg
    assert "<script" not in svg and "prefers-color-scheme:dark" in svg
    assert svg.startswith("<svg") and "viewBox=" in svg and 'aria-hidden="true"' in svg
    labels = re.findall(r'<text class="l l2"[^>]*>([^<]*)</text>', svg)
    assert sorted(html.unescape(a) for a in labels) == sorted(t.name for t in topics.topics)
    assert svg.isascii()
    import xml.etree.ElementTree as ET

    ET.fromstring(svg)  # well-formed XML


def test_topic_slugs() -> None:
    assert topic_slug("Café · C++ tips") == "cafe-c-tips"
    assert topic_slug("日本語") == "topic"


def test_projection_is_stable_and_bounded() -> None:
    _, vecs, _ = blobs()
    a, b = project_2d(vecs, random_state=0), project_2d(vecs.copy(), random_state=0)
    assert np.array_equal(a, b) and np.abs(a).max() == 1.0
    assert project_2d(vecs[:1]).tolist() == [[0.0, 0.0]]


def test_rejects_mismatched_inputs() -> None:
    ids, vecs, texts = blobs()
    with pytest.raises(ValueError):
        build_topics(ids[:-1] + ids[:1], vecs, texts)


def test_seed_slugs_are_made_url_safe() -> None:
    ids, vecs, texts = blobs()
    seeds = [TopicSeed("../git-00", "Up", ("git-00",)), TopicSeed("", "Empty", ("vim-00",)),
             TopicSeed("Data Work", "Data", ("python-00",)), TopicSeed("data-work", "Dup", ())]
    topics = build_topics(ids, vecs, texts, seeds=seeds, renames={"data-work": "Renamed"})
    seeded = {t.slug: t.name for t in topics.topics if t.seeded}
    assert seeded == {"git-00": "Up", "topic": "Empty", "data-work": "Renamed"}
    assert "topic" not in topics.topic_of.values()  # automatic topics keep out of seed slugs


@pytest.mark.filterwarnings("error")
def test_degenerate_maps_are_centred() -> None:
    one = build_topics(["a"], np.ones((1, 4), np.float32), ["x"])
    assert re.findall(r'cx="([^"]+)" cy="([^"]+)"', render_map_svg(one, {}, {})) == [
        ("600.0", "400.0")]
    same = build_topics([f"a{i}" for i in range(9)], np.ones((9, 4), np.float32), ["x y"] * 9)
    assert set(same.coords.values()) == {(0.0, 0.0)}
    assert len(set(re.findall(r'cx="[^"]+" cy="[^"]+"', render_map_svg(same, {}, {})))) == 1


def test_labels_that_do_not_fit_are_placed_smaller_never_on_each_other() -> None:
    ids, vecs, texts = blobs()
    first = build_topics(ids, vecs, texts)
    long = {t.slug: f"{t.slug} " + "with a name far too long for the map " * 4
            for t in first.topics}
    topics = build_topics(ids, vecs, texts, renames=long)
    svg = render_map_svg(topics, {}, {})
    placed = placed_sizes(svg)
    assert placed[1] == PLACE_SIZE[1] and 0 < placed[2] < PLACE_SIZE[2]  # shrunk to fit
    assert f".vs-map .l2{{font-size:{placed[2]:g}px" in svg  # the static SVG draws that size
    labels = re.findall(r'<text class="l l2"[^>]*>([^<]*)</text>', svg)
    assert sorted(html.unescape(a) for a in labels) == sorted(long.values())
    assert label_overlaps(svg) == {1: 0, 2: 0}
    assert all(float(x) >= 0 for x in re.findall(r'<text [^>]* x="([^"]+)"', svg))


def test_positions_of_another_layout_method_are_not_kept(tmp_path: Path) -> None:
    """A file from before the layout was recorded (PCA maps) is laid out afresh once; the
    positions of the current method are kept from then on."""
    ids, vecs, texts = blobs()
    topics = build_topics(ids, vecs, texts)
    path = tmp_path / "embeddings.db"
    with EmbeddingStore(path) as store:
        store.replace_topics(stored_topics(topics), topics.coords)
    conn = sqlite3.connect(path)
    with conn:  # the shape of a file written before the layout column existed
        conn.execute("ALTER TABLE map_coords DROP COLUMN layout")
    conn.close()
    with EmbeddingStore(path) as store:
        assert store.map_coords(LAYOUT) == {}
        assert len(store.map_coords()) == len(ids)  # still there, made by no known method
        store.replace_topics(stored_topics(topics), topics.coords, LAYOUT)
        assert store.map_coords(LAYOUT) == topics.coords
        assert store.map_coords("another-method") == {}


def test_neighbour_graph_finds_nearly_the_exact_neighbours_never_the_article_itself(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Above EXACT_LIMIT the map's t-SNE reads an HNSW graph: close to exact search, the
    article itself left out even where duplicates tie with it, the same on every run."""
    from vibesite.embeddings.relate import exact_top_k
    from vibesite.topics import neighbours

    _, vecs, _ = blobs(per=60)
    vecs = np.concatenate([vecs, vecs[:5]])  # five articles with a twin
    k = 30
    exact, _ = exact_top_k(vecs, np.arange(len(vecs)), k)
    monkeypatch.setattr(neighbours, "EXACT_LIMIT", 0)
    found, sims = neighbours.nearest(vecs, k)
    again, _ = neighbours.nearest(vecs, k)
    assert np.array_equal(found, again) and found.shape == (len(vecs), k)
    assert not (found == np.arange(len(vecs))[:, None]).any()
    assert all(len(set(row)) == k for row in found.tolist())
    assert (np.diff(sims, axis=1) <= 1e-6).all()  # most similar first
    recall = np.mean([len(set(a) & set(b)) / k for a, b in zip(found, exact, strict=True)])
    assert recall >= 0.95
    twins = len(vecs) - 5 + np.arange(5)
    assert (found[np.arange(5), 0] == twins).all() and (found[twins, 0] == np.arange(5)).all()


@pytest.mark.slow  # two t-SNE layouts: ~10 s on two shared cores
def test_tsne_map_keeps_neighbours_and_is_the_same_on_any_number_of_cores(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.manifold import trustworthiness

    from vibesite.topics import neighbours, projection

    rng = np.random.default_rng(0)
    t = np.sort(rng.random(240))  # articles along a curve: each one's neighbours are known
    freq, phase = rng.uniform(0.5, 4, 16), rng.uniform(0, 2 * np.pi, 16)
    x = np.concatenate([np.cos(2 * np.pi * freq * t[:, None] + phase),
                        np.sin(2 * np.pi * freq * t[:, None] + phase)], axis=1)
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    monkeypatch.setattr(neighbours, "EXACT_LIMIT", 100)  # the HNSW graph's path
    monkeypatch.setattr(projection, "usable_cores", lambda: 2)
    two = project_2d(x)
    monkeypatch.setattr(projection, "usable_cores", lambda: 1)
    assert np.array_equal(project_2d(x), two)
    assert trustworthiness(x, two, n_neighbors=10, metric="cosine") >= 0.95
