"""The old site's feed URLs (``old_feeds``), so that its subscribers keep getting posts.

Feed readers poll a feed's URL for years and never follow an HTML redirect, so a site moved
from Hugo (``index.xml``), Jekyll (``feed.xml``) or Zola (``rss.xml``) writes its Atom feed
at those paths too: every feed reader reads Atom whatever the file's name.

In: the config (``old_feeds`` and the lines they are on), the site's feed (atom.xml's bytes),
the listed articles, the sections, and every path the site already writes with what writes
it. Out: the feed files to add, path -> bytes, and for a path something else already has a
``vibesite.toml:LINE: warning: ... [feed-clash]`` (that file is kept, no feed written).

Each entry of ``old_feeds`` is a path in the site:
- ``{section}`` in it: one feed per section page, of the articles in that folder and below
  (Hugo's ``/posts/index.xml``), the section's URL path in place of ``{section}``;
- ``{tag}`` in it: one feed per tag page, of its articles, the tag's slug in place of ``{tag}``
  (Hugo's ``/tags/go/index.xml``, Zola's ``/tags/go/atom.xml``);
- otherwise, in a section's or a tag's folder, that page's feed (``inside-rust/feed.xml``);
  anywhere else (``index.xml``, ``blog/feed.atom``), the site's feed, byte for byte; and at
  the root (``index.xml``), on a multilingual site, each language's feed under its folder
  too (``fr/index.xml``, as Hugo writes it).
``atom.xml`` itself is the site's feed already and is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from vibesite.config import CONFIG_FILE, Config
from vibesite.content.parse import Article
from vibesite.content.sections import Section
from vibesite.diagnostics import Diagnostics
from vibesite.site import feeds


@dataclass(frozen=True)
class _Page:
    """A page that has a feed of its own: a section or a tag."""

    url: str  # its URL path, "posts/" or "tags/go/"
    title: str
    articles: tuple[Article, ...]


def _section_pages(sections: Sequence[Section]) -> dict[str, _Page]:
    """Each section page (not the home page) with the articles in its folder and below."""
    by_url = {s.url: s for s in sections}

    def below(section: Section) -> list[Article]:
        found = list(section.articles)
        for _, url in section.children:
            if url in by_url and url != section.url:
                found += below(by_url[url])
        return found

    return {s.id: _Page(s.url, s.title or s.id, tuple(dict.fromkeys(below(s))))
            for s in sections if s.id}


def _tag_pages(articles: Sequence[Article]) -> dict[str, _Page]:
    by_tag: dict[str, list[Article]] = defaultdict(list)
    names: dict[str, str] = {}
    for article in articles:
        for tag in article.tags:
            by_tag[tag.slug].append(article)
            names.setdefault(tag.slug, tag.name)
    return {slug: _Page(f"tags/{slug}/", names[slug], tuple(found))
            for slug, found in sorted(by_tag.items())}


def _targets(entry: str, sections: Mapping[str, _Page],
             tags: Mapping[str, _Page]) -> list[tuple[str, _Page | None]]:
    """The paths ``entry`` stands for, each with the page whose feed goes there (None: the
    site's feed)."""
    if "{section}" in entry:
        return [(entry.replace("{section}", key), page) for key, page in sections.items()]
    if "{tag}" in entry:
        return [(entry.replace("{tag}", key), page) for key, page in tags.items()]
    folder = PurePosixPath(entry).parent.as_posix()
    own = {page.url: page for page in (*sections.values(), *tags.values())}
    return [(entry, own.get(folder + "/"))]


def old_feed_files(config: Config, site_feed: bytes, articles: Sequence[Article],
                   sections: Sequence[Section], taken: Mapping[str, str],
                   diagnostics: Diagnostics,
                   language_feeds: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """The feed files of ``config.old_feeds``; ``taken``: each path the site writes already ->
    what writes it, named for the warning; ``language_feeds``: each other language's feed
    (``fr/atom.xml``'s bytes by ``fr``), written again under its folder for an entry at the
    site root (Hugo's ``/fr/index.xml`` beside ``/index.xml``)."""
    section_pages, tag_pages = _section_pages(sections), _tag_pages(articles)
    folders = {parent.as_posix() for path in taken for parent in PurePosixPath(path).parents}
    files: dict[str, bytes] = {}
    for entry in config.old_feeds:
        line = config.key_lines.get(f"old_feeds.{entry}", 1)
        origin = "" if entry.count("{") == 0 else f" (from '{entry}')"
        targets: list[tuple[str, _Page | bytes | None]] = [
            *_targets(entry, section_pages, tag_pages),
            *((f"{lang}/{entry}", feed) for lang, feed in (language_feeds or {}).items()
              if "/" not in entry and "{" not in entry and entry != "atom.xml")]
        for path, page in targets:
            if path == "atom.xml" or path in files:
                continue  # the site's feed itself, or written for an earlier entry
            other = taken.get(path) or ("a folder of pages" if path in folders else next(
                (taken[p.as_posix()] for p in PurePosixPath(path).parents
                 if p.as_posix() in taken), None))
            if other:
                diagnostics.warning(CONFIG_FILE, line, f"old feed '{path}'{origin} is already "
                                    f"the path of {other}; no feed is written there",
                                    "feed-clash")
                continue
            files[path] = (site_feed if page is None else page if isinstance(page, bytes) else
                           feeds.atom(config, page.articles, page.title, page.url, path))
    return files
