"""``vibesite init --from OLD``: another generator's settings become vibesite.toml, and the old
site builds from where it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from _sitebuild import FakeEmbedder, build_quiet, write_files

from vibesite.cli import main
from vibesite.commands.init import init_site
from vibesite.commands.migrate import JEKYLL_EXCLUDE
from vibesite.config import load_config

JEKYLL = {
    "_config.yml": ("title: Data notes\ndescription: Notes on data\nurl: https://me.example\n"
                    "baseurl: /blog\nauthor:\n  name: Ada\npaginate: 5\ntheme: minima\n"
                    "exclude: [scripts/]\n"),
    "_posts/2021-06-16-backups.md": ("---\nlayout: post\ntitle: Backups\n---\n"
                                     "Use the .backup command. ![disk](../assets/disk.png)\n"),
    "about.md": "---\nlayout: page\ntitle: About\npermalink: /about/\n---\nHi.\n",
    "_layouts/default.html": "<html>{{ content }}</html>",
    "_includes/head.html": "<head></head>",
    "assets/disk.png": b"png",
    "scripts/deploy.sh": "echo\n",
    "Gemfile": 'gem "jekyll"\n',
    ".gitignore": "_site/\n",
}


def test_a_jekyll_repository_builds_where_it_is(tmp_path: Path,
                                                fake_embedder: FakeEmbedder) -> None:
    write_files(tmp_path, JEKYLL)
    written = init_site(tmp_path, old=tmp_path)
    assert sorted(written) == [".github/workflows/pages.yml", ".gitignore", "vibesite.toml"]
    assert (tmp_path / ".gitignore").read_text().splitlines() == [
        "_site/", "/site/", "/.vibesite/", "/.site.*", "__pycache__/"]
    config = load_config(None, tmp_path)
    assert (config.title, config.description, config.author, config.base_url, config.per_page,
            config.permalink) == ("Data notes", "Notes on data", "Ada",
                                  "https://me.example/blog/", 5, "date")
    assert config.content_dir == tmp_path
    assert config.exclude == (*JEKYLL_EXCLUDE, "scripts/**")
    assert "#   the theme: vibesite has its own (see theming)" in (
        tmp_path / "vibesite.toml").read_text()
    result = build_quiet(config, fake_embedder)
    assert result.articles == 2 and [d.code for d in result.diagnostics] == []
    site = tmp_path / "site"
    assert (site / "2021/06/16/backups/index.html").is_file()  # Jekyll's default permalink
    assert (site / "assets/disk.png").is_file()
    for private in ("_layouts", "_includes", "scripts", "Gemfile", "vibesite.toml",
                    "_config.yml"):
        assert not (site / private).exists(), private


def test_hugo_zola_and_obsidian_settings(tmp_path: Path) -> None:
    hugo, zola, vault, here = (tmp_path / n for n in ("hugo", "zola", "vault", "new"))
    write_files(hugo, {"hugo.toml": (
        'baseURL = "https://example.org/"\ntitle = "Hugo site"\nlanguageCode = "en-gb"\n'
        'contentDir = "posts"\n[pagination]\npagerSize = 7\n[taxonomies]\ntag = "tags"\n'
        'topic = "topics"\n[params]\ndescription = "From Hugo"\n'), "posts/a.md": "# A\n",
        "static/images/x.png": b"png"})
    write_files(zola, {"config.toml": (
        'base_url = "https://zola.example"\ntitle = "Zola site"\ndescription = "From Zola"\n'
        'taxonomies = [{name = "tags"}, {name = "series"}]\n'), "content/a.md": "# A\n"})
    write_files(vault, {".obsidian/app.json": "{}", "Note.md": "# Note\n"})
    expected = {
        hugo: {"content_dir": hugo / "posts", "title": "Hugo site", "language": "en-gb",
               "base_url": "https://example.org/", "per_page": 7, "description": "From Hugo",
               "taxonomies": ("tags", "topics"), "passthrough": (hugo / "static",),
               "alias_paths": "hugo"},
        zola: {"content_dir": zola / "content", "title": "Zola site", "description": "From Zola",
               "base_url": "https://zola.example", "taxonomies": ("tags", "series")},
        vault: {"content_dir": vault, "title": "vault"},
    }
    for old, settings in expected.items():
        init_site(here, force=True, old=old)
        config = load_config(None, here)
        found = {key: getattr(config, key) for key in settings}
        found["content_dir"] = found["content_dir"].resolve()  # written relative: ../hugo/posts
        if "passthrough" in found:
            found["passthrough"] = tuple(p.resolve() for p in found["passthrough"])
        assert found == settings, old.name


def test_hugos_config_folder_is_read_too(tmp_path: Path) -> None:
    write_files(tmp_path / "hugo", {
        "config/_default/hugo.toml": 'baseURL = "https://example.org/"\ntitle = "Split config"\n',
        "config/_default/params.toml": 'description = "From params.toml"\n',
        "content/a.md": "# A\n"})
    init_site(tmp_path / "new", old=tmp_path / "hugo")
    config = load_config(None, tmp_path / "new")
    assert (config.title, config.description, config.content_dir.resolve()) == (
        "Split config", "From params.toml", (tmp_path / "hugo/content").resolve())


def test_init_from_a_folder_that_is_no_site_or_a_clash(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "new"), "--from", str(tmp_path)]) == 2
    assert "has no _config.yml (Jekyll), hugo.toml or config.toml" in capsys.readouterr().err
    write_files(tmp_path / "old", {"_config.yml": "title: T\n", "vibesite.toml": "title = 'x'\n"})
    assert main(["init", str(tmp_path / "old"), "--from", str(tmp_path / "old")]) == 2
    assert "already has vibesite.toml; use --force" in capsys.readouterr().err


def test_passthrough_folders_are_published_at_the_site_root(tmp_path: Path,
                                                            fake_embedder: FakeEmbedder) -> None:
    write_files(tmp_path, {
        "vibesite.toml": 'passthrough = ["static"]\n',
        "content/post.md": "# Post\n\n![chart](/images/chart.png) [notes](/files/notes.pdf)\n",
        "content/favicon.ico": b"mine",
        "static/images/chart.png": b"png", "static/files/notes.pdf": b"pdf",
        "static/favicon.ico": b"hugo's", "static/robots.txt": "User-agent: *\n",
    })
    config = load_config(None, tmp_path)
    result = build_quiet(config, fake_embedder)
    assert [d.code for d in result.diagnostics] == ["generated-file", "base-url-relative"]
    assert str(result.diagnostics[0]) == ("robots.txt:1: warning: vibesite writes its own "
                                          "robots.txt, so this file is not published "
                                          "[generated-file]")  # and no broken image or link
    site = tmp_path / "site"
    assert (site / "images/chart.png").read_bytes() == b"png"
    assert (site / "files/notes.pdf").read_bytes() == b"pdf"
    assert (site / "favicon.ico").read_bytes() == b"mine"  # the content folder's file wins
