"""Search a built site's ``search/`` files from Python, with the browser's math (``rank.js``).

Lexical: BM25 over the stemmed query's distinct terms (first-occurrence order), reading only the
lexical shards whose term ranges hold them (``vibesite.search.lexicon``); with ``prefix``, the
last word while typed also matches the terms that start with it, each weighted below an exact
match (``lexicon.prefix_postings``: "sqli" finds sqlite); plus phrase and proximity: each pair
of neighbouring query terms (``query_pairs``) found in a doc in that order, at most ``window``
tokens apart, adds ``weight`` times a BM25 pseudo-term whose frequency is the sum of 1 / gap
over those places (``proximity_tf``) and whose idf is the rarer term's, so a doc holding the
query's words together, in order, ranks above one where they are scattered. A doc holding only
query terms that most docs hold ("how", "to") is no match when the query has a rarer term
(``matched_by_evidence``, the manifest's ``lexical.common``).
Semantic: the query embedded by the site's own ONNX export (``vibesite.model.onnx_export``),
scored in float64 against the int4 passage vectors; a doc scores as its best passage plus
``passage_mean`` times the mean of its passages, over ``1 + passage_mean`` (``doc_scores``).
Fusion: per doc, ``alpha`` times its BM25 over the query's best BM25 plus ``1 - alpha`` times
its semantic score (the manifest's ``fusion``; ``vibesite.search.index.FUSION_ALPHA``); a doc no
keyword matches is a result only if its best passage reaches the manifest's ``semantic_floor``
(``vibesite.search.calibrate``), so a query that means nothing finds nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vibesite.model.base import EncoderFiles
from vibesite.search import lexicon
from vibesite.search.analysis import stemmer, tokenize
from vibesite.search.codes import Quantized
from vibesite.search.excerpt import excerpt
from vibesite.search.fusion import fuse
from vibesite.search.index import MANIFEST, VERSION
from vibesite.search.lexicon import Posting
from vibesite.search.proximity import proximity_tf, query_pairs


class SearchIndexError(Exception):
    """The site has no usable search index, or semantic search cannot run here."""


@dataclass(frozen=True)
class Hit:
    url: str  # site-relative, e.g. "git/x/"
    title: str
    date: str
    summary: str
    score: float  # the fused score (lexical only: BM25 over the query's best BM25)
    lexical_rank: int | None  # 1-based rank among all keyword matches, None if not one
    semantic_rank: int | None  # 1-based rank in the semantic candidates, None if not among them
    anchor: str = ""  # the id of the heading above the best section ("": the top)
    excerpt: str = ""  # HTML: escaped text, the query's words in <mark> (vibesite.search.excerpt)
    doc: int = -1  # the doc's index in the search index (its passages: ``passages_of(doc)``)

    @property
    def link(self) -> str:
        """The page's URL, with ``#anchor`` when the best section is under a heading."""
        return f"{self.url}#{self.anchor}" if self.anchor else self.url

    @property
    def match(self) -> str:
        """What supports this result: ``keyword``, ``semantic`` or ``both``."""
        if self.lexical_rank is None:
            return "semantic"
        return "keyword" if self.semantic_rank is None else "both"


@dataclass(frozen=True)
class Results:
    hits: list[Hit]  # the best ``limit``
    total: int  # every result: all keyword matches, and semantic matches above the floor


def rank_scores(scores: dict[int, float], limit: int) -> list[int]:
    """Docs with score > 0 by (score desc, doc asc), the first ``limit``."""
    return [d for d, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])) if s > 0][:limit]


def rank_array(scores: np.ndarray, limit: int) -> list[int]:
    """All docs by (score desc, doc asc), the first ``limit``."""
    return [int(d) for d in np.argsort(-scores, kind="stable")[:limit]]


def bm25_term(idf: float, tf: float, dl: float, avgdl: float, k1: float, b: float) -> float:
    """One term's BM25 contribution, written in the order rank.js evaluates it."""
    return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))


def matched_by_evidence(scores: dict[int, float], found: Mapping[str, Sequence[Posting]],
                        count: int, common: Mapping[str, float] | None) -> dict[int, float]:
    """``scores`` of the docs holding a query term that is not common, when the query has one:
    a term in more than ``common["share"]`` of the docs and at least ``common["min_docs"]`` of
    them ("how", "the"; what the index keeps without positions) adds to a match's score but is
    no match by itself (classic BM25's idf, log((N - df + 0.5) / (df + 0.5)), is negative past
    half of the docs: no evidence). A query of common terms alone matches as before; so does
    every query when ``common`` is None (an index from before the rule)."""
    if common is None:
        return scores
    present = [postings for postings in found.values() if postings]
    evidence = [postings for postings in present if not lexicon.counts_only(
        len(postings), count, float(common["share"]), int(common["min_docs"]))]
    if not evidence or len(evidence) == len(present):
        return scores
    matched = {entry.doc for postings in evidence for entry in postings}
    return {doc: score for doc, score in scores.items() if doc in matched}


def bm25_idf(count: int, df: int) -> float:
    return math.log(1 + (count - df + 0.5) / (df + 0.5))


class SiteSearch:
    """A built site's search index; files are read lazily and kept for later queries."""

    def __init__(self, site_dir: Path, manifest: dict[str, Any]) -> None:
        self.site_dir = site_dir
        self.manifest = manifest
        self._shards: dict[int, dict[str, list[Posting]]] = {}
        self._ranges = lexicon.Shards(manifest["lexical"]["shards"])
        # the Snowball algorithm the index was stemmed with (None: not stemmed)
        self.stemmer_name: str | None = manifest["lexical"]["stemmer"]
        self._docs: dict[int, list[dict[str, str]]] = {}
        self._texts: dict[int, list[dict[str, Any]]] = {}
        self._doclen: np.ndarray | None = None
        self._vectors: Quantized | None = None
        self._passage_starts: np.ndarray | None = None
        self._encoder: Any = None

    @classmethod
    def load(cls, site_dir: str | Path) -> SiteSearch:
        site_dir = Path(site_dir)
        path = site_dir / MANIFEST
        try:
            manifest = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise SearchIndexError(f"no search index at {path}; build the site first") from None
        except json.JSONDecodeError as exc:
            raise SearchIndexError(f"{path} is not valid JSON: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("version") != VERSION:
            raise SearchIndexError(f"{path} is not a version {VERSION} search manifest; "
                                   "rebuild the site with this vibesite")
        return cls(site_dir, manifest)

    @property
    def stem(self) -> Callable[[str], str]:
        """The stem(word) of the index (``analysis.stemmer`` of its manifest's stemmer)."""
        return stemmer(self.stemmer_name)

    def terms(self, text: str) -> list[str]:
        """``text``'s search terms as the index has them (``analysis.tokenize``)."""
        return tokenize(text, self.stemmer_name)

    @property
    def count(self) -> int:
        return int(self.manifest["count"])

    @property
    def dim(self) -> int:
        return int(self.manifest["dim"])

    @property
    def has_model(self) -> bool:
        return self.manifest.get("model") is not None

    def _read(self, relpath: str) -> bytes:
        try:
            return (self.site_dir / relpath).read_bytes()
        except FileNotFoundError:
            raise SearchIndexError(f"{self.site_dir / relpath} is missing (named by the "
                                   "search manifest); rebuild the site") from None

    # lexical -------------------------------------------------------------------------------

    def _doclens(self) -> np.ndarray:
        if self._doclen is None:
            data = self._read(self.manifest["lexical"]["doclen"])
            self._doclen = np.frombuffer(data, dtype="<u4").astype(np.float64)
        return self._doclen

    def _shard(self, shard: int) -> dict[str, list[Posting]]:
        if shard not in self._shards:
            data = json.loads(self._read(self._ranges.paths[shard]))
            self._shards[shard] = lexicon.decode_shard(data)
        return self._shards[shard]

    def postings(self, term: str) -> list[Posting]:
        """``[Posting(doc, tf, positions), ...]`` of a stemmed term, reading only its shard."""
        shard = self._ranges.holding(term)
        return [] if shard is None else self._shard(shard).get(term, [])

    def expansions(self, query_terms: Sequence[str], prefix: str,
                   ) -> list[tuple[str, float, list[Posting]]]:
        """The terms the query's last word, typed as ``prefix``, also matches, with their
        weights and postings (``lexicon.expansions``: the terms starting with it and the stems
        of its ``lexicon.completions``, read from the shards ``Shards.for_typed`` names)."""
        rules = self.manifest["lexical"]["prefix"]
        completed = lexicon.completions(prefix, rules.get("suffixes", ()), self.stem)
        shards = [self._shard(s)
                  for s in self._ranges.for_typed(prefix, completed, int(rules["shards"]))]
        return lexicon.expansions(shards, prefix, query_terms[-1], int(rules["terms"]),
                                  completed)

    def lexical_scores(self, query: str, prefix: bool = False) -> dict[int, float]:
        """BM25 of every doc matching a term of ``query``: doc index -> score."""
        terms = self.terms(query)
        typed = self._typed(query, prefix) if terms else None
        return self._lexical(terms, None if typed is None else self.expansions(terms, typed))

    def _typed(self, query: str, prefix: bool) -> str | None:
        """The last word of ``query`` as a prefix, when ``prefix`` and ``lexicon.typed_prefix``."""
        rules = self.manifest["lexical"]["prefix"]
        return lexicon.typed_prefix(query, int(rules["min_chars"])) if prefix else None

    def _lexical(self, query_terms: Sequence[str],
                 expanded: Sequence[tuple[str, float, Sequence[Posting]]] | None = None,
                 ) -> dict[int, float]:
        """``lexical_scores`` of the query's stemmed terms (in order, with repeats); while the
        last one's word is typed, its postings also hold its ``expansions`` (None: whole,
        ``lexicon.prefix_postings``)."""
        lex = self.manifest["lexical"]
        k1, b, avgdl = float(lex["k1"]), float(lex["b"]), float(lex["avgdl"])
        terms = list(dict.fromkeys(query_terms))
        if not terms or self.count == 0:
            return {}
        doclen = self._doclens()
        scores: dict[int, float] = {}
        found = {term: self.postings(term) for term in terms}
        if expanded is not None:
            found[query_terms[-1]] = lexicon.prefix_postings(found[query_terms[-1]], expanded)
        idf = {term: bm25_idf(self.count, len(p)) for term, p in found.items() if p}
        for term in terms:
            for entry in found[term]:
                part = bm25_term(idf[term], entry.tf, float(doclen[entry.doc]), avgdl, k1, b)
                scores[entry.doc] = scores.get(entry.doc, 0.0) + part
        weight, window = float(lex["proximity"]["weight"]), int(lex["proximity"]["window"])
        for first, second in query_pairs(query_terms) if weight else []:
            if first not in idf or second not in idf:
                continue
            pair_idf = min(idf[first], idf[second])
            later = {entry.doc: entry for entry in found[second]}
            for entry in found[first]:
                other = later.get(entry.doc)
                if other is None or entry.positions is None or other.positions is None:
                    continue
                tf = proximity_tf(entry.positions, other.positions, window)
                if tf > 0:
                    part = bm25_term(pair_idf, tf, float(doclen[entry.doc]), avgdl, k1, b)
                    scores[entry.doc] += weight * part
        return matched_by_evidence(scores, found, self.count, lex.get("common"))

    # semantic ------------------------------------------------------------------------------

    def _quantized(self) -> Quantized:
        if self._vectors is None:
            passages = self.manifest["passages"]
            counts = np.frombuffer(self._read(passages["counts"]), dtype="<u4").astype(np.int64)
            if (counts.shape != (self.count,) or int(counts.sum()) != int(passages["count"])
                    or (self.count and int(counts.min()) < 1)):
                raise SearchIndexError("the search index's passage counts do not match its "
                                       "manifest; rebuild the site")
            self._passage_starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
            self._vectors = Quantized.from_bytes(self._read(self.manifest["vectors"]),
                                                 int(passages["count"]), self.dim,
                                                 int(self.manifest["vector_bits"]))
        return self._vectors

    def passages_of(self, doc: int) -> range:
        """The indexes of ``doc``'s passages among ``passage_scores`` (its windows, in order)."""
        self._quantized()
        assert self._passage_starts is not None
        start = int(self._passage_starts[doc])
        end = (int(self._passage_starts[doc + 1]) if doc + 1 < self.count
               else int(self.manifest["passages"]["count"]))
        return range(start, end)

    def doc_scores(self, query_vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per doc: its best passage's score, and its semantic score for ranking, ``(best +
        passage_mean * mean) / (1 + passage_mean)``, the mean summed passage by passage in order
        (as ``codes.js`` does: numpy's own sums group the terms otherwise)."""
        passages = self.passage_scores(query_vector)
        if self.count == 0:
            return passages, passages
        assert self._passage_starts is not None
        best = np.maximum.reduceat(passages, self._passage_starts)
        counts = np.diff(np.append(self._passage_starts, len(passages)))
        total = np.zeros(self.count, dtype=np.float64)
        for offset in range(int(counts.max())):
            rows = counts > offset
            total[rows] += passages[self._passage_starts[rows] + offset]
        share = float(self.manifest["fusion"]["passage_mean"])
        return best, (best + share * (total / counts)) / (1 + share)

    def passage_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Per passage, ``sum_d q_d * (offset_d + scale_d * code_pd)`` in float64."""
        q = np.asarray(query_vector, dtype=np.float64).reshape(-1)
        if q.shape != (self.dim,):
            raise ValueError(f"query vector has {q.size} dimensions; the index has {self.dim}")
        return self._quantized().scores(q)[0]

    def encode(self, query: str) -> np.ndarray:
        """The query's unit vector from the site's ONNX query encoder (loaded once)."""
        model = self.manifest.get("model")
        if model is None:
            raise SearchIndexError("this site was built without a query model; "
                                   "only lexical search is available")
        if self._encoder is None:
            try:
                from vibesite.model.onnx_runtime import OnnxQueryEncoder
            except ImportError as exc:
                raise SearchIndexError(
                    f"semantic search needs vibesite.model.onnx_runtime and its dependencies "
                    f"(onnxruntime, tokenizers): {exc}; use lexical search instead") from exc
            files = EncoderFiles(
                model_onnx=self.site_dir / model["onnx"],
                tokenizer_json=self.site_dir / model["tokenizer"],
                max_length=int(model["max_length"]), dim=self.dim, model_id=str(model["id"]))
            self._encoder = OnnxQueryEncoder(files)
        return np.asarray(self._encoder.encode([query]), dtype=np.float32)[0]

    # both ----------------------------------------------------------------------------------

    def _doc(self, index: int) -> dict[str, str]:
        size = int(self.manifest["docs"]["shard_size"])
        shard = index // size
        if shard not in self._docs:
            self._docs[shard] = json.loads(self._read(self.manifest["docs"]["files"][shard]))
        return self._docs[shard][index - shard * size]

    def _sections(self, index: int) -> list[list[str]]:
        size = int(self.manifest["text"]["shard_size"])
        shard = index // size
        if shard not in self._texts:
            self._texts[shard] = json.loads(self._read(self.manifest["text"]["files"][shard]))
        return self._texts[shard][index - shard * size]["sections"]

    def search(self, query: str, limit: int = 10, semantic: bool = True,
               query_vector: np.ndarray | None = None, prefix: bool = False) -> list[Hit]:
        """The best ``limit`` results of ``results``."""
        return self.results(query, limit, semantic, query_vector, prefix).hits

    def results(self, query: str, limit: int = 10, semantic: bool = True,
                query_vector: np.ndarray | None = None, prefix: bool = False) -> Results:
        """Hybrid results for ``query``: lexical alone when there is no query vector.

        ``query_vector`` (a unit vector) is used when given; else, with ``semantic`` and a
        model in the manifest, the query is encoded here. A blank query finds nothing.
        ``prefix``: the query is being typed, so its last word, when nothing follows it, also
        matches the terms that start with it (the browser's search boxes do this).
        """
        if not query.strip() or self.count == 0:
            return Results([], 0)
        terms = self.terms(query)  # for BM25 and the excerpts
        typed = self._typed(query, prefix) if terms else None
        expanded = None if typed is None else self.expansions(terms, typed)
        scores = self._lexical(terms, expanded)
        marked = terms if expanded is None else [*terms, *(t for t, _, _ in expanded)]
        lexical = [(doc, scores[doc]) for doc in rank_scores(scores, self.count)]
        if query_vector is None and semantic and self.has_model:
            query_vector = self.encode(query)
        floor = self.manifest.get("semantic_floor")
        fused = fuse(lexical, None if query_vector is None else self.doc_scores(query_vector),
                     self.manifest["fusion"], int(self.manifest["candidates"]),
                     None if floor is None else float(floor))
        hits = []
        stem = self.stem
        for result in fused[:limit]:
            doc = result.doc
            record = self._doc(doc)
            anchor, html = excerpt(self._sections(doc), marked, stem)
            hits.append(Hit(url=record["url"], title=record["title"], date=record["date"],
                            summary=record["summary"], score=result.score,
                            lexical_rank=result.lexical_rank,
                            semantic_rank=result.semantic_rank, anchor=anchor,
                            excerpt=html, doc=doc))
        return Results(hits, len(fused))


def search_json_lines(site_dir: str | Path, queries: Iterable[str], limit: int = 10,
                      semantic: bool = True, prefix: bool = False) -> Iterator[str]:
    """One JSON line per query (``vibesite search --json -``), one index and encoder for all.

    ``{"query": ..., "total": N, "results": [{"url", "title", "score", "excerpt", "match"},
    ...]}`` (``url`` with the ``#fragment`` of the section that matched; ``excerpt`` HTML with
    ``<mark>``; ``match``: ``keyword``, ``semantic`` or ``both``); a trailing newline of each
    query is dropped, so lines of a file can be passed as they are. ``prefix``: the last word
    of each query also matches as a prefix (``SiteSearch.results``).
    """
    search = SiteSearch.load(site_dir)
    for raw in queries:
        query = raw.rstrip("\r\n")
        found = search.results(query, limit=limit, semantic=semantic, prefix=prefix)
        yield json.dumps({"query": query, "total": found.total, "results": [
            {"url": h.link, "title": h.title, "score": h.score, "excerpt": h.excerpt,
             "match": h.match}
            for h in found.hits]}, ensure_ascii=False, separators=(",", ":"))
