"""The folders and tags that may name a topic.

In: each article's source path and tag names; per topic its members (article indices). Out:
each article's groups (its folder, written with a trailing "/", and its tags), their names as
words, each group's share of the site, and the one group (or, for a broad topic, the two)
that a topic's articles share often enough, and more often than the site does, to name it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

FOLDER_SHARE = 0.5  # share of a topic's articles in one folder or tag that names it
# ... and how many times more often the topic has it than the site: a folder or tag that (nearly)
# every article shares says nothing about one topic (Jekyll's "_posts", Hugo's "posts", a
# "content" folder above everything: every topic of blog.rust-lang.org was "Content: ...")
GROUP_LIFT = 2.0
PAIR_SHARE, PAIR_EACH = 0.35, 0.1  # two folders or tags that name a broad topic together


def article_groups(source: str, tags: Sequence[str]) -> tuple[str, ...]:
    """What may name an article's topic: its folder (none at the top), written with a
    trailing "/" ("git/", "content/inside-rust/"), and its tags."""
    folder = source.replace("\\", "/").rpartition("/")[0]
    return tuple(dict.fromkeys(([folder + "/"] if folder else []) + [t for t in tags if t]))


def group_name(group: str) -> str:
    """A tag as it is, a folder ("a/b/") as its last part ("b")."""
    return group[:-1].rpartition("/")[2] if group.endswith("/") else group


def group_words(group: str) -> str:
    """A folder or tag name as lower-case words: 'react-testing-library' -> 'react testing
    library'."""
    return " ".join(w for w in re.split(r"[-_\s/]+", group_name(group).lower()) if w)


def site_shares(groups: Sequence[Sequence[str]]) -> dict[str, float]:
    """Each folder or tag that may name a topic (its name has a letter: not "2021") -> the
    share of all articles that have it."""
    counts = Counter(g for gs in groups for g in set(gs)
                     if g and re.search(r"[^\W\d_]", group_name(g)))
    return {g: c / len(groups) for g, c in counts.items()}


def dominant_groups(groups: Sequence[Sequence[str]], members: np.ndarray,
                     site: dict[str, float], pairs: bool = False) -> list[str]:
    """The folder or tag of at least FOLDER_SHARE of the members; with ``pairs``, else the
    two that together hold PAIR_SHARE of them (each at least PAIR_EACH); only those the
    members have GROUP_LIFT times as often as the ``site`` (``site_shares``) does."""
    held = Counter(g for i in members for g in set(groups[i]) if g in site)
    counts = {g: c for g, c in held.items() if c >= GROUP_LIFT * site[g] * len(members)}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    need = FOLDER_SHARE * len(members)
    if ranked and ranked[0][1] >= need:
        return [ranked[0][0]]
    if pairs and len(ranked) > 1 and ranked[1][1] >= PAIR_EACH * len(members) and (
            ranked[0][1] + ranked[1][1] >= PAIR_SHARE * len(members)):
        return sorted(g for g, _ in ranked[:2])
    return []
