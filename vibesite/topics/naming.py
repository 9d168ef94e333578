"""Topic names a person would write: one to four words from the titles and prose of a topic.

In: per article its prose (``prose_text``: title and body with code blocks and inline code
removed) and its folder and tags; groups of article indices (the topics); optionally the
topic centres and an encoder of short phrases (the site's model, cached by the caller).
Out: per topic a ``TopicName``: the label and the lower-case terms that make its slug.

1. candidates are words and two- or three-word phrases of adjacent words from the prose,
   with stop words, filler and code-like tokens (``snake_case``, ``camelCase``, ``a.b``,
   ``--flag``, paths) left out; words are compared by their Snowball stem;
2. each is scored by class TF-IDF (share of the topic's articles using it, times its
   inverse document frequency among all articles), and the CANDIDATES best are scored
   again by cosine to the topic centre in the embedding space (KeyBERT), the two halved;
3. maximal marginal relevance picks the terms: a term sharing a stem with a chosen one,
   or too close to one in the embedding space, waits its turn;
4. when at least FOLDER_SHARE of a topic's articles share a folder or a tag, and the topic
   holds it at least GROUP_LIFT times as often as the whole site does (topics.groups), its
   name (a folder's last part) leads the label; topics that share one get the best other
   term after it ("Rails: migrations"), or that term alone where both make more than
   MAX_WORDS words;
5. words are shown as the prose most often writes them ("PostgreSQL", "JavaScript").
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from vibesite.topics.groups import (
    dominant_groups,
    group_name,
    group_words,
    site_shares,
)

MAX_TEXT_CHARS = 4000  # per article, for naming
CANDIDATES = 24  # best class TF-IDF terms per topic that are embedded and re-scored
EMBED_WEIGHT = 0.5  # share of a candidate's score from its closeness to the topic centre
MMR_LAMBDA = 0.7  # relevance against redundancy when picking the terms of a label
REDUNDANT = 0.8  # embedding cosine above which a term repeats a chosen one
PHRASE_SHARE = 0.8  # a phrase holding the best word replaces it when it scores this share
MAX_WORDS = 4

Encoder = Callable[[list[str]], np.ndarray]

_CODE_BLOCK = re.compile(r"<(pre|code|script|style|kbd|samp)\b[^>]*>.*?</\1\s*>",
                         re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# a whitespace-separated token that reads as code, not as a word of a sentence; an inner
# capital after a lower-case start is code (useState), after an upper-case one a name
# (JavaScript, PostgreSQL)
_CODE_LIKE = re.compile(
    r"[_=<>{}\[\]$#@\\|`~^*]|::|->|\w\(|\(\)|^--?\w|\w/\w|\w\.\w|^[a-z]+[A-Z]")
_SEGMENT = re.compile(r"[.,;:!?()\"“”\[\]\n]+")
_WORD = re.compile(r"^[^\W\d_][^\W_]*(?:[-'’][^\W\d_]+)*$")
# words that fill titles and prose of TILs and blogs without saying what they are about
_FILLER_WORDS = """
ability able actually add added adding allows also another anything around available away based
basic better bit build built came case cases certain change changes check com come comes common
correct course create created creates current default different doing don done easily easy end
ends enough entire example examples exist exists expected fact feature features file files find
finding fine first following found four gets getting give gives given go goes going good got
great handy happen happens help helpful hit however idea instead interesting just keep kind know
known last learn learned let lets like line lines list little ll look looking looks lot lots
make makes making many may maybe means mean might need needed needs new next nice now number
often ok okay one ones option options order output part particular pass place point possible
pretty probably problem provide provided put quick quickly rather re read real really recently
result results returns right run running runs said say says second see seems set sets setting
several show shows simple simply since small something sometimes source specific start started
stuff sure take takes tell thing things think three til time times tip tips today trick tricks
try trying turns two type types use used useful uses using usual usually value values ve version
versions want wanted wanting way ways whatever whole wo work worked working works write written
yes
"""
_FILLER = frozenset(_FILLER_WORDS.split())


@dataclass(frozen=True)
class TopicName:
    label: str  # what a reader sees, e.g. "Git: interactive rebase"
    terms: tuple[str, ...]  # lower-case words and phrases, best first (the slug's words)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | _FILLER | {"ca", "wo", "isn", "doesn", "didn"})


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[str], str]:
    import snowballstemmer  # the stemmer the search index uses (Snowball English)

    stem = snowballstemmer.stemmer("english").stemWord
    return lru_cache(maxsize=65536)(stem)


def stems(term: str) -> tuple[str, ...]:
    """Snowball English stems of a term's words ("interactive rebasing" -> interact, rebas)."""
    stem = _stemmer()
    return tuple(stem(w) for w in term.lower().split())


def prose_text(title: str, html_body: str) -> str:
    """The title and the body's prose: code blocks, inline code and markup removed."""
    body = html.unescape(_TAG.sub(" ", _CODE_BLOCK.sub(" ", html_body)))
    return f"{title}\n\n{body}".strip()


def words_of(text: str) -> list[list[str]]:
    """Runs of words (original case) between punctuation, code-like tokens and URLs left out;
    a dropped token breaks the run, so no phrase spans it."""
    return [list(run) for run in _runs(text)]


@lru_cache(maxsize=16384)
def _runs(text: str) -> tuple[tuple[str, ...], ...]:
    runs: list[tuple[str, ...]] = []
    word, code = _WORD.match, _CODE_LIKE.search
    for segment in _SEGMENT.split(_URL.sub(" . ", text[:MAX_TEXT_CHARS])):
        run: list[str] = []
        for token in segment.split():
            token = token.strip("'’-")
            if len(token) > 1 and word(token) and not code(token):
                run.append(token)
            elif run:
                runs.append(tuple(run))
                run = []
        if run:
            runs.append(tuple(run))
    return tuple(runs)


def _terms(runs: Sequence[Sequence[str]]) -> list[str]:
    """Lower-case words and two/three-word phrases of adjacent non-stop words (each is
    counted by its stems, so "split window" and "split windows" are one term)."""
    stop = stop_words()
    out: list[str] = []
    for run in runs:
        low = [w.lower() for w in run]
        for i, w in enumerate(low):
            if w in stop or "'" in w or "’" in w:
                continue
            out.append(w)
            for n in (2, 3):
                gram = low[i:i + n]
                if (len(gram) == n and len(set(gram)) == n
                        and not any(g in stop or "'" in g or "’" in g for g in gram)):
                    out.append(" ".join(gram))
    return out


@lru_cache(maxsize=16384)
def doc_terms(text: str) -> frozenset[tuple[str, str]]:
    """An article's (stems, term) pairs, each once."""
    return frozenset((" ".join(stems(t)), t) for t in set(_terms(_runs(text))))


def class_scores(docs: list[set[str]], classes: Sequence[np.ndarray],
                 need: int | None = None) -> list[list[tuple[str, float]]]:
    """Per class, (term, class TF-IDF) best first: share of the class's articles using the term
    times log(articles / articles using it); a term needs ``need`` articles of the class (by
    default two, one in a class of fewer than four)."""
    df = Counter(t for d in docs for t in d)
    n = max(len(docs), 1)
    out = []
    for members in classes:
        counts = Counter(t for i in members for t in docs[i])
        least = need or (2 if len(members) >= 4 else 1)
        scored = [(t, c / len(members) * math.log(n / df[t])) for t, c in counts.items()
                  if c >= least and df[t] < n]
        scored.sort(key=lambda ts: (-ts[1], ts[0]))
        out.append(scored)
    return out


def _redundant(term: str, chosen: Sequence[str]) -> bool:
    """A term repeats a chosen one: a shared stem (a phrase may replace its own word)."""
    mine = set(stems(term))
    return any(mine & set(stems(c)) for c in chosen)


def _pick(scored: list[tuple[str, float]], vectors: dict[str, np.ndarray], count: int) -> list[
        str]:
    """Maximal marginal relevance over the candidates; stems never repeat."""
    chosen: list[str] = []
    pool = list(scored)
    while pool and len(chosen) < count:
        best, best_value = None, -np.inf
        for term, score in pool:
            if _redundant(term, chosen):
                continue
            v = vectors.get(term)
            near = max((float(v @ vectors[c]) for c in chosen if c in vectors and v is not None),
                       default=0.0)
            if near > REDUNDANT:
                continue
            value = MMR_LAMBDA * score - (1 - MMR_LAMBDA) * near
            if value > best_value:
                best, best_value = term, value
        if best is None:
            break
        word_score = dict(pool)[best]
        wider = [(t, sc) for t, sc in pool if len(t.split()) > len(best.split())
                 and set(stems(best)) <= set(stems(t)) and sc >= PHRASE_SHARE * word_score
                 and not _redundant(t, chosen)]
        if wider:  # "interactive rebase" says more than "rebase" and is nearly as typical
            best = max(wider, key=lambda ts: (ts[1], len(ts[0].split()), ts[0]))[0]
        chosen.append(best)
        pool = [(t, s) for t, s in pool if t != best]
    return chosen


def display(term: str, surface: Counter[str], first: bool = True) -> str:
    """A term as the prose most often writes each word; the first letter upper-case."""
    forms = _forms(surface)
    out = []
    for w in term.split():
        seen = forms.get(w)
        out.append(max(seen, key=lambda f: (seen[f], f != w, f)) if seen else w)
    text = " ".join(out)
    return text[:1].upper() + text[1:] if first else text


_FORMS: dict[int, dict[str, dict[str, float]]] = {}


def _forms(surface: Counter[str]) -> dict[str, dict[str, float]]:
    """lower-case word -> {written form: count}, built once per surface counter."""
    key = id(surface)
    if key not in _FORMS:
        _FORMS.clear()
        index: dict[str, dict[str, float]] = {}
        for form, count in surface.items():
            index.setdefault(form.lower(), {})[form] = count
        _FORMS[key] = index
    return _FORMS[key]


# words a title leaves lower case inside it (Chicago style)
_SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into",
                          "nor", "of", "on", "or", "per", "the", "to", "vs", "via", "with"})


def _group_display(name: str, surface: Counter[str]) -> str:
    """A folder or tag name display-cased, small words after the first kept lower case:
    'react-testing-library' -> 'React Testing Library', 'product-and-project-management' ->
    'Product and Project Management'."""
    words = [w for w in re.split(r"[-_\s/]+", group_name(name)) if w]
    if not words:
        return name
    shown = [display(w.lower(), surface, first=False) if w.islower() else w for w in words]
    return " ".join(s if i and s in _SMALL_WORDS else s[:1].upper() + s[1:]
                    for i, s in enumerate(shown))


def _label(terms: Sequence[str], surface: Counter[str]) -> str:
    """One or two terms, at most MAX_WORDS words: 'Interactive rebase', 'Vim and buffers'."""
    if not terms:
        return ""
    label = display(terms[0], surface)
    if len(terms) > 1 and len(terms[0].split()) == 1 and len(terms[1].split()) <= 2:
        label += " and " + display(terms[1], surface, first=False)
    return label


def name_topics(
    texts: Sequence[str],
    classes: Sequence[np.ndarray],
    *,
    groups: Sequence[Sequence[str]] = (),
    centres: np.ndarray | None = None,
    encode: Encoder | None = None,
    keep: Sequence[tuple[str, ...] | None] = (),
    pairs: bool = False,
) -> list[TopicName]:
    """A name per class of article indices into ``texts`` (prose, see ``prose_text``).

    groups: folder and tags per article; centres: unit topic centres (rows), used with
    ``encode`` (phrases -> unit vectors of the same model) to re-score candidates; keep: per
    class the terms of the topic it inherits, kept while they are still among its best;
    pairs: two folders or tags that together hold PAIR_SHARE may name a class (broad ones).
    """
    if not classes:
        return []
    used = np.unique(np.concatenate([np.asarray(c, dtype=np.int64) for c in classes]))
    local = {int(i): k for k, i in enumerate(used)}
    pairs_used: Counter[tuple[str, str]] = Counter()  # (stems, term) -> articles using it
    docs = []
    for i in used:
        doc = doc_terms(texts[i])
        pairs_used.update(doc)
        docs.append({key for key, _ in doc})
    best: dict[str, int] = {}
    for (key, _), count in pairs_used.items():
        best[key] = max(best.get(key, 0), count)
    # a term's stems -> how the prose writes it: the shortest form at least half as common
    # as the most common one ("install" over "installed", "window" over "windows")
    common: dict[str, str] = {}
    for (key, term), _ in sorted(((kt, c) for kt, c in pairs_used.items()
                                  if 2 * c >= best[kt[0]]),
                                 key=lambda kv: (len(kv[0][1]), -kv[1], kv[0][1])):
        common.setdefault(key, term)
    scored = class_scores(docs, [np.array([local[int(i)] for i in c]) for c in classes])
    shortlist = [[(common[k], sc) for k, sc in s[:CANDIDATES]] for s in scored]
    site = site_shares(groups) if groups else {}
    leads = [dominant_groups(groups, np.asarray(m), site, pairs) if groups else []
             for m in classes]
    vectors: dict[str, np.ndarray] = {}
    if encode is not None and centres is not None:
        wanted = sorted({t for s in shortlist for t, _ in s}
                        | {group_words(g) for lead in leads for g in lead if group_words(g)})
        if wanted:
            found = np.asarray(encode(wanted), dtype=np.float32)
            vectors = dict(zip(wanted, found, strict=True))
    named = []
    for c in range(len(classes)):
        top = shortlist[c]
        best = top[0][1] if top else 1.0
        if vectors and centres is not None:
            centre = np.asarray(centres[c], dtype=np.float32)
            top = [(t, (1 - EMBED_WEIGHT) * s / best + EMBED_WEIGHT * float(vectors[t] @ centre))
                   for t, s in top]
        else:
            top = [(t, s / best) for t, s in top]
        top.sort(key=lambda ts: (-ts[1], -len(ts[0].split()), ts[0]))
        terms = _pick(top, vectors, 3)
        kept = keep[c] if c < len(keep) else None
        if kept and set(kept) <= {t for t, _ in top[:10]}:
            terms = list(kept)  # a name stays put while it still describes the topic
        named.append((terms, top))
    surface = written_forms(texts, used)
    return _lead_labels(named, leads, surface, vectors, {g for gs in groups for g in gs})


def written_forms(texts: Sequence[str], used: Sequence[int]) -> Counter[str]:
    """How the prose writes each word (for ``display``): bodies count, titles (often Title
    Case) only break ties."""
    surface: Counter[str] = Counter()
    for i in used:
        title, _, body = texts[i][:MAX_TEXT_CHARS].partition("\n\n")
        surface.update(w for r in _runs(body) for w in r)
        surface.update({w: 0.01 for r in _runs(title) for w in r})
    return surface


def _lead_labels(named: list[tuple[list[str], list[tuple[str, float]]]],
                 leads: list[list[str]], surface: Counter[str], vectors: dict[str, np.ndarray],
                 all_groups: set[str]) -> list[TopicName]:
    """Labels: the leading folder or tag names when there are, else the best terms; topics
    led by the same name get their best other term after it ("Postgres: indexes")."""
    shared = Counter(tuple(lead) for lead in leads if lead)
    group_stems = {stems(group_words(g)) for g in all_groups}
    taken: dict[tuple[str, ...], set[str]] = {}
    out = []
    for (terms, top), lead in zip(named, leads, strict=True):
        if not lead:
            out.append(TopicName(_label(terms, surface), tuple(terms)))
            continue
        names = [_group_display(g, surface) for g in lead]
        shown = " and ".join(names)
        if len(shown.split()) > MAX_WORDS:  # two long names: the shorter one
            shown = min(names, key=lambda x: len(x.split()))
        if shared[tuple(lead)] > 1:
            used = taken.setdefault(tuple(lead), set())
            near = [vectors[group_words(g)] for g in lead if group_words(g) in vectors]
            other = [t for t in terms + [t for t, _ in top]
                     if not _redundant(t, [*(group_words(g) for g in lead), *used])
                     and stems(t) not in group_stems
                     and not any(float(vectors[t] @ v) > REDUNDANT for v in near
                                 if t in vectors)]
            if other:
                used.add(other[0])
                shown = f"{shown}: {display(other[0], surface, first=False)}"
                if len(shown.split()) > MAX_WORDS:  # "How We Work: operations team"
                    shown = display(other[0], surface)
        out.append(TopicName(shown, tuple(terms)))
    return out
