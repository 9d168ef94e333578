"""The whole build, one readable pipeline: gather everything first, write last.

discover -> parse -> embed (cached) -> relate -> assemble -> render -> write
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from vibesite.assemble import assemble
from vibesite.cache import RenderCache
from vibesite.config import Config
from vibesite.diagnostics import BuildError, Diagnostic, Diagnostics
from vibesite.discover import discover
from vibesite.embed import Embedder, SentenceTransformerEmbedder, embed
from vibesite.parse import parse
from vibesite.relate import top_k
from vibesite.render import render, theme_dirs
from vibesite.store import EmbeddingStore
from vibesite.write import write_site


@dataclass(frozen=True)
class BuildResult:
    articles: int
    files: int
    drafts: int
    unpublished: int
    expired: int
    embedded_new: int
    embedded_changed: int
    embeddings_removed: int
    windows_embedded: int
    timings: dict[str, float] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._last
        self._last = now


def build(
    config: Config,
    embedder: Embedder | Callable[[], Embedder] | None = None,
    progress: bool = True,
) -> BuildResult:
    """Build the site described by ``config``; raise BuildError when content has errors.

    ``embedder`` is an Embedder, a factory for one, or None for the configured
    sentence-transformers model (loaded only if some article needs embedding).
    """
    timer = _Timer()
    diagnostics = Diagnostics()
    discovery = discover(config, diagnostics)
    timer.lap("discover")
    render_cache = RenderCache(config.cache_dir / "markdown-cache.db")
    parsed = parse(config, discovery, diagnostics, render_cache)
    timer.lap("parse")
    failing = diagnostics.errors + (diagnostics.warnings if config.strict else [])
    if failing:
        what = "error(s)" if diagnostics.errors else "warning(s) with --strict"
        raise BuildError(diagnostics.sorted(),
                         f"build failed: {len(failing)} {what}; nothing was written")
    render_cache.save()
    make_embedder = _embedder_factory(config, embedder)
    store = EmbeddingStore(config.db_path)
    try:
        embeddings = embed(config, parsed.articles, store, make_embedder, progress=progress)
        timer.lap("embed")
        related = top_k(embeddings.vectors, config.related_count)
        ids = embeddings.ids
        store.replace_similarities(
            (ids[i], ids[int(j)], float(s))
            for i in range(len(ids))
            for j, s in zip(related.neighbours[i], related.scores[i], strict=True)
        )
        timer.lap("relate")
    finally:
        store.close()
    folders = theme_dirs(config)
    site = assemble(config, parsed.articles, related, folders, discovery.static_files)
    timer.lap("assemble")
    rendered = render(config, site, folders)
    timer.lap("render")
    files = write_site(rendered, config.output_dir)
    timer.lap("write")
    return BuildResult(
        articles=len(parsed.articles), files=files, drafts=parsed.drafts,
        unpublished=parsed.unpublished, expired=parsed.expired,
        embedded_new=embeddings.new, embedded_changed=embeddings.changed,
        embeddings_removed=embeddings.removed, windows_embedded=embeddings.windows,
        timings=timer.timings, diagnostics=tuple(diagnostics.sorted()),
    )


def _embedder_factory(config: Config,
                      given: Embedder | Callable[[], Embedder] | None) -> Callable[[], Embedder]:
    if given is None:
        return lambda: SentenceTransformerEmbedder(config.model, config.batch_size, config.device)
    if callable(given) and not hasattr(given, "encode"):
        return given
    return lambda: given  # type: ignore[return-value]
