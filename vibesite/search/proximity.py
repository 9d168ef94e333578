"""Phrase and proximity: how close together, and in what order, a query's terms occur.

In: the query's stemmed terms (in order, with repeats) and the ascending positions of terms in a
text (a doc's BM25 tokens as ``lexicon.Posting``, or a section's words). Out: the query's
neighbouring term pairs, and per pair a proximity frequency that ``query.SiteSearch`` scores
like a BM25 term and that ``excerpt.excerpt`` ranks sections by. The browser's ``rank.js``
does the same.
"""

from __future__ import annotations

from collections.abc import Sequence

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

