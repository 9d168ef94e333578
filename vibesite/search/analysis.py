"""Text analysis shared by the search index builder and the search reader.

The browser (``analysis.js``) does exactly the same, so a query typed there finds the same terms:

- ``tokenize``: NFKC, ``str.lower()`` (JS: ``toLowerCase()``), tokens = maximal runs of Unicode
  letters, numbers and combining marks (JS: ``/[\\p{L}\\p{N}\\p{M}]+/gu``), tokens longer than
  ``MAX_TOKEN_CHARS`` code points dropped (JS: ``[...token].length``), then each token stemmed by
  the Snowball English stemmer (JS: npm ``snowball-stemmers`` 0.6.0 ``newStemmer("english")``,
  which stems exactly like Python ``snowballstemmer`` 2.x; 3.x changed the English algorithm).
  Chinese and Japanese have no spaces between words, so a run of Han, Hiragana or Katakana
  (``CJK_RANGES``) inside a token becomes its overlapping pairs of characters (one character
  alone stays itself): 日本語の検索 -> 日本 本語 語の の検 検索. A query's pairs then match a page
  holding the same characters in a row, whatever the word boundaries.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

MAX_TOKEN_CHARS = 40
VERSION = 2  # bump when tokenize() changes: cached terms are keyed by it (2: CJK bigrams)
# Han, Hiragana and Katakana (and 々〆〇), as code point ranges; the same in analysis.js.
CJK_RANGES = ((0x3005, 0x3007), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF),
              (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
_CJK_RUN = re.compile("([" + "".join(f"{chr(a)}-{chr(b)}" for a, b in CJK_RANGES) + "]+)")
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
def stemmer() -> Callable[[str], str]:
    """The Snowball English stemmer every term goes through (memoised)."""
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


def _cjk_split(token: str) -> list[str]:
    """A token's CJK runs as character pairs, the parts between them as they are."""
    parts = _CJK_RUN.split(token)  # even: other text, odd: a CJK run
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part and len(part) <= MAX_TOKEN_CHARS:
                out.append(part)
        else:
            out += [part] if len(part) == 1 else [part[j:j + 2] for j in range(len(part) - 1)]
    return out


def words(text: str) -> list[str]:
    """The tokens before stemming: NFKC, lowercase, runs of letters/numbers/marks, CJK runs
    as overlapping character pairs."""
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():
        return [t for t in _ASCII_TOKEN.findall(text) if len(t) <= MAX_TOKEN_CHARS]
    bmp, general = _token_patterns()
    found = (general if _ASTRAL.search(text) else bmp).findall(text)
    if not _CJK_RUN.search(text):
        return [t for t in found if len(t) <= MAX_TOKEN_CHARS]
    return [part for token in found for part in _cjk_split(token)]


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where the runs of letters, numbers and marks of ``text`` are, as it is (no NFKC, no
    lowercasing): the words an excerpt can mark (JS: ``wordSpans``)."""
    return [m.span() for m in _token_patterns()[1].finditer(text)]


def tokenize(text: str) -> list[str]:
    """Stemmed search terms of ``text``, in order, with repeats."""
    stem = stemmer()
    return [stem(t) for t in words(text)]
