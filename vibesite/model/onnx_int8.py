"""The int8 document encoder builds embed with: the float32 export, its MatMuls in int8.

In: ``document.onnx`` (vibesite.model.onnx_export: transformer, pooling and normalisation in one
float32 graph). Out: ``document-int8.onnx``, which ``OnnxDocumentEmbedder`` runs on the CPU.

onnxruntime's ``quantize_dynamic`` stores the weights of every MatMul as int8, one scale per
output channel, and quantizes the activations on the fly (``DynamicQuantizeLinear`` +
``MatMulInteger``, which onnxruntime fuses at load into one kernel: VNNI on recent x86 CPUs).
Everything else (embeddings, attention scores, softmax, layer norms) stays float32. Measured on
this project's 2-core Xeon (AVX-512 VNNI), texts per CPU-second with one thread, 120 windows of
jbranchaud-til (first of 2 interleaved rounds) / 160 SciFact passages (median of 3):

    torch float32 (sentence-transformers)          17.6 / 17.3
    onnxruntime float32 (document.onnx)             -   / 14.1
    this recipe (MatMul only, per channel)          28.3 / 26.0
    + BERT fusion first (onnxruntime.transformers: Attention, SkipLayerNorm; QAttention,
      QEmbedLayerNorm after quantization)           27.0 / 25.5
    + fusion, MatMul only                            -   / 23.0
    + fusion with FastGelu, or MultiHeadAttention   28.1 / 26.5

Fusion buys nothing here (attention's float32 score and softmax work is ~40% of the time
either way) and needs the head count, so the plain recipe it is.

What does pay is how it is run (vibesite.model.onnx_runtime): one text per run. A padded
batch of 32 SciFact passages holds 32 x 12 heads x ~184^2 float32 attention scores, ~50 MB,
more than the caches, and the mask Add, Softmax and score MatMuls then wait on memory. Texts
per CPU-second, one thread, 120 SciFact passages, this recipe by batch size: 32: 28.7, 8: 32.7,
4: 35.4, 2: 35.4, 1: 36.7 (float32 graph: 16.6 at 32, 20.6 at 1). Tried at the same time and
not kept (texts per CPU-second against this recipe's, same run): onnxruntime's MatMulNBits
with int8 compute (accuracy_level 4) on 8-bit weights, blocks of 32: 16.1 vs 29.7 (blocks of
128: 18.4; 4-bit: 15.3, cosine 0.95); the attention score MatMuls in int8 too
(MatMulConstBOnly off): 27.3 vs 29.2, cosine to float32 down from 0.991 to 0.984; BERT fusion
(Attention or MultiHeadAttention) one text a run: 35.1 vs 39.8. bench/build.py, same machine
(load ~15 from other processes), 100 SciFact passages, median of 3 interleaved rounds at the
default 2 threads: torch 1.4 texts/s, float32 ONNX 1.4, this recipe 2.7 (1.98x); SciFact
nDCG@10 (semantic only, 300 queries, sentence-transformers query vectors): torch's passage
vectors 0.6626, this recipe's 0.6671.

The weights are 7-bit (``reduce_range``, recipe 2). On x86 CPUs without VNNI (AVX2 only: the
AMD EPYC of most GitHub-hosted runners, and this project's machine since 2026-12-01) the int8
kernel sums pairs of uint8 x int8 products into int16, which saturates with 8-bit weights: the
guide's windows then came out at cosine 0.978 to sentence-transformers at worst (0.991 mean)
and SciFact's semantic nDCG@10 at 0.6587. With 7-bit weights every pair fits: 0.986 at worst,
0.992 mean, on the guide's windows and 120 of jbranchaud-til's, at the same speed (11.1 against
10.9 texts/s, two busy cores). VNNI kernels never saturated; on them 7-bit weights are only a
coarser step, not measured here (no VNNI CPU in this session).
"""

from __future__ import annotations

import logging
from pathlib import Path

# The store's name for vectors of this encoder (vibesite.embeddings.store.content_hash): a
# change of the recipe below must change it, so that vectors of two recipes never mix.
INT8_ENCODER = "onnx-int8-2"
INT8_FILE = "document-int8.onnx"


def encoder_name(graph: Path) -> str:
    """The store's name for the vectors of the document graph ``graph`` ("" for float32)."""
    return INT8_ENCODER if graph.name == INT8_FILE else ""


def quantize_document(src: Path, dst: Path) -> None:
    """Write the int8 copy of the float32 document encoder ``src`` to ``dst``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = logging.getLogger()  # the quantizer logs each node it cannot quantize
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        quantize_dynamic(src, dst, per_channel=True, weight_type=QuantType.QInt8,
                         reduce_range=True, op_types_to_quantize=["MatMul"],
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        quiet.setLevel(level)
