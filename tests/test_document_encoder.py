"""The ONNX document encoders: the float32 graph gives sentence-transformers' windows and
vectors; the int8 one, which builds embed with, close vectors and the same neighbours."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from _sitebuild import MODEL, REPO, build_quiet, share_onnx_cache, site_config

from vibesite.config import Config
from vibesite.embeddings.store import content_hash
from vibesite.model import configured as configured_module
from vibesite.model.base import EncoderFiles, ModelError
from vibesite.model.configured import ConfiguredModel, default_embedder
from vibesite.model.onnx_export import _cached, cached_build_encoder, cached_document_encoder
from vibesite.model.onnx_int8 import INT8_ENCODER, INT8_FILE
from vibesite.model.onnx_runtime import OnnxDocumentEmbedder, cpu_cores
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
    return OnnxDocumentEmbedder(document_files[1])


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


def test_a_text_gets_the_same_vector_whatever_else_is_encoded(
        document_files: tuple[Path, EncoderFiles],
        real_embedder: SentenceTransformerEmbedder) -> None:
    """Each text is run on its own, so its vector is the same bit for bit alone, among other
    texts in any order, and with one worker or several; the int8 graph too (it quantizes
    activations per run, so in a padded batch its vectors moved with their batchmates)."""
    texts = _encode_texts(real_embedder)[::2]  # long and short ones
    for files in (document_files[1], cached_build_encoder(MODEL, document_files[0])):
        assert files is not None
        two, one = OnnxDocumentEmbedder(files, workers=2), OnnxDocumentEmbedder(files, workers=1)
        whole = two.encode(texts)
        single = np.concatenate([one.encode([t]) for t in texts])
        backwards = two.encode(texts[::-1] + texts[:3])
        np.testing.assert_array_equal(single, whole)
        np.testing.assert_array_equal(backwards[: len(texts)][::-1], whole)
        np.testing.assert_array_equal(one.encode(texts), whole)
        assert two.encode([]).shape == (0, 384)


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


def test_default_embedder_is_the_int8_export_for_any_count(
        tmp_path: Path, document_files: tuple[Path, EncoderFiles],
        real_embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(configured_module, "SentenceTransformerEmbedder", _NoTorch)
    cache, files = document_files
    config = Config(cache_dir=cache, batch_size=8)
    for count in (1, 3, 10_000):
        chosen = default_embedder(config, count)
        assert isinstance(chosen, OnnxDocumentEmbedder)
        assert chosen.files == replace(files, model_onnx=files.model_onnx.parent / INT8_FILE)
        assert (chosen.workers, chosen.model_id) == (cpu_cores(), real_embedder.model_id)
        assert chosen.encoder == INT8_ENCODER == ConfiguredModel(config).encoder
    gpu = default_embedder(replace(config, device="cuda"), 3)  # torch on the GPU
    assert isinstance(gpu, _NoTorch) and gpu.args == (MODEL, 8, "cuda")
    assert ConfiguredModel(replace(config, device="cuda")).encoder == ""
    monkeypatch.setattr(configured_module, "NVIDIA_DRIVER", tmp_path)  # "auto" with a GPU
    assert isinstance(default_embedder(config, 3), _NoTorch)
    assert isinstance(default_embedder(replace(config, device="cpu"), 3), OnnxDocumentEmbedder)


def test_a_model_that_cannot_be_exported_falls_back_to_sentence_transformers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vibesite.model import onnx_export

    tried: list[str] = []

    def refuse(model: str, cache_dir: Path, **_: object) -> EncoderFiles:
        tried.append(model)
        raise ModelError("cannot export it")

    monkeypatch.setattr(configured_module, "SentenceTransformerEmbedder", _NoTorch)
    monkeypatch.setattr(onnx_export, "export_query_encoder", refuse)
    config = Config(cache_dir=tmp_path / "cold")  # nothing exported yet
    assert ConfiguredModel(config).encoder == ""
    chosen = default_embedder(config, 3)
    assert isinstance(chosen, _NoTorch) and chosen.args == (MODEL, 32, "auto")
    assert tried == [MODEL]


def test_an_export_whose_int8_copy_failed_builds_with_the_float32_graph(
        tmp_path: Path, document_files: tuple[Path, EncoderFiles]) -> None:
    _, files = document_files
    folder = tmp_path / "onnx" / files.model_onnx.parent.name  # the same cache key
    folder.mkdir(parents=True)
    for name in ("tokenizer.json", "model.onnx", "document.onnx"):
        (folder / name).symlink_to(files.model_onnx.parent / name)
    info = json.loads((files.model_onnx.parent / "encoder.json").read_text(encoding="utf-8"))
    (folder / "encoder.json").write_text(json.dumps({**info, "document_int8": None}),
                                         encoding="utf-8")
    found = cached_build_encoder(MODEL, tmp_path)
    assert found is not None and found.model_onnx == folder / "document.onnx"
    assert OnnxDocumentEmbedder(found).encoder == ""


# The int8 build encoder on real text: every window of the user guide (content/).
def _guide_windows(embedder: SentenceTransformerEmbedder) -> list[list[str]]:
    pages = sorted((REPO / "content").glob("*.md"))
    return [embedder.windows(page.stem, page.read_text("utf-8")) for page in pages]


@pytest.fixture(scope="session")
def int8_and_float(document_files: tuple[Path, EncoderFiles],
                   real_embedder: SentenceTransformerEmbedder
                   ) -> tuple[list[list[str]], list[str], np.ndarray, np.ndarray]:
    """The guide's windows by page, every text (those windows, then odd ones), and the texts'
    int8 vectors and sentence-transformers' float32 ones."""
    found = cached_build_encoder(MODEL, document_files[0])
    assert found is not None and found.model_onnx.name == INT8_FILE
    pages = _guide_windows(real_embedder)
    texts = [w for page in pages for w in page] + _encode_texts(real_embedder)
    return pages, texts, OnnxDocumentEmbedder(found).encode(texts), real_embedder.encode(texts)


def test_int8_vectors_are_close_to_sentence_transformers(
        int8_and_float: tuple[list[list[str]], list[str], np.ndarray, np.ndarray]) -> None:
    """The guide's windows stay within ~0.013 cosine; "", "?" and "a" move most (~0.97)."""
    pages, texts, got, want = int8_and_float
    assert len(texts) >= 150 and got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosine = (got * want).sum(axis=1)
    guide = sum(len(page) for page in pages)
    worst = sorted(zip(cosine.round(4), (t[:30] for t in texts), strict=True))[:3]
    assert cosine[:guide].min() >= 0.98 and cosine.min() >= 0.95, worst
    assert cosine.mean() >= 0.99, worst


def test_int8_vectors_give_the_same_related_articles(
        int8_and_float: tuple[list[list[str]], list[str], np.ndarray, np.ndarray]) -> None:
    """Each guide page's nearest pages by article vector (the mean of its windows' vectors, as
    embed.py stores it and relate.py ranks it): the nearest page by int8 vectors is
    sentence-transformers' nearest, or as near by sentence-transformers' own cosine within 0.02
    (a near-tie: on the guide of this writing one page's four nearest lie within 0.009), and
    90% of the top 5 are shared. Measured on the guide as of this test: top-1 the same for 19 of
    20 pages and 96% of the top 5 shared (window by window, near-twin windows of a page trade
    places: 89%)."""
    pages, _, got, want = int8_and_float

    def similarities(vectors: np.ndarray) -> np.ndarray:
        starts = np.cumsum([0] + [len(page) for page in pages])
        means = np.stack([vectors[a:b].mean(axis=0) for a, b in itertools.pairwise(starts)])
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        scores = means @ means.T
        np.fill_diagonal(scores, -np.inf)
        return scores

    reference = similarities(want)
    mine = np.argsort(-similarities(got), axis=1, kind="stable")[:, :5]
    theirs = np.argsort(-reference, axis=1, kind="stable")[:, :5]
    same_first = np.mean(mine[:, 0] == theirs[:, 0])
    overlap = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(mine, theirs, strict=True)])
    print(f"top-1 same {same_first:.3f}, top-5 shared {overlap:.3f}")
    assert len(pages) >= 15
    for page, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        assert reference[page, b[0]] - reference[page, a[0]] <= 0.02, (page, a[:3], b[:3])
    assert overlap >= 0.9, (same_first, overlap)


def test_switching_encoder_re_embeds_every_article(
        make_site: Callable[..., Config], real_embedder: SentenceTransformerEmbedder,
        exported_model: tuple[Path, EncoderFiles]) -> None:
    """float32 (sentence-transformers) -> int8 (the configured model) -> float32 again: each
    switch re-embeds everything, with llm's plain md5 for float32 vectors only; no switch,
    nothing embedded."""
    config = make_site("six-posts")
    texts = {f"post-{i}": f"Post {i}\n\nBody number {i} about {'cats' if i % 2 else 'databases'}."
             for i in range(6)}
    plain = {i: hashlib.md5(t.encode()).digest() for i, t in texts.items()}

    def hashes() -> dict[str, bytes]:
        with sqlite3.connect(config.db_path) as conn:
            return {r[0]: r[1] for r in conn.execute(
                "SELECT e.id, e.content_hash FROM embeddings e JOIN collections c "
                "ON c.id = e.collection_id WHERE c.name = 'articles'")}

    first = build_quiet(config, real_embedder)
    assert first.embedded_new == 6 and hashes() == plain
    switched = build_quiet(config, ConfiguredModel(config))
    assert (switched.embedded_new, switched.embedded_changed) == (0, 6)
    assert hashes() == {i: content_hash(t, INT8_ENCODER) for i, t in texts.items()}
    assert set(hashes().values()).isdisjoint(plain.values())
    again = build_quiet(config, ConfiguredModel(config))
    assert (again.embedded_new, again.embedded_changed, again.windows_embedded) == (0, 0, 0)
    back = build_quiet(config, real_embedder)
    assert back.embedded_changed == 6 and hashes() == plain


def test_a_site_upgraded_from_torch_vectors_is_embedded_again_in_its_first_build(
        tmp_path: Path, real_embedder: SentenceTransformerEmbedder, onnx_cache: Path,
        exported_model: tuple[Path, EncoderFiles], monkeypatch: pytest.MonkeyPatch) -> None:
    """A site whose vectors came from sentence-transformers, before vibesite exported the
    model (its cache has no export): the first build that exports it embeds with the int8
    encoder in that build, not one build later (the export used to come after embedding)."""
    config = site_config(tmp_path, "six-posts", device="cpu", search=False)
    assert build_quiet(config, real_embedder).embedded_new == 6  # torch rows, no export
    assert not (config.cache_dir / "onnx").exists()
    from vibesite import pipeline

    exports: list[Path] = []
    real_export = pipeline.export_query_encoder

    def export(model: str, cache_dir: Path, **kwargs: object) -> EncoderFiles:
        share_onnx_cache(cache_dir, onnx_cache)  # the session's export, instead of ~15 s
        exports.append(cache_dir)
        return real_export(model, cache_dir, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "export_query_encoder", export)
    config = replace(config, search=True)
    upgraded = build_quiet(config, ConfiguredModel(config))
    assert exports == [config.cache_dir]
    assert (upgraded.embedded_new, upgraded.embedded_changed) == (0, 6)
    again = build_quiet(config, ConfiguredModel(config))
    assert (again.embedded_new, again.embedded_changed, again.windows_embedded) == (0, 0, 0)


def test_a_title_longer_than_the_model_still_gets_a_window(
        real_embedder: SentenceTransformerEmbedder) -> None:
    title = "word " * 400
    assert real_embedder.windows(title, "") == [title.strip()]
    vector = real_embedder.encode(real_embedder.windows(title, ""))
    assert np.isfinite(vector).all()


def test_windows_of_many_articles_are_each_articles_windows(tmp_path: Path) -> None:
    """windows_of tokenizes every article at once and keeps the ids of texts that fit whole for
    encode: the same windows as one article at a time, and the very ids encode would make."""
    from tokenizers import Tokenizer

    from vibesite.model.base import model_location, title_windows

    tokenizer_json = Path(model_location(MODEL)) / "tokenizer.json"
    files = EncoderFiles(tmp_path / "never-loaded.onnx", tokenizer_json, 256, 384, MODEL)
    embedder = OnnxDocumentEmbedder(files)
    plain = Tokenizer.from_file(str(tokenizer_json))
    plain.no_truncation()
    plain.no_padding()

    def one_at_a_time(title: str, text: str) -> list[str]:  # what windows() did before
        return title_windows(title, text, 256,
                             lambda t: len(plain.encode(t, add_special_tokens=False).ids),
                             lambda t: plain.encode(t, add_special_tokens=False).offsets)

    got = embedder.windows_of(DOCUMENTS + DOCUMENTS[:3])  # repeated texts too
    assert got == [one_at_a_time(t, b) for t, b in DOCUMENTS + DOCUMENTS[:3]]
    assert embedder.windows(*DOCUMENTS[6]) == got[6] and len(got[6]) > 3
    kept = dict(embedder._ids)
    assert {w for ws in got for w in ws if len(ws) == 1} >= set(kept) and len(kept) == 5
    plain.enable_truncation(256)
    assert all(ids == plain.encode(text).ids for text, ids in kept.items())
