"""Keyword search stems words in the site's language: the manifest names the Snowball
algorithm (``lexical.stemmer``), the build copies only that module, ``vibesite search`` and the
browser stem queries with it; a language Snowball cannot stem is a note in the build summary
(not a warning) and its words match as written; English sites get the index they always had."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests._sitebuild import build_ok, page
from vibesite.cli import _summary, main
from vibesite.config import Config
from vibesite.search.analysis import stemmer_for, tokenize
from vibesite.search.query import SiteSearch

FRENCH = {
    "chat.md": "---\ntitle: Mon animal\ndate: 2024-03-01\n---\n"
               "Le chat dort sur le canapé, heureux.\n",
    "jardin.md": "---\ntitle: Le jardin\ndate: 2024-03-02\n---\nLes tomates poussent bien.\n",
}
POLISH = {
    "kot.md": "---\ntitle: Zwierzę\ndate: 2024-03-01\n---\nKot śpi na kanapie.\n",
    "ogrod.md": "---\ntitle: Ogród\ndate: 2024-03-02\n---\nKoty lubią ogród.\n",
}


def manifest(config: Config) -> dict:
    return json.loads((config.output_dir / "search/manifest.json").read_bytes())


def vendored(config: Config) -> list[str]:
    folder = config.output_dir / "search/vendor/snowball-stemmers"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize(("language", "name"), [
    ("en", "english"), ("fr", "french"), ("pt-BR", "portuguese"), ("de_AT", "german"),
    ("NB", "norwegian"), ("nn", "norwegian"), ("fi", None), ("hy", None), ("pl", None),
    ("ja", None), ("", None),
])
def test_a_language_code_chooses_its_snowball_algorithm(language: str, name: str | None) -> None:
    assert stemmer_for(language) == name


def test_a_french_site_finds_chat_for_chats(make_site: Callable[..., Config], fake_embedder: object,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    config = make_site(FRENCH, language="fr", search_model="off")
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    assert manifest(config)["lexical"]["stemmer"] == "french"
    assert vendored(config) == ["LICENSE", "snowball-french.mjs"]
    assert ('<link rel="modulepreload" href="/search/vendor/snowball-stemmers/snowball-french.mjs">'
            in page(config, "search/"))
    search = SiteSearch.load(config.output_dir)
    assert [h.url for h in search.search("chats", semantic=False)] == ["chat/"]
    assert [h.url for h in search.search("tomate", semantic=False)] == ["jardin/"]
    assert main(["search", "--site", str(config.output_dir), "--keyword-only", "chats"]) == 0
    assert capsys.readouterr().out == " 1. Mon animal  /chat/  (2024-03-01)\n"


def test_a_language_without_a_stemmer_warns_and_matches_words_as_written(
        tmp_path: Path, make_site: Callable[..., Config], fake_embedder: object) -> None:
    (tmp_path / "vibesite.toml").write_text('title = "Blog"\n\nlanguage = "pl"\n')
    config = make_site(POLISH, language="pl", search_model="off",
                       key_lines={"title": 1, "language": 3})
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == []  # nothing the site could change: said in the build's summary
    assert result.search_note == ("keyword search has no stemmer for language 'pl': words "
                                  "match only as written (a plural does not find its singular)")
    assert f"\nSearch: {result.search_note}\n" in _summary(result)
    assert manifest(config)["lexical"]["stemmer"] is None
    assert vendored(config) == []
    assert "snowball" not in page(config, "search/")
    search = SiteSearch.load(config.output_dir)
    assert [h.url for h in search.search("KOT", semantic=False)] == ["kot/"]
    assert [h.url for h in search.search("koty", semantic=False)] == ["ogrod/"]
    assert search.terms("Koty lubią") == ["koty", "lubią"]


def test_chinese_and_japanese_keep_their_character_pairs_without_a_warning(
        make_site: Callable[..., Config], fake_embedder: object) -> None:
    config = make_site({"a.md": "---\ntitle: 検索\n---\n日本語の検索はこちら。\n"},
                       language="ja", search_model="off")
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    assert manifest(config)["lexical"]["stemmer"] is None
    search = SiteSearch.load(config.output_dir)
    assert [h.url for h in search.search("検索", semantic=False)] == ["a/"]


def test_an_english_site_keeps_its_stemmer_and_module(make_site: Callable[..., Config],
                                                      fake_embedder: object) -> None:
    config = make_site("six-posts", search_model="off")
    build_ok(config, fake_embedder)
    assert manifest(config)["lexical"]["stemmer"] == "english"
    assert vendored(config) == ["LICENSE", "snowball-english.mjs"]
    assert tokenize("Organizations running") == ["organ", "run"]


def test_changing_the_language_reindexes_with_the_new_stemmer(
        make_site: Callable[..., Config], fake_embedder: object) -> None:
    english = make_site(FRENCH, search_model="off")
    build_ok(english, fake_embedder)
    assert SiteSearch.load(english.output_dir).search("heureuse", semantic=False) == []
    french = make_site(language="fr", search_model="off")
    build_ok(french, fake_embedder)
    assert [h.url for h in SiteSearch.load(french.output_dir).search("heureuse", semantic=False)
            ] == ["chat/"]
