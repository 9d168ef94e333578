"""Warnings about the topic settings: renames and seeds that match no topic or article.

In: the config (its ``topic_names``, ``topic_seeds`` and the lines they are on), the built
topics and the article ids. Out: ``vibesite.toml:LINE: warning: ... [topic-name-unknown]``
(a rename or seed that names no topic) and ``[topic-seed]`` (a seed example that is no
article), each with a did-you-mean; ``[topic-name-shared]`` where the config gives two topics
one name (kept: the user's choice; an automatic name is told apart by topics.distinct).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence

from vibesite.config import CONFIG_FILE, Config
from vibesite.diagnostics import Diagnostics
from vibesite.topics.build import Topics
from vibesite.topics.distinct import label_key


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"topics are {', '.join(repr(c) for c in choices[:5])}" + (
        ", ..." if len(choices) > 5 else "") if choices else "the site has no topics yet"


def check_topic_settings(config: Config, topics: Topics, known: Collection[str],
                         diagnostics: Diagnostics) -> None:
    slugs = sorted({t.slug for t in (*topics.topics, *topics.broad)})
    some_id = sorted(known)
    for seed in config.topic_seeds:
        line = config.key_lines.get(f"topic_seeds.{seed['slug']}", 1)
        missing = [e for e in seed["examples"] if e not in known]
        hint = (difflib.get_close_matches(missing[0], some_id, n=1, cutoff=0.5)
                or some_id[:1] or ["my-post"])[0] if missing else ""
        if missing and len(missing) == len(seed["examples"]):
            diagnostics.warning(
                CONFIG_FILE, line, f"topic seed '{seed['slug']}' matches no topic: no article "
                f"{', '.join(missing)}; did you mean '{hint}'?", "topic-name-unknown")
        elif missing:
            diagnostics.warning(CONFIG_FILE, line, f"topic seed '{seed['slug']}': no article "
                                f"{', '.join(missing)}; use article ids such as '{hint}'",
                                "topic-seed")
    for slug in config.topic_names:
        if slug not in slugs:
            line = config.key_lines.get(f"topic_names.{slug}", 1)
            diagnostics.warning(CONFIG_FILE, line, f"[topic_names] '{slug}' matches no topic; "
                                f"{_suggest(slug, slugs)}", "topic-name-unknown")
    _check_shared_names(config, topics, diagnostics)


def _check_shared_names(config: Config, topics: Topics, diagnostics: Diagnostics) -> None:
    """A config name that another config name of a topic already has, at its later line."""
    present = {t.slug for t in (*topics.topics, *topics.broad)}
    named = [(config.key_lines.get(f"topic_names.{slug}", 1), f"[topic_names] '{slug}'", name)
             for slug, name in config.topic_names.items() if slug in present and name]
    named += [(config.key_lines.get(f"topic_seeds.{seed['slug']}", 1),
               f"topic seed '{seed['slug']}'", seed.get("name") or seed["slug"])
              for seed in config.topic_seeds
              if seed["slug"] in present and not config.topic_names.get(seed["slug"])]
    first: dict[str, str] = {}
    for line, what, name in sorted(named):
        if (other := first.setdefault(label_key(name), what)) != what:
            diagnostics.warning(CONFIG_FILE, line, f"{what} is named '{name}' as {other} is; "
                                "readers cannot tell the two topics apart", "topic-name-shared")
