"""The Atom feed, sitemap.xml and robots.txt.

In: the config and the articles (for sitemap.xml, every page's URL too). Out: the files' bytes.
``atom`` writes the site's feed (atom.xml), or with a page and a path a section's or tag's
own feed (vibesite.site.old_feeds): its title, link, id and self link are that page's.
An article with versions in other languages lists each in sitemap.xml as an
``<xhtml:link rel="alternate" hreflang>``, as search engines read them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from vibesite.config import Config
from vibesite.content.parse import Article

FEED_SIZE = 20
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # forbidden in XML 1.0
_NOT_URL = re.compile("[^\x21-\x7e]+")  # non-ASCII and spaces: percent-encoded in a sitemap


def escape(text: str) -> str:
    """XML-escape, dropping the control characters XML 1.0 forbids (a form feed, say)."""
    return xml_escape(NOT_XML.sub("", text))


def atom(config: Config, articles: Sequence[Article], title: str = "", page: str = "",
         path: str = "atom.xml", lang: str = "") -> bytes:
    """The newest FEED_SIZE of ``articles``; ``title`` (after the site's), ``page`` (the
    page the feed is of: the home page by default), ``path`` (where the feed is) and ``lang``
    (its language, ``xml:lang``: the site's by default; an entry in another says so)."""
    lang = lang or config.language
    newest = sorted(articles, key=lambda a: (a.updated or a.date), reverse=True)[:FEED_SIZE]
    latest = (newest[0].updated or newest[0].date).isoformat() if newest else None
    updated = latest or "1970-01-01T00:00:00Z"
    home = config.absolute_url(page)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(lang)}>',
        f"<title>{escape(f'{config.title}: {title}' if title else config.title)}</title>",
        f"<link href={quoteattr(home)}/>",
        f'<link rel="self" href={quoteattr(config.absolute_url(path))}/>',
        f"<id>{escape(home)}</id>",
        f"<updated>{updated}</updated>",
    ]
    if config.author:
        lines.append(f"<author><name>{escape(config.author)}</name></author>")
    for article in newest:
        link = config.absolute_url(article.url)
        own = article.lang or config.language
        lines += [
            f"<entry xml:lang={quoteattr(own)}>" if own != lang else "<entry>",
            f"<title>{escape(article.title)}</title>",
            f"<link href={quoteattr(link)}/>",
            f"<id>{escape(link)}</id>",
            f"<published>{article.date.isoformat()}</published>",
            f"<updated>{(article.updated or article.date).isoformat()}</updated>",
            f"<summary>{escape(article.summary)}</summary>",
            f'<content type="html">{escape(article.html_body)}</content>',
            "</entry>",
        ]
    lines.append("</feed>\n")
    return "\n".join(lines).encode("utf-8")


def sitemap(config: Config, urls: Sequence[str], articles: Sequence[Article]) -> bytes:
    """The sitemap protocol wants URLs escaped: /café/ is listed as /caf%C3%A9/."""
    lastmod = {a.url: (a.updated or a.date).date().isoformat() for a in articles}
    versions = {a.url: a.versions for a in articles if a.versions}
    namespace = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"' if versions else ""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{namespace}>']

    def address(url: str) -> str:
        return _NOT_URL.sub(lambda m: quote(m.group()), config.absolute_url(url))

    for url in urls:
        entry = f"<url><loc>{escape(address(url))}</loc>"
        if url in lastmod:
            entry += f"<lastmod>{lastmod[url]}</lastmod>"
        entry += "".join(f'<xhtml:link rel="alternate" hreflang={quoteattr(v.lang)} '
                         f"href={quoteattr(address(v.url))}/>" for v in versions.get(url, ()))
        lines.append(entry + "</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def robots(config: Config) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {config.absolute_url('sitemap.xml')}\n".encode()
