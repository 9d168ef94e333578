"""Why the embeddings file cannot be used, in one line that says what to do.

In: the file's path and the problem (or the ``sqlite3`` error met while using it). Out:
``StoreError``, which the command line prints as ``error: <file>: <problem>; <what to do>``
with exit status 2, never a traceback.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_REBUILD_HINT = "run `vibesite build --rebuild-cache` (or delete {folder}) to start it afresh"


class StoreError(Exception):
    """The embeddings file cannot be used: one line naming it and what to do."""

    def __init__(self, path: Path, problem: str, hint: str | None = None) -> None:
        self.path = path
        advice = rebuild_hint(path) if hint is None else hint
        super().__init__(f"{path}: {problem}; {advice}")

    @classmethod
    def from_sqlite(cls, path: Path, exc: sqlite3.Error) -> StoreError:
        """The user's reading of a SQLite error met while using the file."""
        text = str(exc)
        if "locked" in text or "busy" in text:
            return cls(path, "is locked by another program",
                       "close what holds it (a Datasette or sqlite3 shell writing to it) "
                       "and build again")
        if "readonly" in text:
            return cls(path, "cannot be written (read-only file or folder)",
                       "make it writable, or set cache_dir in vibesite.toml")
        if "not a database" in text:
            return cls(path, "is not a SQLite database")
        if "malformed" in text or "corrupt" in text:
            return cls(path, "is damaged (SQLite reports it malformed)")
        if isinstance(exc, sqlite3.OperationalError) and (
                "column" in text or "constraint" in text or "no such table" in text):
            return cls(path, f"has a schema vibesite cannot use ({text})")
        return cls(path, f"cannot be used: {text}")


def rebuild_hint(path: Path) -> str:
    return _REBUILD_HINT.format(folder=path.parent)
