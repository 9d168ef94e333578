"""Stage 5: decide every output page and data file, with the context each template gets.

On a multilingual site every article has its page (``page_lang`` in its context: its
language), but the home, section, archive, tag and topic pages, the map and the feed list the
articles that are not translations of one in the site's language (``Article.listed``); a
translation is reached from its original's "Read in:" links, and shows its original's topic.
A page in a language with its own home (``/fr/``) gets that home as ``home``: the theme's
"Home" leads there; every page's words are in its ``page_lang`` (vibesite.site.words).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from vibesite.config import Config
from vibesite.content.article import Version
from vibesite.content.languages import Languages
from vibesite.content.parse import Article, Tag
from vibesite.content.sections import Section
from vibesite.diagnostics import Diagnostics
from vibesite.embeddings.relate import Related
from vibesite.search.analysis import stemmer_module
from vibesite.site import feeds
from vibesite.site.navigation import (
    post_navigation,
    section,
    sections_overview,
    site_order,
    top_folder,
)
from vibesite.site.old_feeds import old_feed_files
from vibesite.site.old_terms import old_term_redirects
from vibesite.site.pages import Page
from vibesite.site.scripts import hash_scripts
from vibesite.site.topic_pages import topic_of_article, topic_pages
from vibesite.topics.build import Topics


@dataclass(frozen=True)
class RelatedLink:
    title: str
    url: str
    date_display: str
    score: float


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class TagSummary:
    name: str
    slug: str
    count: int


@dataclass(frozen=True)
class YearGroup:
    year: int
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class SiteInfo:
    title: str
    description: str
    author: str
    language: str
    base_url: str
    build_year: int
    search: bool  # the search box and page are there
    # site path -> short content hash of the theme's scripts and styles, for ``asset()`` URLs
    asset_versions: dict[str, str] = field(default_factory=dict)
    # site path -> its content-hashed name (the search modules, vibesite.site.scripts), for asset()
    asset_paths: dict[str, str] = field(default_factory=dict)
    # site path -> the hashed modules it imports, directly or not, for module_preloads()
    asset_imports: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the site path of the search's stemmer module (the search page preloads it), "" for none
    search_stemmer: str = ""


@dataclass(frozen=True)
class AssembledSite:
    info: SiteInfo
    pages: tuple[Page, ...]
    files: dict[str, bytes]  # generated non-HTML files: feed, sitemap, robots.txt, related.json
    static: tuple[tuple[Path, str], ...]  # (source file, path inside the site folder)


# Articles per archive page: 200 rows of the archive make about 1,100 DOM nodes with the page
# around them, under the 1,500 Lighthouse asks for (issue 14); a 2,000-article site has 10 pages.
ARCHIVE_PER_PAGE = 200


def _page_url(number: int, folder: str = "") -> str:
    return folder if number == 1 else f"{folder}page/{number}/"


def _index_pages(articles: Sequence[Article], per_page: int, intro: str = "", folder: str = "",
                 extra: Mapping[str, object] | None = None) -> list[Page]:
    total = max(1, -(-len(articles) // per_page))
    pages = []
    for number in range(1, total + 1):
        url = _page_url(number, folder)
        pagination = Pagination(number, total,
                                _page_url(number - 1, folder) if number > 1 else None,
                                _page_url(number + 1, folder) if number < total else None)
        chunk = articles[(number - 1) * per_page : number * per_page]
        pages.append(Page(url, url + "index.html", "index.html",
                          {"articles": chunk, "pagination": pagination, "intro": intro,
                           **(extra or {})}))
    return pages


def _language_feed(lang: str) -> str:
    """A language's own feed, beside its home page."""
    return f"{lang}/atom.xml"


def _language_homes(config: Config, articles: Sequence[Article],
                    taken: set[str]) -> tuple[list[Page], list[Version]]:
    """Hugo's and Zola's home page of each other language (``/fr/``, paginated as the home
    is): that language's articles in the site's order, the page in that language, its feed
    ``/fr/atom.xml``; and the homes' versions for their "Read in:" links, the site's own home
    first. A language whose folder is already a page (a section or an article at ``/fr/``)
    keeps that page and gets no home."""
    languages = Languages(config.language, config.languages)
    by_lang: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if article.lang and f"{article.lang}/" not in taken:
            by_lang[article.lang].append(article)
    if not by_lang:
        return [], []
    versions = [Version(config.language, languages.name(config.language), ""),
                *(Version(lang, languages.name(lang), f"{lang}/") for lang in sorted(by_lang))]
    pages: list[Page] = []
    for lang in sorted(by_lang):
        pages += _index_pages(site_order(by_lang[lang], config.order), config.per_page,
                              folder=f"{lang}/", extra={"page_lang": lang, "home_lang": lang,
                                                         "home_versions": versions,
                                                         "feed": _language_feed(lang),
                                                         "home": f"{lang}/"})
    return pages, versions


def _sections_home(ordered: Sequence[Article], sections: Sequence[Section], per_page: int,
                   intro: str) -> Page:
    """``home = "sections"``: one home page, the overview of the top-level sections, and
    after it up to ``per_page`` of the articles at the top of the site."""
    loose = [a for a in ordered if not top_folder(a)]
    return Page("", "index.html", "index.html",
                {"articles": loose[:per_page], "more_articles": len(loose) > per_page,
                 "pagination": Pagination(1, 1, None, None), "intro": intro,
                 "overview": sections_overview(ordered, sections)})


def _related_links(articles: Sequence[Article], related: Related, index: int) -> list[RelatedLink]:
    return [RelatedLink(articles[j].title, articles[j].url, articles[j].date_display, score)
            for j, score in related.of(index)]


def _tag_pages(articles: Sequence[Article]) -> list[Page]:
    """``tags/`` and a page per tag; a nested tag's (a vault's ``lang/python``) articles are
    listed under each level above it too (``tags/lang/``), as Quartz's tag pages do."""
    by_tag: dict[str, list[Article]] = defaultdict(list)
    names: dict[str, Tag] = {}
    for article in articles:
        listed: set[str] = set()
        for tag in article.tags:
            levels = tag.slug.split("/")
            for n in range(1, len(levels) + 1):
                slug = "/".join(levels[:n])
                if slug not in listed:
                    listed.add(slug)
                    by_tag[slug].append(article)
                names.setdefault(slug, tag if n == len(levels) else
                                 Tag("/".join(tag.name.split("/")[:n]), slug))
    summaries = [TagSummary(names[s].name, s, len(by_tag[s])) for s in sorted(by_tag)]
    pages = [Page("tags/", "tags/index.html", "tags.html", {"tags": summaries})]
    pages += [Page(f"tags/{t.slug}/", f"tags/{t.slug}/index.html", "tag.html",
                   {"tag": t, "articles": by_tag[t.slug]}) for t in summaries]
    return pages


def _archive_pages(articles: Sequence[Article]) -> list[Page]:
    """``archive/``, then ``archive/page/2/``...: ARCHIVE_PER_PAGE articles each, by year."""
    total = max(1, -(-len(articles) // ARCHIVE_PER_PAGE))
    pages = []
    for number in range(1, total + 1):
        by_year: dict[int, list[Article]] = defaultdict(list)
        for article in articles[(number - 1) * ARCHIVE_PER_PAGE : number * ARCHIVE_PER_PAGE]:
            by_year[article.date.year].append(article)
        years = [YearGroup(y, tuple(by_year[y])) for y in sorted(by_year, reverse=True)]
        url = _page_url(number, "archive/")
        pagination = Pagination(number, total,
                                _page_url(number - 1, "archive/") if number > 1 else None,
                                _page_url(number + 1, "archive/") if number < total else None)
        pages.append(Page(url, url + "index.html", "archive.html",
                          {"years": years, "pagination": pagination}))
    return pages


def redirect_page(target: str) -> bytes:
    """An old URL's page, as Hugo's alias template writes it: refresh at once, canonical link."""
    url = escape(target, quote=True)
    return (f'<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <title>{url}</title>\n'
            f'    <link rel="canonical" href="{url}">\n    <meta name="robots" content="noindex">\n'
            f'    <meta charset="utf-8">\n    <meta http-equiv="refresh" content="0; url={url}">\n'
            f'  </head>\n</html>\n').encode()


def related_json(articles: Sequence[Article], related: Related) -> bytes:
    data = {
        a.id: [{"id": articles[j].id, "url": articles[j].url, "title": articles[j].title,
                "score": round(score, 4)} for j, score in related.of(i)]
        for i, a in enumerate(articles)
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _static_files(config: Config, theme_dirs: Sequence[Path], content_static: Sequence[str],
                  root_files: Sequence[tuple[str, Path]] = ()) -> tuple[tuple[Path, str], ...]:
    chosen: dict[str, Path] = {}
    for folder in [*(d / "static" for d in reversed(theme_dirs)), config.static_dir]:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    chosen["static/" + path.relative_to(folder).as_posix()] = path
    if "static/favicon.ico" in chosen:  # browsers and crawlers ask for /favicon.ico
        chosen["favicon.ico"] = chosen["static/favicon.ico"]
    chosen.update(root_files)  # the passthrough folders' (Hugo's static/): the site's own
    for relpath in content_static:
        chosen[relpath] = config.content_dir / relpath
    return tuple((src, dest) for dest, src in sorted(chosen.items()))


VENDOR_DIR = Path(__file__).resolve().parent.parent / "vendor"
DIAGRAMS = "static/vendor/mermaid/mermaid.min.js"  # theme.js loads it where a page has one


def _diagram_files(articles: Sequence[Article]) -> list[tuple[Path, str]]:
    """Mermaid and its licence, when some article has a ```mermaid diagram."""
    if not any('<pre class="mermaid">' in a.html_body for a in articles):
        return []
    folder = VENDOR_DIR / "mermaid"
    return [(path, f"static/vendor/mermaid/{path.name}") for path in sorted(folder.iterdir())
            if path.is_file()]


MODEL_RUNTIME = ("onnxruntime-web", "tokenizers")  # vendored packages semantic search loads


def model_runtime_bytes() -> int:
    """What the browser downloads to run the query model, besides the model and vectors."""
    return sum(path.stat().st_size for package in MODEL_RUNTIME
               for path in (VENDOR_DIR / package).iterdir()
               if path.is_file() and not path.name.startswith("LICENSE"))


def _search_vendor_files(manifest: Mapping[str, Any], stemmer: str) -> list[tuple[Path, str]]:
    """The pinned third-party JavaScript and WebAssembly the search page loads, with licences:
    ``stemmer``, the index's language's (``_stemmer_path``; "": none), the model runtime only
    when the search ``manifest`` has a model to run."""
    packages = ["snowball-stemmers"] if stemmer else []
    if manifest.get("model"):
        packages += MODEL_RUNTIME
    return [(path, f"search/vendor/{package}/{path.name}")
            for package in packages for path in sorted((VENDOR_DIR / package).iterdir())
            if path.is_file() and (package != "snowball-stemmers" or path.suffix != ".mjs"
                                   or f"search/vendor/{package}/{path.name}" == stemmer)]


def _stemmer_path(manifest: Mapping[str, Any] | None) -> str:
    """The site path of the search index's stemmer module (the ``manifest``'s
    ``lexical.stemmer``), "" without search or stemmer."""
    name = manifest["lexical"]["stemmer"] if manifest else None
    return f"search/vendor/{stemmer_module(name)}" if name else ""


def _manifest_version(search_files: Mapping[str, bytes | Path]) -> dict[str, str]:
    """The search manifest's content hash, for ``asset()``: pages name it
    ``search/manifest.json?v=<hash>``, a URL a browser may keep (a new build names a new one),
    so the search page's preload of it is the very request its script makes."""
    data = search_files.get("search/manifest.json")
    if data is None:
        return {}
    raw = data if isinstance(data, bytes) else data.read_bytes()
    return {"search/manifest.json": hashlib.sha256(raw).hexdigest()[:10]}


def assemble(config: Config, articles: Sequence[Article], related: Related,
             topics: Topics, theme_dirs: Sequence[Path], content_static: Sequence[str],
             search_files: Mapping[str, bytes | Path],
             sections: Sequence[Section] = (),
             redirects: Sequence[tuple[str, str]] = (),
             root_files: Sequence[tuple[str, Path]] = (), *,
             diagnostics: Diagnostics) -> AssembledSite:
    """``diagnostics`` gets the ``[feed-clash]`` warnings of ``old_feeds`` and those of
    ``old_taxonomies`` (vibesite.site.old_terms)."""
    scripts = hash_scripts(_static_files(config, theme_dirs, content_static, root_files))
    found = search_files.get("search/manifest.json")
    manifest = (json.loads(found if isinstance(found, bytes) else found.read_bytes())
                if found is not None else None)
    stemmer = _stemmer_path(manifest)
    static = (*scripts.static, *_diagram_files(articles))
    info = SiteInfo(config.title, config.description, config.author, config.language,
                    config.base_url, datetime.now(UTC).year, bool(search_files),
                    asset_versions={
                        **{dest: hashlib.sha256(src.read_bytes()).hexdigest()[:10]
                           for src, dest in static
                           if dest.startswith("static/") and dest.endswith((".js", ".css"))},
                        **_manifest_version(search_files)},
                    asset_paths=scripts.names, asset_imports=scripts.imports,
                    search_stemmer=stemmer)
    home = next((s for s in sections if s.id == ""), None)
    listed = [a for a in articles if a.listed]
    ordered = site_order(listed, config.order)
    intro = home.html_body if home else ""
    pages = ([_sections_home(ordered, sections, config.per_page, intro)]
             if config.home == "sections" else _index_pages(ordered, config.per_page, intro))
    pages += [Page(s.url, s.url + "index.html", "section.html",
                   {"section": s, "articles": s.articles}) for s in sections if s.id]
    homes, home_versions = _language_homes(config, articles,
                                           {p.url for p in pages} | {a.url for a in articles})
    pages = [*(replace(p, context={**p.context, "home_versions": home_versions,
                                   "home_lang": config.language})
               if p.template == "index.html" else p for p in pages), *homes]
    feed_of = {v.lang: _language_feed(v.lang) for v in home_versions[1:]}
    topic_of = topic_of_article(topics)
    nav = post_navigation(site_order(articles, config.order), config.order)
    pages += [
        Page(a.url, a.url + "index.html", "article.html",
             {"article": a, "related": _related_links(articles, related, i),
              "topic": topic_of.get(a.original or a.id), "post_nav": nav[a.id],
              "section": section(a), "page_lang": a.lang or config.language,
              "feed": feed_of.get(a.lang, "atom.xml"),
              "home": f"{a.lang}/" if a.lang in feed_of else ""})
        for i, a in enumerate(articles)
    ]
    more_pages, topic_files = topic_pages(topics, listed, config.base_path)
    pages += more_pages
    pages += [*_archive_pages(listed), *_tag_pages(listed),
              Page("404.html", "404.html", "404.html", {})]
    if search_files:
        pages.append(Page("search/", "search/index.html", "search.html", {}))
    files = {
        "atom.xml": feeds.atom(config, listed),
        **{feed_of[v.lang]: feeds.atom(config, [a for a in articles if a.lang == v.lang],
                                       title=v.name, page=v.url, path=feed_of[v.lang],
                                       lang=v.lang)
           for v in home_versions[1:]},
        "sitemap.xml": feeds.sitemap(config, [p.url for p in pages if p.template != "404.html"],
                                     articles),
        "robots.txt": feeds.robots(config),
        "related.json": related_json(articles, related),
        **scripts.files,
        **topic_files,
        **{out: redirect_page(config.absolute_url(f"{article_id}/"))
           for out, article_id in redirects},
        **{path: data for path, data in search_files.items() if isinstance(data, bytes)},
    }
    if manifest:
        static += tuple((source, path) for path, source in search_files.items()
                        if isinstance(source, Path))
        static += tuple(_search_vendor_files(manifest, stemmer))
    terms: dict[str, str] = {}
    if config.old_taxonomies:  # the old site's tag and category pages: redirects to ours
        terms = old_term_redirects(config, listed, _written(pages, files, static, redirects),
                                   diagnostics)
        files.update((out, redirect_page(config.absolute_url(to))) for out, to in terms.items())
    if config.old_feeds:
        written = _written(pages, files, static, redirects)
        written.update((out, "an old tag page's redirect") for out in terms)
        files.update(old_feed_files(config, files["atom.xml"], listed, sections, written,
                                    diagnostics,
                                    {lang: files[path] for lang, path in feed_of.items()}))
    return AssembledSite(info, tuple(pages), files, static)


def _written(pages: Sequence[Page], files: Mapping[str, bytes],
             static: Sequence[tuple[Path, str]],
             redirects: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Every path the site writes -> what writes it, as a warning names it."""
    aliases = {out for out, _ in redirects}
    written = {path: "the static file " + path for _, path in static}
    written.update((path, "an alias's redirect page" if path in aliases
                    else "vibesite's own " + path) for path in files)
    written.update((p.output, f"the page /{p.url}") for p in pages)
    return written
