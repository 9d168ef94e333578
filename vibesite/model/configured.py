"""Which Embedder a build uses for the configured model.

In: the config and how many articles need embedding. Out: an Embedder (loaded lazily).
"""

from __future__ import annotations

from pathlib import Path

from vibesite.config import Config
from vibesite.model.base import Embedder, EncoderFiles, ModelError
from vibesite.model.onnx_int8 import encoder_name
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder

NVIDIA_DRIVER = Path("/proc/driver/nvidia/version")  # "auto" with it: torch picks CUDA


class ConfiguredModel:
    """``f(count) -> Embedder`` for the configured model; a long-lived process (``serve``)
    keeps the one it loaded. ``encoder`` says, without loading anything, which encoder of the
    model it expects to load (vibesite.model.base.encoder_of), so that the store can tell
    which vectors it already holds."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.loaded: Embedder | None = None

    def __call__(self, count: int) -> Embedder:
        if self.loaded is None:
            self.loaded = default_embedder(self.config, count)
        return self.loaded

    @property
    def encoder(self) -> str:
        if self.loaded is not None:
            return str(getattr(self.loaded, "encoder", ""))
        if not on_cpu(self.config):
            return ""
        files = _cached_files(self.config)
        return "" if files is None else encoder_name(files.model_onnx)


def default_embedder(config: Config, count: int) -> Embedder:
    """The configured model for ``count`` articles to embed (any count: one rule for all).

    On the CPU, the int8 ONNX build encoder of the model (vibesite.model.onnx_int8; ~2x the
    texts/s of torch float32, and a handful of changed articles need no torch import, 3-4 s),
    exported first if the cache has none (the export is the browser's query encoder too, which
    a build with search makes anyway). sentence-transformers embeds when the model cannot be
    exported, when onnxruntime is missing, or on a GPU (see on_cpu).
    """
    if on_cpu(config):
        files = _cached_files(config)
        if files is None:
            try:
                from vibesite.model.onnx_export import export_query_encoder

                export_query_encoder(config.model, config.cache_dir)
            except (ImportError, ModelError):  # the search stage warns about the export
                pass
            else:
                files = _cached_files(config)
        if files is not None:
            from vibesite.model.onnx_runtime import OnnxDocumentEmbedder

            return OnnxDocumentEmbedder(files)  # one text a run: no batch_size
    return SentenceTransformerEmbedder(config.model, config.batch_size, config.device)


def on_cpu(config: Config) -> bool:
    """Whether the build embeds on the CPU: ``device = "cpu"``, or ``"auto"`` on a machine
    without an NVIDIA driver (found without importing torch, which would take 3-4 s)."""
    return config.device == "cpu" or (config.device == "auto" and not NVIDIA_DRIVER.exists())


def _cached_files(config: Config) -> EncoderFiles | None:
    try:
        from vibesite.model.onnx_export import cached_build_encoder
    except ImportError:  # onnx or onnxruntime missing: sentence-transformers does it all
        return None
    return cached_build_encoder(config.model, config.cache_dir)
