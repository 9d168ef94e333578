"""The default theme on built HTML: accessible article markup, search-engine and sharing tags,
the base_url warning, the favicon. (axe-core in Chromium: test_accessibility.py.)"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from _sitebuild import FakeEmbedder, build_ok, page, post_body

from vibesite.config import Config, load_config
from vibesite.diagnostics import ConfigError
from vibesite.site.article_html import finish, table_of_contents

RICH = ("---\ntitle: Rich\ndate: 2024-05-01\nsummary: A summary of rich & fine things.\n---\n"
        "Text.[^1]\n\n## One\n\n```python\nx = 1\n```\n\n```\nplain\n```\n\n"
        "### One & a half\n\n- [x] write *it*\n- [ ] ship \"it\"\n\n## Two `code`\n\n"
        "<pre>the author's own</pre>\n\n<pre tabindex=\"-1\">left as it is</pre>\n\n"
        "[^1]: A note.\n")


def test_article_markup_is_accessible(make_site: Callable[..., Config]) -> None:
    config = make_site({"rich.md": RICH})
    build_ok(config, FakeEmbedder())
    body = post_body(page(config, "rich/"))
    assert '<pre class="highlight" tabindex="0"><code class="language-python">' in body
    assert "<pre tabindex=\"0\"><code>plain" in body
    assert "<pre tabindex=\"0\">the author's own</pre>" in body
    assert '<pre tabindex="-1">left as it is</pre>' in body
    assert re.findall(r'<input class="task-list-item-checkbox"[^>]*aria-label="([^"]*)"', body) \
        == ["write", "ship &quot;it&quot;"]
    assert ('<a href="#fnref1" class="footnote-backref" '
            'aria-label="Back to the text of footnote 1">') in body


def test_finish_leaves_other_html_alone() -> None:
    html = "<p>a <pre-formatted> word</p><preface>x</preface>"
    assert finish(html) == html


def test_table_of_contents_from_h2_and_h3() -> None:
    html = ('<h2 id="one">One <a class="header-anchor" href="#one">#</a></h2>'
            '<h3 id="half">One &amp; a <em>half</em> <a class="header-anchor" href="#half">#</a>'
            '</h3><h4 id="deep">Deep</h4><h2 id="two">Two <code>code</code></h2>')
    toc = table_of_contents(html)
    assert [(e.level, e.id, e.text) for e in toc] == [(2, "one", "One"), (2, "two", "Two code")]
    assert [(e.level, e.id, e.text) for e in toc[0].children] == [(3, "half", "One & a half")]
    assert toc[1].children == ()
    assert table_of_contents('<h2 id="a">A</h2><h2 id="b">B</h2>') == ()  # short: none


# --- search engines and sharing ------------------------------------------------------------


def _meta(html: str, key: str) -> list[str]:
    return re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)


def test_canonical_open_graph_and_twitter_tags(make_site: Callable[..., Config]) -> None:
    config = make_site({"rich.md": RICH, "plain.md": "---\ntitle: Plain\ntags: [a b]\n---\n"},
                       base_url="https://me.github.io/blog/")
    _, warnings = build_ok(config, FakeEmbedder())
    assert warnings == []
    article = page(config, "rich/")
    assert '<link rel="canonical" href="https://me.github.io/blog/rich/">' in article
    assert _meta(article, "og:url") == ["https://me.github.io/blog/rich/"]
    assert _meta(article, "og:type") == ["article"]
    assert _meta(article, "og:title") == ["Rich"]
    assert _meta(article, "description") == _meta(article, "og:description") == [
        "A summary of rich &amp; fine things."]
    assert _meta(article, "twitter:card") == ["summary"]
    assert _meta(article, "og:site_name") == ["Test site"]
    home = page(config, "")
    assert _meta(home, "og:type") == ["website"]
    # no site description: every page still says something
    assert _meta(home, "description") == ["The articles of Test site"]
    assert _meta(page(config, "archive/"), "description") == ["Archive, on Test site"]
    assert _meta(page(config, "plain/"), "description") == ["Plain, on Test site"]  # no text
    assert "Sitemap: https://me.github.io/blog/sitemap.xml\n" in (
        config.output_dir / "robots.txt").read_text()
    sitemap = (config.output_dir / "sitemap.xml").read_text()
    assert "<loc>https://me.github.io/blog/rich/</loc>" in sitemap


def test_a_site_description_is_the_pages_description(make_site: Callable[..., Config]) -> None:
    config = make_site("two-posts", description="Notes & more.")
    build_ok(config, FakeEmbedder())
    assert _meta(page(config, "tags/"), "description") == ["Notes &amp; more."]


def test_a_relative_base_url_warns_once(make_site: Callable[..., Config]) -> None:
    config = make_site("two-posts", base_url="/blog/")
    _, warnings = build_ok(config, FakeEmbedder())
    assert warnings == [
        "vibesite.toml:1: warning: base_url '/blog/' is not an absolute URL, so canonical links, "
        "sitemap.xml and robots.txt are relative and search engines ignore them; set base_url = "
        '"https://USER.github.io/REPO/" or pass --base-url [base-url-relative]']
    assert '<link rel="canonical" href="/blog/first/">' in page(config, "first/")


def test_favicon_ico_at_the_root_unless_the_content_has_one(
        make_site: Callable[..., Config]) -> None:
    config = make_site("two-posts")
    build_ok(config, FakeEmbedder())
    ico = (config.output_dir / "favicon.ico").read_bytes()
    assert ico[:4] == b"\0\0\1\0" and b"PNG" in ico[:40]  # an ICO holding a PNG
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in page(config, "")
    config = make_site({"favicon.ico": b"mine"})
    build_ok(config, FakeEmbedder())
    assert (config.output_dir / "favicon.ico").read_bytes() == b"mine"


# --- reader features -----------------------------------------------------------------------


def _links(html: str, css_class: str) -> list[tuple[str, str]]:
    """(href, text) of the ``<a class="css_class">`` links, text without tags or spaces runs."""
    return [(href, " ".join(re.sub(r"<[^>]*>", "", text).split()))
            for href, text in re.findall(rf'<a class="{css_class}" href="([^"]*)"[^>]*>(.*?)</a>',
                                         html, re.S)]


def test_table_of_contents_on_long_articles_only(make_site: Callable[..., Config]) -> None:
    config = make_site({"rich.md": RICH, "short.md": "---\ntitle: Short\n---\n## Only one\n"})
    build_ok(config, FakeEmbedder())
    toc = re.search(r'<nav class="toc" aria-labelledby="vs-toc-title">(.*?)</nav>',
                    page(config, "rich/"), re.S)
    assert toc is not None
    assert re.findall(r'<a href="#([^"]+)">([^<]*)</a>', toc.group(1)) == [
        ("one", "One"), ("one--a-half", "One &amp; a half"), ("two-code", "Two code")]
    assert toc.group(1).count("<ol>") == 2  # the h3 nested under its h2
    assert 'class="toc"' not in page(config, "short/")


PEOPLE = {  # two sections (folders) and a top-level page; weights in some
    "guide/install.md": "---\ntitle: Install\ndate: 2024-01-01\nweight: 1\n---\nFirst.\n",
    "guide/configure.md": "---\ntitle: Configure\ndate: 2024-01-03\norder: \"2\"\n---\nThen.\n",
    "guide/extras.md": "---\ntitle: Extras\ndate: 2024-01-05\n---\nLater.\n",
    "notes/old.md": "---\ntitle: Old note\ndate: 2023-06-01\n---\nA note.\n",
    "notes/new.md": "---\ntitle: New note\ndate: 2023-07-01\n---\nA newer note.\n",
    "about.md": "---\ntitle: About\ndate: 2022-01-01\nweight: 5\n---\nAbout us.\n",
}


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="post-card__title"><a href="[^"]*">([^<]*)</a>', html)


def test_previous_and_next_by_date_within_sections(make_site: Callable[..., Config]) -> None:
    config = make_site(PEOPLE)
    _, warnings = build_ok(config, FakeEmbedder())
    assert warnings == []
    assert _titles(page(config, "")) == ["Extras", "Configure", "Install", "New note",
                                         "Old note", "About"]
    configure = page(config, "guide/configure/")
    assert _links(configure, "post-nav__prev") == [("/guide/extras/", "← Newer Extras")]
    assert _links(configure, "post-nav__next") == [("/guide/install/", "Older → Install")]
    assert _links(page(config, "notes/new/"), "post-nav__prev") == []  # not across sections
    assert _links(page(config, "notes/new/"), "post-nav__next") == [("/notes/old/",
                                                                     "Older → Old note")]
    assert 'class="post-nav' not in page(config, "about/")  # alone in its section


def test_weight_orders_the_home_page_and_previous_next(make_site: Callable[..., Config]) -> None:
    config = make_site(PEOPLE, order="weight")
    build_ok(config, FakeEmbedder())
    assert _titles(page(config, "")) == ["Install", "Configure", "About", "Extras", "New note",
                                         "Old note"]
    install = page(config, "guide/install/")
    assert _links(install, "post-nav__prev") == []
    assert _links(install, "post-nav__next") == [("/guide/configure/", "Next → Configure")]
    assert 'aria-label="Previous and next articles"' in install
    assert _links(page(config, "guide/extras/"), "post-nav__prev") == [
        ("/guide/configure/", "← Previous Configure")]


def test_a_weight_that_is_not_a_number_warns(make_site: Callable[..., Config]) -> None:
    config = make_site({"a.md": "---\ntitle: A\nweight: first\n---\nText.\n"})
    _, warnings = build_ok(config, FakeEmbedder())
    assert warnings == ["a.md:3: warning: 'weight' must be a number, not 'first'; "
                        "it is ignored [front-matter-type]"]


def test_breadcrumbs(make_site: Callable[..., Config]) -> None:
    config = make_site(PEOPLE)
    build_ok(config, FakeEmbedder())
    crumbs = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumbs">(.*?)</nav>',
                       page(config, "guide/install/"), re.S)
    assert crumbs is not None
    items = re.findall(r"<li>(.*?)</li>", crumbs.group(1), re.S)
    assert items[0] == '<a href="/">Home</a>'
    assert items[-1] == '<span aria-current="page">Install</span>'
    assert all(re.fullmatch(r'<a href="/topics/[^"]+/">[^<]+</a>', i) for i in items[1:-1])


@pytest.mark.parametrize(("line", "why"), [
    ('order = "newest"', "'order' must be \"date\" or \"weight\", not 'newest'"),
    ('home = "folders"', "'home' must be \"latest\" or \"sections\", not 'folders'"),
])
def test_order_and_home_take_their_choices_only(tmp_path: Path, line: str, why: str) -> None:
    path = tmp_path / "vibesite.toml"
    path.write_text(line + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}:1: error: {why}"


def test_a_big_archive_is_paginated(make_site: Callable[..., Config],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vibesite.site.assemble.ARCHIVE_PER_PAGE", 4)
    config = make_site({f"p{i}.md": f"---\ntitle: Post {i}\ndate: {2020 + i // 3}-01-0{1 + i % 3}"
                        "\n---\nText.\n" for i in range(9)})
    build_ok(config, FakeEmbedder())
    first, second, third = (page(config, p) for p in ("archive/", "archive/page/2/",
                                                      "archive/page/3/"))
    listed = [re.findall(r"<a href=\"/p\d/\">Post (\d)</a>", html) for html in (first, second,
                                                                           third)]
    assert listed == [["8", "7", "6", "5"], ["4", "3", "2", "1"], ["0"]]
    assert re.findall(r'<h2 id="vs-year-(\d+)"', second) == ["2021", "2020"]
    assert _links(first, "pagination__next") == [("/archive/page/2/", "Older posts →")]
    assert _links(second, "pagination__prev") == [("/archive/", "← Newer posts")]
    assert "page 3 of 3" in third and 'class="pagination__next"' in third
    assert "/archive/page/3/" in (config.output_dir / "sitemap.xml").read_text()


def _overview(html: str) -> list[tuple[str, list[str]]]:
    """The home page's sections overview: (section heading, its article titles) in order."""
    groups = re.findall(r'<h2 id="section-overview-\d+" class="section-overview__title">(.*?)'
                        r'</h2>\s*<ol class="section-overview__list" role="list">(.*?)</ol>',
                        html, re.S)
    return [(re.sub(r"<[^>]+>", "", heading),
             re.findall(r'<li><a href="[^"]*">([^<]*)</a>', items)) for heading, items in groups]


def test_home_sections_starts_a_guide_at_its_first_section(
        make_site: Callable[..., Config], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vibesite.site.navigation.OVERVIEW_ARTICLES", 2)
    config = make_site({**PEOPLE, "guide/_index.md": "---\ntitle: Start here\n---\nRead me.\n"},
                       order="weight", home="sections")
    _, warnings = build_ok(config, FakeEmbedder())
    assert warnings == []
    home = page(config, "")
    # the folder holding weight 1 first, each listing its first articles in reading order
    assert _overview(home) == [("Start here", ["Install", "Configure"]),
                               ("notes", ["New note", "Old note"])]
    assert '<h2 id="section-overview-1" class="section-overview__title"><a href="/guide/">' in home
    assert '<a href="/guide/">All 3 articles in Start here</a>' in home
    assert "All 2 articles in notes" not in home  # notes shows all it has
    # the article at the top of the site follows, under its own heading
    assert re.findall(r'<h3 class="post-card__title"><a href="([^"]*)">([^<]*)</a>', home) == [
        ("/about/", "About")]
    assert 'class="pagination' not in home and not (config.output_dir / "page").exists()


def test_home_latest_is_the_default(make_site: Callable[..., Config]) -> None:
    config = make_site(PEOPLE, order="weight")
    assert config.home == "latest"
    build_ok(config, FakeEmbedder())
    assert "section-overview" not in page(config, "")



def test_counts_are_written_with_thousands_separators(tmp_path: Path) -> None:
    """'All 1,871 articles' on the map, as the search box writes its totals; the counts the
    default theme prints go through the same filter."""
    from vibesite.site.render import make_environment

    templates = Path(__file__).resolve().parent.parent / "templates"
    (tmp_path / "vibesite.toml").write_text("", encoding="utf-8")
    env = make_environment(load_config(tmp_path / "vibesite.toml"), [templates])
    assert env.from_string("{{ 1871|count }} {{ 40291|count }} {{ 7|count }}").render() == (
        "1,871 40,291 7")
    for name in ("map.html", "topics.html", "topic.html", "tags.html", "tag.html", "index.html",
                 "archive.html"):
        text = (templates / name).read_text(encoding="utf-8")
        assert "|count }}" in text or "count=" in text, name  # i18n('...', count=n) too
        bare = re.findall(r"\{\{ [\w.]+(?:\.size|\.count|\|length) \}\}|\{\{ articles \}\}", text)
        assert bare == [], (name, bare)
