"""The old site's taxonomy URLs (``old_taxonomies``), kept working by redirect pages.

Readers, search engines and other blogs link to the old site's tag and category pages
(Hugo's ``/categories/go/``, jekyll-archives' ``/tag/go/``, Quartz's ``/tags/Go``); vibesite
has one page per tag at ``/tags/<tag_slug>/`` (categories and the other taxonomies become
tags too), so each old page whose URL differs gets a redirect page to vibesite's.

In: the config (``old_taxonomies``, the lines they are on, ``old_term_slugs``), the listed
articles (their ``terms``: each front matter key and name), and every path the site already
writes with what writes it. Out: ``(file in the site, site path it leads to)`` for every
redirect to write, and warnings: ``vibesite.toml:LINE: warning: ... [taxonomy-clash]`` for an
old URL another page, file or redirect already has (that one is kept), and ``[taxonomy-url]``
for a term whose old URL cannot be worked out or written (see vibesite.content.term_slugs).

Each entry of ``old_taxonomies`` is a path in the site:
- ``{KEY}`` in it (``KEY`` a front matter key of ``taxonomies``): one old page per term under
  that key, the term's old slug (``old_term_slugs``) in place of ``{KEY}``, redirected to the
  tag page of that term;
- none: a list page (Hugo's ``/categories/``), redirected to ``/tags/``.
A path ending in ``/`` is a folder (its ``index.html``), one ending in ``.html`` that file
(Hugo's ``uglyURLs``), anything else a URL without an extension, which hosts serve from
``PATH.html`` (Quartz's ``/tags/Go``): that file is written unless ``PATH/`` is vibesite's page
(the host then sends the reader there itself). An old URL that is vibesite's own page for the
same tag is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from vibesite.config import CONFIG_FILE, Config
from vibesite.content.article import Article
from vibesite.content.slugs import tag_slug
from vibesite.content.term_slugs import PLACEHOLDER, listed_terms, old_path, served_from
from vibesite.diagnostics import Diagnostics

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"<>\\|*^`{}?]')


def old_term_redirects(config: Config, articles: Sequence[Article], taken: Mapping[str, str],
                       diagnostics: Diagnostics) -> dict[str, str]:
    """Each redirect file of ``config.old_taxonomies`` -> the site path it leads to
    (``tags/go/``); ``taken``: each path the site writes already -> what writes it."""
    folders = {parent.as_posix() for path in taken for parent in PurePosixPath(path).parents}
    result: dict[str, str] = {}
    origin: dict[str, str] = {}  # redirect file -> the term (or entry) it was written for
    warned: set[tuple[str, str]] = set()  # (file, target) of each clash warned about
    # each name's tag page, as parse made it (a vault's nested tags keep their levels)
    page_of = {tag.name: tag.slug for article in articles for tag in article.tags}
    for entry in config.old_taxonomies:
        line = config.key_lines.get(f"old_taxonomies.{entry}", 1)
        found = PLACEHOLDER.search(entry)
        wanted: list[tuple[str, str, str]] = []  # (old path, target, what it is)
        if found is None:
            wanted.append((entry, "tags/", f"the list page '{entry}'"))
        else:
            for name in listed_terms(articles, found.group(1)):
                old = old_path(entry, name, config.old_term_slugs)
                if old is None or _UNSAFE.search(old) or any(
                        p in ("", ".", "..") for p in old.removesuffix("/").split("/")):
                    why = ("its old URL cannot be worked out" if old is None else
                           f"its old URL '{old}' cannot be written as a file")
                    diagnostics.warning(CONFIG_FILE, line, f"term '{name}' (from '{entry}'): "
                                        f"{why}; no redirect is written for it", "taxonomy-url")
                    continue
                wanted.append((old, f"tags/{page_of.get(name) or tag_slug(name)}/",
                               f"term '{name}'"))
        for old, target, what in wanted:
            out, folder = served_from(old)
            if out == f"{target}index.html" or folder == target or origin.get(out) == what:
                continue  # vibesite's own page for it, or written for this term already
            if result.get(out) == target or (out, target) in warned:
                continue  # another spelling of the same tag
            other = (f"the redirect for {origin[out]}" if out in origin else taken.get(out)
                     or ("a folder of pages" if out in folders else None))
            if other:
                warned.add((out, target))
                diagnostics.warning(CONFIG_FILE, line, f"old URL '{out}' of {what} (from "
                                    f"'{entry}') is already the path of {other}; no redirect "
                                    "is written there", "taxonomy-clash")
                continue
            result[out] = target
            origin[out] = what
    return result
