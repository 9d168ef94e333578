"""The topic index, one page per topic, the map page and topics.json (stage 5, topics part)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from vibesite.content.parse import Article
from vibesite.site.map_svg import render_map_svg
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


def topic_of_article(topics: Topics) -> dict[str, Topic]:
    by_slug = {t.slug: t for t in topics.topics}
    return {article_id: by_slug[slug] for article_id, slug in topics.topic_of.items()}


def topic_pages(topics: Topics, articles: Sequence[Article],
                base_path: str) -> tuple[list[Page], dict[str, bytes]]:
    by_id = {a.id: a for a in articles}
    views = [TopicView(t.slug, t.name, len(t.member_ids), t.seeded,
                       tuple(by_id[i] for i in t.member_ids[:3] if i in by_id))
             for t in topics.topics]
    pages = [Page("topics/", "topics/index.html", "topics.html",
                  {"topics": views, "min_articles": MIN_ARTICLES})]
    for topic, view in zip(topics.topics, views, strict=True):
        pages.append(Page(f"topics/{topic.slug}/", f"topics/{topic.slug}/index.html",
                          "topic.html", {"topic": view,
                                         "articles": [by_id[i] for i in topic.member_ids
                                                      if i in by_id]}))
    svg = render_map_svg(topics, {a.id: a.title for a in articles},
                         {a.id: base_path + a.url for a in articles})
    pages.append(Page("map/", "map/index.html", "map.html", {"svg": Markup(svg)}))
    return pages, {"topics.json": topics_json(topics).encode("utf-8")}
