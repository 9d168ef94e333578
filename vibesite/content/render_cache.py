"""A cache of rendered Markdown keyed by the hash of its source, so warm builds skip
markdown-it and Pygments for unchanged articles (they are most of a warm build's time).

In: a configured MarkdownIt, a body, whether its first H1 is the title. Out: RenderedMarkdown,
from ``.vibesite/markdown-cache.db`` when the same body was rendered by the same version.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from markdown_it import MarkdownIt

from vibesite import __version__
from vibesite.content.markdown import RenderedMarkdown, render_markdown

# Bump when the Markdown configuration or the plain-text extraction changes.
# 2: raw_html = false drops HTML comments; 3: links and images recorded (``refs``);
# 4: definition lists, GitHub alerts, {#id} heading ids; 5: raw HTML's links recorded;
# 6: h5 and h6 get ids too; 7: so do h1s in the body, and <a name> anchors count; 8: Obsidian's
# callouts, ==highlights==, ^block ids and image sizes (vibesite.content.obsidian); 9: ```mermaid
# blocks as <pre class="mermaid">; 11: a vault's nested #tags link to tags/nested/tag/
RENDER_VERSION = f"{__version__}/11"
_TABLE = "rendered_v3"  # a new table when the columns change: an old file is dropped whole


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
                    rows = conn.execute(
                        f"SELECT key, html, text, h1_title, h1_line, refs FROM {_TABLE}")
                    self.entries = {bytes(r[0]): RenderedMarkdown(
                        *r[1:5], tuple(tuple(ref) for ref in json.loads(r[5])))
                        for r in rows}
            except sqlite3.DatabaseError:
                self.entries = {}  # a damaged cache is only a slower build

    def render(self, md: MarkdownIt, body: str, take_h1: bool) -> RenderedMarkdown:
        raw_html = md.options.get("raw_html", True)  # the same body renders differently
        tags, math = md.options.get("inline_tags", False), md.options.get("math", False)
        key = hashlib.md5(f"{RENDER_VERSION}\0{int(take_h1)}\0{int(raw_html)}\0{int(tags)}"
                          f"\0{int(math)}\0{body}".encode()).digest()
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
            conn.execute("DROP TABLE IF EXISTS rendered")  # the columns of before version 3
            conn.execute(f"CREATE TABLE IF NOT EXISTS {_TABLE} (key BLOB PRIMARY KEY, "
                         "html TEXT, text TEXT, h1_title TEXT, h1_line INTEGER, refs TEXT)")
            conn.executemany(f"DELETE FROM {_TABLE} WHERE key = ?", [(k,) for k in stale])
            conn.executemany(
                f"INSERT OR REPLACE INTO {_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                [(k, r.html, r.text, r.h1_title, r.h1_line, json.dumps(r.refs))
                 for k, r in self.added.items()])
        self.added.clear()
