"""The float32 ONNX document embedder: the same windows and vectors as sentence-transformers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _sitebuild import MODEL, REPO

from vibesite.config import Config
from vibesite.model import configured as configured_module
from vibesite.model.base import EncoderFiles
from vibesite.model.configured import SMALL_BATCH, default_embedder
from vibesite.model.onnx_export import _cached, cached_document_encoder
from vibesite.model.onnx_runtime import OnnxDocumentEmbedder
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder

PARAGRAPH = ("Incremental builds hash each article's text and embed only what changed; the "
             "vectors live in SQLite next to the rendered pages, so a rebuild is quick. ")
DOCUMENTS = [  # (title, body)
    ("Short", "One line."),
    ("Empty body", ""),
    ("", "A body without a title."),
    ("", ""),
    ("Exactly at the budget?", "word " * 248),
    ("Just over the budget", "word " * 260),
    ("Long", PARAGRAPH * 40),  # ~1000 tokens: 4+ windows
    ("Very long, many windows", (PARAGRAPH + "\n\n") * 120),
    ("Unicode — café naïve", "Καλημέρα κόσμε. 日本語の検索とデータベース。 数据库备份 🚀🔥 " * 30),
    ("CJK", "静的サイトジェネレーターは記事を埋め込みます。" * 60),
    ("Code", "```python\nfor i in range(10):\n    print(f'{i!r:>4}')\n```\n" * 40),
    ("Whitespace   and\ttabs", "  lots   of\t\tspaces \r\n and CRLF\r\n\r\n" * 80),
    ("Special tokens [SEP]", "[CLS] literal [SEP] tokens [MASK] and [PAD] in text. " * 40),
    ("A very long title " * 30, "A short body that still needs windows. " * 20),
    ("Ligatures ﬁ ＡＢＣ", "supercalifragilisticexpialidocious antidisestablishmentarianism " * 90),
    ("Accents", "Crème brûlée, jalapeño, Ærøskøbing, Straße, İstanbul. " * 50),
]


@pytest.fixture(scope="session")
def document_files(exported_model: tuple[Path, EncoderFiles]) -> tuple[Path, EncoderFiles]:
    """The float32 document encoder of the session's export: (its cache folder, its files)."""
    cache, _ = exported_model
    files = cached_document_encoder(MODEL, cache)
    assert files is not None
    return cache, files


@pytest.fixture(scope="session")
def onnx_embedder(document_files: tuple[Path, EncoderFiles]) -> OnnxDocumentEmbedder:
    return OnnxDocumentEmbedder(document_files[1], batch_size=16)


def test_same_model_id_and_max_tokens(onnx_embedder: OnnxDocumentEmbedder,
                                      real_embedder: SentenceTransformerEmbedder) -> None:
    assert onnx_embedder.model_id == real_embedder.model_id
    assert onnx_embedder.max_tokens == real_embedder.max_tokens == 256
    assert onnx_embedder.files.model_onnx.name == "document.onnx"
    assert onnx_embedder.files.dim == 384


def test_windows_are_identical(onnx_embedder: OnnxDocumentEmbedder,
                               real_embedder: SentenceTransformerEmbedder) -> None:
    counts = []
    for title, body in DOCUMENTS:
        want = real_embedder.windows(title, body)
        assert onnx_embedder.windows(title, body) == want, title
        counts.append(len(want))
    assert max(counts) > 10 and sum(1 for n in counts if n > 3) >= 4  # long ones were split
    assert counts[:4] == [1, 1, 1, 1]


def test_token_counts_are_identical(onnx_embedder: OnnxDocumentEmbedder,
                                    real_embedder: SentenceTransformerEmbedder) -> None:
    texts = [f"{t}\n\n{b}" for t, b in DOCUMENTS] + ["", "a", "x " * 300]
    for text in texts:
        assert onnx_embedder.count_tokens([text]) == real_embedder.count_tokens([text]), text[:40]
    assert onnx_embedder.count_tokens(texts) == real_embedder.count_tokens(texts)


def _encode_texts(real_embedder: SentenceTransformerEmbedder) -> list[str]:
    windows = [w for t, b in DOCUMENTS[4:11] for w in real_embedder.windows(t, b)[:2]]
    raw = [PARAGRAPH * 30, "日本語 " * 400, "word " * 600]  # > 256 tokens: truncated by both
    short = ["", "a", "?", "sqlite backup tools", "Καλημέρα κόσμε", "emoji 🚀🔥"]
    return windows + raw + short


def test_vectors_match_sentence_transformers(onnx_embedder: OnnxDocumentEmbedder,
                                             real_embedder: SentenceTransformerEmbedder) -> None:
    texts = _encode_texts(real_embedder)
    assert len(texts) >= 20
    lengths = [len(real_embedder.tokenizer.tokenize(t)) for t in texts]
    assert sum(1 for n in lengths if n > 200) >= 10 and sum(1 for n in lengths if n > 256) == 3
    got = onnx_embedder.encode(texts)
    want = real_embedder.encode(texts)
    assert got.shape == want.shape == (len(texts), 384) and got.dtype == np.float32
    cosine = (got * want).sum(axis=1)
    assert cosine.min() >= 0.9999, [(t[:30], round(float(c), 6))
                                    for t, c in zip(texts, cosine, strict=True)]
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_batching_and_order_do_not_change_vectors(
        document_files: tuple[Path, EncoderFiles],
        onnx_embedder: OnnxDocumentEmbedder,
        real_embedder: SentenceTransformerEmbedder) -> None:
    texts = _encode_texts(real_embedder)[::2]  # long and short ones
    whole = onnx_embedder.encode(texts)
    small = OnnxDocumentEmbedder(document_files[1], batch_size=3).encode(texts)
    single = np.concatenate([onnx_embedder.encode([t]) for t in texts])
    np.testing.assert_allclose(small, whole, atol=1e-5)
    np.testing.assert_allclose(single, whole, atol=1e-5)
    assert onnx_embedder.encode([]).shape == (0, 384)


def test_cached_document_encoder_finds_only_a_finished_export(
        tmp_path: Path, document_files: tuple[Path, EncoderFiles]) -> None:
    assert cached_document_encoder(MODEL, tmp_path / "empty") is None
    cache, files = document_files
    assert cached_document_encoder(MODEL, cache) == files
    folder = tmp_path / "copy"  # an export without document.onnx is not a cache hit
    folder.mkdir()
    for name in ("encoder.json", "tokenizer.json", "model.onnx"):
        shutil.copy(files.model_onnx.parent / name, folder / name)
    assert _cached(folder) is None
    (folder / "document.onnx").write_bytes(b"")
    assert _cached(folder) is not None
    info = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
    del info["document_onnx"]  # an export from an older vibesite
    (folder / "encoder.json").write_text(json.dumps(info), encoding="utf-8")
    assert _cached(folder) is None


def test_encoding_imports_no_torch(document_files: tuple[Path, EncoderFiles]) -> None:
    cache, files = document_files
    script = ("import sys; from pathlib import Path; "
              "from vibesite.model.onnx_export import cached_document_encoder; "
              "from vibesite.model.onnx_runtime import OnnxDocumentEmbedder; "
              f"f = cached_document_encoder({MODEL!r}, Path({str(cache)!r})); "
              "v = OnnxDocumentEmbedder(f).encode(['x']); "
              "print(f.model_onnx, v.shape, v.dtype, "
              "*(m in sys.modules for m in ('torch', 'sentence_transformers', 'transformers')))")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                         text=True, check=True, timeout=60).stdout.split()
    assert out == [str(files.model_onnx), "(1,", "384)", "float32", "False", "False", "False"]


class _NoTorch:
    """Stands in for SentenceTransformerEmbedder: records that it was chosen, loads nothing."""

    def __init__(self, name: str, batch_size: int, device: str) -> None:
        self.args = (name, batch_size, device)


def test_default_embedder_uses_the_export_for_a_few_articles(
        tmp_path: Path, document_files: tuple[Path, EncoderFiles],
        real_embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(configured_module, "SentenceTransformerEmbedder", _NoTorch)
    cache, files = document_files
    config = Config(cache_dir=cache, batch_size=8)
    chosen = default_embedder(config, 3)
    assert isinstance(chosen, OnnxDocumentEmbedder)
    assert (chosen.files, chosen.batch_size, chosen.model_id) == (files, 8, real_embedder.model_id)
    texts = real_embedder.windows(*DOCUMENTS[6]) + ["sqlite backup tools"]
    cosine = (chosen.encode(texts) * real_embedder.encode(texts)).sum(axis=1)
    assert cosine.min() >= 0.9999

    assert isinstance(default_embedder(config, SMALL_BATCH), OnnxDocumentEmbedder)
    many = default_embedder(config, SMALL_BATCH + 1)  # a big batch: sentence-transformers
    assert isinstance(many, _NoTorch) and many.args == (MODEL, 8, "auto")
    cold = default_embedder(Config(cache_dir=tmp_path / "cold"), 3)  # not exported yet
    assert isinstance(cold, _NoTorch)


def test_a_title_longer_than_the_model_still_gets_a_window(
        real_embedder: SentenceTransformerEmbedder) -> None:
    title = "word " * 400
    assert real_embedder.windows(title, "") == [title.strip()]
    vector = real_embedder.encode(real_embedder.windows(title, ""))
    assert np.isfinite(vector).all()
