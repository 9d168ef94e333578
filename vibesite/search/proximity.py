"""Phrase and proximity: how close together, and in what order, a query's terms occur.

In: the query's stemmed terms (in order, with repeats) and the ascending positions of terms in a
text (a doc's BM25 tokens as ``lexicon.Posting``, or a section's words). Out: the query's
neighbouring term pairs, and per pair a proximity frequency that ``query.SiteSearch`` scores
like a BM25 term and that ``excerpt.excerpt`` ranks sections by; and the docs that hold the
whole query as a phrase, which the search fuses in as a ranking of their own. The browser's
``rank.js`` does the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vibesite.search.lexicon import Posting

# How many tokens apart, at most, the second term of a pair may follow the first.
PROXIMITY_WINDOW = 3


def query_pairs(terms: Sequence[str]) -> list[tuple[str, str]]:
    """The neighbouring pairs of the query's stemmed terms (a term beside itself left out),
    each once, in first-occurrence order."""
    return list(dict.fromkeys((a, b) for a, b in zip(terms, terms[1:], strict=False) if a != b))


def proximity_tf(first: Sequence[int], second: Sequence[int],
                 window: int = PROXIMITY_WINDOW) -> float:
    """Sum of 1 / gap over the positions ``p`` of ``first`` that have ``second`` after them,
    ``gap = q - p`` to its nearest ``q > p``, for ``gap <= window`` (both ascending): an exact
    two-word phrase counts 1 a place, the words one word apart 1/2."""
    total = 0.0
    j = 0
    for p in first:
        while j < len(second) and second[j] <= p:
            j += 1
        if j == len(second):
            break
        gap = second[j] - p
        if gap <= window:
            total += 1 / gap
    return total


def phrase_docs(postings: Mapping[str, Sequence[Posting]], terms: Sequence[str]) -> list[int]:
    """The docs holding the query's ``terms`` (two or more, in order, with repeats) one right
    after another: at some position ``p``, ``terms[i]`` at ``p + i`` for every ``i``; ascending.
    ``postings``: each distinct term's ``[Posting(doc, tf, positions), ...]``. A term stored
    without positions (``lexicon.counts_only``: "the", "a") matches at any place, as long as
    the doc holds it and at least two of the query's words are placed."""
    if len(terms) < 2:
        return []
    distinct = list(dict.fromkeys(terms))
    by_doc = [{entry.doc: entry for entry in postings.get(term, ())} for term in distinct]
    out = []
    for doc in sorted(by_doc[0]):
        if not all(doc in entries for entries in by_doc):
            continue
        at = {term: entries[doc].positions for term, entries in zip(distinct, by_doc,
                                                                     strict=True)}
        placed = [(i, set(at[term])) for i, term in enumerate(terms) if at[term] is not None]
        if len(placed) < 2:
            continue
        first, rest = placed[0], placed[1:]
        if any(all(p - first[0] + i in where for i, where in rest) for p in first[1]):
            out.append(doc)
    return out
