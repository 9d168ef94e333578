"""Which Embedder a build uses for the configured model.

In: the config and how many articles need embedding. Out: an Embedder (loaded lazily).
"""

from __future__ import annotations

from vibesite.config import Config
from vibesite.model.base import Embedder
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder

SMALL_BATCH = 32  # articles: fewer than this are embedded without importing torch, if possible


class ConfiguredModel:
    """``f(count) -> Embedder`` for the configured model; a long-lived process (``serve``)
    keeps one and so loads sentence-transformers at most once."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.loaded: SentenceTransformerEmbedder | None = None

    def __call__(self, count: int) -> Embedder:
        if self.loaded is not None:
            return self.loaded
        embedder = default_embedder(self.config, count)
        if isinstance(embedder, SentenceTransformerEmbedder):
            self.loaded = embedder
        return embedder


def default_embedder(config: Config, count: int) -> Embedder:
    """The configured model for ``count`` articles to embed.

    A handful of changed articles (the usual edit-and-rebuild) are embedded with the cached
    float32 ONNX export of the same model, which needs neither torch nor sentence-transformers
    (importing them costs 3-4 s, far more than the embedding); a large batch, or a model not
    exported yet, uses sentence-transformers (and CUDA when present).
    """
    if count <= SMALL_BATCH:
        try:
            from vibesite.model.onnx_export import cached_document_encoder
            from vibesite.model.onnx_runtime import OnnxDocumentEmbedder
        except ImportError:  # onnxruntime missing: sentence-transformers does it all
            pass
        else:
            files = cached_document_encoder(config.model, config.cache_dir)
            if files is not None:
                return OnnxDocumentEmbedder(files, batch_size=config.batch_size)
    return SentenceTransformerEmbedder(config.model, config.batch_size, config.device)
