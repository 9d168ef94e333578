"""Where a page goes when its front matter says so.

In: front matter values (Jekyll ``permalink`` with its placeholders, Hugo ``url``, a ``slug``
holding ``/``), the page's date, file name and categories; then every article. Out: the
article id (its URL path, segments slugified like every other URL: lower case; a clash gets
``-2`` and a ``[slug-clash]`` warning; without such a key, ``source_id``: from the file's path),
and the ``.html`` URL a permalink named (an old URL to redirect). The redirects from
``aliases``/``redirect_from`` are ``vibesite.content.aliases``'.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import PurePosixPath

from vibesite.content.article import Article
from vibesite.content.slugs import slugify
from vibesite.diagnostics import Diagnostics

_PLACEHOLDER = re.compile(r":(year|short_year|month|i_month|day|i_day|y_day|hour|minute|"
                          r"second|title|slug|categories|name|output_ext)\b")
# Jekyll's built-in permalink styles (:output_ext is ".html": the page moves to a folder URL
# and the .html URL gets a redirect)
_STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
           "pretty": "/:categories/:year/:month/:day/:title/",
           "ordinal": "/:categories/:year/:y_day/:title:output_ext",
           "none": "/:categories/:title:output_ext"}


def path_id(path: str) -> str:
    """A URL path as an article id: each segment slugified, ``index.html``/``.html`` dropped."""
    path = re.sub(r"(?:/index)?\.html?$", "", path.strip().strip("/"))
    return "/".join(slugify(p) for p in path.split("/") if p and p != ".")


def permalink_path(pattern: str, relpath: str, date: datetime, categories: Sequence[str],
                   slug: str = "") -> str:
    """Jekyll's ``permalink`` (a pattern or a style name) with ``:year``, ``:month``,
    ``:title``... filled in; ``slug`` (front matter) stands for the file name's title."""
    stem = slug or re.sub(r"^\d{4}-\d{1,2}-\d{1,2}-", "", PurePosixPath(relpath).stem)
    values = {
        "year": f"{date.year:04d}", "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}", "i_month": str(date.month),
        "day": f"{date.day:02d}", "i_day": str(date.day),
        "y_day": f"{date.timetuple().tm_yday:03d}", "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}", "second": f"{date.second:02d}",
        "title": stem, "slug": stem, "name": stem, "output_ext": ".html",
        "categories": "/".join(slugify(c) for c in categories),
    }
    pattern = _STYLES.get(pattern, pattern)
    return re.sub(r"/{2,}", "/", _PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern))


def html_file(path: str) -> str:
    """``path`` if it names an ``.html`` file other than an ``index.html`` (a page vibesite
    publishes at the folder URL, so the old file URL needs a redirect), else ""."""
    name = PurePosixPath(path.strip()).name.lower()
    real = name.endswith((".html", ".htm")) and name.split(".")[0] not in ("", "index")
    return path.strip() if real else ""


def is_jekyll_post(relpath: str) -> bool:
    """A file in a ``_posts`` folder: what Jekyll's site-wide ``permalink`` applies to."""
    return "_posts" in PurePosixPath(relpath).parts[:-1]


def slug_id(folders: Sequence[str], slug: str) -> str:
    """A ``slug`` holding ``/``: segments under the file's folder, or from the root with a
    leading ``/``."""
    tail = [slugify(p) for p in slug.strip("/").split("/") if p]
    return "/".join(tail if slug.startswith("/") else [*map(slugify, folders), *tail])


def source_id(relpath: str, fm_slug: str) -> str:
    """The id of a page from its file's folders (those not starting with ``_``) and name (less
    a ``YYYY-MM-DD-`` date; ``index`` names its folder), or a ``slug`` without ``/``."""
    path = PurePosixPath(relpath)
    folders = [p for p in path.parent.parts if not p.startswith("_")]
    stem = re.sub(r"^\d{4}-\d{1,2}-\d{1,2}-", "", path.stem)
    if fm_slug:
        stem = fm_slug
    elif stem in ("index", "_index"):
        stem = folders.pop() if folders else "index"
    return "/".join(slugify(p) for p in [*folders, stem])


def unique_ids(articles: Sequence[Article], reserved_ids: frozenset[str],
               generated_files: frozenset[str], diagnostics: Diagnostics) -> list[Article]:
    """Give clashing slugs a stable ``-2``, ``-3`` suffix in sorted source order; a first
    segment the generator uses (``reserved_ids``), or a file it writes at the root, clashes too."""
    owner: dict[str, Article] = {}
    result: list[Article] = []
    for article in sorted(articles, key=lambda a: a.source):
        wanted = article.id
        first, _, rest = wanted.partition("/")
        generated = first in reserved_ids or (not rest and first in generated_files)
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
            article = replace(article, id=new_id)
        owner[article.id] = article
        result.append(article)
    return result


def _with_suffix(article_id: str, n: int, on_first_segment: bool) -> str:
    """``x`` -> ``x-2``; for a clash with a generated folder, ``tags/x`` -> ``tags-2/x``."""
    if on_first_segment:
        first, sep, rest = article_id.partition("/")
        return f"{first}-{n}{sep}{rest}"
    return f"{article_id}-{n}"

