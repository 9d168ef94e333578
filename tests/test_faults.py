"""Faults: a build killed with SIGKILL, two builds at once, a disk that refuses the site.

The kill and lock tests run real ``python -m vibesite build`` subprocesses on tiny sites in
tmp_path and find the moment to act from what the build leaves on disk (rows committed to
the SQLite store, the staging folder beside the output, the pid in the lock file), so
vibesite carries no test hook.
"""

from __future__ import annotations

import ctypes
import os
import resource
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
from _sitebuild import (
    FakeEmbedder,
    build_quiet,
    share_onnx_cache,
    site_with_toml,
    snapshot,
    write_files,
)

from vibesite.cli import main
from vibesite.commands.serve import rebuild
from vibesite.config import Config, load_config
from vibesite.model.configured import ConfiguredModel
from vibesite.model.sentence_transformer import SentenceTransformerEmbedder

WORDS = ("river", "stone", "garden", "lantern", "copper", "violin", "orbit", "harbor",
         "maple", "quartz", "falcon", "meadow", "canyon", "ember", "glacier", "tundra",
         "saffron", "cobalt", "prairie", "delta", "summit", "willow", "thunder", "compass",
         "archive", "beacon")


def _note(number: int) -> str:
    words = " ".join(WORDS[(number * 7 + k * 3) % len(WORDS)] for k in range(24))
    return f"# Note {number}\n\nNote {number} is about {words}.\n"


def _notes(numbers: range) -> dict[str, str | bytes]:
    return {f"note-{n:03d}.md": _note(n) for n in numbers}


def _site(root: Path, count: int, **settings: object) -> Config:
    """``count`` short notes and a vibesite.toml in ``root`` (search off: exporting the
    browser's model is not what these tests are about, and takes a while)."""
    return site_with_toml(root, _notes(range(count)), **{"title": "Faults", "search": False,
                                                         **settings})


def _start_build(root: Path, preexec: Callable[[], None] | None = None
                 ) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "vibesite", "build"], cwd=root, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec)


def _finish(build: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = build.communicate(timeout=600)
    return build.returncode, out, err


def _kill(build: subprocess.Popen[str]) -> None:
    build.send_signal(signal.SIGKILL)
    build.communicate(timeout=60)  # reaped: its pid no longer names a running process


def _wait_for(ready: Callable[[], bool], build: subprocess.Popen[str] | None, what: str,
              timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if build is not None and build.poll() is not None:
            raise AssertionError(f"the build ended before {what}: {build.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.005)


def _stored_articles(db: Path) -> int:
    with closing(sqlite3.connect(db, timeout=60)) as conn:
        row = conn.execute("SELECT count(*) FROM embeddings JOIN collections "
                           "ON collections.id = collection_id WHERE name = 'articles'").fetchone()
    return int(row[0])


def _assert_caches_consistent(cache_dir: Path) -> None:
    databases = sorted(cache_dir.glob("*.db"))
    assert {p.name for p in databases} >= {"embeddings.db", "markdown-cache.db", "memo.db"}
    for database in databases:
        with closing(sqlite3.connect(database)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], database


def _staging(config: Config) -> Path | None:
    return next(config.output_dir.parent.glob(f".{config.output_dir.name}.tmp-*"), None)


def _file_count(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


@pytest.mark.slow  # kill -9 of a build that embeds with the real model
def test_kill_during_embedding_keeps_every_committed_chunk(
        tmp_path: Path, onnx_cache: Path) -> None:
    config = _site(tmp_path, 5, batch_size=8)  # commits every 64 texts
    share_onnx_cache(config.cache_dir, onnx_cache)
    build_quiet(config, ConfiguredModel(config))  # the encoder `vibesite build` uses
    before = snapshot(config.output_dir)
    write_files(config.content_dir, _notes(range(5, 200)))
    build = _start_build(tmp_path)
    _wait_for(lambda: _stored_articles(config.db_path) > 5, build,
              "the build committed a chunk of new embeddings")
    _kill(build)
    stored = _stored_articles(config.db_path)
    assert 5 < stored < 200
    assert snapshot(config.output_dir) == before
    _assert_caches_consistent(config.cache_dir)

    code, out, err = _finish(_start_build(tmp_path))
    assert code == 0, err
    assert f"Embeddings: {200 - stored} new, 0 changed, 0 removed" in out
    assert _stored_articles(config.db_path) == 200
    assert len(list(config.output_dir.glob("note-*/index.html"))) == 200
    _assert_caches_consistent(config.cache_dir)


@pytest.mark.slow  # kill -9 of a build writing 5,000 files, then a full build
@pytest.mark.parametrize("files_before_kill", [0, 2000])
def test_kill_while_writing_keeps_the_previous_site(
        tmp_path: Path, real_embedder: SentenceTransformerEmbedder,
        files_before_kill: int) -> None:
    config = _site(tmp_path, 5)
    build_quiet(config, real_embedder)
    before = snapshot(config.output_dir)
    write_files(config.static_dir, {f"assets/{i // 100}/{i}.txt": f"asset {i}\n"
                                    for i in range(5000)})
    build = _start_build(tmp_path)

    def writing() -> bool:
        staging = _staging(config)
        return staging is not None and _file_count(staging) >= files_before_kill

    _wait_for(writing, build, f"the build wrote {files_before_kill} files into its staging folder")
    _kill(build)
    left_behind = _staging(config)
    assert left_behind is not None  # it really was killed in the middle of writing
    assert snapshot(config.output_dir) == before
    _assert_caches_consistent(config.cache_dir)

    code, out, err = _finish(_start_build(tmp_path))
    assert code == 0, err
    assert "Embeddings: 0 new, 0 changed, 0 removed" in out
    assert (config.output_dir / "static/assets/49/4999.txt").read_text() == "asset 4999\n"
    _wait_for(lambda: not left_behind.exists(), None, "the killed build's staging folder is gone",
              timeout=60)
    assert _staging(config) is None


@pytest.mark.slow  # two builds in subprocesses, one stopped (SIGSTOP), both with the model
def test_a_second_build_waits_for_the_first(tmp_path: Path, onnx_cache: Path) -> None:
    config = _site(tmp_path, 3)
    share_onnx_cache(config.cache_dir, onnx_cache)
    build_quiet(config, ConfiguredModel(config))  # the encoder `vibesite build` uses
    write_files(config.content_dir, _notes(range(3, 5)))  # the first build embeds these
    first = _start_build(tmp_path)
    lock = config.cache_dir / "build.lock"
    _wait_for(lambda: lock.is_file() and lock.read_text().strip() == str(first.pid), first,
              "the first build holds the lock")
    first.send_signal(signal.SIGSTOP)  # keep it holding the lock until the second waits
    try:
        second = _start_build(tmp_path)
        assert second.stderr is not None
        said, _, _ = select.select([second.stderr], [], [], 120)
        waiting = second.stderr.readline() if said else "(nothing within 120 s)"
    finally:
        first.send_signal(signal.SIGCONT)
    assert waiting == f"waiting for another build of this site (pid {first.pid}) to finish...\n"
    first_code, first_out, first_err = _finish(first)
    second_code, second_out, second_err = _finish(second)
    assert (first_code, second_code) == (0, 0), first_err + second_err
    assert "Embeddings: 2 new, 0 changed, 0 removed" in first_out
    assert "Embeddings: 0 new, 0 changed, 0 removed" in second_out
    assert "wrote no files (site unchanged)" in second_out
    assert len(list(config.output_dir.glob("note-*/index.html"))) == 5
    _assert_caches_consistent(config.cache_dir)


PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def _obey_file_permissions() -> None:
    """preexec_fn: drop root's power to ignore permissions from the capability bounding set,
    so the build that is exec'd next is refused by a read-only folder, as any user would be."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _assert_one_line_error(code: int, err: str, starts: str, config: Config,
                           before: dict[str, bytes]) -> None:
    assert code == 2, err
    assert err.startswith(starts), err
    assert err.endswith("Any previous site there is unchanged.\n") and err.count("\n") == 1, err
    assert snapshot(config.output_dir) == before
    assert _staging(config) is None


def test_read_only_output_folder_is_one_clear_error(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    config = _site(tmp_path, 3, output_dir="public/site")
    build_quiet(config, fake_embedder)  # stored: the subprocess has nothing to embed
    before = snapshot(config.output_dir)
    write_files(config.static_dir, {"new.txt": "new\n"})
    parent = config.output_dir.parent
    parent.chmod(0o555)
    try:
        build = _start_build(tmp_path, _obey_file_permissions if os.geteuid() == 0 else None)
    except subprocess.SubprocessError as exc:
        parent.chmod(0o755)
        pytest.skip(f"cannot drop root's file-permission override here: {exc}")
    try:
        code, _, err = _finish(build)
    finally:
        parent.chmod(0o755)
    _assert_one_line_error(code, err, f"error: cannot write the site to {config.output_dir}: "
                           f"Permission denied ({parent}/.site.tmp-", config, before)
    assert f"; make sure {parent} is writable, or choose another output folder" in err


def test_file_size_limit_is_one_clear_error(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    """A disk that refuses a large file, for real: RLIMIT_FSIZE makes write() fail with EFBIG
    (Python ignores SIGXFSZ; so does the child, to be sure)."""
    config = _site(tmp_path, 3)
    build_quiet(config, fake_embedder)  # stored: the subprocess has nothing to embed
    before = snapshot(config.output_dir)
    write_files(config.static_dir, {"big.bin": bytes(8 << 20)})

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, 4 << 20))

    code, _, err = _finish(_start_build(tmp_path, limit_file_size))
    _assert_one_line_error(code, err, f"error: cannot write the site to {config.output_dir}: "
                           "File too large", config, before)
    assert "raise the limit" in err


def test_output_under_a_file_is_one_clear_error_in_build_and_serve(
        tmp_path: Path, fake_embedder: FakeEmbedder,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A file where the output's folder should be: a real OSError (root cannot ignore it)."""
    config = _site(tmp_path, 3)
    build_quiet(config, fake_embedder)  # stored: the build after it has nothing to embed
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder\n")
    assert main(["build", "--config", str(tmp_path / "vibesite.toml"),
                 "--output", str(blocker / "site")]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: cannot write the site to {blocker / 'site'}: File exists "
                   f"({blocker}); a file stands where a folder is needed: move it, or choose "
                   "another output folder with --output. Any previous site there is unchanged.\n")
    logs: list[str] = []
    blocked = replace(load_config(tmp_path / "vibesite.toml"), output_dir=blocker / "site")
    assert rebuild(blocked, fake_embedder, logs.append) is None  # serve keeps serving
    assert logs == [err.rstrip("\n") + " (still serving the previous build)"]


def test_unwritable_cache_folder_is_one_clear_error(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The lock is the first thing a build writes: a cache folder it cannot create stops the
    build before any work, with the path and what to do."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder\n")
    _site(tmp_path, 1, cache_dir="blocker/cache")
    assert main(["build", "--config", str(tmp_path / "vibesite.toml")]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot create the build lock {blocker / 'cache' / 'build.lock'}: Not a "
        f"directory; make sure the cache folder {blocker / 'cache'} can be created and written, "
        "or set cache_dir in vibesite.toml\n")


def test_leftovers_are_found_for_an_output_name_with_glob_characters(tmp_path: Path) -> None:
    from vibesite.site.write import _leftovers

    output = tmp_path / "site[1]"
    output.mkdir()
    old = tmp_path / ".site[1].old-123-456"
    dead = tmp_path / ".site[1].tmp-999999999-1"  # above any pid_max: no such process
    other = tmp_path / ".site1.old-123-456"  # another output's
    for folder in (old, dead, other):
        folder.mkdir()
    assert sorted(_leftovers(output)) == sorted([old, dead])
