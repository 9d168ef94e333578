"""Benchmark vibesite builds: cold stages, warm rebuilds, embedding throughput, peak memory.

Usage: python bench/build.py [--corpus PATH] [--limit N] [--repeats R] [--raw-sample N]
                              [--export-cache DIR] [--scifact-store DB] [--encoder-sample N]
                              [--vectors-cache DIR] [--no-encoders | --only-encoders]

Every build runs ``vibesite build`` in a fresh interpreter (so import costs are real) on a
temporary copy of the corpus, with a temporary cache and output folder; each stage's wall time
(the build's summary) and CPU seconds (this process and its children, all threads: robust on a
shared machine) are printed. ``--export-cache``: a cache folder whose ``onnx/`` export is copied
into the cold build's cache first, so that the cold build does not export (the table says
which). Then the document encoders side by side (bench/_encoders.py): torch float32, the int8
graph as builds ran it before, and the float32 and int8 graphs as builds run them now, their
texts/s and SciFact nDCG@10 (``--scifact-store``: the embeddings.db of a SciFact build, such as
bench/search_quality.py's cache; a copy of it is read, never written). Prints plain tables;
exits 0 whatever the PASS/FAIL verdicts (it is a report, not a test).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _encoders import encoder_table
from _report import table  # bench/ is on sys.path when run as a script

from vibesite.config import Config, load_config, with_overrides
from vibesite.content.discover import discover, matches
from vibesite.content.parse import parse
from vibesite.diagnostics import Diagnostics
from vibesite.model.configured import default_embedder

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "jbranchaud-til"
DEFAULT_SCIFACT = REPO.parent / "shared" / "datasets" / "scifact"
DEFAULT_SCIFACT_STORE = Path("/tmp/vibesite-bench/scifact/embeddings.db")
DEFAULT_VECTORS = Path("/tmp/vibesite-bench/encoder-vectors")
TARGET_NON_EMBED, TARGET_WARM, TARGET_ONE_CHANGED, TARGET_COLD = 0.15, 3.0, 4.0, 50.0
# Same as ``python -m vibesite`` (runpy is what -m uses), plus a note saying whether torch
# was imported, so a warm rebuild that pulls in torch shows up, and one with each stage's CPU
# seconds (the build's stage timer, lapped with this process's and its children's CPU time).
WRAPPER = (
    "import resource, runpy, sys\n"
    "from vibesite import pipeline\n"
    "def cpu():\n"
    "    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, "
    "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))\n"
    "cpus, start, lap = {}, pipeline._Timer.__init__, pipeline._Timer.lap\n"
    "def started(self):\n"
    "    start(self)\n"
    "    self.cpu = cpu()\n"
    "def timed(self, stage):\n"
    "    lap(self, stage)\n"
    "    cpus[stage], self.cpu = cpu() - self.cpu, cpu()\n"
    "pipeline._Timer.__init__, pipeline._Timer.lap = started, timed\n"
    "try:\n"
    "    runpy.run_module('vibesite', run_name='__main__', alter_sys=True)\n"
    "finally:\n"
    "    print(f'BENCH torch={int(\"torch\" in sys.modules)}', file=sys.stderr)\n"
    "    print('BENCH cpu=' + ','.join(f'{k}:{v:.3f}' for k, v in cpus.items()), "
    "file=sys.stderr)\n"
)


@dataclass
class Run:
    wall: float
    stages: dict[str, float]
    encoded: int
    max_rss_mib: float
    torch: bool
    cpu: float  # user + system CPU seconds of the build process: robust on a shared machine
    summary: str = field(repr=False)
    stage_cpu: dict[str, float] = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def article_files(corpus: Path) -> list[str]:
    """The Markdown files a default build turns into articles, sorted."""
    config = Config()
    found = (p.relative_to(corpus).as_posix() for p in corpus.rglob("*.md"))
    return sorted(r for r in found if matches(r, config.include)
                  and not matches(r, config.exclude))


def copy_corpus(corpus: Path, dest: Path, limit: int | None) -> list[str]:
    files = article_files(corpus)
    if limit is None:
        shutil.copytree(corpus, dest)
        return files
    for relpath in files[:limit]:
        (dest / relpath).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(corpus / relpath, dest / relpath)
    return files[:limit]


def run_build(work: Path) -> Run:
    """One ``vibesite build`` in a fresh interpreter; max RSS from os.wait4 of that child."""
    cmd = [sys.executable, "-c", WRAPPER, "build", "--config", str(work / "vibesite.toml"),
           "--content", str(work / "content"), "--output", str(work / "site")]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=work, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        sys.exit(f"build failed (exit {proc.returncode}):\n{stdout}\n{stderr}")
    stages_line = re.search(r"^Stages: (.*)$", stdout, re.M)
    encoded = re.search(r"(\d+) texts encoded", stdout)
    if not stages_line or not encoded:
        sys.exit(f"cannot parse the build summary:\n{stdout}")
    # "discover 0.06s, search index 0.12s, ...": stage names may contain spaces.
    stages = {name: float(secs.rstrip("s")) for name, secs in
              (part.rsplit(" ", 1) for part in stages_line.group(1).split(", "))}
    cpus = re.search(r"^BENCH cpu=(.*)$", stderr, re.M)
    stage_cpu = {name: float(secs) for name, secs in
                 (part.rsplit(":", 1) for part in cpus.group(1).split(","))} if cpus else {}
    return Run(wall, stages, int(encoded.group(1)), usage.ru_maxrss / 1024,
               "BENCH torch=1" in stderr, usage.ru_utime + usage.ru_stime, stdout.strip(),
               stage_cpu)


def median_run(runs: list[Run]) -> Run:
    stages = {k: statistics.median(r.stages.get(k, 0.0) for r in runs) for k in runs[0].stages}
    return Run(statistics.median(r.wall for r in runs), stages,
               int(statistics.median(r.encoded for r in runs)),
               max(r.max_rss_mib for r in runs), any(r.torch for r in runs),
               statistics.median(r.cpu for r in runs), "")


def stage_table(cold: Run, warm: Run, changed: Run, repeats: int, exported: bool) -> str:
    rows = [[k, f"{cold.stages[k]:.2f}", f"{cold.stage_cpu.get(k, 0):.2f}",
             f"{warm.stages.get(k, 0):.2f}", f"{changed.stages.get(k, 0):.2f}"]
            for k in cold.stages]
    runs = (cold, warm, changed)
    sums = [sum(r.stages.values()) for r in runs]
    def cells(values: list[str]) -> list[str]:  # the cold build's CPU column: "-"
        return [values[0], "-", *values[1:]]

    rows += [["sum of stages", *cells([f"{s:.2f}" for s in sums])],
             ["start-up + imports + exit", *cells([f"{r.wall - s:.2f}" for r, s in
                                                   zip(runs, sums, strict=True)])],
             ["wall (measured by bench)", *cells([f"{r.wall:.2f}" for r in runs])],
             ["CPU seconds (user + system)", *cells([f"{r.cpu:.2f}" for r in runs])],
             ["texts encoded", *cells([str(r.encoded) for r in runs])],
             ["torch imported", *cells(["yes" if r.torch else "no" for r in runs])],
             ["max RSS (MiB)", *cells([f"{r.max_rss_mib:.0f}" for r in runs])]]
    cold_head = "cold, export cached" if exported else "cold, exports the model"
    heads = ["stage (s)", cold_head, "cold: CPU-s", f"warm, no change (median of {repeats})",
             f"warm, 1 file changed (median of {repeats})"]
    return table(heads, rows)


def throughput(work: Path, cold: Run, sample: int | None) -> str:
    """Raw ``encode`` of the build's encoder on the texts the cold build embedded, beside the
    build's rate."""
    config = with_overrides(load_config(work / "vibesite.toml"), content_dir=work / "content",
                            cache_dir=work / "cache")
    diagnostics = Diagnostics()
    articles = parse(config, discover(config, diagnostics), diagnostics).articles
    embedder = default_embedder(config, len(articles))  # the cold build's, exported by it
    texts = [w for a in articles for w in embedder.windows(a.title, a.text)]
    if len(texts) != cold.encoded:
        log(f"warning: {len(texts)} windows here, the cold build encoded {cold.encoded}")
    chosen = texts
    if sample is not None and sample < len(texts):
        chosen = [texts[i] for i in sorted(random.Random(0).sample(range(len(texts)), sample))]
    embedder.encode(chosen[:4])  # warm-up, not timed
    log(f"timing raw encode on {len(chosen)} of {len(texts)} texts")
    started = time.perf_counter()
    embedder.encode(chosen)
    raw_s = time.perf_counter() - started
    raw_texts, raw_tokens = len(chosen) / raw_s, embedder.count_tokens(chosen) / raw_s
    embed_s = cold.stages["embed"]
    build_texts, build_tokens = cold.encoded / embed_s, embedder.count_tokens(texts) / embed_s
    rows = [[f"build embed stage ({cold.encoded} texts, {embed_s:.1f}s, incl. model load)",
             f"{build_texts:.1f}", f"{build_tokens:.0f}"],
            [f"raw {type(embedder).__name__}.encode ({len(chosen)} texts, {raw_s:.1f}s, "
             f"batch {config.batch_size})",
             f"{raw_texts:.1f}", f"{raw_tokens:.0f}"],
            ["build / raw", f"{build_texts / raw_texts:.2f}", f"{build_tokens / raw_tokens:.2f}"]]
    return table(["embedding throughput", "texts/s", "tokens/s"], rows)


def machine_line() -> str:
    import torch

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    return (f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"torch {torch.__version__} with {torch.get_num_threads()} threads")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="build only the first N article files")
    parser.add_argument("--repeats", type=int, default=3, help="warm rebuilds of each kind")
    parser.add_argument("--raw-sample", type=int, help="time raw encode on N texts (default all)")
    parser.add_argument("--scifact-store", type=Path, default=DEFAULT_SCIFACT_STORE,
                        help="embeddings.db of a SciFact build (bench/search_quality.py's cache)")
    parser.add_argument("--scifact", type=Path, default=DEFAULT_SCIFACT, help="BEIR SciFact")
    parser.add_argument("--encoder-sample", type=int, default=300,
                        help="SciFact passages each encoder's texts/s is timed on")
    parser.add_argument("--export-cache", type=Path,
                        help="a cache folder whose onnx/ export the cold build starts with")
    parser.add_argument("--vectors-cache", type=Path, default=DEFAULT_VECTORS,
                        help="where each encoder's SciFact passage vectors are kept")
    parser.add_argument("--no-encoders", action="store_true",
                        help="skip the encoder comparison (texts/s, SciFact nDCG@10)")
    parser.add_argument("--only-encoders", action="store_true",
                        help="only the encoder comparison (no builds)")
    args = parser.parse_args()
    if args.only_encoders:
        with tempfile.TemporaryDirectory(prefix="vibesite-bench-") as tmp:
            shutil.copy(args.scifact_store, Path(tmp) / "scifact.db")  # read a copy only
            if args.export_cache is not None:
                shutil.copytree(args.export_cache / "onnx", Path(tmp) / "cache" / "onnx")
            print(machine_line())
            print(encoder_table(Path(tmp) / "scifact.db", args.scifact, Path(tmp) / "cache",
                                args.encoder_sample, args.repeats, log, args.vectors_cache))
        return 0
    corpus = args.corpus.resolve()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vibesite-bench-") as tmp:
        work = Path(tmp)
        files = copy_corpus(corpus, work / "content", args.limit)
        (work / "vibesite.toml").write_text(
            'content_dir = "content"\noutput_dir = "site"\ncache_dir = "cache"\n')
        if args.export_cache is not None:
            shutil.copytree(args.export_cache / "onnx", work / "cache" / "onnx")
        log(f"cold build of {len(files)} files (fresh cache)")
        cold = run_build(work)
        warm_runs = []
        for i in range(args.repeats):
            log(f"warm rebuild, no change ({i + 1}/{args.repeats})")
            warm_runs.append(run_build(work))
        originals: dict[Path, bytes] = {}
        changed_runs = []
        for i in range(args.repeats):
            path = work / "content" / files[(i + 1) * len(files) // (args.repeats + 1)]
            originals.setdefault(path, path.read_bytes())
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"\nThis sentence was added by the benchmark, run {i + 1}.\n")
            log(f"warm rebuild, 1 file changed ({i + 1}/{args.repeats}): {path.name}")
            changed_runs.append(run_build(work))
        for path, data in originals.items():  # throughput uses the texts the cold build saw
            path.write_bytes(data)
        warm, changed = median_run(warm_runs), median_run(changed_runs)
        through = throughput(work, cold, args.raw_sample)
        encoders = None
        if not args.no_encoders:
            store = work / "scifact.db"  # a copy: reading never touches the original
            shutil.copy(args.scifact_store, store)
            encoders = encoder_table(store, args.scifact, work / "cache", args.encoder_sample,
                                     args.repeats, log, args.vectors_cache)
    bench_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    non_embed = (cold.wall - cold.stages["embed"]) / cold.wall
    verdict = {True: "PASS", False: "FAIL"}
    targets = [
        ["cold build (wall)", f"<= {TARGET_COLD:.0f} s", f"{cold.wall:.2f} s",
         verdict[cold.wall <= TARGET_COLD]],
        ["cold build: non-embedding share of wall", f"<= {TARGET_NON_EMBED:.0%}",
         f"{non_embed:.1%} ({cold.wall - cold.stages['embed']:.2f}s of {cold.wall:.2f}s)",
         verdict[non_embed <= TARGET_NON_EMBED]],
        ["warm rebuild, no change (median wall)", f"<= {TARGET_WARM:.0f} s",
         f"{warm.wall:.2f} s", verdict[warm.wall <= TARGET_WARM]],
        ["warm rebuild, 1 file changed (median wall)", f"<= {TARGET_ONE_CHANGED:.0f} s",
         f"{changed.wall:.2f} s", verdict[changed.wall <= TARGET_ONE_CHANGED]],
        ["peak memory, cold build (max RSS)", "printed", f"{cold.max_rss_mib:.0f} MiB", "-"],
        ["peak memory, warm builds (max RSS)", "printed",
         f"{warm.max_rss_mib:.0f} / {changed.max_rss_mib:.0f} MiB", "-"],
        ["peak memory, bench process (raw encode)", "printed", f"{bench_rss:.0f} MiB", "-"],
    ]
    print(machine_line())
    print(f"Load average (1 min): {load_start:.2f} at start, {os.getloadavg()[0]:.2f} at end "
          f"(above {os.cpu_count()} = other processes competed for the CPU)")
    print(f"Corpus: {corpus} ({len(files)} article files"
          + (f", --limit {args.limit}" if args.limit else "") + ")")
    print("Cold build summary:\n  " + cold.summary.replace("\n", "\n  "))
    print()
    print(stage_table(cold, warm, changed, args.repeats, args.export_cache is not None))
    print()
    print(table(["target", "limit", "measured", "verdict"], targets))
    print()
    print(through)
    if encoders is not None:
        print()
        print(encoders)
    return 0


if __name__ == "__main__":
    sys.exit(main())
