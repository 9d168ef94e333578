"""How the build grows with the number of articles: seconds and peak RSS per stage.

Usage: python bench/scale.py [--sizes 1000,10000] [--with-100k] [--crossover] [--seed S]

Each size is built in a fresh interpreter (so one size's peak memory does not hide the
next) from a synthetic corpus (bench/_synthetic.py: words from ../shared/corpora, fixed
seed). The model never runs: a deterministic embedder hands article i real MiniLM vector i
from the embedding caches of earlier builds (/tmp/cb/*/.vibesite/embeddings.db), padded with
noisy copies past the distinct ones. Peak memory per stage comes from a thread that samples
every 20 ms the process's VmRSS and the PSS of it plus its children (the render pool).
Related items are then timed on their own and checked against exact search (recall@10 on a
row sample).
``--crossover`` times exact search against HNSW at several sizes (for relate.EXACT_LIMIT);
``--render`` times the render stage on one core against the process pool, on a synthetic
site or (with ``--content``, run from the site's folder so its warm cache is used) a real one,
for the first N pages at several N (for render.PARALLEL_PAGES), and checks the bytes match.
Prints plain tables; exits 0 whatever the figures (it is a report, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from _report import table  # bench/ is on sys.path when run as a script
from _synthetic import (
    VECTOR_DBS,
    TitleVectorEmbedder,
    real_vectors,
    vocabulary,
    write_corpus,
)

from vibesite import pipeline
from vibesite.config import Config, load_config, with_overrides
from vibesite.embeddings.relate import EXACT_LIMIT, exact_top_k, top_k
from vibesite.pipeline import build
from vibesite.site.render import render

K = 10
RECALL_SAMPLE = 2000  # rows whose exact top-10 is computed to measure recall


def log(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


def memory_kib(pid: str = "self") -> tuple[int, int]:
    """(VmRSS of the process, PSS of it plus its descendants); (0, 0) once it is gone.

    PSS shares each page among the processes mapping it, so forked render workers add only
    the pages they copied, where adding their RSS would count the parent's memory again.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        rss = int(next(line.split()[1] for line in status.splitlines()
                       if line.startswith("VmRSS:")))
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        pss = int(next(line.split()[1] for line in rollup.splitlines()
                       if line.startswith("Pss:")))
        kids = [c for f in Path(f"/proc/{pid}/task").glob("*/children")
                for c in f.read_text().split()]
    except (OSError, StopIteration):
        return 0, 0
    return rss, pss + sum(memory_kib(kid)[1] for kid in kids)


class MemorySampler(threading.Thread):
    """(seconds since start, RSS KiB, PSS KiB with children) every ``interval`` until halted."""

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.samples: list[tuple[float, int, int]] = []
        self.started_at = time.perf_counter()
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            self.samples.append((time.perf_counter() - self.started_at, *memory_kib()))
            self.halt.wait(self.interval)

    def peaks(self, timings: dict[str, float], offset: float) -> dict[str, tuple[float, float]]:
        """Peak (RSS, PSS with children) MiB in each stage's window (stages run back to back
        from ``offset``)."""
        out, start = {}, offset
        for stage, seconds in timings.items():
            inside = [s for s in self.samples if start <= s[0] <= start + seconds]
            before = [s for s in self.samples if s[0] <= start][-1:]
            chosen = inside + before
            out[stage] = (max((s[1] for s in chosen), default=0) / 1024,
                          max((s[2] for s in chosen), default=0) / 1024)
            start += seconds
        return out


def recall_at_k(vectors: np.ndarray, found: np.ndarray, seed: int) -> tuple[float, int, float]:
    """recall@K of ``found`` against exact search on a row sample; rows, exact seconds."""
    n = len(vectors)
    rows = np.sort(np.random.default_rng(seed).choice(n, min(n, RECALL_SAMPLE), replace=False))
    started = time.perf_counter()
    exact, _ = exact_top_k(np.ascontiguousarray(vectors, dtype=np.float32), rows, K)
    seconds = time.perf_counter() - started
    hits = [len(set(a) & set(b)) for a, b in zip(found[rows], exact, strict=True)]
    return sum(hits) / (K * len(rows)), len(rows), seconds


def child(size: int, seed: int) -> dict:
    """One size, in this process: the build, then related items on their own."""
    words = vocabulary()
    vectors, distinct = real_vectors(size, seed)
    with tempfile.TemporaryDirectory(prefix="vibesite-scale-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        titles = write_corpus(root / "content", size, seed, words)
        corpus_s = time.perf_counter() - started
        config = Config(content_dir=root / "content", output_dir=root / "site",
                        cache_dir=root / "cache", templates_dir=root / "templates",
                        static_dir=root / "static", title="Scale")
        sampler = MemorySampler()
        sampler.start()
        offset = time.perf_counter() - sampler.started_at
        result = build(config, embedder=TitleVectorEmbedder(titles, vectors), progress=False)
        sampler.halt.set()
        sampler.join()
    peaks = sampler.peaks(result.timings, offset)
    started = time.perf_counter()
    related = top_k(vectors, K)
    relate_s = time.perf_counter() - started
    again = top_k(vectors, K)
    recall, sample, exact_s = recall_at_k(vectors, related.neighbours, seed)
    return {"size": size, "articles": result.articles, "files": result.files,
            "distinct_vectors": distinct, "corpus_s": corpus_s, "timings": result.timings,
            "peaks": peaks, "peak_rss": max(s[1] for s in sampler.samples) / 1024,
            "peak_pss": max(s[2] for s in sampler.samples) / 1024,
            "relate_s": relate_s, "recall": recall, "recall_rows": sample,
            "exact_all_s": exact_s * size / sample,
            "deterministic": bool(np.array_equal(related.neighbours, again.neighbours)
                                  and np.array_equal(related.scores, again.scores))}


def run_sizes(sizes: list[int], seed: int) -> list[dict]:
    results = []
    for size in sizes:
        log(f"building {size} synthetic articles in a fresh interpreter")
        out = subprocess.run([sys.executable, __file__, "--child", str(size), "--seed",
                              str(seed)], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            sys.exit(f"size {size} failed:\n{out.stdout}\n{out.stderr}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def stage_tables(results: list[dict]) -> str:
    stages = list(results[0]["timings"])
    heads = ["stage"] + [f"{r['size']:,} s" for r in results] + [
        f"{r['size']:,} RSS / PSS+ MiB" for r in results]
    rows = [[stage, *(f"{r['timings'][stage]:.2f}" for r in results),
             *(f"{r['peaks'][stage][0]:.0f} / {r['peaks'][stage][1]:.0f}" for r in results)]
            for stage in stages]
    rows.append(["all stages", *(f"{sum(r['timings'].values()):.2f}" for r in results),
                 *(f"{r['peak_rss']:.0f} / {r['peak_pss']:.0f}" for r in results)])
    rows.append(["(writing the corpus)", *(f"{r['corpus_s']:.2f}" for r in results),
                 *("" for _ in results)])
    return (table(heads, rows) + "\nRSS: the build's process; PSS+: its proportional set size "
            "plus its children's (the render workers), i.e. the physical memory they hold.")


def relate_table(results: list[dict]) -> str:
    rows = [[f"{r['size']:,}", "exact" if r["size"] <= EXACT_LIMIT else "HNSW + exact re-rank",
             f"{r['relate_s']:.2f}", f"{r['exact_all_s']:.1f}",
             f"{r['recall']:.4f} ({r['recall_rows']} rows)",
             "yes" if r["deterministic"] else "NO", f"{r['distinct_vectors']:,}"]
            for r in results]
    return table(["articles", f"path (EXACT_LIMIT {EXACT_LIMIT:,})", "top-10 for all (s)",
                  "exact, extrapolated (s)", "recall@10 vs exact", "same twice",
                  "distinct real vectors"], rows)


def crossover(sizes: list[int], seed: int) -> str:
    """Exact against HNSW at each size, on the same real vectors."""
    everything, _ = real_vectors(max(sizes), seed)
    rows = []
    for size in sizes:
        vectors = everything[:size]
        log(f"crossover at {size}")
        started = time.perf_counter()
        exact = top_k(vectors, K, exact_limit=size)
        exact_s = time.perf_counter() - started
        started = time.perf_counter()
        approx = top_k(vectors, K, exact_limit=0)
        approx_s = time.perf_counter() - started
        hits = sum(len(set(a) & set(b)) for a, b in zip(approx.neighbours, exact.neighbours,
                                                         strict=True))
        rows.append([f"{size:,}", f"{exact_s:.2f}", f"{approx_s:.2f}",
                     f"{hits / (K * size):.4f}"])
    return table(["articles", "exact (s)", "HNSW + re-rank (s)", "recall@10"], rows)


def render_sweep(config: Config, embedder: object, counts: list[int]) -> str:
    """Build once (keeping what render was given), then render the first N pages both ways."""
    given: list[tuple] = []

    def keep(*args: object) -> object:
        given.append(args)
        return render(*args)  # type: ignore[arg-type]

    pipeline.render = keep  # type: ignore[assignment]
    build(config, embedder=embedder, progress=False)  # type: ignore[arg-type]
    site_config, site, folders = given[0]
    rows = []
    for count in [c for c in counts if c < len(site.pages)] + [len(site.pages)]:
        part = replace(site, pages=site.pages[:count])
        seconds, outputs = {}, {}
        for workers in (1, os.cpu_count() or 1, 1, os.cpu_count() or 1):
            started = time.perf_counter()
            outputs[workers] = render(site_config, part, folders, workers=workers).files
            seconds.setdefault(workers, []).append(time.perf_counter() - started)
        one, pool = (min(seconds[w]) for w in (1, os.cpu_count() or 1))
        size = sum(len(outputs[1][p.output]) for p in part.pages) / 2**20
        rows.append([f"{count:,}", f"{size:.0f}", f"{one:.2f}", f"{pool:.2f}",
                     f"{one / pool:.2f}x", "yes" if outputs[1] == outputs[max(outputs)] else "NO"])
    return table(["pages", "HTML MiB", "1 process (s)", f"pool of {os.cpu_count()} (s)",
                  "speed-up", "same bytes"], rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--with-100k", action="store_true", help="add 100,000 (minutes)")
    parser.add_argument("--crossover", action="store_true",
                        help="time exact against HNSW related search instead of building")
    parser.add_argument("--render", action="store_true",
                        help="time rendering on one core against the pool instead")
    parser.add_argument("--content", type=Path, help="with --render: a real site's content")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.seed)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")] + ([100_000] if args.with_100k else [])
    load_start = os.getloadavg()[0]
    if args.crossover:
        report = crossover(sizes, args.seed)
    elif args.render and args.content:
        config = with_overrides(load_config(None, Path.cwd()), content_dir=args.content.resolve(),
                                output_dir=Path(tempfile.mkdtemp(prefix="vibesite-render-")))
        report = render_sweep(config, None, [500, 1000, 2000, 5000, 10000])
    elif args.render:
        with tempfile.TemporaryDirectory(prefix="vibesite-scale-") as tmp:
            root = Path(tmp)
            vectors, _ = real_vectors(max(sizes), args.seed)
            titles = write_corpus(root / "content", max(sizes), args.seed, vocabulary())
            config = Config(content_dir=root / "content", output_dir=root / "site",
                            cache_dir=root / "cache", templates_dir=root / "templates",
                            static_dir=root / "static", title="Scale")
            report = render_sweep(config, TitleVectorEmbedder(titles, vectors),
                                  [250, 500, 1000, 2000, 5000])
    else:
        results = run_sizes(sizes, args.seed)
        report = (stage_tables(results) + "\n\n" + relate_table(results))
    print(f"Machine: {os.cpu_count()} cores. Load average (1 min): {load_start:.2f} at start, "
          f"{os.getloadavg()[0]:.2f} at end (above {os.cpu_count()} = other processes "
          "competed for the CPU)")
    print(f"Vectors: real MiniLM embeddings from {VECTOR_DBS} (distinct ones first, then "
          "copies with noise), or clustered Gaussian ones if there are none; no model runs.\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
