"""Helpers for tests that build tiny sites: diagnostics as lines, built pages read back."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import build_quiet

from vibesite.config import Config
from vibesite.content.discover import discover
from vibesite.content.parse import Article, ParsedContent, parse
from vibesite.diagnostics import BuildError, Diagnostic, Diagnostics
from vibesite.pipeline import BuildResult


def lines(diagnostics: object) -> list[str]:
    """Diagnostics as the ``path:line: level: message [code]`` lines the user sees."""
    return [str(d) for d in diagnostics]  # type: ignore[attr-defined]


def build_ok(config: Config, embedder: object) -> tuple[BuildResult, list[str]]:
    """Build and return the result with its warnings as lines (the build must succeed)."""
    result = build_quiet(config, embedder)
    return result, lines(result.diagnostics)


def build_fails(config: Config, embedder: object) -> tuple[BuildError, list[str]]:
    """Build, expecting BuildError; return it with its diagnostics as lines."""
    with pytest.raises(BuildError) as info:
        build_quiet(config, embedder)
    return info.value, lines(info.value.diagnostics)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to compare a site before and after."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def page(config: Config, url: str) -> str:
    """The HTML of the page at site-relative ``url`` ("" for the home page, "x/" for x)."""
    return (config.output_dir / url / "index.html").read_text(encoding="utf-8")


def has_page(config: Config, url: str) -> bool:
    return (config.output_dir / url / "index.html").is_file()


def post_body(html: str) -> str:
    """The rendered Markdown of an article page (inside ``div.post-content``)."""
    match = re.search(r'<div class="post-content">\n(.*?)\n  </div>\n</article>', html, re.S)
    assert match, "no post-content in the page"
    return match.group(1)


def post_title(html: str) -> str:
    """The article's visible H1 (the theme's optional ``<wbr>`` break points removed)."""
    match = re.search(r'<h1 class="post-title">(.*?)</h1>', html, re.S)
    assert match, "no post title in the page"
    return match.group(1).replace("<wbr>", "")


def head_title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "no <title> in the page"
    return match.group(1)


def published(html: str) -> str:
    """The ``datetime`` of the article's ``<time>`` element (ISO 8601)."""
    match = re.search(r'<p class="post-meta">\s*<time datetime="([^"]+)">', html)
    assert match, "no post date in the page"
    return match.group(1)


def site_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def parse_site(config: Config) -> tuple[ParsedContent, Diagnostics]:
    """Stages 1 and 2 only (discover, parse): no embedding, rendering or writing."""
    diagnostics = Diagnostics()
    parsed = parse(config, discover(config, diagnostics), diagnostics)
    return parsed, diagnostics


def by_source(parsed: ParsedContent) -> dict[str, Article]:
    return {a.source: a for a in parsed.articles}


def codes(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> list[str]:
    return [d.code for d in diagnostics]


class HtmlElements(HTMLParser):
    """Every element with its attributes, and all the text, of an HTML document, as a
    browser's parser sees them (so an unescaped ``<img onerror>`` shows up as an element)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)
