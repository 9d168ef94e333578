"""Obsidian and Quartz wikilinks, rewritten as the Markdown links vibesite.content.links resolves.

In: a body, its source path, the Markdown sources and other files of the content folder.
Out: the body with ``[[note]]``, ``[[folder/note]]``, ``[[note#Heading|label]]`` and
``[[#Heading]]`` as Markdown links to the note's file (found by name anywhere in the content
folder, as Obsidian does, the nearest one winning), and ``![[picture.png]]`` as an image.
A name no file has may be another note's alias (its front matter's ``aliases``/``alias``, as
Obsidian resolves ``[[Backups]]``); a name that matches neither is linked as ``name.md`` beside
the page, so the build reports it as a broken link. ``![[picture.png|300]]`` and ``|300x200``
give the image's width and height (``{width=300}`` after it, for
``vibesite.content.obsidian``); ``![[note]]`` is a link titled ``embeds.EMBED_TITLE``, which
``vibesite.content.embeds`` fills with the note's text. Code is left alone; ``[[ -f x ]]`` (a
space after the brackets) is not a wikilink.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath

from vibesite.content.aliases import alias_list
from vibesite.content.discover import is_markdown
from vibesite.content.embeds import EMBED_TITLE
from vibesite.content.frontmatter import normalize_newlines, split_front_matter
from vibesite.content.template_tags import outside_code
from vibesite.diagnostics import Diagnostics

_SIZE = re.compile(r"(\d+)(?:x(\d+))?")
_WIKILINK = re.compile(r"(!?)\[\[([^\s\[\]|#][^\[\]|#\n]*)?(#[^\[\]|\n]*)?(?:\|([^\[\]\n]*))?\]\]")


def _key(name: str) -> str:
    """A file name as Obsidian matches it: no extension, case ignored."""
    stem = name[: -len(PurePosixPath(name).suffix)] if is_markdown(name) else name
    return stem.lower()


def _nearest(source: str, candidates: list[str]) -> str:
    """The candidate sharing the most folders with ``source``, then the shortest path."""
    here = PurePosixPath(source).parent.parts

    def closeness(path: str) -> tuple[int, int, str]:
        parts = PurePosixPath(path).parent.parts
        shared = next((i for i, (a, b) in enumerate(zip(here, parts, strict=False)) if a != b),
                      min(len(here), len(parts)))
        return (-shared, len(parts), path)

    return min(candidates, key=closeness)


def note_aliases(sources: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Obsidian's ``aliases`` (or ``alias``; one text split at commas, as Obsidian and Quartz
    read it) of the (path, text) ``sources``, the other names a wikilink may give a note: lower
    case -> the note's path. An alias holding ``/`` is an old URL (Hugo's and Zola's
    ``aliases``), not a name."""
    found: dict[str, str] = {}
    quiet = Diagnostics()  # each file's problems are reported once, when it is parsed
    for path, text in sources:
        if "alias" in text:
            data = split_front_matter(normalize_newlines(text), path, quiet).data
            for alias in alias_list({k: data.get(k) for k in ("aliases", "alias")}, True):
                if "/" not in alias:
                    found.setdefault(alias.lower(), path)
    return found


def convert_wikilinks(body: str, source: str, files: Iterable[str],
                      aliases: Mapping[str, str] | None = None) -> str:
    """``body`` with its wikilinks as Markdown links and images (see the module docstring);
    ``aliases``: a note's alias, lower case -> the note's path."""
    if "[[" not in body:
        return body
    by_name: dict[str, list[str]] = {}
    for path in files:
        by_name.setdefault(_key(PurePosixPath(path).name), []).append(path)
        by_name.setdefault(_key(path), []).append(path)

    def link(match: re.Match[str]) -> str:
        embed, name, heading, label = match.groups()
        name = (name or "").strip()
        fragment = re.sub(r"\s+", "-", heading[1:].strip()) if heading else ""
        shown = (label or "").strip() or name or (heading or "#")[1:].strip()
        if not name:
            return f"[{shown}](#{fragment})"
        found = by_name.get(_key(name)) or (
            [aliases[name.lower()]] if aliases and name.lower() in aliases else None)
        size = _SIZE.fullmatch(label.strip()) if embed and label else None
        if size:
            shown = name
        if found:
            target = "/" + _nearest(source, found)
        else:
            target = name if is_markdown(name) or embed else name + ".md"  # reported broken
        target += f"#{fragment}" if fragment else ""
        if embed and is_markdown(target.partition("#")[0]):
            return f'[{shown}](<{target}> "{EMBED_TITLE}")'  # vibesite.content.embeds
        if embed:
            if size:
                height = f" height={size.group(2)}" if size.group(2) else ""
                return f"![{shown}](<{target}>){{width={size.group(1)}{height}}}"
            return f"![{shown}](<{target}>)"
        return f"[{shown}](<{target}>)"

    return outside_code(body, lambda text: _WIKILINK.sub(link, text))
