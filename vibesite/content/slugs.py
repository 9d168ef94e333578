"""Slugs: the URL parts made from file names, titles, tags and topic names.

In: text. Out: a slug safe as one URL path segment and one file name.
- ``slugify``: articles (any script's letters kept; at most SLUG_BYTES of UTF-8);
- ``tag_slug``: tags (C++ and C# kept apart from C); ``nested_tag_slug``: an Obsidian vault's
  tags, ``/`` kept between the levels of a nested tag (``lang/python``), as Quartz's ``slugTag``;
- ``topic_slug``: topics (ASCII only, at most 60 characters, never empty);
- ``unique_slug``: a slug not used yet, with ``-2``, ``-3``... as needed.
"""

from __future__ import annotations

import re
import unicodedata

SLUG_BYTES = 200
TOPIC_SLUG_CHARS = 60


def slugify(text: str) -> str:
    """Lower-case letters (any script), digits, ``_ . ~ -``; at most SLUG_BYTES of UTF-8, so
    that with a ``-2`` clash suffix it is still a file name every file system takes."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"-{2,}", "-", re.sub(r"[^\w.~-]+", "-", text)).strip("-.")
    if len(text.encode("utf-8")) > SLUG_BYTES:
        text = text.encode("utf-8")[:SLUG_BYTES].decode("utf-8", "ignore").rstrip("-.")
    return text or "untitled"


def tag_slug(name: str) -> str:
    """Like slugify, but C++ and C# stay apart from C (``cplusplus``, ``csharp``)."""
    return slugify(name.replace("+", "plus").replace("#", "sharp"))


def nested_tag_slug(name: str) -> str:
    """``tag_slug`` of each level of a nested tag, joined by ``/``: ``Lang/Python`` ->
    ``lang/python`` (Quartz 4's tag page is ``/tags/Lang/Python``, case kept)."""
    return "/".join(tag_slug(part) for part in name.split("/") if part.strip()) or "untitled"


def topic_slug(text: str) -> str:
    """ASCII letters and digits joined by ``-`` (accents folded), at most TOPIC_SLUG_CHARS."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:TOPIC_SLUG_CHARS].rstrip("-") or "topic"


def unique_slug(base: str, used: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not in ``used`` (then added to it)."""
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug
