"""Rendering with a process pool gives the same site, byte for byte, as one process."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from _sitebuild import REPO, FakeEmbedder, build_quiet, snapshot

from vibesite.config import Config
from vibesite.site import render as render_module

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "darwin",
    reason="the render pool forks, and not on macOS")


def _site_files() -> dict[str, str]:
    files = {}
    for n in range(60):
        tags = ", ".join(f"tag-{t}" for t in range(n % 4 + 1))
        body = " ".join(f"word{(n * 7 + i) % 50}" for i in range(40))
        files[f"part-{n % 3}/post-{n}.md"] = (
            f"---\ntitle: \"Post {n} <b>& 'quotes'\"\ndate: 2024-01-{n % 28 + 1:02d}\n"
            f"tags: [{tags}]\n---\n# Heading {n}\n\n{body}\n\n```python\nx = {n}\n```\n")
    return files


def test_pool_and_single_process_write_identical_sites(
        make_site: Callable[..., Config], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    config = make_site(_site_files())
    monkeypatch.setattr(render_module, "PARALLEL_PAGES", 10**9)
    build_quiet(config, FakeEmbedder())
    alone = snapshot(config.output_dir)

    pools: list[int] = []
    real_pool = render_module.ProcessPoolExecutor

    def counting_pool(workers: int, **kwargs: object) -> object:
        pools.append(workers)
        return real_pool(workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render_module, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(render_module, "usable_cores", lambda: 2)
    monkeypatch.setattr(render_module, "ProcessPoolExecutor", counting_pool)
    pooled_config = replace(config, output_dir=tmp_path / "pooled-site")
    build_quiet(pooled_config, FakeEmbedder())
    pooled = snapshot(pooled_config.output_dir)

    assert pools == [2]
    assert len(alone) > 80
    assert sorted(alone) == sorted(pooled)
    differing = [path for path in alone if alone[path] != pooled[path]]
    assert differing == []


def test_few_pages_are_rendered_in_this_process(
        make_site: Callable[..., Config], monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_site(_site_files())

    def no_pool(*args: object, **kwargs: object) -> object:
        raise AssertionError("a pool was started below PARALLEL_PAGES")

    monkeypatch.setattr(render_module, "ProcessPoolExecutor", no_pool)
    build_quiet(config, FakeEmbedder())
    assert (config.output_dir / "part-0/post-0/index.html").is_file()


_KILLED_PARENT = """
import sys, time, types
from pathlib import Path
from vibesite.site import render
from vibesite.buildlock import site_lock
from vibesite.config import Config
from vibesite.site.pages import Page

def slow(config, site, env, start, stop):
    time.sleep(120)
    return []

render._render_pages = slow  # inherited by the forked workers
site = types.SimpleNamespace(info=None, files={}, static=(),
                             pages=tuple(Page(f"p{n}/", f"p{n}/index.html", "x.html", {})
                                         for n in range(8)))
with site_lock(Path(sys.argv[1])):
    print("rendering", flush=True)
    render.render(Config(), site, [], workers=2)
"""


@pytest.mark.slow  # kill -9 of a build whose forked workers sleep in a page
def test_workers_die_with_a_killed_build_and_release_its_lock(tmp_path: Path) -> None:
    """kill -9 of the build while its workers render: the workers (which inherited the build
    lock's file) must not live on and block every later build."""
    import fcntl
    import os
    import signal
    import subprocess
    import time

    parent = subprocess.Popen([sys.executable, "-c", _KILLED_PARENT, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert parent.stdout is not None and parent.stdout.readline().strip() == "rendering"
    time.sleep(2)  # the pool's workers are forked and sleeping in a page
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    fd = os.open(tmp_path / "build.lock", os.O_RDWR)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, "orphaned render workers hold the lock"
                time.sleep(0.1)
    finally:
        os.close(fd)
