"""The theme's search modules under content-hashed names, so a browser never mixes versions.

In: the static files chosen for the site, as ``(source file, site path)`` pairs (the theme's,
overridden file by file by the site's own ``static/``), and the site path of an entry module
(``SEARCH_ENTRY``).
Out: ``hash_scripts(static)`` -> ``HashedScripts``: the bytes of every module the entry
reaches, each under ``<name>.<hash>.js`` beside its source's path; which path became which
name (for ``asset()``); and the other static files, left to be copied as they are.

A module's imports are its relative specifiers (``"./x.js"``, ``"../x.js"``) after ``from``,
``import`` or ``import(``, and a worker's module in ``new URL("./x.js", import.meta.url)``,
outside comments; each is rewritten to the hashed name of the module
it names, and the module's hash is then that of those rewritten bytes (``hashed_path``, as the
search index names its files). So a changed module renames itself and every module that
imports it, up to the entry, which the theme links: a page always loads one consistent set,
and every file can be cached for good. An import cycle cannot be named by its content, and an
import of a file the site does not have would fail in the browser: both stop the build, naming
the file and line.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vibesite.diagnostics import BuildError, Diagnostic
from vibesite.search.index import hashed_path as index_hashed_path

SEARCH_ENTRY = "static/search/main.js"
# What themes linked before the search script was split into modules: asset() still
# resolves it to the entry (unless the site has a file of that name).
LEGACY_ENTRY = "static/search.js"
_SPECIFIER = re.compile(rb"""(?P<lead>\bfrom\s*|\bimport\s*(?:\(\s*)?|\bnew\s+URL\s*\(\s*)"""
                        rb"""(?P<quote>["'])(?P<spec>\.\.?/[^"'\n]*)(?P=quote)""")


@dataclass(frozen=True)
class HashedScripts:
    files: dict[str, bytes]  # hashed site path -> the module's bytes, specifiers rewritten
    names: dict[str, str]  # site path -> hashed site path, for asset()
    static: tuple[tuple[Path, str], ...]  # the static files that are not hashed modules
    # site path -> hashed site paths of every module it imports statically, directly or not
    # (sorted), so a page can preload them at once instead of one level of imports at a time
    imports: dict[str, tuple[str, ...]] = field(default_factory=dict)


def hashed_path(path: str, data: bytes) -> str:
    """``static/search/rank.js`` + bytes -> ``static/search/rank.<hash>.js``."""
    stem, suffix = posixpath.splitext(path)
    return index_hashed_path(stem, data, suffix)


def _without_comments(data: bytes) -> bytes:
    """``data`` with every comment blanked (spaces; newlines kept, so offsets and line numbers
    stay): an import written in a comment is not an import. String literals are skipped
    whole, so ``"//"`` in a string is not a comment; a regular expression literal holding
    ``//`` at worst hides the rest of its own line."""
    out = bytearray(data)
    i, n = 0, len(data)
    while i < n:
        char = data[i : i + 1]
        if char in (b'"', b"'", b"`"):
            i += 1
            while i < n and data[i : i + 1] != char:
                i += 2 if data[i : i + 1] == b"\\" else 1
            i += 1
        elif data.startswith(b"//", i):
            end = data.find(b"\n", i)
            end = n if end < 0 else end
            out[i:end] = b" " * (end - i)
            i = end
        elif data.startswith(b"/*", i):
            end = data.find(b"*/", i + 2)
            end = n if end < 0 else end + 2
            out[i:end] = bytes(b if b == 0x0A else 0x20 for b in data[i:end])
            i = end
        else:
            i += 1
    return bytes(out)


def _error(source: Path, line: int, message: str) -> BuildError:
    diagnostic = Diagnostic(str(source), line, "error", message, "script-import")
    return BuildError([diagnostic], "the search script modules cannot be named by content")


def hash_scripts(static: Sequence[tuple[Path, str]],
                 entry: str = SEARCH_ENTRY) -> HashedScripts:
    """Hash ``entry`` and every module it imports, directly or not (see the module's doc)."""
    sources = {dest: src for src, dest in static}
    if entry not in sources:
        return HashedScripts({}, {}, tuple(static))
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    reaches: dict[str, set[str]] = {}  # site path -> hashed paths it imports, directly or not
    importing: list[str] = []  # the chain of modules being rewritten, for cycles

    def name(path: str) -> str:
        if path in names:
            return names[path]
        source = sources[path]
        importing.append(path)
        reached = reaches[path] = set()
        data = source.read_bytes()

        def rewrite(match: re.Match[bytes]) -> bytes:
            spec = match["spec"].decode("utf-8")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
            line = data.count(b"\n", 0, match.start()) + 1
            if target in importing:
                raise _error(source, line, f"imports {spec!r}, which imports it back (directly "
                             "or not): an import cycle cannot be named by its content")
            if target not in sources:
                raise _error(source, line, f"imports {spec!r}, but the site has no {target}")
            hashed = name(target)
            if not match["lead"].rstrip().endswith(b"("):  # import(), new URL() stay lazy
                reached.update({hashed, *reaches[target]})
            new_spec = spec[: spec.rfind("/") + 1] + posixpath.basename(hashed)
            return (data[match.start() : match.start("spec")] + new_spec.encode("utf-8")
                    + data[match.end("spec") : match.end()])

        parts, at = [], 0
        for match in _SPECIFIER.finditer(_without_comments(data)):  # same offsets as data
            parts += [data[at : match.start()], rewrite(match)]
            at = match.end()
        rewritten = b"".join([*parts, data[at:]])
        importing.pop()
        names[path] = hashed = hashed_path(path, rewritten)
        files[hashed] = rewritten
        return hashed

    name(entry)
    if entry == SEARCH_ENTRY and LEGACY_ENTRY not in sources:
        names[LEGACY_ENTRY] = names[entry]
        reaches[LEGACY_ENTRY] = reaches[entry]
    return HashedScripts(files, names,
                         tuple((src, dest) for src, dest in static if dest not in names),
                         {path: tuple(sorted(found)) for path, found in reaches.items()})
