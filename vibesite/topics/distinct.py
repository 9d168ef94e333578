"""Topic labels a reader can tell apart: no two topics of a site, of one level or of the two
levels, show the same label.

In: per topic its label (topics.naming, or the config's name), whether the config named it,
whether it is broad (level 1), its most central articles (indices into the prose texts,
``naming.prose_text``) and the terms of its automatic name. Out: the labels, no two alike
(letter case and spacing ignored), except where two config names are alike: that is the
user's choice (topics.checks warns).

Where labels collide:
0. a broad topic that shares its label with one of its own fine topics takes the label of
   another of them too ("Bikes and Stars"): the largest of one term, else the first term of
   the largest, where that fits (MAX_WORDS words, WIDENED_CHARS characters);
1. a config name keeps its label, else the one broad topic among them does, else none does;
2. each other topic gets a qualifier after its label ("Sources: logo"): a term of its own
   name (``TopicName.terms``), else of its articles, that tells them from the articles of
   the other topics of the collision (class TF-IDF among only those articles, topics.naming),
   sharing no stem with the label, and not the qualifier of another; a label of two terms
   keeps its first ("Git: stash") when the qualifier would make it longer than MAX_WORDS
   words, and a label of MAX_WORDS words gives way to the qualifier alone ("Slack");
3. where the prose has no such term (records with a title and almost no prose), a word or
   phrase that only one of the topic's articles uses, that of its most central article first
   (an article with no words at all: the parts of its title, "source_va" gives "va");
4. only when none is left, a number: "Sources (2)" (when no topic keeps the label, the first
   such topic keeps it bare).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from vibesite.topics.naming import (
    MAX_WORDS,
    class_scores,
    display,
    doc_terms,
    stems,
    stop_words,
    written_forms,
)

# a widened broad label stays as long as one map line at most (map_svg wraps a broad label
# wider than 16 em; "Windows.ai.machinelearning and Windows.ai.machinelearning.preview", 64
# characters, shrank every broad label of winrt-api-docs on a phone from 11.6 to 10.4 px)
WIDENED_CHARS = 32


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
    terms: Sequence[Sequence[str]] = (),
    parents: Sequence[int] = (),
) -> list[str]:
    """The labels, each one a reader can tell from the others (see the module's docstring).

    members: per topic the indices into ``texts`` of the articles that name it; broad: per
    topic whether it is a broad topic; fixed: per topic whether the config named it; terms:
    per topic the terms of its automatic name (``TopicName.terms``), tried first; parents:
    per fine topic the index of its broad topic (-1: none), the largest fine topics first.
    """
    terms = terms or [()] * len(labels)
    out = list(labels)
    groups: dict[str, list[int]] = defaultdict(list)
    for t, label in enumerate(labels):
        groups[label_key(label)].append(t)
    taken = set(groups)
    for key in sorted(groups):
        holders = [t for t in groups[key]
                   if not _widened(t, key, out, parents, broad, fixed, taken)]
        if len(holders) < 2:
            continue
        keepers = [t for t in holders if fixed[t]] or [t for t in holders if broad[t]]
        keep = keepers if len(keepers) == 1 or any(fixed[t] for t in holders) else []
        change = [t for t in holders if t not in keep]
        for t, label in zip(change, _qualified(texts, labels, members, terms, holders, change,
                                               taken, bare=not keep), strict=True):
            out[t] = label
    return out


def _widened(b: int, key: str, out: list[str], parents: Sequence[int], broad: Sequence[bool],
             fixed: Sequence[bool], taken: set[str]) -> bool:
    """A broad topic that shares its label with one of its own fine topics takes the label of
    its largest other fine topic of one term, else the first term of its largest other one,
    too ("Bikes and Stars"), where that fits in MAX_WORDS words and WIDENED_CHARS characters:
    the fine topic keeps the label. Whether ``out[b]`` changed."""
    if not broad[b] or fixed[b]:
        return False
    children = [f for f, p in enumerate(parents) if p == b]
    if not any(label_key(out[f]) == key for f in children):
        return False
    mine = set(stems(out[b]))
    # a label of one term first ("Hackathons" before the "Join" of "Join and Presidential
    # Innovation"), each the largest first
    plain = [(f, out[f]) for f in children if ": " not in out[f] and " and " not in out[f]]
    heads = [(f, out[f].partition(": ")[0].split(" and ")[0]) for f in children]
    for f, head in plain + heads:
        wider = f"{out[b]} and {head}"
        if (label_key(out[f]) != key and not fixed[f] and len(wider.split()) <= MAX_WORDS
                and len(wider) <= WIDENED_CHARS
                and not set(stems(head)) & mine and label_key(wider) not in taken):
            out[b] = wider
            taken.add(label_key(wider))
            return True
    return False


def _qualified(texts: Sequence[str], labels: Sequence[str], members: Sequence[np.ndarray],
               terms: Sequence[Sequence[str]], holders: list[int], change: list[int],
               taken: set[str], bare: bool) -> list[str]:
    """New labels for the topics ``change`` among the ``holders`` of one label; with ``bare``
    (no topic keeps the label), the first that nothing tells apart keeps it."""
    used = sorted({int(i) for t in holders for i in members[t]})
    local = {i: k for k, i in enumerate(used)}
    pairs = [doc_terms(texts[i]) or _title_parts(texts[i]) for i in used]
    docs = [{key for key, _ in doc} for doc in pairs]
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in pairs:
        for key, term in doc:
            written[key][term] += 1
    classes = [np.array([local[int(i)] for i in members[t]], dtype=np.int64) for t in change]
    strict = class_scores(docs, classes)
    # a term that one article uses: the most central article's first
    loose = [sorted(scores, key=lambda ks: (-ks[1], _first(ks[0], members_of, docs)))
             for scores, members_of in zip(class_scores(docs, classes, need=1), classes,
                                           strict=True)]
    surface = written_forms(texts, used)
    base = labels[holders[0]]
    label_stems = set(stems(base.replace(":", " ")))
    given: set[str] = set()  # the qualifiers chosen (stems), so that no two get the same one
    out = []
    for c, t in enumerate(change):
        telling = [key for key, _ in strict[c]]
        # its own name's terms first (they describe it), where they tell it from the others
        own = [k for k in (" ".join(stems(term)) for term in terms[t]) if k in set(telling)]
        label = ""
        for key in dict.fromkeys([*own, *telling, *(k for k, _ in loose[c])]):
            if set(key.split()) & label_stems or key in given:
                continue
            term = max(written[key], key=lambda w: (written[key][w], -len(w), w))
            label = _with(base, term, surface)
            if label and label_key(label) not in taken:
                given.add(key)
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


def _first(key: str, members: np.ndarray, docs: list[set[str]]) -> int:
    return next(k for k, i in enumerate(members) if key in docs[i])


def _title_parts(text: str) -> frozenset[tuple[str, str]]:
    """The words of a title written as a name of a file or record ("source_va": source, va),
    for an article with no other words: (stems, word) pairs, as ``doc_terms``."""
    stop = stop_words()
    words = re.findall(r"[^\W_]+", text.partition("\n\n")[0].lower())
    return frozenset((" ".join(stems(w)), w) for w in words
                     if len(w) > 1 and not w.isdigit() and w not in stop)


def _with(base: str, term: str, surface: Counter[str]) -> str:
    """``base: term`` in at most MAX_WORDS words, else the term alone, as the prose writes it."""
    qualifier = _shown(term, surface)
    head, sep, tail = base.partition(": ")
    options = ([f"{head}: {tail} and {qualifier}", f"{head}: {qualifier}"] if sep
               else [f"{base}: {qualifier}", f"{base.split(' and ')[0]}: {qualifier}"])
    alone = qualifier[:1].upper() + qualifier[1:]
    return next((o for o in options if len(o.split()) <= MAX_WORDS), alone)


def _shown(term: str, surface: Counter[str]) -> str:
    """A term as the prose writes it, but lower case where only titles capitalise a word
    ("Tester" in "Usability Testing for the Tester"): a title's case says nothing."""
    words = display(term, surface, first=False).split()
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() and surface[w] < 1
                    else w for w in words)
