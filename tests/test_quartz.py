"""An Obsidian vault's front matter is read as Quartz 4 reads it (its FrontMatter transformer,
AliasRedirects emitter and RemoveDrafts filter): ``alias`` and one-text ``aliases``, a
``permalink`` that redirects, ``tag`` and nested tags, the file name as the title, drafts."""

from __future__ import annotations

from collections.abc import Callable

from _sitebuild import build_ok, by_source, lines, page, parse_site

from vibesite.config import Config
from vibesite.content.quartz import flag, string_list, vault_tag

VAULT = {".obsidian/app.json": "{}"}


def test_alias_singular_and_one_text_of_aliases(make_site: Callable[..., Config]) -> None:
    """Quartz's coalesceAliases: ``aliases``, else ``alias``; one text split at commas (Obsidian
    too); a number is a name. Wikilinks find a note by each of them."""
    parsed, diagnostics = parse_site(make_site({
        **VAULT,
        "A.md": "---\nalias: Old A\n---\nA.\n",
        "B.md": "---\naliases: First, Second Name\n---\nB.\n",
        "C.md": "---\naliases: [Kept]\nalias: Not read\n---\nC.\n",
        "D.md": "---\naliases: 2024\n---\nD.\n",
        "Links.md": "[[Old A]], [[second name]], [[Kept]] and [[Not read]].\n"}))
    assert [r for r in parsed.redirects if "/" in r[0]] == [  # and Quartz's own URLs: A.html
        ("2024/index.html", "d"), ("First/index.html", "b"), ("Kept/index.html", "c"),
        ("Old-A/index.html", "a"), ("Second-Name/index.html", "b")]
    assert ('<a href="/a/">Old A</a>, <a href="/b/">second name</a>, <a href="/c/">Kept</a> '
            'and <a href="Not%20read.md">Not read</a>.') in by_source(parsed)["Links.md"].html_body
    assert lines(diagnostics.sorted()) == [
        "Links.md:1: warning: link 'Not%20read.md': no article is built from Not read.md "
        "[broken-link]"]


def test_outside_a_vault_alias_is_no_key_and_a_text_is_one_url(
        make_site: Callable[..., Config]) -> None:
    parsed, _ = parse_site(make_site({
        "a.md": "---\nalias: old-a\naliases: /x/old,y/\n---\nA.\n"}))
    assert parsed.redirects == (("x/old,y/index.html", "a"),)


def test_a_permalink_redirects_to_the_note_which_keeps_its_url(
        make_site: Callable[..., Config]) -> None:
    """Quartz adds ``permalink`` to the note's aliases (not slugified); the note stays at its
    own URL. A bare one is from the site root, ``./`` from the note's folder."""
    parsed, diagnostics = parse_site(make_site({
        **VAULT,
        "notes/Moved Note.md": "---\npermalink: /go/moved\n---\nMoved.\n",
        "notes/Here.md": "---\naliases: [Here too]\npermalink: ./here-short\n---\nHere.\n",
        "notes/Taken.md": "---\ntitle: Taken\npermalink: notes/moved-note\n---\nTaken.\n"}))
    articles = by_source(parsed)
    assert articles["notes/Moved Note.md"].url == "notes/moved-note/"
    assert parsed.redirects == (
        ("Here-too/index.html", "notes/here"),
        ("go/moved/index.html", "notes/moved-note"),
        ("notes/Here.html", "notes/here"),  # Quartz's own URL of each note
        ("notes/Moved-Note.html", "notes/moved-note"),
        ("notes/Taken.html", "notes/taken"),
        ("notes/here-short/index.html", "notes/here"))
    assert lines(diagnostics.sorted()) == [
        "notes/Taken.md:3: warning: alias 'notes/moved-note' is also the URL of notes/Moved "
        "Note.md; no redirect is written there [alias-clash]"]


def test_outside_a_vault_a_permalink_is_still_the_pages_url(
        make_site: Callable[..., Config]) -> None:
    parsed, _ = parse_site(make_site({"a.md": "---\npermalink: /go/a/\n---\nA.\n"}))
    assert by_source(parsed)["a.md"].url == "go/a/" and parsed.redirects == ()


def test_tag_one_text_nested_tags_and_their_pages(make_site: Callable[..., Config],
                                                   fake_embedder: object) -> None:
    """``tags``, else ``tag``; one text split at commas; a leading ``#`` dropped; ``/`` kept
    between a nested tag's levels, whose upper levels list the note too (Quartz's tag pages);
    a tag holding a space is one tag, as in Quartz, with a warning (Obsidian reads two)."""
    config = make_site({
        **VAULT,
        "T.md": "---\ntag: Lang/Python, ops\n---\nT.\n",
        "U.md": "---\ntitle: U\ntags: python sqlite\n---\nU.\n",
        "V.md": "---\ntags: ['#lang/rust', lang]\ntag: not-read\n---\nV.\n"})
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == [
        "U.md:3: warning: tag 'python sqlite' holds a space: read as one tag, as Quartz does "
        "(Obsidian reads a tag a word); separate tags with commas [tag-space]"]
    parsed, _ = parse_site(config)
    tags = {a.source: [(t.name, t.slug) for t in a.tags] for a in parsed.articles}
    assert tags == {"T.md": [("Lang/Python", "lang/python"), ("ops", "ops")],
                    "U.md": [("python sqlite", "python-sqlite")],
                    "V.md": [("lang/rust", "lang/rust"), ("lang", "lang")]}
    assert '<a href="/t/">T</a>' in page(config, "tags/lang/python/")
    lang = page(config, "tags/lang/")
    assert '<a href="/t/">T</a>' in lang and '<a href="/v/">V</a>' in lang
    assert lang.count('<a href="/v/">V</a>') == 1
    assert 'href="/tags/lang/rust/"' in page(config, "tags/")


def test_a_notes_title_is_its_file_name(make_site: Callable[..., Config]) -> None:
    """Quartz: no ``title`` (or an empty one): the file name, never the first heading; an H1
    repeating the file name is not shown twice, another one stays in the body."""
    parsed, _ = parse_site(make_site({
        **VAULT,
        "notes/Backup Plan.md": "# Backup Plan\n\nKeep copies.\n",
        "notes/2024 Review.md": "# A year of backups\n\nText.\n",
        "notes/Empty.md": "---\ntitle: ''\n---\n# Heading\n\nText.\n",
        "notes/Titled.md": "---\ntitle: 2024\n---\nText.\n"}))
    articles = by_source(parsed)
    assert {s: a.title for s, a in articles.items()} == {
        "notes/Backup Plan.md": "Backup Plan", "notes/2024 Review.md": "2024 Review",
        "notes/Empty.md": "Empty", "notes/Titled.md": "2024"}
    assert articles["notes/Backup Plan.md"].html_body == "<p>Keep copies.</p>\n"
    assert articles["notes/2024 Review.md"].html_body.startswith(
        '<h1 id="a-year-of-backups">A year of backups')


def test_outside_a_vault_the_first_heading_is_the_title(make_site: Callable[..., Config]) -> None:
    parsed, _ = parse_site(make_site({"notes/2024 Review.md": "# A year of backups\n\nText.\n"}))
    assert by_source(parsed)["notes/2024 Review.md"].title == "A year of backups"


def test_drafts_and_unpublished_notes_are_named_and_never_linked(
        make_site: Callable[..., Config], fake_embedder: object) -> None:
    """Quartz's RemoveDrafts reads ``draft: true`` and ``draft: "true"``; ``publish: false``
    (Obsidian Publish; Quartz's ExplicitPublish) leaves a note out too. Each is named in the
    summary, and a link to one is a broken link that says why."""
    from vibesite.cli import _summary

    config = make_site({
        **VAULT,
        "Draft.md": '---\ndraft: "true"\naliases: [Sketch]\n---\nDraft.\n',
        "Hidden.md": "---\npublish: 'false'\n---\nHidden.\n",
        "Kept.md": "---\ndraft: false\n---\nKept.\n",
        "Linker.md": "[[Draft]], [[Sketch]] and [[Hidden]].\n"})
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == [
        "Linker.md:1: warning: link '/Draft.md': no article is built from Draft.md (left out: "
        "a draft; --drafts builds it) [broken-link]",
        "Linker.md:1: warning: link '/Draft.md': no article is built from Draft.md (left out: "
        "a draft; --drafts builds it) [broken-link]",
        "Linker.md:1: warning: link '/Hidden.md': no article is built from Hidden.md (left "
        "out: published: false or publish: false) [broken-link]"]
    summary = _summary(result).splitlines()
    assert summary[0].endswith("(left out: 1 draft, 1 unpublished)")
    assert summary[1:3] == ["  left out: Draft.md (a draft; --drafts builds it)",
                            "  left out: Hidden.md (published: false or publish: false)"]
    assert "Kept" in page(config, "kept/")
    assert 'href="/draft/"' not in page(config, "linker/")


def test_quartz_readings() -> None:
    assert string_list(" a, b ,,c ") == ["a", "b", "c"]
    assert string_list(["x", 3, None, True, {"k": 1}, " "]) == ["x", "3"]
    assert string_list(None) == [] and string_list(1.5) == ["1.5"]
    assert vault_tag(" #Lang/ Python /") == ("Lang/Python", False)
    assert vault_tag("two words") == ("two words", True)
    assert [flag(v) for v in (True, "TRUE", " false ", "yes", 1, None)] == [
        True, True, False, None, None, None]
