"""The theme's words in each page's language (vibesite.site.words, templates/i18n/*.toml): every
key the templates and scripts use is defined, each bundled language has every key with the same
placeholders, the scripts' English words are en.toml's, and built pages are in their language."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from _sitebuild import FakeEmbedder, build_fails, build_ok, page, snapshot, write_files

from vibesite.config import Config, load_config
from vibesite.site.render import make_environment
from vibesite.site.words import ThemeWords, ThemeWordsError, plural_form, read_words

ROOT = Path(__file__).resolve().parent.parent
THEME = ROOT / "templates"
WORDS = THEME / "i18n"
SCRIPTS = (THEME / "static" / "theme.js", THEME / "static" / "map.js",
           THEME / "static" / "search" / "words.js")
FR = {"en": "English", "fr": "Français"}


def _flat(path: Path) -> dict[str, object]:
    return read_words(path)


def _placeholders(entry: object) -> set[str]:
    texts = entry.values() if isinstance(entry, dict) else [entry]
    return {name for text in texts for name in re.findall(r"\{(\w+)\}", str(text))}


def test_every_key_the_templates_use_is_in_english() -> None:
    english = _flat(WORDS / "en.toml")
    texts = [path.read_text(encoding="utf-8") for path in THEME.glob("*.html")]
    used = {key for text in texts
            for key in re.findall(r"i18n\('([\w.]+)'", text)
            + re.findall(r"i18n\('[\w.]+' if [^']+ else '([\w.]+)'", text)}
    assert len(used) > 60
    assert sorted(used - english.keys()) == []
    # and none is left over but the scripts' words and those Python reads (render._page_title)
    python = {"meta.tag_title", "meta.topic_title", "meta.not_found_title", "nav.search",
              "number.group"}
    scripts = {k for k in english if k.startswith("script.")}
    assert sorted(english.keys() - used - python - scripts) == []


@pytest.mark.parametrize("lang", sorted(p.stem for p in WORDS.glob("*.toml") if p.stem != "en"))
def test_each_bundled_language_has_every_key_with_its_placeholders(lang: str) -> None:
    english, words = _flat(WORDS / "en.toml"), _flat(WORDS / f"{lang}.toml")
    assert sorted(english.keys() - words.keys()) == []
    assert sorted(words.keys() - english.keys()) == []
    assert {k: _placeholders(v) for k, v in words.items()} == {
        k: _placeholders(v) for k, v in english.items()}
    assert all("other" in v for v in words.values() if isinstance(v, dict))


def _script_english(path: Path) -> dict[str, object]:
    block = re.search(r"ENGLISH = \{\n(.*?)\n\s*\};", path.read_text(encoding="utf-8"), re.S)
    assert block, path
    out: dict[str, object] = {}
    for key, value in re.findall(r"^\s*(\w+): (.+?),?$", block.group(1), re.M):
        out[key] = (dict(re.findall(r'(\w+): "([^"]*)"', value)) if value.startswith("{")
                    else json.loads(value))
    return out


def test_the_scripts_english_words_are_en_toml_s() -> None:
    english = {k.removeprefix("script."): v for k, v in _flat(WORDS / "en.toml").items()
               if k.startswith("script.")}
    in_scripts: dict[str, object] = {}
    for path in SCRIPTS:
        words = _script_english(path)
        assert not in_scripts.keys() & words.keys(), path  # each word in one script
        in_scripts.update(words)
    assert in_scripts == english


def test_words_fall_back_key_by_key_and_a_site_overrides_one(tmp_path: Path) -> None:
    write_files(tmp_path / "own", {"i18n/fr.toml": '[nav]\narchive = "Anciens billets"\n',
                                   "i18n/de-ch.toml": '[number]\ngroup = "’"\n'})
    words = ThemeWords([tmp_path / "own", THEME])
    assert words.text("fr", "nav.archive") == "Anciens billets"
    assert words.text("fr", "nav.tags") == "Étiquettes"  # the theme's French still
    assert words.text("fr-CA", "nav.home") == "Accueil"  # base language
    assert words.text("sw", "nav.home") == "Home"  # no Swahili: English
    assert words.text("zh-TW", "nav.home") == "Home"  # not Simplified Chinese
    assert words.text("zh-CN", "nav.home") == "首页"
    assert words.number("de-CH", 1871) == "1’871" and words.number("de", 40291) == "40.291"
    assert words.number("fr", 1871) == "1\u202f871" and words.number("en", 1871) == "1,871"
    assert words.text("fr", "script.results", {"count": 0}) == "0 résultat"  # CLDR: 0 is one
    assert words.text("en", "script.results", {"count": 0}) == "0 results"
    assert words.text("ja", "script.results", {"count": 1}) == "1 件の結果"
    assert [plural_form("pt", 0), plural_form("pt-PT", 0), plural_form("ru", 1)] == [
        "one", "other", "one"]
    with pytest.raises(ThemeWordsError, match="'nav.nope'"):
        words.text("fr", "nav.nope")


def test_markup_escapes_the_words_and_values_but_not_a_link() -> None:
    words = ThemeWords([THEME])
    link = words.markup("en", "topics.map_link")
    assert words.markup("en", "meta.page_description", {"title": "<b>", "site": "A & B"}) == (
        "&lt;b&gt;, on A &amp; B")
    assert str(words.markup("fr", "topics.see_map", {"map": link})) == "Voyez-les tous sur la map."


def test_script_words_are_handed_only_where_they_differ_from_english(tmp_path: Path) -> None:
    words = ThemeWords([THEME])
    assert words.script_words("en") == "" and words.script_words("en-GB") == ""
    write_files(tmp_path, {"i18n/en.toml": '[script]\ncopy = "Copy code"\n'})
    own = json.loads(ThemeWords([tmp_path, THEME]).script_words("en"))
    assert own == {"lang": "en", "copy": "Copy code"}  # a site's own English word, handed
    handed = json.loads(words.script_words("fr"))
    assert handed["lang"] == "fr" and handed["number_group"] == "\u202f"
    assert handed["results"] == {"one": "{count} résultat", "other": "{count} résultats"}


def test_count_filter_groups_as_the_page_language_does(tmp_path: Path) -> None:
    (tmp_path / "vibesite.toml").write_text('language = "de"\n', encoding="utf-8")
    env = make_environment(load_config(tmp_path / "vibesite.toml"), [THEME])
    assert env.from_string("{{ 1871|count }} {{ i18n('nav.archive') }}").render() == "1.871 Archiv"
    assert env.from_string("{{ 1871|count }}").render(page_lang="en") == "1,871"


def test_a_french_site_is_in_french(make_site: Callable[..., Config],
                                    fake_embedder: FakeEmbedder) -> None:
    config = make_site({"a.md": "# Premier\n\nDu texte.\n", "b.md": "# Second\n\nEncore.\n"},
                       language="fr")
    build_ok(config, fake_embedder)
    home = page(config, "")
    assert '<html lang="fr">' in home
    assert re.findall(r'<nav class="site-nav" aria-label="([^"]+)">', home) == ["Principale"]
    nav = home.split('class="site-nav"')[1].split("</nav>")[0]
    assert re.findall(r">([^<>]*\w[^<>]*)<", nav) == [
        "Accueil", "Archives", "Étiquettes", "Sujets", "Carte"]
    assert '<a class="skip-link" href="#vs-main">Aller au contenu</a>' in home
    words = re.search(r'<script type="application/json" id="vs-words">(.*?)</script>', home)
    handed = json.loads(words.group(1))
    assert handed["no_results"] == "Aucun résultat pour «\u00a0{query}\u00a0»"
    assert "<title>Archives · " in page(config, "archive/")
    assert "Lire" not in home  # one language: no "Read in:"


def test_a_language_home_is_its_pages_home_and_in_its_language(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    config = make_site("hugo-multilingual", languages=FR)
    build_ok(config, fake_embedder)
    for url in ("fr/", "fr/posts/first/"):
        html = page(config, url)
        assert '<a class="site-title" href="/fr/">' in html, url
        assert '<li><a href="/fr/"' in html and ">Accueil</a>" in html, url
        assert "Lire en\u00a0:" in html, url
    english = page(config, "posts/first/")
    assert '<a class="site-title" href="/">' in english and ">Home</a>" in english
    assert "Read in:" in english and 'id="vs-words"' not in english


def test_words_js_plurals_and_groups_as_python_does() -> None:
    """node: words.js's word() with the French words Python hands over."""
    words = ThemeWords([THEME])
    script = f"""
import {{ word, groupNumber }} from "{(THEME / 'static/search/words.js').as_uri()}";
const fr = {words.script_words("fr")};
console.log(JSON.stringify([word("results", {{count: 1871}}, fr), word("results", {{count: 0}}, fr),
  word("results", {{count: 1}}), word("results", {{count: 1871}}), groupNumber(40291, fr),
  word("no_results", {{query: "xyz"}}, fr), word("keyword")]));
"""
    done = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    assert json.loads(done.stdout) == [
        words.text("fr", "script.results", {"count": 1871}),
        words.text("fr", "script.results", {"count": 0}), "1 result", "1,871 results",
        words.number("fr", 40291), "Aucun résultat pour «\u00a0xyz\u00a0»", "Keyword results"]


@pytest.mark.parametrize(("files", "error"), [
    ({"404.html": "{% extends 'base.html' %}{% block content %}\n{{ artcle.title }}"
                  "{% endblock %}"},
     "templates/404.html:2: error: 'artcle' is undefined (rendering 404.html)"),
    ({"404.html": "{% extends 'base.html' %}{% block content %}\n{{ i18n('nav.nope') }}"
                  "{% endblock %}"},
     "templates/404.html:2: error: no words for 'nav.nope' (not in the theme's i18n/en.toml) "
     "(rendering 404.html)"),
    ({"404.html": "{% extends 'base.html' %}{% block content %}\n{% if %}{% endblock %}"},
     "templates/404.html:2: error: Expected an expression, got 'end of statement block' "
     "(rendering 404.html)"),
    ({"i18n/en.toml": '[nav]\nhome = "Start\n'},
     "templates/i18n/en.toml:2: error: not a TOML file: Illegal character '\\n' (at line 2, "
     "column 14) (rendering index.html)"),
])
def test_a_theme_that_cannot_render_is_one_error_line_and_the_site_stays(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder,
        files: dict[str, str], error: str) -> None:
    config = make_site({"a.md": "# A\n\nText.\n"})
    build_ok(config, fake_embedder)
    before = snapshot(config.output_dir)
    write_files(config.templates_dir, files)
    _, errors = build_fails(config, fake_embedder)
    assert errors == [f"{error} [template-error]"]
    assert snapshot(config.output_dir) == before
