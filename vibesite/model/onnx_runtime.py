"""ONNX exports of the model run by onnxruntime and ``tokenizers``; torch is never imported.

In: ``EncoderFiles`` written by vibesite.model.onnx_export. Out: unit vectors.
- ``OnnxDocumentEmbedder`` runs ``document-int8.onnx`` (what builds embed with; its vectors
  are the model's to ~0.99 cosine) or ``document.onnx`` (the float32 graph: transformer, the
  model's pooling and L2 normalisation) as a drop-in for ``SentenceTransformerEmbedder``: the
  same windows and token counts, and with the float32 graph the same vectors to float
  rounding; it starts in a fraction of a second, where importing torch takes 3-4 s.
- ``OnnxQueryEncoder`` runs the int8 query encoder the browser runs (``vibesite search``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from vibesite.model.base import EncoderFiles, ModelError, title_windows
from vibesite.model.onnx_int8 import encoder_name

OUTPUT = "sentence_embedding"


class OnnxDocumentEmbedder:
    """The Embedder protocol on an exported model; torch is never imported.

    ``windows`` and ``count_tokens`` count tokens exactly as ``SentenceTransformerEmbedder``
    does (the same ``tokenizers`` backend, without truncation); ``encode`` truncates each text to
    ``max_tokens`` (special tokens included), as sentence-transformers does, and runs each text
    on its own: no padding and no batchmates, so a text's vector depends on that text only
    (the int8 graph quantizes its activations per run, so in a batch it would depend on the
    batch too). ``workers`` runs at once, one onnxruntime thread each (default: one per core),
    longest texts first. The session is made on the first encode. ``encoder`` names the vectors
    for the store: "" (the model's own, to rounding) unless the graph is the int8 one.
    """

    def __init__(self, files: EncoderFiles, workers: int | None = None) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError(f"cannot import tokenizers ({exc}); "
                             "`pip install onnxruntime tokenizers`") from exc
        self.files = files
        self.model_id = files.model_id
        self.encoder = encoder_name(files.model_onnx)
        self.max_tokens = files.max_length
        self.workers = max(1, workers or cpu_cores())
        self.tokenizer = Tokenizer.from_file(str(files.tokenizer_json))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self._truncating = Tokenizer.from_file(str(files.tokenizer_json))
        self._truncating.enable_truncation(files.max_length)
        self._truncating.no_padding()
        self._specials = len(self.tokenizer.encode("").ids)  # [CLS] and [SEP] for BERT
        self._ids: dict[str, list[int]] = {}  # texts windows_of tokenized, until encoded
        self._session: Any = None

    def _tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def windows(self, title: str, text: str) -> list[str]:
        """The same windows as SentenceTransformerEmbedder.windows."""
        return self.windows_of([(title, text)])[0]

    def windows_of(self, articles: Sequence[tuple[str, str]]) -> list[list[str]]:
        """``windows(title, text)`` of each (title, text), tokenized together on every core
        (``encode_batch``) rather than one text at a time on one; a text that fits the model
        whole keeps its token ids for ``encode``, which then does not tokenize it again.

        Tokenizing was ~3.7 CPU-s of a cold jbranchaud-til build (2,588 windows), 2.3 of them
        on one core before the first text was encoded: whole texts, then the titles and bodies
        of those that do not fit, then every window again in ``encode``.
        """
        wholes = [f"{title}\n\n{text}".strip() for title, text in articles]
        found = self.tokenizer.encode_batch(wholes)  # special tokens included: ready to run
        counts = {w: len(e.ids) - self._specials for w, e in zip(wholes, found, strict=True)}
        long = [i for i, w in enumerate(wholes) if counts[w] > self.max_tokens - 2]
        parts = [articles[i][0] for i in long] + [articles[i][1] for i in long]
        encoded = self.tokenizer.encode_batch(parts, add_special_tokens=False)
        spans = {t: e.offsets for t, e in zip(parts, encoded, strict=True)}
        counts.update((t, len(e.ids)) for t, e in zip(parts, encoded, strict=True))
        for whole, e in zip(wholes, found, strict=True):
            if len(e.ids) <= self.max_tokens:
                self._ids[whole] = e.ids
        return [title_windows(title, text, self.max_tokens,
                              lambda t: counts[t] if t in counts else self._tokens(t),
                              lambda t: spans[t] if t in spans else self.tokenizer.encode(
                                  t, add_special_tokens=False).offsets)
                for title, text in articles]

    def count_tokens(self, texts: Sequence[str]) -> int:
        return sum(min(self._tokens(t) + 2, self.max_tokens) for t in texts)

    def session(self) -> Any:
        """The onnxruntime session, made once: one thread per run (``encode`` runs several)."""
        if self._session is None:
            try:
                import onnxruntime as ort
            except ImportError as exc:
                raise ModelError(f"cannot import the ONNX runtime ({exc}); "
                                 "`pip install onnxruntime tokenizers`") from exc
            options = ort.SessionOptions()
            options.log_severity_level = 3
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            self._session = ort.InferenceSession(str(self.files.model_onnx), options,
                                                 providers=["CPUExecutionProvider"])
        return self._session

    def encode(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 L2-normalised vectors, in the order of ``texts``."""
        out = np.zeros((len(texts), self.files.dim), dtype=np.float32)
        if not texts:
            return out
        session = self.session()
        names = {i.name for i in session.get_inputs()}
        known = [self._ids.pop(t, None) for t in texts]
        rest = [t for t, k in zip(texts, known, strict=True) if k is None]
        fresh = iter(e.ids for e in self._truncating.encode_batch(rest))
        every = [k if k is not None else next(fresh) for k in known]

        def run(index: int) -> None:
            ids = np.asarray([every[index]], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            out[index] = session.run([OUTPUT], {k: v for k, v in feed.items() if k in names})[0][0]

        order = sorted(range(len(texts)), key=lambda i: -len(every[i]))  # even finish
        if self.workers == 1 or len(texts) == 1:
            for index in order:
                run(index)
        else:  # onnxruntime releases the GIL while it runs
            with ThreadPoolExecutor(min(self.workers, len(texts))) as pool:
                list(pool.map(run, order))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0).astype(np.float32)


def cpu_cores() -> int:
    """The CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class OnnxQueryEncoder:
    """Runs an exported encoder with onnxruntime and ``tokenizers``; torch is never imported."""

    def __init__(self, files: EncoderFiles) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError(f"cannot import the ONNX runtime ({exc}); "
                             "`pip install onnxruntime tokenizers`") from exc
        self.files = files
        self.tokenizer = Tokenizer.from_file(str(files.tokenizer_json))
        options = ort.SessionOptions()
        options.add_session_config_entry("session.disable_quant_qdq", "1")
        options.intra_op_num_threads = 1  # like the browser; a query is too small to split
        self.session = ort.InferenceSession(str(files.model_onnx), options,
                                            providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]

    def encode(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 L2-normalised vectors; the batch is padded to its longest text."""
        if not texts:
            return np.zeros((0, self.files.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        feed = {name: np.zeros((len(texts), width), dtype=np.int64) for name in self.input_names}
        for row, e in enumerate(encodings):
            feed["input_ids"][row, : len(e.ids)] = e.ids
            feed["attention_mask"][row, : len(e.ids)] = e.attention_mask
        (vectors,) = self.session.run([OUTPUT], feed)
        return np.asarray(vectors, dtype=np.float32)
