"""``old_feeds``: the old site's feed URLs keep serving the feed after a move, and
``vibesite init --from`` sets them from the old site's settings and its tool's defaults."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from _sitebuild import FakeEmbedder, build_ok, write_files

from vibesite.commands.init import init_site
from vibesite.commands.migrate import read_site
from vibesite.config import load_config
from vibesite.diagnostics import ConfigError

ATOM = "{http://www.w3.org/2005/Atom}"
POSTS = {
    "posts/_index.md": "---\ntitle: Posts\n---\n",
    "posts/first.md": "---\ntitle: First\ndate: 2024-03-01\ntags: [Go]\n---\nOne.\n",
    "posts/2024/second.md": "---\ntitle: Second\ndate: 2024-03-02\ntags: [go, Rust]\n---\nTwo.\n",
    "notes/third.md": "---\ntitle: Third\ndate: 2024-03-03\n---\nThree.\n",
    "about.md": "---\ntitle: About\ndate: 2024-01-01\n---\nMe.\n",
}


def _site(root: Path, toml: str, files: dict[str, str | bytes] | None = None) -> Path:
    write_files(root, {"vibesite.toml": 'base_url = "https://example.org/"\nsearch = false\n'
                       + toml, **{f"content/{k}": v for k, v in (files or POSTS).items()}})
    return root / "vibesite.toml"


def _entries(path: Path) -> list[tuple[str, str]]:
    """(title, link) of each entry of the Atom feed in ``path``, which must parse."""
    feed = ET.parse(path).getroot()
    assert feed.tag == f"{ATOM}feed"
    return [(e.findtext(f"{ATOM}title") or "", e.find(f"{ATOM}link").get("href", ""))
            for e in feed.iter(f"{ATOM}entry")]


def _links(path: Path) -> tuple[str, str, str]:
    """The feed's own title, its page's link and its self link."""
    feed = ET.parse(path).getroot()
    page, own = feed.findall(f"{ATOM}link")
    return feed.findtext(f"{ATOM}title") or "", page.get("href", ""), own.get("href", "")


def test_old_feed_urls_serve_the_feed_and_sections_and_tags_their_own(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    config = load_config(_site(tmp_path, 'title = "Blog"\nold_feeds = [\n  "index.xml",\n'
                               '  "/feed.xml",\n  "{section}/index.xml",\n'
                               '  "tags/{tag}/index.xml",\n  "atom.xml",\n  "notes/rss.xml",\n'
                               ']\n'))
    assert config.old_feeds == ("index.xml", "feed.xml", "{section}/index.xml",
                                "tags/{tag}/index.xml", "atom.xml", "notes/rss.xml")
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    site = tmp_path / "site"
    atom = (site / "atom.xml").read_bytes()
    assert (site / "index.xml").read_bytes() == atom  # the same feed, byte for byte
    assert (site / "feed.xml").read_bytes() == atom
    assert [t for t, _ in _entries(site / "index.xml")] == ["Third", "Second", "First", "About"]
    # a section's feed: its articles, in its folder and below; a tag's: its articles
    assert _entries(site / "posts/index.xml") == [
        ("Second", "https://example.org/posts/2024/second/"),
        ("First", "https://example.org/posts/first/")]
    assert _links(site / "posts/index.xml") == ("Blog: Posts", "https://example.org/posts/",
                                                "https://example.org/posts/index.xml")
    assert [t for t, _ in _entries(site / "posts/2024/index.xml")] == ["Second"]
    assert [t for t, _ in _entries(site / "tags/go/index.xml")] == ["Second", "First"]
    assert [t for t, _ in _entries(site / "tags/rust/index.xml")] == ["Second"]
    assert _links(site / "tags/go/index.xml")[0] == "Blog: go"  # as its tag page names it
    # a path in a section's folder is that section's feed
    assert [t for t, _ in _entries(site / "notes/rss.xml")] == ["Third"]
    assert not (site / "about/index.xml").exists()  # an article has no feed of its own
    assert b".xml<" not in (site / "sitemap.xml").read_bytes()  # feeds are not pages
    written = {p.relative_to(site).as_posix() for p in site.rglob("*.xml")}
    assert written == {"atom.xml", "sitemap.xml", "index.xml", "feed.xml", "posts/index.xml",
                       "posts/2024/index.xml", "notes/index.xml", "notes/rss.xml",
                       "tags/go/index.xml", "tags/rust/index.xml"}
    assert result.articles == 4


def test_an_old_feed_path_something_else_has_is_a_warning_not_an_overwrite(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    files = {**POSTS, "index.xml": "<mine/>\n", "posts/index.xml": "<also mine/>\n"}
    config = load_config(_site(tmp_path, 'old_feeds = ["index.xml",\n  "sitemap.xml",\n'
                               '  "{section}/index.xml", "about"]\n', files))
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == [
        "vibesite.toml:3: warning: old feed 'index.xml' is already the path of the static "
        "file index.xml; no feed is written there [feed-clash]",
        "vibesite.toml:4: warning: old feed 'sitemap.xml' is already the path of vibesite's "
        "own sitemap.xml; no feed is written there [feed-clash]",
        "vibesite.toml:5: warning: old feed 'about' is already the path of a folder of pages; "
        "no feed is written there [feed-clash]",
        "vibesite.toml:5: warning: old feed 'posts/index.xml' (from '{section}/index.xml') is "
        "already the path of the static file posts/index.xml; no feed is written there "
        "[feed-clash]",
    ]
    site = tmp_path / "site"
    assert (site / "index.xml").read_text() == "<mine/>\n"
    assert (site / "posts/index.xml").read_text() == "<also mine/>\n"
    assert (site / "sitemap.xml").read_bytes().startswith(b"<?xml")
    assert [t for t, _ in _entries(site / "notes/index.xml")] == ["Third"]
    assert (site / "about/index.html").is_file()


def test_old_feeds_must_be_paths_in_the_site(tmp_path: Path) -> None:
    for value in ('["../feed.xml"]', '["{year}/index.xml"]', '["feeds/"]', '"index.xml"',
                  '["{section}/{tag}.xml"]'):
        (tmp_path / "vibesite.toml").write_text(f'title = "T"\nold_feeds = {value}\n')
        with pytest.raises(ConfigError) as info:
            load_config(tmp_path / "vibesite.toml")
        assert str(info.value).startswith(
            f"{tmp_path / 'vibesite.toml'}:2: error: 'old_feeds' must be a list of paths in "
            'the site such as "index.xml" or "tags/{tag}/index.xml"'), value


def _old_feeds(old: Path, files: dict[str, str | bytes]) -> list[str]:
    write_files(old, files)
    return list(read_site(old, old.parent).settings.get("old_feeds", []))


HUGO_FEEDS = ["index.xml", "{section}/index.xml", "tags/{tag}/index.xml"]


def test_init_from_hugo_sets_its_rss_urls(tmp_path: Path) -> None:
    assert _old_feeds(tmp_path / "a", {"hugo.toml": 'title = "A"\n'}) == HUGO_FEEDS
    assert _old_feeds(tmp_path / "b", {"config/_default/hugo.yaml": (
        "title: B\noutputFormats:\n  RSS:\n    baseName: feed\noutputs:\n"
        "  section: [HTML]\ntaxonomies:\n  topic: topics\n")}) == ["feed.xml"]
    assert _old_feeds(tmp_path / "c", {"config.toml": 'disableKinds = ["RSS"]\n'}) == []
    assert _old_feeds(tmp_path / "d", {"hugo.toml": (  # digital.gov's outputs: "taxonomy" is
        '[outputs]\nhome = ["HTML", "RSS"]\nsection = ["HTML", "RSS"]\n'  # the older name of
        'page = ["HTML"]\ntaxonomy = ["HTML", "RSS"]\n')}) == HUGO_FEEDS  # "term"
    migration = read_site(tmp_path / "a", tmp_path)
    assert ("/categories/TERM/index.xml: feeds of pages vibesite does not have (its tag pages "
            "are /tags/TAG/)") in migration.left


def test_init_from_jekyll_sets_jekyll_feeds_path_or_its_own_template(tmp_path: Path) -> None:
    assert _old_feeds(tmp_path / "a", {"_config.yml": "plugins: [jekyll-feed]\n"}) == [
        "feed.xml"]
    assert _old_feeds(tmp_path / "b", {"_config.yml": (
        "plugins: [jekyll-feed]\nfeed:\n  path: /blog/feed.atom\n  categories: [news]\n")}) == [
        "blog/feed.atom"]
    assert _old_feeds(tmp_path / "c", {"_config.yml": "title: C\n"}) == []
    template = "---\nlayout: null\n---\n<feed>{% for post in site.posts %}{% endfor %}</feed>\n"
    assert _old_feeds(tmp_path / "d", {"_config.yml": "title: D\n", "feed.xml": template}) == [
        "feed.xml"]
    assert _old_feeds(tmp_path / "e", {"_config.yml": "title: E\n", "atom.xml": template}) == []
    # the templates are left out: vibesite writes its feed there, never the Liquid as it is
    for name, folder in (("feed.xml", "d"), ("atom.xml", "e")):
        assert read_site(tmp_path / folder, tmp_path).settings["exclude"][-1] == name
    assert "feed.categories" in read_site(tmp_path / "b", tmp_path).left[-1]


def test_init_from_zola_sets_its_feed_file_names(tmp_path: Path) -> None:
    zola = 'base_url = "https://z.example"\n'
    assert _old_feeds(tmp_path / "a", {"config.toml": zola + "generate_feeds = true\n"}) == []
    assert _old_feeds(tmp_path / "b", {"config.toml": zola + (
        'generate_feed = true\nfeed_filename = "rss.xml"\n')}) == ["rss.xml"]
    assert _old_feeds(tmp_path / "c", {"config.toml": zola + "generate_feeds = false\n"}) == []
    assert _old_feeds(tmp_path / "d", {
        "config.toml": zola + ('generate_feeds = true\nfeed_filenames = ["feed.xml", '
                               '"releases.json"]\ntaxonomies = [{name = "tags", feed = true}]\n'),
        "content/_index.md": "+++\ngenerate_feeds = true\n+++\n",
        "content/Inside Rust/_index.md": "+++\ntitle = \"Inside\"\ngenerate_feeds = true\n+++\n",
        "content/releases/_index.md": "+++\ntitle = \"Releases\"\n+++\n",
    }) == ["feed.xml", "tags/{tag}/feed.xml", "inside-rust/feed.xml"]
    assert ("feed_filenames: releases.json: a feed of the site's own template; vibesite writes "
            "Atom only") in read_site(tmp_path / "d", tmp_path).left


def test_init_from_a_hugo_site_writes_its_feeds_where_they_were(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    write_files(old, {"hugo.toml": 'baseURL = "https://example.org/"\ntitle = "Hugo"\n',
                      **{f"content/{k}": v for k, v in POSTS.items()}})
    init_site(new, old=old)
    assert 'old_feeds = ["index.xml", "{section}/index.xml", "tags/{tag}/index.xml"]' in (
        new / "vibesite.toml").read_text()
    assert _old_feeds(tmp_path / "vault", {".obsidian/app.json": "{}", "a.md": "# A\n"}) == [
        "index.xml"]
    config = load_config(None, new)
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    site = new / "site"
    for path in ("index.xml", "posts/index.xml", "tags/go/index.xml", "tags/rust/index.xml"):
        assert _entries(site / path), path


def test_links_to_old_feeds_are_not_broken(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    """A page linking to its site's old feed (a "subscribe" line) is checked against the feeds
    old_feeds writes: only a feed that is not written is a broken link."""
    files = {**POSTS, "about.md": "---\ntitle: About\ndate: 2024-01-01\n---\nSubscribe: "
             "[all](/index.xml), [posts](/posts/index.xml), [go](/tags/go/index.xml), "
             "[none](/nowhere/index.xml).\n"}
    config = load_config(_site(tmp_path, 'old_feeds = ["index.xml", "{section}/index.xml", '
                                         '"tags/{tag}/index.xml"]\n', files))
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == ["about.md:5: warning: link '/nowhere/index.xml' leads to no page or "
                        "file of this site [broken-link]"]
    assert all((tmp_path / "site" / p).is_file()
               for p in ("index.xml", "posts/index.xml", "tags/go/index.xml"))
