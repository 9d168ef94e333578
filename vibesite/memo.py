"""Stage memos: the last output of a pure stage, reused while its inputs are unchanged.

In: a stage name, the stage's own version, the parts of its key (the inputs, by value), and a
function that computes the output. Out: the output, from ``.vibesite/memo.db`` when the key
matches what was stored, else computed and stored. The key also holds the vibesite version
and the fields of the output's class, so a new release, or a class that gained a field, does
not reuse an outdated object. One row per stage: a stage keeps only its latest output. A
damaged, outdated or unreadable memo is only a slower build.

``load``/``save`` keep the other kind: a value whose entries are keyed by their own content
hash, which a stage reads, prunes and adds to (the search stage's terms per text), stored
under the stage's version only.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TypeVar

from vibesite import __version__

T = TypeVar("T")
_DAMAGED = {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}


def _shape(kind: type) -> str:
    """A class and, for a dataclass, its fields: a stored value of another shape (a class that
    gained a field) is never unpickled into the new code."""
    fields = getattr(kind, "__dataclass_fields__", {})
    return f"{kind.__module__}.{kind.__qualname__}({', '.join(fields)})"


def digest_of(*parts: object) -> str:
    """md5 over strings, bytes and numpy arrays (by their bytes), in order."""
    h = hashlib.md5()
    for part in parts:
        data = part.tobytes() if hasattr(part, "tobytes") else (
            part if isinstance(part, bytes) else repr(part).encode())
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Memo:
    """The memo file of one site's cache folder. ``stages`` names every stage that keeps a
    memo there: a row of any other stage (one an older vibesite kept) is deleted on the next
    write, so a cache carried across upgrades does not keep dead outputs forever."""

    def __init__(self, path: Path, stages: Collection[str]) -> None:
        self.path = path
        self.stages = frozenset(stages)

    def cached(self, stage: str, version: object, key_parts: Sequence[object],
               compute: Callable[[], T], kind: type[T],
               valid: Callable[[T], bool] = lambda _: True) -> T:
        """The stored output of ``stage`` if its version and key parts are the same as when it
        was stored, it is a ``kind`` and ``valid`` accepts it; else ``compute()``, stored."""
        self._known(stage)
        digest = digest_of(stage, version, __version__, _shape(kind), *key_parts)
        found = self._get(stage, digest)
        if isinstance(found, kind) and valid(found):
            return found
        value = compute()
        self._put(stage, digest, value)
        return value

    def load(self, stage: str, version: object) -> object | None:
        """What ``save`` stored for this stage and version, or None."""
        self._known(stage)
        return self._get(stage, digest_of(stage, version))

    def save(self, stage: str, version: object, value: object) -> None:
        self._known(stage)
        self._put(stage, digest_of(stage, version), value)

    def _known(self, stage: str) -> None:
        if stage not in self.stages:
            raise ValueError(f"memo stage {stage!r} is not one of {sorted(self.stages)}")

    def _get(self, stage: str, digest: str) -> object | None:
        if not self.path.exists():
            return None
        try:
            with sqlite3.connect(self.path) as conn:
                row = conn.execute("SELECT value FROM memo WHERE stage = ? AND digest = ?",
                                   (stage, digest)).fetchone()
            return pickle.loads(row[0]) if row else None
        except Exception:  # noqa: BLE001 - damaged, or classes that moved or changed
            return None

    def _put(self, stage: str, digest: str, value: object) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._write(stage, digest, value)
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) not in _DAMAGED:
                raise  # a full disk or a read-only folder: the memo is not the problem
            self.path.unlink()  # not a database (any more): start a new one
            self._write(stage, digest, value)

    def _write(self, stage: str, digest: str, value: object) -> None:
        with sqlite3.connect(self.path) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS memo (stage TEXT PRIMARY KEY, digest TEXT, "
                         "value BLOB)")
            conn.execute("INSERT OR REPLACE INTO memo VALUES (?, ?, ?)",
                         (stage, digest, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
            known = sorted(self.stages)
            conn.execute(f"DELETE FROM memo WHERE stage NOT IN ({', '.join('?' * len(known))})",
                         known)
