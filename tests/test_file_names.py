"""Odd file names (shared/corpora/README.md's list and the characters URLs treat specially)
give valid, unique URLs: every link on every page leads to a file that was written."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

from _sitebuild import HtmlElements, build_ok, post_title

from vibesite.content.slugs import slugify

# file name -> title; the names are the oddities, the titles say which file a page came from
ODD_NAMES = {
    "100% done.md": "Percent",
    "[draft] notes.md": "Brackets",
    "{{ braces }}.md": "Braces",
    "~tilde.md": "Tilde",
    "with  two spaces.md": "Spaces",
    "user@host.md": "At",
    "it's \"quoted\".md": "Quotes",
    "news/2016-11-29-sin%e2%80%8a-%e2%80%8aready.md": "Percent escapes",
    "a%2Fb%3Fc%23d.md": "Escaped slash, query and fragment",
    "%2e%2e.md": "Escaped dots",
    "gsa\u2019s-fedramp.md": "Curly quote",
    "caf\u00e9/\u65e5\u672c\u8a9e.md": "Non-ASCII",
    "q?x#y&z=1;+,!$*().md": "URL delimiters",
    "back\\slash`tick^caret|pipe<lt>gt.md": "Shell and HTML characters",
    "Rust-1.0@0.md": "Rust at zero",
    "long-name-" * 24 + ".md": "Long file name",  # 243 bytes: a -2 suffix must still fit
}
# pairs that slug the same: the second of each gets -2 and a warning
CLASHES = {
    "Same Name.md": "Same upper",
    "same name.md": "Same lower",
    "cafe\u0301.md": "NFD accent",  # e + combining acute: NFKC makes it café
    "caf\u00e9.md": "NFC accent",
}


def site_links(site: Path) -> dict[str, list[str]]:
    """Every site-internal href/src of every HTML page, by page."""
    found: dict[str, list[str]] = {}
    for html in sorted(site.rglob("*.html")):
        elements = HtmlElements(html.read_text(encoding="utf-8")).elements
        links = [v for _, attrs in elements for k, v in attrs.items() if k in ("href", "src")]
        found[html.relative_to(site).as_posix()] = [v for v in links if v and v.startswith("/")]
    return found


def target(site: Path, url_path: str) -> Path:
    """The file a server sends for ``url_path`` (percent-decoded; a folder means index.html)."""
    path = site / unquote(url_path).lstrip("/")
    return path / "index.html" if url_path.endswith("/") else path


def assert_valid_url_path(url: str) -> None:
    """One path, no query or fragment, no space or character that must be escaped in HTML."""
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("", "", "", ""), url
    assert not any(c.isspace() or c in "%\"'<>\\^`{|}[]?#@&=+;,!$*()" for c in url), url
    assert "/./" not in url and "/../" not in url and "//" not in url, url


def test_odd_file_names_give_valid_unique_urls(make_site, fake_embedder) -> None:
    files = {name: f"---\ntitle: {title!r}\ndate: 2024-01-0{i % 9 + 1}\ntags: [odd]\n---\n"
                   f"Body of {title}.\n"
             for i, (name, title) in enumerate({**ODD_NAMES, **CLASHES}.items())}
    files["long-slug.md"] = f"---\ntitle: Long slug\nslug: {'y' * 300}\n---\nBody.\n"
    config = make_site(files)
    result, warnings = build_ok(config, fake_embedder)
    assert result.articles == len(files)
    assert warnings == [
        "caf\u00e9.md:1: warning: slug 'caf\u00e9' is also used by cafe\u0301.md; this page is "
        "published as 'caf\u00e9-2/' (set 'slug' in its front matter to choose) [slug-clash]",
        "same name.md:1: warning: slug 'same-name' is also used by Same Name.md; this page is "
        "published as 'same-name-2/' (set 'slug' in its front matter to choose) [slug-clash]",
    ]
    site = config.output_dir
    links = site_links(site)
    article_urls = {h for h in links["index.html"] + links["archive/index.html"]
                    if h.count("/") >= 2 and not h.startswith(("/tags/", "/archive/", "/page/",
                                                              "/topics/", "/map/", "/search/",
                                                              "/static/"))}
    # every article is listed, each at its own URL, and its page is the one for that file
    assert len(article_urls) == len(files)
    titles = {post_title(target(site, url).read_text(encoding="utf-8")) for url in article_urls}
    assert titles == set(ODD_NAMES.values()) | set(CLASHES.values()) | {"Long slug"}
    for url in article_urls:
        assert_valid_url_path(url)
    # every internal link on every page leads to a written file
    for page, hrefs in links.items():
        for href in hrefs:
            if (href.startswith("/static/") and re.search(r"\.(js|css)\?v=[0-9a-f]{10}$", href)
                    or re.fullmatch(r"/search/manifest\.json\?v=[0-9a-f]{10}", href)):
                href = href.split("?")[0]  # asset(): the theme's files and the search manifest
            assert_valid_url_path(href)
            assert target(site, href).is_file(), f"{page} links to {href}, which was not written"
    # the sitemap lists URL-escaped addresses of written pages
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text or "" for e in ET.parse(site / "sitemap.xml").getroot().findall("s:url/s:loc",
                                                                                   ns)]
    assert len(locs) >= len(files)
    for loc in locs:
        assert loc.isascii() and " " not in loc, loc
        assert target(site, urlsplit(loc).path).is_file(), loc


def test_dot_files_and_folders_are_skipped(make_site, fake_embedder) -> None:
    config = make_site({".hidden.md": "# Hidden\n", ".drafts/x.md": "# In a dot folder\n",
                        "shown.md": "# Shown\n\nBody.\n"})
    result, warnings = build_ok(config, fake_embedder)
    assert (result.articles, warnings) == (1, [])
    assert not any(p.name.startswith(".") for p in config.output_dir.rglob("*"))


def test_long_names_are_cut_to_fit_a_file_system_name() -> None:
    for text in ["a" * 400, "\u65e5" * 200, "word-" * 100]:
        slug = slugify(text)
        assert len(slug.encode("utf-8")) <= 200 and slugify(slug) == slug
        assert not slug.endswith(("-", "."))
