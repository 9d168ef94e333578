"""The reading order of a site: what the home page lists first, and each article's previous and
next article.

In: the articles (newest first, as parsed) and the config's ``order``. Out: the articles in site
order, and per article its neighbours in that order within its section (the first folder of its
id, such as ``git`` in ``git/rebase``) when the site has sections, else within the whole site;
for ``home = "sections"``, the home page's overview of the top-level sections.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from vibesite.content.parse import Article
from vibesite.content.sections import Section, folder_id, member_folder

# Articles the sections overview lists under each section; the section page lists them all.
OVERVIEW_ARTICLES = 5


@dataclass(frozen=True)
class Neighbour:
    title: str
    url: str


@dataclass(frozen=True)
class SectionOverview:
    title: str
    url: str  # its section page ("" when an article took the folder's URL)
    articles: tuple[Article, ...]  # its first OVERVIEW_ARTICLES in site order, sub-folders too
    count: int  # articles in it and its sub-folders


@dataclass(frozen=True)
class PostNav:
    previous: Neighbour | None  # before this article in the reading order
    next: Neighbour | None
    by_date: bool  # previous is newer, next older (order = "date")


def site_order(articles: Sequence[Article], order: str) -> list[Article]:
    """``order`` "date": as given (newest first); "weight": smallest weight first, articles
    without one after those with one, each group keeping the given order."""
    if order != "weight":
        return list(articles)
    place = {a.id: i for i, a in enumerate(articles)}
    return sorted(articles, key=lambda a: (a.weight is None, a.weight or 0, place[a.id]))


def section(article: Article) -> str:
    """The first folder of the article's id, or "" for an article at the top."""
    first, slash, _ = article.id.partition("/")
    return first if slash else ""


def post_navigation(ordered: Sequence[Article], order: str) -> dict[str, PostNav]:
    """Article id -> its previous and next article in ``ordered``, within its section."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in ordered:
        groups[section(article)].append(article)
    nav: dict[str, PostNav] = {}
    for members in groups.values():
        for i, article in enumerate(members):
            before = members[i - 1] if i > 0 else None
            after = members[i + 1] if i + 1 < len(members) else None
            nav[article.id] = PostNav(
                Neighbour(before.title, before.url) if before else None,
                Neighbour(after.title, after.url) if after else None, order != "weight")
    return nav


def top_folder(article: Article) -> str:
    """The top-level section (folder URL) an article's source is in; "" at the top."""
    return folder_id(member_folder(article.source)).partition("/")[0]


def sections_overview(ordered: Sequence[Article],
                      sections: Sequence[Section]) -> list[SectionOverview]:
    """The top-level sections (folders), each with its first articles in ``ordered``, in the
    order their first article comes: with ``order = "weight"``, the folder that holds weight 1
    ("Start here") comes first. Articles at the top of the site are not in any of them."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in ordered:
        if top_folder(article):
            groups[top_folder(article)].append(article)
    by_id = {s.id: s for s in sections}
    return [SectionOverview(by_id[key].title if key in by_id else key,
                            by_id[key].url if key in by_id else "",
                            tuple(members[:OVERVIEW_ARTICLES]), len(members))
            for key, members in groups.items()]
