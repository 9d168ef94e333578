"""The release's files, built like ``pyproject-build`` (the sdist, then the wheel from the
sdist): what the wheel holds, and, from the wheel in a fresh virtual environment, ``vibesite
init`` then the exact build command of the Pages workflow it writes, pinned to this version."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml
from _sitebuild import REPO, share_onnx_cache

from vibesite import __version__

pytestmark = pytest.mark.slow  # builds a wheel and a virtual environment, then a real build

# Measured: 4.99 MB, of which the vendored onnxruntime-web WebAssembly is most (14.2 MB raw),
# then Mermaid (3.6 MB raw, ~1 MB compressed). The ceiling catches what must never ship: a model
# export (~115 MB), a built site, a cache.
MAX_WHEEL_BYTES = 6_000_000


def _hatchling(hook: str, source: Path, out: Path) -> Path:
    """Run hatchling's PEP 517 ``hook`` in ``source`` (no isolation: the test environment's
    hatchling), as ``pyproject-build`` does in the release workflow."""
    name = subprocess.run([sys.executable, "-c", "import sys; from hatchling.build import "
                           f"{hook}; print({hook}(sys.argv[1]))", str(out)], cwd=source,
                          capture_output=True, text=True, check=True).stdout.split()[-1]
    return out / name


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel): the sdist built from the checkout, the wheel from the unpacked sdist."""
    root = tmp_path_factory.mktemp("dist")
    sdist = _hatchling("build_sdist", REPO, root)
    with tarfile.open(sdist) as archive:
        archive.extractall(root / "unpacked", filter="data")
    [unpacked] = (root / "unpacked").iterdir()
    return sdist, _hatchling("build_wheel", unpacked, root)


def _shipped_files() -> dict[str, int]:
    """What the wheel must hold, name to size: the package (no caches) and the theme, which
    pyproject's force-include puts under vibesite/templates."""
    files = {}
    theme = (REPO / "templates", "vibesite/templates/")
    for top, prefix in ((REPO / "vibesite", "vibesite/"), theme):
        for path in top.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                files[prefix + path.relative_to(top).as_posix()] = path.stat().st_size
    return files


def test_the_wheel_holds_the_package_theme_and_vendored_scripts_only(
        dist: tuple[Path, Path]) -> None:
    sdist, wheel = dist
    assert wheel.name == f"vibesite-{__version__}-py3-none-any.whl"
    assert wheel.stat().st_size < MAX_WHEEL_BYTES, wheel.stat().st_size
    info = f"vibesite-{__version__}.dist-info/"
    with zipfile.ZipFile(wheel) as archive:
        sizes = {m.filename: m.file_size for m in archive.infolist()}
        metadata = archive.read(info + "METADATA").decode()
        entry_points = archive.read(info + "entry_points.txt").decode()
    assert f"\nVersion: {__version__}\n" in metadata
    assert "vibesite = vibesite.cli:main" in entry_points
    shipped = {name: size for name, size in sizes.items() if not name.startswith(info)}
    assert shipped == _shipped_files()  # same names, same sizes: nothing missing, nothing extra
    for name in ("vibesite/templates/base.html", "vibesite/templates/static/style.css",
                 "vibesite/templates/static/search/main.js",
                 "vibesite/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm",
                 "vibesite/vendor/onnxruntime-web/ort.wasm.min.mjs",
                 "vibesite/vendor/tokenizers/tokenizers.min.mjs",
                 "vibesite/vendor/snowball-stemmers/snowball-english.mjs",
                 "vibesite/commands/scaffold/.github/workflows/pages.yml"):
        assert name in shipped, name
    assert sizes["vibesite/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm"] > 10_000_000
    assert not [n for n in sizes if n.split("/")[0] in {"tests", "bench", "site", "content"}]
    with tarfile.open(sdist) as archive:
        tops = {Path(m.name).parts[1] for m in archive.getmembers() if len(Path(m.name).parts) > 1}
    assert {"vibesite", "templates", "tests", "CHANGELOG.md", "pyproject.toml"} <= tops
    assert not tops & {"site", ".vibesite", ".venv", "dist"}, tops


@pytest.fixture(scope="module")
def wheel_venv(dist: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with only the vibesite wheel installed; its dependencies come from the test
    environment's site-packages through a .pth file (no network, no second torch)."""
    venv = tmp_path_factory.mktemp("wheel") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                              "get_paths()['purelib'])"], capture_output=True, text=True,
                             check=True).stdout.strip()
    Path(purelib, "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(dist[1])], check=True)
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
    version = subprocess.run(["vibesite", "--version"], env=env, capture_output=True,
                             text=True, check=True).stdout
    assert version == f"vibesite {__version__}\n"
    site = tmp_path / "my-blog"
    subprocess.run(["vibesite", "init", str(site)], env=env, check=True, capture_output=True)
    assert not (site / "templates").exists()
    pins = re.findall(r"pip install (vibesite\S*)", (site / ".github/workflows/pages.yml")
                      .read_text())
    assert pins == [f"vibesite=={__version__}"]
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
