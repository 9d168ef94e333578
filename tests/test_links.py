"""Links between sources and images beside them: they lead where the target was published,
and every one that leads nowhere is a warning naming the source line (issue 11).

Most tests stop after parsing (the rewritten HTML and the diagnostics are decided there);
one builds the site and reads the written page back.
"""

from __future__ import annotations

from datetime import datetime

from _sitebuild import build_ok, by_source, lines, page, parse_site, post_body

from vibesite.content.urls import html_file, permalink_path

NOTES = {
    "guide/first.md": "# First\n\nSee [the second](second.md) and\n[setup](../about.md#setup).\n",
    "guide/second.md": "---\ntitle: Second\nslug: two\n---\n## Details\n\nText.\n",
    "about.md": "# About\n\n## Setup\n\nWords.\n",
}


def test_links_to_markdown_files_become_the_urls_of_their_articles(make_site) -> None:
    parsed, diagnostics = parse_site(make_site(NOTES))
    html = by_source(parsed)["guide/first.md"].html_body
    assert '<a href="/guide/two/">the second</a>' in html
    assert '<a href="/about/#setup">setup</a>' in html
    assert lines(diagnostics.sorted()) == []


def test_rewritten_links_start_with_the_base_path(make_site) -> None:
    parsed, _ = parse_site(make_site(NOTES, base_url="https://example.org/blog/"))
    assert 'href="/blog/guide/two/"' in by_source(parsed)["guide/first.md"].html_body


def test_links_follow_a_clash_suffix_and_a_zola_path(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "a/same.md": "# A\n\n[b](../b/same.md) [z](z.md) [zola](@/b/same.md)\n",
        "b/same.md": "---\ntitle: B\nslug: same\n---\nx\n",
        "a/z.md": '+++\ntitle = "Z"\npath = "2020/01/02/zed"\n+++\nz\n',
        "same.md": "# Top\n",
    }))
    html = by_source(parsed)["a/same.md"].html_body
    assert html.count('href="/b/same/"') == 2 and 'href="/2020/01/02/zed/"' in html


def test_broken_links_and_anchors_name_the_source_line(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "notes/a.md": ("---\ntitle: A\n---\nIntro [gone](missing.md).\n\n"
                       "Two [lines\nlong](b.md#nope) and [here](#top).\n\n## Top\n\n"
                       "[page](../nowhere/) [root](/notes/b/) [ok](../b/)\n"),
        "notes/b.md": "# B\n\n## Real\n",
    }))
    assert lines(diagnostics.sorted()) == [
        "notes/a.md:4: warning: link 'missing.md': no article is built from notes/missing.md "
        "[broken-link]",
        "notes/a.md:6: warning: link 'b.md#nope': notes/b.md has no heading or element with "
        "id 'nope' [broken-anchor]",
        "notes/a.md:11: warning: link '../nowhere/' leads to no page or file of this site "
        "[broken-link]",
    ]
    # a broken link is left as written; the working ones are untouched or rewritten
    html = by_source(parsed)["notes/a.md"].html_body
    assert 'href="missing.md"' in html and 'href="/notes/b/#nope"' in html


def test_a_link_to_a_file_left_out_is_broken(make_site) -> None:
    _, diagnostics = parse_site(make_site({
        "a.md": "# A\n\n[draft](b.md) [readme](README.md)\n",
        "b.md": "---\ntitle: B\ndraft: true\n---\nx\n",
        "README.md": "# Read me\n",
    }))
    assert lines(diagnostics.sorted()) == [
        "a.md:3: warning: link 'README.md': no article is built from README.md [broken-link]",
        "a.md:3: warning: link 'b.md': no article is built from b.md (left out: a draft; "
        "--drafts builds it) [broken-link]",
    ]


def test_images_beside_a_page_follow_it(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "posts/b/index.md": "---\ntitle: B\nslug: nice\n---\n![p](pic.png)\n",
        "posts/b/pic.png": b"\x89PNG",
        "Guide/Diff/index.md": "# Diff\n\n![d](diagram.svg) ![gone](nope.png)\n",
        "Guide/Diff/diagram.svg": "<svg/>",
        "til/x.md": "# X\n\n![s](../shots/s.png) [pdf](<files/a b.pdf>)\n",
        "shots/s.png": b"\x89PNG",
        "til/files/a b.pdf": b"%PDF",
    }))
    articles = by_source(parsed)
    assert articles["posts/b/index.md"].url == "posts/b/nice/"
    assert '<img src="/posts/b/pic.png" alt="p" />' in articles["posts/b/index.md"].html_body
    diff = articles["Guide/Diff/index.md"].html_body
    assert '<img src="/Guide/Diff/diagram.svg" alt="d" />' in diff
    html = articles["til/x.md"].html_body
    assert 'src="/shots/s.png"' in html and 'href="/til/files/a%20b.pdf"' in html
    assert lines(diagnostics.sorted()) == [
        "Guide/Diff/index.md:3: warning: image 'nope.png': no file Guide/Diff/nope.png in the "
        "content folder [broken-image]",
    ]


def test_external_links_and_code_are_left_alone(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "a.md": ("# A\n\n[w](https://example.org/x.md) [m](mailto:a@b.c) <https://x.org/y.md>\n"
                 "\n`[c](c.md)`\n\n```\n[d](d.md)\n```\n"),
    }))
    assert lines(diagnostics.sorted()) == []
    assert 'href="https://example.org/x.md"' in by_source(parsed)["a.md"].html_body


def test_the_written_page_links_to_the_target(make_site, fake_embedder) -> None:
    config = make_site(NOTES)
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    body = post_body(page(config, "guide/first/"))
    assert '<a href="/guide/two/">the second</a>' in body


def test_markdown_extensions_are_articles_not_static_files(make_site, fake_embedder) -> None:
    config = make_site({
        "2020-01-02-old.markdown": "---\ntitle: Old\n---\nSee [new](new.mdown).\n",
        "new.mdown": "# New\n\nx\n",
        "k.mkd": "# K\n",
    })
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == [] and result.articles == 3
    assert 'href="/new/"' in post_body(page(config, "old/"))
    written = {p.name for p in config.output_dir.rglob("*")}
    assert not written & {"2020-01-02-old.markdown", "new.mdown", "k.mkd"}


def test_anchors_in_another_generators_style_find_the_heading(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "a.md": ("# A\n\n[n](#what-s-next) [v](b.md#version-1-0) [m](#missing)\n\n"
                 "## What's next\n"),
        "b.md": "# B\n\n## Version 1.0\n",
    }))
    html = by_source(parsed)["a.md"].html_body
    assert 'href="#whats-next"' in html and 'href="/b/#version-10"' in html
    assert lines(diagnostics.sorted()) == [
        "a.md:3: warning: no heading or element with id 'missing' on this page [broken-anchor]",
    ]


def test_anchors_that_spell_emoji_as_words_find_the_heading(make_site) -> None:
    """Zola slugs "Issues (🦀)" as ``issues-crab``; vibesite's id, like GitHub's, drops the
    emoji and keeps the hyphens around it."""
    parsed, diagnostics = parse_site(make_site({
        "a.md": ("# A\n\n[i](#i-unsound-issues-crab) [b](#builds-woman-computer-tools) "
                 "[r](#crab-rust-news) [x](#issues-dog)\n\n## I-unsound issues (🦀)\n\n"
                 "## Builds (👩‍💻, 🛠️)\n\n## 🦀 Rust news\n\n## Issues\n"),
    }))
    html = by_source(parsed)["a.md"].html_body
    assert ('href="#i-unsound-issues-"' in html and 'href="#builds--"' in html
            and 'href="#-rust-news"' in html)
    assert lines(diagnostics.sorted()) == [
        "a.md:3: warning: no heading or element with id 'issues-dog' on this page "
        "[broken-anchor]",
    ]


def test_a_second_h1_and_an_a_name_are_link_targets(make_site) -> None:
    """Zola and GitHub give every "# Part" of a body an id; browsers land on ``<a name>``."""
    parsed, diagnostics = parse_site(make_site({
        "a.md": ("---\ntitle: A\n---\nSee [c](#compatibility) and "
                 "[1](#note-1).\n\n# Compatibility\n\nText.\n\n"
                 "<a name=\"note-1\">1</a>: a note.\n"),
        "b.md": "# B\n\n## B\n\n# Part\n",
    }))
    assert lines(diagnostics.sorted()) == []
    assert '<h1 id="compatibility">' in by_source(parsed)["a.md"].html_body
    # the title taken from the first h1 takes no id from the headings below it
    body = by_source(parsed)["b.md"].html_body
    assert '<h2 id="b">' in body and '<h1 id="part">' in body


def test_a_path_from_the_content_root_written_as_relative_gets_a_hint(make_site) -> None:
    _, diagnostics = parse_site(make_site({
        "git/a.md": "# A\n\n[b](unix/b.md)\n",
        "unix/b.md": "# B\n",
    }))
    assert lines(diagnostics.sorted()) == [
        "git/a.md:3: warning: link 'unix/b.md': no article is built from git/unix/b.md "
        "(did you mean '/unix/b.md'?) [broken-link]",
    ]


SECTIONS = {
    "index.md": "# Welcome\n\nThis is [the guide](docs/_index.md).\n",
    "docs/_index.md": "---\ntitle: Documentation\n---\nRead these in order.\n",
    "docs/install.md": "---\ntitle: Install\nweight: 1\ndate: 2024-01-01\n---\nx\n",
    "docs/use.md": "---\ntitle: Use\nweight: 2\ndate: 2024-05-01\n---\nx\n",
    "docs/extra/more.md": "---\ntitle: More\ndate: 2024-02-01\n---\n[up](../_index.md)\n",
    "git/a.md": "# A\n\nx\n",
    "posts/b/index.md": "---\ntitle: Bundle\n---\nx\n",
    "snippets/_index.md": "---\nheadless: true\n---\n",
    "snippets/s.md": "# Snippet\n",
    "parts/_index.md": "---\ncascade:\n  build:\n    render: never\n---\n",
    "parts/p.md": "# Part\n",
    "never.md": "---\ntitle: Never\n_build:\n  render: false\n---\nx\n",
}


def test_sections_index_files_and_headless_bundles(make_site, fake_embedder) -> None:
    config = make_site(SECTIONS)
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    parsed, _ = parse_site(config)
    assert sorted(a.source for a in parsed.articles) == [
        "docs/extra/more.md", "docs/install.md", "docs/use.md", "git/a.md",
        "posts/b/index.md", "snippets/s.md"]
    assert (parsed.headless, result.articles) == (2, 6)
    home = page(config, "")
    assert '<p>This is <a href="/docs/">the guide</a>.</p>' in home
    docs = page(config, "docs/")
    assert '<h1 class="page-title">Documentation</h1>' in docs
    assert "<p>Read these in order.</p>" in docs
    assert docs.index(">Install<") < docs.index(">Use<")  # by weight, not date
    assert '<a href="/docs/extra/">extra</a>' in docs
    assert '<a href="/docs/">up</a>' in post_body(page(config, "docs/extra/more/"))
    for folder in ("git/", "posts/", "docs/extra/", "snippets/"):
        assert (config.output_dir / folder / "index.html").is_file(), folder
    assert not (config.output_dir / "index").exists()
    assert not (config.output_dir / "parts" / "p").exists()
    assert not (config.output_dir / "never").exists()


def test_permalink_url_slug_paths_and_redirects(make_site, fake_embedder) -> None:
    config = make_site({
        "_posts/2015-09-09-a-spring.md": (
            "---\ntitle: Sprint\ndate: 2015-09-09\ncategories: [news]\n"
            "permalink: /:categories/:year/:month/:title/\n"
            "redirect_from:\n  - /2015/09/09/old-name/\n---\n"
            "[Hugo](../docs/h.md) [old case](/News/2015/09/A-Spring/)\n"),
        "docs/h.md": ("---\ntitle: H\nurl: /guides/Hugo-Page/\naliases: [/h.html, old/h]\n"
                      "---\nx\n"),
        "docs/s.md": "---\ntitle: S\nslug: deep/down/s\naliases: [/guides/hugo-page/]\n---\nx\n",
        "docs/r.md": "---\ntitle: R\nslug: /root-level/r\n---\nx\n",
    })
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == [
        "docs/s.md:4: warning: alias '/guides/hugo-page/' is also the URL of docs/h.md; no "
        "redirect is written there [alias-clash]",
    ]
    out = config.output_dir
    for url in ("news/2015/09/a-spring/", "guides/hugo-page/", "docs/deep/down/s/",
                "root-level/r/"):
        assert (out / url / "index.html").is_file(), url
    body = post_body(page(config, "news/2015/09/a-spring/"))
    assert 'href="/guides/hugo-page/"' in body and 'href="/news/2015/09/a-spring/"' in body
    redirect = (out / "2015/09/09/old-name/index.html").read_text()
    assert ('<link rel="canonical" href="https://example.org/news/2015/09/a-spring/">'
            in redirect)
    assert ('<meta http-equiv="refresh" content="0; url=https://example.org/news/2015/09/'
            'a-spring/">' in redirect)
    assert "url=https://example.org/guides/hugo-page/" in (out / "h.html").read_text()
    assert (out / "old/h/index.html").is_file()
    assert "/2015/09/09/old-name/" not in (out / "sitemap.xml").read_text()


def test_site_permalink_keeps_jekyll_post_urls_and_their_html_files(make_site,
                                                                     fake_embedder) -> None:
    """``permalink`` in vibesite.toml, as in Jekyll's _config.yml: posts (files in _posts/)
    keep their old URLs; a style ending in .html publishes at the folder URL and writes a
    redirect at the old .html file; a post's own permalink and slug win; pages are not posts."""
    config = make_site({
        "_posts/2014-07-16-hello-world.md": "# Hello\n\nText.\n",
        "_posts/2015-03-01-own.md": "---\ntitle: Own\npermalink: /own-place/\n---\nText.\n",
        "_posts/2015-03-02-named.md": "---\ntitle: Named\nslug: better-name\n---\nText.\n",
        "blog/_posts/2016-01-05-deep.md": "# Deep\n\n[hello](/2014/07/16/hello-world.html)\n",
        "about.md": "# About\n\nText.\n",
        "old/page.md": "---\ntitle: Page\nurl: /old/page.html\n---\nText.\n",
    }, permalink="date")
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    out = config.output_dir
    for url in ("2014/07/16/hello-world/", "own-place/", "2015/03/02/better-name/",
                "2016/01/05/deep/", "about/", "old/page/"):
        assert (out / url / "index.html").is_file(), url
    for old, new in (("2014/07/16/hello-world.html", "2014/07/16/hello-world/"),
                     ("2015/03/02/better-name.html", "2015/03/02/better-name/"),
                     ("old/page.html", "old/page/")):
        assert (f'<meta http-equiv="refresh" content="0; url=https://example.org/{new}">'
                in (out / old).read_text()), old
    assert not (out / "own-place.html").exists() and not (out / "about.html").exists()
    assert 'href="/2014/07/16/hello-world/"' in post_body(page(config, "2016/01/05/deep/"))


def test_permalink_styles_and_placeholders() -> None:
    date, post = datetime(2021, 2, 3, 9, 5), "_posts/2021-02-03-first-post.md"
    assert permalink_path("date", post, date, ["News", "a b"]) == (
        "/news/a-b/2021/02/03/first-post.html")
    assert permalink_path("pretty", post, date, []) == "/2021/02/03/first-post/"
    assert permalink_path("ordinal", post, date, []) == "/2021/034/first-post.html"
    assert permalink_path("none", post, date, []) == "/first-post.html"
    assert permalink_path("/:short_year/:i_month/:i_day/:hour:minute/:slug/", post, date, [],
                          slug="renamed") == "/21/2/3/0905/renamed/"
    assert [html_file(p) for p in ("/a/b.html", "/a/b/", "/a/index.html", "b.htm")] == [
        "/a/b.html", "", "", "b.htm"]


def test_jekyll_dated_urls_lead_to_the_post(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "_posts/2014-07-16-hello-world.md": "# Hello\n",
        "_posts/2015-01-01-next.md": ("# Next\n\n[old](/2014/07/16/hello-world/) "
                                      "[html](/blog/2014/07/16/hello-world.html) "
                                      "[wrong day](/2014/07/17/hello-world/)\n"),
    }))
    html = by_source(parsed)["_posts/2015-01-01-next.md"].html_body
    assert html.count('href="/hello-world/"') == 2
    assert lines(diagnostics.sorted()) == [
        "_posts/2015-01-01-next.md:3: warning: link '/2014/07/17/hello-world/' leads to no page "
        "or file of this site [broken-link]",
    ]


def test_links_in_raw_html_are_checked_and_rewritten(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "posts/b/index.md": ('---\ntitle: B\nslug: nice\n---\n<figure><img src="pic.png">'
                             '</figure>\n\n<a href="../../a.md">A</a> <img src=\'gone.png\'>\n'
                             '\n<div>\n<a href="/nowhere/">x</a>\n</div>\n'),
        "posts/b/pic.png": b"png",
        "a.md": "# A\n",
    }))
    html = by_source(parsed)["posts/b/index.md"].html_body
    assert '<img src="/posts/b/pic.png">' in html and '<a href="/a/">A</a>' in html
    assert lines(diagnostics.sorted()) == [
        "posts/b/index.md:7: warning: image 'gone.png': no file posts/b/gone.png in the "
        "content folder [broken-image]",
        "posts/b/index.md:10: warning: link '/nowhere/' leads to no page or file of this site "
        "[broken-link]",
    ]


def test_wikilinks_resolve_by_file_name_and_pages_list_their_backlinks(
        make_site, fake_embedder) -> None:
    config = make_site({
        "notes/Daily Note.md": ("# Daily\n\nSee [[Project Plan]], [[plan#Next Steps|the steps]],"
                                " [[#Later]] and [[Nowhere]].\n\n![[diagram.png]]\n\n"
                                "`[[code]]` and if [[ -f x ]] stays.\n\n## Later\n"),
        "projects/plan.md": "# Project Plan\n\n## Next steps\n",
        "projects/Project Plan.md": "# The plan file\n",
        "img/diagram.png": b"png",
    })
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == [
        "notes/Daily Note.md:3: warning: link 'Nowhere.md': no article is built from "
        "notes/Nowhere.md [broken-link]",
    ]
    body = post_body(page(config, "notes/daily-note/"))
    assert ('See <a href="/projects/project-plan/">Project Plan</a>, '
            '<a href="/projects/plan/#next-steps">the steps</a>, <a href="#later">Later</a>'
            in body)
    assert '<img src="/img/diagram.png" alt="diagram.png" />' in body
    assert "<code>[[code]]</code> and if [[ -f x ]] stays." in body
    plan = page(config, "projects/plan/")
    assert ('<h2 id="vs-backlinks-title" class="backlinks__title">Linked from</h2>' in plan
            and '<li><a href="/notes/daily-note/">Daily</a></li>' in plan)
    assert "Linked from" not in page(config, "notes/daily-note/")


def test_the_summary_counts_broken_links_and_times_the_check(make_site, fake_embedder) -> None:
    from vibesite.cli import _summary

    result, warnings = build_ok(make_site({
        "a.md": "# A\n\n[x](gone.md) [y](#nope) ![z](z.png) [b](b.md)\n", "b.md": "# B\n"}),
        fake_embedder)
    assert len(warnings) == 3
    summary = _summary(result)
    assert ("3 warning(s) (1 broken link(s), 1 broken anchor(s), 1 broken image(s))"
            in summary.splitlines())
    assert list(result.timings)[:3] == ["discover", "parse", "links"]
    assert 0 <= result.timings["links"] < result.timings["parse"] + 1


def test_the_summary_names_each_file_that_gives_no_page(make_site, fake_embedder) -> None:
    from vibesite.cli import LEFT_OUT_LISTED, _summary

    drafts = {f"d{i:02d}.md": "---\ndraft: true\n---\nx\n" for i in range(LEFT_OUT_LISTED)}
    result, _ = build_ok(make_site({
        "a.md": "# A\n", **drafts,
        "old.md": "---\ntitle: Old\nexpirydate: 2001-01-01\n---\nx\n",
        "hidden/index.md": "---\nheadless: true\n---\nx\n",
        "off.md": "---\npublished: false\n---\nx\n"}), fake_embedder)
    summary = _summary(result).splitlines()
    assert summary[0].endswith("(left out: 10 draft, 1 unpublished, 1 expired, 1 headless)")
    assert summary[1:LEFT_OUT_LISTED + 2] == [
        "  left out: d00.md (a draft; --drafts builds it)",
        *(f"  left out: d{i:02d}.md (a draft; --drafts builds it)"
          for i in range(1, LEFT_OUT_LISTED)),
        "  left out: 3 more",
    ]
    assert [s for s, _ in result.left_out[LEFT_OUT_LISTED:]] == [
        "hidden/index.md", "off.md", "old.md"]
    assert dict(result.left_out)["old.md"] == "its expirydate has passed"


def test_the_linked_from_list_is_its_own_block(make_site, fake_embedder) -> None:
    config = make_site({"a.md": "# A\n\n[b](b.md)\n", "b.md": "# B\n"})
    build_ok(config, fake_embedder)
    assert ("  </div>\n  <section class=\"backlinks\" aria-labelledby=\"vs-backlinks-title\">\n"
            in page(config, "b/"))
    assert "  </div>\n</article>" in page(config, "a/")


def test_a_link_to_a_small_heading_lands(make_site, fake_embedder) -> None:
    """Zola and Hugo give h5 and h6 ids too; a table of contents that links to them works."""
    config = make_site({"notes.md": "---\ntitle: Notes\n---\n- [Deep](#deep-detail)\n"
                                    "- [Deeper](#deepest)\n\n##### Deep detail\n\nText.\n\n"
                                    "###### Deepest\n\nMore.\n"})
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    body = post_body(page(config, "notes/"))
    assert '<h5 id="deep-detail">' in body and '<h6 id="deepest">' in body


def test_anchors_of_links_written_as_urls_are_checked_too(make_site, fake_embedder) -> None:
    config = make_site({
        "a.md": "# A\n\n[ok](../b/#setup) [loose](/b/#Setup) [gone](../b/#nowhere) [top](../b/)\n",
        "b.md": "# B\n\n## Setup\n",
    })
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == ["a.md:3: warning: link '../b/#nowhere': b.md has no heading or element "
                        "with id 'nowhere' [broken-anchor]"]
    body = post_body(page(config, "a/"))
    assert ('<a href="../b/#setup">ok</a> <a href="/b/#setup">loose</a> '
            '<a href="../b/#nowhere">gone</a> <a href="../b/">top</a>') in body


def test_a_link_is_checked_against_every_file_the_build_writes(make_site, fake_embedder) -> None:
    """A link to a path no page or content file has waits for the built site: another page's
    old URL (its alias's redirect), a feed at an old URL and a language's home are there then;
    a path nothing writes is still a broken link, at its source line, and --strict fails."""
    files = {
        "a.md": ("# A\n\n[old](/old-b/) [feed](/index.xml) [fr](/fr/) [ugly](/b.html)\n\n"
                 "[none](/nothing-here/)\n"),
        "b.md": "---\ntitle: B\naliases: [/old-b/]\n---\nText.\n",
        "b.fr.md": "# B fr\n\nTexte.\n",
    }
    config = make_site(files, old_feeds=("index.xml",), languages={"en": "English",
                                                                   "fr": "Français"})
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == ["a.md:5: warning: link '/nothing-here/' leads to no page or file of "
                        "this site [broken-link]"]
    assert (config.output_dir / "old-b" / "index.html").is_file()
