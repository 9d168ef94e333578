"""Text analysis shared by the search index builder and the search reader.

The browser (``analysis.js``) does exactly the same, so a query typed there finds the same terms:

- ``tokenize``: NFKC, ``str.lower()`` (JS: ``toLowerCase()``), tokens = maximal runs of Unicode
  letters, numbers and combining marks (JS: ``/[\\p{L}\\p{N}\\p{M}]+/gu``), tokens longer than
  ``MAX_TOKEN_CHARS`` code points dropped (JS: ``[...token].length``), then each token stemmed by
  the Snowball stemmer of the site's language (``stemmer_for``: "fr" -> "french"; JS: npm
  ``snowball-stemmers`` 0.6.0 cut into one module per language, ``snowball-<name>.mjs``, which
  stems exactly like Python ``snowballstemmer`` 2.x; 3.x changed the English algorithm), or not
  at all for a language Snowball has no stemmer for (None: the words as they are).
  Chinese and Japanese have no spaces between words, so a run of Han, Hiragana or Katakana
  (``CJK_RANGES``) inside a token becomes its overlapping pairs of characters (one character
  alone stays itself): 日本語の検索 -> 日本 本語 語の の検 検索. A query's pairs then match a page
  holding the same characters in a row, whatever the word boundaries.

``STEMMERS`` holds only the algorithms both libraries have that stem real words of the language
identically (tests/stem_words/, tests/js/stemmers.test.mjs); ``FOLDS`` and ``DIGITS_UNSTEMMED``
are what makes three of them agree: 0.6.0 predates Snowball 2's French ë/ï and Russian ё rules
(Python's Russian folds ё to е itself; French words with ë or ï lose the diaeresis before either
stems) and undoubles a Danish word's final digits ("a700" -> "a70"), so there a word holding a
digit is not stemmed. Finnish is left out: 0.6.0 stems numbers ("100" -> "10") and words with
letters foreign to Finnish ("maría") otherwise; Armenian for want of a word list to check it on.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

MAX_TOKEN_CHARS = 40
VERSION = 2  # bump when tokenize() changes: cached terms are keyed by it (and by the stemmer)
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


# A language code's Snowball algorithm (ISO 639-1, with or without a region: "pt-BR"); the same
# names as analysis.js stemmerModule's files.
STEMMERS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "en": "english",
    "es": "spanish", "eu": "basque", "fr": "french", "ga": "irish", "hu": "hungarian",
    "it": "italian", "nb": "norwegian", "nl": "dutch", "nn": "norwegian", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "ta": "tamil",
    "tr": "turkish",
}
# Languages whose words are character pairs (CJK_RANGES), not stemmed words: no stemmer to miss.
PAIRED_LANGUAGES = ("ja", "zh")
# Characters replaced in a word before it is stemmed, per algorithm (the same in analysis.js).
FOLDS = {"french": {"ë": "e", "ï": "i"}, "russian": {"ё": "е"}}
DIGITS_UNSTEMMED = ("danish",)  # a word holding a digit is kept as it is
_DIGIT = re.compile("[0-9]")
DEFAULT_STEMMER = "english"


def stemmer_module(name: str) -> str:
    """The browser's module of Snowball algorithm ``name``, under ``search/vendor/`` (JS:
    ``stemmerModule``): ``snowball-stemmers/snowball-french.mjs``."""
    return f"snowball-stemmers/snowball-{name}.mjs"


def base_language(language: str) -> str:
    """A language code without its region or script: "pt-BR" -> "pt", "zh_Hans" -> "zh"."""
    return language.replace("_", "-").split("-")[0].lower()


def stemmer_for(language: str) -> str | None:
    """The Snowball algorithm of a language code ("fr", "pt-BR", "zh_Hans"), None without one."""
    return STEMMERS.get(base_language(language))


@cache
def stemmer(name: str | None = DEFAULT_STEMMER) -> Callable[[str], str]:
    """The stem(word) every term goes through for Snowball algorithm ``name`` (memoised); for
    None, the word itself."""
    if name is None:
        return str
    if name not in STEMMERS.values():
        raise ValueError(f"no Snowball stemmer {name!r} in this vibesite")
    try:
        import snowballstemmer
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError("search needs `pip install 'snowballstemmer>=2.2,<3'`") from exc
    if snowballstemmer.stemmer("english").stemWord("organization") != "organ":
        raise RuntimeError(
            "the installed snowballstemmer stems English differently from the browser's "
            "snowball-stemmers 0.6.0 (Snowball 3 changed the algorithm); install "
            "'snowballstemmer>=2.2,<3'")
    stem = snowballstemmer.stemmer(name).stemWord
    fold = FOLDS.get(name)
    if fold:
        table = str.maketrans(fold)
        plain = stem

        def stem(word: str) -> str:
            return plain(word.translate(table))
    if name in DIGITS_UNSTEMMED:
        inner = stem

        def stem(word: str) -> str:
            return word if _DIGIT.search(word) else inner(word)
    return lru_cache(maxsize=1 << 18)(stem)


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


def tokenize(text: str, stemmer_name: str | None = DEFAULT_STEMMER) -> list[str]:
    """Stemmed search terms of ``text``, in order, with repeats (``stemmer_name``: a Snowball
    algorithm, None for no stemming)."""
    stem = stemmer(stemmer_name)
    return [stem(t) for t in words(text)]
