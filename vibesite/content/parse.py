"""Stage 2: turn source files into articles (front matter, title, date, slug, HTML, text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import unescape
from pathlib import PurePosixPath
from typing import Any

from markdown_it import MarkdownIt

from vibesite.config import Config
from vibesite.content import dates
from vibesite.content.discover import Discovery, SourceFile
from vibesite.content.frontmatter import FrontMatter, normalize_newlines, split_front_matter
from vibesite.content.markdown import make_markdown
from vibesite.content.render_cache import RenderCache
from vibesite.content.slugs import slugify, tag_slug
from vibesite.diagnostics import Diagnostics

# First path segments the generator uses itself, and files it writes at the site root.
RESERVED_IDS = frozenset({"archive", "tags", "page", "static", "topics", "map", "search"})
GENERATED_FILES = frozenset({"404.html", "atom.xml", "sitemap.xml", "robots.txt",
                             "related.json", "topics.json", "index.html"})
_TAGS = re.compile(r"<[^>]*>")
_WS = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # C0 controls that are not white space
# Front matter values that read as one piece of text (bool is an int, datetime a date).
# A list or table is never turned into text: an aliased YAML list can stand for billions.
_SCALARS = (str, int, float, date)
_KINDS = {list: "a list", dict: "a table", set: "a set", bytes: "binary data"}


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str


@dataclass(frozen=True)
class Article:
    id: str  # the slug path, e.g. "git/accessing-a-lost-commit"; unique
    source: str  # path relative to the content folder
    title: str
    date: datetime
    updated: datetime | None
    tags: tuple[Tag, ...]
    summary: str
    html_body: str
    text: str  # the body as plain text
    reading_minutes: int
    weight: int | None = None  # front matter ``weight`` or ``order``: the place in a docs-like site

    @property
    def url(self) -> str:
        return self.id + "/"

    @property
    def date_display(self) -> str:
        return dates.display(self.date)

    @property
    def date_iso(self) -> str:
        return self.date.isoformat()

    @property
    def updated_display(self) -> str | None:
        return dates.display(self.updated) if self.updated else None

    @property
    def embed_text(self) -> str:
        """What the model sees: the title, then the body as plain text."""
        return f"{self.title}\n\n{self.text}".strip()


@dataclass(frozen=True)
class ParsedContent:
    articles: tuple[Article, ...]  # newest first, then by id
    drafts: int
    unpublished: int
    expired: int


def _clean(value: Any) -> str:
    """A scalar as one line of text, control characters dropped; anything else gives ""."""
    if not isinstance(value, _SCALARS):
        return ""
    return _WS.sub(" ", _CONTROL.sub("", str(value))).strip()


def _shown(value: Any) -> str:
    """A front matter value for a message: quoted and short, or what kind of thing it is."""
    if not isinstance(value, _SCALARS):
        return _KINDS.get(type(value), type(value).__name__)
    text = str(value)
    return repr(text if len(text) <= 60 else text[:60] + "…")


def _source_slug(relpath: str, fm_slug: str) -> str:
    path = PurePosixPath(relpath)
    folders = [p for p in path.parent.parts if not p.startswith("_")]
    stem = re.sub(r"^\d{4}-\d{1,2}-\d{1,2}-", "", path.stem)
    if fm_slug:
        stem = fm_slug
    elif stem in ("index", "_index"):
        stem = folders.pop() if folders else "index"
    return "/".join(slugify(p) for p in [*folders, stem])


def _unique_tags(names: list[str]) -> tuple[Tag, ...]:
    seen: dict[str, Tag] = {}
    for name in names:
        slug = tag_slug(name)
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
        self.md: MarkdownIt = make_markdown(raw_html=config.raw_html)
        self.now = datetime.now(UTC)

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

    def _weight(self, source: SourceFile, fm: FrontMatter) -> int | None:
        for key in ("weight", "order"):
            value = fm.data.get(key)
            if value is None or value == "":
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
                return int(value)
            self._wrong_type(source, fm, key, f"'{key}' must be a whole number, not "
                             f"{_shown(value)}; it is ignored")
        return None

    def _wrong_type(self, source: SourceFile, fm: FrontMatter, key: str, message: str) -> None:
        self.diagnostics.warning(source.relpath, fm.line_of(key), message, "front-matter-type")

    def _tags(self, source: SourceFile, fm: FrontMatter) -> tuple[Tag, ...]:
        names: list[str] = []
        for key in ("tags", "categories"):
            value = fm.data.get(key)
            if isinstance(value, str):
                value = value.split(",")
            elif isinstance(value, _SCALARS):
                value = [value]
            elif value is not None and not isinstance(value, list):
                self._wrong_type(source, fm, key, f"'{key}' must be a list of names, not "
                                 f"{_shown(value)}; it is ignored")
                continue
            items = value or []
            if odd := next((i for i in items if i is not None and not isinstance(i, _SCALARS)),
                           None):
                self._wrong_type(source, fm, key, f"'{key}' must list names, not "
                                 f"{_shown(odd)}; such items are ignored")
            names.extend(name for item in items if (name := _clean(item)))
        return _unique_tags(names)

    def _skip_reason(self, source: SourceFile, fm: FrontMatter) -> str | None:
        data = fm.data
        if data.get("draft") is True and not self.config.drafts:
            return "draft"
        if data.get("published") is False:
            return "unpublished"
        expiry = self._date(source, fm, "expirydate")
        if expiry is not None and expiry < self.now:
            return "expired"
        return None

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
        title = self._text(source, fm, "title")
        rendered = self.cache.render(self.md, fm.body, take_h1=not title)
        title = title or rendered.h1_title or PurePosixPath(source.relpath).stem
        zola_path = self._text(source, fm, "path").strip("/")
        git = self.discovery.git_dates.get(source.relpath)
        name = PurePosixPath(source.relpath).name
        date = (
            self._date(source, fm, "date")
            or dates.date_from_filename(name)
            or (dates.date_from_path(zola_path) if zola_path else None)
            or (git.created if git else None)
            or dates.from_timestamp(source.mtime)
        )
        updated = next(
            (d for k in ("updated", "lastmod", "last_modified_at")
             if (d := self._date(source, fm, k))),
            git.updated if git and dates.display(git.updated) != dates.display(date) else None,
        )
        if zola_path:
            slug = "/".join(slugify(p) for p in zola_path.split("/"))
        else:
            slug = _source_slug(source.relpath, self._text(source, fm, "slug"))
        words = len(rendered.text.split())
        return Article(
            id=slug, source=source.relpath, title=title, date=date, updated=updated,
            tags=self._tags(source, fm), summary=_summary(data, rendered.text),
            html_body=rendered.html,
            text=rendered.text, reading_minutes=max(1, round(words / 220)),
            weight=self._weight(source, fm),
        )


def _unique_ids(articles: list[Article], diagnostics: Diagnostics) -> list[Article]:
    """Give clashing slugs a stable ``-2``, ``-3`` suffix in sorted source order."""
    owner: dict[str, Article] = {}
    result: list[Article] = []
    for article in sorted(articles, key=lambda a: a.source):
        wanted = article.id
        first, _, rest = wanted.partition("/")
        generated = first in RESERVED_IDS or (not rest and first in GENERATED_FILES)
        if wanted in owner or generated:
            n = 2
            while _with_suffix(wanted, n, generated) in owner:
                n += 1
            new_id = _with_suffix(wanted, n, generated)
            other = owner[wanted].source if wanted in owner else "a page vibesite generates"
            diagnostics.warning(article.source, 1,
                                f"slug '{wanted}' is also used by {other}; this page is "
                                f"published as '{new_id}/' (set 'slug' in its front matter to "
                                "choose)", "slug-clash")
            article = _replace_id(article, new_id)
        owner[article.id] = article
        result.append(article)
    return result


def _with_suffix(article_id: str, n: int, on_first_segment: bool) -> str:
    """``x`` -> ``x-2``; for a clash with a generated folder, ``tags/x`` -> ``tags-2/x``."""
    if on_first_segment:
        first, sep, rest = article_id.partition("/")
        return f"{first}-{n}{sep}{rest}"
    return f"{article_id}-{n}"


def _replace_id(article: Article, new_id: str) -> Article:
    from dataclasses import replace

    return replace(article, id=new_id)


def parse(config: Config, discovery: Discovery, diagnostics: Diagnostics,
          cache: RenderCache | None = None) -> ParsedContent:
    parser = _Parser(config, discovery, diagnostics, cache or RenderCache(None))
    articles: list[Article] = []
    left_out = {"draft": 0, "unpublished": 0, "expired": 0}
    for source in discovery.sources:
        result = parser.parse(source)
        if isinstance(result, Article):
            articles.append(result)
        elif isinstance(result, str):
            left_out[result] += 1
    unique = _unique_ids(articles, diagnostics)
    unique.sort(key=lambda a: (-a.date.timestamp(), a.id))
    return ParsedContent(tuple(unique), left_out["draft"], left_out["unpublished"],
                         left_out["expired"])
