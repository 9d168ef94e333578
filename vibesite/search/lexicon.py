"""The keyword index's shards: terms in sorted ranges, postings compactly encoded.

The browser's ``lexicon.js`` reads the same files the same way.

In (build): every stemmed term's postings ``[[doc, p1, g2, ...], ...]`` (docs ascending; the
first position, then the gaps to each next one). Out: the shard files' bytes and the manifest's
``shards`` list ``[[first term, path], ...]``.
In (search): the manifest's list, a term or a typed prefix. Out: which shards to read, and the
decoded postings ``[Posting(doc, tf, positions), ...]``.

- Order: terms sort by UTF-16 code units (``term_key``), which is how JavaScript compares
  strings, so both sides find the same shard by binary search over the first terms, and every
  term that starts with a prefix lies in one run of consecutive shards (as Pagefind's word
  chunks do), so a prefix needs no vocabulary download.
- Size: a new shard starts when the current one's JSON would pass ``SHARD_BYTES``; a term whose
  postings are bigger sits alone. Measured on the 10k-article site of ``bench/search_cost.py``
  (gzip, its 51 queries): hash shards of format 4, 512 shards, median 47.5 kB, max 297 kB a
  query; ranges of 20,000 bytes with doc gaps and the counts below, 621 shards: median 22.3,
  max 68.7 kB (typed, with the prefix's shards: 23.0 and 68.9). jbranchaud-til's whole keyword
  index: 747 -> 496 kB gzip (407 kB without positions). SciFact nDCG@10 (bench/search_quality.py)
  stays: lexical 0.6863 -> 0.6866, fused 0.7260 -> 0.7270.
- Shard JSON: ``{"p": {term: [[doc gap, p1, g2, ...], ...]}, "f": {term: [doc gap, tf, doc gap,
  tf, ...]}}``; the doc gap is the doc number minus the previous posting's (the first: minus 0).
- ``"f"``, no positions: a term in more than ``COUNTS_ONLY_SHARE`` of the docs (and at least
  ``COUNTS_ONLY_MIN_DOCS``) keeps only its counts: the positions of "the", "a", "to" (14
  terms on the 10k site) took its shards from 4.52 to 5.00 MB gzip and its largest query from
  69 to 146 kB, and say little about where a phrase is: proximity pairs skip it.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from vibesite.search.analysis import word_spans, words

SHARD_BYTES = 20_000
COUNTS_ONLY_SHARE = 0.5
COUNTS_ONLY_MIN_DOCS = 64
# The last word while typed (``typed_prefix``): at least PREFIX_MIN_CHARS characters; it matches
# the PREFIX_TERMS terms starting with it found in the most docs, among those in the first
# PREFIX_SHARDS shards its range covers (a short prefix like "con" must not fetch dozens).
PREFIX_MIN_CHARS = 3
PREFIX_TERMS = 8
PREFIX_SHARDS = 2
# Endings a word may be typed part-way into: a Snowball stem is often shorter than what is typed
# before the word ends ("configura" of configuration, stem "configur"), so no term starts with
# it. The stems of the typed word completed with each ending (``completions``) match too.
# bench/search_trust.py, 200 words typed from the third letter to the last but one: keystrokes
# whose keyword list holds a page with the word, demo 86.9% -> 98.9%, jbranchaud-til 72.3% ->
# 84.2% (the rest: mostly 3-4 letter starts many words share). In the manifest, for the browser.
PREFIX_SUFFIXES = ("e", "s", "es", "ed", "er", "ers", "or", "ors", "ing", "ings", "ion", "ions",
                   "ional", "ation", "ations", "ative", "ly", "al", "ally", "ness", "ment",
                   "ments", "ity", "ities", "ility", "ilities", "ies", "ied", "y", "ize", "ized",
                   "izing", "ization", "able", "ful", "ive", "ous", "ence", "ance", "ism", "ist",
                   "ists")


class Posting(NamedTuple):
    doc: int
    tf: float  # how often the term occurs (a prefix's matches: weighted, query.prefix_postings)
    positions: tuple[int, ...] | None  # ascending; None: not stored (a very common term)


def term_key(term: str) -> bytes:
    """Sort key of terms: UTF-16 code units, JavaScript's string order."""
    return term.encode("utf-16-be")


def counts_only(df: int, count: int, share: float | None = None,
                min_docs: int | None = None) -> bool:
    """Whether a term in ``df`` of ``count`` docs is stored without positions (a very common
    term: ``query.matched_by_evidence`` asks with the share and minimum of a site's manifest;
    None: COUNTS_ONLY_SHARE and COUNTS_ONLY_MIN_DOCS)."""
    share = COUNTS_ONLY_SHARE if share is None else share
    min_docs = COUNTS_ONLY_MIN_DOCS if min_docs is None else min_docs
    return df > share * count and df >= min_docs


def _encode(entries: Sequence[Sequence[int]], positional: bool) -> str:
    parts, previous = [], 0
    for entry in entries:
        gap, previous = entry[0] - previous, entry[0]
        if positional:
            parts.append("[" + ",".join(map(str, [gap, *entry[1:]])) + "]")
        else:
            parts.append(f"{gap},{len(entry) - 1}")
    return "[" + ",".join(parts) + "]"


def shard_files(postings: Mapping[str, Sequence[Sequence[int]]], count: int,
                add: Callable[[str, bytes], str]) -> list[list[str]]:
    """Range shards of ``postings`` (terms of ``count`` docs): each shard's bytes go through
    ``add(prefix, data)``, which returns its path; ``[[first term, path], ...]``."""
    shards: list[list[str]] = []
    groups: dict[str, dict[str, str]] = {"f": {}, "p": {}}
    size = 0

    def flush() -> None:  # the canonical JSON of index.dumps: keys sorted by code point
        body = ",".join(f'"{kind}":{{' + ",".join(parts[t] for t in sorted(parts)) + "}"
                        for kind, parts in groups.items())
        shards[-1].append(add(f"search/lex/{len(shards) - 1}", ("{" + body + "}").encode()))

    for term in sorted(postings, key=term_key):
        entries = postings[term]
        kind = "f" if counts_only(len(entries), count) else "p"
        part = f"{json.dumps(term, ensure_ascii=False)}:{_encode(entries, kind == 'p')}"
        if shards and size and size + len(part) > SHARD_BYTES:
            flush()
            groups, size = {"f": {}, "p": {}}, 0
        if not size:
            shards.append([term])
        groups[kind][term] = part
        size += len(part) + 1
    if shards:
        flush()
    return shards


def decode_shard(data: Mapping[str, Any]) -> dict[str, list[Posting]]:
    """A shard's JSON -> term -> its postings (absolute doc numbers and positions)."""
    out: dict[str, list[Posting]] = {}
    for term, entries in data.get("p", {}).items():
        decoded, doc = [], 0
        for entry in entries:
            doc += entry[0]
            at = [entry[1]]
            for gap in entry[2:]:
                at.append(at[-1] + gap)
            decoded.append(Posting(doc, float(len(at)), tuple(at)))
        out[term] = decoded
    for term, flat in data.get("f", {}).items():
        decoded, doc = [], 0
        for i in range(0, len(flat), 2):
            doc += flat[i]
            decoded.append(Posting(doc, float(flat[i + 1]), None))
        out[term] = decoded
    return out


class Shards:
    """The manifest's ``[[first term, path], ...]``: which shard holds a term or a prefix."""

    def __init__(self, shards: Sequence[Sequence[str]]) -> None:
        self.firsts = [term_key(first) for first, _ in shards]
        self.paths = [path for _, path in shards]

    def holding(self, term: str) -> int | None:
        """The shard a term would be in (None: before the first term, so in none)."""
        at = bisect.bisect_right(self.firsts, term_key(term)) - 1
        return at if at >= 0 else None

    def with_prefix(self, prefix: str, limit: int) -> Iterator[int]:
        """The shards (at most ``limit``, in order) that may hold terms starting with
        ``prefix``: the one it would be in, then each next one whose first term starts with it."""
        key = term_key(prefix)
        at = self.holding(prefix)
        start = 0 if at is None else at
        for shard in range(start, min(start + limit, len(self.paths))):
            if (shard > start or at is None) and not self.firsts[shard].startswith(key):
                return
            yield shard

    def for_typed(self, prefix: str, completed: Iterable[str], limit: int) -> list[int]:
        """The shards a word typed as ``prefix`` reads: ``with_prefix``'s, then those holding
        the stems of its ``completions`` (in term order; at most ``limit`` more)."""
        found = list(self.with_prefix(prefix, limit))
        extra: list[int] = []
        for term in sorted(completed, key=term_key):
            at = self.holding(term)
            if at is not None and at not in found and at not in extra and len(extra) < limit:
                extra.append(at)
        return found + extra


def typed_prefix(query: str, min_chars: int) -> str | None:
    """The last word of ``query`` as typed so far (NFKC, lowercase, not stemmed), when nothing
    follows it (no space, no punctuation) and it has at least ``min_chars`` characters."""
    spans = word_spans(query)
    found = words(query)
    if not spans or spans[-1][1] != len(query) or not found:
        return None
    return found[-1] if len(found[-1]) >= min_chars else None


def completions(prefix: str, suffixes: Iterable[str], stem: Callable[[str], str],
                ) -> dict[str, float]:
    """The stems of the words ``prefix`` may be the start of, completing each of ``suffixes``
    it ends part-way into ("embedd" + "ing" -> "embed"), but those that start with ``prefix``
    (``expansions`` finds them anyway): stem -> len(prefix) / len(the shortest such word)."""
    found: dict[str, float] = {}
    for suffix in suffixes:
        for cut in range(len(suffix)):
            if not prefix.endswith(suffix[:cut]):
                continue
            word = prefix + suffix[cut:]
            term = stem(word)
            if not term.startswith(prefix):
                found[term] = max(found.get(term, 0.0), len(prefix) / len(word))
    return found


def expansions(shards: Sequence[Mapping[str, Sequence[Posting]]], prefix: str, exact: str,
               limit: int, completed: Mapping[str, float] | None = None,
               ) -> list[tuple[str, float, list[Posting]]]:
    """The terms of ``shards`` that start with ``prefix`` or are among the stems ``completed``
    (``completions``), but ``exact``: the ``limit`` found in the most docs (then in term order),
    each with its weight (below an exact match's 1: len(prefix) / len(term), or its
    completion's) and postings."""
    completed = completed or {}
    found = {term: list(postings) for shard in shards for term, postings in shard.items()
             if term != exact and (term.startswith(prefix) or term in completed)}
    ranked = sorted(found, key=lambda t: (-len(found[t]), term_key(t)))[:limit]
    return [(term, completed.get(term, len(prefix) / len(term)), found[term]) for term in ranked]


def prefix_postings(exact: Sequence[Posting],
                    expanded: Sequence[tuple[str, float, Sequence[Posting]]]) -> list[Posting]:
    """The last word's postings while it is typed: its exact term's, plus each expansion's with
    its frequency times the expansion's weight (below 1: at the same frequency an exact match
    scores more); positions merged (None if one of them has none)."""
    merged: dict[int, tuple[float, list[int] | None]] = {}
    weighted = [(1.0, exact), *((weight, p) for _, weight, p in expanded)]
    for weight, postings in weighted:
        for entry in postings:
            at = None if entry.positions is None else list(entry.positions)
            if entry.doc not in merged:
                merged[entry.doc] = (weight * entry.tf, at)
                continue
            tf, before = merged[entry.doc]
            both = None if before is None or at is None else before + at
            merged[entry.doc] = (tf + weight * entry.tf, both)
    return [Posting(doc, tf, None if at is None else tuple(sorted(at)))
            for doc, (tf, at) in sorted(merged.items())]
