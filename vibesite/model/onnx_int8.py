"""The int8 document encoder builds embed with: the float32 export fused and quantized.

In: ``document.onnx`` (vibesite.model.onnx_export: transformer, pooling and normalisation in one
float32 graph). Out: ``document-int8.onnx``, which ``OnnxDocumentEmbedder`` runs on the CPU.

Two onnxruntime tools, in this order:
- ``onnxruntime.transformers.optimizer`` fuses BERT's subgraphs into onnxruntime's own kernels
  (EmbedLayerNormalization, Attention, SkipLayerNormalization, BiasGelu);
- ``quantize_dynamic`` stores the weights of every MatMul and Attention as int8, one scale per
  output channel, and quantizes activations on the fly (MatMulInteger / DynamicQuantizeMatMul:
  VNNI on recent x86 CPUs).
The graph uses onnxruntime's contrib operators, so only onnxruntime's CPU provider runs it (the
browser runs the query encoder, never this one). Measured on SciFact and jbranchaud-til by
``bench/build.py``: the figures are in its docstring and the changelog.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

# The store's name for vectors of this encoder (vibesite.embeddings.store.content_hash): a
# change of the recipe below must change it, so that vectors of two recipes never mix.
INT8_ENCODER = "onnx-int8-1"
INT8_FILE = "document-int8.onnx"


def encoder_name(graph: Path) -> str:
    """The store's name for the vectors of the document graph ``graph`` ("" for float32)."""
    return INT8_ENCODER if graph.name == INT8_FILE else ""


def quantize_document(src: Path, dst: Path, *, num_heads: int, hidden_size: int) -> None:
    """Write the fused, int8 copy of the float32 document encoder ``src`` to ``dst``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    fused = dst.with_name(f"{dst.stem}-fused.onnx")
    quiet = logging.getLogger("onnxruntime")  # the optimizer and quantizer log every step
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        optimize_model(str(src), model_type="bert", num_heads=num_heads,
                       hidden_size=hidden_size, opt_level=0).save_model_to_file(str(fused))
        quantize_dynamic(fused, dst, per_channel=True, weight_type=QuantType.QInt8,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        quiet.setLevel(level)
        with contextlib.suppress(OSError):
            fused.unlink()
