"""The tests' fixtures plugin: tiny sites in tmp_path, a fast fake embedder, the real packaged
model, its ONNX export, the demo site; and the ``slow`` and ``browser`` markers.

Plain helpers (``FakeEmbedder``, ``site_config``, the named tiny sites, ``build_quiet``...) live
in ``_sitebuild.py``, which test modules import them from.

``pytest -m "not slow"`` is the fast tier. A test is marked ``slow`` when it uses a fixture of
``SLOW_FIXTURES`` (directly or through another fixture), so a new test that loads the model is
marked without anyone remembering to; tests that are slow for another reason (a wheel, a
``kill -9``, a subprocess that loads the model) carry ``@pytest.mark.slow`` themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from _sitebuild import (
    MODEL,
    REPO,
    FakeEmbedder,
    Files,
    build_quiet,
    share_onnx_cache,
    site_config,
    site_with_toml,
)
from browser import WAIT_MS, chromium, why_no_browser

import vibesite
from vibesite.config import Config, load_config
from vibesite.model.base import EncoderFiles
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder
from vibesite.pipeline import BuildResult

# Fixtures that make every test using them slow, and why.
SLOW_FIXTURES = {
    "real_embedder": "loads the packaged sentence-transformers model",
    "exported_model": "exports the model to ONNX",
    "demo_build": "builds the demo site with the real model",
    "browser": "starts Chromium",
}
BROWSER_FIXTURES = {"browser"}


def pytest_report_header() -> str:
    """Which vibesite is under test: the checkout, or an installed wheel (release.yml)."""
    return f"vibesite {vibesite.__version__} from {Path(vibesite.__file__).parent}"


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))  # the whole closure, not only arguments
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & SLOW_FIXTURES.keys() or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The packaged all-MiniLM-L6-v2, loaded once for the whole session."""
    return SentenceTransformerEmbedder(MODEL, batch_size=16)


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of ONNX query-encoder exports for the whole session (an export takes ~15 s)."""
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def exported_model(tmp_path_factory: pytest.TempPathFactory,
                   onnx_cache: Path) -> tuple[Path, EncoderFiles]:
    """The packaged model exported once for the session, in the shared ``onnx_cache``: a cache
    folder holding the export, and the query encoder's files (the float32 document encoder is
    in the same export)."""
    from vibesite.model.onnx_export import export_query_encoder

    cache = tmp_path_factory.mktemp("export-cache")
    share_onnx_cache(cache, onnx_cache)
    return cache, export_query_encoder(MODEL, cache)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder,
               onnx_cache: Path) -> tuple[Config, BuildResult]:
    """The demo site (REPO/content) built once with the real model, for read-only checks:
    embedding its ~100 windows on a CPU takes 15-30 s."""
    root = tmp_path_factory.mktemp("demo")
    share_onnx_cache(root / "cache", onnx_cache)
    config = replace(load_config(None, REPO), output_dir=root / "site", cache_dir=root / "cache")
    return config, build_quiet(config, real_embedder)


@pytest.fixture(scope="session")
def demo_toml(demo_build: tuple[Config, BuildResult], tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Config, Path]:
    """The demo build's Config, and a vibesite.toml elsewhere that names its folders."""
    config, _ = demo_build
    root = tmp_path_factory.mktemp("demo-config")
    site_with_toml(root, content_dir=config.content_dir, output_dir=config.output_dir,
                   cache_dir=config.cache_dir)
    return config, root / "vibesite.toml"


@pytest.fixture
def make_site(tmp_path: Path, onnx_cache: Path) -> Callable[..., Config]:
    """``make_site(files or a SITES name, **config_overrides)`` -> the Config of a site in
    tmp_path (``site_config``); called again, it adds files to the same content folder."""
    share_onnx_cache(tmp_path / ".vibesite", onnx_cache)

    def make(files: Files | str | None = None, **overrides: object) -> Config:
        return site_config(tmp_path, files, **overrides)

    return make


# Chromium ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = why_no_browser()
    if reason is not None:
        if os.environ.get("CI"):  # CI installs Chromium (.ci/run): never skip silently there
            pytest.fail(f"browser tests cannot run: {reason}")
        pytest.skip(reason)
    with chromium() as launched:
        yield launched


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()
