"""Shrink the exported query encoder: drop unreachable vocabulary rows, store weights in fewer bits.

What the export ships: every weight 4-bit in blocks (``quantize_blockwise`` with
``dequantize``: the MatMuls' weights uint4 behind an opset 21 ``DequantizeLinear``, the token
table as onnxruntime's ``GatherBlockQuantized``, a contrib operator that onnxruntime-web's WASM
build runs; tests/test_browser_search.py checks its vectors against Python's), then the
position table uint8 per row (``quantize_weights``). With
``matmuls=False`` the MatMuls stay float32 for ``quantize_weights`` to make uint8 per channel
(export 5's encoder; bench/query_encoder.py compares them).

``quantize_weights`` keeps the graph plain ONNX (opset 17) that any onnxruntime,
onnxruntime-web's WASM build included, runs: the weights are uint8 behind ``DequantizeLinear``,
which the session option ``session.disable_quant_qdq = 1`` folds back to float32 once at load.
It quantizes per channel (MatMul: per output column; the largest Gather table: per row) with
a uniform step that is a fixed fraction of the channel's standard deviation, but never smaller
than range / 255, so that no weight is clipped. The codes of a fine step spread
over all 256 values and gzip hardly shrinks them; a coarser step leaves the codes bunched around
the zero point, and gzip's Huffman coding then stores them in fewer bits. The step is the
size/quality knob: ``bench/query_encoder.py`` measures both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

# Steps as fractions of each channel's standard deviation (0: range / 255, the finest). The
# MatMuls of MiniLM are sensitive (short queries such as "?" suffer first); the embedding table
# is not: each query reads only a few of its rows.
MATMUL_STEP = 0.03
EMBEDDING_STEP = 0.2
_SPECIAL_TOKENS_KEYS = ("cls", "sep")  # BertProcessing / RobertaProcessing: [token, id]


def reachable_token_ids(tokenizer_json: str) -> list[int] | None:
    """Ids of the vocabulary entries that tokenizing some text can produce, ascending.

    A WordPiece entry is unreachable when the normalizer and pre-tokenizer can never leave it
    whole: ``[unused12]`` (brackets split off), ``##，`` (punctuation is always a word of its
    own), ``##中`` (CJK characters too), entries with upper case or accents (the text is
    lowercased and stripped). Dropping them changes no tokenization. None: not a WordPiece
    tokenizer (nothing is dropped).
    """
    from tokenizers import Tokenizer

    data = json.loads(tokenizer_json)
    model = data.get("model") or {}
    if model.get("type") != "WordPiece" or not isinstance(model.get("vocab"), dict):
        return None
    tokenizer = Tokenizer.from_str(tokenizer_json)
    normalizer, pre_tokenizer = tokenizer.normalizer, tokenizer.pre_tokenizer
    prefix = model.get("continuing_subword_prefix") or "##"
    specials = {t["content"] for t in data.get("added_tokens") or []} | {model.get("unk_token")}

    def whole(word: str) -> bool:
        text = normalizer.normalize_str(word) if normalizer else word
        pieces = pre_tokenizer.pre_tokenize_str(text) if pre_tokenizer else [(text, None)]
        return [piece for piece, _ in pieces] == [word]

    keep = []
    for token, index in model["vocab"].items():
        if token in specials:
            keep.append(index)
        elif token.startswith(prefix) and len(token) > len(prefix):
            if whole("a" + token[len(prefix):]):  # it can only follow other characters
                keep.append(index)
        elif whole(token):
            keep.append(index)
    # added tokens (a model's own special tokens) are matched before WordPiece runs: keep all
    keep.extend(t["id"] for t in data.get("added_tokens") or [] if isinstance(t.get("id"), int))
    return sorted(set(keep))


def prune_tokenizer(tokenizer_json: str, keep: list[int]) -> str:
    """``tokenizer_json`` with only the vocabulary ids in ``keep``, renumbered 0, 1, ..."""
    new_id = {old: new for new, old in enumerate(keep)}
    data = json.loads(tokenizer_json)
    vocab = data["model"]["vocab"]
    data["model"]["vocab"] = {t: new_id[i] for t, i in sorted(vocab.items(), key=lambda kv: kv[1])
                              if i in new_id}
    for added in data.get("added_tokens") or []:
        added["id"] = new_id[added["id"]]
    post = data.get("post_processor") or {}
    for processor in post.get("processors", [post]):  # Sequence or a single processor
        for special in (processor.get("special_tokens") or {}).values():
            special["ids"] = [new_id[i] for i in special["ids"]]
        for key in _SPECIAL_TOKENS_KEYS:
            if isinstance(processor.get(key), list):
                processor[key][1] = new_id[processor[key][1]]
    if isinstance(data.get("padding"), dict):
        data["padding"]["pad_id"] = new_id[data["padding"]["pad_id"]]
    return json.dumps(data, ensure_ascii=False)


def prune_embedding_rows(path: Path, keep: list[int], input_name: str, vocab_size: int) -> bool:
    """Keep only the rows ``keep`` of the table that ``Gather(table, input_name)`` reads.

    False (and ``path`` unchanged) unless there is exactly one such table, of ``vocab_size`` rows.
    """
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(path))
    tables = {n.input[0] for n in proto.graph.node if n.op_type == "Gather"
              and n.input[1] == input_name}
    found = [i for i in proto.graph.initializer if i.name in tables]
    if len(found) != 1 or len(found[0].dims) != 2 or found[0].dims[0] != vocab_size:
        return False
    rows = numpy_helper.to_array(found[0])[np.asarray(keep)]
    found[0].CopyFrom(numpy_helper.from_array(np.ascontiguousarray(rows), found[0].name))
    onnx.save(proto, str(path))
    return True


def quantize_weights(src: Path, dst: Path, *, matmul_step: float = MATMUL_STEP,
                     embedding_step: float = EMBEDDING_STEP, min_size: int = 4096) -> None:
    """uint8 weights behind DequantizeLinear for MatMul (per output column) and Gather (per row).

    Weight-only: activations stay float32. ``embedding_step`` applies to the largest Gather table
    (the word embeddings); the other tables (positions) use the finest step.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    proto = onnx.load(str(src))
    graph = proto.graph
    users: dict[str, set[tuple[str, int]]] = {}
    for node in graph.node:
        for index, name in enumerate(node.input):
            users.setdefault(name, set()).add((node.op_type, index))
    tables = [i for i in graph.initializer if users.get(i.name) == {("Gather", 0)}]
    words = max(tables, key=lambda i: int(np.prod(i.dims))).name if tables else None
    dequantize = []
    for init in list(graph.initializer):
        kinds = users.get(init.name, set())
        if init.data_type != TensorProto.FLOAT or len(init.dims) != 2 or not kinds or (
                int(np.prod(init.dims)) < min_size):
            continue
        if kinds == {("MatMul", 1)}:
            axis, step_sd = 1, matmul_step  # [in, out]: one step per output column
        elif kinds == {("Gather", 0)}:
            axis, step_sd = 0, embedding_step if init.name == words else 0.0
        else:
            continue
        codes, step, zero = quantize_channels(numpy_helper.to_array(init), axis, step_sd)
        name = init.name
        graph.initializer.remove(init)
        graph.initializer.extend([numpy_helper.from_array(codes, f"{name}_q"),
                                  numpy_helper.from_array(step, f"{name}_scale"),
                                  numpy_helper.from_array(zero, f"{name}_zero")])
        dequantize.append(helper.make_node("DequantizeLinear", [f"{name}_q", f"{name}_scale",
                                           f"{name}_zero"], [name], name=f"{name}_dq", axis=axis))
    nodes = dequantize + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(dst))


def quantize_channels(weights: Any, axis: int,
                      step_sd: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """uint8 codes, float32 steps and uint8 zero points, one step per entry along ``axis``.

    step = max(step_sd * standard deviation, range / 255): asymmetric, never clipping.
    """
    w = np.asarray(weights, dtype=np.float32)
    across = 1 - axis
    lo = np.minimum(w.min(axis=across), 0.0)
    hi = np.maximum(w.max(axis=across), 0.0)
    step = np.maximum(step_sd * w.std(axis=across), (hi - lo) / 255.0)
    step = np.where(step > 0, step, 1.0).astype(np.float32)
    zero = np.clip(np.round(-lo / step), 0, 255).astype(np.uint8)
    shape = (1, -1) if axis == 1 else (-1, 1)
    codes = np.clip(np.round(w / step.reshape(shape)) + zero.reshape(shape), 0, 255)
    return codes.astype(np.uint8), step, zero


def quantize_blocks(weights: Any, block: int, bits: int = 4, *,
                    shrinks: tuple[float, ...] = (1.0,)) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """Round-to-nearest asymmetric codes of ``weights`` (rows, cols) in blocks of ``block``
    along each row: codes (rows, cols) uint8 in 0 .. 2**bits - 1, and per block float32 scales
    and uint8 zero points (rows, cols // block); ``w ~= (code - zero) * scale``.

    Each block's range is its min .. max times the factor of ``shrinks`` that gives the least
    squared error (1.0 alone: the full range, no weight clipped)."""
    top = 2 ** bits - 1
    w = np.asarray(weights, dtype=np.float32)
    rows, cols = w.shape
    blocks = w.reshape(rows, cols // block, block)
    low = np.minimum(blocks.min(axis=2), 0.0)
    high = np.maximum(blocks.max(axis=2), 0.0)
    best: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    for shrink in shrinks:
        lo, hi = low * shrink, high * shrink
        scale = ((hi - lo) / top).astype(np.float32)
        scale = np.where(scale > 0, scale, np.float32(1.0)).astype(np.float32)
        zero = np.clip(np.rint(-lo / scale), 0, top).astype(np.uint8)
        codes = np.clip(np.rint(blocks / scale[:, :, None]) + zero[:, :, None], 0, top
                        ).astype(np.uint8)
        if len(shrinks) == 1:
            return codes.reshape(rows, cols), scale, zero
        error = np.square((codes - zero[:, :, None].astype(np.float32)) * scale[:, :, None]
                          - blocks).sum(axis=2)
        if best is None:
            best = (error, codes, scale, zero)
            continue
        better = error < best[0]
        best = (np.where(better, error, best[0]), np.where(better[:, :, None], codes, best[1]),
                np.where(better, scale, best[2]), np.where(better, zero, best[3]))
    assert best is not None, "shrinks is empty"
    return best[1].reshape(rows, cols), best[2], best[3]


def pack_nibbles(codes: np.ndarray) -> np.ndarray:
    """(rows, cols) 4-bit codes -> (rows, ceil(cols / 2)) bytes, the even column low."""
    if codes.shape[1] % 2:
        codes = np.pad(codes, ((0, 0), (0, 1)))
    return (codes[:, 0::2] | (codes[:, 1::2] << 4)).astype(np.uint8)


def quantize_blockwise(src: Path, dst: Path, *, block: int = 32, table_bits: int = 4,
                       matmuls: bool = True, min_size: int = 4096,
                       shrinks: tuple[float, ...] = (1.0,), dequantize: bool = False) -> None:
    """4-bit weights: every MatMul by a constant becomes onnxruntime's ``MatMulNBits`` (blocks of
    ``block`` along the input axis, round to nearest, asymmetric) and the word-embedding table's
    Gather a ``GatherBlockQuantized`` of ``table_bits`` (4 or 8) bits in blocks of ``block``
    along each row. Both are com.microsoft contrib operators that onnxruntime's CPU and WASM
    builds run; the rest of the graph stays float32 opset 17. ``matmuls`` False: the table
    only. ``shrinks``: the block ranges tried (``quantize_blocks``).

    ``dequantize``: the MatMuls keep their float32 weights' place behind an opset 21
    ``DequantizeLinear`` of the same uint4 blocks (the graph is converted to opset 21), which
    ``session.disable_quant_qdq`` folds back to float32 at load: the same vectors, and in
    onnxruntime-web's WASM build 2.5x faster than ``MatMulNBits`` (bench/query_encoder.py).
    ``MatMulNBits`` when the graph cannot be converted."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    proto = onnx.load(str(src))
    if dequantize and matmuls:
        try:
            from onnx import version_converter

            proto = version_converter.convert_version(proto, 21)
        except Exception:  # noqa: BLE001 - an op the converter lacks: MatMulNBits instead
            dequantize = False
    graph = proto.graph
    inits = {i.name: i for i in graph.initializer}
    users: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            users[name] = users.get(name, 0) + 1
    tables = [n for n in graph.node if n.op_type == "Gather" and n.input[0] in inits]
    words = max(tables, key=lambda n: int(np.prod(inits[n.input[0]].dims)), default=None)
    nodes, dropped, dequantized = [], set(), []
    for node in graph.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        if (matmuls and weight is not None and weight.data_type == TensorProto.FLOAT
                and len(weight.dims) == 2 and users[weight.name] == 1
                and int(np.prod(weight.dims)) >= min_size and weight.dims[0] % block == 0):
            k, n = (int(d) for d in weight.dims)
            codes, scale, zero = quantize_blocks(numpy_helper.to_array(weight).T, block,
                                                 shrinks=shrinks)
            name = weight.name
            dropped.add(name)
            if dequantize:  # [k, n] codes, [k / block, n] scales and zero points, uint4 packed
                new = [helper.make_tensor(f"{name}_u4", TensorProto.UINT4, [k, n],
                                          pack_nibbles(codes.T.reshape(1, -1)).tobytes(), raw=True),
                       numpy_helper.from_array(np.ascontiguousarray(scale.T), f"{name}_scales"),
                       helper.make_tensor(f"{name}_zeros", TensorProto.UINT4, [k // block, n],
                                          pack_nibbles(zero.T.reshape(1, -1)).tobytes(), raw=True)]
                graph.initializer.extend(new)
                dequantized.append(helper.make_node(
                    "DequantizeLinear", [t.name for t in new], [name], name=f"{name}_dq", axis=0,
                    block_size=block))
                nodes.append(node)
                continue
            new = [numpy_helper.from_array(pack_nibbles(codes).reshape(n, k // block, block // 2),
                                           f"{name}_q4"),
                   numpy_helper.from_array(scale.reshape(-1), f"{name}_scales"),
                   numpy_helper.from_array(pack_nibbles(zero).reshape(-1), f"{name}_zeros")]
            graph.initializer.extend(new)
            nodes.append(helper.make_node(
                "MatMulNBits", [node.input[0]] + [t.name for t in new], list(node.output),
                name=f"{node.name}_q4", domain="com.microsoft", K=k, N=n, bits=4,
                block_size=block))
        elif node is words and users[node.input[0]] == 1:
            table = numpy_helper.to_array(inits[node.input[0]])
            codes, scale, zero = quantize_blocks(table, block, table_bits, shrinks=shrinks)
            name = node.input[0]
            data = pack_nibbles(codes) if table_bits == 4 else codes
            zeros = pack_nibbles(zero) if table_bits == 4 else zero
            new = [numpy_helper.from_array(data, f"{name}_q"),
                   numpy_helper.from_array(scale, f"{name}_scales"),
                   numpy_helper.from_array(zeros, f"{name}_zeros")]
            graph.initializer.extend(new)
            dropped.add(name)
            nodes.append(helper.make_node(
                "GatherBlockQuantized", [new[0].name, node.input[1], new[1].name, new[2].name],
                list(node.output), name=f"{node.name}_q", domain="com.microsoft",
                gather_axis=0, quantize_axis=1, block_size=block, bits=table_bits))
        else:
            nodes.append(node)
    for init in [i for i in graph.initializer if i.name in dropped]:
        graph.initializer.remove(init)
    del graph.node[:]
    graph.node.extend(dequantized + nodes)
    if not any(o.domain == "com.microsoft" for o in proto.opset_import):
        proto.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(proto, str(dst))
