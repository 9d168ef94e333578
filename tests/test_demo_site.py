"""The demo site (this repository's content/): search and similar from the terminal with
``--json``, and semantic search in Chromium for a query whose words are on no page."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import Recorder, option_titles, serve

from vibesite.cli import main
from vibesite.config import Config
from vibesite.pipeline import BuildResult
from vibesite.search.query import SiteSearch

# Words that appear on no page of the demo site, and the page each one means. (Weaker
# paraphrases, such as "unreleased essay" for drafts-and-expiry/ at 0.27, or "quicker" for
# performance/ at 0.30, score under the demo's calibrated semantic floor, about 0.32, and find
# nothing: see content/search.md.)
# A query no page shares a word with, whose page semantic ranking finds by a wide margin (on the
# guide at the time of writing: 0.36 against 0.19 for the next page; "sluggish" was a coin toss
# between the performance and troubleshooting pages, 0.324 against 0.322).
NO_SHARED_WORDS = {"foreign tongues": "multilingual-sites/"}
NONSENSE = "xyzzyplughqwerty"


def _json_lines(capsys: pytest.CaptureFixture[str]) -> list[Any]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_demo_builds_without_warnings_but_its_relative_base_url(
        demo_build: tuple[Config, BuildResult]) -> None:
    """The README's first command builds this site on a fresh clone: its [topic_names] must name
    topics that exist there (every one renamed), and nothing else may warn."""
    config, result = demo_build
    assert [d.code for d in result.diagnostics] == ["base-url-relative"]
    topics = json.loads((config.output_dir / "topics.json").read_text())["topics"]
    assert sorted(t["name"] for t in topics) == sorted(config.topic_names.values())


def test_similar_json(demo_toml: tuple[Config, Path], capsys: pytest.CaptureFixture[str]) -> None:
    config, toml = demo_toml
    assert main(["similar", "performance", "--json", "--config", str(toml)]) == 0
    found = _json_lines(capsys)
    related = json.loads((config.output_dir / "related.json").read_text())["performance"]
    assert [f["id"] for f in found] == [r["id"] for r in related]
    assert [f["score"] for f in found] == pytest.approx([r["score"] for r in related], abs=1e-4)
    assert all(f["url"] == f["id"] + "/" and f["title"] for f in found)


def test_search_json_finds_meaning_without_shared_words(
        demo_toml: tuple[Config, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    config, toml = demo_toml
    site = SiteSearch.load(config.output_dir)
    for query, url in NO_SHARED_WORDS.items():
        assert site.search(query, semantic=False) == []  # no page has these words
        assert main(["search", query, "--json", "--config", str(toml)]) == 0
        (answer,) = _json_lines(capsys)
        assert answer["query"] == query and answer["results"][0]["url"] == url
        assert answer["results"][0]["match"] == "semantic"
    queries = [*NO_SHARED_WORDS, NONSENSE]
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(q + "\n" for q in queries)))
    assert main(["search", "-", "--json", "--site", str(config.output_dir), "-n", "3"]) == 0
    answers = _json_lines(capsys)
    assert [a["query"] for a in answers] == queries
    assert [a["results"][0]["url"] for a in answers[:-1]] == list(NO_SHARED_WORDS.values())
    assert all(1 <= len(a["results"]) <= 3 and a["total"] >= len(a["results"])
               for a in answers[:-1])
    assert (answers[-1]["results"], answers[-1]["total"]) == ([], 0)  # nothing fits


@pytest.fixture(scope="module")
def demo_url(demo_toml: tuple[Config, Path]) -> Iterator[str]:
    with serve(demo_toml[0].output_dir, prefix="/") as url:  # the demo's base_url is "/"
        yield url


def test_browser_finds_meaning_without_shared_words(
        context: Any, demo_url: str) -> None:
    page = context.new_page()
    recorder = Recorder(page)
    page.goto(demo_url + "install/")
    page.wait_for_function("() => window.vibesiteSearch !== undefined")
    page.keyboard.press("/")
    page.keyboard.type("foreign tongues")
    assert page.evaluate("() => window.vibesiteSearch.ready") is True
    page.wait_for_function(
        "() => document.querySelector('.vs-search__mode').textContent.includes('Semantic')")
    page.locator("#vs-search-listbox [role='option']").first.wait_for()
    assert option_titles(page)[0] == "Multilingual sites"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/multilingual-sites/\?highlight=foreign%20tongues$"))
    assert page.locator("h1.post-title").inner_text() == "Multilingual sites"
    outside = [u for u in recorder.urls if urlsplit(u).scheme not in ("data", "blob")
               and urlsplit(u).hostname != "127.0.0.1"]
    assert outside == []
    assert recorder.errors == []
