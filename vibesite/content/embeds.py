"""Obsidian's note embeds: ``![[note]]``, ``![[note#Heading]]`` and ``![[note#^block]]`` show
the other note's text (or that section, or that block) in the page, as Obsidian and Quartz do.

In: the articles after their links were resolved (``vibesite.content.links``), where
``wikilinks`` left each note embed as a link titled ``EMBED_TITLE``. Out: the same articles,
each embed that is a paragraph of its own replaced by ``<blockquote class="embed">`` holding
the other note's rendered body (the part the fragment names: a heading's section, up to the
next heading of its level or above, or the one element with that id), its ids and heading
permalinks taken out so the page keeps unique ids, and a link to the note under it. An embed
inside a sentence, of a page that does not exist, or inside an embedded note stays a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from html import escape, unescape
from urllib.parse import unquote

from vibesite.content.article import Article

EMBED_TITLE = "vibesite:embed"
_EMBED = re.compile(rf'<p><a href="([^"]*)" title="{EMBED_TITLE}">(.*?)</a></p>', re.S)
_INLINE = re.compile(rf'(<a href="[^"]*") title="{EMBED_TITLE}"')
_HEADING = re.compile(r'<h([1-6])[^>]*\sid="([^"]*)"')
_ANY_HEADING = re.compile(r"<h([1-6])[\s>]")
_IDS = re.compile(r'\s(?:id|aria-labelledby)="[^"]*"')
_PERMALINK = re.compile(r' ?<a class="header-anchor"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*?(/?)>")
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def _section(html: str, fragment: str) -> str | None:
    """The heading ``fragment`` names and what follows it, up to the next heading of its level
    or above; or the element with that id; None when there is neither."""
    for match in _HEADING.finditer(html):
        if unescape(match.group(2)) == fragment:
            level = int(match.group(1))
            end = next((m.start() for m in _ANY_HEADING.finditer(html, match.end())
                        if int(m.group(1)) <= level), len(html))
            return html[match.start():end]
    at = html.find(f' id="{escape(fragment)}"')
    if at < 0:
        return None
    start = html.rfind("<", 0, at)
    depth = 0
    for tag in _TAG.finditer(html, start):
        name = tag.group(2).lower()
        if tag.group(3) or name in _VOID:
            continue
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return html[start:tag.end()]
    return None


def embed_notes(articles: Sequence[Article], base_path: str) -> list[Article]:
    """``articles`` with their note embeds filled in (see the module docstring)."""
    by_path = {a.url: a for a in articles}
    embedded: list[Article] = []
    for article in articles:
        html = article.html_body
        if EMBED_TITLE not in html:
            embedded.append(article)
            continue

        def fill(match: re.Match[str]) -> str:
            href, label = unescape(match.group(1)), match.group(2)
            path, _, fragment = href.partition("#")
            note = by_path.get(unquote(path).removeprefix(base_path))
            body = None if note is None else (
                _section(note.html_body, unquote(fragment)) if fragment else note.html_body)
            if note is None or body is None:
                return _INLINE.sub(r"\1", match.group(0))
            body = _IDS.sub("", _PERMALINK.sub("", _INLINE.sub(r"\1", body)))
            return (f'<blockquote class="embed">\n{body.strip()}\n<p class="embed__source">'
                    f'<a href="{match.group(1)}">{label}</a></p>\n</blockquote>')

        html = _INLINE.sub(r"\1", _EMBED.sub(fill, html))
        embedded.append(replace(article, html_body=html))
    return embedded
