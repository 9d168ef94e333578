"""Multilingual sites: translations by file name (Hugo, Zola), by front matter ``lang`` and
``translationKey``; their URLs, ``<html lang>``, hreflang and "Read in:" links, related lists
within a language, listings of the originals, the warnings, and ``init --from``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from _sitebuild import (
    FakeEmbedder,
    build_ok,
    by_source,
    has_page,
    lines,
    page,
    parse_site,
    write_files,
)

from vibesite.commands.init import init_site
from vibesite.config import Config, load_config
from vibesite.diagnostics import ConfigError

FR = {"en": "English", "fr": "Français"}


def _html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)">', html)
    assert match, "no <html lang>"
    return match.group(1)


def _hreflang(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)


def _read_in(html: str) -> list[tuple[str, str, str]]:
    match = re.search(r'<p class="post-translations">(.*?)</p>', html, re.S)
    if not match:
        return []
    return re.findall(r'<a href="([^"]+)" hreflang="([^"]+)" lang="[^"]+">([^<]+)</a>',
                      match.group(1))


def _related(html: str) -> list[str]:
    match = re.search(r'<section class="related".*?</section>', html, re.S)
    return re.findall(r'<a href="([^"]+)">', match.group(0)) if match else []


def test_translations_by_file_name_are_published_under_their_language(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    config = make_site("hugo-multilingual", languages=FR)
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == [
        "posts/seul.fr.md:1: warning: 'fr' translation with no original in the site's language "
        "(en); it is published at /fr/posts/seul/ [translation-orphan]"]
    parsed, _ = parse_site(config)
    assert {s: (a.id, a.lang, a.original) for s, a in by_source(parsed).items()} == {
        "posts/first.md": ("posts/first", "", ""),
        "posts/first.fr.md": ("fr/posts/first", "fr", "posts/first"),
        "posts/bundle/index.md": ("posts/bundle", "", ""),
        "posts/bundle/index.fr.md": ("fr/posts/bundle", "fr", "posts/bundle"),
        "posts/second.md": ("posts/second", "", ""),
        "posts/seul.fr.md": ("fr/posts/seul", "fr", ""),
    }
    assert not has_page(config, "posts/first.fr/")
    english, french = page(config, "posts/first/"), page(config, "fr/posts/first/")
    assert (_html_lang(english), _html_lang(french), _html_lang(page(config, ""))) == (
        "en", "fr", "en")
    both = [("en", "https://example.org/posts/first/"),
            ("fr", "https://example.org/fr/posts/first/")]
    assert _hreflang(english) == _hreflang(french) == both
    assert _read_in(english) == [("/fr/posts/first/", "fr", "Français")]
    assert _read_in(french) == [("/posts/first/", "en", "English")]
    assert _read_in(page(config, "posts/second/")) == []
    assert _hreflang(page(config, "posts/second/")) == []
    assert _read_in(page(config, "fr/posts/bundle/")) == [("/posts/bundle/", "en", "English")]
    assert '<meta property="og:locale" content="fr">' in french


def test_related_lists_stay_within_a_language(make_site: Callable[..., Config],
                                              fake_embedder: FakeEmbedder) -> None:
    config = make_site("hugo-multilingual", languages=FR)
    build_ok(config, fake_embedder)
    assert sorted(_related(page(config, "posts/first/"))) == ["/posts/bundle/", "/posts/second/"]
    assert sorted(_related(page(config, "fr/posts/first/"))) == [
        "/fr/posts/bundle/", "/fr/posts/seul/"]
    related = json.loads((config.output_dir / "related.json").read_text())
    lang = {a: a.startswith("fr/") for a in related}
    assert all(lang[r["id"]] == lang[a] for a, items in related.items() for r in items)


def test_listings_show_the_originals_and_the_sitemap_every_version(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    """Home, section, archive, tag and topic pages, the map and the feed list the articles in
    the site's language and the translation with no original; translations are reached
    from their original, and are in sitemap.xml with hreflang alternates."""
    config = make_site("hugo-multilingual", languages=FR)
    build_ok(config, fake_embedder)
    listed = {"/posts/first/", "/posts/bundle/", "/posts/second/", "/fr/posts/seul/"}
    for url in ("", "posts/", "archive/"):
        links = set(re.findall(r'href="(/(?:fr/)?posts/[^"]+/)"', page(config, url)))
        assert links == listed, url
    assert set(re.findall(r'href="(/[^"]+/)"', page(config, "tags/intro/"))) >= {"/posts/first/"}
    assert "/fr/posts/first/" not in page(config, "tags/intro/")
    feed = (config.output_dir / "atom.xml").read_text()
    assert "fr/posts/first/" not in feed and "fr/posts/seul/" in feed
    topics = json.loads((config.output_dir / "topics.json").read_text())
    members = {m["id"] for t in topics["topics"] for m in t["members"]}
    ids = {"posts/first", "posts/bundle", "posts/second", "fr/posts/seul"}
    assert members <= ids and set(topics["map"]) == ids  # (too few articles for topics)
    sitemap = (config.output_dir / "sitemap.xml").read_text()
    assert ('<url><loc>https://example.org/fr/posts/first/</loc><lastmod>2024-03-01</lastmod>'
            '<xhtml:link rel="alternate" hreflang="en" href="https://example.org/posts/first/"/>'
            '<xhtml:link rel="alternate" hreflang="fr" href="https://example.org/fr/posts/first/"/>'
            '</url>') in sitemap
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in sitemap


def test_each_language_has_its_home_page(make_site: Callable[..., Config],
                                         fake_embedder: FakeEmbedder) -> None:
    """/fr/ is the French home, as Hugo and Zola publish it: the French articles, in French,
    and the two homes link each other ("Read in:" and hreflang)."""
    config = make_site("hugo-multilingual", languages=FR)
    build_ok(config, fake_embedder)
    home, french = page(config, ""), page(config, "fr/")
    assert _html_lang(french) == "fr" and _html_lang(home) == "en"
    assert set(re.findall(r'href="(/(?:fr/)?posts/[^"]+/)"', french)) == {
        "/fr/posts/first/", "/fr/posts/bundle/", "/fr/posts/seul/"}
    assert _read_in(home) == [("/fr/", "fr", "Français")]
    assert _read_in(french) == [("/", "en", "English")]
    assert _hreflang(home) == _hreflang(french) == [("en", "https://example.org/"),
                                                    ("fr", "https://example.org/fr/")]
    assert "https://example.org/fr/</loc>" in (config.output_dir / "sitemap.xml").read_text()
    # the French pages' feed is the French one
    feed = (config.output_dir / "fr" / "atom.xml").read_text()
    assert '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">' in feed
    main = (config.output_dir / "atom.xml").read_text()
    assert '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">' in main
    # the French page with no English version is in the site's feed, marked as French
    assert re.findall(r'<entry xml:lang="fr">\s*<title>[^<]*</title>\s*<link href="([^"]+)"',
                      main) == ["https://example.org/fr/posts/seul/"]
    assert set(re.findall(r'<entry>\s*<title>[^<]*</title>\s*<link href="([^"]+)"', feed)) == {
        "https://example.org/fr/posts/first/", "https://example.org/fr/posts/bundle/",
        "https://example.org/fr/posts/seul/"}
    for html in (french, page(config, "fr/posts/first/")):
        assert re.search(r'type="application/atom\+xml" title="[^"]*" href="/fr/atom.xml"', html)
        assert '<a href="/fr/atom.xml">Flux Atom</a>' in html  # in French (site.words)
    assert 'href="/atom.xml">Atom feed</a>' in home


def test_a_page_already_at_a_languages_folder_keeps_it(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    config = make_site({"fr.md": "# Learning French\n\nNotes.\n", "a.md": "# A\n\nText.\n",
                        "a.fr.md": "# A fr\n\nTexte.\n"}, languages=FR)
    build_ok(config, fake_embedder)
    assert "<h1 class=\"post-title\">Learning French</h1>" in page(config, "fr/")
    assert page(config, "fr/a/")  # the translation is there, and no home overwrote the page
    assert _read_in(page(config, "")) == []  # nor does the home call the page French


def test_an_old_feed_at_the_root_is_written_for_each_language_too(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    """Hugo writes /index.xml and /fr/index.xml: old_feeds = ["index.xml"] keeps both."""
    config = make_site("hugo-multilingual", languages=FR, old_feeds=("index.xml",))
    build_ok(config, fake_embedder)
    site = config.output_dir
    assert (site / "index.xml").read_bytes() == (site / "atom.xml").read_bytes()
    assert (site / "fr" / "index.xml").read_bytes() == (site / "fr" / "atom.xml").read_bytes()


def test_links_to_a_language_home_and_its_feed_are_not_broken(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    config = make_site({"a.md": "# A\n\n[fr](/fr/) [feed](/fr/atom.xml) [de](/de/)\n",
                        "a.fr.md": "# A fr\n\nTexte.\n"}, languages=FR)
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == ["a.md:3: warning: link '/de/' leads to no page or file of this site "
                        "[broken-link]"]


def test_without_declared_languages_a_code_beside_its_original_is_a_translation(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    """With no ``languages`` in the config, ``name.LANG.md`` is a translation when LANG is
    an ISO 639-1 code (with a region or script) and ``name.md`` is there; otherwise the dot
    part stays in the name, as before (``crates.io.md``, ``notes.de.md`` alone). Front matter
    ``lang`` is read; ``language`` is not (``language: go`` is a programming language)."""
    config = make_site({
        "first.md": "# First\n\nText.\n", "first.pt-br.md": "# Primeiro\n\nTexto.\n",
        "first.zh-hans.md": "# 第一\n\n文字。\n", "crates.io.md": "# Crates\n\nText.\n",
        "crates.md": "# Crates again\n\nText.\n", "notes.de.md": "# Notizen\n\nText.\n",
        "v1.js.md": "# JS\n\nText.\n", "v1.md": "# V1\n\nText.\n",
        "go.md": "---\ntitle: Go\nlanguage: go\n---\nA programming language.\n",
        "hallo.md": "---\ntitle: Hallo\nlang: de\n---\nEin Artikel.\n",
        "notes.en.md": "# Notes\n\nText.\n",
        "us.md": "---\ntitle: US\nlang: en_US\n---\nA theme's locale.\n"})
    parsed, diagnostics = parse_site(config)
    assert lines(diagnostics.sorted()) == []
    assert {s: (a.id, a.lang) for s, a in by_source(parsed).items()} == {
        "first.md": ("first", ""), "first.pt-br.md": ("pt-br/first", "pt-br"),
        "first.zh-hans.md": ("zh-hans/first", "zh-hans"),
        "crates.io.md": ("crates.io", ""),
        "crates.md": ("crates", ""), "notes.de.md": ("notes.de", ""),
        "v1.js.md": ("v1.js", ""), "v1.md": ("v1", ""), "go.md": ("go", ""),
        "hallo.md": ("de/hallo", "de"), "notes.en.md": ("notes.en", ""),
        "us.md": ("us", "")}
    build_ok(config, fake_embedder)
    assert _html_lang(page(config, "pt-br/first/")) == "pt-br"
    assert _read_in(page(config, "first/")) == [
        ("/pt-br/first/", "pt-br", "Português (Brasil)"),
        ("/zh-hans/first/", "zh-hans", "简体中文")]


def test_front_matter_lang_and_translation_key(make_site: Callable[..., Config],
                                               fake_embedder: FakeEmbedder) -> None:
    """Jekyll polyglot's ``lang`` with one ``permalink`` for every version, Hugo's
    ``translationKey`` joining files of different names, a translation with a ``slug`` of its
    own (joined by its file name), and a page in another language with a URL of its own,
    kept."""
    config = make_site({
        "about.md": "---\ntitle: About\npermalink: /about/\n---\nAbout us.\n",
        "about-fr.md": "---\ntitle: À propos\nlang: fr\npermalink: /about/\n---\nNous.\n",
        "contact.md": "---\ntitle: Contact\ntranslationKey: contact\n---\nWrite.\n",
        "ecrire.md": "---\ntitle: Écrire\nlanguage: fr\ntranslationKey: contact\n---\nÉcrire.\n",
        "hallo.md": "---\ntitle: Hallo\nlang: de\nurl: /hallo/\n---\nHallo.\n",
        "posts/trip.md": "---\ntitle: Trip\n---\nWe went.\n",
        "posts/trip.fr.md": "---\ntitle: Voyage\nslug: voyage\n---\nNous sommes allés.\n",
        "posts/news.en.md": "---\ntitle: News\n---\nHugo's name for the default language.\n",
    }, languages={"fr": "Français", "de": "Deutsch"})
    parsed, diagnostics = parse_site(config)
    assert lines(diagnostics.sorted()) == []
    assert {s: (a.id, a.lang, a.original) for s, a in by_source(parsed).items()} == {
        "about.md": ("about", "", ""), "about-fr.md": ("fr/about", "fr", "about"),
        "contact.md": ("contact", "", ""), "ecrire.md": ("fr/ecrire", "fr", "contact"),
        "hallo.md": ("hallo", "de", ""), "posts/trip.md": ("posts/trip", "", ""),
        "posts/trip.fr.md": ("fr/posts/voyage", "fr", "posts/trip"),
        "posts/news.en.md": ("posts/news", "", "")}
    build_ok(config, fake_embedder)
    assert _read_in(page(config, "contact/")) == [("/fr/ecrire/", "fr", "Français")]
    assert _html_lang(page(config, "hallo/")) == "de"


def test_warnings_for_unknown_languages_duplicates_and_section_translations(
        make_site: Callable[..., Config]) -> None:
    config = make_site({
        "posts/_index.md": "---\ntitle: Posts\n---\nAll posts.\n",
        "posts/_index.fr.md": "---\ntitle: Articles\n---\nTous.\n",
        "posts/first.md": "---\ntitle: First\ntranslationKey: one\n---\nText.\n",
        "posts/first.fr.md": "---\ntitle: Premier\ntranslationKey: one\n---\nTexte.\n",
        "posts/other.md": "---\ntitle: Autre\nlang: fr\ntranslationKey: one\n---\nTexte.\n",
        "posts/klingon.md": "---\ntitle: Q\nlang: tlh\n---\nText.\n",
        "posts/first.de.md": "---\ntitle: Erster\n---\nText.\n",
    }, languages={"fr": "Français"})
    parsed, diagnostics = parse_site(config)
    assert lines(diagnostics.sorted()) == [
        "posts/_index.fr.md:1: warning: section pages are written in the site's language only; "
        "this translation of one is not published [translation-section]",
        "posts/first.de.md:1: warning: 'de' is not in [languages] of vibesite.toml, so this "
        "file is a page of its own, not a translation [language-unknown]",
        "posts/klingon.md:3: warning: lang 'tlh' is not a language of the site (en, fr; "
        "[languages] in vibesite.toml); the page is read as in the site's language "
        "[language-unknown]",
        "posts/other.md:3: warning: posts/first.fr.md is the 'fr' version of this page "
        "already; this file is published at /fr/posts/other/ but not linked as a translation "
        "(set translationKey, or lang, to tell them apart) [translation-duplicate]",
    ]
    articles = by_source(parsed)
    assert articles["posts/first.de.md"].id == "posts/first.de"  # de is not declared
    assert articles["posts/other.md"].versions == ()
    assert [v.url for v in articles["posts/first.md"].versions] == [
        "posts/first/", "fr/posts/first/"]


def test_a_site_in_one_language_is_unchanged(make_site: Callable[..., Config],
                                             fake_embedder: FakeEmbedder) -> None:
    config = make_site("two-posts")
    build_ok(config, fake_embedder)
    html = page(config, "first/")
    assert (_html_lang(html), _hreflang(html), _read_in(html)) == ("en", [], [])
    assert "xhtml" not in (config.output_dir / "sitemap.xml").read_text()


def test_the_languages_setting_is_checked(tmp_path: Path) -> None:
    (tmp_path / "vibesite.toml").write_text('title = "x"\nlanguages = ["fr"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "vibesite.toml")
    assert str(info.value) == (
        f"{tmp_path / 'vibesite.toml'}:2: error: 'languages' must be a table of code = "
        "\"Name\" lines, codes such as fr, pt-br, zh-hans, not ['fr']")
    (tmp_path / "vibesite.toml").write_text('[languages]\nfr = "Français"\n"pt-br" = ""\n')
    assert load_config(tmp_path / "vibesite.toml").languages == {"fr": "Français", "pt-br": ""}


def test_init_from_reads_hugos_zolas_and_polyglots_languages(tmp_path: Path) -> None:
    sites = {
        "hugo": {"hugo.toml": (
            'title = "H"\ndefaultContentLanguage = "en"\ndefaultContentLanguageInSubdir = true\n'
            '[languages.en]\nlanguageCode = "en-US"\nlanguageName = "English"\nweight = 1\n'
            '[languages.fr]\nlanguageName = "Français"\ncontentDir = "content/fr"\n'
            '[languages.de]\ndisabled = true\n'), "content/a.md": "# A\n"},
        "hugo-split": {"config/_default/hugo.toml": 'title = "S"\ndefaultContentLanguage = "de"\n',
                       "config/_default/languages.toml": '[de]\nweight = 1\n[nl]\nweight = 2\n',
                       "content/a.md": "# A\n"},
        "zola": {"config.toml": ('base_url = "https://z.example"\ndefault_language = "fr"\n'
                                 '[languages.en]\ntitle = "Z"\n'), "content/a.md": "# A\n"},
        "jekyll": {"_config.yml": "title: J\nlanguages: [en, es]\ndefault_lang: en\n",
                   "about.md": "# A\n"},
    }
    expected = {
        "hugo": ("en-US", {"en": "English", "fr": "Français"}),
        "hugo-split": ("de", {"de": "Deutsch", "nl": "Nederlands"}),
        "zola": ("fr", {"fr": "Français", "en": "English"}),
        "jekyll": ("en", {"en": "English", "es": "Español"}),
    }
    notes = []
    for name, files in sites.items():
        write_files(tmp_path / name, files)
        init_site(tmp_path / f"new-{name}", old=tmp_path / name)
        config = load_config(None, tmp_path / f"new-{name}")
        assert (config.language, config.languages) == expected[name], name
        notes.append((tmp_path / f"new-{name}" / "vibesite.toml").read_text())
    assert 'languages = { en = "English", fr = "Français" }' in notes[0]
    assert ("#   languages.fr.contentDir: vibesite reads translations by file name (name.fr.md) "
            "or front matter lang, not by folder") in notes[0]
    assert "#   languages.de: disabled, so not carried over" in notes[0]
    assert "#   defaultContentLanguageInSubdir: vibesite publishes the default language at the " \
           "root" in notes[0]


def test_a_translation_shows_its_originals_topic_and_its_languages_neighbours(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    files = {}
    for i in range(16):
        about = "cats whiskers purr" if i % 2 else "databases tables rows"
        files[f"posts/p{i}.md"] = (f"---\ntitle: Post {i}\ndate: 2024-01-{i + 1:02d}\n---\n"
                                   f"Text {i} about {about} {about}.\n")
        if i < 3:
            files[f"posts/p{i}.de.md"] = (f"---\ntitle: Beitrag {i}\ndate: 2024-01-{i + 1:02d}\n"
                                          f"---\nText {i} über {about}.\n")
    config = make_site(files)
    build_ok(config, fake_embedder)
    german, english = page(config, "de/posts/p1/"), page(config, "posts/p1/")
    topic = re.search(r'<p class="post-topic">Topic: (.*?)</p>', english, re.S)
    assert topic and f'<p class="post-topic">Thema: {topic.group(1)}</p>' in german  # in German
    assert re.findall(r'class="post-nav__(?:prev|next)" href="([^"]+)"', german) == [
        "/de/posts/p2/", "/de/posts/p0/"]
    assert re.search(r'<p class="post-translations">(.*?)</p>', german, re.S).group(1) == (
        'Lesen auf: <a href="/posts/p1/" hreflang="en" lang="en">English</a>')


def test_a_translation_copying_its_originals_aliases_leaves_them_to_it(
        make_site: Callable[..., Config]) -> None:
    """A translator copies the front matter, old URLs too: the original keeps the redirects,
    with no warning; an alias of the translation's own is its redirect."""
    config = make_site({
        "first.md": "---\ntitle: First\naliases: [/old/first/]\n---\nText.\n",
        "first.fr.md": "---\ntitle: Premier\naliases: [/old/first/, /vieux/premier/]\n---\n"
                       "Texte.\n",
    }, languages=FR)
    parsed, diagnostics = parse_site(config)
    assert lines(diagnostics.sorted()) == []
    assert parsed.redirects == (("old/first/index.html", "first"),
                                ("vieux/premier/index.html", "fr/first"))
