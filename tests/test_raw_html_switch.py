"""``raw_html``: HTML written in the Markdown runs by default; ``raw_html = false`` shows it as
text. Summaries, the search index and the embeddings hold only the text either way."""

from __future__ import annotations

from pathlib import Path

from _sitebuild import HtmlElements, build_ok, page, parse_site, post_body

from vibesite.config import load_config

BODY = ("E = mc<sup>2</sup> and <img src=x onerror=alert(1)> inline, with a "
        "[link](https://example.org/) and `<code>`.\n\n"
        "<script>alert(1)</script>\n\n"
        '<div class="callout">\n<p>Inside a <em>div</em>.</p>\n</div>\n\n'
        "After the HTML.\n")
RAW = {"sup", "img", "script", "div", "em"}  # what the body's HTML makes, when it runs


def body_of(html: str) -> HtmlElements:
    return HtmlElements(post_body(html))


def search_text(site: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted((site / "search").rglob("*.json")))


def test_raw_html_runs_by_default(make_site, fake_embedder) -> None:
    config = make_site({"raw.md": f"# Raw\n\n{BODY}"})
    assert config.raw_html is True
    build_ok(config, fake_embedder)
    body = body_of(page(config, "raw/"))
    tags = {tag for tag, _ in body.elements}
    assert tags >= RAW and "a" in tags and "code" in tags
    assert ("img", {"src": "x", "onerror": "alert(1)"}) in body.elements
    assert ("div", {"class": "callout"}) in body.elements


def test_raw_html_false_shows_it_as_text(make_site, fake_embedder) -> None:
    config = make_site({"raw.md": f"# Raw\n\n{BODY}"}, raw_html=False)
    build_ok(config, fake_embedder)
    html = page(config, "raw/")
    body = body_of(html)
    assert {tag for tag, _ in body.elements} == {"p", "a", "code"}
    assert ("a", {"href": "https://example.org/"}) in body.elements  # Markdown still works
    text = body.text
    for shown in ["E = mc<sup>2</sup> and <img src=x onerror=alert(1)> inline",
                  "<script>alert(1)</script>", '<div class="callout">',
                  "<p>Inside a <em>div</em>.</p>", "After the HTML."]:
        assert shown in text, shown
    feed = (config.output_dir / "atom.xml").read_text(encoding="utf-8")
    assert "&lt;script&gt;" not in feed and "&amp;lt;script&amp;gt;alert(1)" in feed


def test_summary_search_and_embeddings_hold_text_either_way(make_site, fake_embedder) -> None:
    config = make_site({"raw.md": f"# Raw\n\n{BODY}"})
    build_ok(config, fake_embedder)
    runs_search = search_text(config.output_dir)
    parsed, _ = parse_site(config)
    escaped = make_site({}, raw_html=False)
    parsed_escaped, _ = parse_site(escaped)
    runs, shown = parsed.articles[0], parsed_escaped.articles[0]
    assert (runs.text, runs.summary) == (shown.text, shown.summary)
    assert not any(tag in runs.text for tag in ["<sup", "<img", "<script", "<div", "alert"])
    assert runs.summary.startswith("E = mc2 and inline, with a link and <code>.")
    build_ok(escaped, fake_embedder)
    assert search_text(escaped.output_dir) == runs_search
    assert "<sup" not in runs_search and "<script" not in runs_search
    assert len(fake_embedder.calls) == 1  # switching re-embeds nothing


def test_switching_does_not_reuse_cached_html(make_site, fake_embedder) -> None:
    """The Markdown render cache is keyed by the switch too."""
    files = {"raw.md": f"# Raw\n\n{BODY}"}
    for raw_html, script in [(True, "<script>alert(1)</script>"),
                             (False, "&lt;script&gt;alert(1)&lt;/script&gt;"),
                             (True, "<script>alert(1)</script>")]:
        config = make_site(files, raw_html=raw_html)
        build_ok(config, fake_embedder)
        assert script in post_body(page(config, "raw/"))


def test_raw_html_in_vibesite_toml(tmp_path: Path) -> None:
    (tmp_path / "vibesite.toml").write_text("raw_html = false\n", encoding="utf-8")
    assert load_config(None, tmp_path).raw_html is False


def test_raw_html_false_drops_html_comments(make_site, fake_embedder) -> None:
    """``<!--more-->`` excerpt markers of imported Jekyll/Hugo posts are not shown as text."""
    body = "Intro.\n\n<!--more-->\n\nRest <!-- a note --> and <b>bold</b>.\n"
    config = make_site({"c.md": f"# Comments\n\n{body}"}, raw_html=False)
    build_ok(config, fake_embedder)
    html = post_body(page(config, "c/"))
    assert "more--" not in html and "a note" not in html
    assert "<p>Intro.</p>" in html and "Rest  and &lt;b&gt;bold&lt;/b&gt;." in html
