"""Build the static files of the in-browser hybrid search (``site/search/``).

Formats (shared with ``search/query.py`` and the browser's search scripts; the design is the
search spec):

- ``search/manifest.json`` (not hashed) names every other file and holds the parameters,
  among them ``lexical.stemmer`` (the Snowball algorithm of index and query, ``"english"``,
  ``"french"``..., or null: words are not stemmed; ``vibesite.search.analysis.stemmer_for``) and
  ``semantic_floor``: the score a result only semantic ranking supports must reach
  (``vibesite.search.calibrate``; null without a query model).
- ``search/vectors.<h>.bin``: ``vibesite.search.codes`` bytes of ``vector_bits`` (4) bits:
  ``dim`` float32 offsets, ``dim`` float32 scales, then the codes, two dimensions a byte (low
  nibble first); ``v ~= offset + scale * code`` per dimension. One vector per passage (the
  windows an article was embedded in: one for most articles), the passages of doc 0 first; a
  doc's semantic score is its best passage's.
- ``search/passages.<h>.bin``: ``count`` uint32, how many passages each doc has.
- ``search/docs/<k>.<h>.json``: ``[{"url", "title", "date", "summary"}, ...]`` for docs
  ``k * shard_size ...``: the records, for lists with no excerpts.
- ``search/text/<k>.<h>.json``: ``[{"url", "title", "date", "summary", "sections": [[anchor,
  text], ...]}, ...]``, the records again with the sections of docs ``k * text.shard_size ...``
  (``vibesite.search.excerpt.sections``), for excerpts and links to the section that matched:
  a result with its excerpt is one fetch, not two.
- ``search/doclen.<h>.bin``: ``count`` uint32 BM25 lengths (tokens of title, title, body).
- ``search/lex/<s>.<h>.json``: the postings of a sorted range of terms (``vibesite.search.lexicon``:
  the manifest's ``lexical.shards`` lists ``[first term, path]`` per shard, so a term's shard,
  and the shards of every term starting with a typed prefix, are found by binary search):
  ``{"p": {"term": [[doc gap, p1, g2, g3, ...], ...]}, "f": {"term": [doc gap, tf, ...]}}``:
  per doc holding the term, where it occurs among the doc's BM25 tokens (the first position,
  then the gaps to each next one; the term frequency is how many there are), or for a term in
  most docs (``"f"``) only how often. Phrase and proximity scoring (``query.proximity_tf``)
  read the positions. ``lexical.prefix`` holds how the last word matches as a prefix while
  typed (``lexicon.typed_prefix``).

``<h>`` is the first 10 hex digits of the sha256 of the file's bytes, so every file but the
manifest can be cached forever. The same input always gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vibesite.content.parse import Article
from vibesite.model.base import EncoderFiles
from vibesite.search import lexicon
from vibesite.search.analysis import DEFAULT_STEMMER, tokenize
from vibesite.search.calibrate import CALIBRATION
from vibesite.search.calibrate import semantic_floor as calibrated_floor
from vibesite.search.codes import Quantized, quantize
from vibesite.search.excerpt import TEXT_CHARS, TEXT_FORMAT, sections
from vibesite.search.proximity import PROXIMITY_WINDOW

__all__ = ["MANIFEST", "VERSION", "Quantized", "build_search_files", "quantize"]

# 2: one vector per passage, + passages.bin; 3: + text/; 4: term positions in the postings
# 5: shards of sorted term ranges (a typed prefix finds its terms), doc gaps, no positions for
# terms in most docs; 6: score fusion ("fusion" replaces "rrf_k"); 7: text/ entries hold the
# doc's record too; 8: lexical.stemmer, the site's language's (the browser: loader.js INDEX_VERSION)
VERSION = 8
MANIFEST = "search/manifest.json"
K1 = 1.2
B = 0.75
# Phrase and proximity (query.SiteSearch.lexical_scores): a query's neighbouring terms found up
# to proximity.PROXIMITY_WINDOW (3) tokens apart, in order, add PROXIMITY_WEIGHT times a BM25
# pseudo-term. SciFact fused nDCG@10 (bench/search_quality.py), weight 0 / 0.2 / 0.5 / 1:
# 0.7205 / 0.7211 / 0.7209 / 0.7172 (lexical alone 0.6916 / 0.6925 / 0.6863 / 0.6836): claims
# are not phrases, so it must not cost there what it gains for copied sentences (measured with
# reciprocal-rank fusion, before FUSION_ALPHA below).
PROXIMITY_WEIGHT = 0.5
# Fusion (query.SiteSearch.results): FUSION_ALPHA * BM25 / the query's best BM25 +
# (1 - FUSION_ALPHA) * the doc's semantic score, a convex combination of scores (Bruch et al.,
# "An Analysis of Fusion Functions for Hybrid Retrieval", 2023), which keeps how far apart the
# scores are where reciprocal-rank fusion keeps only the order. A doc's semantic score is its best
# passage's plus PASSAGE_MEAN times the mean of its passages', over 1 + PASSAGE_MEAN: the best
# passage finds the section a question is about, the mean what the whole article is about (a
# long article's title as the query). Measured against the reciprocal-rank fusion it replaces
# (k=10, with a third list of phrase matches): SciFact fused nDCG@10 0.7237 -> 0.7430;
# known-item MRR@10 with titles hidden, jbranchaud-til 0.882 -> 0.910, the demo guide 0.456 ->
# 0.643; alpha 0.3 / 0.4 / 0.5 gave SciFact 0.7398 / 0.7430 / 0.7318 (bench/search_quality.py,
# bench/search_trust.py).
FUSION_ALPHA = 0.4
PASSAGE_MEAN = 0.25
CANDIDATES = 100
DOCS_SHARD_SIZE = 32
# The sections are bigger than the records: a result fetches fewer. A result with its excerpt
# reads its record from text/ too: one fetch, not two (bench/search_cost.py, 10,000 articles:
# fetches a query p50 12 -> 9).
TEXT_SHARD_SIZE = 8
SUMMARY_CHARS = 200
HASH_CHARS = 10
# int4 loses nothing measurable against float32 on SciFact (passage max: nDCG@10 0.6626 both;
# int8 0.6608) at half of int8's bytes.
VECTOR_BITS = 4
# Everything above that shapes the files: part of the pipeline's memo key, so that a vibesite
# with other settings never reuses an index built by this one.
FORMAT = (VERSION, K1, B, FUSION_ALPHA, PASSAGE_MEAN, CANDIDATES, DOCS_SHARD_SIZE,
          lexicon.SHARD_BYTES, lexicon.COUNTS_ONLY_SHARE, lexicon.COUNTS_ONLY_MIN_DOCS,
          SUMMARY_CHARS, HASH_CHARS, VECTOR_BITS, CALIBRATION, TEXT_SHARD_SIZE, TEXT_CHARS,
          TEXT_FORMAT, PROXIMITY_WEIGHT, PROXIMITY_WINDOW, "common", lexicon.PREFIX_MIN_CHARS,
          lexicon.PREFIX_TERMS, lexicon.PREFIX_SHARDS, lexicon.PREFIX_SUFFIXES)


# A query term so common that the index keeps only its counts (lexicon.counts_only: in more than
# half of the docs, and at least 64 of them) adds to a match's score but matches no doc by itself,
# when the query has a rarer term (query.matched_by_evidence; classic BM25's idf is negative past
# half of the docs: no evidence of relevance). The first ten results stay as they were and the
# count means something: jbranchaud-til, "how to rename a branch" 1,859 -> 329 results of 1,871,
# "timezone conversion in postgres" 1,458 -> 143; the first ten unchanged on 13 queries of two
# sites; SciFact (bench/search_quality.py) fused nDCG@10 0.7389 with and without, recall@100
# 0.9610 -> 0.9577 (one relevant abstract that held only "are" and "by" of its query lost their
# small keyword part and fell from rank <= 100 to below it; it is still a semantic match). A
# small site has no such term: on 4 pages about a garden, "drip" on 3 is no stop word.
def common_terms() -> dict[str, float]:
    """The manifest's ``lexical.common``: what makes a term too common to match by itself."""
    return {"share": lexicon.COUNTS_ONLY_SHARE, "min_docs": lexicon.COUNTS_ONLY_MIN_DOCS}


def bm25_text(article: Article) -> str:
    """What lexical search indexes: the title twice, then the body text."""
    return f"{article.title}\n{article.title}\n{article.text}"


def clip_summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """``text`` on one line, at most ``limit`` characters (cut at a space, then "…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def hashed_path(prefix: str, data: bytes, suffix: str) -> str:
    """``search/lex/3`` + bytes + ``.json`` -> ``search/lex/3.<first 10 hex of sha256>.json``."""
    return f"{prefix}.{hashlib.sha256(data).hexdigest()[:HASH_CHARS]}{suffix}"


def _add(files: dict[str, Any], prefix: str, data: bytes, suffix: str) -> str:
    """Put ``data`` in ``files`` under its hashed path (``hashed_path``); return the path."""
    path = hashed_path(prefix, data, suffix)
    files[path] = data
    return path


def dumps(value: Any) -> bytes:
    """The one JSON encoding of every search file: compact, sorted keys, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class LexicalIndex:
    doclen: np.ndarray  # (n,) uint32
    postings: dict[str, list[list[int]]]  # term -> [[doc, p1, g2, ...], ...] (docs ascending)

    @property
    def avgdl(self) -> float:
        return round(float(self.doclen.sum()) / len(self.doclen), 4) if len(self.doclen) else 0.0


def lexical_index(texts: Sequence[str],
                  token_cache: dict[bytes, list[str]] | None = None,
                  stemmer: str | None = DEFAULT_STEMMER) -> LexicalIndex:
    """BM25 postings, with positions, of ``texts`` stemmed by ``stemmer``; ``token_cache``
    (text md5 -> terms, of this stemmer) skips re-tokenizing the unchanged texts of the last
    build, and is left holding exactly this build's texts."""
    doclen = np.zeros(len(texts), dtype=np.uint32)
    postings: dict[str, list[list[int]]] = {}
    known = dict(token_cache or {})
    if token_cache is not None:
        token_cache.clear()
    for doc, text in enumerate(texts):
        key = hashlib.md5(text.encode("utf-8")).digest()
        terms = known.get(key)
        if terms is None:
            terms = tokenize(text, stemmer)
        if token_cache is not None:
            token_cache[key] = terms
        doclen[doc] = len(terms)
        last: dict[str, list[int]] = {}  # term -> [doc, p1, g2, ..., previous position]
        for position, term in enumerate(terms):
            entry = last.get(term)
            if entry is None:
                last[term] = [doc, position, position]
            else:
                entry.insert(-1, position - entry[-1])
                entry[-1] = position
        for term, entry in last.items():
            entry.pop()
            postings.setdefault(term, []).append(entry)
    return LexicalIndex(doclen, postings)


def lexical_files(texts: Sequence[str], token_cache: dict[bytes, list[str]] | None = None,
                  stemmer: str | None = DEFAULT_STEMMER,
                  ) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The keyword index of ``texts`` (one a doc): the manifest's ``lexical`` part, and the
    files it names (``search/lex/`` shards and ``search/doclen``) -> their bytes."""
    lexical = lexical_index(texts, token_cache, stemmer)
    files: dict[str, bytes] = {}
    shards = lexicon.shard_files(lexical.postings, len(texts),
                                 lambda prefix, data: _add(files, prefix, data, ".json"))
    doclen_path = _add(files, "search/doclen", lexical.doclen.astype("<u4").tobytes(), ".bin")
    manifest = {"k1": K1, "b": B, "avgdl": lexical.avgdl,
                "proximity": {"weight": PROXIMITY_WEIGHT, "window": PROXIMITY_WINDOW},
                "common": common_terms(),
                "prefix": {"min_chars": lexicon.PREFIX_MIN_CHARS, "terms": lexicon.PREFIX_TERMS,
                           "shards": lexicon.PREFIX_SHARDS,
                           "suffixes": list(lexicon.PREFIX_SUFFIXES)},
                "doclen": doclen_path, "shards": shards, "stemmer": stemmer}
    return manifest, files


def _doc_record(article: Article) -> dict[str, str]:
    return {"url": article.url, "title": article.title, "date": article.date_display,
            "summary": clip_summary(article.summary)}


def build_search_files(
    articles: Sequence[Article],
    vectors: np.ndarray,
    encoder: EncoderFiles | None = None,
    token_cache: dict[bytes, list[str]] | None = None,
    passage_counts: Sequence[int] | np.ndarray | None = None,
    semantic_floor: float | None = None,
    model_loading: str = "auto",
    runtime_bytes: int = 0,
    stemmer: str | None = DEFAULT_STEMMER,
) -> dict[str, bytes | Path]:
    """Every file under ``search/`` (paths relative to the site root) -> its bytes, or for the
    query encoder's model and tokenizer the file to copy (memos never hold the model).

    ``vectors`` are L2-normalised embeddings: one per article in the same order, or, with
    ``passage_counts`` (how many each article has, >= 1), each article's passage vectors in
    turn. ``encoder`` (``vibesite.model.base.EncoderFiles``) adds the browser's query
    model, else ``"model"`` is null and the browser searches lexically only. With an encoder,
    ``semantic_floor`` (None) is calibrated on it (``vibesite.search.calibrate``); given, it is
    stored as it is. ``model_loading`` ("auto" or "on-demand") tells the browser when to
    download the model; ``runtime_bytes``, the size of the wasm runtime it downloads too, is
    added to the download's size the browser shows (``model.download_bytes``). ``stemmer``
    is the Snowball algorithm of the keyword index (``analysis.stemmer_for`` of the site's
    language), None for none; ``token_cache`` must hold its terms.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    count = len(articles)
    counts = np.ones(count, np.int64) if passage_counts is None else np.asarray(passage_counts)
    if counts.shape != (count,) or (count and counts.min() < 1):
        raise ValueError(f"need a passage count >= 1 per article: {count} articles, "
                         f"counts of shape {counts.shape}")
    if vectors.ndim != 2 or vectors.shape[0] != int(counts.sum()):
        raise ValueError(f"need one vector per passage: {int(counts.sum())} passages of "
                         f"{count} articles, vectors of shape {vectors.shape}")
    dim = vectors.shape[1] if count or encoder is None else encoder.dim  # no articles yet
    vectors = vectors.reshape(-1, dim)
    if encoder is not None and encoder.dim != dim:
        raise ValueError(f"the query encoder {encoder.model_id} gives {encoder.dim}-dimensional "
                         f"vectors but the articles have {dim}")
    files: dict[str, bytes | Path] = {}

    def add(prefix: str, data: bytes, suffix: str) -> str:
        return _add(files, prefix, data, suffix)

    def copy(prefix: str, source: Path, suffix: str) -> str:  # the model: copied, not held
        path = hashed_path(prefix, source.read_bytes(), suffix)
        files[path] = source
        return path

    quantized = quantize(vectors, VECTOR_BITS)
    vector_data = quantized.to_bytes()
    vectors_path = add("search/vectors", vector_data, ".bin")
    passages_path = add("search/passages", counts.astype("<u4").tobytes(), ".bin")
    records = [_doc_record(a) for a in articles]
    docs_paths = [add(f"search/docs/{k}", dumps(records[start:start + DOCS_SHARD_SIZE]), ".json")
                  for k, start in enumerate(range(0, count, DOCS_SHARD_SIZE))]
    texts = [{**record, "sections": sections(a.html_body, a.text)}
             for record, a in zip(records, articles, strict=True)]
    text_paths = [add(f"search/text/{k}", dumps(texts[start:start + TEXT_SHARD_SIZE]), ".json")
                  for k, start in enumerate(range(0, count, TEXT_SHARD_SIZE))]
    lexical, lexical_data = lexical_files([bm25_text(a) for a in articles], token_cache,
                                          stemmer)
    files.update(lexical_data)
    model: dict[str, Any] | None = None
    floor = semantic_floor
    if encoder is not None:
        if floor is None:
            from vibesite.model.onnx_runtime import OnnxQueryEncoder

            floor = calibrated_floor(OnnxQueryEncoder(encoder).encode, quantized)
        model = {
            "id": encoder.model_id,
            "onnx": copy("search/model", Path(encoder.model_onnx), ".onnx"),
            "tokenizer": copy("search/tokenizer", Path(encoder.tokenizer_json), ".json"),
            "max_length": int(encoder.max_length),
            "loading": model_loading,
            "download_bytes": (Path(encoder.model_onnx).stat().st_size
                               + Path(encoder.tokenizer_json).stat().st_size
                               + len(vector_data) + runtime_bytes),
        }
    manifest = {
        "version": VERSION, "count": count, "dim": dim, "candidates": CANDIDATES,
        "fusion": {"alpha": FUSION_ALPHA, "passage_mean": PASSAGE_MEAN},
        "vectors": vectors_path, "vector_bits": VECTOR_BITS,
        "passages": {"count": int(counts.sum()), "counts": passages_path},
        "docs": {"shard_size": DOCS_SHARD_SIZE, "files": docs_paths},
        "text": {"shard_size": TEXT_SHARD_SIZE, "files": text_paths},
        "lexical": lexical,
        "model": model,
        "semantic_floor": floor,
    }
    files[MANIFEST] = dumps(manifest)
    return files
