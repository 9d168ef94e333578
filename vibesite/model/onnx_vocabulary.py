"""Trim the browser's query encoder to the vocabulary one site needs.

In: the cached 4-bit export of the model (``EncoderFiles``: model.onnx with its token table
behind ``GatherBlockQuantized``, tokenizer.json) and the site's texts. Out: ``EncoderFiles`` of
a copy whose tokenizer and token table keep only the entries that the site's own text produces,
the ``COMMON_TOKENS`` first ids of the vocabulary and every single character (so any word
still tokenizes, in more pieces), written once under the export's ``vocabulary/`` folder.

The token table is most of the model's bytes. A WordPiece vocabulary trained on English (BERT's,
which MiniLM uses) lists its words from the most frequent after the characters (id 1002
"the"), so its first ids are a common-English word list that queries about things the site
never says still find. The table's 4-bit blocks lie along each row, so dropping rows needs no
re-quantization: the same query gives the same vector as the full export whenever its words
are kept. SciFact (bench/query_encoder.py, export 6, score fusion; gzip MB, semantic-only and
fused nDCG@10): all 29,191 rows 10.90, 0.6639, 0.7410; the site's tokens and the first 20,000
ids 9.89, 0.6639, 0.7410; 10,000 ids 8.93, 0.6639, 0.7421. SciFact cannot tell 10,000 from
20,000 (its queries' words are mostly its abstracts'), but a word that is neither becomes
pieces and loses its meaning: with export 5, of the browser test's 20 sentences on its
six-article site, "recipes for a quick vegetarian dinner" fell to cosine 0.55 to the full
model with 10,000 common ids, hence 20,000 (recipes is id 18,333; min 0.60). The least cosine
of SciFact's 300 queries to sentence-transformers says the same: 0.84 with 10,000 ids, 0.93
with 20,000, as untrimmed.

Builds do not ship a trimmed copy; only bench/query_encoder.py makes them. Random letters (the
semantic floor's calibration queries) fell to cosine 0.40 to the full model, which raised the
demo's floor from 0.29 to 0.34, and the words a site lacks are what semantic search is for.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np

from vibesite.model.base import EncoderFiles
from vibesite.model.onnx_quantize import prune_tokenizer

COMMON_TOKENS = 20_000
FOLDER = "vocabulary"
_BATCH = 256


def site_vocabulary(tokenizer_json: str, texts: Iterable[str],
                    common: int = COMMON_TOKENS) -> list[int] | None:
    """The ids to keep, ascending; None when nothing would be dropped or the tokenizer is not
    WordPiece (a vocabulary of whole words and ``##`` pieces)."""
    from tokenizers import Tokenizer

    data = json.loads(tokenizer_json)
    model = data.get("model") or {}
    vocab = model.get("vocab")
    if model.get("type") != "WordPiece" or not isinstance(vocab, dict):
        return None
    prefix = model.get("continuing_subword_prefix") or "##"
    keep = {i for t, i in vocab.items() if i < common or len(t) == 1
            or (t.startswith(prefix) and len(t) == len(prefix) + 1)}
    keep.update(t["id"] for t in data.get("added_tokens") or [] if isinstance(t.get("id"), int))
    tokenizer = Tokenizer.from_str(tokenizer_json)
    tokenizer.no_truncation()
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) == _BATCH:
            keep.update(i for e in tokenizer.encode_batch(batch) for i in e.ids)
            batch = []
    keep.update(i for e in tokenizer.encode_batch(batch) for i in e.ids)
    return None if len(keep) >= len(vocab) else sorted(keep)


def site_encoder(encoder: EncoderFiles, keep: list[int] | None) -> EncoderFiles:
    """The export with only the token ids ``keep`` (renumbered 0, 1, ...), written once under
    ``<export>/vocabulary/<hash>/``; the other vocabularies there are removed (a cache holds
    one site). ``encoder`` itself when ``keep`` is None or its table is not 4-bit blocks."""
    if keep is None:
        return encoder
    digest = hashlib.sha256(np.asarray(keep, dtype="<u4").tobytes())
    digest.update(encoder.model_onnx.name.encode())
    root = encoder.model_onnx.parent / FOLDER
    folder = root / digest.hexdigest()[:16]
    files = replace(encoder, model_onnx=folder / encoder.model_onnx.name,
                    tokenizer_json=folder / encoder.tokenizer_json.name)
    if files.model_onnx.is_file() and files.tokenizer_json.is_file():
        return files
    tokenizer_json = encoder.tokenizer_json.read_text(encoding="utf-8")
    proto = _trimmed_graph(encoder.model_onnx, keep, len(json.loads(tokenizer_json)["model"]
                                                         ["vocab"]))
    if proto is None:
        return encoder
    if root.is_dir():
        for other in root.iterdir():
            shutil.rmtree(other, ignore_errors=True)
    tmp = root / f".tmp-{folder.name}"
    tmp.mkdir(parents=True, exist_ok=True)
    import onnx

    onnx.save(proto, str(tmp / files.model_onnx.name))
    (tmp / files.tokenizer_json.name).write_text(prune_tokenizer(tokenizer_json, keep),
                                                 encoding="utf-8")
    tmp.replace(folder)
    return files


def _trimmed_graph(model_onnx: Path, keep: list[int], vocab_size: int) -> object | None:
    """The graph with rows ``keep`` of the ``GatherBlockQuantized`` table that ``input_ids``
    indexes (its codes, scales and zero points); None if there is no such table."""
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(model_onnx))
    inits = {i.name: i for i in proto.graph.initializer}
    gathers = [n for n in proto.graph.node if n.op_type == "GatherBlockQuantized"
               and n.input[1] == "input_ids"]
    if len(gathers) != 1:
        return None
    tensors = [inits.get(name) for name in gathers[0].input[:1] + gathers[0].input[2:]]
    if any(t is None or t.dims[0] != vocab_size for t in tensors):
        return None
    rows = np.asarray(keep)
    for tensor in tensors:
        array = numpy_helper.to_array(tensor)[rows]
        tensor.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(array), tensor.name))
    return proto
