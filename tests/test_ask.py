"""``vibesite ask``: the passages it retrieves, the prompt it sends through ``llm`` (the offline
``echo`` model of the llm-echo plugin sends it back), its JSON, and every way it fails."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _sitebuild import FakeEmbedder, build_quiet, page, site_with_toml

from vibesite.cli import main
from vibesite.commands.ask import INSTRUCTION, NO_LLM_HINT, NO_MODEL_HINT, Question, ask
from vibesite.config import Config
from vibesite.embeddings.store import EmbeddingStore
from vibesite.model.base import title_windows
from vibesite.search.passages import entry, estimate_tokens, retrieve
from vibesite.search.query import SiteSearch

WINDOW_WORDS = 25  # the windowed fake's words per window after a two-word title


def words(topic: str, count: int) -> str:
    """``count`` words: ``topic``'s words, then filler, so sections fill whole windows."""
    filler = ["plain", "filler", "words", "keep", "every", "section", "exactly", "one",
              "window", "long"]
    out = topic.split()
    while len(out) < count:
        out.append(filler[len(out) % len(filler)])
    return " ".join(out[:count])


# A guide whose intro and three sections are one window each (the heading's word included),
# and short articles sharing some of its words. The guide's watering section holds the question's
# words in its order ("set up drip irrigation"), so phrase and proximity scoring rank it first.
GARDEN = {
    "guide.md": "---\ntitle: Garden guide\ndate: 2024-05-01\n---\n"
                + words("How this vegetable garden grew over many seasons", WINDOW_WORDS) + "\n\n"
                + "## Soil\n\n" + words("compost loam clay mulch worms", WINDOW_WORDS - 1) + "\n\n"
                + "## Watering\n\n" + words("set up drip irrigation hose schedule",
                                            WINDOW_WORDS - 1) + "\n\n"
                + "## Pests\n\n" + words("aphids ladybirds slugs netting", WINDOW_WORDS - 1)
                + "\n",
    "tomatoes.md": "---\ntitle: Tomatoes\ndate: 2024-05-02\n---\nTomatoes like a drip "
                   "irrigation line and a steady watering schedule in the morning.\n",
    "hoses.md": "---\ntitle: Hoses\ndate: 2024-05-03\n---\nA soaker hose is the cheapest drip "
                "irrigation there is.\n",
    "bread.md": "---\ntitle: Sourdough\ndate: 2024-05-04\n---\nFlour, water, salt and time.\n",
}
QUESTION = "How do I set up drip irrigation?"


class WindowedEmbedder(FakeEmbedder):
    """The fake's vectors, with the real windowing: ``title_windows`` of 30 "tokens" (words)."""

    def windows(self, title: str, text: str) -> list[str]:
        return title_windows(title, text, WINDOW_WORDS + 5, lambda s: len(s.split()),
                             lambda s: [m.span() for m in re.finditer(r"\S+", s)])


@pytest.fixture
def garden(tmp_path: Path) -> tuple[Config, Path]:
    """The garden site built (keyword search only: a fake embedder has no query encoder), and
    its vibesite.toml; llm's own files kept in tmp_path."""
    config = site_with_toml(tmp_path, GARDEN, title="Garden notes")
    build_quiet(config, WindowedEmbedder())
    return config, tmp_path / "vibesite.toml"


@pytest.fixture(autouse=True)
def llm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """llm reads keys and aliases from here, never the user's; no key in the environment."""
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path / "llm-home"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return tmp_path / "llm-home"


def ask_json(toml: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["ask", QUESTION, "--json", "--config", str(toml), *args]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out)


def test_prompt_holds_the_top_passages_in_search_order_with_their_urls(
        garden: tuple[Config, Path], capsys: pytest.CaptureFixture[str]) -> None:
    config, toml = garden
    found = ask_json(toml, capsys, "--model", "echo")
    ranked = SiteSearch.load(config.output_dir).search(QUESTION, 5, semantic=False)
    assert [p["id"] + "/" for p in found["passages"]] == [h.url for h in ranked]
    assert [p["id"] for p in found["passages"]] == ["guide", "hoses", "tomatoes"]
    echoed = json.loads(found["answer"])  # the echo model sends back what it received
    assert echoed["system"] == INSTRUCTION and echoed["prompt"] == found["prompt"]
    assert found["prompt"] == (
        'Passages from the site "Garden notes":\n\n'
        "[1] Garden guide\n/guide/#watering\nWatering\n"
        + words("set up drip irrigation hose schedule", WINDOW_WORDS - 1) + "\n\n"
        "[2] Hoses\n/hoses/\nA soaker hose is the cheapest drip irrigation there is.\n\n"
        "[3] Tomatoes\n/tomatoes/\nTomatoes like a drip irrigation line and a steady watering "
        "schedule in the morning.\n\n"
        f"Question: {QUESTION}\n")
    assert 'id="watering"' in page(config, "guide/")  # the anchor the URL points at exists


def test_sources_follow_the_streamed_answer_and_match_the_prompt(
        garden: tuple[Config, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, toml = garden
    assert main(["ask", QUESTION, "-m", "echo", "--config", str(toml)]) == 0
    out = capsys.readouterr().out
    answer, sources = out.split("\n\nSources:\n")
    assert json.loads(answer)["prompt"].count("\n/") == 3
    assert sources == ("[1] Garden guide  /guide/#watering\n[2] Hoses  /hoses/\n"
                       "[3] Tomatoes  /tomatoes/\n")


def test_limit_and_budget(garden: tuple[Config, Path],
                          capsys: pytest.CaptureFixture[str]) -> None:
    config, toml = garden
    assert [p["id"] for p in ask_json(toml, capsys, "-n", "2")["passages"]] == [
        "guide", "hoses"]
    # entries of about 48 (guide), 25 (hoses) and 28 (tomatoes) estimated tokens
    expected = {45: ["guide"], 60: ["guide"], 80: ["guide", "hoses"],
                101: ["guide", "hoses", "tomatoes"]}
    for budget, ids in expected.items():
        found = ask_json(toml, capsys, "--budget", str(budget))
        assert [p["id"] for p in found["passages"]] == ids
        entries = [entry(p["number"], p["title"], p["url"], p["text"])
                   for p in found["passages"]]
        assert sum(estimate_tokens(e) for e in entries) <= budget
        assert all(e in found["prompt"] for e in entries)
        cut = [p["text"].endswith("…") for p in found["passages"]]
        assert cut == [budget == 45] + [False] * (len(ids) - 1)  # 60: hoses cut < 32 tokens


def test_json_shape(garden: tuple[Config, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, toml = garden
    found = ask_json(toml, capsys, "--model", "echo", "--system", "Be brief.")
    assert list(found) == ["question", "model", "system", "prompt", "answer", "passages"]
    assert (found["question"], found["model"], found["system"]) == (QUESTION, "echo", "Be brief.")
    assert json.loads(found["answer"])["system"] == "Be brief."
    first = found["passages"][0]
    assert list(first) == ["number", "id", "title", "url", "text", "window", "score"]
    assert [p["number"] for p in found["passages"]] == [1, 2, 3]
    assert found["passages"][0]["window"] == 2  # the guide's Watering window
    assert all(isinstance(p["score"], float) for p in found["passages"])


def test_ask_model_from_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_with_toml(tmp_path, GARDEN, ask_model="echo")
    assert config.ask_model == "echo"
    build_quiet(config, WindowedEmbedder())
    assert json.loads(ask_json(tmp_path / "vibesite.toml", capsys)["answer"])["prompt"]


def test_without_a_model_prints_the_prompt_and_a_hint(
        garden: tuple[Config, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, toml = garden
    assert main(["ask", QUESTION, "--config", str(toml)]) == 0
    out, err = capsys.readouterr()
    found = ask_json(toml, capsys)
    assert found["answer"] is None and found["model"] is None
    assert out == f"{INSTRUCTION}\n\n{found['prompt']}"
    assert err == NO_MODEL_HINT + "\n"


def test_without_llm_installed_prints_the_prompt_and_a_hint(
        garden: tuple[Config, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = garden
    monkeypatch.setitem(sys.modules, "llm", None)  # import llm raises ImportError
    ask(config, Question(QUESTION, model="echo"))
    out, err = capsys.readouterr()
    assert out.startswith(INSTRUCTION) and "[1] Garden guide\n/guide/#watering\n" in out
    assert err == NO_LLM_HINT + "\n"


@pytest.mark.parametrize(("model", "message"), [
    ("no-such-model", "error: unknown model 'no-such-model': `llm models` lists the installed "
                      "ones, `llm install PLUGIN` adds more (e.g. llm-gpt4all for local models)"),
    ("gpt-4o-mini", "error: model 'gpt-4o-mini' needs an API key: run `llm keys set openai` or "
                    "set OPENAI_API_KEY"),
])
def test_a_model_that_cannot_answer_is_one_line_and_exit_2(
        garden: tuple[Config, Path], capsys: pytest.CaptureFixture[str],
        model: str, message: str) -> None:
    _, toml = garden
    assert main(["ask", QUESTION, "--model", model, "--config", str(toml)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", message + "\n")


def test_a_model_failing_mid_answer_is_one_line_and_exit_2(
        garden: tuple[Config, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import llm

    class Offline:
        def prompt(self, prompt: str, system: str) -> Any:
            yield "The answer is"
            raise ConnectionError("[Errno 101] Network is\nunreachable")

    monkeypatch.setattr(llm, "get_model", lambda name: Offline())
    _, toml = garden
    assert main(["ask", QUESTION, "--model", "remote", "--config", str(toml)]) == 2
    out, err = capsys.readouterr()
    assert out == "The answer is\n"
    assert err == ("error: model 'remote' failed: [Errno 101] Network is unreachable "
                   "(check its key, network or plugin)\n")


def test_no_built_site_is_one_line_and_exit_2(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    site_with_toml(tmp_path, GARDEN)
    assert main(["ask", QUESTION, "--config", str(tmp_path / "vibesite.toml")]) == 2
    assert capsys.readouterr().err == (f"error: no search index at {tmp_path}/site/search/"
                                       "manifest.json; build the site first\n")


def test_the_closest_window_is_chosen_with_a_query_vector(garden: tuple[Config, Path]) -> None:
    config, _ = garden
    search = SiteSearch.load(config.output_dir)
    fake = WindowedEmbedder()
    with EmbeddingStore.existing(config.db_path) as store:
        for question, anchor in (("aphids slugs netting", "#pests"),
                                 ("compost loam worms", "#soil")):
            vector = fake.encode([question])[0]
            (passage, *_) = retrieve(search, store, question, 1, query_vector=vector)
            assert passage.url == "/guide/" + anchor
        intro = retrieve(search, store, "vegetable garden seasons", 1,
                         query_vector=fake.encode(["vegetable garden seasons"])[0])
    assert (intro[0].url, intro[0].window) == ("/guide/", 0)  # above the first heading
    doc = next(d for d in range(search.count) if search._doc(d)["url"] == "guide/")
    scores = search.passage_scores(vector)
    windows = search.passages_of(doc)
    assert len(windows) == 4
    assert search.doc_scores(vector)[0][doc] == max(scores[windows.start:windows.stop])


def test_a_short_last_window_comes_with_the_one_before(tmp_path: Path) -> None:
    """An article's last few words make a window whose vector is mostly the title's; handed
    over alone it would tell the model nothing."""
    middle, tail = words("middle part", WINDOW_WORDS), "zebra quokka wombat"
    config = site_with_toml(tmp_path, {"long.md": "---\ntitle: Long read\n---\n"
                                       + words("start", WINDOW_WORDS) + f" {middle} {tail}\n"})
    build_quiet(config, WindowedEmbedder())
    with EmbeddingStore.existing(config.db_path) as store:
        (passage,) = retrieve(SiteSearch.load(config.output_dir), store, tail,
                              query_vector=WindowedEmbedder().encode([tail])[0])
    assert (passage.window, passage.text) == (2, f"{middle} {tail}")


# The demo site and the real model ----------------------------------------------------------


def test_ask_the_demo_site_with_the_real_model(
        demo_toml: tuple[Config, Path], capsys: pytest.CaptureFixture[str]) -> None:
    config, toml = demo_toml
    assert main(["ask", "How do I publish my site on GitHub Pages?", "--model", "echo",
                 "--json", "--config", str(toml)]) == 0
    found = json.loads(capsys.readouterr().out)
    ranked = SiteSearch.load(config.output_dir).search(found["question"], 5)
    assert [p["id"] + "/" for p in found["passages"]] == [h.url for h in ranked]
    assert "deployment" in [p["id"] for p in found["passages"]]
    for passage in found["passages"]:
        url, _, anchor = passage["url"].partition("#")
        assert f"[{passage['number']}] {passage['title']}\n{passage['url']}\n" in found["prompt"]
        if anchor:
            assert f'id="{anchor}"' in page(config, url.strip("/") + "/")


def test_llm_similar_reads_the_demo_embeddings(
        demo_toml: tuple[Config, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``llm similar articles ID -d embeddings.db``, the real llm CLI, on a copy of the file
    (llm migrates a file it opens); its neighbours are ``vibesite similar``'s."""
    config, toml = demo_toml
    db = tmp_path / "embeddings.db"
    shutil.copy(config.db_path, db)
    llm_cli = Path(sys.executable).with_name("llm")
    done = subprocess.run([str(llm_cli), "similar", "articles", "performance", "-d", str(db),
                           "-n", "5"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert main(["similar", "performance", "-n", "5", "--json", "--config", str(toml)]) == 0
    ours = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [o["id"] for o in ours]
    assert [r["score"] for r in rows] == pytest.approx([o["score"] for o in ours], abs=1e-4)
    assert [r["metadata"]["url"] for r in rows] == [o["url"] for o in ours]
    listed = subprocess.run([str(llm_cli), "collections", "list", "-d", str(db), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert {c["name"] for c in json.loads(listed.stdout)} == {
        "articles", "passages", "topic-phrases"}
