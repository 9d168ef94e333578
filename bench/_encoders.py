"""The build's document encoders side by side: texts/s and SciFact nDCG@10 (used by build.py).

In: a SciFact store (an ``embeddings.db`` a SciFact build wrote: its passages are the texts the
build embeds) and an export cache. Out: a table with, per encoder (sentence-transformers
float32, the ONNX float32 graph, the ONNX int8 graph builds use), texts/s on a sample of the
passages (median of interleaved rounds, wall and per CPU-second) and semantic-only nDCG@10 on
the 300 test queries: sentence-transformers query vectors against each encoder's passage
vectors, a document ranked by its best passage, as the site ranks.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _report import table
from search_quality import evaluate, load_data

from vibesite.embeddings.store import content_hash
from vibesite.model.base import encoder_of
from vibesite.model.onnx_export import (
    cached_build_encoder,
    cached_document_encoder,
    export_query_encoder,
)
from vibesite.model.onnx_int8 import INT8_ENCODER
from vibesite.model.onnx_runtime import OnnxDocumentEmbedder
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder

MODEL = "all-MiniLM-L6-v2"
TARGET_SPEEDUP, TARGET_NDCG_GAP = 2.0, 0.005
Encode = Callable[[list[str]], np.ndarray]


def _stored(store: Path) -> tuple[list[str], list[str], np.ndarray, str]:
    """The store's passages: document ids, texts, vectors, and which encoder made the vectors
    ("" float32, else the name hashed into the articles' content_hash; "?" unknown)."""
    conn = sqlite3.connect(store)
    rows = conn.execute("SELECT e.id, e.content, e.embedding FROM embeddings e JOIN collections "
                        "c ON c.id = e.collection_id WHERE c.name = 'passages' ORDER BY e.id"
                        ).fetchall()
    article = conn.execute("SELECT e.content, e.content_hash FROM embeddings e JOIN collections "
                           "c ON c.id = e.collection_id WHERE c.name = 'articles' LIMIT 1"
                           ).fetchone()
    conn.close()
    ids = [r[0].rsplit("#", 1)[0].strip("/").removeprefix("d/") for r in rows]
    vectors = np.stack([np.frombuffer(r[2], dtype="<f4") for r in rows])
    encoder = "?"
    if article is not None:
        encoder = next((name for name in ("", INT8_ENCODER)
                        if content_hash(article[0], name) == bytes(article[1])), "?")
    return ids, [r[1] for r in rows], vectors, encoder


def _ndcg(doc_ids: list[str], passages: np.ndarray, queries: np.ndarray, qids: list[str],
          qrels: dict[str, dict[str, int]]) -> float:
    docs = sorted(set(doc_ids))
    column = {d: i for i, d in enumerate(docs)}
    owner = np.array([column[d] for d in doc_ids])
    best = np.full((len(qids), len(docs)), -np.inf, dtype=np.float32)
    np.maximum.at(best.T, owner, (queries @ passages.T).T)
    runs = {q: [docs[i] for i in np.argsort(-best[n], kind="stable")[:100]]
            for n, q in enumerate(qids)}
    return evaluate(runs, qrels)[0]


def _rates(encoders: dict[str, Encode], texts: list[str], rounds: int
           ) -> dict[str, tuple[float, float]]:
    """Median texts/s (wall, per CPU-second of this process) over interleaved rounds."""
    wall: dict[str, list[float]] = {k: [] for k in encoders}
    cpu: dict[str, list[float]] = {k: [] for k in encoders}
    for encode in encoders.values():
        encode(texts[:8])  # sessions made, weights paged in: not timed
    for _ in range(rounds):
        for name, encode in encoders.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            encode(texts)
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - cpu_started)
    return {k: (len(texts) / statistics.median(wall[k]), len(texts) / statistics.median(cpu[k]))
            for k in encoders}


def encoder_table(store: Path, data: Path, cache: Path, sample: int, rounds: int,
                  log: Callable[[str], None]) -> str:
    export_query_encoder(MODEL, cache)
    int8_files, float_files = cached_build_encoder(MODEL, cache), cached_document_encoder(
        MODEL, cache)
    assert int8_files is not None and float_files is not None
    torch_st = SentenceTransformerEmbedder(MODEL, batch_size=32)
    int8, onnx_float = OnnxDocumentEmbedder(int8_files), OnnxDocumentEmbedder(float_files)
    encoders: dict[str, Encode] = {"sentence-transformers float32 (torch)": torch_st.encode,
                                   "ONNX float32 (onnxruntime)": onnx_float.encode,
                                   f"ONNX int8 ({int8.files.model_onnx.name})": int8.encode}
    doc_ids, texts, stored, stored_encoder = _stored(store)
    chosen = [texts[i] for i in sorted(random.Random(0).sample(range(len(texts)),
                                                               min(sample, len(texts))))]
    log(f"texts/s: {len(chosen)} of {len(texts)} SciFact passages, {rounds} interleaved rounds")
    rates = _rates(encoders, chosen, rounds)
    _, queries, qrels = load_data(data)
    qids = list(queries)
    query_vectors = torch_st.encode([queries[q] for q in qids])
    scores: dict[str, float] = {}
    for (name, encode), source in zip(encoders.items(), (torch_st, onnx_float, int8),
                                      strict=True):
        if source is onnx_float:  # the same vectors as torch to rounding (export checks it)
            continue
        if encoder_of(source) == stored_encoder:  # the store holds this encoder's vectors
            vectors = stored
        else:
            log(f"nDCG: encoding {len(texts)} passages with {name}")
            vectors = encode(texts)
        scores[name] = _ndcg(doc_ids, vectors, query_vectors, qids, qrels)
    base_rate, base_ndcg = next(iter(rates.values()))[0], next(iter(scores.values()))
    rows = [[name, f"{wall:.1f}", f"{per_cpu:.1f}", f"{wall / base_rate:.2f}x",
             f"{scores[name]:.4f}" if name in scores else "= torch (cosine >= 0.9999)",
             f"{scores[name] - base_ndcg:+.4f}" if name in scores else "-"]
            for name, (wall, per_cpu) in rates.items()]
    speedup = list(rates.values())[-1][0] / base_rate
    gap = list(scores.values())[-1] - base_ndcg
    verdict = [f"{'PASS' if speedup >= TARGET_SPEEDUP else 'FAIL'}: int8 texts/s "
               f"{speedup:.2f}x torch float32 (goal >= {TARGET_SPEEDUP:.0f}x)",
               f"{'PASS' if abs(gap) <= TARGET_NDCG_GAP else 'FAIL'}: int8 SciFact nDCG@10 "
               f"within {TARGET_NDCG_GAP} of sentence-transformers (difference {gap:+.4f})"]
    heads = ["document encoder", "texts/s (wall)", "texts per CPU-s", "vs torch",
             "SciFact nDCG@10", "difference"]
    return table(heads, rows) + "\n" + "\n".join(verdict)
