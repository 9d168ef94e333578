"""Search a reader can trust: does nonsense find nothing, and do real queries still find?

Usage: python bench/search_trust.py SITE_DIR [SITE_DIR ...] [--queries N] [--seed S]
       [--cache DIR]

Each SITE_DIR is a site built by vibesite with semantic search (for example the demo in
``site/`` and ``vibesite build --content ../shared/corpora/jbranchaud-til --output /tmp/til``).
Through ``vibesite.search.query.SiteSearch`` (the browser's ranking, the site's own ONNX query
encoder and its manifest's calibrated ``semantic_floor``), prints per site:

- the floor, and the share of N random-letter queries with no results (goal >= 98%); the
  queries come from another seed than the build's calibration, and have 1 to 3 "words". A
  random "word" can be one the site uses ("zip"), found by keyword as it should be: those
  queries are counted apart. The same for a larger sample (``--nonsense``, 1000), since 100
  queries measure a ~1% tail with a standard error of about 1%;
- for every article title used as the query: the share with at least one result (it should be
  all of them), with the page first, and in the top 3, and the MRR@10; beside the same
  figures with keyword ranking alone (BM25), so the floor is seen not to cost real queries;
- copied phrases: for ``--phrases`` (200) runs of 8 consecutive words copied from sections under
  a heading (a seeded sample of the site's ``search/text/`` sections), the share whose page is
  in the top 3 with the right ``#fragment`` (goal >= 90%), and with the page in the top 3 at all;
- typing: for ``--typed`` (200) words of 6 letters or more drawn from the sections (seeded), each
  keystroke from the third letter to the last but one searched as typed (keyword only, the last
  word a prefix, as the search boxes do): the share whose list holds a page with that word, and
  the share with the word's own page in the top 10; beside the same without the manifest's
  ``lexical.prefix.suffixes`` (a word typed part-way into its ending, "configura|tion", matched
  nothing: its stem "configur" is shorter than what is typed);
- known items with titles hidden: each title as the query against an index of the same site
  built WITHOUT the titles in the searchable text (keyword: the sections' text; semantic: the
  body's windows embedded without their title, and the floor calibrated on them), its page as
  the answer: MRR@10, hybrid against plain BM25 (goal: hybrid >= BM25 + 0.05). The windows are
  embedded by the build's document encoder found in ``--cache`` (the site's ``.vibesite``
  folder), as a build embeds them; without it, by the site's query encoder, which since export 6
  (4-bit) lowers hybrid MRR (demo 0.634 -> 0.599, TIL 0.910 -> 0.906), where the same hidden
  index queried by either export gives the same (0.634; 0.910 / 0.909). With ``--cache``, export
  6 / export 5 queries: demo 0.616 / 0.623, TIL 0.909 / 0.908; plain BM25 0.623 and 0.872.

``--no-proximity`` ranks as vibesite did before phrase and proximity scoring (proximity weight
0, sections chosen without it): the figures before the change.

Prints a report; exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import string
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from unittest import mock

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from vibesite.model.base import EncoderFiles  # noqa: E402
from vibesite.model.onnx_export import cached_build_encoder  # noqa: E402
from vibesite.model.onnx_runtime import OnnxDocumentEmbedder, OnnxQueryEncoder  # noqa: E402
from vibesite.search import excerpt as excerpt_module  # noqa: E402
from vibesite.search.analysis import tokenize, word_spans  # noqa: E402
from vibesite.search.calibrate import semantic_floor  # noqa: E402
from vibesite.search.index import (  # noqa: E402
    MANIFEST,
    VECTOR_BITS,
    _add,
    dumps,
    lexical_files,
    quantize,  # noqa: E402
)
from vibesite.search.query import SiteSearch  # noqa: E402

PHRASE_WORDS = 8


def random_queries(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join("".join(rng.choice(string.ascii_lowercase)
                             for _ in range(rng.randint(3, 12)))
                     for _ in range(rng.randint(1, 3)))
            for _ in range(count)]


def nonsense_figures(search: SiteSearch, queries: Sequence[str]) -> tuple[int, list[str], int]:
    """(queries with no results, the queries holding a word the site's keyword index has, of
    the others how many have no results). A random "word" can be a real one ("zip", "ten"):
    a keyword match is then a right answer, not a failure of the floor."""
    empty = rest_empty = 0
    worded = []
    for query in queries:
        found = bool(search.search(query, limit=10))
        empty += not found
        if any(search.postings(term) for term in tokenize(query)):
            worded.append(query)
        else:
            rest_empty += not found
    return empty, worded, rest_empty


def title_figures(search: SiteSearch, semantic: bool,
                  records: SiteSearch | None = None) -> dict[str, float]:
    """Each title (of ``records``' docs, default ``search``'s own) as the query."""
    found = first = top3 = 0
    reciprocal = 0.0
    count = search.count
    for doc in range(count):
        record = (records or search)._doc(doc)
        hits = search.search(record["title"], limit=10, semantic=semantic)
        urls = [h.url for h in hits]
        found += bool(hits)
        if record["url"] in urls:
            rank = urls.index(record["url"]) + 1
            first += rank == 1
            top3 += rank <= 3
            reciprocal += 1 / rank
    return {"any": found / count, "first": first / count, "top3": top3 / count,
            "mrr": reciprocal / count}


def copied_phrases(search: SiteSearch, count: int, seed: int) -> list[tuple[str, int, str]]:
    """``count`` runs of PHRASE_WORDS words (the text between the first word's start and the
    last one's end, as a reader copies it) from the site's sections (the part before a page's
    first heading has the anchor ""): (phrase, doc, anchor), sampled with ``seed``."""
    places = []
    for doc in range(search.count):
        for anchor, text in search._sections(doc):
            spans = word_spans(text)
            if len(spans) >= PHRASE_WORDS:
                places.append((doc, anchor, text, spans))
    rng = random.Random(seed)
    out = []
    for doc, anchor, text, spans in rng.sample(places, min(count, len(places))):
        start = rng.randrange(len(spans) - PHRASE_WORDS + 1)
        phrase = text[spans[start][0]:spans[start + PHRASE_WORDS - 1][1]]
        out.append((phrase, doc, anchor))
    return out


def phrase_figures(search: SiteSearch, phrases: list[tuple[str, int, str]],
                   semantic: bool) -> dict[str, tuple[int, int, int]]:
    """For all ``phrases`` and for those under a heading: (how many, with the page in the top 3
    at the right fragment, with the page in the top 3 at all)."""
    tally = {"all": [0, 0, 0], "heading": [0, 0, 0]}
    for phrase, doc, anchor in phrases:
        hits = search.search(phrase, limit=3, semantic=semantic)
        found = (1, any(h.doc == doc and h.anchor == anchor for h in hits),
                 any(h.doc == doc for h in hits))
        for key in ("all", "heading") if anchor else ("all",):
            tally[key] = [a + b for a, b in zip(tally[key], found, strict=True)]
    return {key: (n, exact, page) for key, (n, exact, page) in tally.items()}


def typed_words(search: SiteSearch, count: int, seed: int) -> list[tuple[str, int]]:
    """``count`` distinct words of 6 letters or more from the site's sections, each with a doc
    that has it (seeded)."""
    found: dict[str, int] = {}
    for doc in range(search.count):
        for _, text in search._sections(doc):
            for start, end in word_spans(text):
                word = text[start:end].lower()
                if len(word) >= 6 and word.isalpha():
                    found.setdefault(word, doc)
    rng = random.Random(seed)
    return rng.sample(sorted(found.items()), min(count, len(found)))


def typing_figures(search: SiteSearch, sample: Sequence[tuple[str, int]]) -> tuple[int, int, int]:
    """(keystrokes, with a page that has the word in the list, with the word's page in the top
    10) while each word of ``sample`` is typed from its third letter to its last but one."""
    keys = holding = own = 0
    for word, doc in sample:
        having = {p.doc for term in tokenize(word) for p in search.postings(term)}
        for end in range(3, len(word)):
            docs = [h.doc for h in search.search(word[:end], semantic=False, prefix=True)]
            keys += 1
            holding += any(d in having for d in docs)
            own += doc in docs
    return keys, holding, own


def without_suffixes(search: SiteSearch) -> SiteSearch:
    """The same index as before its manifest listed the endings typed words complete."""
    manifest = json.loads(json.dumps(search.manifest))
    manifest["lexical"]["prefix"]["suffixes"] = []
    return SiteSearch(search.site_dir, manifest)


@contextlib.contextmanager
def titles_hidden(search: SiteSearch, cache: Path | None = None) -> Iterator[SiteSearch]:
    """A copy of the site's search index without the titles in what is searched (see the
    module docstring), in a temporary folder; the windows embedded by the document encoder in
    ``cache`` (a site's .vibesite folder), else by the site's query encoder."""
    manifest = json.loads(json.dumps(search.manifest))
    bodies = [" ".join(text for _, text in search._sections(doc))
              for doc in range(search.count)]
    files: dict[str, bytes] = {}
    manifest["lexical"], lexical = lexical_files(bodies)
    files.update(lexical)
    model = manifest["model"]
    encoder = EncoderFiles(model_onnx=search.site_dir / model["onnx"],
                           tokenizer_json=search.site_dir / model["tokenizer"],
                           max_length=int(model["max_length"]), dim=search.dim,
                           model_id=str(model["id"]))
    documents = None if cache is None else cached_build_encoder(str(model["id"]), cache)
    if cache is not None and documents is None:
        sys.exit(f"no document encoder of {model['id']} in {cache}")
    embedder = OnnxDocumentEmbedder(documents or encoder)
    windows = [embedder.windows("", body) for body in bodies]
    vectors = embedder.encode([w for doc in windows for w in doc])
    quantized = quantize(vectors, VECTOR_BITS)
    manifest["vectors"] = _add(files, "search/vectors", quantized.to_bytes(), ".bin")
    counts = np.array([len(doc) for doc in windows], "<u4")
    manifest["passages"] = {"count": int(counts.sum()),
                            "counts": _add(files, "search/passages", counts.tobytes(), ".bin")}
    manifest["semantic_floor"] = semantic_floor(OnnxQueryEncoder(encoder).encode, quantized)
    with tempfile.TemporaryDirectory(prefix="vibesite-hidden-") as tmp:
        root = Path(tmp)
        for name in (model["onnx"], model["tokenizer"], *manifest["docs"]["files"],
                     *manifest["text"]["files"]):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(search.site_dir / name, root / name)
        for name, data in {**files, MANIFEST: dumps(manifest)}.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        yield SiteSearch.load(root)


def reweighted(search: SiteSearch, weight: float = 0.0) -> SiteSearch:
    """The same index with another proximity weight (0: plain BM25)."""
    manifest = json.loads(json.dumps(search.manifest))
    manifest["lexical"]["proximity"]["weight"] = weight
    return SiteSearch(search.site_dir, manifest)


def report(site: Path, queries: int, seed: int, phrases: int, hidden: bool,
           nonsense_sample: int = 0, typed: int = 0, cache: Path | None = None) -> None:
    search = SiteSearch.load(site)
    started = time.perf_counter()
    floor = search.manifest.get("semantic_floor")
    nonsense = random_queries(queries, seed)
    empty, worded, rest_empty = nonsense_figures(search, nonsense)
    hybrid = title_figures(search, semantic=True)
    keyword = title_figures(search, semantic=False)
    print(f"\n{site}  ({search.count} articles, semantic_floor {floor})")
    print(f"  random-letter queries with no results: {empty}/{len(nonsense)} "
          f"({100 * empty / len(nonsense):.1f}%; goal >= 98%)")
    rest = len(nonsense) - len(worded)
    print(f"    {len(worded)} hold a word the site has ({', '.join(map(repr, worded[:5]))}); "
          f"of the other {rest}, {rest_empty} have no results "
          f"({100 * rest_empty / max(rest, 1):.1f}%)")
    if nonsense_sample > queries:
        larger = random_queries(nonsense_sample, seed + 1)
        l_empty, l_worded, l_rest_empty = nonsense_figures(search, larger)
        l_rest = len(larger) - len(l_worded)
        print(f"    a larger sample, {len(larger)} queries (seed {seed + 1}): no results "
              f"{100 * l_empty / len(larger):.1f}%; without a site word "
              f"{l_rest_empty}/{l_rest} ({100 * l_rest_empty / max(l_rest, 1):.1f}%)")
    print("  article titles as queries     any result   first    top 3   MRR@10")
    for name, figures in (("hybrid (shipped)", hybrid), ("keyword only (BM25)", keyword)):
        print(f"    {name:26s} {figures['any']:10.3f} {figures['first']:8.3f} "
              f"{figures['top3']:8.3f} {figures['mrr']:8.3f}")
    sample = copied_phrases(search, phrases, seed)
    print(f"  copied {PHRASE_WORDS}-word phrases          phrases   top 3, right #fragment   "
          "page in top 3  (goal >= 90%)")
    for name, semantic in (("hybrid (shipped)", True), ("keyword only", False)):
        figures = phrase_figures(search, sample, semantic)
        for part, label in (("all", "any section"), ("heading", "under a heading")):
            n, exact, page = figures[part]
            exact_pc, page_pc = (f"{100 * k / n:.1f}%" if n else "-" for k in (exact, page))
            print(f"    {name + ', ' + label:32s} {n:7d} {exact_pc:>24s} {page_pc:>14s}")
    if typed:
        words = typed_words(search, typed, seed)
        print(f"  typing {len(words)} site words     keystrokes   a page with the word   "
              "its page in the top 10")
        for name, ranked in (("shipped", search), ("no endings completed", without_suffixes(
                search))):
            keys, holding, own = typing_figures(ranked, words)
            print(f"    {name:26s} {keys:10d} {100 * holding / keys:21.1f}% "
                  f"{100 * own / keys:22.1f}%")
    if hidden:
        with titles_hidden(search, cache) as blind:
            hybrid = title_figures(blind, semantic=True, records=search)
            keyword = title_figures(blind, semantic=False, records=search)
            bm25 = title_figures(reweighted(blind), semantic=False, records=search)
        print("  titles as queries, titles hidden   any result   first    top 3   MRR@10")
        for name, figures in (("hybrid (shipped)", hybrid), ("keyword only", keyword),
                              ("plain BM25", bm25)):
            print(f"    {name:32s} {figures['any']:10.3f} {figures['first']:8.3f} "
                  f"{figures['top3']:8.3f} {figures['mrr']:8.3f}")
        print(f"    hybrid - plain BM25: {hybrid['mrr'] - bm25['mrr']:+.3f} (goal >= +0.05)")
    print(f"  ({time.perf_counter() - started:.1f}s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", type=Path, nargs="+")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--phrases", type=int, default=200)
    parser.add_argument("--nonsense", type=int, default=1000,
                        help="a larger random-letter sample beside the 100 (0: none)")
    parser.add_argument("--typed", type=int, default=200, help="words typed letter by letter")
    parser.add_argument("--cache", type=Path, help="the site's .vibesite folder: titles-hidden "
                        "windows embedded by its document encoder (one SITE_DIR)")
    parser.add_argument("--no-hidden", action="store_true", help="skip the titles-hidden index")
    parser.add_argument("--no-proximity", action="store_true",
                        help="rank as before phrase and proximity scoring")
    parser.add_argument("--weight", type=float, help="another proximity weight than the site's")
    args = parser.parse_args(argv)
    load = SiteSearch.load
    weight = 0.0 if args.no_proximity else args.weight
    for site in args.sites:
        with contextlib.ExitStack() as stack:
            if args.no_proximity:
                stack.enter_context(mock.patch.object(excerpt_module, "query_pairs",
                                                      lambda terms: []))
            if weight is not None:
                stack.enter_context(mock.patch.object(SiteSearch, "load", staticmethod(
                    lambda path: reweighted(load(path), weight))))
            report(site, args.queries, args.seed, args.phrases, not args.no_hidden,
                   args.nonsense, args.typed, args.cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
