"""``old_taxonomies``: the old site's tag and category pages redirect to vibesite's tag pages
after a move from Hugo, Zola, Jekyll (jekyll-archives) or Quartz, and ``vibesite init
--from`` sets them from the old site's settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _sitebuild import FakeEmbedder, build_ok, write_files

from vibesite.commands.migrate import read_site
from vibesite.config import load_config
from vibesite.content.term_slugs import term_slug
from vibesite.diagnostics import ConfigError

NAMES = ["C++", "C#", "Node.js", "Ruby on Rails", "Café", "test (hey)", "Machine Learning & AI"]


@pytest.mark.parametrize(("rule", "slugs"), [
    ("hugo", ["c++", "c#", "node.js", "ruby-on-rails", "café", "test-hey",
              "machine-learning-ai"]),
    ("hugo-keep-case-no-accents", ["C++", "C#", "Node.js", "Ruby-on-Rails", "Cafe", "test-hey",
                                   "Machine-Learning-AI"]),
    ("zola", ["c", "c", "node-js", "ruby-on-rails", "cafe", "test-hey", "machine-learning-ai"]),
    ("zola-safe", ["C++", "C#", "Node.js", "Ruby on Rails", "Café", "test (hey)",
                   "Machine Learning & AI"]),
    ("jekyll", ["c", "c", "node-js", "ruby-on-rails", "café", "test-hey",
                "machine-learning-ai"]),
    ("jekyll-pretty", ["c++", "c", "node.js", "ruby-on-rails", "café", "test-(hey)",
                       "machine-learning-&-ai"]),
    ("quartz", ["C++", "C", "Node.js", "Ruby-on-Rails", "Café", "test-(hey)",
                "Machine-Learning--and--AI"]),
])
def test_terms_are_slugified_as_each_generator_did(rule: str, slugs: list[str]) -> None:
    assert [term_slug(name, rule) for name in NAMES] == slugs


def test_a_term_zola_transliterates_unknowably_has_no_slug() -> None:
    assert term_slug("日本", "zola") is None  # Zola: "ri-ben", from deunicode's tables
    assert term_slug("Straße", "zola") == "strasse"
    assert term_slug("  Go  lang ", "hugo") == "go-lang"
    assert term_slug("100%", "hugo") == "100" and term_slug("a%20b", "hugo") == "a%20b"


POSTS = {
    "posts/first.md": ("---\ntitle: First\ndate: 2024-03-01\ntags: [C++, Go, Café]\n"
                       "categories: [Web Dev]\n---\nOne.\n"),
    "posts/second.md": ("---\ntitle: Second\ndate: 2024-03-02\ntags: [Ruby on Rails]\n"
                        "categories: [Go]\n---\nTwo.\n"),
    "posts/draft.md": ("---\ntitle: Draft\ndate: 2024-03-03\ndraft: true\ncategories: [Secret]\n"
                       "---\nThree.\n"),
}


def _site(root: Path, toml: str, files: dict[str, str] | None = None) -> Path:
    write_files(root, {"vibesite.toml": 'base_url = "https://example.org/"\nsearch = false\n'
                       + toml, **{f"content/{k}": v for k, v in (files or POSTS).items()}})
    return root / "vibesite.toml"


def _redirects(site: Path, *under: str) -> dict[str, str]:
    """Each redirect page under ``under`` folders -> the URL it leads to."""
    found: dict[str, str] = {}
    for folder in under:
        for path in sorted((site / folder).rglob("*.html")) if (site / folder).is_dir() else []:
            html = path.read_text(encoding="utf-8")
            if match := re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html):
                found[path.relative_to(site).as_posix()] = match.group(1)
    return found


def test_hugo_term_and_list_pages_redirect_where_their_urls_differ(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    links = ("---\ntitle: Links\ndate: 2024-01-01\n---\nSee [Go](/categories/go/), [all]("
             "/categories/) and [Web](/categories/web-dev/); [not one](/categories/rust/).\n")
    config = load_config(_site(tmp_path, 'old_taxonomies = [\n  "tags/{tags}/",\n  "tags/",\n'
                               '  "categories/{categories}/",\n  "categories/",\n]\n'
                               'old_term_slugs = "hugo"\n', {**POSTS, "links.md": links}))
    _, warnings = build_ok(config, fake_embedder)
    assert [w for w in warnings if "taxonomy" in w] == []
    # a link to an old term page leads to its redirect; one to a term no page has is broken
    assert [w for w in warnings if "broken" in w] == [
        "links.md:5: warning: link '/categories/rust/' leads to no page or file of this site "
        "[broken-link]"]
    site = tmp_path / "site"
    assert _redirects(site, "tags", "categories") == {
        # C++: Hugo's /tags/c++/, vibesite's /tags/cplusplus/; Go, Café, Ruby on Rails: alike
        "tags/c++/index.html": "https://example.org/tags/cplusplus/",
        # categories are tags in vibesite
        "categories/go/index.html": "https://example.org/tags/go/",
        "categories/web-dev/index.html": "https://example.org/tags/web-dev/",
        "categories/index.html": "https://example.org/tags/",
    }  # a draft's term has no page in either site
    ours = (site / "tags/go/index.html").read_text()  # vibesite's tag page, untouched
    assert "First" in ours and "Second" in ours and "http-equiv" not in ours


def test_hugo_ugly_urls_and_removed_accents(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    config = load_config(_site(tmp_path, 'old_taxonomies = ["tags/{tags}.html", "tags.html"]\n'
                               'old_term_slugs = "hugo-no-accents"\n'))
    build_ok(config, fake_embedder)
    assert _redirects(tmp_path / "site", ".") == {
        "tags.html": "https://example.org/tags/",
        "tags/c++.html": "https://example.org/tags/cplusplus/",
        "tags/go.html": "https://example.org/tags/go/",  # /tags/go.html is no folder URL
        "tags/cafe.html": "https://example.org/tags/café/",
        "tags/ruby-on-rails.html": "https://example.org/tags/ruby-on-rails/",
    }


def test_an_old_term_url_something_else_has_is_a_warning_not_an_overwrite(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    files = {**POSTS,
             "categories/go.md": "---\ntitle: Go at work\ndate: 2024-01-01\n---\nA page.\n",
             "posts/fourth.md": ("---\ntitle: Fourth\ndate: 2024-02-01\ncategories: [GO]\n---\n"
                                 "Five.\n"),  # another spelling: one warning for the URL
             "posts/third.md": ("---\ntitle: Third\ndate: 2024-03-04\ntags: [Rust]\n"
                                "aliases: [/tag/rust/]\n---\nFour.\n")}
    config = load_config(_site(tmp_path, 'old_taxonomies = ["categories/{categories}/",\n'
                               '                  "tag/{tags}/"]\nold_term_slugs = "jekyll"\n',
                               files))
    _, warnings = build_ok(config, fake_embedder)
    assert [w for w in warnings if "taxonomy" in w] == [
        "vibesite.toml:3: warning: old URL 'categories/go/index.html' of term 'Go' (from "
        "'categories/{categories}/') is already the path of the page /categories/go/; no "
        "redirect is written there [taxonomy-clash]",
        "vibesite.toml:4: warning: old URL 'tag/rust/index.html' of term 'Rust' (from "
        "'tag/{tags}/') is already the path of an alias's redirect page; no redirect is "
        "written there [taxonomy-clash]",
    ]
    site = tmp_path / "site"
    assert "Go at work" in (site / "categories/go/index.html").read_text()
    assert "posts/third/" in (site / "tag/rust/index.html").read_text()  # the alias's
    assert _redirects(site, "tag")["tag/c/index.html"] == "https://example.org/tags/cplusplus/"


def test_zola_terms_that_meet_in_one_old_url_and_unknowable_ones_warn(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    files = {"a.md": '+++\ntitle = "A"\ndate = 2024-01-01\n[taxonomies]\ntags = ["C++", "C#"]\n'
                     '+++\nA.\n',
             "b.md": '+++\ntitle = "B"\ndate = 2024-01-02\n[taxonomies]\ntags = ["日本", "Rust"]\n'
                     '+++\nB.\n'}
    config = load_config(_site(tmp_path, 'old_taxonomies = ["tags/{tags}/"]\n'
                               'old_term_slugs = "zola"\n', files))
    _, warnings = build_ok(config, fake_embedder)
    assert [w for w in warnings if "taxonomy" in w] == [
        "vibesite.toml:3: warning: old URL 'tags/c/index.html' of term 'C#' (from "
        "'tags/{tags}/') is already the path of the redirect for term 'C++'; no redirect is "
        "written there [taxonomy-clash]",
        "vibesite.toml:3: warning: term '日本' (from 'tags/{tags}/'): its old URL cannot be "
        "worked out; no redirect is written for it [taxonomy-url]",
    ]
    assert _redirects(tmp_path / "site", "tags") == {
        "tags/c/index.html": "https://example.org/tags/cplusplus/"}


def test_quartz_tag_urls_are_html_files_where_the_folder_is_not_ours(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    files = {".obsidian/app.json": "{}",
             "notes/one.md": ("---\ntags: [Machine Learning, go, Lang/Python]\n---\n# One\n\n"
                              "See #Big-Data.\n")}
    config = load_config(_site(tmp_path, 'old_taxonomies = ["tags/{tags}"]\n'
                               'old_term_slugs = "quartz"\n', files))
    build_ok(config, fake_embedder)
    assert _redirects(tmp_path / "site", "tags") == {  # /tags/go is served from /tags/go/
        "tags/Machine-Learning.html": "https://example.org/tags/machine-learning/",
        "tags/Big-Data.html": "https://example.org/tags/big-data/",
        # a nested tag's page keeps its levels in a vault: the redirect leads there
        "tags/Lang/Python.html": "https://example.org/tags/lang/python/"}


def test_old_taxonomies_must_be_paths_and_keys_taxonomies(tmp_path: Path) -> None:
    for toml, message in [
        ('old_taxonomies = ["series/{series}/"]\n',
         "vibesite.toml:3: error: 'old_taxonomies' names '{series}', which is not one of "
         "'taxonomies' (the front matter keys read as tags)"),
        ('old_taxonomies = ["../{tags}/"]\n',
         "vibesite.toml:3: error: 'old_taxonomies' must be a list of paths in the site such "
         "as \"categories/{categories}/\" or \"categories/\" (one {KEY} at most, KEY a front "
         "matter key), not ['../{tags}/']"),
        ('old_term_slugs = "wordpress"\n', "vibesite.toml:3: error: 'old_term_slugs' must be "),
    ]:
        with pytest.raises(ConfigError) as info:
            load_config(_site(tmp_path, toml))
        assert str(info.value).startswith(f"{tmp_path}/{message}")
    taxonomies = 'taxonomies = ["tags", "series"]\nold_taxonomies = ["series/{series}/"]\n'
    assert load_config(_site(tmp_path, taxonomies)).old_taxonomies == ("series/{series}/",)


def _migrated(old: Path, files: dict[str, str]) -> tuple[list[str], str, list[str]]:
    write_files(old, files)
    migration = read_site(old, old.parent)
    settings = migration.settings
    return (settings.get("old_taxonomies", []), settings.get("old_term_slugs", ""),
            migration.left)


def test_init_from_hugo_lists_each_taxonomys_pages(tmp_path: Path) -> None:
    assert _migrated(tmp_path / "a", {"hugo.toml": 'title = "A"\n'})[:2] == (
        ["tags/{tags}/", "tags/", "categories/{categories}/", "categories/"], "hugo")
    paths, slugs, left = _migrated(tmp_path / "b", {"hugo.toml": (
        'disablePathToLower = true\nremovePathAccents = true\nuglyURLs = true\n'
        'disableKinds = ["taxonomy"]\n[taxonomies]\ntopic = "topics"\nauthor = "authors"\n'
        '[permalinks]\nauthors = "/people/:slug/"\n')})
    assert (paths, slugs) == (["topics/{topics}.html", "authors/{authors}.html"],
                              "hugo-keep-case-no-accents")
    assert ("permalinks.authors: /people/:slug/: not carried over; old_taxonomies takes "
            "authors's pages as /authors/TERM/") in left
    written = read_site(tmp_path / "b", tmp_path).toml()
    assert 'old_taxonomies = ["topics/{topics}.html", "authors/{authors}.html"]\n' in written
    assert 'old_term_slugs = "hugo-keep-case-no-accents"\n' in written
    assert _migrated(tmp_path / "c", {"hugo.toml": 'disableKinds = ["taxonomy", "term"]\n'}
                     )[:2] == ([], "")


def test_init_from_zola_lists_its_taxonomies_with_its_slug_strategy(tmp_path: Path) -> None:
    paths, slugs, _ = _migrated(tmp_path / "a", {"config.toml": (
        'base_url = "https://a.org"\ntaxonomies = [\n  {name = "tags", feed = true},\n'
        '  {name = "Series"},\n  {name = "hidden", render = false},\n]\n'
        '[slugify]\ntaxonomies = "safe"\n')})
    assert (paths, slugs) == (["tags/{tags}/", "tags/", "Series/{Series}/", "Series/"],
                              "zola-safe")
    assert _migrated(tmp_path / "b", {"config.toml": (
        'base_url = "https://b.org"\ntaxonomy_root = "blog"\n'
        'taxonomies = [{name = "Big Tags"}]\n')})[:2] == (
        ["blog/big-tags/{Big Tags}/", "blog/big-tags/"], "zola")
    assert _migrated(tmp_path / "c", {"config.toml": 'base_url = "https://c.org"\n'})[:2] == (
        [], "")


def test_init_from_jekyll_lists_jekyll_archives_pages(tmp_path: Path) -> None:
    assert _migrated(tmp_path / "a", {"_config.yml": "title: A\ntags: [x]\n"})[:2] == ([], "")
    assert _migrated(tmp_path / "b", {"_config.yml": (
        "plugins: [jekyll-archives]\njekyll-archives:\n  enabled: [tags, categories]\n")}
    )[:2] == (["tag/{tags}/", "category/{categories}/"], "jekyll")
    paths, slugs, left = _migrated(tmp_path / "c", {"_config.yml": (
        "plugins: [jekyll-feed, jekyll-archives]\njekyll-archives:\n  enabled: all\n"
        "  permalinks:\n    tag: /topics/:name.html\n    category: /:type/:name\n")})
    assert (paths, slugs) == (["topics/{tags}.html"], "jekyll")
    assert ("jekyll-archives.permalinks.category: /:type/:name: a URL without / or .html at its "
            "end is not redirected") in left


def test_init_from_a_hugo_site_then_build_redirects_its_categories(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    old = tmp_path / "old"
    write_files(old, {"hugo.toml": 'baseURL = "https://example.org/"\n',
                      **{f"content/{k}": v for k, v in POSTS.items()}})
    new = tmp_path / "new"
    new.mkdir()
    (new / "vibesite.toml").write_text(read_site(old, new).toml() + "search = false\n")
    config = load_config(new / "vibesite.toml")
    _, warnings = build_ok(config, fake_embedder)
    assert [w for w in warnings if "taxonomy" in w] == []
    assert set(_redirects(new / "site", "tags", "categories")) == {
        "tags/c++/index.html", "categories/go/index.html", "categories/web-dev/index.html",
        "categories/index.html"}


def test_init_from_a_vault_lists_quartzs_tag_pages(tmp_path: Path) -> None:
    assert _migrated(tmp_path / "vault", {".obsidian/app.json": "{}", "note.md": "# Note\n"}
                     )[:2] == (["tags/{tags}"], "quartz")


def test_a_term_whose_old_slug_is_empty_warns(tmp_path: Path,
                                              fake_embedder: FakeEmbedder) -> None:
    files = {"a.md": "---\ntitle: A\ndate: 2024-01-01\ntags: [日本, Go]\n---\nA.\n"}
    config = load_config(_site(tmp_path, 'old_taxonomies = ["tag/{tags}/"]\n'
                               'old_term_slugs = "jekyll-latin"\n', files))
    _, warnings = build_ok(config, fake_embedder)
    assert [w for w in warnings if "taxonomy" in w] == [  # Jekyll wrote it at /tag/ too
        "vibesite.toml:3: warning: term '日本' (from 'tag/{tags}/'): its old URL 'tag//' cannot "
        "be written as a file; no redirect is written for it [taxonomy-url]"]
    assert _redirects(tmp_path / "site", "tag") == {
        "tag/go/index.html": "https://example.org/tags/go/"}
