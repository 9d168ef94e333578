"""Shared fixtures: tiny sites in tmp_path, a fast fake embedder and the real packaged model;
and the ``slow`` and ``browser`` markers.

``pytest -m "not slow"`` is the fast tier. A test is marked ``slow`` when it uses a fixture of
``SLOW_FIXTURES`` (directly or through another fixture), so a new test that loads the model is
marked without anyone remembering to; tests that are slow for another reason (a wheel, a
``kill -9``, a subprocess that loads the model) carry ``@pytest.mark.slow`` themselves.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from vibesite.config import Config, load_config
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder
from vibesite.pipeline import BuildResult, build

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"

# Fixtures that make every test using them slow, and why.
SLOW_FIXTURES = {
    "real_embedder": "loads the packaged sentence-transformers model",
    "exported": "exports the model to ONNX (test_onnx_export)",
    "document_files": "exports the model to ONNX (test_document_encoder)",
    "demo_build": "builds the demo site with the real model",
    "browser": "starts Chromium",
}
BROWSER_FIXTURES = {"browser"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))  # the whole closure, not only arguments
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & SLOW_FIXTURES.keys() or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


class FakeEmbedder:
    """Bag of hashed words: deterministic, instant, and similar texts get similar vectors.

    For fast unit tests of the plumbing only; the real model has its own tests.
    """

    model_id = "fake/hashed-words"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls: list[list[str]] = []

    def windows(self, title: str, text: str) -> list[str]:
        return [f"{title}\n\n{text}".strip()]

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        out[:, 0] += 1e-3
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    @property
    def encoded(self) -> list[str]:
        return [t for call in self.calls for t in call]


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The packaged all-MiniLM-L6-v2, loaded once for the whole session."""
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2", batch_size=16)


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for relpath, data in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of ONNX query-encoder exports for the whole session (an export takes ~15 s)."""
    return tmp_path_factory.mktemp("onnx-cache")


def share_onnx_cache(cache_dir: Path, shared: Path) -> None:
    """Point ``cache_dir/onnx`` at the session's exports, so each site does not export again."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    if not (cache_dir / "onnx").exists():
        (cache_dir / "onnx").symlink_to(shared, target_is_directory=True)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder,
               onnx_cache: Path) -> tuple[Config, BuildResult]:
    """The demo site (REPO/content) built once with the real model, for read-only checks:
    embedding its ~100 windows on a CPU takes 15-30 s."""
    root = tmp_path_factory.mktemp("demo")
    share_onnx_cache(root / "cache", onnx_cache)
    config = replace(load_config(None, REPO), output_dir=root / "site", cache_dir=root / "cache")
    return config, build_quiet(config, real_embedder)


@pytest.fixture
def make_site(tmp_path: Path, onnx_cache: Path) -> Callable[..., Config]:
    """``make_site({"a.md": "..."}, **config_overrides)`` -> a Config for a site in tmp_path."""
    share_onnx_cache(tmp_path / ".vibesite", onnx_cache)

    def make(files: dict[str, str | bytes], **overrides: object) -> Config:
        content = tmp_path / "content"
        content.mkdir(exist_ok=True)
        write_files(content, files)
        settings: dict[str, object] = {
            "content_dir": content, "output_dir": tmp_path / "site",
            "cache_dir": tmp_path / ".vibesite", "templates_dir": tmp_path / "templates",
            "static_dir": tmp_path / "static", "title": "Test site",
        }
        settings.update(overrides)
        return Config(**settings)  # type: ignore[arg-type]

    return make


def build_quiet(config: Config, embedder: object) -> BuildResult:
    return build(config, embedder=embedder, progress=False)  # type: ignore[arg-type]
