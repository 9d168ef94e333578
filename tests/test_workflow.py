"""The user's workflow: GitHub Actions files, ``vibesite init``, ``serve``, ``similar``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from _sitebuild import REPO, FakeEmbedder, build_quiet, site_with_toml, write_files

from vibesite import __version__
from vibesite.cli import main
from vibesite.commands.init import init_site
from vibesite.commands.serve import serve
from vibesite.config import Config, load_config

WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.yml"))
SCAFFOLD_WORKFLOW = REPO / "vibesite/commands/scaffold/.github/workflows/pages.yml"


def _run_steps(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text())
    return [step["run"] for job in data["jobs"].values() for step in job["steps"]
            if "run" in step]


def _assert_valid_workflow(path: Path) -> None:
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent /
                                                      "check-jsonschema")
    done = subprocess.run([checker, "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", [*WORKFLOWS, SCAFFOLD_WORKFLOW], ids=lambda p: p.name)
def test_workflows_are_valid(path: Path) -> None:
    _assert_valid_workflow(path)


def test_init_pins_the_version_that_ran_it(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out == f"vibesite {__version__}\n"
    assert main(["init", str(tmp_path)]) == 0
    workflow = tmp_path / ".github/workflows/pages.yml"
    _assert_valid_workflow(workflow)
    [install] = [r for r in _run_steps(workflow) if "pip install vibesite" in r]
    assert install.splitlines() == [
        "pip install torch --index-url https://download.pytorch.org/whl/cpu",
        f"pip install vibesite=={__version__}"]
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and b"@VIBESITE" in p.read_bytes()]



def test_the_deployment_guide_shows_the_workflow_init_writes() -> None:
    guide = (REPO / "content/deployment.md").read_text()
    [shown] = re.findall(r"```yaml\n(name: Deploy site.*?)```", guide, flags=re.DOTALL)
    written = SCAFFOLD_WORKFLOW.read_text().replace("@VIBESITE_VERSION@", "X.Y.Z")
    assert written.endswith(shown)  # all but the scaffold's two comment lines at the top


def test_release_workflow_publishes_what_it_tested() -> None:
    data = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text())
    assert data[True] == {"push": {"tags": ["v*"]}, "workflow_dispatch": None}  # YAML 1.1 'on'
    assert data["permissions"] == {"contents": "read"}
    jobs = data["jobs"]
    build, test = ("\n".join(s.get("run", "") for s in jobs[name]["steps"])
                   for name in ("build", "test"))
    assert "\npyproject-build\n" in build  # the sdist, then the wheel from the sdist
    assert 'vibesite-${GITHUB_REF_NAME#v}-py3-none-any.whl' in build
    assert "--index-url https://download.pytorch.org/whl/cpu" in test
    assert '/bin/pip" install "$(ls dist/vibesite-*.whl)[test]"' in test
    assert '/bin/pytest" -m "not slow"' in test and "python -m pytest" not in test
    publish = jobs["publish"]
    assert publish["needs"] == ["build", "test"] and jobs["test"]["needs"] == "build"
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing, no token
    assert publish["environment"]["name"] == "pypi"
    assert publish["steps"][-1] == {"uses": "pypa/gh-action-pypi-publish@release/v1"}


def test_the_newest_changelog_release_is_the_package_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog\n") and "keepachangelog.com" in changelog
    headings = re.findall(r"^## (.*)$", changelog, flags=re.MULTILINE)
    assert headings[0] == "[Unreleased]"
    releases = [re.fullmatch(r"\[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", h) for h in headings[1:]]
    assert all(releases), headings  # every release has a version and a date
    versions = [tuple(map(int, m.group(1).split("."))) for m in releases if m]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert releases[0] and releases[0].group(1) == __version__


def test_pages_workflow_deploys_with_the_official_actions() -> None:
    data = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text())
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"]["group"] == "pages"
    uses = [s.get("uses", "") for job in data["jobs"].values() for s in job["steps"]]
    for action in ("actions/configure-pages@", "actions/upload-pages-artifact@",
                   "actions/deploy-pages@", "actions/cache@"):
        assert any(u.startswith(action) for u in uses), action
    checkout = next(s for s in data["jobs"]["build"]["steps"]
                    if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = "\n".join(_run_steps(REPO / ".github/workflows/pages.yml"))
    assert "--index-url https://download.pytorch.org/whl/cpu" in runs
    cache = next(s for s in data["jobs"]["build"]["steps"]
                 if s.get("uses", "").startswith("actions/cache@"))
    assert ".vibesite" in cache["with"]["path"]


def test_workflows_run_the_readme_commands() -> None:
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"```bash\n(python3 -m venv .*?)\n```", readme)
    assert len(commands) == 2
    build_cmd, test_cmd = (c.replace(".venv/bin/", "") for c in commands)
    build_run = next(r for r in _run_steps(REPO / ".github/workflows/pages.yml")
                     if "build.py" in r)
    assert build_run.split(" --")[0] == build_cmd.split(" && ")[-1]  # python build.py
    test_runs = _run_steps(REPO / ".github/workflows/tests.yml")
    for part in test_cmd.split(" && ")[2:]:  # ruff check . / python -m pytest
        assert part in test_runs
    assert test_cmd in (REPO / ".ci/run").read_text().replace(".venv/bin/", "")


def test_init_scaffolds_a_site_that_builds(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    written = init_site(tmp_path)
    assert {".gitignore", "vibesite.toml", ".github/workflows/pages.yml"} <= set(written)
    assert len([w for w in written if w.startswith("content/")]) == 2
    config = load_config(None, tmp_path)
    result = build_quiet(config, fake_embedder)
    assert result.articles == 2  # the Pages workflow passes --base-url; a local build warns:
    assert [d.code for d in result.diagnostics] == ["base-url-relative"]
    assert "Welcome to your new site" in (tmp_path / "site/index.html").read_text()
    assert main(["init", str(tmp_path)]) == 2  # refuses to overwrite


def test_similar_reads_the_store(tmp_path: Path, fake_embedder: FakeEmbedder,
                                 capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"cats.md": "# Cats\n\ncats purr and cats sleep", "dogs.md": "# Dogs\n\ndogs bark",
             "kittens.md": "# Kittens\n\ncats purr kittens sleep"}
    config = site_with_toml(tmp_path, files, cache_dir="store")
    build_quiet(config, fake_embedder)
    monkeypatch.chdir(tmp_path)  # where `vibesite similar` finds vibesite.toml
    assert main(["similar", "cats", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split('"id": "')[1].split('"')[0] for line in lines] == ["kittens", "dogs"]
    assert main(["similar", "kitten"]) == 2
    assert "no article 'kitten'" in capsys.readouterr().err


def test_serve_rebuilds_and_reloads(make_site: Callable[..., Config],
                                    fake_embedder: FakeEmbedder) -> None:
    config = make_site({"a.md": "# Alpha\n\nfirst", "b.md": "# Beta\n\nsecond"})
    stopping, ready = threading.Event(), threading.Event()
    logs: list[str] = []
    port = 8700 + int(time.time()) % 200
    thread = threading.Thread(target=serve, kwargs={
        "config": config, "port": port, "embedder": fake_embedder, "stopping": stopping,
        "log": logs.append, "ready": ready}, daemon=True)
    thread.start()
    try:
        assert ready.wait(30)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/a/", timeout=10).read().decode()
        assert "Alpha" in page and "/__vibesite/events" in page
        events = urllib.request.urlopen(f"http://127.0.0.1:{port}/__vibesite/events", timeout=5)
        fake_embedder.calls.clear()
        write_files(config.content_dir, {"a.md": "# Alpha edited\n\nfirst, changed"})
        assert events.readline() == b"data: reload\n"  # within the 5 s socket timeout
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/a/", timeout=10).read().decode()
        assert "Alpha edited" in page
        assert fake_embedder.encoded == ["Alpha edited\n\nfirst, changed"]
        assert not (config.output_dir / "a/index.html").read_text().count("__vibesite")
    finally:
        stopping.set()
        thread.join(10)
    assert any(line.startswith("Rebuilt: 2 articles, 0 new and 1 changed") for line in logs)


def test_serve_default_model_keeps_semantic_search(make_site: Callable[..., Config],
                                                   real_embedder: object) -> None:
    """serve's ConfiguredModel counts as the configured model: the browser gets its encoder."""
    from vibesite.diagnostics import Diagnostics
    from vibesite.model.configured import ConfiguredModel
    from vibesite.pipeline import _query_encoder

    config = make_site({"a.md": "# A\n\ntext"})
    diagnostics = Diagnostics()
    files = _query_encoder(config, ConfiguredModel(config), diagnostics)
    assert files is not None and files.model_onnx.is_file()
    assert _query_encoder(config, FakeEmbedder(), diagnostics) is None
    assert diagnostics.items == []


def test_serve_on_a_taken_port_is_one_clear_error(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from vibesite.cli import main

    (tmp_path / "content").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--content", str(tmp_path / "content"),
                     "--output", str(tmp_path / "site"), "--port", str(port)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot serve {tmp_path / 'site'} on port {port}: Address already in use" in err
    assert "Traceback" not in err and not any((tmp_path / "site").iterdir())
