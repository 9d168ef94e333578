"""After render, every link the theme wrote leads to a written file (issue 11): a theme's
broken link is one warning naming the page and line, counted once per target; links in the
Markdown bodies are left to the source-line check; --strict fails and writes nothing."""

from __future__ import annotations

from _sitebuild import REPO, build_fails, build_ok, write_files

from vibesite.diagnostics import Diagnostics
from vibesite.site.link_check import check_theme_links

NOTES = {"a.md": "# A\n\nSee [b](b.md).\n", "b.md": "# B\n\n[gone](/nowhere/)\n"}
NOT_FOUND = (REPO / "templates" / "404.html").read_text()


def test_the_default_theme_writes_no_broken_link(make_site, fake_embedder) -> None:
    config = make_site({**NOTES, "guide/_index.md": "# Guide\n", "guide/c.md": "---\ntags: [x]\n"
                        "---\n# C\n\n```py\nprint(1)\n```\n"})
    _, warnings = build_ok(config, fake_embedder)
    # the body's root-relative link is reported once, from its Markdown line, not again
    assert warnings == [
        "b.md:3: warning: link '/nowhere/' leads to no page or file of this site [broken-link]"]


def test_a_themes_broken_link_is_one_warning_per_target(make_site, fake_embedder) -> None:
    config = make_site(NOTES)
    write_files(config.templates_dir, {"404.html": NOT_FOUND.replace(
        "<a href=\"{{ url('archive/') }}\">{{ i18n('not_found.archive') }}</a>",
        "<a href=\"{{ url('archives/') }}\">Browse</a>\n"
        "    <img src=\"{{ url('static/logo.png') }}\" alt=\"\">")})
    result, warnings = build_ok(config, fake_embedder)
    line = next(i for i, text in enumerate(
        (config.output_dir / "404.html").read_text().splitlines(), 1) if "/archives/" in text)
    assert warnings[1:] == [
        f"site/404.html:{line}: warning: the theme links to '/archives/', which this build "
        "does not write [broken-link]",
        f"site/404.html:{line + 1}: warning: the theme links to '/static/logo.png', which this "
        "build does not write [broken-link]",
    ]
    assert "theme links" in result.timings


def test_strict_fails_on_a_themes_broken_link_and_writes_nothing(make_site,
                                                                fake_embedder) -> None:
    config = make_site({"a.md": "# A\n"}, strict=True)
    write_files(config.templates_dir, {"404.html": NOT_FOUND.replace("url('archive/')",
                                                                      "url('old-archive/')")})
    error, warnings = build_fails(config, fake_embedder)
    assert [w.split(": ", 1)[1] for w in warnings] == [
        "warning: the theme links to '/old-archive/', which this build does not write "
        "[broken-link]"]
    assert not config.output_dir.exists()


def test_absolute_links_into_the_site_are_checked_and_others_are_not() -> None:
    diagnostics = Diagnostics()
    pages = {
        "index.html": b'<a href="https://example.org/blog/x/">x</a>\n'
                      b'<a href="https://example.org/blog/gone/">g</a>\n'
                      b'<a href="/elsewhere/">other site on the host</a>'
                      b'<a href="https://other.org/">o</a> <a href="rel/">r</a>',
        "x/index.html": b'<a href="/blog/?q=1">home</a> <a href="/blog/gone/#a">g</a>'
                        b'<a href="/blog/static/s.css">s</a> <a href="/blog/body/">b</a>',
    }
    check_theme_links(pages, ["static/s.css"], "https://example.org/blog/", "/blog/",
                      {"x/index.html": '<a href="/blog/body/">b</a>'}, diagnostics)
    assert [str(d) for d in diagnostics.items] == [
        "site/index.html:2: warning: the theme links to 'https://example.org/blog/gone/', "
        "which this build does not write [broken-link]",
        "site/x/index.html:1: warning: the theme links to '/blog/gone/#a', which this build "
        "does not write [broken-link]",
    ]


def test_a_base_url_without_its_trailing_slash_is_the_same_site() -> None:
    """Zola writes base_url = "https://example.org" (init --from copies it): the canonical
    links into the site are still the site's, and only the missing page is reported."""
    for base_url, base_path in (("https://example.org", "/"),
                                ("https://example.org/blog", "/blog/")):
        diagnostics = Diagnostics()
        root = base_url + "/"
        pages = {"index.html": f'<a href="{root}">h</a> <a href="{base_url}">h</a>\n'
                               f'<a href="{root}x/">x</a> <a href="{root}gone/">g</a>'.encode(),
                 "x/index.html": b""}
        check_theme_links(pages, [], base_url, base_path, {}, diagnostics)
        assert [str(d) for d in diagnostics.items] == [
            f"site/index.html:2: warning: the theme links to '{root}gone/', which this build "
            "does not write [broken-link]"], base_url
