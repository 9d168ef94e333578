"""Old URLs (``aliases``, ``redirect_from``) land where the generator the site came from put
them: Hugo reads an entry without a leading ``/`` from the page's folder, Jekyll and Zola from
the site root, Quartz (an Obsidian vault) slugifies it; a ``..`` above the root is a warning,
never a file outside the site folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _sitebuild import build_ok, lines, parse_site

from vibesite.config import Config, load_config
from vibesite.content.aliases import alias_file, quartz_slug
from vibesite.diagnostics import ConfigError

HUGO = {
    "posts/my-post.md": ("---\ntitle: My post\naliases:\n  - foo\n  - ./bar/\n  - ../up\n"
                         "  - /abs/\n  - old.html\n  - ../../gone\n---\nText.\n"),
    "posts/_index.md": "---\ntitle: Posts\naliases: [old-posts]\n---\nAll posts.\n",
    "authors/jon/_index.md": "---\ntitle: Jon\naliases: [john]\n---\nAbout Jon.\n",
    "authors/jon/note.md": "---\ntitle: Note\n---\nBy Jon.\n",
}
HUGO_LANDED = (("abs/index.html", "posts/my-post"), ("authors/john/index.html", "authors/jon"),
               ("old-posts/index.html", "posts"), ("posts/bar/index.html", "posts/my-post"),
               ("posts/foo/index.html", "posts/my-post"), ("posts/old.html", "posts/my-post"),
               ("up/index.html", "posts/my-post"))
ROOT_LANDED = (("abs/index.html", "posts/my-post"), ("bar/index.html", "posts/my-post"),
               ("foo/index.html", "posts/my-post"), ("john/index.html", "authors/jon"),
               ("old-posts/index.html", "posts"), ("old.html", "posts/my-post"))


def test_hugo_reads_an_alias_without_a_slash_from_the_pages_folder(
        make_site: Callable[..., Config]) -> None:
    """As Hugo's renderAliases: the page's path joined with '..' and the entry, for articles
    and section pages alike; the site is Hugo's because hugo.toml is beside its content."""
    config = make_site(HUGO)
    (config.content_dir.parent / "hugo.toml").write_text('title = "Old"\n', encoding="utf-8")
    parsed, diagnostics = parse_site(config)
    assert parsed.redirects == HUGO_LANDED
    assert lines(diagnostics.sorted()) == [
        "posts/my-post.md:3: warning: alias '../../gone' climbs above the site root; no "
        "redirect is written [alias-outside]"]


@pytest.mark.parametrize("hugo_toml, setting", [(False, "auto"), (True, "root"),
                                                (False, "root")])
def test_jekyll_and_zola_read_every_alias_from_the_site_root(
        make_site: Callable[..., Config], hugo_toml: bool, setting: str) -> None:
    """No Hugo config beside the content (a Zola or Jekyll site), or alias_paths = "root"."""
    config = make_site(HUGO, alias_paths=setting)
    if hugo_toml:
        (config.content_dir.parent / "hugo.toml").write_text("", encoding="utf-8")
    parsed, diagnostics = parse_site(config)
    assert parsed.redirects == ROOT_LANDED
    assert [d.code for d in diagnostics.sorted()] == ["alias-outside", "alias-outside"]


def test_a_zola_config_toml_is_not_hugos(make_site: Callable[..., Config]) -> None:
    config = make_site(HUGO)
    (config.content_dir.parent / "config.toml").write_text('base_url = "https://x.org"\n',
                                                           encoding="utf-8")
    assert parse_site(config)[0].redirects == ROOT_LANDED


def test_hugo_alias_of_a_translation_is_under_its_language(
        make_site: Callable[..., Config]) -> None:
    config = make_site({
        "posts/first.md": "---\ntitle: First\naliases: [old-first]\n---\nText.\n",
        "posts/first.fr.md": "---\ntitle: Premier\naliases: [vieux]\n---\nTexte.\n",
    }, languages={"fr": "Français"}, alias_paths="hugo")
    assert parse_site(config)[0].redirects == (
        ("fr/posts/vieux/index.html", "fr/posts/first"),
        ("posts/old-first/index.html", "posts/first"))


VAULT = {
    ".obsidian/app.json": "{}",
    "notes/Backup Plan.md": ("---\naliases:\n  - Backups\n  - Backup plan\n"
                             "  - 'Q&A: 100% done?'\n  - ./Local Name\n  - ../../out\n"
                             "  - a<b\n  - about\n---\n# Backup Plan\n\nSee [[Backups]].\n"),
    "Deep Folder/index.md": "---\naliases: [./Sibling]\n---\n# Deep\n",
    "Deep Folder/Note.md": "---\naliases: [./Other, Note]\n---\n# Note\n",
    "About.md": "---\naliases: [ABOUT]\n---\n# About\n",
}


def test_a_vaults_aliases_land_where_quartz_wrote_them(
        make_site: Callable[..., Config]) -> None:
    """Quartz 4: slugified segments (case kept), a bare name from the site root, ./ from the
    note's folder as Quartz slugs it; an alias (/ABOUT/) and Quartz's own URL of a note
    (/About, capitals kept: About.html serves it) redirect to vibesite's lower-case one, the
    folder's index note keeping its folder's URL; another page's URL is a clash."""
    parsed, diagnostics = parse_site(make_site(VAULT))
    assert parsed.redirects == (
        ("ABOUT/index.html", "about"),
        ("About.html", "about"),  # Quartz's own URL of the note, /About
        ("Backup-plan/index.html", "notes/backup-plan"),
        ("Backups/index.html", "notes/backup-plan"),
        ("Deep-Folder/Note.html", "deep-folder/note"),
        ("Deep-Folder/Other/index.html", "deep-folder/note"),
        ("Note/index.html", "deep-folder/note"),
        ("Q-and-A:-100-percent-done/index.html", "notes/backup-plan"),
        ("Sibling/index.html", "deep-folder"),
        ("notes/Backup-Plan.html", "notes/backup-plan"),
        ("notes/Local-Name/index.html", "notes/backup-plan"))
    assert lines(diagnostics.sorted()) == [
        "notes/Backup Plan.md:2: warning: alias '../../out' climbs above the site root; no "
        "redirect is written [alias-outside]",
        "notes/Backup Plan.md:2: warning: alias 'a<b' holds a character a URL cannot carry as "
        "it is; no redirect is written [alias-unsafe]",
        "notes/Backup Plan.md:2: warning: alias 'about' is also the URL of About.md; no "
        "redirect is written there [alias-clash]"]


def test_quartz_slugs_and_alias_files() -> None:
    assert quartz_slug("Q&A: 100% done? #1.md") == "Q-and-A:-100-percent-done-1"
    assert quartz_slug("a  b/c\td") == "a--b/c-d"
    assert alias_file("x/../y", "root", "p", "p.md") == "y/index.html"
    assert alias_file("../y", "hugo", "a/b/p", "a/b/p.md") == "a/y/index.html"
    assert alias_file("/..", "hugo", "p", "p.md") == ""
    assert alias_file("old.htm?x=1#top", "root", "p", "p.md") == "old.htm"
    assert alias_file("../Up", "quartz", "a/b/c", "A/B C/c.md") == "A/Up/index.html"


def test_an_escaping_alias_writes_nothing_outside_the_site(
        make_site: Callable[..., Config], fake_embedder: object) -> None:
    config = make_site(HUGO, alias_paths="hugo")
    _, warnings = build_ok(config, fake_embedder)
    assert [w for w in warnings if "[alias" in w] == [
        "posts/my-post.md:3: warning: alias '../../gone' climbs above the site root; no "
        "redirect is written [alias-outside]"]
    out = config.output_dir
    # the staging folder beside site/ is where the old code joined '../../gone/index.html'
    assert not any((folder / "gone").exists() for folder in (out, out.parent, out.parent.parent))
    for path, page_id in HUGO_LANDED:
        redirect = (out / path).read_text(encoding="utf-8")
        assert f'content="0; url=https://example.org/{page_id}/"' in redirect, path


def test_aliases_at_vibesites_own_urls_are_one_warning_a_page(
        make_site: Callable[..., Config]) -> None:
    """digital.gov's topics/_index.md files list hundreds of old /topics/ URLs: one line."""
    parsed, diagnostics = parse_site(make_site({
        "many.md": "---\ntitle: Many\naliases: [/topics/a/, /tags/b/, /search/, /kept/]\n---\n",
        "one.md": "---\ntitle: One\naliases: [/]\n---\nx\n",
    }))
    assert parsed.redirects == (("kept/index.html", "many"),)
    assert lines(diagnostics.sorted()) == [
        "many.md:3: warning: alias '/topics/a/' and 2 more are URLs vibesite generates; no "
        "redirect is written there [alias-clash]",
        "one.md:3: warning: alias '/' is also the URL of the section page /; no redirect is "
        "written there [alias-clash]"]


def test_alias_paths_takes_its_choices_only(tmp_path: Path) -> None:
    path = tmp_path / "vibesite.toml"
    path.write_text('alias_paths = "page"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (f"{path}:1: error: 'alias_paths' must be \"auto\" or \"hugo\" "
                                "or \"quartz\" or \"root\", not 'page'")
