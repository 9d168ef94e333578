"""The build's document encoders side by side: texts/s and SciFact nDCG@10 (used by build.py).

In: a SciFact store (an ``embeddings.db`` a SciFact build wrote: its passages are the texts the
build embeds), an export cache and a folder for computed passage vectors. Out: a table with,
per encoder, texts/s on a sample of the passages (median of interleaved rounds, wall and per
CPU-second of this process, all threads counted) and semantic-only nDCG@10 on the 300 test
queries: sentence-transformers query vectors against each encoder's passage vectors, a document
ranked by its best passage, as the site ranks. The encoders:

- sentence-transformers float32 (torch) in batches of 32, the config's default batch_size;
- the int8 graph as builds ran it before: padded batches of 32 on onnxruntime's own threads;
- the float32 graph and the int8 graph as builds run them now (OnnxDocumentEmbedder: one text
  a run, one single-threaded run per core at once).

Each encoder's passage vectors are kept in ``vectors`` (keyed by the encoder, its model file
and the passages), so a rerun times the encoders but does not re-embed SciFact's 9,611
passages; torch's are read from the store when sentence-transformers wrote it (~10
CPU-minutes otherwise). The float32 graph is not scored (the export checks its vectors against
torch's), nor the int8 graph in padded batches (its spinning threads crawl on a shared
machine; 0.6671 when it was the build's encoder).
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from _report import table
from search_quality import evaluate, load_data

from vibesite.embeddings.store import content_hash
from vibesite.model.onnx_export import cached_build_encoder, export_query_encoder
from vibesite.model.onnx_runtime import OUTPUT, OnnxDocumentEmbedder
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder

MODEL = "all-MiniLM-L6-v2"
TARGET_SPEEDUP, TARGET_NDCG_GAP = 2.0, 0.005
BUILD_ENCODER = "ONNX int8, one text a run (builds now)"
Encode = Callable[[list[str]], np.ndarray]


class PaddedBatches:
    """The int8 graph as builds ran it until this bench's change: texts sorted by length,
    padded batches of ``batch``, one onnxruntime session on its default threads (all cores,
    spinning while they wait)."""

    def __init__(self, embedder: OnnxDocumentEmbedder, batch: int = 32) -> None:
        import onnxruntime as ort

        self.embedder, self.batch = embedder, batch
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(embedder.files.model_onnx), options,
                                            providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.embedder.files.dim), dtype=np.float32)
        every = self.embedder._truncating.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(every[i].ids))
        for start in range(0, len(order), self.batch):
            rows = order[start : start + self.batch]
            width = max(len(every[i].ids) for i in rows)
            ids, mask = np.zeros((2, len(rows), width), dtype=np.int64)
            for row, index in enumerate(rows):
                ids[row, : len(every[index].ids)] = every[index].ids
                mask[row, : len(every[index].ids)] = 1
            out[rows] = self.session.run([OUTPUT], {"input_ids": ids, "attention_mask": mask})[0]
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _passages(store: Path) -> tuple[list[str], list[str], np.ndarray | None]:
    """The store's passages: document ids, texts, and their vectors if sentence-transformers
    (or the float32 graph, the same to rounding) made them (content_hash: llm's plain md5)."""
    conn = sqlite3.connect(store)
    rows = conn.execute("SELECT e.id, e.content, e.embedding FROM embeddings e JOIN collections "
                        "c ON c.id = e.collection_id WHERE c.name = 'passages' ORDER BY e.id"
                        ).fetchall()
    article = conn.execute("SELECT e.content, e.content_hash FROM embeddings e JOIN collections "
                           "c ON c.id = e.collection_id WHERE c.name = 'articles' LIMIT 1"
                           ).fetchone()
    conn.close()
    ids = [r[0].rsplit("#", 1)[0].strip("/").removeprefix("d/") for r in rows]
    plain = article is not None and content_hash(article[0]) == bytes(article[1])
    vectors = np.stack([np.frombuffer(r[2], dtype="<f4") for r in rows]) if plain else None
    return ids, [r[1] for r in rows], vectors


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


def _vectors(folder: Path, key: str, encode: Encode, texts: list[str],
             log: Callable[[str], None]) -> np.ndarray:
    """``encode(texts)``, kept in ``folder`` under a digest of ``key`` and the texts."""
    digest = hashlib.sha256(key.encode())
    for text in texts:
        digest.update(text.encode() + b"\0")
    path = folder / f"{digest.hexdigest()[:24]}.npy"
    if path.is_file():
        return np.load(path)
    log(f"nDCG: encoding {len(texts)} passages ({key.split(chr(0))[0]})")
    vectors = encode(texts)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def _file_key(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_line() -> str:
    """``uptime``'s load averages (other processes compete for the CPU above the core count)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def encoder_table(store: Path, data: Path, cache: Path, sample: int, rounds: int,
                  log: Callable[[str], None], vectors: Path) -> str:
    export_query_encoder(MODEL, cache)
    int8_files = cached_build_encoder(MODEL, cache)
    assert int8_files is not None
    float_files = replace(int8_files, model_onnx=int8_files.model_onnx.parent / "document.onnx")
    torch_st = SentenceTransformerEmbedder(MODEL, batch_size=32)
    int8 = OnnxDocumentEmbedder(int8_files)
    encoders: dict[str, tuple[Encode, str]] = {
        "sentence-transformers float32 (torch, batches of 32)": (torch_st.encode, MODEL),
        "ONNX int8, padded batches of 32 (builds before)": (
            PaddedBatches(int8).encode, _file_key(int8_files.model_onnx)),
        "ONNX float32, one text a run": (OnnxDocumentEmbedder(float_files).encode,
                                         _file_key(float_files.model_onnx)),
        BUILD_ENCODER: (int8.encode, _file_key(int8_files.model_onnx))}
    doc_ids, texts, stored = _passages(store)
    chosen = [texts[i] for i in sorted(random.Random(0).sample(range(len(texts)),
                                                               min(sample, len(texts))))]
    load_before = load_line()
    log(f"texts/s: {len(chosen)} of {len(texts)} SciFact passages, {rounds} interleaved rounds, "
        f"{int8.workers} ONNX worker(s)")
    rates = _rates({k: v[0] for k, v in encoders.items()}, chosen, rounds)
    load_after = load_line()
    _, queries, qrels = load_data(data)
    qids = list(queries)
    query_vectors = torch_st.encode([queries[q] for q in qids])
    scores = {}
    for name, (encode, key) in encoders.items():
        if name.startswith("ONNX float32"):  # torch's vectors to rounding (the export checks)
            continue
        if isinstance(encode.__self__, PaddedBatches):  # too slow to re-embed on a busy machine
            continue
        found = stored if encode == torch_st.encode and stored is not None else _vectors(
            vectors, f"{name}\0{key}", encode, texts, log)
        scores[name] = _ndcg(doc_ids, found, query_vectors, qids, qrels)
    (base_rate, base_cpu), base_ndcg = next(iter(rates.values())), next(iter(scores.values()))
    rows = [[name, f"{wall:.1f}", f"{per_cpu:.1f}", f"{wall / base_rate:.2f}x",
             f"{per_cpu / base_cpu:.2f}x",
             f"{scores[name]:.4f}" if name in scores else "= torch (cosine >= 0.9999)"
             if name.startswith("ONNX float32") else "not scored",
             f"{scores[name] - base_ndcg:+.4f}" if name in scores else "-"]
            for name, (wall, per_cpu) in rates.items()]
    wall_x, cpu_x = (rates[BUILD_ENCODER][i] / (base_rate, base_cpu)[i] for i in (0, 1))
    gap = scores[BUILD_ENCODER] - base_ndcg
    verdict = [f"{'PASS' if min(wall_x, cpu_x) >= TARGET_SPEEDUP else 'FAIL'}: the build's "
               f"encoder {wall_x:.2f}x torch float32's texts/s (wall), {cpu_x:.2f}x per "
               f"CPU-second (goal >= {TARGET_SPEEDUP:.0f}x)",
               f"{'PASS' if abs(gap) <= TARGET_NDCG_GAP else 'FAIL'}: its SciFact nDCG@10 "
               f"within {TARGET_NDCG_GAP} of sentence-transformers' (difference {gap:+.4f})",
               f"Timed on {len(chosen)} passages, median of {rounds}; {load_before} before, "
               f"{load_after} after"]
    heads = ["document encoder", "texts/s (wall)", "texts per CPU-s", "wall vs torch",
             "CPU vs torch", "SciFact nDCG@10", "difference"]
    return table(heads, rows) + "\n" + "\n".join(verdict)
