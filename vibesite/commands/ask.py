"""``vibesite ask "QUESTION"``: an answer from a language model, citing the site's passages.

In: a built site (its search index and pages), its embeddings file, a question and the name of
a model some installed ``llm`` plugin provides (``--model`` or ``ask_model``). Out: the answer,
streamed, then the numbered sources; or with ``--json`` one object with the question, the
model, the prompt, the answer and the passages. Retrieval is ``vibesite.search.passages`` (the
search's own ranking). Without a model, or without ``llm`` installed, the prompt is printed
instead (it holds every passage, so ``vibesite ask Q | llm -m MODEL`` works) with a hint on
stderr. ``llm`` is imported only here, and only when a model is named.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, TextIO

from vibesite.config import Config
from vibesite.embeddings.store import EmbeddingStore
from vibesite.search.passages import Passage, entry, retrieve
from vibesite.search.query import SiteSearch

INSTRUCTION = (
    "Answer the question using only the numbered passages from the site below. Cite the "
    "passages you use by their numbers in square brackets, like [1] or [2][3]. If the passages "
    "do not answer the question, say that the site does not say, and do not guess."
)
NO_MODEL_HINT = ("hint: no model named; to get an answer, pass --model NAME or set ask_model "
                 "in vibesite.toml (any model `llm models` lists)")
NO_LLM_HINT = ("hint: the llm library is not installed; pip install 'vibesite[ask]', then add "
               "a model plugin (e.g. llm install llm-gpt4all) and pass --model NAME")


class AskError(Exception):
    """The model cannot answer: it is unknown, needs a key, or failed (one line, exit 2)."""


@dataclass(frozen=True)
class Question:
    text: str
    model: str  # "" for none: print the prompt
    system: str = INSTRUCTION
    limit: int = 5
    budget: int = 3000
    semantic: bool = True


def build_prompt(site_title: str, question: str, passages: Iterable[Passage]) -> str:
    """The numbered passages (title, URL with its anchor, text), then the question."""
    blocks = [entry(p.number, p.title, p.url, p.text) for p in passages]
    if not blocks:
        blocks = ["(no passage of the site matches the question)"]
    return (f"Passages from the site \"{site_title}\":\n\n" + "\n\n".join(blocks)
            + f"\n\nQuestion: {question}\n")


def sources(passages: Iterable[Passage]) -> str:
    return "\n".join(f"[{p.number}] {p.title}  {p.url}" for p in passages)


def _load_model(name: str) -> Any:
    """The llm model named ``name``; None when llm is not installed."""
    try:
        import llm
    except ImportError:
        return None
    try:
        return llm.get_model(name)
    except llm.UnknownModelError:
        raise AskError(f"unknown model '{name}': `llm models` lists the installed ones, "
                       "`llm install PLUGIN` adds more (e.g. llm-gpt4all for local models)"
                       ) from None


def _model_failure(name: str, model: Any, exc: Exception) -> AskError:
    """One line for whatever the model or its plugin raised."""
    import llm

    if isinstance(exc, llm.errors.NeedsKeyException):
        env = getattr(model, "key_env_var", None)
        where = f" or set {env}" if env else ""
        key = getattr(model, "needs_key", None) or "KEY_NAME"
        return AskError(f"model '{name}' needs an API key: run `llm keys set {key}`{where}")
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return AskError(f"model '{name}' failed: {detail} (check its key, network or plugin)")


def _stream(name: str, model: Any, prompt: str, system: str, out: TextIO) -> str:
    """Send the prompt; write each chunk to ``out`` as it comes; return the whole answer."""
    parts: list[str] = []
    try:
        response = model.prompt(prompt, system=system)
        for chunk in response:
            parts.append(chunk)
            out.write(chunk)
            out.flush()
    except Exception as exc:  # plugins raise their own types (openai, httpx, ...)
        if parts:
            out.write("\n")
        raise _model_failure(name, model, exc) from None
    return "".join(parts)


def ask(config: Config, question: Question, as_json: bool = False,
        out: TextIO | None = None, err: TextIO | None = None) -> None:
    """Answer ``question`` from the site built by ``config`` (see the module docstring).

    Raises ``SearchIndexError`` (no built site), FileNotFoundError (no embeddings file) and
    ``AskError`` (the model cannot answer)."""
    out = out or sys.stdout
    err = err or sys.stderr
    model = _load_model(question.model) if question.model else None  # an unknown one: first
    search = SiteSearch.load(config.output_dir)
    with EmbeddingStore.existing(config.db_path) as store:
        passages = retrieve(search, store, question.text, question.limit, question.budget,
                            semantic=question.semantic, link=config.absolute_url)
    prompt = build_prompt(config.title, question.text, passages)
    answer: str | None = None
    if model is not None:
        answer = _stream(question.model, model, prompt, question.system,
                         io.StringIO() if as_json else out)
    if as_json:
        found = [asdict(p) for p in passages]
        out.write(json.dumps({"question": question.text, "model": question.model or None,
                              "system": question.system, "prompt": prompt, "answer": answer,
                              "passages": found}, ensure_ascii=False) + "\n")
    elif model is not None:
        out.write(f"\n\nSources:\n{sources(passages)}\n")
    else:
        out.write(f"{question.system}\n\n{prompt}")
    if model is None:
        err.write((NO_MODEL_HINT if not question.model else NO_LLM_HINT) + "\n")
