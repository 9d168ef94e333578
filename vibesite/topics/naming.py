"""Topic names: the most distinctive words and phrases of a group of articles.

In: article texts and groups of article indices. Out: ranked terms per group
(``ranked_terms``) and the few that name a topic (``pick_keywords``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

MAX_TEXT_CHARS = 3000  # per article, for naming
_TOKEN = r"(?u)\b[^\W\d_]{2,}\b"


@lru_cache(maxsize=1)
def _stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(ENGLISH_STOP_WORDS | {"ca", "wo"})  # what "can't" and "won't" leave


_NOISE = re.compile(r"(?:https?://|www\.)\S+|(?:n['’]t|['’](?:s|ll|re|ve|d|m))\b", re.IGNORECASE)


def ranked_terms(texts: Sequence[str], classes: Sequence[np.ndarray], top: int = 12) -> list[
    list[str]
]:
    """Most distinctive words and two-word phrases per class of articles (class-based TF-IDF:
    share of the class using a term, times the term's inverse document frequency among all the
    articles of the classes)."""
    if not classes:
        return []
    from scipy import sparse  # imported here: a build whose topics are memoized needs neither
    from sklearn.feature_extraction.text import CountVectorizer

    used = np.unique(np.concatenate(list(classes)))
    vectorizer = CountVectorizer(
        stop_words=_stop_words(), ngram_range=(1, 2), min_df=2, token_pattern=_TOKEN, binary=True,
        dtype=np.float32,
    )
    try:
        docs = vectorizer.fit_transform([_NOISE.sub("", texts[i][:MAX_TEXT_CHARS]) for i in used])
    except ValueError:  # no term in two articles
        return [[] for _ in classes]
    vocab = vectorizer.get_feature_names_out()
    idf = np.log(len(used) / np.asarray(docs.sum(axis=0)).ravel())
    rows = np.concatenate([np.full(len(m), c) for c, m in enumerate(classes)])
    cols = np.searchsorted(used, np.concatenate(list(classes)))
    member = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(classes), len(used)))
    class_df = sparse.csr_matrix(member @ docs)
    out = []
    for c, members in enumerate(classes):
        lo, hi = class_df.indptr[c], class_df.indptr[c + 1]
        terms, counts = class_df.indices[lo:hi], class_df.data[lo:hi]
        ok = counts >= (2 if len(members) >= 4 else 1)
        terms, score = terms[ok], counts[ok] / len(members) * idf[terms[ok]]
        order = np.lexsort((terms, -score))[:top]
        out.append([str(vocab[terms[i]]) for i in order if score[i] > 0])
    return out


def _stem(word: str) -> str:
    """Crude English singular, so that 'version' and 'versions' do not both name a topic."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-2] if word.endswith(("ches", "shes", "xes", "sses")) else word[:-1]
    return word


def pick_keywords(ranked: Sequence[str], count: int = 3) -> tuple[str, ...]:
    """Top terms; a phrase replaces its own words, and no word appears twice (as a plural)."""
    chosen: list[str] = []
    for term in ranked:
        stems = [_stem(w) for w in term.split()]
        words = {_stem(c) for c in chosen if " " not in c}
        in_phrases = {_stem(w) for c in chosen if " " in c for w in c.split()}
        if len(stems) == 1:
            if stems[0] in words | in_phrases:
                continue
            chosen.append(term)
        else:
            if len(set(stems)) < len(stems) or in_phrases & set(stems):
                continue
            at = next((i for i, c in enumerate(chosen) if _stem(c) in stems), len(chosen))
            chosen = [c for c in chosen if " " in c or _stem(c) not in stems]
            chosen.insert(min(at, len(chosen)), term)
        if len(chosen) >= count:
            break
    return tuple(chosen)
