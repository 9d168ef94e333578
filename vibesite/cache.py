"""A cache of rendered Markdown keyed by the hash of its source, so warm builds skip
markdown-it and Pygments for unchanged articles (they are most of a warm build's time)."""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from pathlib import Path

from markdown_it import MarkdownIt

from vibesite import __version__
from vibesite.markdown import RenderedMarkdown, render_markdown

# Bump when the Markdown configuration or the plain-text extraction changes.
RENDER_VERSION = f"{__version__}/2"  # 2: raw_html = false drops HTML comments


class RenderCache:
    """Loaded whole at the start of a build; ``save`` keeps only the entries this build used."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[bytes, RenderedMarkdown] = {}
        self.used: set[bytes] = set()
        self.added: dict[bytes, RenderedMarkdown] = {}
        if path is not None and path.exists():
            try:
                with sqlite3.connect(path) as conn:
                    rows = conn.execute("SELECT key, html, text, h1_title, h1_line FROM rendered")
                    self.entries = {bytes(r[0]): RenderedMarkdown(*r[1:]) for r in rows}
            except sqlite3.DatabaseError:
                self.entries = {}  # a damaged cache is only a slower build

    def render(self, md: MarkdownIt, body: str, take_h1: bool) -> RenderedMarkdown:
        raw_html = md.options.get("raw_html", True)  # the same body renders differently
        key = hashlib.md5(f"{RENDER_VERSION}\0{int(take_h1)}\0{int(raw_html)}\0{body}"
                          .encode()).digest()
        self.used.add(key)
        found = self.entries.get(key)
        if found is None:
            found = render_markdown(md, body, take_h1)
            self.entries[key] = self.added[key] = found
        return found

    def save(self) -> None:
        if self.path is None:
            return
        stale = [k for k in self.entries if k not in self.used and k not in self.added]
        if not self.added and not stale:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS rendered (key BLOB PRIMARY KEY, html TEXT, "
                         "text TEXT, h1_title TEXT, h1_line INTEGER)")
            conn.executemany("DELETE FROM rendered WHERE key = ?", [(k,) for k in stale])
            conn.executemany(
                "INSERT OR REPLACE INTO rendered VALUES (?, ?, ?, ?, ?)",
                [(k, r.html, r.text, r.h1_title, r.h1_line) for k, r in self.added.items()])
        self.added.clear()


class StageMemo:
    """The last output of a pure stage, kept with a digest of its inputs: a build whose inputs
    did not change reuses it instead of recomputing (and importing what computing needs)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, stage: str, digest: str) -> object | None:
        if not self.path.exists():
            return None
        try:
            with sqlite3.connect(self.path) as conn:
                row = conn.execute("SELECT value FROM memo WHERE stage = ? AND digest = ?",
                                   (stage, digest)).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.DatabaseError, pickle.UnpicklingError, AttributeError, EOFError):
            return None  # a damaged or outdated memo is only a slower build

    def put(self, stage: str, digest: str, value: object) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS memo (stage TEXT PRIMARY KEY, digest TEXT, "
                         "value BLOB)")
            conn.execute("INSERT OR REPLACE INTO memo VALUES (?, ?, ?)",
                         (stage, digest, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))


def digest_of(*parts: object) -> str:
    """md5 over strings, bytes and numpy arrays (by their bytes), in order."""
    h = hashlib.md5(RENDER_VERSION.encode())
    for part in parts:
        data = part.tobytes() if hasattr(part, "tobytes") else (
            part if isinstance(part, bytes) else repr(part).encode())
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()
