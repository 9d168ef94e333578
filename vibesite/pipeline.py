"""The whole build, one readable pipeline: gather everything first, write last.

In: a Config (and optionally an embedder). Out: the site written to ``config.output_dir``, the
caches updated, and a BuildResult with counts, timings and diagnostics.

discover -> parse -> embed (cached) -> relate -> search index -> topics -> assemble -> render
-> write. Every stage before ``write`` only computes; pure stages are memoized (vibesite.memo).
A fresh map layout starts in a child process once the vectors are known (topics.layout_job), so
relate, the search index and the topics' clusters and names run beside it on the other core.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from vibesite.buildlock import holding_site_lock
from vibesite.config import CONFIG_FILE, Config
from vibesite.content.discover import discover
from vibesite.content.parse import Article, ParsedContent, parse
from vibesite.content.render_cache import RenderCache
from vibesite.diagnostics import BuildError, Diagnostic, Diagnostics
from vibesite.embeddings.embed import Embeddings, embed
from vibesite.embeddings.phrases import phrase_encoder
from vibesite.embeddings.relate import EXACT_LIMIT, Related, top_k_within
from vibesite.embeddings.relate import VERSION as RELATE_VERSION
from vibesite.embeddings.store import EmbeddingStore
from vibesite.memo import Memo
from vibesite.model.base import Embedder, EncoderFiles, ModelError, model_id
from vibesite.model.configured import ConfiguredModel
from vibesite.model.onnx_export import export_query_encoder
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder
from vibesite.search.analysis import PAIRED_LANGUAGES, base_language, stemmer_for
from vibesite.search.analysis import VERSION as ANALYSIS_VERSION
from vibesite.search.index import FORMAT as SEARCH_FORMAT
from vibesite.search.index import build_search_files
from vibesite.site.assemble import assemble, model_runtime_bytes
from vibesite.site.link_check import check_body_links, check_theme_links
from vibesite.site.render import render, theme_dirs
from vibesite.site.write import write_site
from vibesite.topics.build import VERSION as TOPICS_VERSION
from vibesite.topics.build import TopicChanges, Topics, TopicSeed, build_topics
from vibesite.topics.checks import check_topic_settings
from vibesite.topics.groups import article_groups
from vibesite.topics.layout_job import MapLayout
from vibesite.topics.naming import prose_text
from vibesite.topics.projection import LAYOUT
from vibesite.topics.serialize import stored_topics

# The stages whose last output memo.db keeps (vibesite.memo), each under its own version.
MEMO, RENDER_CACHE = "memo.db", "markdown-cache.db"  # in cache_dir, beside embeddings.db
MEMO_STAGES = ("related", "similarities", "topics", "search", "search terms")


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
    topics: int = 0
    topic_changes: str = ""
    headless: int = 0
    left_out: tuple[tuple[str, str], ...] = ()  # (source, why it gives no page)
    timings: dict[str, float] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    search_note: str = ""  # keyword search without a stemmer for the site's language


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._last
        self._last = now


@holding_site_lock  # one build of a site at a time; a second one waits
def build(
    config: Config,
    embedder: Embedder | Callable[[], Embedder] | None = None,
    progress: bool = True,
    fork: bool = True,
    rebuild_cache: bool = False,
) -> BuildResult:
    """Build the site described by ``config``; raise BuildError when content has errors.

    ``embedder`` is an Embedder, a factory for one, or None for the configured model
    (loaded only if some article needs embedding; a few articles go through its cached ONNX
    export, so that an edit-and-rebuild does not import torch). ``fork`` False renders in
    this process only (a caller running threads of its own, such as ``serve``).
    ``rebuild_cache`` first discards the embeddings file and the build caches beside it
    (exported models are kept): everything is computed afresh.
    """
    if rebuild_cache:
        _discard_cache(config)
    timer = _Timer()
    diagnostics = Diagnostics()
    _check_base_url(config, diagnostics)
    discovery = discover(config, diagnostics)
    timer.lap("discover")
    render_cache = RenderCache(config.cache_dir / RENDER_CACHE)
    parsed = parse(config, discovery, diagnostics, render_cache)
    _stop_on_problems(config, diagnostics)
    render_cache.save()
    timer.lap("parse")
    timer.timings["parse"] -= parsed.link_seconds  # shown apart: what checking links costs
    timer.timings["links"] = parsed.link_seconds
    memo = Memo(config.cache_dir / MEMO, MEMO_STAGES)
    make_embedder = _embedder_factory(config, embedder)
    # the browser's model before embedding: its export holds the CPU's build encoder, so the
    # store knows which vectors it should hold (a site upgraded from torch vectors is embedded
    # again in this build, not one build later, when the export first exists)
    encoder = _query_encoder(config, embedder, diagnostics) if config.search else None
    search_files: dict[str, bytes | Path] = {}
    with EmbeddingStore(config.db_path) as store:
        embeddings = embed(config, parsed.articles, store, make_embedder, progress=progress)
        timer.lap("embed")
        # topics and the map: the articles listed (translations beside their original)
        listed = [i for i, a in enumerate(parsed.articles) if a.listed]
        vectors = (embeddings.vectors[listed] if len(listed) < len(parsed.articles)
                   else embeddings.vectors)
        # a fresh map layout (t-SNE, one core) runs in a child from here until topics need it
        with MapLayout(vectors, [embeddings.ids[i] for i in listed], store.map_coords(LAYOUT),
                       background=fork) as layout:
            related = _related(embeddings.vectors, [a.lang for a in parsed.articles],
                               config.related_count, memo)
            _store_similarities(store, memo, embeddings.ids, related)
            timer.lap("relate")
            if config.search:
                search_files = _search_files(parsed.articles, embeddings, encoder, memo,
                                             config.search_model, stemmer_for(config.language))
                timer.lap("search index")
            topics = _topics(config, [parsed.articles[i] for i in listed], vectors, store,
                             diagnostics, memo, make_embedder, layout)
            timer.lap("topics")
    _stop_on_problems(config, diagnostics)  # --strict: topic seed and search model warnings
    folders = theme_dirs(config)
    site = assemble(config, parsed.articles, related, topics, folders, discovery.static_files,
                    search_files, sections=parsed.sections, redirects=parsed.redirects,
                    root_files=discovery.root_files, diagnostics=diagnostics)
    timer.lap("assemble")
    rendered = render(config, site, folders, workers=None if fork else 1)
    timer.lap("render")
    static = [path for _, path in rendered.static]
    check_body_links(parsed.unchecked_links, rendered.files, static, diagnostics)
    check_theme_links(rendered.files, static, config.base_url, config.base_path,
                      _markdown_bodies(parsed), diagnostics, config.output_dir.name)
    # --strict: broken links (the Markdown's to files no stage wrote, the theme's), feed clashes
    _stop_on_problems(config, diagnostics)
    timer.lap("theme links")
    files = write_site(rendered, config.output_dir)
    timer.lap("write")
    return BuildResult(
        articles=len(parsed.articles), files=files, drafts=parsed.drafts,
        unpublished=parsed.unpublished, expired=parsed.expired, headless=parsed.headless,
        left_out=parsed.left_out,
        embedded_new=embeddings.new, embedded_changed=embeddings.changed,
        embeddings_removed=embeddings.removed, windows_embedded=embeddings.windows,
        timings=timer.timings, diagnostics=tuple(diagnostics.sorted()),
        search_note=_search_note(config),
        topics=sum(1 for t in topics.topics if not t.seeded),
        topic_changes=(f"{topics.changes.kept} kept, {topics.changes.new} new, "
                       f"{topics.changes.merged} merged, {topics.changes.gone} gone"),
    )


def _markdown_bodies(parsed: ParsedContent) -> dict[str, str]:
    """Each page's Markdown body by its file in the site (its links are checked already)."""
    bodies = {a.url + "index.html": a.html_body for a in parsed.articles}
    bodies.update((s.url + "index.html", s.html_body) for s in parsed.sections if s.html_body)
    return bodies


def _discard_cache(config: Config) -> None:
    for path in (config.db_path, config.cache_dir / MEMO, config.cache_dir / RENDER_CACHE):
        for sidecar in ("", "-wal", "-shm", "-journal"):
            path.with_name(path.name + sidecar).unlink(missing_ok=True)


def _check_base_url(config: Config, diagnostics: Diagnostics) -> None:
    """Canonical links, the sitemap's <loc>s and robots.txt's Sitemap line must be absolute URLs
    for search engines to use them; a relative base_url leaves them relative (fine for a local
    preview, which is why this is a warning). The Pages workflow passes --base-url."""
    if "://" not in config.base_url:
        diagnostics.warning(CONFIG_FILE, 1, f"base_url {config.base_url!r} is not an absolute URL, "
                            "so canonical links, sitemap.xml and robots.txt are relative and "
                            "search engines ignore them; set base_url = "
                            "\"https://USER.github.io/REPO/\" or pass --base-url",
                            "base-url-relative")


def _stop_on_problems(config: Config, diagnostics: Diagnostics) -> None:
    failing = diagnostics.errors + (diagnostics.warnings if config.strict else [])
    if failing:
        what = "error(s)" if diagnostics.errors else "warning(s) with --strict"
        raise BuildError(diagnostics.sorted(),
                         f"build failed: {len(failing)} {what}; nothing was written")


def _topics(config: Config, articles: Sequence[Article], vectors: np.ndarray,
            store: EmbeddingStore, diagnostics: Diagnostics, memo: Memo,
            make_embedder: Callable[[int], Embedder], layout: MapLayout) -> Topics:
    """Cluster into topics that keep their slugs from the previous build (kept in the store).

    Unchanged articles, vectors and settings give the topics of the last build, as stored;
    ``layout`` is the map of these vectors, under way since they were known.
    """
    seeds = [TopicSeed(seed["slug"], seed.get("name", seed["slug"]), tuple(seed["examples"]))
             for seed in config.topic_seeds]
    previous = store.previous_topics()
    computed: list[Topics] = []
    texts = [prose_text(a.title, a.html_body) for a in articles]
    groups = [article_groups(a.source, [t.name for t in a.tags]) for a in articles]

    def compute() -> Topics:
        topics = build_topics(
            [a.id for a in articles], vectors, texts, tags=groups,
            encode=phrase_encoder(store, config.model, make_embedder), previous=previous,
            previous_coords=store.map_coords(LAYOUT), n_topics=config.topic_count or None,
            renames=config.topic_names, seeds=seeds, seed_threshold=config.topic_threshold,
            layout=layout)
        store.replace_topics(stored_topics(topics), topics.coords, LAYOUT)
        computed.append(topics)
        return topics

    key = ([a.id for a in articles], texts, groups, vectors, config.topic_count,
           sorted(config.topic_names.items()), config.topic_seeds, config.topic_threshold)

    def stored(found: Topics) -> bool:  # the store holds them (not a new embeddings file)
        return ({p.slug for p in previous} == {t.slug for t in (*found.topics, *found.broad)}
                and store.row_count("map_coords") == len(found.coords))

    topics = memo.cached("topics", TOPICS_VERSION, key, compute, Topics, valid=stored)
    check_topic_settings(config, topics, {a.id for a in articles}, diagnostics)
    if computed:
        return topics
    kept = sum(1 for t in topics.topics if not t.seeded)  # the stored topics, unchanged
    return replace(topics, changes=TopicChanges(kept=kept, new=0, merged=0, gone=0))


def _related(vectors: np.ndarray, langs: list[str], k: int, memo: Memo) -> Related:
    """Top-k related articles among those in the same language; the last build's lists when
    the vectors, languages and k are unchanged."""
    key = (vectors, k, EXACT_LIMIT) + ((langs,) if len(set(langs)) > 1 else ())
    return memo.cached("related", RELATE_VERSION, key,
                       lambda: top_k_within(vectors, langs, k), Related)


def _store_similarities(store: EmbeddingStore, memo: Memo, ids: Sequence[str],
                        related: Related) -> None:
    """Rewrite the ``similarities`` table only when some related list changed (or the table
    does not hold them: an embeddings file deleted by hand, with the memo kept)."""

    def rewrite() -> bool:
        store.replace_similarities(
            (ids[i], ids[int(j)], float(s))
            for i in range(len(ids))
            for j, s in zip(related.neighbours[i], related.scores[i], strict=True) if j >= 0)
        return True

    memo.cached("similarities", RELATE_VERSION, (list(ids), related.neighbours, related.scores),
                rewrite, bool,
                valid=lambda _: store.row_count("similarities") == related.pairs)


def _search_note(config: Config) -> str:
    """What the build summary says of keyword search in the site's language: nothing when
    Snowball stems it (the keyword index and its queries use ``stemmer_for``), or Chinese
    and Japanese (character pairs). Not a warning: nothing in the site could change it."""
    if (not config.search or stemmer_for(config.language) is not None
            or base_language(config.language) in PAIRED_LANGUAGES):
        return ""
    return (f"keyword search has no stemmer for language {config.language!r}: words match "
            "only as written (a plural does not find its singular)")


def _search_files(articles: Sequence[Article], embeddings: Embeddings,
                  encoder: EncoderFiles | None, memo: Memo,
                  model_loading: str, stemmer: str | None) -> dict[str, bytes | Path]:
    """The search index, rebuilt only when an input changed (tokenizing is most of its time:
    the terms of each text are kept too, so a few changed articles re-tokenize only those)."""
    runtime_bytes = model_runtime_bytes() if encoder else 0

    def compute() -> dict[str, bytes | Path]:
        found = memo.load("search terms", (ANALYSIS_VERSION, stemmer))
        terms = found if isinstance(found, dict) else {}
        files = build_search_files(articles, embeddings.passages, encoder, terms,
                                   passage_counts=embeddings.passage_counts,
                                   model_loading=model_loading, runtime_bytes=runtime_bytes,
                                   stemmer=stemmer)
        memo.save("search terms", (ANALYSIS_VERSION, stemmer), terms)
        return files

    key = ([(a.id, a.url, a.title, a.date_display, a.summary, a.text, a.html_body)
            for a in articles],
           embeddings.passages, embeddings.passage_counts, ANALYSIS_VERSION, stemmer,
           encoder and (encoder, encoder.model_onnx.stat().st_size), model_loading,
           runtime_bytes)
    return memo.cached("search", SEARCH_FORMAT, key, compute, dict)


def _query_encoder(config: Config, given: object,
                   diagnostics: Diagnostics) -> EncoderFiles | None:
    """The browser's copy of the configured model (exported once, then cached), or None.

    A custom embedder passed in by a caller has no model to export: lexical search only.
    """
    if given is not None and not isinstance(given, SentenceTransformerEmbedder | ConfiguredModel):
        return None
    if config.search_model == "off":
        return None
    try:
        return export_query_encoder(config.model, config.cache_dir,
                                    model_id=model_id(config.model))
    except ModelError as exc:
        diagnostics.warning(CONFIG_FILE, 1, f"semantic search is off, keyword search only: {exc}",
                            "search-model")
        return None


def _embedder_factory(config: Config, given: Embedder | Callable[[], Embedder] | None
                      ) -> Callable[[int], Embedder]:
    """``f(number of articles to embed) -> Embedder``, called only when there are some."""
    if given is None:
        return ConfiguredModel(config)
    if isinstance(given, ConfiguredModel):
        return given
    if callable(given) and not hasattr(given, "encode"):
        return lambda count: given()  # type: ignore[operator]
    return lambda count: given  # type: ignore[return-value]
