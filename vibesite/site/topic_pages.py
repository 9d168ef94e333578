"""The topic index, one page per topic, the map page and topics.json (stage 5, topics part).

In: ``Topics`` and the articles. Out: pages (``/topics/`` grouped by broad topic, one page
per fine or seeded topic, ``/map/`` with the topic list beside the SVG) and topics.json;
``topic_of_article`` gives each article's fine topic with its broad parent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from vibesite.content.parse import Article
from vibesite.site.map_svg import colour_of, render_map_svg
from vibesite.site.pages import Page
from vibesite.topics.build import MIN_ARTICLES, Topic, Topics
from vibesite.topics.serialize import topics_json


@dataclass(frozen=True)
class TopicView:
    slug: str
    name: str
    size: int
    seeded: bool
    examples: tuple[Article, ...]  # the three most central articles
    parent_slug: str = ""  # the broad topic, when the site has two levels
    parent_name: str = ""
    colour: int = -1  # the map's palette index (-1: none)


@dataclass(frozen=True)
class TopicGroup:
    """A broad topic and its fine topics (slug "" and no name: the site has one level;
    slug "declared": the topics declared in the settings)."""

    slug: str
    name: str
    size: int
    topics: tuple[TopicView, ...]
    colour: int = -1


def _broad_names(topics: Topics) -> dict[str, str]:
    return {b.slug: b.name for b in topics.broad}


def topic_of_article(topics: Topics) -> dict[str, TopicView]:
    """Each article's automatic (fine) topic, with its broad parent's slug and name."""
    by_slug = {t.slug: t for t in topics.topics}
    broad = _broad_names(topics)
    return {article_id: _view(by_slug[slug], (), broad)
            for article_id, slug in topics.topic_of.items()}


def _view(topic: Topic, examples: tuple[Article, ...], broad: dict[str, str],
          colour: int = -1) -> TopicView:
    return TopicView(topic.slug, topic.name, len(topic.member_ids), topic.seeded, examples,
                     topic.parent, broad.get(topic.parent, ""), colour)


def topic_groups(topics: Topics, views: Sequence[TopicView]) -> list[TopicGroup]:
    """The fine topics under their broad topics (largest first); declared topics last."""
    colours = colour_of(topics)
    auto = [v for v in views if not v.seeded]
    groups = [TopicGroup(b.slug, b.name, len(b.member_ids),
                         tuple(v for v in auto if v.parent_slug == b.slug),
                         colours.get(b.slug, -1))
              for b in topics.broad]
    if not groups and auto:
        groups = [TopicGroup("", "", sum(v.size for v in auto), tuple(auto))]
    seeded = tuple(v for v in views if v.seeded)
    if seeded:
        groups.append(TopicGroup("declared", "Declared topics", sum(v.size for v in seeded),
                                 seeded))
    return groups


def topic_pages(topics: Topics, articles: Sequence[Article],
                base_path: str) -> tuple[list[Page], dict[str, bytes]]:
    by_id = {a.id: a for a in articles}
    broad = _broad_names(topics)
    colours = colour_of(topics)
    views = [_view(t, tuple(by_id[i] for i in t.member_ids[:3] if i in by_id), broad,
                   colours.get(t.slug, -1))
             for t in topics.topics]
    groups = topic_groups(topics, views)
    pages = [Page("topics/", "topics/index.html", "topics.html",
                  {"topics": views, "groups": groups, "min_articles": MIN_ARTICLES})]
    for topic, view in zip(topics.topics, views, strict=True):
        pages.append(Page(f"topics/{topic.slug}/", f"topics/{topic.slug}/index.html",
                          "topic.html", {"topic": view,
                                         "articles": [by_id[i] for i in topic.member_ids
                                                      if i in by_id]}))
    topic_urls = {t.slug: f"{base_path}topics/{t.slug}/" for t in topics.topics}
    topic_urls |= {b.slug: f"{base_path}topics/#{b.slug}" for b in topics.broad}
    svg = render_map_svg(topics, {a.id: a.title for a in articles},
                         {a.id: base_path + a.url for a in articles}, topic_urls)
    pages.append(Page("map/", "map/index.html", "map.html",
                      {"svg": Markup(svg), "groups": groups, "articles": len(articles)}))
    return pages, {"topics.json": topics_json(topics).encode("utf-8")}
