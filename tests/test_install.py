"""From a built wheel in a fresh virtual environment: ``vibesite init`` then the exact build
command of the Pages workflow it writes, with no templates of the site's own."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from _sitebuild import REPO, share_onnx_cache

pytestmark = pytest.mark.slow  # builds a wheel and a virtual environment, then a real build


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with only the vibesite wheel installed; its dependencies come from the test
    environment's site-packages through a .pth file (no network, no second torch)."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(root / "dist"), str(REPO)], check=True)
    wheel = next((root / "dist").glob("vibesite-*.whl"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                              "get_paths()['purelib'])"], capture_output=True, text=True,
                             check=True).stdout.strip()
    Path(purelib, "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True)
    return venv


def _workflow_build_command(workflow: Path, base_url: str) -> list[str]:
    steps = yaml.safe_load(workflow.read_text())["jobs"]["build"]["steps"]
    run = next(s["run"] for s in steps if s.get("name") == "Build")
    return shlex.split(run.replace("${{ steps.pages.outputs.base_url }}", base_url.rstrip("/")))


def test_init_then_the_workflow_build_from_an_installed_wheel(
        wheel_venv: Path, tmp_path: Path, onnx_cache: Path) -> None:
    # a PYTHONPATH naming a checkout would import vibesite from there, not from the wheel
    outside = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env = {**outside, "PATH": f"{wheel_venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "HF_HUB_OFFLINE": "1"}
    where = subprocess.run(["python", "-c", "import vibesite; print(vibesite.__file__)"],
                           env=env, cwd=tmp_path, capture_output=True, text=True,
                           check=True).stdout
    assert str(wheel_venv) in where and str(REPO) not in where
    site = tmp_path / "my-blog"
    subprocess.run(["vibesite", "init", str(site)], env=env, check=True, capture_output=True)
    assert not (site / "templates").exists()
    share_onnx_cache(site / ".vibesite", onnx_cache)
    command = _workflow_build_command(site / ".github/workflows/pages.yml",
                                      "https://someone.github.io/my-blog/")
    assert command[:2] == ["vibesite", "build"]
    done = subprocess.run([*command, "--output", str(tmp_path / "out")], cwd=site, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    home = (out / "index.html").read_text()
    assert "Welcome to your new site" in home
    assert 'href="/my-blog/static/style.css?v=' in home
    article = (out / "writing-your-first-post/index.html").read_text()
    assert 'href="/my-blog/welcome/"' in article  # the other article, as Related
    for name in ("search/manifest.json", "topics/index.html",
                 "map/index.html", "atom.xml", "sitemap.xml"):
        assert (out / name).is_file(), name
    [entry] = re.findall(r'src="/my-blog/(static/search/main\.[0-9a-f]{10}\.js)"', home)
    assert (out / entry).is_file()  # the installed wheel has the theme's search modules
    assert "https://someone.github.io/my-blog/welcome/" in (out / "sitemap.xml").read_text()
