"""Smaller passage vectors by retrieval quality: bytes a window, size at 10k, SciFact nDCG@10.

Usage: python bench/vector_codes.py [--cache DIR] [--scifact DIR] [--work DIR] [--windows N]
       [--quick]

Builds SciFact with the real pipeline (bench/search_quality.py's site; embeddings cached in
``--cache``), reads the float32 passage vectors from the store in the search index's order
(checked: int4 codes of them are the site's ``vectors.bin``, byte for byte), and replaces the
site's int4 codes by each candidate code: per-dimension min/max scalar codes, PCA rotations
with fewer dimensions, sign bits, product quantization (faiss, seeded), a sign-bit prefilter
rescored with int4, and, as a yardstick rather than a code, the Gaussian rate-distortion bound
(a random "test channel" of an ideal coder at that rate, for a Gaussian source with these
vectors' covariance: reverse water-filling over its principal components). Every candidate is
scored as the site searches (``SiteSearch.doc_scores``: best window + 0.25 x the windows' mean,
``fusion.fuse`` with the BM25 list, a semantic floor calibrated on the candidate itself with
the site's query encoder), so "semantic" is the browser's semantic-only list and "fused" its
hybrid list (bench/search_quality.py's definitions).

Size at 10k: ``--windows`` (30,739: the passages of bench/search_cost.py's 10,000 articles)
times the bytes a window, times the gzip ratio (level 6) of the candidate's codes on SciFact,
plus what the browser needs beside the rows (scales, codebooks, a rotation: float16 where a
float32 would do no better). Real MiniLM int4 codes gzip to 0.80; search_cost's stand-in
vectors to 0.76, hence its 4.50 MB for int4 against 4.72 here.

Figures (2 shared cores, load 5-7; int4 = what sites ship; train: seconds on SciFact's 9,611
windows; MB@10k includes the scales, codebooks or rotation beside the rows):

    code                           B/win  gzip  MB@10k  semantic  vs int4   fused  vs int4  train s
    -----------------------------  -----  ----  ------  --------  -------  ------  -------  -------
    float32                         1536  0.93   43.77    0.6667  +0.0009  0.7422  -0.0008      0.0
    int4 (shipped)                   192  0.80    4.72    0.6658  +0.0000  0.7430  +0.0000      0.0
    PCA 256, int4                    128  0.77    3.24    0.6631  -0.0027  0.7412  -0.0018      1.8
    PCA 240, int4                    120  0.78    3.05    0.6636  -0.0021  0.7425  -0.0006      1.7
    PCA 224, int4                    112  0.78    2.85    0.6599  -0.0058  0.7399  -0.0031      1.6
    PCA 192, int4                     96  0.78    2.46    0.6514  -0.0143  0.7388  -0.0042      1.7
    PCA 96, int4                      48  0.80    1.25    0.6147  -0.0511  0.7328  -0.0102      1.6
    PCA water-filled 48 B             48  0.99    1.65    0.6371  -0.0287  0.7317  -0.0113      2.0
    PCA water-filled 64 B             64  0.99    2.16    0.6444  -0.0214  0.7346  -0.0084      2.0
    PCA water-filled 96 B             96  0.98    3.16    0.6627  -0.0031  0.7388  -0.0043      2.0
    PCA water-filled 112 B           112  0.98    3.66    0.6657  -0.0000  0.7418  -0.0012      1.9
    int3 (min/max)                   144  0.89    3.92    0.6466  -0.0192  0.7366  -0.0064      0.0
    int2 (min/max)                    96  0.63    1.85    0.6260  -0.0398  0.7350  -0.0081      0.0
    sign bits                         48  1.00    1.48    0.6326  -0.0332  0.7257  -0.0173      0.0
    PQ 48 x 8 bits                    48  0.97    1.62    0.6414  -0.0243  0.7319  -0.0111     57.1
    PQ 96 x 4 bits                    48  1.00    1.48    0.6314  -0.0343  0.7279  -0.0152     10.8
    PQ 128 x 4 bits                   64  1.00    1.98    0.6564  -0.0094  0.7353  -0.0078     43.5
    PQ 64 x 8 bits                    64  0.98    2.12    0.6467  -0.0191  0.7312  -0.0119     84.8
    PQ 96 x 8 bits                    96  0.99    3.12    0.6639  -0.0019  0.7352  -0.0079    175.3
    sign bits + int4 best 100        240  0.84    6.20    0.6657  -0.0001  0.7398  -0.0032      0.0
    Gaussian bound 48 B (3 draws)     48  1.00    1.48    0.6477  -0.0180  0.7358  -0.0072      0.0
    Gaussian bound 64 B (3 draws)     64  1.00    1.97    0.6577  -0.0081  0.7358  -0.0072      0.0
    Gaussian bound 70 B (3 draws)     70  1.00    2.15    0.6588  -0.0069  0.7361  -0.0069      0.0

Nothing reaches both targets (<= 1.5 MB at 10k, <= 0.005 below int4 semantic and fused). At
1.5 MB a window has 48 B, 1 bit a dimension: every real code there loses 0.024-0.051 semantic
and 0.010-0.017 fused, and even an ideal coder of a Gaussian source with these vectors'
covariance loses 0.018; it still loses 0.007 at 70 B (2.15 MB). (That bound's fused figures
also carry its shrunken scores' weight against BM25.) The windows of one article are close
(variance 0.19 around their article's mean, 0.88 around all windows' mean), but coding each
article's mean and its windows' residuals has the same bound at the same distortion (2.18 MB
against 2.15). OPQ 48 x 8 (faiss OPQMatrix, 50 iterations) took 1,290 s to train for 0.6441 /
0.7336. The smallest codes within the loss are PCA to 240 dimensions at 4 bits (3.05 MB) and
112 B of water-filled bits (3.66 MB). One draw is noisy at the size of the bar: faiss's default
seed gives PQ 48 x 8 0.6341 (0.6414 here), and two other draws (seeds 1, 2) of the Gaussian
bound at 70 B averaged 0.6613 / 0.7386. bench/search_cost.py's 10,000 articles: 7,375 have
one window, the other 2,625 hold 23,364 of the 30,739; at most 3 or 4 windows an article would
leave 15,167 or 16,919.
"""

from __future__ import annotations

import argparse
import gzip
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _report import table  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

import search_quality  # noqa: E402

from vibesite.search.calibrate import null_queries, semantic_floor  # noqa: E402
from vibesite.search.codes import quantize  # noqa: E402
from vibesite.search.fusion import fuse  # noqa: E402
from vibesite.search.query import SiteSearch, rank_scores  # noqa: E402

WINDOWS_10K = 30_739  # bench/search_cost.py's 10,000 articles (stop 21's closing note)
SEED = 20261130
TOP = 100  # docs rescored by the two-stage candidate
DRAWS = 3  # noise draws of the Gaussian bound, averaged: one draw moves nDCG@10 by ~0.005
# Half the range, in standard deviations, of the uniform quantizer with 2**bits levels that has
# the least squared error on a Gaussian (Max 1960, table of optimum uniform step sizes).
HALF_RANGE = {1: 1.596, 2: 1.992, 3: 2.344, 4: 2.680, 5: 3.008, 6: 3.328, 7: 3.635, 8: 3.930}


@dataclass
class Candidate:
    """A code's reconstruction of every window (what its scores are a dot product with)."""

    values: np.ndarray  # (windows, dim) float64
    data: bytes  # the rows as the browser would fetch them (gzip measured on these)
    row_bytes: float
    overhead: int  # bytes beside the rows: scales, codebooks, rotation
    seconds: float = 0.0
    score: Callable[[np.ndarray], np.ndarray] | None = None  # default: queries @ values.T

    @property
    def codes(self) -> np.ndarray:  # one row a window, as calibrate.semantic_floor counts them
        return self.values

    def scores(self, queries: np.ndarray) -> np.ndarray:
        q = np.asarray(queries, dtype=np.float64).reshape(-1, self.values.shape[1])
        return self.score(q) if self.score else q @ self.values.T


class CandidateSearch(SiteSearch):
    """The site's search with its passage scores taken from a ``Candidate``."""

    candidate: Candidate

    def passage_scores(self, query_vector: np.ndarray) -> np.ndarray:
        return self.candidate.scores(query_vector)[0]


def packed_bits(codes: np.ndarray, bits: int) -> bytes:
    """``(n, dim)`` codes of ``bits`` bits each, packed row by row."""
    planes = (codes[:, :, None].astype(np.uint8) >> np.arange(bits, dtype=np.uint8)) & 1
    return np.packbits(planes.reshape(len(codes), -1), axis=1).tobytes()


def scalar(x: np.ndarray, bits: int) -> Candidate:
    q = quantize(x, bits) if bits in (4, 8) else None
    if q is not None:
        data = q.to_bytes()
        return Candidate(q.dequantize(), data[8 * x.shape[1]:], x.shape[1] * bits / 8,
                         8 * x.shape[1])
    top = 2 ** bits - 1
    low = x.min(axis=0).astype(np.float64)
    step = np.where(x.max(axis=0) > low, (x.max(axis=0) - low) / top, 1.0)
    codes = np.clip(np.rint((x - low) / step), 0, top)
    return Candidate(low + step * codes, packed_bits(codes, bits), x.shape[1] * bits / 8,
                     8 * x.shape[1])


class Pca:
    """Principal components of the windows (signs fixed: the largest entry positive)."""

    def __init__(self, x: np.ndarray) -> None:
        started = time.perf_counter()
        self.mean = x.mean(axis=0)
        values, vectors = np.linalg.eigh(np.cov((x - self.mean).T))
        order = np.argsort(-values, kind="stable")
        self.values = np.maximum(values[order], 1e-12)
        signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(len(order))])
        self.vectors = (vectors * signs)[:, order]
        self.y = (x - self.mean) @ self.vectors
        self.seconds = time.perf_counter() - started

    def int4(self, dims: int) -> Candidate:
        started = time.perf_counter()
        q = quantize(self.y[:, :dims].astype(np.float32), 4)
        values = q.dequantize() @ self.vectors[:, :dims].T + self.mean
        data = q.to_bytes()[8 * dims:]
        # rotation in float16, the mean and the codes' offsets and scales in float32
        overhead = 2 * dims * len(self.mean) + 4 * len(self.mean) + 8 * dims
        return Candidate(values, data, dims / 2, overhead,
                         self.seconds + time.perf_counter() - started)

    def waterfilled(self, row_bytes: int) -> Candidate:
        """More bits on the leading components: component i gets round(0.5 log2(lambda_i /
        theta)) bits (0-8, theta bisected to ``row_bytes``), coded by the uniform quantizer
        that is optimal for a Gaussian of its variance (``HALF_RANGE``)."""
        started = time.perf_counter()
        low, high = 1e-12, float(self.values.max())
        for _ in range(100):
            theta = math.sqrt(low * high)
            bits = np.clip(np.round(0.5 * np.log2(self.values / theta)), 0, 8).astype(int)
            low, high = (theta, high) if bits.sum() > 8 * row_bytes else (low, theta)
        bits = np.clip(np.round(0.5 * np.log2(self.values / high)), 0, 8).astype(int)
        y, planes = np.zeros_like(self.y), []
        for i in np.nonzero(bits)[0]:
            levels = 2 ** bits[i]
            half = HALF_RANGE[bits[i]] * math.sqrt(self.values[i])
            step = 2 * half / levels
            codes = np.clip(np.floor((self.y[:, i] + half) / step), 0, levels - 1)
            y[:, i] = -half + (codes + 0.5) * step
            planes.append((codes[:, None].astype(np.uint8) >> np.arange(bits[i])) & 1)
        data = np.packbits(np.concatenate(planes, axis=1), axis=1).tobytes()
        kept = int((bits > 0).sum())
        return Candidate(y @ self.vectors.T + self.mean, data, bits.sum() / 8,
                         2 * kept * len(self.mean) + 4 * len(self.mean) + kept,
                         self.seconds + time.perf_counter() - started)

    def gaussian_bound(self, row_bytes: int, seed: int) -> Candidate:
        """An ideal coder's reconstruction at ``row_bytes``: reverse water-filling at level
        theta, x_hat_i = a_i y_i + sqrt(a_i theta) z_i with a_i = (lambda_i - theta) / lambda_i
        on the components above theta (Cover & Thomas 10.3.3, the backward test channel)."""
        low, high = 1e-12, float(self.values.max())
        for _ in range(100):  # bisect theta (geometric) to the rate
            theta = math.sqrt(low * high)
            rate = np.sum(0.5 * np.log2(np.maximum(self.values / theta, 1))) / 8
            low, high = (theta, high) if rate > row_bytes else (low, theta)
        share = np.maximum(self.values - theta, 0) / self.values
        noise = np.random.default_rng(seed).standard_normal(self.y.shape)
        y = share * self.y + np.sqrt(share * theta) * noise
        return Candidate(y @ self.vectors.T + self.mean, b"", row_bytes, 0)


def signs(x: np.ndarray) -> Candidate:
    mean = x.mean(axis=0)
    centred = x - mean
    magnitude = np.abs(centred).mean(axis=0)
    bits = centred > 0
    return Candidate(mean + np.where(bits, magnitude, -magnitude), np.packbits(bits, axis=1)
                     .tobytes(), x.shape[1] / 8, 8 * x.shape[1])


def product(x: np.ndarray, parts: int, bits: int) -> Candidate:
    import faiss

    started = time.perf_counter()
    data = np.ascontiguousarray(x, dtype=np.float32)
    pq = faiss.ProductQuantizer(data.shape[1], parts, bits)
    pq.cp.seed = SEED
    pq.verbose = False
    pq.train(data)
    codes = pq.compute_codes(data)
    seconds = time.perf_counter() - started
    return Candidate(pq.decode(codes).astype(np.float64), codes.tobytes(), parts * bits / 8,
                     2 * 2 ** bits * data.shape[1], seconds)


def two_stage(x: np.ndarray, search: SiteSearch) -> Candidate:
    """Sign bits for every window, then int4 for the windows of the best ``TOP`` docs by their
    sign-bit best window (both downloaded: what it saves is scoring, not bytes)."""
    coarse, fine = signs(x), scalar(x, 4)
    starts = np.array([search.passages_of(d).start for d in range(search.count)])

    def score(queries: np.ndarray) -> np.ndarray:
        out = queries @ coarse.values.T
        for row, query in enumerate(queries):
            best = np.maximum.reduceat(out[row], starts)
            for doc in np.argsort(-best, kind="stable")[:TOP]:
                rows = search.passages_of(int(doc))
                out[row, rows.start:rows.stop] = fine.values[rows.start:rows.stop] @ query
        return out

    return Candidate(coarse.values, coarse.data + fine.data,
                     coarse.row_bytes + fine.row_bytes, coarse.overhead + fine.overhead,
                     score=score)


def gzip_ratio(data: bytes) -> float:
    return len(gzip.compress(data, 6)) / len(data) if data else 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=search_quality.DEFAULT_CACHE)
    parser.add_argument("--scifact", type=Path, default=search_quality.DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=Path("/tmp/vibesite-bench/vector-codes"))
    parser.add_argument("--windows", type=int, default=WINDOWS_10K,
                        help="windows of the site the sizes are projected to")
    parser.add_argument("--quick", action="store_true",
                        help="leave out the slowest product quantizers (64 and 96 x 8 bits)")
    args = parser.parse_args()
    corpus, queries, qrels = search_quality.load_data(args.scifact)
    qids = list(queries)
    if args.work.exists():
        import shutil

        shutil.rmtree(args.work)
    site = search_quality.build_site(corpus, args.work, args.cache.resolve())
    search = CandidateSearch.load(site)
    search.passages_of(0)  # loads the passage counts
    x = search_quality.passage_vectors(args.cache.resolve(), search)
    ids = [search_quality.doc_id(search._doc(d)["url"]) for d in range(search.count)]
    vectors = np.stack([search.encode(queries[q]) for q in qids])
    nulls = np.stack([search.encode(text) for text in null_queries()])
    lexical = [[(d, found[d]) for d in rank_scores(found, search.count)]
               for found in (search.lexical_scores(queries[q]) for q in qids)]
    fusion, candidates = search.manifest["fusion"], int(search.manifest["candidates"])

    def evaluate(candidate: Candidate) -> tuple[float, float]:
        search.candidate = candidate
        floor = semantic_floor(lambda _: nulls, candidate)  # type: ignore[arg-type]
        semantic, fused = {}, {}
        for q, vector, keyword in zip(qids, vectors, lexical, strict=True):
            found = fuse(keyword, search.doc_scores(vector), fusion, candidates, floor)
            fused[q] = [ids[f.doc] for f in found[:100]]
            ranked = sorted((f for f in found if f.semantic_rank), key=lambda f: f.semantic_rank)
            semantic[q] = [ids[f.doc] for f in ranked]
        return (search_quality.evaluate(semantic, qrels)[0],
                search_quality.evaluate(fused, qrels)[0])

    pca = Pca(x.astype(np.float64))
    plan: list[tuple[str, Callable[[], Candidate | list[Candidate]]]] = [
        ("float32", lambda: Candidate(x.astype(np.float64), x.tobytes(), 4 * x.shape[1], 0)),
        ("int4, 384 dims (shipped)", lambda: scalar(x, 4)),
        *[(f"PCA {k} dims, int4", lambda k=k: pca.int4(k)) for k in (256, 240, 224, 192, 96)],
        *[(f"PCA, water-filled bits, {b} B", lambda b=b: pca.waterfilled(b))
          for b in (48, 64, 96, 112)],
        ("int3 (min/max)", lambda: scalar(x, 3)), ("int2 (min/max)", lambda: scalar(x, 2)),
        ("sign bits", lambda: signs(x)),
        *[(f"PQ {m} x {b} bits", lambda m=m, b=b: product(x, m, b))
          for m, b in ((48, 8), (96, 4), (128, 4), *(() if args.quick else ((64, 8), (96, 8))))],
        (f"sign bits + int4 of the best {TOP}", lambda: two_stage(x, search)),
        *[(f"Gaussian bound at {b} B ({DRAWS} draws)",
           lambda b=b: [pca.gaussian_bound(b, SEED + n) for n in range(DRAWS)])
          for b in (48, 64, 70)],
    ]
    rows, base = [], (0.0, 0.0)
    for name, make in plan:
        made = make()
        draws = made if isinstance(made, list) else [made]
        semantic, fused = np.mean([evaluate(c) for c in draws], axis=0)
        candidate = draws[0]
        if name.startswith("int4"):
            base = (semantic, fused)
        ratio = gzip_ratio(candidate.data)
        mb = (candidate.overhead + args.windows * candidate.row_bytes * ratio) / 1e6
        rows.append([name, f"{candidate.row_bytes:g}", f"{ratio:.2f}",
                     f"{candidate.overhead / 1e3:.1f}", f"{mb:.2f}", semantic, fused,
                     f"{candidate.seconds:.1f}"])
        print(" ".join(map(str, rows[-1])), flush=True)
    out = [[*r[:5], f"{r[5]:.4f}", f"{r[5] - base[0]:+.4f}", f"{r[6]:.4f}",
            f"{r[6] - base[1]:+.4f}", r[7]] for r in rows]
    print(f"\nSciFact: {len(qids)} queries, {search.count} articles, {len(x)} windows; sizes "
          f"at {args.windows:,} windows\n")
    print(table(["code", "B/window", "gzip", "other kB", f"MB @{args.windows:,}", "semantic",
                 "vs int4", "fused", "vs int4", "train s"], out))
    met = [r[0] for r in rows if float(r[4]) <= 1.5 and r[5] >= base[0] - 0.005
           and r[6] >= base[1] - 0.005 and not r[0].startswith("Gaussian")]
    print(f"\n{'PASS' if met else 'FAIL'}: codes within 1.5 MB and 0.005 nDCG@10 of int4 "
          f"(semantic and fused): {', '.join(met) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
