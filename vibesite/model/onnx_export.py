"""Export the sentence-transformers model to a small ONNX query encoder for in-browser search.

The graph takes ``input_ids`` and ``attention_mask`` (int64 ``[batch, sequence]``, right-padded)
and returns ``sentence_embedding`` (float32 ``[batch, dim]``): the transformer, the model's own
pooling (cls / mean / max) and L2 normalisation are all inside, so a client only tokenizes and
runs. ``token_type_ids`` is never an input: a single query is segment 0, which the graph uses.
The vocabulary keeps only the tokens that tokenizing can produce (``[unused*]`` and the like are
dropped from ``tokenizer.json`` and the embedding table alike, ids renumbered), and weights are
4-bit in blocks of 128 (vibesite.model.onnx_quantize): the MatMuls' weights uint4 behind
``DequantizeLinear`` (opset 21), the token table as onnxruntime's ``GatherBlockQuantized``, and
the position table uint8 behind ``DequantizeLinear``; run it with the session option
``session.disable_quant_qdq = 1`` so onnxruntime folds those back to float32 once at load
(onnxruntime-web: ``extra: {session: {disable_quant_qdq: "1"}}``): float32 MatMuls, in the
browser 2.5x faster than ``MatMulNBits`` with the same codes and vectors. The variant was
chosen by retrieval quality (bench/query_encoder.py, all-MiniLM-L6-v2, SciFact's 300 queries
through the site's own search with score fusion; gzip MB, semantic-only and fused nDCG@10):
float32 81.6, 0.6636, 0.7433; export 5 (table 4-bit, MatMuls uint8) 15.5, 0.6666, 0.7430;
this 10.9, 0.6639, 0.7410;
4-bit blocks of 64 and 32 12.3 and 13.9 MB, both more than 0.01 under float32 semantic-only.
Under the earlier rank fusion all-4-bit missed the fused bar 0.72 (0.7184).
``tokenizer.json`` truncates to the model's ``max_seq_length`` and does not pad.

The same folder holds ``document.onnx``, the float32 graph before quantisation (same pruned
vocabulary), and ``document-int8.onnx``, that graph with int8 MatMuls
(vibesite.model.onnx_int8), which ``OnnxDocumentEmbedder`` (vibesite.model.onnx_runtime) runs to
embed articles at build time, faster than torch and without importing it;
``cached_build_encoder`` finds it (the float32 graph if the int8 one failed its check).

Exports are cached by content under ``cache_dir/onnx/<key>/``; a cache hit imports no torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import inspect
import json
import os
import shutil
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from vibesite.model.base import EncoderFiles, ModelError, model_location
from vibesite.model.base import model_id as default_model_id
from vibesite.model.onnx_int8 import INT8_FILE, quantize_document
from vibesite.model.onnx_quantize import (
    prune_embedding_rows,
    prune_tokenizer,
    quantize_blockwise,
    quantize_weights,
    reachable_token_ids,
)
from vibesite.model.onnx_runtime import OUTPUT, OnnxDocumentEmbedder, OnnxQueryEncoder

# 2: + document.onnx (float32); 3: pruned vocabulary, coarser steps; 4: 4-bit token table;
# 5: + document-int8.onnx (the build's encoder); 6: 4-bit MatMuls too (opset 21); 7:
# document-int8.onnx with 7-bit weights (vibesite.model.onnx_int8: no saturation without VNNI)
EXPORT_VERSION = 7
OPSET = 17
BLOCK = 128  # weights per 4-bit block (GatherBlockQuantized, MatMulNBits)
# Self-check against sentence-transformers at export: catches a broken graph, not a quality bar
# (that is SciFact's ranking, bench/query_encoder.py). Least cosine over the bench's 48 test
# sentences: 0.819 ("?"; 0.841 for "word " * 400, the least of _CHECK_TEXTS); mean 0.945.
MIN_COSINE = 0.75
MIN_DOCUMENT_COSINE = 0.9999  # the float32 graph: rounding only
MIN_INT8_COSINE = 0.95  # int8 build encoder: a broken quantization (not a quality bar: bench)
INPUTS = ("input_ids", "attention_mask")  # -> OUTPUT, "sentence_embedding"
POOLINGS = ("cls", "mean", "max", "mean_sqrt_len_tokens")  # mean_sqrt_len == mean once normalised
_INFO = "encoder.json"
_SKIP_DIRS = {"onnx", "openvino"}  # prebuilt variants some hub repos ship; not what we export
_CHECK_TEXTS = ["sqlite backup tools", "How do I REBASE a Git branch onto main?", "a",
                "Καλημέρα κόσμε, café naïve, 日本語の検索 🚀", "word " * 400]


def export_query_encoder(model: str, cache_dir: Path, *,
                         model_id: str | None = None) -> EncoderFiles:
    """The cached ONNX query encoder of ``model``, exported on the first call (needs torch)."""
    mid = model_id or default_model_id(model)
    location = model_location(model)
    root = Path(cache_dir) / "onnx"
    folder = _local_folder(location)
    if folder is not None and (hit := _cached(root / _cache_key(mid, folder))):
        return hit
    st = _load_sentence_transformer(model, location)
    folder = folder or _local_folder(location)
    if folder is None:
        raise ModelError(f"cannot find the local files of the model {model!r} after loading it; "
                         "set `model` to a local folder to export it for search")
    final = root / _cache_key(mid, folder)
    if hit := _cached(final):
        return hit
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(".tmp-*"):  # left by a killed export an hour or more ago
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        _export(st, tmp, mid, model)
        tmp.chmod(0o755)  # mkdtemp makes it private
        try:
            os.rename(tmp, final)
        except OSError:  # another process finished the same export first
            if not _cached(final):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if files := _cached(final):
        _remove_superseded(root, final, files.model_id)
        return files
    raise ModelError(f"the ONNX export of {model!r} in {final} is unreadable; delete that folder")


def cached_document_encoder(model: str, cache_dir: Path, *,
                            model_id: str | None = None) -> EncoderFiles | None:
    """The float32 export of ``model`` if it is in the cache already, else None.

    Never exports and never imports torch, sentence-transformers or transformers; it hashes the
    model's files (~0.1 s for all-MiniLM-L6-v2), like a cache hit of export_query_encoder.
    """
    if not all(importlib.util.find_spec(m) for m in ("onnxruntime", "tokenizers")):
        return None
    mid = model_id or default_model_id(model)
    try:
        folder = _local_folder(model_location(model))
        return None if folder is None else _cached_document(
            Path(cache_dir) / "onnx" / _cache_key(mid, folder))
    except OSError:
        return None


def cached_build_encoder(model: str, cache_dir: Path, *,
                         model_id: str | None = None) -> EncoderFiles | None:
    """The document encoder builds embed with, if in the cache: the int8 one, or the float32
    one of an export whose int8 copy failed its check. Never exports, never imports torch."""
    found = cached_document_encoder(model, cache_dir, model_id=model_id)
    if found is None:
        return None
    info = json.loads((found.model_onnx.parent / _INFO).read_text(encoding="utf-8"))
    int8 = info.get("document_int8")
    if isinstance(int8, str) and (found.model_onnx.parent / int8).is_file():
        return replace(found, model_onnx=found.model_onnx.parent / int8)
    return found


def _local_folder(location: str) -> Path | None:
    """The folder holding the model's files, without loading it (hub models: the local cache)."""
    if Path(location).is_dir():
        return Path(location)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(default_model_id(location), local_files_only=True))
    except Exception:  # noqa: BLE001 - not downloaded yet (or no hub client): load it first
        return None


def _cache_key(mid: str, folder: Path) -> str:
    digest = hashlib.sha256(f"vibesite-onnx {EXPORT_VERSION} {OPSET}\n{mid}\n".encode())
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(p.startswith(".") or p in _SKIP_DIRS for p in rel.parts):
            continue
        file_hash = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                file_hash.update(chunk)
        digest.update(f"{rel.as_posix()}\0{path.stat().st_size}\0{file_hash.hexdigest()}\n"
                      .encode())
    return digest.hexdigest()[:32]


def _cached(folder: Path) -> EncoderFiles | None:
    """The query encoder in ``folder`` if the whole export (document.onnx too) is there."""
    try:
        info = json.loads((folder / _INFO).read_text(encoding="utf-8"))
        files = EncoderFiles(folder / info["model_onnx"], folder / info["tokenizer_json"],
                                  int(info["max_length"]), int(info["dim"]), str(info["model_id"]))
        document = folder / info["document_onnx"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    ok = files.model_onnx.is_file() and files.tokenizer_json.is_file() and document.is_file()
    return files if ok else None


def _remove_superseded(root: Path, current: Path, mid: str) -> None:
    """Delete the earlier exports of the same model (an older vibesite export format, or
    older model files): ~115 MB each for MiniLM, never read again. Other models' stay."""
    for folder in root.iterdir():
        if folder == current or folder.name.startswith(".") or not folder.is_dir():
            continue
        found = _cached(folder)
        if found is not None and found.model_id == mid:
            shutil.rmtree(folder, ignore_errors=True)


def _cached_document(folder: Path) -> EncoderFiles | None:
    if (query := _cached(folder)) is None:
        return None
    info = json.loads((folder / _INFO).read_text(encoding="utf-8"))
    return EncoderFiles(folder / info["document_onnx"], query.tokenizer_json,
                                query.max_length, query.dim, query.model_id)


def _load_sentence_transformer(model: str, location: str) -> Any:
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()  # "Loading weights": noise, --quiet too
        return SentenceTransformer(location, device="cpu")
    except Exception as exc:  # noqa: BLE001 - same advice for any load failure
        raise ModelError(f"cannot load the model {model!r} to export it for search: {exc}") from exc


def _export(st: Any, out: Path, mid: str, model: str) -> None:
    """Write model.onnx, document.onnx, tokenizer.json and (last) encoder.json into ``out``;
    self-check them against the model."""
    try:
        import onnx  # noqa: F401 - fail early with the install hint
        import onnxruntime  # noqa: F401
        import torch
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelError(f"exporting the search model needs {exc.name}: "
                         "`pip install onnx onnxruntime`") from exc
    advice = (f"cannot export {model!r} for in-browser search: {{}}. Use a BERT-family "
              "sentence-transformers model (Transformer + Pooling [+ Normalize], e.g. the default "
              "all-MiniLM-L6-v2) or build without the semantic search model")
    transformer, pooling = _pipeline(st, advice)
    if getattr(st, "default_prompt_name", None):
        raise ModelError(advice.format(f"it prepends the prompt {st.default_prompt_name!r}"))
    tokenizer = getattr(st, "tokenizer", None)
    if not getattr(tokenizer, "is_fast", False):
        raise ModelError(advice.format("it has no fast (tokenizer.json) tokenizer"))
    max_length = int(st.max_seq_length)
    tok = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    tok.no_padding()
    tok.enable_truncation(max_length)
    tokenizer_json = tok.to_str()
    with contextlib.suppress(Exception):  # plain MatMul/Softmax attention runs everywhere
        transformer.auto_model.set_attn_implementation("eager")
    try:
        wrapper = _encoder_class()(transformer.auto_model, pooling).eval()
        example = tokenizer(["vibesite query encoder export", "a"], padding=True,
                            return_tensors="pt")  # padded rows: the mask path gets traced
        args = (example["input_ids"], example["attention_mask"])
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dim = int(wrapper(*args).shape[1])
            _torch_export(torch, wrapper, args, out / "float.onnx")
        keep = reachable_token_ids(tokenizer_json)
        try:  # before the graph changes: a tokenizer it cannot renumber is left whole
            pruned = prune_tokenizer(tokenizer_json, keep) if keep is not None else None
        except (KeyError, TypeError, ValueError):
            pruned = None
        if pruned is not None and keep is not None and prune_embedding_rows(
                out / "float.onnx", keep, INPUTS[0], tok.get_vocab_size()):
            tokenizer_json = pruned
        (out / "tokenizer.json").write_text(tokenizer_json, encoding="utf-8")
        quantize_blockwise(out / "float.onnx", out / "blocks.onnx", block=BLOCK, dequantize=True)
        quantize_weights(out / "blocks.onnx", out / "model.onnx")  # the position table
        (out / "blocks.onnx").unlink()
        os.replace(out / "float.onnx", out / "document.onnx")
        int8_cosine = _int8_document(out, EncoderFiles(out / INT8_FILE, out / "tokenizer.json",
                                                       max_length, dim, mid), st)
        files = EncoderFiles(out / "model.onnx", out / "tokenizer.json", max_length, dim, mid)
        got = OnnxQueryEncoder(files).encode(_CHECK_TEXTS)
        document = OnnxDocumentEmbedder(EncoderFiles(
            out / "document.onnx", out / "tokenizer.json", max_length, dim, mid))
        got_document = document.encode(_CHECK_TEXTS)
        same_tokens = all(document.tokenizer.encode(t, add_special_tokens=False).tokens
                          == tokenizer.tokenize(t) for t in _CHECK_TEXTS)
    except Exception as exc:  # noqa: BLE001 - any exporter failure gets the same advice
        raise ModelError(advice.format(f"{type(exc).__name__}: {exc}")) from exc
    want = st.encode(_CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    cosine = float((got * want).sum(axis=1).min())
    document_cosine = float((got_document * want).sum(axis=1).min())
    if cosine < MIN_COSINE or document_cosine < MIN_DOCUMENT_COSINE:
        raise ModelError(advice.format(f"the ONNX vectors differ from the model's (cosine "
                                       f"{cosine:.4f}, float32 {document_cosine:.6f})"))
    if not same_tokens:
        raise ModelError(advice.format("its tokenizer.json splits text unlike the model"))
    info = {"model_onnx": "model.onnx", "tokenizer_json": "tokenizer.json",
            "document_onnx": "document.onnx",
            "document_int8": INT8_FILE if int8_cosine is not None else None,
            "max_length": max_length, "dim": dim, "model_id": mid, "pooling": pooling,
            "min_cosine_check": round(cosine, 5),
            "min_cosine_check_document": round(document_cosine, 6),
            "min_cosine_check_int8": None if int8_cosine is None else round(int8_cosine, 5),
            "inputs": list(INPUTS), "output": OUTPUT, "export_version": EXPORT_VERSION}
    (out / _INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def _int8_document(out: Path, files: EncoderFiles, st: Any) -> float | None:
    """Write the int8 build encoder (vibesite.model.onnx_int8) and check it against the model:
    its least cosine on the check texts, or None (and no file) if it fails either."""
    try:
        quantize_document(out / "document.onnx", files.model_onnx)
        got = OnnxDocumentEmbedder(files).encode(_CHECK_TEXTS)
    except Exception:  # noqa: BLE001 - the float32 graph still embeds, only slower
        files.model_onnx.unlink(missing_ok=True)
        return None
    want = st.encode(_CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    cosine = float((got * want).sum(axis=1).min())
    if cosine < MIN_INT8_COSINE:
        files.model_onnx.unlink(missing_ok=True)
        return None
    return cosine


def _pipeline(st: Any, advice: str) -> tuple[Any, str]:
    """The Transformer module and the pooling mode; anything else in the pipeline is refused."""
    modules = list(st)
    names = [type(m).__name__ for m in modules]
    if len(modules) < 2 or not hasattr(modules[0], "auto_model") or names[1] != "Pooling" or any(
            n != "Normalize" for n in names[2:]):
        raise ModelError(advice.format(f"its modules are {' -> '.join(names)}"))
    pooler = modules[1]
    mode = getattr(pooler, "pooling_mode", None)
    if not isinstance(mode, str) and hasattr(pooler, "get_pooling_mode_str"):
        mode = pooler.get_pooling_mode_str()  # sentence-transformers < 6
    if mode not in POOLINGS:
        raise ModelError(advice.format(f"its pooling {mode!r} is not one of {', '.join(POOLINGS)}"))
    return modules[0], mode


def _encoder_class() -> type:
    """torch.nn.Module: transformer, the model's pooling, then L2 normalisation."""
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self, auto_model: Any, pooling: str) -> None:
            super().__init__()
            self.auto_model, self.pooling = auto_model, pooling

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.auto_model(input_ids=input_ids,
                                     attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            if self.pooling == "cls":
                pooled = hidden[:, 0]
            elif self.pooling == "max":
                pooled = hidden.masked_fill(mask == 0, -1e9).max(dim=1).values
            else:
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return Encoder


def _torch_export(torch: Any, wrapper: Any, args: tuple, path: Path) -> None:
    legacy = "dynamo" in inspect.signature(torch.onnx.export).parameters
    kwargs = {"dynamo": False} if legacy else {}  # TorchScript exporter; dynamo needs onnxscript
    axes = {"batch": 0, "sequence": 1}
    torch.onnx.export(
        wrapper, args, str(path), input_names=list(INPUTS), output_names=[OUTPUT],
        dynamic_axes={**{n: {v: k for k, v in axes.items()} for n in INPUTS}, OUTPUT: {0: "batch"}},
        opset_version=OPSET, do_constant_folding=True, **kwargs)
