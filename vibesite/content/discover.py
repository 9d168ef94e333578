"""Stage 1: find the Markdown sources and static files, and read them (with git dates)."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from vibesite.config import Config
from vibesite.diagnostics import Diagnostics

# The file name endings read as Markdown; other files are published as they are.
MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkd")


def is_markdown(path: str) -> bool:
    return path.endswith(MARKDOWN_EXTENSIONS)


@dataclass(frozen=True)
class SourceFile:
    relpath: str  # POSIX path relative to the content folder
    text: str
    mtime: float


@dataclass(frozen=True)
class GitDates:
    created: datetime
    updated: datetime


@dataclass(frozen=True)
class Discovery:
    content_dir: Path
    sources: tuple[SourceFile, ...]
    static_files: tuple[str, ...]  # relative paths of non-Markdown files to copy
    git_dates: dict[str, GitDates]
    # (site path, file) of the passthrough folders' files, published at the site root
    root_files: tuple[tuple[str, Path], ...] = ()

    @property
    def site_files(self) -> tuple[str, ...]:
        """The site paths of every file published as it is: the content folder's and the
        passthrough folders'."""
        return (*self.static_files, *(path for path, _ in self.root_files))


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob over POSIX paths: ``**/`` spans folders, ``*`` stays in one; no ``/`` = root only."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(relpath: str, patterns: tuple[str, ...]) -> bool:
    return any(glob_regex(p).match(relpath) for p in patterns)


def _walk(root: Path, skip: set[Path]) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and (here / d).resolve() not in skip
        )
        for name in filenames:
            if not name.startswith("."):
                found.append((here / name).relative_to(root).as_posix())
    return sorted(found)


def git_dates(content_dir: Path) -> dict[str, GitDates]:
    """First and last commit date of every file under ``content_dir``, from one ``git log``."""
    try:
        out = subprocess.run(
            ["git", "-c", "core.quotePath=false", "log", "--format=%x00%cI", "--name-only",
             "--relative", "--no-renames", "--", "."],
            cwd=content_dir, capture_output=True, text=True, check=True, timeout=120,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, GitDates] = {}
    for commit in out.split("\x00")[1:]:
        lines = commit.strip("\n").split("\n")
        when = datetime.fromisoformat(lines[0])
        for name in filter(None, lines[1:]):
            seen = dates.get(name)
            # git log lists newest first: the first sighting is the update, the last the creation.
            dates[name] = GitDates(created=when, updated=seen.updated if seen else when)
    return dates


def discover(config: Config, diagnostics: Diagnostics) -> Discovery:
    root = config.content_dir
    if not root.is_dir():
        diagnostics.error(str(root), 1, "content folder not found; pass --content DIR",
                          "no-content")
        return Discovery(root, (), (), {})
    skip = {config.output_dir.resolve(), config.cache_dir.resolve()}
    sources: list[SourceFile] = []
    static: list[str] = []
    for relpath in _walk(root, skip):
        if matches(relpath, config.exclude):  # an article or any other file, as in Jekyll
            continue
        if not is_markdown(relpath):
            static.append(relpath)
            continue
        if not matches(relpath, config.include):
            continue
        path = root / relpath
        try:
            data = path.read_bytes()
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            diagnostics.error(relpath, line, "file is not valid UTF-8; re-save it as UTF-8",
                              "not-utf8")
            continue
        except OSError as exc:
            diagnostics.error(relpath, 1, f"cannot read file: {exc.strerror}", "unreadable")
            continue
        sources.append(SourceFile(relpath, text, path.stat().st_mtime))
    root_files = {relpath: folder / relpath for folder in reversed(config.passthrough)
                  if folder.is_dir() for relpath in _walk(folder, skip)}
    return Discovery(root, tuple(sources), tuple(static), git_dates(root),
                     tuple(sorted(root_files.items())))
