"""The passages that answer a question (``vibesite ask``, ``bench/ask.py``).

In: a built site's search index (``SiteSearch``), its embeddings file (the passage texts) and a
question. Out: ``Passage`` records, best first: the articles in the order ``vibesite search``
ranks them (the browser's hybrid ranking, not a second ranker), one passage per article (the
window whose vector is closest to the question's, or with keyword-only ranking the one holding
the most question terms), its text from the store, its URL with the anchor of the heading above
it (read from the built page), at most ``limit`` of them within ``budget`` estimated tokens.

Tokens are estimated as characters / 4 (English prose with an OpenAI- or Llama-style
tokenizer is 3.5-4.5 characters a token); the budget counts each passage's whole entry in the
prompt (number, title, URL, text).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

from vibesite.embeddings.store import ARTICLES, PASSAGES, EmbeddingStore
from vibesite.search.query import Hit, SiteSearch

CHARS_PER_TOKEN = 4
MIN_CUT_TOKENS = 32  # a passage cut shorter than this to fit the budget is left out
# A window under this share of the article's longest (its last few words, whose vector is
# mostly the title's) is handed over with the window before it. On SciFact (bench/ask.py) this
# takes the mean passage text of a 5-passage prompt from 937 to 1,105 estimated tokens.
SHORT_WINDOW = 0.25
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Passage:
    number: int  # 1-based, as the prompt and the sources list cite it
    id: str  # the article id
    title: str
    url: str  # as the prompt shows it (``link``), with ``#anchor`` when under a heading
    text: str  # the passage (the title prefix of its window removed; cut to fit the budget)
    window: int  # which of the article's windows
    score: float  # the article's fused search score


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def entry(number: int, title: str, url: str, text: str) -> str:
    """One passage as the prompt numbers it (the budget counts exactly this text)."""
    return f"[{number}] {title}\n{url}\n{text}"


class _Headings(HTMLParser):
    """``(id, text)`` of every h2-h4 with an id, in page order (permalink symbols left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._open: tuple[str, str] | None = None
        self._parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("h2", "h3", "h4") and values.get("id"):
            self._open, self._parts = (tag, str(values["id"])), []
        elif self._open and tag == "a" and "header-anchor" in (values.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == "a" and self._skip:
            self._skip -= 1
        elif self._open and tag == self._open[0]:
            self.found.append((self._open[1], _SPACES.sub(" ", "".join(self._parts)).strip()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._skip:
            self._parts.append(data)


def heading_offsets(page_html: str, text: str) -> list[tuple[int, str]]:
    """``(character offset in text, anchor id)`` of the page's headings, found in order as
    whole lines of the article's plain text (headings that are not, e.g. the theme's, are
    skipped)."""
    parser = _Headings()
    parser.feed(page_html)
    starts, lines, at = [], [], 0
    for line in text.split("\n"):
        starts.append(at)
        lines.append(_SPACES.sub(" ", unescape(line)).strip())
        at += len(line) + 1
    found, cursor = [], 0
    for anchor, heading in parser.found:
        for index in range(cursor, len(lines)):
            if lines[index] == heading:
                found.append((starts[index], anchor))
                cursor = index + 1
                break
    return found


def section_anchor(page: Path, article_text: str, passage_text: str) -> str:
    """The id of the heading above ``passage_text`` in the article, or "" (none, or the page
    or passage cannot be found)."""
    start = article_text.find(passage_text)
    if start < 0:
        return ""
    try:
        html = page.read_text(encoding="utf-8")
    except OSError:
        return ""
    above = [anchor for offset, anchor in heading_offsets(html, article_text) if offset <= start]
    return above[-1] if above else ""


def _best_window(windows: range, scores: np.ndarray | None, texts: Sequence[str],
                 terms: set[str], terms_of: Callable[[str], list[str]]) -> int:
    """Index (0-based, in the article) of the window to hand the model."""
    if scores is not None:
        return int(np.argmax(scores[windows.start:windows.stop]))
    counts = [sum(1 for t in terms_of(text) if t in terms) for text in texts]
    return counts.index(max(counts)) if counts else 0


def _joined(full: str, before: str, body: str) -> str:
    """Two consecutive windows as one passage: the article's text from the first to the end of
    the second (windows are consecutive slices of it)."""
    start = full.find(before)
    end = full.find(body, start + len(before)) if start >= 0 else -1
    return full[start:end + len(body)] if end >= 0 else f"{before}\n{body}"


def _best_text(store: EmbeddingStore, article: str, title: str, windows: range,
               scores: np.ndarray | None, terms: set[str],
               terms_of: Callable[[str], list[str]]) -> tuple[int, str, str]:
    """(which window, its text without the title, the article's whole text) of an article's
    best window; a short one joined to the window before it; "" if the store lacks it."""
    ids = [f"{article}#{i}" for i in range(len(windows))]
    texts = store.contents(PASSAGES, ids)
    full = store.contents(ARTICLES, [article]).get(article, "")
    window = _best_window(windows, scores, [texts.get(i, "") for i in ids], terms, terms_of)
    prefix = f"{title}\n\n"  # every window starts with the title
    body = (texts.get(ids[window]) or full).removeprefix(prefix)  # no windows: the article
    longest = max((len(t) for t in texts.values()), default=0) - len(prefix)
    if len(body) < SHORT_WINDOW * longest and window > 0 and ids[window - 1] in texts:
        body = _joined(full, texts[ids[window - 1]].removeprefix(prefix), body)
    return window, body, full


def _article_id(hit: Hit) -> str:
    return hit.url[:-1] if hit.url.endswith("/") else hit.url


def _cut(text: str, tokens: int) -> str:
    """``text`` cut at a space to at most ``tokens`` estimated tokens, with "…"."""
    limit = tokens * CHARS_PER_TOKEN - 1
    cut = text[:limit]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def retrieve(search: SiteSearch, store: EmbeddingStore, question: str, limit: int = 5,
             budget: int = 3000, semantic: bool = True,
             query_vector: np.ndarray | None = None,
             link: Callable[[str], str] = lambda url: "/" + url) -> list[Passage]:
    """At most ``limit`` passages for ``question``, one per article, best first, their
    ``entry`` texts together within ``budget`` estimated tokens (the last one may be cut).

    ``query_vector`` is used when given, else the site's query encoder embeds the question
    (``semantic`` and a model in the index), else the ranking is keyword-only. ``link`` makes
    a site-relative URL into the one the prompt shows (``Config.absolute_url``)."""
    if query_vector is None and semantic and search.has_model:
        query_vector = search.encode(question)
    hits = search.search(question, limit, semantic=semantic, query_vector=query_vector)
    scores = search.passage_scores(query_vector) if query_vector is not None and hits else None
    terms = set(search.terms(question))
    passages: list[Passage] = []
    room = budget
    for hit in hits:
        article = _article_id(hit)
        windows = search.passages_of(hit.doc)
        window, body, full = _best_text(store, article, hit.title, windows, scores, terms,
                                        search.terms)
        if not body:
            continue  # not in this embeddings file (a site built from another cache)
        anchor = ""
        if len(windows) > 1:
            anchor = section_anchor(search.site_dir / hit.url / "index.html", full, body)
        url = link(f"{hit.url}#{anchor}" if anchor else hit.url)
        number = len(passages) + 1
        need = estimate_tokens(entry(number, hit.title, url, body))
        if need > room:
            header = estimate_tokens(entry(number, hit.title, url, ""))
            if room - header < MIN_CUT_TOKENS:
                break
            body = _cut(body, room - header)
            need = estimate_tokens(entry(number, hit.title, url, body))
        passages.append(Passage(number, article, hit.title, url, body, window, hit.score))
        room -= need
        if room <= 0:
            break
    return passages
