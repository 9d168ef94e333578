"""The query encoder trimmed to a site's vocabulary: fewer rows, the same vectors for its words."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from vibesite.model.base import EncoderFiles
from vibesite.model.onnx_runtime import OnnxQueryEncoder
from vibesite.model.onnx_vocabulary import COMMON_TOKENS, site_encoder, site_vocabulary

SITE = ["Backing up SQLite with litestream", "Rebasing a branch onto main with git"]


def vocabulary(files: EncoderFiles) -> dict[str, int]:
    return json.loads(files.tokenizer_json.read_text(encoding="utf-8"))["model"]["vocab"]


def test_keeps_the_common_ids_the_sites_tokens_and_every_character(
        exported_model: tuple[Path, EncoderFiles]) -> None:
    files = exported_model[1]
    full = vocabulary(files)
    keep = site_vocabulary(files.tokenizer_json.read_text(encoding="utf-8"), SITE)
    assert keep is not None and keep == sorted(set(keep)) and len(keep) < len(full)
    kept = set(keep)
    assert set(range(COMMON_TOKENS)) <= kept
    assert full["litestream"] not in kept if "litestream" in full else True
    assert all(full[t] in kept for t in ("##st", "##ream") if t in full)
    assert all(i in kept for t, i in full.items() if len(t) == 1 or (t[:2] == "##"
                                                                     and len(t) == 3))


def test_trimmed_encoder_gives_the_full_vectors_for_kept_words_and_tokenizes_anything(
        exported_model: tuple[Path, EncoderFiles]) -> None:
    files = exported_model[1]
    keep = site_vocabulary(files.tokenizer_json.read_text(encoding="utf-8"), SITE)
    trimmed = site_encoder(files, keep)
    assert trimmed.model_onnx.parent.parent.name == "vocabulary"
    assert site_encoder(files, keep) == trimmed  # written once
    assert trimmed.model_onnx.stat().st_size < 0.95 * files.model_onnx.stat().st_size  # ~0.9
    assert len(vocabulary(trimmed)) == len(keep)
    queries = ["backing up sqlite with litestream", "rebasing onto main", "the weather today"]
    want = OnnxQueryEncoder(files).encode(queries)
    got = OnnxQueryEncoder(trimmed).encode(queries)
    np.testing.assert_allclose(got, want, atol=1e-5)
    tokenizer = Tokenizer.from_file(str(trimmed.tokenizer_json))
    rare = tokenizer.encode("pneumonoultramicroscopic xylophonist").tokens
    assert "[UNK]" not in rare and len(rare) > 4  # split into kept pieces, never unknown
    assert site_encoder(files, None) == files
