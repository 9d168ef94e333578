"""axe-core on every page type of a built site, in Chromium: light and dark colour schemes, a
desktop and a phone viewport. Any violation fails, with axe's rule, the element and its help.

axe-core is the npm package (``npm ci`` installs it into node_modules/, as .ci/run does);
``VIBESITE_AXE`` may name another axe.min.js. The site is built with the fake embedder: the
pages' markup does not depend on the model, and keyword search gives the search page results.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _sitebuild import REPO, FakeEmbedder, build_quiet, site_config
from browser import serve

from vibesite.config import Config

RICH = """---
title: Code, tables, footnotes, task lists and callouts
date: 2024-05-01
tags: [markdown, python]
summary: Every kind of block the theme styles, on one page.
---
A paragraph with `inline code`, a [link](../plain/) and a footnote.[^1]

## Code

```python
def greet(name: str) -> str:
    # a comment, a "string", a number 42 and a keyword
    return f"Hello, {name}!" if name else None  # a line long enough to scroll the block sideways
```

```
no language: plain text in a pre block, long enough to overflow a phone screen for sure, yes.
```

```diff
- removed line
+ added line
```

## A table

| Key | Value | Meaning |
| --- | ---: | --- |
| `per_page` | 20 | articles per page |
| `related_count` | 10 | related articles |

## Task list

- [x] write the post
- [ ] publish it

> A quotation, with **bold** and *emphasis*.

> [!NOTE]
> A GitHub alert, with a ==highlighted phrase==.

> [!tip] An Obsidian callout
> Each kind has its colour.

> [!question]- A folded one
> Opens on a click.

> [!warning]
> Warned.

> [!danger] Careful
> Danger.

```mermaid
graph LR
  write[Write Markdown] --> build[vibesite build] --> read[Readers]
```

[^1]: The footnote's text, with a back-link.
"""

ARTICLES = {
    "rich.md": RICH,
    "plain.md": "---\ntitle: A plain post\ndate: 2024-04-01\ntags: [python]\n---\nPython "
                "words about a plain post.\n",
    # a translation: "Read in:" links under the title, hreflang alternates, <html lang="fr">
    "plain.fr.md": "---\ntitle: Un article simple\ndate: 2024-04-01\ntags: [python]\n---\n"
                   "Des mots sur Python.\n",
    **{f"note-{i}.md": f"---\ntitle: Note {i} on databases\ndate: 2024-03-{i + 1:02d}\n"
                       f"tags: [databases]\n---\nSQLite and Postgres notes, number {i}.\n"
       for i in range(6)},
}

PAGES = {
    "home": "",
    "archive": "archive/",
    "tags": "tags/",
    "tag": "tags/python/",
    "topics": "topics/",
    "topic": None,  # the first topic's page, found on topics/
    "search": "search/?q=python",
    "article": "rich/",
    "translation": "fr/plain/",
    "404": "404.html",
}  # and the map, below
SCHEMES = ["light", "dark"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


def axe_script() -> Path | None:
    named = os.environ.get("VIBESITE_AXE")
    path = Path(named) if named else REPO / "node_modules" / "axe-core" / "axe.min.js"
    return path if path.is_file() else None


@pytest.fixture(scope="module")
def axe(browser: Any) -> str:
    path = axe_script()
    if path is None:
        reason = "axe-core is not installed (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def a11y_site(tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = site_config(tmp_path_factory.mktemp("a11y"), ARTICLES, title="Accessible site",
                         description="A site for axe-core.", base_url="/sub/")
    build_quiet(config, FakeEmbedder())
    return config


@pytest.fixture(scope="module")
def base_url(a11y_site: Config) -> Iterator[str]:
    with serve(a11y_site.output_dir, prefix="/sub/") as url:
        yield url


def _topic_url(a11y_site: Config) -> str:
    topics = json.loads((a11y_site.output_dir / "topics.json").read_text())
    first = topics["topics"][0] if isinstance(topics, dict) else topics[0]
    return f"topics/{first['slug']}/"


def violations(page: Any, axe_source: str) -> list[str]:
    """axe's violations on ``page``, one line per element: rule, target, summary."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary'].splitlines()[-1]}"
            f" | {node['html'][:160]}"
            for v in result["violations"] for node in v["nodes"]]


def _open(browser: Any, scheme: str, viewport: str) -> Any:
    return browser.new_context(color_scheme=scheme, viewport=VIEWPORTS[viewport],
                               is_mobile=viewport == "phone", has_touch=viewport == "phone")


def _violations_at(browser: Any, axe: str, scheme: str, viewport: str, url: str,
                   prepare: Callable[[Any], object] = lambda page: None) -> list[str]:
    """axe's violations on ``url`` in that scheme and viewport, once ``prepare(page)`` (wait
    for results, open the card...) has run."""
    context = _open(browser, scheme, viewport)
    try:
        page = context.new_page()
        page.goto(url)
        prepare(page)
        return violations(page, axe)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", [*PAGES, "map"])
def test_no_axe_violations(browser: Any, axe: str, a11y_site: Config, base_url: str,
                           kind: str, scheme: str, viewport: str) -> None:
    path = {**PAGES, "map": "map/"}[kind] or _topic_url(a11y_site)

    def loaded(page: Any) -> None:
        if kind == "search":
            page.wait_for_selector(".vs-results__list li")
        if kind == "article":  # the diagram, drawn by mermaid once the page has loaded
            page.wait_for_selector(".post-content pre.mermaid svg")
        page.wait_for_load_state("networkidle")

    found = _violations_at(browser, axe, scheme, viewport, base_url + path, loaded)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violations_in_the_open_search_dropdown(browser: Any, axe: str, base_url: str,
                                                       scheme: str) -> None:
    def dropdown_open(page: Any) -> None:
        page.wait_for_function("() => window.vibesiteSearch !== undefined")
        page.locator("#vs-search-input").fill("python")
        page.wait_for_selector("#vs-search-listbox [role=option]")

    found = _violations_at(browser, axe, scheme, "desktop", base_url, dropdown_open)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violations_with_the_map_card_open(browser: Any, axe: str, base_url: str,
                                                  scheme: str, viewport: str) -> None:
    def card_open(page: Any) -> None:
        page.wait_for_selector(".site-map svg.vs-map--js")
        dot = page.locator(".site-map circle.d").first
        dot.tap() if viewport == "phone" else dot.hover()
        page.wait_for_selector(".map-card:not([hidden])")

    found = _violations_at(browser, axe, scheme, viewport, base_url + "map/", card_open)
    assert found == [], "\n".join(found)


@pytest.fixture(scope="module")
def sections_home_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The home page of a guide with ``home = "sections"``: folders, an ``_index.md``, and
    pages at the top too."""
    files = {f"{'guide' if i % 2 else 'notes'}/{name}": text
             for i, (name, text) in enumerate(ARTICLES.items())}
    files["guide/_index.md"] = "---\ntitle: Start here\n---\nThe first steps.\n"
    files["about.md"] = "---\ntitle: About\ndate: 2024-01-01\n---\nAbout this guide.\n"
    config = site_config(tmp_path_factory.mktemp("a11y-sections"), files, title="A guide",
                         description="A guide for axe-core.", base_url="/sub/",
                         home="sections")
    build_quiet(config, FakeEmbedder())
    with serve(config.output_dir, prefix="/sub/") as url:
        yield url


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violations_on_a_sections_home(browser: Any, axe: str, sections_home_url: str,
                                              scheme: str, viewport: str) -> None:
    def two_sections(page: Any) -> None:
        assert page.locator(".section-overview__group").count() == 2

    found = _violations_at(browser, axe, scheme, viewport, sections_home_url, two_sections)
    assert found == [], "\n".join(found)


# --- the theme's scripts (static/theme.js) -----------------------------------------------


def test_the_theme_switch_is_remembered_without_a_flash(browser: Any, axe: str,
                                                        base_url: str) -> None:
    context = _open(browser, "light", "desktop")
    try:
        page = context.new_page()
        page.goto(base_url + "rich/")
        switch = page.locator("[data-theme-switch]")
        assert switch.get_attribute("data-state") == "auto"
        switch.click()  # auto -> light
        switch.click()  # light -> dark
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert switch.inner_text().strip() == "Theme: dark"
        assert violations(page, axe) == []  # the dark palette, chosen on a light system
        # the next page is dark from its first paint: set before the <body> element exists
        seen: list[str] = []
        page.expose_function("record", lambda theme: seen.append(theme))
        page.add_init_script("""new MutationObserver((_, observer) => {
            if (!document.body) return;
            observer.disconnect();
            record(document.documentElement.dataset.theme || "auto");
        }).observe(document, {childList: true, subtree: true});""")
        page.goto(base_url)
        page.wait_for_load_state("load")
        assert seen == ["dark"]
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == \
            "rgb(21, 23, 28)"
        page.locator("[data-theme-switch]").click()  # dark -> auto: forgotten
        assert page.evaluate("localStorage.getItem('vibesite-theme')") is None
    finally:
        context.close()


def test_copy_buttons_copy_the_code_by_keyboard(browser: Any, base_url: str) -> None:
    context = _open(browser, "light", "desktop")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(base_url + "rich/")
        buttons = page.locator(".code-block .copy-button")
        assert buttons.count() == 3
        assert buttons.nth(0).get_attribute("aria-label") == "Copy code block 1"
        buttons.nth(0).focus()
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('[role=status].visually-hidden')"
                               ".textContent === 'Code block 1 copied'")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("def greet(name: str) -> str:\n")
        assert copied.endswith("# a line long enough to scroll the block sideways")
        assert buttons.nth(0).inner_text() == "Copied"
    finally:
        context.close()


def test_contents_open_beside_the_text_on_wide_screens_only(browser: Any,
                                                            base_url: str) -> None:
    for viewport, opened in (("phone", False), ("desktop", True)):
        context = _open(browser, "light", viewport)
        try:
            page = context.new_page()
            page.goto(base_url + "rich/")
            page.wait_for_load_state("load")
            assert page.evaluate("document.querySelector('.toc details').open") is opened
            box, text = (page.locator(s).bounding_box() for s in (".toc", ".post-content"))
            beside = box["x"] >= text["x"] + text["width"]
            assert beside is opened  # on a phone: above the text, folded
        finally:
            context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_diagrams_are_drawn_in_the_pages_scheme_and_loaded_only_where_needed(
        browser: Any, base_url: str, scheme: str) -> None:
    context = _open(browser, scheme, "desktop")
    try:
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(base_url + "plain/")
        page.wait_for_load_state("networkidle")
        assert not [u for u in requested if "mermaid" in u]
        page.goto(base_url + "rich/")
        svg = page.wait_for_selector(".post-content pre.mermaid svg")
        assert "vibesite build" in svg.text_content()
        fill = page.evaluate("() => getComputedStyle(document.querySelector("
                             "'.post-content pre.mermaid .node rect, .post-content pre.mermaid "
                             ".node polygon')).fill")
        dark = [int(c) for c in fill[fill.index("(") + 1:fill.index(")")].split(",")[:3]]
        assert (sum(dark) < 3 * 128) == (scheme == "dark"), fill
        assert page.locator(".post-content .code-block").count() == 3  # no Copy on the diagram
    finally:
        context.close()


# --- the theme's words in the site's language (vibesite.site.words) ----------------------


@pytest.fixture(scope="module")
def french_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    files = {name: text for name, text in ARTICLES.items() if name != "plain.fr.md"}
    config = site_config(tmp_path_factory.mktemp("a11y-fr"), files, title="Un site",
                         description="Un site pour axe-core.", base_url="/sub/", language="fr")
    build_quiet(config, FakeEmbedder())
    with serve(config.output_dir, prefix="/sub/") as url:
        yield url


def test_a_french_sites_scripts_speak_french(browser: Any, axe: str, french_url: str) -> None:
    """The Copy buttons, the theme switch, the map's buttons and the search page's messages
    read their words from the page (templates/i18n/fr.toml), and axe finds nothing."""
    context = _open(browser, "light", "desktop")
    try:
        page = context.new_page()
        page.goto(french_url + "rich/")
        button = page.locator(".code-block .copy-button").first
        assert button.inner_text() == "Copier"
        assert button.get_attribute("aria-label") == "Copier le bloc de code 1"
        switch = page.locator("[data-theme-switch]")
        switch.click()  # auto -> light
        switch.click()  # light -> dark
        assert switch.inner_text().strip() == "Thème\u00a0: sombre"
        assert violations(page, axe) == []
        page.goto(french_url + "map/")
        page.wait_for_selector(".site-map svg.vs-map--js")
        assert [b.get_attribute("aria-label") for b in page.locator(".map-zoom button").all()] == [
            "Zoom avant", "Zoom arrière", "Afficher toute la carte"]
        count = page.locator(".vs-results__count")
        page.goto(french_url + "search/?q=xyzzyplughqwerty")
        page.wait_for_function("() => document.querySelector('.vs-results__count').textContent")
        assert count.inner_text() == "Aucun résultat pour «\u00a0xyzzyplughqwerty\u00a0»"
        page.goto(french_url + "search/?q=postgres")
        page.wait_for_function("() => document.querySelector('.vs-results__count').textContent")
        assert count.inner_text() == "6 résultats"
        assert violations(page, axe) == []
    finally:
        context.close()
