"""Sections: the folders of articles, each a page at the folder's URL, as Hugo makes them.

In: the sources (to tell section files from articles, and to read Hugo's ``cascade``), and
then the parsed articles and section files. Out: which sources are section files, the
front matter each source inherits through ``cascade``, and the Section of every folder.

- ``_index.md`` in any folder, a folder's ``index.md`` when the folder holds other articles,
  and the top-level ``index.md`` (the home page's introduction) are section files, not
  articles: their title and text go on top of the section's page. ``posts/b/index.md``
  alone in its folder is an article (a page bundle).
- Every folder that holds articles, directly or below, has a section page, with or without
  a section file; its URL is the folder's slug path (``_posts`` and other ``_`` folders
  are left out, as in article URLs). A URL an article already has keeps the article.
- ``cascade`` in a section file's front matter (a table, or a list of tables without
  ``_target``) is inherited by everything below that folder, the nearest folder winning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from vibesite.content.article import Article
from vibesite.content.slugs import slugify

_INDEX_STEMS = ("index", "_index")


@dataclass(frozen=True)
class Section:
    id: str  # the folder's slug path, "" for the home page
    source: str  # the section file, or "" when the folder has none
    title: str
    html_body: str  # the section file's text, rendered; "" without one
    articles: tuple[Article, ...]  # directly in the folder: by weight, then newest first
    children: tuple[tuple[str, str], ...] = ()  # (title, url) of the sections inside

    @property
    def url(self) -> str:
        return self.id + "/" if self.id else ""


def folder_id(folder: str) -> str:
    """A source folder's URL path: ``_`` folders left out, the others slugified."""
    return "/".join(slugify(p) for p in PurePosixPath(folder).parts if not p.startswith("_"))


def _stem(relpath: str) -> str:
    return PurePosixPath(relpath).stem


def section_files(relpaths: Iterable[str]) -> dict[str, str]:
    """The section files among ``relpaths``, each with the folder it introduces."""
    paths = list(relpaths)
    with_articles: set[str] = set()
    for relpath in paths:
        if _stem(relpath) not in _INDEX_STEMS:
            folder = PurePosixPath(relpath).parent
            with_articles.update(p.as_posix() for p in (folder, *folder.parents))
    found: dict[str, str] = {}
    for relpath in paths:
        folder = PurePosixPath(relpath).parent.as_posix()
        folder = "" if folder == "." else folder
        stem = _stem(relpath)
        if stem == "_index" or (stem == "index" and (folder in with_articles or not folder)):
            found.setdefault(relpath, folder)
    return found


def cascades(front_matters: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``folder -> the keys it cascades``, from section files' front matter by folder."""
    result: dict[str, dict[str, Any]] = {}
    for folder, data in front_matters.items():
        value = data.get("cascade")
        entries = value if isinstance(value, list) else [value]
        merged: dict[str, Any] = {}
        for entry in entries:
            if isinstance(entry, dict) and "_target" not in entry:
                merged.update(entry)
        if merged:
            result[folder] = merged
    return result


def inherited(relpath: str, cascade: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The keys ``relpath`` inherits: from its folders' cascades, the nearest winning."""
    keys: dict[str, Any] = {}
    parents = PurePosixPath(relpath).parents
    for folder in reversed([p.as_posix() for p in parents]):
        keys.update(cascade.get("" if folder == "." else folder, {}))
    return keys


def member_folder(source: str) -> str:
    path = PurePosixPath(source)
    folder = path.parent.parent if path.stem in _INDEX_STEMS else path.parent
    return "" if folder.as_posix() == "." else folder.as_posix()


def _order(article: Article) -> tuple[bool, float, float, str]:
    weight = article.weight
    return (weight is None, weight or 0, -article.date.timestamp(), article.id)


def build_sections(articles: Sequence[Article], intros: Mapping[str, Article],
                   reserved: frozenset[str]) -> tuple[Section, ...]:
    """A Section for every folder of articles and every section file (``intros``: section
    id -> the section file parsed as an article). The home section (id "") is first."""
    members: dict[str, list[Article]] = defaultdict(list)
    names: dict[str, str] = {}
    ids: set[str] = set(intros)
    for article in articles:
        folder = member_folder(article.source)
        members[folder_id(folder)].append(article)
        path = PurePosixPath(folder)
        for part in (path, *path.parents):
            key = folder_id(part.as_posix())
            names.setdefault(key, part.name)
            ids.add(key)
    taken = {a.id for a in articles}
    ids = {i for i in ids if i == "" or (i not in taken and i.split("/")[0] not in reserved)}
    children: dict[str, list[str]] = defaultdict(list)
    for key in sorted(ids):
        if key:
            children[key.rpartition("/")[0] if "/" in key else ""].append(key)
    sections = []
    for key in sorted(ids, key=lambda k: (k != "", k)):
        intro = intros.get(key)
        sections.append(Section(
            key, intro.source if intro else "", _title(key, intros, names),
            intro.html_body if intro else "",
            tuple(sorted(members.get(key, ()), key=_order)),
            tuple((_title(c, intros, names), c + "/") for c in children.get(key, ()))))
    return tuple(sections)


def _title(key: str, intros: Mapping[str, Article], names: Mapping[str, str]) -> str:
    intro = intros.get(key)
    return (intro.title if intro else "") or names.get(key) or key
