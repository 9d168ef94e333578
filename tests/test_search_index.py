"""The search index files (formats shared with search.js) and the Python reader."""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import types
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from vibesite.content.parse import Article
from vibesite.model.base import EncoderFiles
from vibesite.search import analysis as textsearch
from vibesite.search import index as search_index
from vibesite.search import lexicon
from vibesite.search.analysis import tokenize
from vibesite.search.calibrate import gumbel_quantile, null_queries, semantic_floor
from vibesite.search.excerpt import sections
from vibesite.search.index import (
    DOCS_SHARD_SIZE,
    MANIFEST,
    build_search_files,
    clip_summary,
    quantize,
)
from vibesite.search.query import (
    SearchIndexError,
    SiteSearch,
    search_json_lines,
)

HASHED = re.compile(r"^search/.+\.([0-9a-f]{10})\.(json|bin|onnx)$")


def article(slug: str, title: str, text: str, day: int = 1, summary: str = "") -> Article:
    return Article(id=slug, source=f"{slug}.md", title=title,
                   date=datetime(2024, 1, day, tzinfo=UTC), updated=None, tags=(),
                   summary=summary or text[:80], html_body=f"<p>{text}</p>", text=text,
                   reading_minutes=1)


ARTICLES = [
    article("db/sqlite-backup", "SQLite backup tools",
            "Use the .backup command of sqlite3 to copy a live database safely.", 1),
    article("db/postgres-dump", "Dumping Postgres",
            "pg_dump writes a logical backup; backups are restored with pg_restore.", 2),
    article("git/lost-commit", "Accessing a lost commit",
            "If you lost a commit after a reset, the reflog still remembers it.", 3),
    article("unix/tar", "Archiving folders with tar",
            "tar czf makes an archive of a folder; archives keep permissions.", 4),
    article("python/venv", "Python virtual environments",
            "python -m venv creates an isolated environment for packages.", 5),
    article("greek/words", "Ελληνικά κείμενα",
            "Η αναζήτηση πρέπει να βρίσκει ΟΔΟΣ και οδός, café and naïve text.", 6),
]


def unit_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def write_site(root: Path, files: dict[str, bytes | Path]) -> Path:
    for relpath, data in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data.read_bytes() if isinstance(data, Path) else data)
    return root


# tokenize --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Backups", ["backup"]),
    ("backup", ["backup"]),
    ("don't", ["don", "t"]),
    ("e-mail", ["e", "mail"]),
    ("C++ and node.js", ["c", "and", "node", "js"]),
    ("snake_case", ["snake", "case"]),
    ("Python 3.12 ２０２４", ["python", "3", "12", "2024"]),  # NFKC: full-width digits
    ("ﬁle ＡＢＣ", ["file", "abc"]),  # NFKC: ligature, full-width letters
    ("Café cafe\u0301 NAÏVE", ["café", "café", "naïv"]),  # NFKC composes the accent
    ("ΟΔΟΣ οδός", ["οδος", "οδός"]),  # final sigma, Greek left unstemmed
    ("हिन्दी ภาษาไทย", ["हिन्दी", "ภาษาไทย"]),  # combining marks stay inside the word
    ("Running runs ran", ["run", "run", "ran"]),
    ("organization added", ["organ", "ad"]),  # snowball-stemmers 0.6.0 / snowballstemmer 2.x
])
def test_tokenize(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_tokens_over_40_characters_are_dropped() -> None:
    assert tokenize("a" * 40 + " " + "b" * 41 + " end") == ["a" * 40, "end"]


def test_token_characters_are_letters_numbers_and_marks() -> None:
    """Python side of JS ``/[\\p{L}\\p{N}\\p{M}]+/u``: the whole BMP, and astral samples."""
    bmp, general = textsearch._token_patterns()
    for cp in [*range(0xD800), *range(0xE000, 0x10000), *range(0x10000, 0x110000, 7)]:
        ch = chr(cp)
        want = unicodedata.category(ch)[0] in "LNM"
        assert bool(general.fullmatch(ch)) == want, hex(cp)
        if cp < 0x10000:
            assert bool(bmp.fullmatch(ch)) == want, hex(cp)
    assert tokenize("emoji😀word 𐐀𐐁 𝐀x") == [
        "emoji", "word", "𐐨𐐩", "ax"]


def test_summary_is_clipped_to_200_characters() -> None:
    assert clip_summary("short  text\n here") == "short text here"
    long = clip_summary("word " * 100)
    assert len(long) <= 200 and long.endswith("word…")
    assert len(clip_summary("x" * 500)) == 200


# int8 / int4 vectors --------------------------------------------------------------------------


@pytest.mark.parametrize(("bits", "dim", "row_bytes"), [(8, 48, 48), (4, 48, 24), (4, 47, 24)])
def test_round_trip_error_is_at_most_half_a_step(bits: int, dim: int, row_bytes: int) -> None:
    vectors = unit_vectors(300, dim, seed=1)
    vectors[:, 5] = 0.25  # a constant dimension: scale 1, code 0
    q = quantize(vectors, bits)
    assert q.codes.dtype == np.uint8 and q.codes.shape == (300, dim)
    assert q.codes.min() == 0 and q.codes.max() == 2 ** bits - 1
    assert q.scales[5] == 1.0 and not q.codes[:, 5].any()
    error = np.abs(q.dequantize() - vectors.astype(np.float64))
    assert (error <= q.scales.astype(np.float64) / 2 + 1e-7).all()
    data = q.to_bytes()
    assert len(data) == 8 * dim + 300 * row_bytes
    again = search_index.Quantized.from_bytes(data, 300, dim, bits)
    assert np.array_equal(again.codes, q.codes) and np.array_equal(again.scales, q.scales)
    if bits == 4:  # two codes a byte, the even dimension in the low nibble
        assert data[8 * dim] == q.codes[0, 0] | (q.codes[0, 1] << 4)
    with pytest.raises(ValueError, match="expected"):
        search_index.Quantized.from_bytes(data[:-1], 300, dim, bits)


def test_int4_vectors_keep_the_cosine_ranking(tmp_path: Path) -> None:
    """Random vectors are the hard case for scalar codes (every dimension matters equally);
    on real MiniLM vectors int4 ranks as float32 does (bench/search_quality.py)."""
    docs = unit_vectors(400, 64, seed=2)
    articles = [article(f"d/{i}", f"doc {i}", "text") for i in range(400)]
    search = SiteSearch.load(write_site(tmp_path, build_search_files(articles, docs, None)))
    overlaps, firsts = [], 0
    for query in unit_vectors(20, 64, seed=3):
        exact = np.argsort(-(docs @ query), kind="stable")[:10]
        approx = np.argsort(-search.doc_scores(query)[0], kind="stable")[:10]
        overlaps.append(len(set(exact) & set(approx)) / 10)
        firsts += int(approx[0] == exact[0])
    assert np.mean(overlaps) >= 0.85 and min(overlaps) >= 0.7  # int4 here: 0.89, 0.8
    assert firsts >= 15  # of 20; int4 here: 17


def test_a_doc_scores_as_its_best_passage(tmp_path: Path) -> None:
    """Doc 1's second passage is the query itself: doc 1 ranks first though its mean does not."""
    counts = [1, 3, 2, 1]
    passages = unit_vectors(sum(counts), 32, seed=6)
    query = passages[2]  # doc 1, passage 1 (doc 0 owns passage 0)
    articles = [article(f"d/{i}", f"doc {i}", "text") for i in range(len(counts))]
    files = build_search_files(articles, passages, None, passage_counts=counts)
    manifest = json.loads(files[MANIFEST])
    assert manifest["passages"] == {"count": 7, "counts": manifest["passages"]["counts"]}
    assert files[manifest["passages"]["counts"]] == np.array(counts, "<u4").tobytes()
    assert manifest["vector_bits"] == 4
    assert len(files[manifest["vectors"]]) == 8 * 32 + 7 * 16
    search = SiteSearch.load(write_site(tmp_path, files))
    scores = search.doc_scores(query)[0]
    approx = search._quantized().dequantize() @ query.astype(np.float64)
    starts = np.cumsum([0, *counts[:-1]])
    expected = [approx[s:s + c].max() for s, c in zip(starts, counts, strict=True)]
    assert np.allclose(scores, expected, atol=1e-12)
    assert int(np.argmax(scores)) == 1 and scores[1] > 0.99
    means = np.stack([passages[s:s + c].mean(axis=0) for s, c in zip(starts, counts,
                                                                       strict=True)])
    assert (means @ query)[1] < 0.99  # the mean alone would score lower


# the files ------------------------------------------------------------------------------------


@pytest.fixture
def fake_encoder_files(tmp_path: Path) -> EncoderFiles:
    """Stand-ins for an ONNX export: two small files that are no model."""
    (tmp_path / "enc").mkdir()
    (tmp_path / "enc" / "model.onnx").write_bytes(b"fake onnx bytes")
    (tmp_path / "enc" / "tokenizer.json").write_bytes(b'{"fake": true}')
    return EncoderFiles(model_onnx=tmp_path / "enc" / "model.onnx",
                        tokenizer_json=tmp_path / "enc" / "tokenizer.json",
                        max_length=256, dim=16, model_id="test/tiny-model")


def test_manifest_names_every_file_by_its_hash(fake_encoder_files: EncoderFiles) -> None:
    many = ARTICLES * 30  # 180 docs: two docs shards
    files = build_search_files(many, unit_vectors(len(many), 16), fake_encoder_files,
                               semantic_floor=0.3, runtime_bytes=1000)
    manifest = json.loads(files[MANIFEST])
    assert set(manifest) == {"version", "count", "dim", "fusion", "candidates", "vectors",
                             "vector_bits", "passages", "docs", "lexical", "model",
                             "semantic_floor", "text"}
    assert manifest["semantic_floor"] == 0.3
    assert (manifest["version"], manifest["count"], manifest["dim"]) == (8, 180, 16)
    assert manifest["text"]["shard_size"] == 8 and len(manifest["text"]["files"]) == 23
    assert manifest["fusion"] == {"alpha": 0.4, "passage_mean": 0.25}
    assert manifest["candidates"] == 100
    assert manifest["passages"]["count"] == 180
    assert manifest["docs"]["shard_size"] == DOCS_SHARD_SIZE == 32
    assert len(manifest["docs"]["files"]) == 6  # 180 docs
    lexical = manifest["lexical"]
    assert (lexical["k1"], lexical["b"]) == (1.2, 0.75)
    assert lexical["proximity"] == {"weight": search_index.PROXIMITY_WEIGHT, "window": 3}
    assert lexical["prefix"] == {"min_chars": 3, "terms": 8, "shards": 2,
                                 "suffixes": list(lexicon.PREFIX_SUFFIXES)}
    assert lexical["avgdl"] == round(lexical["avgdl"], 4) > 0
    assert lexical["stemmer"] == "english"  # build_search_files' default
    assert manifest["model"] == {"id": "test/tiny-model", "max_length": 256,
                                 "onnx": manifest["model"]["onnx"],
                                 "tokenizer": manifest["model"]["tokenizer"],
                                 "loading": "auto",  # what download_bytes counts:
                                 "download_bytes": len(b"fake onnx bytes") + len(
                                     b'{"fake": true}') + 8 * 16 + 180 * 8 + 1000}
    named = [manifest["vectors"], manifest["passages"]["counts"], lexical["doclen"],
             *manifest["docs"]["files"], *manifest["text"]["files"],
             *(path for _, path in lexical["shards"]),
             manifest["model"]["onnx"],
             manifest["model"]["tokenizer"]]
    assert sorted(named) == sorted(set(files) - {MANIFEST})
    for path in named:
        match = HASHED.match(path)
        assert match, path
        data = files[path]
        data = data.read_bytes() if isinstance(data, Path) else data
        assert match.group(1) == hashlib.sha256(data).hexdigest()[:10]
    assert manifest["model"]["onnx"].startswith("search/model.")
    # the model is copied from the export, never held in memory (or pickled in the memo)
    assert files[manifest["model"]["onnx"]] == fake_encoder_files.model_onnx
    assert files[manifest["model"]["tokenizer"]] == fake_encoder_files.tokenizer_json
    assert fake_encoder_files.model_onnx.read_bytes() == b"fake onnx bytes"
    assert len(files[lexical["doclen"]]) == 4 * 180
    assert len(files[manifest["vectors"]]) == 8 * 16 + 180 * 8  # 4 bits a dimension
    assert files[manifest["passages"]["counts"]] == np.ones(180, "<u4").tobytes()
    # sorted ranges of terms, each shard's first term in the manifest, every term in one
    everywhere = []
    for number, (first, path) in enumerate(lexical["shards"]):
        assert path.startswith(f"search/lex/{number}.")
        data = json.loads(files[path])
        assert set(data) == {"p", "f"}
        terms = sorted([*data["p"], *data["f"]], key=lexicon.term_key)
        assert terms[0] == first
        everywhere += terms
        for postings in data["p"].values():  # doc gaps >= 1 after the first, position gaps too
            assert all(len(p) >= 2 and min(p[2:], default=1) >= 1 for p in postings)
            assert all(p[0] >= 1 for p in postings[1:])
        for flat in data["f"].values():  # in more than half of the 180 docs: counts only
            assert len(flat) > 180 and all(flat[1::2])
    assert everywhere == sorted(set(everywhere), key=lexicon.term_key)
    assert len(lexical["shards"]) == 1  # 180 tiny docs: under SHARD_BYTES
    docs = json.loads(files[manifest["docs"]["files"][0]])
    assert len(docs) == DOCS_SHARD_SIZE
    assert docs[0] == {"url": "db/sqlite-backup/", "title": "SQLite backup tools",
                       "date": "2024-01-01", "summary": ARTICLES[0].summary}
    # a text shard's entries: the records again, with their sections (one fetch for both)
    texts = json.loads(files[manifest["text"]["files"][1]])
    assert len(texts) == search_index.TEXT_SHARD_SIZE
    assert [{k: v for k, v in t.items() if k != "sections"} for t in texts] == docs[8:16]
    assert texts[0]["sections"] == sections(many[8].html_body, many[8].text)
    for path, data in files.items():  # one canonical JSON form: compact, sorted keys, UTF-8
        if path.endswith(".json") and "tokenizer" not in path:
            assert data == search_index.dumps(json.loads(data)), path


def test_no_encoder_means_model_null_and_build_is_deterministic() -> None:
    vectors = unit_vectors(len(ARTICLES), 16)
    first = build_search_files(ARTICLES, vectors, None)
    second = build_search_files(list(ARTICLES), vectors.copy(), None)
    assert first == second
    assert json.loads(first[MANIFEST])["model"] is None
    assert not any(p.endswith(".onnx") for p in first)


def test_rejects_mismatched_inputs(fake_encoder_files: EncoderFiles) -> None:
    with pytest.raises(ValueError, match="one vector per passage"):
        build_search_files(ARTICLES, unit_vectors(3, 16), None)
    with pytest.raises(ValueError, match="one vector per passage"):
        build_search_files(ARTICLES, unit_vectors(len(ARTICLES), 16), None,
                           passage_counts=[2] * len(ARTICLES))
    with pytest.raises(ValueError, match="passage count >= 1"):
        build_search_files(ARTICLES, unit_vectors(len(ARTICLES), 16), None,
                           passage_counts=[0] + [1] * len(ARTICLES))
    with pytest.raises(ValueError, match="16-dimensional"):
        build_search_files(ARTICLES, unit_vectors(len(ARTICLES), 8), fake_encoder_files)


def test_empty_site(tmp_path: Path) -> None:
    files = build_search_files([], np.zeros((0, 16), np.float32), None)
    manifest = json.loads(files[MANIFEST])
    assert manifest["count"] == 0 and manifest["docs"]["files"] == []
    assert manifest["lexical"]["shards"] == [] and manifest["lexical"]["avgdl"] == 0.0
    assert SiteSearch.load(write_site(tmp_path, files)).search("anything") == []


# searching ------------------------------------------------------------------------------------


def reference_bm25(articles: list[Article], query: str) -> dict[int, float]:
    """BM25 plus phrase and proximity, straight from the definitions, on the token lists."""
    docs = [tokenize(f"{a.title}\n{a.title}\n{a.text}") for a in articles]
    n = len(docs)
    avgdl = round(sum(map(len, docs)) / n, 4)
    scores: dict[int, float] = {}
    idf: dict[str, float] = {}

    def saturate(tf: float, d: list[str]) -> float:
        return tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * len(d) / avgdl))

    for term in set(tokenize(query)):
        df = sum(1 for d in docs if term in d)
        if df == 0:
            continue
        idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, d in enumerate(docs):
            if tf := d.count(term):
                scores[i] = scores.get(i, 0.0) + idf[term] * saturate(tf, d)
    terms = tokenize(query)
    for a, b in {(a, b) for a, b in zip(terms, terms[1:], strict=False) if a != b}:
        if a not in idf or b not in idf:
            continue
        for i, d in enumerate(docs):  # each a: the nearest b after it, 1 / gap if gap <= 3
            gaps = [next((q - p for q in range(p + 1, len(d)) if d[q] == b), 99)
                    for p in range(len(d)) if d[p] == a]
            if near := sum(1 / g for g in gaps if g <= 3):
                scores[i] += (search_index.PROXIMITY_WEIGHT * min(idf[a], idf[b])
                              * saturate(near, d))
    return scores


@pytest.fixture
def articles_search(tmp_path: Path) -> SiteSearch:
    """The search index of ARTICLES (random vectors, no encoder), loaded by the Python reader."""
    files = build_search_files(ARTICLES, unit_vectors(len(ARTICLES), 16), None)
    return SiteSearch.load(write_site(tmp_path, files))


@pytest.mark.parametrize("query", ["backup", "sqlite backups tools", "commit reset commit",
                                   "the archive of a folder", "οδός café", "nothing-matches",
                                   "lost a commit after a reset", "reset after commit lost",
                                   "tar archive tar folder"])
def test_bm25_matches_reference(articles_search: SiteSearch, query: str) -> None:
    got = articles_search.lexical_scores(query)
    want = reference_bm25(ARTICLES, query)
    assert got.keys() == want.keys()
    for doc, score in want.items():
        assert got[doc] == pytest.approx(score, rel=1e-12)


def test_lexical_search_finds_stemmed_variants(articles_search: SiteSearch) -> None:
    hits = articles_search.search("backups", semantic=False)
    assert [h.url for h in hits] == ["db/sqlite-backup/", "db/postgres-dump/"]
    assert hits[0].title == "SQLite backup tools" and hits[0].date == "2024-01-01"
    assert [h.lexical_rank for h in hits] == [1, 2]
    assert all(h.semantic_rank is None for h in hits)
    assert hits[0].score == 1.0  # keyword alone: BM25 over the best BM25
    assert 0 < hits[1].score < 1
    archived = articles_search.search("archived folder", semantic=False)
    assert [h.url for h in archived] == ["unix/tar/"]
    assert articles_search.search("   ") == []
    assert articles_search.search("zzzz", semantic=False) == []


def test_only_the_needed_lexical_shards_are_read(tmp_path: Path) -> None:
    many = [article(f"d/{i}", f"title {i}", f"word{i} common") for i in range(3000)]
    files = build_search_files(many, unit_vectors(3000, 8), None)
    search = SiteSearch.load(write_site(tmp_path, files))
    ranges = lexicon.Shards(search.manifest["lexical"]["shards"])
    assert len(ranges.paths) > 2
    hits = search.search("word17 common", semantic=False)
    assert hits[0].url == "d/17/"
    assert set(search._shards) == {ranges.holding(t) for t in ("word17", "common")}
    assert set(search._docs) == {0}  # 10 hits, all in the first docs shard


def test_hybrid_search_with_a_query_vector(articles_search: SiteSearch) -> None:
    vectors = articles_search._quantized().dequantize()
    target = 4  # python/venv: no lexical match for "backup"
    hits = articles_search.search("backup", limit=3,
                                  query_vector=vectors[target] / np.linalg.norm(vectors[target]))
    assert hits[0].url in {"db/sqlite-backup/", "python/venv/"}
    by_url = {h.url: h for h in hits}
    assert by_url["python/venv/"].semantic_rank == 1
    assert by_url["python/venv/"].lexical_rank is None
    assert by_url["db/sqlite-backup/"].lexical_rank == 1
    with pytest.raises(ValueError, match="dimensions"):
        articles_search.search("backup", query_vector=np.ones(3, np.float32))


def test_semantic_search_uses_the_sites_onnx_encoder(
        tmp_path: Path, fake_encoder_files: EncoderFiles,
        monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = unit_vectors(len(ARTICLES), 16)
    root = write_site(tmp_path / "site",
                      build_search_files(ARTICLES, vectors, fake_encoder_files,
                                         semantic_floor=0.9))
    made: list[object] = []

    class FakeEncoder:
        def __init__(self, files: object) -> None:
            made.append(files)

        def encode(self, texts: list[str]) -> np.ndarray:
            return vectors[[5 if "greek" in t else 2 for t in texts]]

    fake = types.ModuleType("vibesite.model.onnx_runtime")
    fake.OnnxQueryEncoder = FakeEncoder  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vibesite.model.onnx_runtime", fake)
    lines = list(search_json_lines(root, ["greek words\n", "lost commit"], limit=2))
    assert len(made) == 1
    files = made[0]
    assert files.model_onnx.read_bytes() == b"fake onnx bytes"  # type: ignore[attr-defined]
    assert (files.max_length, files.dim, files.model_id) == (  # type: ignore[attr-defined]
        256, 16, "test/tiny-model")
    first, second = (json.loads(line) for line in lines)
    assert first["query"] == "greek words"
    assert first["results"][0]["url"] == "greek/words/"
    assert second["results"][0]["url"] == "git/lost-commit/"
    assert set(second["results"][0]) == {"url", "title", "score", "excerpt", "match"}
    assert second["results"][0]["match"] == "both"  # "lost commit" is in its text too
    assert [r["match"] for r in first["results"]] == ["semantic"]  # its own vector: 1; rest < 0.9
    assert first["total"] == 1
    lexical_only = SiteSearch.load(root).search("greek words", semantic=False)
    assert lexical_only == []  # "greek" and "words" are not in the text, only the vector


def test_missing_index_or_encoder_gives_clear_errors(
        tmp_path: Path, fake_encoder_files: EncoderFiles,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SearchIndexError, match="build the site first"):
        SiteSearch.load(tmp_path / "nowhere")
    files = build_search_files(ARTICLES, unit_vectors(len(ARTICLES), 16), fake_encoder_files,
                               semantic_floor=0.3)
    search = SiteSearch.load(write_site(tmp_path / "site", files))
    monkeypatch.setitem(sys.modules, "vibesite.model.onnx_runtime", None)  # import fails
    with pytest.raises(SearchIndexError, match="onnx_runtime"):
        search.search("backup")
    assert search.search("backup", semantic=False)[0].url == "db/sqlite-backup/"


def test_token_cache_gives_the_same_files_and_keeps_only_current_texts() -> None:
    vectors = unit_vectors(len(ARTICLES), 16)
    fresh = build_search_files(ARTICLES, vectors)
    cache: dict[bytes, list[str]] = {b"stale": ["gone"]}
    assert build_search_files(ARTICLES, vectors, token_cache=cache) == fresh
    assert b"stale" not in cache and len(cache) == len({search_index.bm25_text(a)
                                                        for a in ARTICLES})
    poisoned = {k: ["zzz"] for k in cache}  # proves the cache is what gets used
    assert build_search_files(ARTICLES, vectors, token_cache=poisoned) != fresh


def test_chinese_and_japanese_words_are_found_inside_sentences(tmp_path: Path) -> None:
    """No spaces between words: the index and the query both use character pairs, so a word
    typed alone finds the sentence holding it, and characters apart do not."""
    articles = [
        article("ja", "静的サイトの作り方", "記事をビルド時に埋め込み、ブラウザで検索します。"),
        article("zh", "浏览器中的搜索", "这个生成器在构建时为每篇文章计算向量。"),
        article("en", "Plain English", "Nothing but Latin letters here."),
    ]
    vectors = unit_vectors(len(articles), 16)
    search = SiteSearch.load(write_site(tmp_path, build_search_files(articles, vectors, None)))
    assert [h.url for h in search.search("検索", semantic=False)] == ["ja/"]
    assert [h.url for h in search.search("ビルド", semantic=False)] == ["ja/"]
    assert [h.url for h in search.search("计算向量", semantic=False)] == ["zh/"]
    assert [h.url for h in search.search("文章", semantic=False)] == ["zh/"]
    assert search.search("検向", semantic=False) == []  # two characters never side by side


def test_search_model_off_exports_nothing_and_on_demand_is_in_the_manifest(
        tmp_path: Path, fake_encoder_files: EncoderFiles) -> None:
    from vibesite.config import Config
    from vibesite.diagnostics import Diagnostics
    from vibesite.pipeline import _query_encoder

    off = Config(cache_dir=tmp_path / "cache", search_model="off")
    assert _query_encoder(off, None, Diagnostics()) is None
    assert not (tmp_path / "cache").exists()  # nothing exported, nothing warned
    files = build_search_files(ARTICLES, unit_vectors(len(ARTICLES), 16), fake_encoder_files,
                               semantic_floor=0.3, model_loading="on-demand")
    assert json.loads(files[MANIFEST])["model"]["loading"] == "on-demand"


def test_a_result_links_to_the_section_that_matched_with_its_words_marked(
        tmp_path: Path) -> None:
    body = ('<p>Backups <em>matter</em> &amp; so do <code>&lt;copies&gt;</code>.</p>\n'
            '<h2 id="vacuum-into">VACUUM INTO <a class="header-anchor" href="#vacuum-into">#</a>'
            '</h2>\n<p>Use VACUUM INTO to write a consistent copy of a live database.</p>\n'
            '<h2 id="dump">The .dump command</h2>\n<p>Text, not pages.</p>')
    text = ("Backups matter & so do <copies>.\nVACUUM INTO\nUse VACUUM INTO to write a "
            "consistent copy of a live database.\nThe .dump command\nText, not pages.")
    articles = [Article(id="db", source="db.md", title="Database copies",
                        date=datetime(2024, 1, 1, tzinfo=UTC), updated=None, tags=(),
                        summary="Backups", html_body=body, text=text, reading_minutes=1),
                ARTICLES[1]]
    vectors = unit_vectors(len(articles), 16)
    site = write_site(tmp_path, build_search_files(articles, vectors, None))
    [hit] = SiteSearch.load(site).search("consistent copy", semantic=False)[:1]
    assert hit.link == "db/#vacuum-into"
    assert hit.excerpt == ("VACUUM INTO Use VACUUM INTO to write a <mark>consistent</mark> "
                           "<mark>copy</mark> of a live database.")
    [line] = search_json_lines(site, ["backups copies"], semantic=False)
    first = json.loads(line)["results"][0]
    assert first["url"] == "db/"  # the part above the first heading: no fragment
    assert first["excerpt"] == ("<mark>Backups</mark> matter &amp; so do "
                                "&lt;<mark>copies</mark>&gt;.")


def test_semantic_floor_is_the_fitted_gumbel_quantile_of_null_top_scores() -> None:
    rng = np.random.default_rng(3)
    # Gumbel(location 0.2, scale 0.03) draws: the method-of-moments fit recovers the 0.99
    # quantile (0.2 + 0.03 * 4.600 = 0.338) within sampling error, and never the sample max.
    draws = rng.gumbel(0.2, 0.03, size=5000)
    assert gumbel_quantile(draws, 0.99) == pytest.approx(0.338, abs=0.005)
    small = draws[:100]
    assert gumbel_quantile(small, 0.99) != small.max()
    vectors = quantize(np.eye(4, dtype=np.float32), 4)

    def encode(texts: Sequence[str]) -> np.ndarray:
        out = np.random.default_rng(len(texts)).normal(size=(len(texts), 4))
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)

    top = vectors.scores(encode(null_queries())).max(axis=1).astype(np.float64)
    floor = semantic_floor(encode, vectors)
    assert floor == math.ceil(gumbel_quantile(top, 0.99) * 10_000) / 10_000
    assert np.mean(top >= floor) <= 0.02
