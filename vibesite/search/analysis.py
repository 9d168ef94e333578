"""Text analysis shared by the search index builder and the search reader.

The browser (``analysis.js``) does exactly the same, so a query typed there finds the same terms:

- ``tokenize``: NFKC, ``str.lower()`` (JS: ``toLowerCase()``), tokens = maximal runs of Unicode
  letters, numbers and combining marks (JS: ``/[\\p{L}\\p{N}\\p{M}]+/gu``), tokens longer than
  ``MAX_TOKEN_CHARS`` code points dropped (JS: ``[...token].length``), then each token stemmed by
  the Snowball English stemmer (JS: npm ``snowball-stemmers`` 0.6.0 ``newStemmer("english")``,
  which stems exactly like Python ``snowballstemmer`` 2.x; 3.x changed the English algorithm).
- ``shard_of``: FNV-1a 32-bit over the UTF-8 bytes of a stemmed term, mod the shard count.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

MAX_TOKEN_CHARS = 40
VERSION = 1  # bump when tokenize() changes: cached terms are keyed by it
_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193
_ASCII_TOKEN = re.compile("[a-z0-9]+")


def _ranges(codepoints: list[int]) -> str:
    parts: list[str] = []
    start = prev = -2
    for cp in [*codepoints, -2]:
        if cp == prev + 1:
            prev = cp
            continue
        if start >= 0:
            parts.append(re.escape(chr(start)) if start == prev
                         else f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
        start = prev = cp
    return "".join(parts)


@cache
def _token_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    r"""``[\p{L}\p{N}\p{M}]+`` for text within the BMP, and for any text.

    Python's ``\w`` has no marks (and has ``_``), so the classes are built from
    ``unicodedata`` (~0.1 s, once). Within the BMP the class is one bitmap lookup.
    """
    bmp: list[int] = []
    astral: list[int] = []
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp))[0] in "LNM":
            (bmp if cp < 0x10000 else astral).append(cp)
    bmp_class = f"[{_ranges(bmp)}]"
    return (re.compile(f"{bmp_class}+"),
            re.compile(f"(?:{bmp_class}|(?=[\U00010000-\U0010ffff])[{_ranges(astral)}])+"))


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _stem() -> Callable[[str], str]:
    try:
        import snowballstemmer
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError("search needs `pip install 'snowballstemmer>=2.2,<3'`") from exc
    stemmer = snowballstemmer.stemmer("english")
    if stemmer.stemWord("organization") != "organ":
        raise RuntimeError(
            "the installed snowballstemmer stems English differently from the browser's "
            "snowball-stemmers 0.6.0 (Snowball 3 changed the algorithm); install "
            "'snowballstemmer>=2.2,<3'")
    return lru_cache(maxsize=1 << 18)(stemmer.stemWord)


def words(text: str) -> list[str]:
    """The tokens before stemming: NFKC, lowercase, runs of letters/numbers/marks."""
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():
        found = _ASCII_TOKEN.findall(text)
    else:
        bmp, general = _token_patterns()
        found = (general if _ASTRAL.search(text) else bmp).findall(text)
    return [t for t in found if len(t) <= MAX_TOKEN_CHARS]


def tokenize(text: str) -> list[str]:
    """Stemmed search terms of ``text``, in order, with repeats."""
    stem = _stem()
    return [stem(t) for t in words(text)]


def fnv1a_32(data: bytes) -> int:
    h = _FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return h


def shard_of(term: str, n_shards: int) -> int:
    """Which lexical shard holds ``term`` (a stemmed term)."""
    return fnv1a_32(term.encode("utf-8")) % n_shards
