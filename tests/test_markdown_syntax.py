"""Goldmark and GitHub syntax other generators' sites use: definition lists, ``> [!NOTE]``
alerts and ``{#id}`` heading ids (issue 11)."""

from __future__ import annotations

from _sitebuild import by_source, lines, parse_site

PAGE = ("# Page\n\n## Setup {#install}\n\n> [!WARNING]\n> Back up first.\n\n"
        "Term\n: Its definition.\n\n[jump](#install) [plain](#plain)\n\n## Plain\n")


def test_definition_lists_alerts_and_heading_ids(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({"a.md": PAGE}))
    article = by_source(parsed)["a.md"]
    assert article.html_body == (
        '<h2 id="install">Setup <a class="header-anchor" href="#install">#</a></h2>\n'
        '<div class="markdown-alert markdown-alert-warning">\n'
        '<p class="markdown-alert-title">Warning</p>\n<p>Back up first.</p>\n</div>\n'
        "<dl>\n<dt>Term</dt>\n<dd>Its definition.</dd>\n</dl>\n"
        '<p><a href="#install">jump</a> <a href="#plain">plain</a></p>\n'
        '<h2 id="plain">Plain <a class="header-anchor" href="#plain">#</a></h2>\n')
    assert "[!WARNING]" not in article.text and "{#install}" not in article.text
    assert lines(diagnostics.sorted()) == []
