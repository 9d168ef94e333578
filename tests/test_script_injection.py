"""Script injection: hostile titles, tags, summaries, topic names and body text are escaped
wherever vibesite places them itself (HTML text and attributes, the map's SVG, the feed, the
sitemap, the JSON files). Every page is read back with an HTML parser: the only elements
and attributes are the theme's own, and the hostile strings come back as text, unchanged.

Raw HTML that an author writes in the Markdown body is a different matter (passed through by
default, escaped with ``raw_html = false``): see test_raw_html_switch.py.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from _sitebuild import FakeEmbedder, HtmlElements, build_ok, site_config

from vibesite.config import Config

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
END_SCRIPT = "</script>"
SINGLE = "'><svg onload=alert(2)>"
TITLE = f"Title {SCRIPT} {BREAKOUT} {END_SCRIPT} {SINGLE}"
SUMMARY = f"Summary {BREAKOUT} {SCRIPT} {END_SCRIPT}"
SUMMARY_TEXT = 'Summary "> alert(1)'  # front matter summaries are HTML: shown as their text
TAGS = [SCRIPT, BREAKOUT, f"x{END_SCRIPT}y"]
TOPIC_NAME = f"Topic {SCRIPT} {BREAKOUT}"
# In Markdown, < starts raw HTML (the author's own, see above) unless it is escaped or code.
MD_BREAKOUT = BREAKOUT.replace("<", "\\<")
MD_TITLE_BREAKOUT = MD_BREAKOUT.replace('"', '\\"')
BODY = (f"Code `{SCRIPT}` and `{BREAKOUT}`.\n\n```html\n{SCRIPT}\n{BREAKOUT}\n```\n\n"
        f"## Heading {MD_BREAKOUT}\n\n[link text \\</script>](javascript:alert(1)) and "
        f'![alt {MD_BREAKOUT}](x.png "t {MD_TITLE_BREAKOUT}") and &lt;script&gt;\n')
FILLER = {
    "git": "git rebase commit branch merge stash reflog cherry pick upstream remote checkout",
    "vim": "vim buffer motion register macro split normal insert visual yank keymap",
}
THEME_ELEMENTS = {"html", "head", "meta", "title", "link", "script", "body", "a", "header",
                  "div", "nav", "ul", "li", "form", "label", "input", "kbd", "p", "span",
                  "main", "footer", "article", "h1", "h2", "h3", "time", "ol", "section",
                  "figure", "svg", "g", "circle", "text", "style", "desc", "wbr", "pre", "code",
                  "img", "em", "strong", "button", "noscript", "line"}


def hostile_files() -> dict[str, str | bytes]:
    tags = json.dumps(TAGS)
    files = {
        "evil.md": f"---\ntitle: {json.dumps(TITLE)}\nsummary: {json.dumps(SUMMARY)}\n"
                   f"description: {json.dumps(SUMMARY)}\ntags: {tags}\ndate: 2024-02-01\n"
                   f"---\n{BODY}",
        # the title comes from the H1 here, and the summary from the body
        "evil-h1.md": f"---\ntags: {tags}\ndate: 2024-02-02\n---\n# H1 {SCRIPT} {BREAKOUT}\n\n"
                      f"A body long enough to be the summary: `{END_SCRIPT}` {MD_BREAKOUT}\n",
        "x.png": b"\x89PNG",  # the image evil.md shows, so that it is not a broken image
    }
    for domain, words in FILLER.items():
        for i in range(6):
            files[f"{domain}-{i}.md"] = (f"---\ntitle: {domain} {i} {SCRIPT}\ntags: {tags}\n"
                                         f"date: 2024-01-{i + 1:02d}\n---\n{words} {i}\n")
    return files


HOSTILE_SETTINGS = {
    "title": f"Site {SCRIPT}", "description": f"About {BREAKOUT}", "author": f"Me {SINGLE}",
    "base_url": "https://example.org/blog/",
    "topic_seeds": ({"slug": "evil", "name": TOPIC_NAME, "examples": ["evil", "evil-h1"]},),
}


def read_page(path: Path) -> HtmlElements:
    return HtmlElements(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The hostile site, built once for this module (with the fake embedder)."""
    config = site_config(tmp_path_factory.mktemp("hostile"), hostile_files(), **HOSTILE_SETTINGS)
    _, warnings = build_ok(config, FakeEmbedder())
    assert warnings == []
    return config


def test_no_injected_element_or_attribute_on_any_page(hostile_site: Config) -> None:
    pages = sorted(hostile_site.output_dir.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        page = read_page(path)
        where = path.relative_to(hostile_site.output_dir).as_posix()
        for tag, attrs in page.elements:
            assert tag in THEME_ELEMENTS, f"{where}: <{tag}>"
            assert not any(name.startswith("on") for name in attrs), f"{where}: <{tag} {attrs}>"
            if tag == "script":  # only the theme's scripts (search, theme; zoom on the map page)
                assert re.fullmatch(r"/blog/static/(search/main\.[0-9a-f]{10}\.js|theme\.js\?v="
                                    r"[0-9a-f]{10}|map\.js\?v=[0-9a-f]{10})",
                                    attrs.get("src") or ""), f"{where}: {attrs}"
            if tag == "img":  # only the Markdown image (its site path), its alt text intact
                assert (attrs.get("src"), attrs.get("alt"), attrs.get("title")) == \
                    ("/blog/x.png", f"alt {BREAKOUT}", f"t {BREAKOUT}"), f"{where}: {attrs}"
            for value in attrs.values():
                assert not (value or "").lower().startswith("javascript:"), f"{where}: {attrs}"


def test_hostile_strings_come_back_as_text(hostile_site: Config) -> None:
    site = hostile_site.output_dir
    article = read_page(site / "evil" / "index.html")
    meta = {a.get("name") or a.get("property"): a.get("content")
            for tag, a in article.elements if tag == "meta"}
    assert meta["description"] == SUMMARY_TEXT
    assert meta["og:title"] == TITLE
    assert meta["author"] == f"Me {SINGLE}"
    text = article.text
    assert f"{TITLE} · Site {SCRIPT}" in text  # <title>
    for piece in [TITLE, f"#{SCRIPT}", f"#{BREAKOUT}",
                  f"Code {SCRIPT} and {BREAKOUT}", f"Heading {BREAKOUT}",
                  f"link text {END_SCRIPT}", "<script>"]:
        assert piece in text.replace("\u200b", ""), piece
    home = read_page(site / "index.html").text
    assert f"H1 {SCRIPT} {BREAKOUT}" in home and SUMMARY_TEXT in home
    assert f"About {BREAKOUT}" in home
    tags = read_page(site / "tags" / "index.html").text
    assert all(tag in tags for tag in TAGS)
    topic = read_page(site / "topics" / "evil" / "index.html").text
    assert TOPIC_NAME in topic and TITLE in topic
    assert TOPIC_NAME in read_page(site / "topics" / "index.html").text


def test_feed_and_sitemap_are_xml_with_the_text_escaped(hostile_site: Config) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(hostile_site.output_dir / "atom.xml").getroot()
    assert feed.findtext("a:title", namespaces=ns) == f"Site {SCRIPT}"
    entries = {e.findtext("a:title", namespaces=ns): e for e in feed.findall("a:entry", ns)}
    evil = entries[TITLE]
    assert evil.findtext("a:summary", namespaces=ns) == SUMMARY_TEXT
    content = evil.findtext("a:content", namespaces=ns) or ""
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in content
    assert "<script" not in content and "<img src=\"x\"" not in content
    sitemap = ET.parse(hostile_site.output_dir / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/blog/evil/" in locs
    assert all(loc and "<" not in loc and '"' not in loc for loc in locs)


def test_json_files_hold_the_strings_unchanged(hostile_site: Config) -> None:
    related = json.loads((hostile_site.output_dir / "related.json").read_text(encoding="utf-8"))
    assert "evil" in related
    topics = json.loads((hostile_site.output_dir / "topics.json").read_text(encoding="utf-8"))
    assert TOPIC_NAME in [t["name"] for t in topics["topics"]]
    for path in (hostile_site.output_dir / "search").glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # well-formed
