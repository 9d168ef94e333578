"""Stage 2: turn source files into articles (front matter, title, date, slug, language, HTML,
text), linked to each other and to their versions in other languages.
A vault (``alias_paths`` ``"quartz"``) is read as Quartz 4 reads it (vibesite.content.quartz):
no ``title``: the file name (a first ``# H1`` repeating it leaves the body, another stays);
``tag`` for ``tags``; ``permalink``: an old URL to redirect."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from html import unescape
from pathlib import PurePosixPath
from typing import Any

from markdown_it import MarkdownIt

from vibesite.config import Config
from vibesite.content import dates
from vibesite.content.aliases import alias_list, alias_style, redirects
from vibesite.content.article import Article, Tag
from vibesite.content.discover import Discovery, SourceFile
from vibesite.content.embeds import embed_notes
from vibesite.content.frontmatter import SCALARS as _SCALARS
from vibesite.content.frontmatter import FrontMatter, normalize_newlines, split_front_matter
from vibesite.content.frontmatter import clean_value as _clean
from vibesite.content.frontmatter import shown as _shown
from vibesite.content.frontmatter import text_of as _text_of
from vibesite.content.languages import (
    Languages,
    PageLanguage,
    language_ids,
    link_versions,
    page_language,
)
from vibesite.content.latex import wants_math
from vibesite.content.links import SourceRefs, UncheckedLink, link_articles
from vibesite.content.markdown import make_markdown
from vibesite.content.obsidian import inline_tags, strip_comments, vault_settings, with_tag_base
from vibesite.content.quartz import SPACED_TAG, flag, vault_tags
from vibesite.content.render_cache import RenderCache
from vibesite.content.sections import (
    Section,
    build_sections,
    cascades,
    folder_id,
    inherited,
    section_files,
)
from vibesite.content.slugs import nested_tag_slug, slugify, tag_slug
from vibesite.content.template_tags import convert, has_template_syntax
from vibesite.content.urls import (
    html_file,
    is_jekyll_post,
    path_id,
    permalink_path,
    slug_id,
    source_id,
    unique_ids,
)
from vibesite.content.wikilinks import convert_wikilinks, note_aliases
from vibesite.diagnostics import Diagnostics

# First path segments the generator uses itself, and files it writes at the site root.
RESERVED_IDS = frozenset({"archive", "tags", "page", "static", "topics", "map", "search"})
GENERATED_FILES = frozenset({"404.html", "atom.xml", "sitemap.xml", "robots.txt",
                             "related.json", "topics.json", "index.html"})
_TAGS = re.compile(r"<[^>]*>")

_LEFT_OUT = {"draft": "a draft; --drafts builds it",
             "unpublished": "published: false or publish: false",
             "expired": "its expirydate has passed",
             "headless": "headless: true or build.render: never",
             "template": "in the vault's template folder"}
_NEVER = ("never", False, "false")  # Hugo's build.render (and _build.render) values: no page


@dataclass(frozen=True)
class ParsedContent:
    articles: tuple[Article, ...]  # newest first, then by id
    drafts: int
    unpublished: int
    expired: int
    headless: int = 0  # Hugo's headless bundles and ``build.render: never``
    sections: tuple[Section, ...] = ()  # the home page's first (id "")
    redirects: tuple[tuple[str, str], ...] = ()  # (file in the site, article id it leads to)
    link_seconds: float = 0.0  # of the parse: resolving and checking links (link_articles)
    left_out: tuple[tuple[str, str], ...] = ()  # (source, why it gives no page), by source
    # Markdown links to paths no page or content file has: checked against the built site
    unchecked_links: tuple[UncheckedLink, ...] = ()


def _unique_tags(names: list[str], nested: bool = False) -> tuple[Tag, ...]:
    seen: dict[str, Tag] = {}
    for name in names:
        slug = nested_tag_slug(name) if nested else tag_slug(name)
        seen.setdefault(slug, Tag(name, slug))
    return tuple(seen.values())


def _summary(data: dict[str, Any], text: str) -> str:
    for key in ("summary", "description", "excerpt"):
        if isinstance(data.get(key), str) and data[key].strip():
            return _clean(unescape(_TAGS.sub(" ", data[key])))
    first = next((line for line in text.split("\n") if len(line) > 40), "")
    if len(first) <= 200:
        return first
    return first[:200].rsplit(" ", 1)[0] + "…"


class _Parser:
    def __init__(self, config: Config, discovery: Discovery, diagnostics: Diagnostics,
                 cache: RenderCache) -> None:
        self.config = config
        self.cache = cache
        self.discovery = discovery
        self.diagnostics = diagnostics
        self.vault = vault_settings(config.content_dir)
        self.style = alias_style(config.alias_paths, config.content_dir, self.vault.is_vault)
        self.quartz = self.style == "quartz"  # front matter read as Quartz reads it
        self.md: dict[bool, MarkdownIt] = {  # without and with LaTeX math
            math: make_markdown(config.raw_html, self.vault.is_vault, math) for math in (0, 1)}
        self.now = datetime.now(UTC)
        self.refs: dict[str, SourceRefs] = {}  # source -> its links, for link_articles
        self.aliases: dict[str, tuple[list[str], int]] = {}  # source -> (old URLs, line)
        self.old_urls: dict[str, str] = {}  # source -> the .html URL its permalink named
        self.source_paths = frozenset(s.relpath for s in discovery.sources)
        self.languages = Languages(config.language, config.languages)
        # source -> (its path in the default language, the language its file name gives)
        self.plain = {s.relpath: self.languages.from_file_name(s.relpath, self.source_paths)
                      for s in discovery.sources}
        plain_sections = section_files(plain for plain, _ in self.plain.values())
        self.sections = {relpath: plain_sections[plain] for relpath, (plain, _)
                         in self.plain.items() if plain in plain_sections}
        self.page_languages: dict[str, PageLanguage] = {}  # source -> its language, its key
        for relpath in sorted(self.plain):
            self.languages.check_name(relpath, self.source_paths, diagnostics)
        self.all_paths = sorted(self.source_paths | set(discovery.site_files))
        quiet = Diagnostics()  # each file's problems are reported once, by parse()
        self.cascade = cascades({
            folder: split_front_matter(normalize_newlines(s.text), s.relpath, quiet).data
            for s in discovery.sources if (folder := self.sections.get(s.relpath)) is not None})

    def _date(self, source: SourceFile, fm: FrontMatter, key: str) -> datetime | None:
        value = fm.data.get(key)
        if value is None or value == "":
            return None
        found, exact = dates.parse_date(value)
        line = fm.line_of(key)
        if found is None:
            self.diagnostics.warning(source.relpath, line,
                                     f"cannot read {key} {_shown(value)}; write it as YYYY-MM-DD",
                                     "date-invalid")
        elif not exact:
            self.diagnostics.warning(source.relpath, line,
                                     f"{key} {_shown(value)} has extra text; read as "
                                     f"{dates.display(found)}", "date-fuzzy")
        return found

    def _text(self, source: SourceFile, fm: FrontMatter, key: str) -> str:
        value = fm.data.get(key)
        if value is not None and not isinstance(value, _SCALARS):
            self._wrong_type(source, fm, key, f"'{key}' must be text, not {_shown(value)}; "
                             "it is ignored")
        return _clean(value)

    def _weight(self, source: SourceFile, fm: FrontMatter) -> float | None:
        for key in ("weight", "order"):
            value = fm.data.get(key)
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value):
                return float(value)
            self._wrong_type(source, fm, key, f"'{key}' must be a number, not "
                             f"{_shown(value)}; it is ignored")
        return None

    def _wrong_type(self, source: SourceFile, fm: FrontMatter, key: str, message: str) -> None:
        self.diagnostics.warning(source.relpath, fm.line_of(key), message, "front-matter-type")

    def _terms(self, source: SourceFile, fm: FrontMatter) -> list[tuple[str, str]]:
        """(key, name) under each taxonomy key (``tags``, ``categories`` and any the config
        adds, as Hugo's custom taxonomies), top level or in Zola's ``[taxonomies]`` table; on
        a Quartz site ``tag`` stands for a missing ``tags``, as Quartz and Obsidian read it."""
        terms: list[tuple[str, str]] = []
        zola = fm.data.get("taxonomies")
        for table in (fm.data, zola) if isinstance(zola, dict) else (fm.data,):
            for key in self.config.taxonomies:
                read = "tag" if self.quartz and key == "tags" and table.get(key) is None else key
                terms += [(key, n) for n in self._names(source, fm, read, table.get(read))]
        return terms

    def _names(self, source: SourceFile, fm: FrontMatter, key: str, value: Any) -> list[str]:
        if isinstance(value, str):
            value = value.split(",")
        elif isinstance(value, _SCALARS):
            value = [value]
        elif value is not None and not isinstance(value, list):
            self._wrong_type(source, fm, key, f"'{key}' must be a list of names, not "
                             f"{_shown(value)}; it is ignored")
            return []
        items = value or []
        if odd := next((i for i in items if i is not None and not isinstance(i, _SCALARS)),
                       None):
            self._wrong_type(source, fm, key, f"'{key}' must list names, not "
                             f"{_shown(odd)}; such items are ignored")
        names = [name for item in items if (name := _text_of(item))]
        names, spaced = vault_tags(names) if self.quartz else (names, "")
        if spaced:
            self.diagnostics.warning(source.relpath, fm.line_of(key), SPACED_TAG % spaced,
                                     "tag-space")
        return names

    def _skip_reason(self, source: SourceFile, fm: FrontMatter) -> str | None:
        if any(source.relpath.startswith(f + "/") for f in self.vault.template_folders):
            return "template"
        data = fm.data
        rendering = {**inherited(source.relpath, self.cascade), **data}
        build_keys = [rendering.get(k) for k in ("build", "_build")]
        if rendering.get("headless") is True or any(
                isinstance(b, dict) and b.get("render") in _NEVER for b in build_keys):
            return "headless"
        if flag(data.get("draft")) and not self.config.drafts:  # true or "true" (Quartz)
            return "draft"
        if False in (flag(data.get("published")), flag(data.get("publish"))):  # Jekyll; Obsidian
            return "unpublished"
        expiry = self._date(source, fm, "expirydate")
        if expiry is not None and expiry < self.now:
            return "expired"
        return None

    def _body(self, source: SourceFile, fm: FrontMatter) -> str:
        """The body: Obsidian's comments out (a warning outside a vault, where they are
        unusual), wikilinks made Markdown links, other generators' template tags rendered or
        removed (one warning)."""
        body = strip_comments(fm.body)
        if body != fm.body and not self.vault.is_vault:
            pairs = zip(fm.body.split("\n"), body.split("\n"), strict=True)  # lines are kept
            line = next(i for i, (old, new) in enumerate(pairs) if old != new)
            self.diagnostics.warning(
                source.relpath, fm.body_line + line, "text between '%%' marks is left out, as "
                "Obsidian's comments are; put it in `code` to show it", "obsidian-comment")
        if "[[" in body:
            body = convert_wikilinks(body, source.relpath, self.all_paths, self.note_aliases)
        if not self.config.template_syntax or not has_template_syntax(body):
            return body
        converted = convert(body, source.relpath, self.source_paths, fm.data)
        if converted.first_line is not None:
            self.diagnostics.warning(
                source.relpath, fm.body_line + converted.first_line,
                f"{converted.removed} template tag(s) of another generator removed, the first "
                f"'{converted.first_tag}'; vibesite does not run them (template_syntax = "
                "false keeps them as text)", "template-syntax")
        return converted.body

    @cached_property
    def note_aliases(self) -> dict[str, str]:
        return note_aliases((s.relpath, s.text) for s in self.discovery.sources)

    def _url_id(self, source: SourceFile, fm: FrontMatter, zola_path: str,
                date: datetime, relpath: str) -> str:
        """The article's URL path: Jekyll ``permalink`` (the page's, else the config's for a
        post in ``_posts/``), Hugo ``url``, Zola ``path``, a ``slug`` (with ``/``: a path),
        else the file's folders and name (``relpath``: its path in the default language). A
        permalink or url naming an ``.html`` file is published at its folder URL, and the
        file's URL becomes an old URL to redirect. Quartz's ``permalink`` is an old URL only."""
        permalink = ("" if self.quartz else self._text(source, fm, "permalink")) or (
            self.config.permalink if is_jekyll_post(relpath) else "")
        if permalink:
            categories = fm.data.get("categories")
            names = [categories] if isinstance(categories, str) else categories or []
            path = permalink_path(permalink, relpath, date,
                                  [_clean(c) for c in names if _clean(c)],
                                  slug=self._text(source, fm, "slug").strip("/"))
        else:
            path = self._text(source, fm, "url")
        if path:
            if old := html_file(path):
                self.old_urls[source.relpath] = old
            return path_id(path) or "index"
        if zola_path:
            return "/".join(slugify(p) for p in zola_path.split("/"))
        slug = self._text(source, fm, "slug")
        if "/" in slug.strip("/"):
            folders = [p for p in PurePosixPath(relpath).parent.parts if not p.startswith("_")]
            return slug_id(folders, slug)
        return source_id(relpath, slug)

    def parse(self, source: SourceFile) -> Article | str | None:
        """An Article, or the reason it is left out ("draft"...), or None on a hard error."""
        text = normalize_newlines(source.text)
        errors_before = len(self.diagnostics.errors)
        fm = split_front_matter(text, source.relpath, self.diagnostics)
        if len(self.diagnostics.errors) > errors_before:
            return None
        if reason := self._skip_reason(source, fm):
            return reason
        data = fm.data
        title = _text_of(self._text(source, fm, "title"))
        md = self.md[wants_math(data, self.config.math or self.vault.is_vault)]
        body, stem = self._body(source, fm), PurePosixPath(source.relpath).stem
        rendered = self.cache.render(md, body, take_h1=not title)
        if self.quartz and (rendered.h1_title or stem).casefold() != stem.casefold():
            rendered = self.cache.render(md, body, take_h1=False)  # an H1 that is not the title
        title = title or (not self.quartz and rendered.h1_title) or stem
        zola_path = self._text(source, fm, "path").strip("/")
        git = self.discovery.git_dates.get(source.relpath)
        name = PurePosixPath(source.relpath).name
        date = (
            self._date(source, fm, "date")
            or self._date(source, fm, "created")  # Obsidian's and Quartz's
            or dates.date_from_filename(name)
            or (dates.date_from_path(zola_path) if zola_path else None)
            or (git.created if git else None)
            or dates.from_timestamp(source.mtime)
        )
        updated = next(
            (d for k in ("updated", "lastmod", "last_modified_at", "modified", "last-modified")
             if (d := self._date(source, fm, k))),
            git.updated if git and dates.display(git.updated) != dates.display(date) else None,
        )
        plain, file_lang = self.plain[source.relpath]
        slug = self._url_id(source, fm, zola_path, date, plain)
        own_url = bool(zola_path) or any(isinstance(data.get(k), str) and data[k].strip()
                                         for k in ("url",) + ("permalink",) * (not self.quartz))
        self.page_languages[source.relpath] = page_language(
            source.relpath, lambda key: self._text(source, fm, key), fm.line_of, plain,
            file_lang, slug, own_url, self.languages, self.diagnostics)
        aliases = alias_list(data, self.quartz) + (
            [old] if (old := self.old_urls.get(source.relpath)) else []) + (
            [link] if self.quartz and (link := self._text(source, fm, "permalink")) else [])
        if aliases:
            key = next((k for k in ("aliases", "alias", "redirect_from", "permalink", "url")
                        if k in data), "")
            self.aliases[source.relpath] = (aliases, fm.line_of(key) if key else fm.first_line)
        words = len(rendered.text.split())
        if rendered.refs:
            self.refs[source.relpath] = SourceRefs(rendered.refs, fm.body_line)
        terms = [*self._terms(source, fm), *(("tags", n) for n in inline_tags(rendered.html))]
        return Article(
            id=slug, source=source.relpath, title=title, date=date, updated=updated,
            tags=_unique_tags([name for _, name in terms], self.quartz or self.vault.is_vault),
            terms=tuple(terms),
            summary=_summary(data, rendered.text),
            html_body=with_tag_base(rendered.html, self.config.base_path),
            text=rendered.text, reading_minutes=max(1, round(words / 220)),
            weight=self._weight(source, fm),
        )


def _replace_id(article: Article, new_id: str, **changes: str) -> Article:
    from dataclasses import replace

    return replace(article, id=new_id, **changes)


def parse(config: Config, discovery: Discovery, diagnostics: Diagnostics,
          cache: RenderCache | None = None) -> ParsedContent:
    parser = _Parser(config, discovery, diagnostics, cache or RenderCache(None))
    articles: list[Article] = []
    intros: dict[str, Article] = {}  # section id -> its section file, parsed
    left_out = dict.fromkeys(_LEFT_OUT, 0)
    reasons: dict[str, str] = {}
    for source in discovery.sources:
        result = parser.parse(source)
        folder = parser.sections.get(source.relpath)
        found = parser.page_languages.get(source.relpath)
        if folder is not None and found and not parser.languages.is_default(found.lang):
            diagnostics.warning(source.relpath, found.line, "section pages are written in the "
                                "site's language only; this translation of one is not "
                                "published", "translation-section")
        elif isinstance(result, Article) and folder is not None:
            untitled = result.title == PurePosixPath(source.relpath).stem
            intros.setdefault(folder_id(folder), _replace_id(
                result, folder_id(folder), title="" if untitled else result.title))
        elif isinstance(result, Article):
            articles.append(result)
        elif isinstance(result, str) and folder is None:
            left_out[result] += 1
            reasons[source.relpath] = _LEFT_OUT[result]
    reserved = RESERVED_IDS | GENERATED_FILES
    articles = language_ids(articles, parser.page_languages, parser.languages, diagnostics)
    unique = unique_ids(articles, RESERVED_IDS, GENERATED_FILES, diagnostics)
    started = time.perf_counter()
    linked, unchecked = link_articles([*unique, *intros.values()], parser.refs,
                                      discovery.site_files, config.base_path, reserved, reasons,
                                      diagnostics)
    link_seconds = time.perf_counter() - started
    linked = embed_notes(linked, config.base_path)
    unique = link_versions(linked[:len(unique)], parser.page_languages, parser.languages,
                           diagnostics)
    intros = {a.id: a for a in linked[len(unique):]}
    unique.sort(key=lambda a: (-a.date.timestamp(), a.id))
    sections = build_sections([a for a in unique if a.listed], intros, reserved)
    taken = {f: f for f in discovery.site_files}
    for name in sorted(GENERATED_FILES & set(taken) - {"index.html"}):
        diagnostics.warning(name, 1, f"vibesite writes its own {name}, so this file is not "
                            "published", "generated-file")
    taken.update((s.url + "index.html", s.source or f"the section page /{s.url}")
                 for s in sections)
    taken.update((a.url + "index.html", a.source) for a in unique)
    return ParsedContent(tuple(unique), left_out["draft"], left_out["unpublished"],
                         left_out["expired"], left_out["headless"], sections,
                         redirects([*unique, *intros.values()], parser.aliases, taken, reserved,
                                   parser.style, diagnostics),
                         link_seconds, tuple(sorted(reasons.items())), unchecked)
