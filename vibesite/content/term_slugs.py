"""A taxonomy term as the generator a site came from wrote it into its URL.

In: a term's name as written in front matter (``C++``, ``Ruby on Rails``, ``Café``) and the
rule of the old generator (the config's ``old_term_slugs``). Out: the URL part that generator
made of it, or None when it cannot be worked out here (a transliteration vibesite does not
know, see ``zola``); ``old_path``: an ``old_taxonomies`` entry filled in with it,
and ``served_from``: the file such a URL is served from (vibesite.site.old_terms writes the
redirects).

The rules, each from the generator's source:
- ``hugo``: Hugo's ``urlize`` of a term (helpers ``MakePathSanitized``; common/paths
  ``Sanitize``): letters, digits, marks and ``. / \\ _ # + ~ - @`` kept, ``%XX`` kept, a run
  of white space between kept characters one ``-``, everything else dropped, then lower case.
  ``C++`` -> ``c++``, ``C#`` -> ``c#``, ``Node.js`` -> ``node.js``, ``Ruby on Rails`` ->
  ``ruby-on-rails``, ``Café`` -> ``café``. ``hugo-keep-case`` (``disablePathToLower``) keeps
  letter case; ``hugo-no-accents`` (``removePathAccents``) drops accents (``cafe``); both:
  ``hugo-keep-case-no-accents``.
- ``zola`` (``slugify.taxonomies = "on"``, the default): the ``slug`` crate: each character
  transliterated to ASCII (deunicode), lower case, every run of other characters one ``-``,
  none at either end: ``C++`` -> ``c``, ``Node.js`` -> ``node-js``, ``Café`` -> ``cafe``.
  Accented Latin letters are transliterated here; a character with no such reading
  (``日本``, which Zola writes ``ri-ben``) gives None. ``zola-safe``: ``< > : " / \\ | ? *``
  dropped and trailing spaces and dots trimmed, case and the rest kept; ``zola-off``: as is.
- ``jekyll`` (``Utils.slugify``, default mode, what jekyll-archives uses): every run of
  characters other than letters, marks and decimal digits one ``-``, one ``-`` trimmed at
  either end, lower case: ``C++`` -> ``c``, ``Node.js`` -> ``node-js``, ``Café`` -> ``café``.
  ``jekyll-raw`` (white space only), ``jekyll-pretty`` (``._~!$&'()+,;=@`` kept too),
  ``jekyll-ascii`` (ASCII letters and digits only), ``jekyll-latin`` (accents dropped first).
- ``quartz``: Quartz 4's ``slugTag``: white space ``-``, ``&`` ``-and-``, ``%`` ``-percent``,
  ``?`` and ``#`` dropped, letter case and ``/`` kept (``Machine Learning`` ->
  ``Machine-Learning``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from vibesite.config import TERM_SLUG_CHOICES
from vibesite.content.article import Article

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_-]+)\}")  # {KEY} in an old_taxonomies entry

_HUGO_KEPT = frozenset("./\\_#+~-@")
_JEKYLL_PRETTY_KEPT = frozenset("._~!$&'()+,;=@")
# Latin letters NFKD does not take apart, as deunicode and I18n.transliterate read them
_LATIN = {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
          "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
          "ı": "i", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}


def _no_accents(text: str) -> str:
    """Accents dropped (NFD, combining marks removed, NFC), as Hugo's RemoveAccentsString."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                                if unicodedata.category(c) != "Mn"))


def _ascii(text: str) -> str | None:
    """``text`` in ASCII, accents dropped and a few Latin letters spelled out; None when some
    character has no such reading (deunicode's tables are not reproduced here)."""
    folded = "".join(_LATIN.get(c, c) for c in _no_accents(text))
    folded = unicodedata.normalize("NFKD", folded)
    folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    return folded if folded.isascii() else None


def _hugo(name: str, lower: bool, accents: bool) -> str:
    kept: list[str] = []
    hyphen = False  # white space seen since the last kept character
    for i, char in enumerate(name):
        allowed = (char.isalpha() or unicodedata.category(char) in ("Nd", "Mn", "Mc", "Me")
                   or char in _HUGO_KEPT
                   or (char == "%" and re.match(r"[0-9A-Fa-f]{2}", name[i + 1:i + 3]) is not None))
        if allowed:
            if hyphen and char != "-":
                kept.append("-")
            hyphen = False
            kept.append(char)
        elif kept and char.isspace() and kept[-1] != "-":
            hyphen = True
    text = "".join(kept)
    text = _no_accents(text) if not accents else text
    return text.lower() if lower else text


def _zola(name: str) -> str | None:
    text = _ascii(name)
    if text is None:
        return None
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _jekyll(name: str, mode: str) -> str:
    if mode == "raw":
        slug = re.sub(r"\s+", "-", name)
    else:
        if mode == "latin":
            name = "".join(c if c.isascii() else "?" for c in _ascii_or_marks(name))

        def kept(char: str) -> bool:
            if mode == "ascii":
                return char.isascii() and char.isalnum()
            category = unicodedata.category(char)
            return (category[0] in "LM" or category == "Nd"
                    or (mode == "pretty" and char in _JEKYLL_PRETTY_KEPT))

        slug = "".join(c if kept(c) else "\0" for c in name)
        slug = re.sub("\0+", "-", slug)
    return re.sub(r"^-|-$", "", slug).lower()


def _ascii_or_marks(text: str) -> str:
    """Accents dropped, letters without an ASCII reading kept (to become ``?``)."""
    return "".join(_LATIN.get(c, c) for c in _no_accents(text))


def _quartz(name: str) -> str:
    return "/".join(re.sub(r"\s", "-", part).replace("&", "-and-").replace("%", "-percent")
                    .replace("?", "").replace("#", "") for part in name.split("/")).rstrip("/")


def term_slug(name: str, rule: str) -> str | None:
    """``name`` as the URL part ``rule`` (one of TERM_SLUG_CHOICES) made of it; None: unknown."""
    if rule.startswith("hugo"):
        return _hugo(name.strip(), "keep-case" not in rule, "no-accents" not in rule)
    if rule == "zola":
        return _zola(name)
    if rule == "zola-safe":
        return re.sub(r'[<>:"/\\|?*]', "", name.rstrip(" ."))
    if rule == "zola-off":
        return name
    if rule.startswith("jekyll"):
        return _jekyll(name, rule.partition("-")[2] or "default")
    if rule == "quartz":
        return _quartz(name.strip())
    raise ValueError(f"unknown term slug rule {rule!r}; one of {TERM_SLUG_CHOICES}")


def old_path(entry: str, name: str, rule: str) -> str | None:
    """The ``old_taxonomies`` entry with the term ``name`` in place of its ``{KEY}``."""
    found = PLACEHOLDER.search(entry)
    slug = term_slug(name, rule) if found else ""
    return None if slug is None else entry.replace(found.group(0), slug) if found else entry


def served_from(path: str) -> tuple[str, str]:
    """The file an old URL path is served from, and the folder URL that makes it needless
    (an extensionless URL, which hosts send to ``PATH/`` when ``PATH.html`` is missing)."""
    if path.endswith("/"):
        return f"{path}index.html", ""
    if re.search(r"\.html?$", path):
        return path, ""
    return f"{path}.html", f"{path}/"


def listed_terms(articles: Sequence[Article], key: str) -> list[str]:
    """The names under front matter ``key`` on the listed articles, first spelling first."""
    return list(dict.fromkeys(name for a in articles if a.listed
                              for k, name in a.terms if k == key))

