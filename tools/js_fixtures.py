"""Write the JSON fixtures that ``tests/js/*.test.mjs`` check the browser's search modules
against: what the real Python functions give for fixed inputs.

    python tools/js_fixtures.py               # rewrite tests/js/fixtures/
    python tools/js_fixtures.py --out DIR     # write them elsewhere (the freshness test does)

In: nothing but this file's inputs (no randomness: vectors come from integer patterns). Out, in the
output folder:
- ``analysis.json``: ``words`` and ``tokenize`` (``vibesite.search.analysis``) of texts in many
  scripts, long tokens, stemming cases;
- ``rank.json``: ``bm25_idf``, ``bm25_term``, ``rank_scores`` and ``rank_array``
  (``vibesite.search.query``), ``fuse`` (``vibesite.search.fusion``), ``query_pairs`` and
  ``proximity_tf`` (``vibesite.search.proximity``);
- ``lexicon.json``: ``typed_prefix``, ``Shards.holding`` and ``with_prefix``, ``expansions``
  and ``prefix_postings`` (``vibesite.search.lexicon``);
- ``excerpt.json``: ``excerpt.excerpt`` of sections for queries (escapes, CJK, ties, long text)
  and ``excerpt.sections`` of a rendered body;
- ``codes.json``: ``quantize(...).to_bytes()`` (``vibesite.search.codes``) at 4 and 8 bits, odd
  and even dimensions, with the decoded codes and values;
- ``stems.json``: each shipped Snowball algorithm's stems (``analysis.stemmer``, folds included)
  of its word list ``tests/stem_words/<algorithm>.txt``, space-separated in the list's order;
- ``index/search/...``: a small real index (``vibesite.search.index.build_search_files``), and
  ``search.json``: what ``vibesite.search.query.SiteSearch`` answers on it.
The same inputs always give byte-identical files; ``tests/test_search_js.py`` checks that the
committed ones are what this script writes now.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import math
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from vibesite.search import (  # noqa: E402
    analysis,
    codes,
    excerpt,
    fusion,
    lexicon,
    proximity,
    query,
)
from vibesite.search import index as search_index  # noqa: E402

DEFAULT_OUT = REPO / "tests" / "js" / "fixtures"
STEM_WORDS = REPO / "tests" / "stem_words"

TEXTS = [
    "",
    "   \t\n ",
    "Hello, World! hello world",
    # stemming: Porter2 cases, and words whose stems changed in Snowball 3 (stay the old way)
    "running runs ran runner easily generously happiness ponies caresses cats",
    "relational conditional rational valenci hesitanci digitizer conformabli",
    "agreed feed plastered bled motoring sing conflated troubled sized hopping",
    "organization organic organically organisms international interval lateral emergency",
    "added adding erred evening interfering archaeologist biologists meteorologists",
    "consign consigned consigning consignment consist consisted consistency",
    "knack knackered knock knocked knocking knocks generate generation generic",
    "dying lying tying skies sky news howe atlas cosmos bias andes",
    # accents, ligatures, width forms, combining marks
    "Café CAFÉ naïve résumé e\u0301clair façade Ångström Øre",
    "ﬁle ﬀ ＡＢＣ ２０２４年 x² ①② ǅemal straße İstanbul",
    # Greek: final sigma, tonos
    "Καλημέρα κόσμε ΟΔΟΣ Σίσυφος ΣΊΣΥΦΟΣ",
    # CJK, other scripts
    "日本語の検索 中文搜索 한국어 검색",
    # CJK runs become character pairs: sentences, a run longer than MAX_TOKEN_CHARS, mixed
    # with Latin letters and digits, an astral Han character, halfwidth katakana (NFKC).
    "静的サイトジェネレーターは、記事をビルド時に埋め込みます。",
    "这个静态网站生成器在构建时为每篇文章计算向量，并在浏览器中搜索。",
    "東京都" * 20 + " python3入門とSQLite2024年版 𠮷野家 ｶﾀｶﾅ 々 一",
    "हिन्दी العربية עברית ไทย",
    # emoji, astral letters
    "🚀rocket 👍🏽 thumbs family👨‍👩‍👧 ❤️love 𝐇𝐞𝐥𝐥𝐨",
    # punctuation inside words, numbers
    "don't can’t e-mail C++ node.js a_b_c 1.5 v8 3d utf-8 ipv6 0xFF",
    # object property names (JS objects used as maps must not trip on them)
    "constructor __proto__ toString hasOwnProperty valueOf prototype",
    # long tokens: exactly MAX_TOKEN_CHARS code points kept, one more dropped
    # (NFKC folds the mathematical bold letters to ASCII; U+20000 is an astral CJK letter)
    " ".join(["x" * 40, "y" * 41, "é" * 40, "é" * 41, "𝐚" * 40, "𝐚" * 41, "𠀀" * 40,
              "𠀀" * 41, "日" * 40, "日" * 41, "a" + "\u0301" * 39,
              "pneumonoultramicroscopicsilicovolcanoconiosis"]),
    "Supercalifragilisticexpialidociousnessesandmoreandmorewords ok",
    "A long sentence about rebasing Git branches onto main, replaying commits, and resolving "
    "conflicts before running the tests again.",
]



def _floats(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]


def analysis_fixture() -> dict[str, Any]:
    cases = [{"text": t, "words": analysis.words(t), "terms": analysis.tokenize(t)}
             for t in TEXTS]
    return {"max_token_chars": analysis.MAX_TOKEN_CHARS, "cases": cases}


def rank_fixture() -> dict[str, Any]:
    idf = [{"count": n, "df": df, "idf": query.bm25_idf(n, df)}
           for n, df in [(1, 1), (10, 1), (10, 5), (10, 10), (1000, 3), (123456, 7890)]]
    terms = []
    for i, (tf, dl, avgdl) in enumerate([(1, 10, 12.5), (3, 100, 57.25), (7, 5, 80.0),
                                         (1, 1, 1.0), (12, 400, 123.4567)]):
        for k1, b in [(1.2, 0.75), (0.9, 0.4), (2.0, 1.0), (1.2, 0.0)]:
            value = idf[i % len(idf)]["idf"]
            terms.append({"idf": value, "tf": tf, "dl": dl, "avgdl": avgdl, "k1": k1, "b": b,
                          "value": query.bm25_term(value, float(tf), float(dl), avgdl, k1, b)})
    score_sets = [
        {0: 1.5, 1: 2.5, 2: 2.5, 3: 0.0, 4: -1.0, 5: 0.25},
        {7: 0.1, 3: 0.1, 5: 0.1, 1: 3.0},
        {},
        {i: (i * 7 % 5) / 4 for i in range(12)},
    ]
    ranked = [{"scores": [[d, s] for d, s in scores.items()], "limit": limit,
               "ranked": query.rank_scores(scores, limit)}
              for scores in score_sets for limit in (2, 100)]
    arrays = [[0.5, -0.25, 0.5, 0.75, -1e300, 0.0], [3.0, 3.0, 3.0], [0.1 * i for i in range(9)]]
    ranked_all = [{"scores": a, "limit": limit,
                   "ranked": query.rank_array(np.asarray(a, dtype=np.float64), limit)}
                  for a in arrays for limit in (2, 100)]
    fused = []
    semantic_sets = [None, ([0.9, 0.2, 0.6, 0.5, 0.1], [0.8, 0.2, 0.5, 0.45, 0.1]),
                     ([0.3] * 5, [0.3] * 5), ([0.71, 0.7, -0.2, 0.69, 0.7],
                                              [0.61, 0.7, -0.25, 0.6, 0.65])]
    for lexical in ([], [(1, 6.5), (4, 3.25)], [(3, 2.0), (0, 2.0), (2, 0.125)]):
        for pair in semantic_sets:
            for params, candidates, floor in [({"alpha": 0.4, "passage_mean": 0.25}, 2, 0.55),
                                              ({"alpha": 0.3}, 100, None),
                                              ({"alpha": 0.4}, 3, 0.7)]:
                arrays = None if pair is None else tuple(np.asarray(x, dtype=np.float64)
                                                         for x in pair)
                out = fusion.fuse(lexical, arrays, params, candidates, floor)
                fused.append({"lexical": [list(x) for x in lexical],
                              "semantic": None if pair is None else [list(x) for x in pair],
                              "fusion": params, "candidates": candidates, "floor": floor,
                              "fused": [[f.doc, f.score, f.lexical_rank, f.semantic_rank]
                                        for f in out]})
    pairs = [{"terms": t, "pairs": [list(p) for p in proximity.query_pairs(t)]}
             for t in [[], ["a"], ["a", "b", "c"], ["a", "a", "b", "a", "b", "b"],
                       ["constructor", "tostring", "constructor"]]]
    near = [{"first": a, "second": b, "window": w, "value": proximity.proximity_tf(a, b, w)}
            for a, b in [([0], [1]), ([0], [3]), ([5], [4]), ([0, 10, 20], [1, 12, 30]),
                         ([0, 1], [2]), ([], [1]), ([3, 7, 9, 40], [4, 5, 10, 41, 44])]
            for w in (1, 3)]
    return {"idf": idf, "terms": terms, "rank_scores": ranked, "rank_array": ranked_all,
            "fuse": fused, "query_pairs": pairs, "proximity_tf": near}


PREFIX_QUERIES = ["sqli", "sqli ", "sqli.", "git reb", "rebas", "Constr", "ca", "caf", "日本",
                  "日本語", "xyzzy", "the", "𝐇𝐞𝐥𝐥", "a sqlite", ""]
# typed words cut inside an ending ("configura|tion"), or not ("sqli"), CJK and astral letters
COMPLETION_PREFIXES = ["embedd", "configura", "configurati", "runni", "happines", "operato",
                       "vulnerabi", "sqli", "cons", "studyi", "日本", "𠮷野"]
SHARD_RANGES = [["b", "p0"], ["café", "p1"], ["con", "p2"], ["cons", "p3"], ["const", "p4"],
                ["d", "p5"], ["日本", "p6"], ["𠮷", "p7"]]


def lexicon_fixture() -> dict[str, Any]:
    shards = lexicon.Shards(SHARD_RANGES)
    found = [{"term": t, "shard": -1 if (at := shards.holding(t)) is None else at,
              "with_prefix": {str(n): list(shards.with_prefix(t, n)) for n in (1, 2, 9)}}
             for t in ["a", "b", "ba", "c", "cafe", "café", "co", "con", "cons", "consta", "cz",
                       "d", "zzz", "日", "日本", "ｶ", "𠮷", "\uffff"]]
    decoded = lexicon.decode_shard({"p": {"api": [[0, 3], [2, 1, 4]], "apple": [[1, 0]]},
                                    "f": {"application": [0, 2, 1, 1, 3, 5], "apt": [4, 1]}})
    expanded = lexicon.expansions([decoded], "ap", "api", 2)
    merged = lexicon.prefix_postings(decoded["api"], expanded)
    stem = analysis.stemmer()
    completed = {typed: lexicon.completions(typed, lexicon.PREFIX_SUFFIXES, stem)
                 for typed in COMPLETION_PREFIXES}
    # stems in earlier shards (term order; at most the limit more), one in none ("a")
    typed_cases = [*completed.items(), ("const", {"d": 1, "co": 1, "a": 1, "cafe": 1, "b": 1})]
    typed_shards = [[typed, list(stems), shards.for_typed(typed, stems, 2)]
                    for typed, stems in typed_cases]
    # "applicat" (of application, stem "applic") matches "applic" through its completion
    completed_expansions = lexicon.expansions([decoded], "applicat", "applicat", 8,
                                              {"applic": 0.8, "apt": 0.5})
    as_json = {t: [p._asdict() for p in ps] for t, ps in decoded.items()}
    return {
        "typed_prefix": [[q, lexicon.typed_prefix(q, 3)] for q in PREFIX_QUERIES],
        "shards": SHARD_RANGES, "found": found,
        "shard": {"p": {"api": [[0, 3], [2, 1, 4]], "apple": [[1, 0]]},
                  "f": {"application": [0, 2, 1, 1, 3, 5], "apt": [4, 1]}},
        "decoded": as_json,
        "expansions": [[t, w, [p._asdict() for p in ps]] for t, w, ps in expanded],
        "prefix_postings": [p._asdict() for p in merged],
        "suffixes": list(lexicon.PREFIX_SUFFIXES),
        "completions": completed, "typed_shards": typed_shards,
        "completed_expansions": [[t, w, [p._asdict() for p in ps]]
                                 for t, w, ps in completed_expansions],
    }


def unit_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    """Deterministic float32 unit vectors: integer patterns, normalised with correctly rounded
    operations only (no random generator, no sin or BLAS), so every machine writes the same."""
    rows = []
    for i in range(n):
        v = [((i * 37 + d * 11 + seed * 5) % 17 - 8.5) / 8 + ((i * d + seed) % 5) / 40
             for d in range(dim)]
        norm = math.sqrt(math.fsum(x * x for x in v))
        rows.append([x / norm for x in v])
    return np.asarray(rows, dtype=np.float32).reshape(n, dim)


PASSAGE_MEAN = 0.25


def _doc_semantic(scores: list[float]) -> float:
    """A doc's semantic score from its passages' (``SiteSearch.doc_scores``), added in order."""
    total = 0.0
    for value in scores:
        total += value
    return (max(scores) + PASSAGE_MEAN * (total / len(scores))) / (1 + PASSAGE_MEAN)


def codes_fixture() -> dict[str, Any]:
    cases = []
    for bits in (4, 8):
        for dim, counts in [(5, [2, 1, 3]), (6, [1, 1, 1, 2]), (1, [1, 2])]:
            passages = sum(counts)
            vectors = unit_vectors(passages, dim, seed=bits + dim)
            if dim == 1:
                vectors[:] = vectors[0]  # every passage the same: a zero span, scale 1
            q = codes.quantize(vectors, bits)
            data = q.to_bytes()
            decoded = codes.Quantized.from_bytes(data, passages, dim, bits)
            assert np.array_equal(decoded.codes, q.codes)
            query = _floats(unit_vectors(1, dim, seed=1)[0])
            values = decoded.dequantize().tolist()
            scores = [sum(q * x for q, x in zip(query, row, strict=True)) for row in values]
            starts = [sum(counts[:k]) for k in range(len(counts))]
            cases.append({
                "bits": bits, "dim": dim, "counts": counts, "passages": passages,
                "vectors_b64": base64.b64encode(data).decode("ascii"),
                "counts_b64": base64.b64encode(
                    np.asarray(counts, dtype="<u4").tobytes()).decode("ascii"),
                "offsets": _floats(decoded.offsets), "scales": _floats(decoded.scales),
                "codes": [int(c) for c in decoded.codes.reshape(-1)],
                "dequantized": _floats(decoded.dequantize()),
                "query": query,
                "best": [max(scores[start:start + c]) for start, c in zip(starts, counts,
                                                                           strict=True)],
                "passage_mean": PASSAGE_MEAN,
                "semantic": [_doc_semantic(scores[start:start + c]) for start, c
                             in zip(starts, counts, strict=True)],
            })
    return {"cases": cases}


@dataclass(frozen=True)
class FixtureArticle:
    """What ``build_search_files`` reads of an article."""

    url: str
    title: str
    date_display: str
    summary: str
    text: str
    body: str = ""  # the rendered HTML, when it has headings; else the text as one paragraph

    @property
    def html_body(self) -> str:
        return self.body or f"<p>{html.escape(self.text)}</p>"


ARTICLES = [
    FixtureArticle("git-rebase/", "Rebasing a Git branch onto main", "2 April 2024",
                   "git rebase replays your commits on top of another branch.",
                   "Run git rebase main on your feature branch. Resolve conflicts, git add the "
                   "files and git rebase --continue. Never rebase commits others have pulled."),
    FixtureArticle("sqlite-copies/", "Copying a live SQLite database safely", "1 May 2024",
                   "VACUUM INTO and .dump make consistent copies.",
                   "Never copy the file of a database that a process is writing to. Use VACUUM "
                   "INTO or the sqlite3 shell's .dump to write a consistent snapshot."),
    FixtureArticle("python-venv/", "Isolated Python environments with venv", "3 March 2024",
                   "python -m venv creates a private environment.",
                   "Create one with python -m venv .venv, activate it and install packages with "
                   "pip. Each project gets its own interpreter and site-packages."),
    FixtureArticle("cafe-unicode/", "Café résumé naïve — Unicode text", "7 November 2023",
                   "Accents, Greek (Καλημέρα) and ligatures are normalised.",
                   "NFKC folds the ﬁ ligature into fi and ＡＢＣ into ABC; Greek ΟΔΟΣ lowercases "
                   "to οδος. 日本語の検索 works on runs of letters. 🚀 is not a word."),
    FixtureArticle("js-constructors/", "Constructor functions in JavaScript", "5 January 2024",
                   "Before classes, a constructor function called with new built objects.",
                   "A constructor is a plain function called with new; its prototype holds "
                   "shared methods. toString and valueOf come from Object.prototype."),
    FixtureArticle("css-grid/", "Laying out a page with CSS grid", "6 December 2023",
                   "grid-template-areas names the regions of a layout.",
                   "Define columns with grid-template-columns and name areas with "
                   "grid-template-areas. Media queries rearrange the areas."),
    FixtureArticle("rust-lifetimes/", "Lifetimes in Rust explained", "8 October 2023",
                   "Lifetime annotations tell the borrow checker how long references live.",
                   "The borrow checker rejects references that could outlive their value."),
    FixtureArticle("git-history/", "Rewriting Git history", "9 September 2023",
                   "Interactive rebase, fixup commits and the reflog.",
                   "Rewrite local history only.\nSquashing with rebase\ngit rebase -i squashes "
                   "and reorders commits; git commit --fixup and --autosquash.\nThe reflog\n"
                   "The reflog finds commits a rebase seemed to lose. Rebase, rebase, rebase & "
                   "<HEAD@{1}>.",
                   '<p>Rewrite local history only.</p>\n<h2 id="squash">Squashing with rebase '
                   '<a class="header-anchor" href="#squash">#</a></h2>\n<p>git rebase -i squashes'
                   ' and reorders commits; git commit --fixup and --autosquash.</p>\n<h2 id="'
                   'reflog">The reflog</h2>\n<p>The reflog finds commits a rebase seemed to lose. '
                   'Rebase, rebase, rebase &amp; <code>&lt;HEAD@{1}&gt;</code>.</p>'),
]
PASSAGE_COUNTS = [1, 2, 1, 3, 1, 1, 2, 1]
INDEX_DIM = 6
SEMANTIC_FLOOR = 0.25
QUERIES = ["git rebase", "rebasing commits history", "sqlite database copy", "ΟΔΟΣ café",
           "日本語", "constructor tostring", "zzzz nothing", "the a of", "grid layout areas",
           "   ", "git rebase main", "main rebase git", "the reflog finds commits",
           "rebase commits git", "the"]
# typed: the last word also matches as a prefix (SiteSearch.results(..., prefix=True))
TYPED = ["sqli", "git reb", "rebas", "constr", "the reflog fin", "sqli ", "lifeti", "gri",
         "rebasi", "sqlite copyi"]  # the last two: cut inside an ending (lexicon.completions)


def index_files() -> dict[str, bytes]:
    """A real index of ARTICLES, cut into small shards (several lexical, doc and text files, as a
    big site has): the manifest says how, and the readers follow it."""
    vectors = unit_vectors(sum(PASSAGE_COUNTS), INDEX_DIM, seed=2)
    with (mock.patch.object(lexicon, "SHARD_BYTES", 300),
          mock.patch.object(lexicon, "COUNTS_ONLY_MIN_DOCS", 3),
          mock.patch.object(search_index, "DOCS_SHARD_SIZE", 3),
          mock.patch.object(search_index, "TEXT_SHARD_SIZE", 5)):
        return search_index.build_search_files(  # a floor some semantic-only docs are under
            ARTICLES, vectors, passage_counts=PASSAGE_COUNTS,  # type: ignore[arg-type]
            semantic_floor=SEMANTIC_FLOOR)


def _hits(hits: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"url": h.url, "title": h.title, "date": h.date, "summary": h.summary,
             "score": h.score, "lexicalRank": h.lexical_rank, "semanticRank": h.semantic_rank,
             "match": h.match, "anchor": h.anchor, "excerpt": h.excerpt} for h in hits]


LONG = " ".join(f"word{i}" for i in range(80))
EXCERPT_CASES: list[tuple[list[list[str]], str]] = [
    ([["", "A short text about git rebase."]], "rebase"),
    ([["", LONG + " git rebase " + LONG]], "rebasing"),
    ([["", "First section with rebase once."],
      ["second", "Second with rebase rebase and git"], ["third", "git rebase"]], "git rebase"),
    ([["", "Nothing matches here at all."], ["x", "Nor here."]], "zebra"),
    ([["", 'Escapes: a < b & c > "d" \'e\' <mark>fake</mark> rebase']], "rebase mark"),
    ([["", "日本語の検索は全文検索です。" * 6], ["en", "search"]], "全文検索"),
    ([["", "Café naïve e\u0301clair ΟΔΟΣ 𐐨𐐩 ﬁle"]], "cafe éclair οδος file"),
    ([["", "word " * 29 + "target"]], "target"),
    ([["a", ""], ["b", "x"]], "x"),
    ([["", "The cache is big and stale; invalidation of a cache is slow."],
      ["how", "How stale cache invalidation works."]], "stale cache invalidation"),
    ([["", "commits rebase git, then git rebase"], ["b", "git rebase commits"]],
     "git rebase commits"),
    ([], "anything"),
]


def excerpt_fixture() -> dict[str, Any]:
    stem = analysis.stemmer()
    cases = []
    for sections, query_text in EXCERPT_CASES:
        terms = analysis.tokenize(query_text)
        anchor, marked = excerpt.excerpt(sections, terms, stem) if sections else ("", "")
        cases.append({"sections": sections, "query": query_text, "terms": terms,
                      "anchor": anchor, "html": marked})
    last = ARTICLES[-1]
    return {"cases": cases,
            "sections": [[last.html_body, last.text, excerpt.sections(last.html_body, last.text)]]}


def search_fixture(site_dir: Path) -> dict[str, Any]:
    search = query.SiteSearch.load(site_dir)
    cases = []
    for i, text in enumerate(QUERIES):
        vector = unit_vectors(1, INDEX_DIM, seed=10 + i)[0].astype(np.float64)
        cases.append({
            "query": text,
            "terms": analysis.tokenize(text),
            "lexical": _hits(search.search(text, limit=5, semantic=False)),
            "lexical_total": search.results(text, limit=5, semantic=False).total,
            "vector": _floats(vector),
            # rounded: numpy's matrix product may add in another order on another CPU
            "best_scores": [round(x, 10) for x in _floats(search.doc_scores(vector)[0])],
            "semantic_scores": [round(x, 10) for x in _floats(search.doc_scores(vector)[1])],
            "hybrid": _hits(search.search(text, limit=5, query_vector=vector)),
            "hybrid_total": search.results(text, limit=5, query_vector=vector).total,
        })
    typed = [{"query": text, "lexical": _hits(search.search(text, limit=5, semantic=False,
                                                            prefix=True)),
              "lexical_total": search.results(text, limit=5, semantic=False, prefix=True).total}
             for text in TYPED]
    return {"index_version": search_index.VERSION, "cases": cases, "typed": typed}


def stems_fixture() -> dict[str, str]:
    """The stems, space-separated, of each shipped algorithm's word list (the browser's modules
    must stem them alike: tests/js/stemmers.test.mjs)."""
    return {name: " ".join(map(analysis.stemmer(name), (STEM_WORDS / f"{name}.txt")
                                .read_text(encoding="utf-8").split()))
            for name in sorted(set(analysis.STEMMERS.values()))}


def dump(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode()


def write_fixtures(out: Path) -> list[Path]:
    """Write every fixture under ``out`` (its index/ folder replaced); the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    index_dir = out / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    written = []
    for relpath, data in sorted(index_files().items()):
        path = index_dir / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    fixtures = {"analysis.json": analysis_fixture(), "rank.json": rank_fixture(),
                "codes.json": codes_fixture(), "search.json": search_fixture(index_dir),
                "excerpt.json": excerpt_fixture(), "lexicon.json": lexicon_fixture(),
                "stems.json": stems_fixture()}
    for name, value in fixtures.items():
        (out / name).write_bytes(dump(value))
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="the folder to write (default: tests/js/fixtures)")
    args = parser.parse_args(argv)
    for path in write_fixtures(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
