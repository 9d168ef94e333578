"""Why a result matched: its best section and an excerpt with the query's words marked.

The browser (``excerpt.js``) does exactly the same on the same data, so ``vibesite search``
and the search page show the same excerpt and link.

- ``sections(html_body, text)``: an article's plain text (what search indexes: raw HTML
  never shows, with ``raw_html`` on or off) cut at the lines that are its rendered headings,
  as ``[[anchor, text], ...]``: the part before the first heading has anchor ``""``; each text
  starts with its heading's words, is NFKC-normalised, one line, and all of them together are
  at most ``TEXT_CHARS`` characters. The search index stores them (``search/text/``).
- ``excerpt(sections, terms)``: for the stemmed query ``terms``, the section with the most
  distinct matching words (then the query's words most together, in order: the sum of
  ``proximity.proximity_tf`` over the query's neighbouring pairs, positions counted in the
  section's words; then the most matches; the first on a tie), and in it the run of
  ``EXCERPT_WORDS`` words with the most matches (the earliest on a tie). Returns the anchor
  and the excerpt as HTML: text escaped, matching words in ``<mark>``, "…" where it is cut.
  A word matches when its stemmed term is a query term; a run of Chinese or Japanese
  characters matches when one of its character pairs does (``analysis.words``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence

from vibesite.search.analysis import word_spans, words
from vibesite.search.proximity import proximity_tf, query_pairs

TEXT_CHARS = 20_000
TEXT_FORMAT = 1  # bump when sections() changes: the search index is keyed by it
EXCERPT_WORDS = 30
_HEADING = re.compile(r'<h[1-6][^>]*\bid="([^"]*)"[^>]*>(.*?)</h[1-6]>', re.S)
_ANCHOR_LINK = re.compile(r'<a class="header-anchor"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
_SKIP = re.compile(r"<(script|style|template)\b.*?</\1>", re.S | re.I)


def _plain(fragment: str) -> str:
    """A heading's words, as the plain text has them."""
    return _one_line(html.unescape(_TAG.sub("", _SKIP.sub(" ", fragment))))


def _one_line(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def sections(html_body: str, text: str) -> list[list[str]]:
    """``[[anchor, text], ...]`` of an article (see the module docstring). A heading whose
    words are not a line of ``text`` (HTML shown as text in it) starts no section."""
    headings = [(m.group(1), _plain(m.group(2)))
                for m in _HEADING.finditer(_ANCHOR_LINK.sub("", html_body))]
    parts: list[tuple[str, list[str]]] = [("", [])]
    upcoming = 0
    for raw_line in text.split("\n"):
        line = _one_line(raw_line)
        found = next((k for k in range(upcoming, len(headings))
                      if line and headings[k][1] == line), None)
        if found is not None:
            parts.append((headings[found][0], []))
            upcoming = found + 1
        parts[-1][1].append(line)
    budget = TEXT_CHARS
    kept: list[list[str]] = []
    for anchor, lines in parts:
        joined = " ".join(line for line in lines if line)
        if not joined and not anchor:
            continue  # nothing before the first heading
        joined = joined[:budget]
        budget -= len(joined)
        kept.append([anchor, joined])
        if budget <= 0:
            break
    return kept


def _nearness(stems: Sequence[Sequence[str]], pairs: Sequence[tuple[str, str]]) -> float:
    """Sum of ``proximity_tf`` over the query's pairs, in the sequence of a section's terms."""
    if not pairs:
        return 0.0
    at: dict[str, list[int]] = {}
    for position, term in enumerate(term for word in stems for term in word):
        at.setdefault(term, []).append(position)
    total = 0.0  # a plain loop: Python 3.12's sum() of floats rounds unlike JS's +
    for a, b in pairs:
        if a in at and b in at:
            total += proximity_tf(at[a], at[b])
    return total


def excerpt(section_list: Sequence[Sequence[str]], terms: Sequence[str],
            stem: Callable[[str], str]) -> tuple[str, str]:
    """``(anchor, html)`` of the best section for the stemmed ``terms`` (see the module
    docstring); ``stem`` is the analyser's stemmer."""
    wanted = frozenset(terms)
    pairs = query_pairs(terms)
    best: tuple[int, float, int] = (-1, -1.0, -1)  # (distinct terms, nearness, matching words)
    chosen: tuple[str, str, list[tuple[int, int]], list[bool]] = ("", "", [], [])
    for anchor, text in section_list:
        places = word_spans(text)
        stems = [[stem(t) for t in words(text[a:b])] for a, b in places]
        found = [{t for t in word if t in wanted} for word in stems]
        score = (len(set().union(*found)), _nearness(stems, pairs), sum(1 for f in found if f))
        if score > best:  # strictly: the first section wins a tie
            best, chosen = score, (anchor, text, places, [bool(f) for f in found])
    anchor, text, places, hits = chosen
    if not places:
        return anchor, html.escape(text[:200])
    window = min(EXCERPT_WORDS, len(places))
    counts = [sum(hits[i:i + window]) for i in range(len(places) - window + 1)]
    first = counts.index(max(counts))
    last = first + window - 1
    start = places[first][0] if first else 0
    end = places[last][1] if last < len(places) - 1 else len(text)
    out = ["…" if start else ""]
    cursor = start
    for (a, b), hit in zip(places[first:last + 1], hits[first:last + 1], strict=True):
        if hit:
            out.append(html.escape(text[cursor:a]) + f"<mark>{html.escape(text[a:b])}</mark>")
            cursor = b
    out.append(html.escape(text[cursor:end]) + ("…" if end < len(text) else ""))
    return anchor, "".join(out)
