"""Topic labels a reader can tell apart: no two topics of a site, of one level or of the two
levels, show the same label.

In: per topic its label (topics.naming, or the config's name), whether the config named it,
whether it is broad (level 1), and its most central articles (indices into the prose texts,
``naming.prose_text``). Out: the labels, no two alike (letter case and spacing ignored),
except where two config names are alike: that is the user's choice (topics.checks warns).

Where labels collide:
1. a config name keeps its label, else the one broad topic among them does, else none does;
2. each other topic gets a qualifier after its label ("Sources: logo"): the term of its
   articles that best tells them from the articles of the other topics of the collision
   (class TF-IDF among only those articles, topics.naming), sharing no stem with the label,
   and not the qualifier of another; a label of two terms keeps its first ("Git: stash")
   when the qualifier would make it longer than MAX_WORDS words;
3. where the prose has no such term (records with a title and almost no prose), a word or
   phrase that only one of the topic's articles uses, its most common one first;
4. only when none is left, a number: "Sources (2)" (when no topic keeps the label, the first
   such topic keeps it bare).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from vibesite.topics.naming import (
    MAX_WORDS,
    class_scores,
    display,
    doc_terms,
    stems,
    written_forms,
)


def label_key(label: str) -> str:
    """What makes two labels the same to a reader: letters, whatever their case and spacing."""
    return " ".join(label.casefold().split())


def distinct_labels(
    texts: Sequence[str],
    labels: Sequence[str],
    members: Sequence[np.ndarray],
    *,
    broad: Sequence[bool],
    fixed: Sequence[bool],
) -> list[str]:
    """The labels, each one a reader can tell from the others (see the module's docstring).

    members: per topic the indices into ``texts`` of the articles that name it; broad: per
    topic whether it is a broad topic; fixed: per topic whether the config named it.
    """
    out = list(labels)
    groups: dict[str, list[int]] = defaultdict(list)
    for t, label in enumerate(labels):
        groups[label_key(label)].append(t)
    taken = set(groups)
    for key in sorted(groups):
        holders = groups[key]
        if len(holders) < 2:
            continue
        keepers = [t for t in holders if fixed[t]] or [t for t in holders if broad[t]]
        keep = keepers if len(keepers) == 1 or any(fixed[t] for t in holders) else []
        change = [t for t in holders if t not in keep]
        for t, label in zip(change, _qualified(texts, labels, members, holders, change, taken,
                                               bare=not keep), strict=True):
            out[t] = label
    return out


def _qualified(texts: Sequence[str], labels: Sequence[str], members: Sequence[np.ndarray],
               holders: list[int], change: list[int], taken: set[str], bare: bool
               ) -> list[str]:
    """New labels for the topics ``change`` among the ``holders`` of one label; with ``bare``
    (no topic keeps the label), the first that nothing tells apart keeps it."""
    used = sorted({int(i) for t in holders for i in members[t]})
    local = {i: k for k, i in enumerate(used)}
    pairs = [doc_terms(texts[i]) for i in used]
    docs = [{key for key, _ in doc} for doc in pairs]
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in pairs:
        for key, term in doc:
            written[key][term] += 1
    classes = [np.array([local[int(i)] for i in members[t]], dtype=np.int64) for t in change]
    strict = class_scores(docs, classes)
    loose = class_scores(docs, classes, need=1)
    surface = written_forms(texts, used)
    base = labels[holders[0]]
    label_stems = set(stems(base.replace(":", " ")))
    given: list[str] = []  # the qualifiers chosen, so that no two topics get the same one
    out = []
    for c in range(len(change)):
        label = ""
        tried = [key for key, _ in strict[c]]
        for key in tried + [k for k, _ in loose[c] if k not in set(tried)]:
            term = max(written[key], key=lambda w: (written[key][w], -len(w), w))
            if set(key.split()) & label_stems or term in given:
                continue
            label = _with(base, display(term, surface, first=False))
            if label and label_key(label) not in taken:
                given.append(term)
                break
            label = ""
        if not label and bare:  # nothing of the prose is left to tell them apart
            label, bare = base, False
        elif not label:
            n = 2
            while label_key(f"{base} ({n})") in taken:
                n += 1
            label = f"{base} ({n})"
        taken.add(label_key(label))
        out.append(label)
    return out


def _with(base: str, qualifier: str) -> str:
    """``base: qualifier`` in at most MAX_WORDS words, or "" when it cannot be."""
    head, sep, tail = base.partition(": ")
    options = ([f"{head}: {tail} and {qualifier}", f"{head}: {qualifier}"] if sep
               else [f"{base}: {qualifier}", f"{base.split(' and ')[0]}: {qualifier}"])
    return next((o for o in options if len(o.split()) <= MAX_WORDS), "")
