"""The reading order of a site: what the home page lists first, and each article's previous and
next article.

In: the articles (newest first, as parsed) and the config's ``order``. Out: the articles in site
order, and per article its neighbours in that order within its section (the first folder of its
id, such as ``git`` in ``git/rebase``) when the site has sections, else within the whole site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from vibesite.content.parse import Article


@dataclass(frozen=True)
class Neighbour:
    title: str
    url: str


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
