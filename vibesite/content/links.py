"""Links between sources: Markdown links follow their target article, images follow the page.

In: the parsed articles (with their final ids), the links and images each one's Markdown
holds (``RenderedMarkdown.refs``, lines relative to the body), the content folder's other
files. Out: the articles with their HTML rewritten, a warning with ``file:line`` for every
link, anchor or image that leads nowhere (``broken-link``, ``broken-anchor``,
``broken-image``), and the links to a site path no page or content file has
(``UncheckedLink``): the build checks those against every file it writes (feeds at old
URLs, redirects, language homes, search files: vibesite.site.link_check.check_body_links),
so no stage has to be foreseen here.

Targets are read as GitHub and most generators read them: relative to the source file's
folder, or to the content folder when they start with ``/`` (or Zola's ``@/``).
- ``second.md``, ``../about.md#setup`` (any Markdown extension): the URL of the article
  built from that file, wherever its slug, path or clash suffix put it, with the anchor
  checked against the target's heading ids;
- ``pic.png``, ``../img/a.png``: a file beside the source is published where it is, so the
  reference becomes its site path (a page bundle's ``slug`` moves the page, not the file);
- ``#anchor``: checked against the page's own ids;
- anything else relative (``../other-post/``): checked against the site's pages and files.
Root-relative targets that are not Markdown files are checked only and left as written.
Rewritten targets start with the site's base path, so they work in the feed too. Every
article learns which others link to it (``Article.linked_from``, its "Linked from" list).
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from html import unescape
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from markdown_it.common.utils import escapeHtml

from vibesite.content.article import Article
from vibesite.content.discover import is_markdown
from vibesite.content.sections import folder_id, member_folder
from vibesite.content.urls import path_id
from vibesite.diagnostics import Diagnostics

_IDS = re.compile(r'\sid="([^"]*)"|<a\s[^>]*?\bname="([^"]*)"')  # <a name> still lands
_HEADINGS = re.compile(r'<h([1-6])[^>]*\sid="([^"]*)"[^>]*>(.*?)</h\1>', re.S)
_TAGS = re.compile(r"<[^>]+>")
_RUNS = re.compile(r"[^\W_]+|[^\w\s]+")  # words, and runs of symbols and punctuation
# Jekyll's default post URL: /2014/07/16/title/ (or .html), any categories before it
_DATED = re.compile(r"(?:.*/)?(\d{4})/(\d{2})/(\d{2})/([^/]+?)(?:\.html)?")
_TEMPLATE = re.compile(r"\{\{|\{%")
_LOOSE = re.compile(r"[\W_]+")  # what anchor styles differ in: punctuation, spaces, case
_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


def _has_symbol(text: str) -> bool:
    """Whether ``text`` holds an emoji or another symbol (Unicode category So)."""
    return any(unicodedata.category(c) == "So" for c in text)


@dataclass(frozen=True)
class UncheckedLink:
    """A Markdown link to a site path that is not a page or a content file: a file a later
    stage may write. ``path`` is the site path it names (``fr/atom.xml``, ``tags/go``)."""

    source: str
    line: int
    target: str
    path: str


@dataclass(frozen=True)
class SourceRefs:
    """What one source's Markdown links to, and where its body starts in the file."""

    refs: tuple[tuple[str, str, int], ...]
    body_line: int  # 1-based line of the file where the body starts


class _Linker:
    def __init__(self, articles: Sequence[Article], files: Iterable[str], base_path: str,
                 reserved: frozenset[str], left_out: Mapping[str, str],
                 diagnostics: Diagnostics) -> None:
        self.by_source = {a.source: a for a in articles}
        self.by_url = {a.url: a for a in articles}
        self.left_out = left_out
        self.urls = {a.url for a in articles} | {  # and the folders' section pages
            folder_id(p.as_posix()) + "/" for a in articles
            for p in (PurePosixPath(member_folder(a.source)),
                      *PurePosixPath(member_folder(a.source)).parents)}
        self.files = set(files)
        self.dated = {(f"{a.date.year:04d}", f"{a.date.month:02d}", f"{a.date.day:02d}",
                       a.id.rpartition("/")[2]): a.url for a in articles}
        self.base_path = base_path
        self.reserved = reserved
        self.diagnostics = diagnostics
        self._ids: dict[str, dict[str, str]] = {}
        self._symbols: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        self.backlinks: dict[str, set[str]] = {}  # source -> the sources linking to it
        self.unchecked: list[UncheckedLink] = []

    def anchor(self, article: Article, fragment: str) -> str | None:
        """The id on ``article``'s page that ``fragment`` names: itself, or the one id that
        reads the same without punctuation and case (another generator's heading slug,
        such as Zola's ``what-s-next`` for ``whats-next``), or the one heading whose symbols
        another generator spelled as words; "" (the top of the page) for the page's title,
        the first heading that became the title (Obsidian's ``[[note#Note]]``); None when
        there is none."""
        if article.source not in self._ids:
            ids = [unescape(by_id or by_name)
                   for by_id, by_name in _IDS.findall(article.html_body)]
            loose: dict[str, str] = {}
            for found in ids:
                loose.setdefault(_LOOSE.sub("", found.lower()), found)
            loose.update({found: found for found in ids})
            self._ids[article.source] = loose
        known = self._ids[article.source]
        loose_fragment = _LOOSE.sub("", fragment.lower()) or fragment
        found = known.get(fragment) or known.get(loose_fragment)
        if found is None:
            named = [hid for hid, pattern in self._symbol_headings(article)
                     if pattern.fullmatch(loose_fragment)]
            found = named[0] if len(named) == 1 else None
        if found is None and loose_fragment == _LOOSE.sub("", article.title.lower()):
            found = ""
        return found

    def _symbol_headings(self, article: Article) -> list[tuple[str, re.Pattern[str]]]:
        """(id, pattern) for each heading with emoji or other symbols in its text: Zola and
        others spell a symbol as its name in the slug ("Issues (🦀)" -> ``issues-crab``), so
        the pattern lets each run of symbols stand for any letters, the words as they are."""
        if article.source not in self._symbols:
            found = []
            for _, hid, inner in _HEADINGS.findall(article.html_body):
                runs = _RUNS.findall(unescape(_TAGS.sub("", inner)).lower())
                if any(map(_has_symbol, runs)):
                    pattern = "".join("[a-z0-9]*" if _has_symbol(run)
                                      else re.escape(_LOOSE.sub("", run)) for run in runs)
                    found.append((unescape(hid), re.compile(pattern)))
            self._symbols[article.source] = found
        return self._symbols[article.source]

    def site_url(self, path: str, fragment: str) -> str:
        return self.base_path + quote(path) + (f"#{quote(fragment)}" if fragment else "")

    def resolve(self, article: Article, tag: str, target: str, line: int) -> str | None:
        """The new target (or None to keep it), after warning when it leads nowhere."""
        if _TEMPLATE.search(unquote(target)):
            return None  # template syntax kept as text (template_syntax = false): not a link
        path, _, fragment = target.partition("#")
        path, fragment = unquote(path.partition("?")[0]), unquote(fragment)
        if not path:
            if not fragment:
                return None
            found = self.anchor(article, fragment)
            if found is None:
                self._warn(article, line, f"no heading or element with id '{fragment}' on this "
                           "page", "broken-anchor")
            return None if found in (None, fragment) else "#" + quote(found)
        if path.startswith("@/"):  # Zola's internal link: from the content folder
            path = path[1:]
        folder = "" if path.startswith("/") else posixpath.dirname(article.source)
        source_path = posixpath.normpath(posixpath.join(folder, path.lstrip("/")))
        if is_markdown(path):
            return self._markdown(article, target, source_path, fragment, line)
        if source_path in self.files:
            if path.startswith("/"):
                return None
            return self.site_url(source_path, fragment)
        if tag == "img":
            self._warn(article, line, f"image '{target}': no file {source_path} in the content "
                       "folder", "broken-image")
            return None
        found, moved, page = self._page(article, path)
        if not found:  # checked once the site is built, against every file it writes
            self.unchecked.append(UncheckedLink(article.source, line, target, page.rstrip("/")))
        linked = self.by_url.get(moved or page) if fragment else None
        if linked is not None:
            anchor = self.anchor(linked, fragment)
            if anchor is None:
                self._warn(article, line, f"link '{target}': {linked.source} has no heading "
                           f"or element with id '{fragment}'", "broken-anchor")
            elif anchor != fragment:
                return self.site_url(moved or page, anchor)
        return moved and self.site_url(moved, fragment)

    def _markdown(self, article: Article, target: str, source_path: str, fragment: str,
                  line: int) -> str | None:
        linked = self.by_source.get(source_path)
        if linked is None:
            why = (f" (left out: {self.left_out[source_path]})"
                   if source_path in self.left_out else "")
            if not why and posixpath.normpath(target.partition("#")[0]) in self.by_source:
                why = f" (did you mean '/{unquote(target)}'?)"
            self._warn(article, line, f"link '{target}': no article is built from "
                       f"{source_path}{why}", "broken-link")
            return None
        if linked.source != article.source:
            self.backlinks.setdefault(linked.source, set()).add(article.source)
        if fragment:
            found = self.anchor(linked, fragment)
            if found is None:
                self._warn(article, line, f"link '{target}': {linked.source} has no heading "
                           f"or element with id '{fragment}'", "broken-anchor")
            fragment = fragment if found is None else found
        return self.site_url(linked.url, fragment)

    def _page(self, article: Article, path: str) -> tuple[bool, str | None, str]:
        """Whether a relative or root-relative URL path names a page, a file or a generated
        folder; the page's URL when it does so only once slugified like vibesite's URLs
        (``/2015/02/13/Final-1.0-timeline/`` for ``2015/02/13/final-1.0-timeline/``) or
        when it is Jekyll's dated URL of a post (``/2014/07/16/hello/`` for ``hello/``); and
        the site path it names, as an article's ``url`` reads."""
        if path.startswith("/"):
            site_path = path.lstrip("/")
            base = self.base_path.lstrip("/")
            if base and site_path.startswith(base):
                site_path = site_path[len(base):]
        else:
            site_path = posixpath.normpath(posixpath.join(article.url, path))
        site_path = "" if site_path == "." else site_path
        if site_path.startswith(".."):
            return True, None, ""  # above the site: not ours to judge
        bare = site_path.strip("/")
        page = bare + "/" if bare else ""
        if (page in self.urls or bare in self.files or bare == ""
                or bare.split("/")[0] in self.reserved
                or posixpath.join(bare, "index.html") in self.files):
            return True, None, page
        slugged = path_id(bare) + "/"
        if slugged in self.urls:
            return True, slugged, page
        dated = _DATED.fullmatch(bare)
        moved = self.dated.get((*dated.groups()[:3], path_id(dated.group(4)))) if dated else None
        return (True, moved, page) if moved else (False, None, page)

    def _warn(self, article: Article, line: int, message: str, code: str) -> None:
        self.diagnostics.warning(article.source, line, message, code)


def link_articles(articles: Sequence[Article], refs: Mapping[str, SourceRefs],
                  files: Iterable[str], base_path: str, reserved: frozenset[str],
                  left_out: Mapping[str, str], diagnostics: Diagnostics,
                  ) -> tuple[list[Article], tuple[UncheckedLink, ...]]:
    """``articles`` with every internal link and image pointed at where its target is
    published, and the links left to check against the built site; ``files`` are the content
    folder's non-Markdown files (published as they are), ``reserved`` the first path segments
    of the pages vibesite generates itself, ``left_out`` the sources that give no article with
    the reason ("a draft")."""
    linker = _Linker(articles, files, base_path, reserved, left_out, diagnostics)
    result: list[Article] = []
    for article in articles:
        found = refs.get(article.source)
        new: dict[str, str] = {}
        for tag, target, line in found.refs if found else ():
            moved = linker.resolve(article, tag, target, found.body_line + line)
            if moved is not None and moved != target:
                new[target] = moved
        if new:
            article = replace(article, html_body=_rewrite(article.html_body, new))
        result.append(article)
    return [replace(a, linked_from=tuple(
        (linker.by_source[s].title, linker.by_source[s].url) for s in sorted(linking)))
        if (linking := linker.backlinks.get(a.source)) else a
        for a in result], tuple(linker.unchecked)


def _rewrite(html: str, new: Mapping[str, str]) -> str:
    """Every ``href``/``src`` attribute whose (unescaped) value is a key of ``new`` replaced."""

    def one(match: re.Match[str]) -> str:
        moved = new.get(unescape(match.group(2)))
        return match.group(0) if moved is None else (
            match.group(1) + escapeHtml(moved) + match.group(3))

    return _ATTR.sub(one, html)
