"""The old site's feed URLs, read from its settings for ``vibesite init --from``.

In: the generator's name, its settings (Jekyll's ``_config.yml``, Hugo's or Zola's config, as
read), the old site's folder and its content folder. Out: ``OldFeeds``: the ``old_feeds``
entries (see vibesite.site.old_feeds), the settings about feeds vibesite cannot carry over,
as notes, and the files to leave out (a Jekyll feed template, which vibesite would copy
unrendered).

- Hugo: RSS on the home page (``index.xml``), each section (``{section}/index.xml``) and
  each tag (``tags/{tag}/index.xml``), unless ``disableKinds`` or ``outputs`` turn them off;
  the file name is ``outputFormats.RSS.baseName`` (default ``index``) with ``.xml``.
- Jekyll: jekyll-feed's ``feed.xml`` (or its ``feed: path:``) when the plugin or a ``feed:``
  setting is there; a feed template of the site's own (``feed.xml``, ``atom.xml``, ...).
- Zola: ``feed_filenames`` (``feed_filename`` before 0.19; ``rss.xml`` for the oldest
  ``generate_rss``) when feeds are on, for the site, the taxonomy ``tags`` when its ``feed``
  is on, and each section whose ``_index.md`` turns ``generate_feeds`` on.
- Obsidian: Quartz's ``index.xml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vibesite.content.sections import folder_id

FEED_SUFFIXES = (".xml", ".atom", ".rss")  # files vibesite can write its Atom feed to
JEKYLL_TEMPLATES = ("feed.xml", "atom.xml", "rss.xml", "feed.atom", "index.xml")
_TOML_FRONT_MATTER = re.compile(r"\A\ufeff?\+\+\+\r?\n(.*?)^\+\+\+", re.S | re.M)


@dataclass
class OldFeeds:
    paths: list[str] = field(default_factory=list)  # old_feeds entries, atom.xml left out
    left: list[str] = field(default_factory=list)  # feed settings with no vibesite key
    exclude: list[str] = field(default_factory=list)  # the old site's feed templates

    def add(self, *paths: str) -> None:
        for path in paths:
            path = path.strip().lstrip("/")
            if path and path != "atom.xml" and path not in self.paths:
                self.paths.append(path)


def _lowered(value: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def _names(value: Any) -> list[str]:
    return [str(v).lower() for v in value] if isinstance(value, list) else []


def _hugo(data: dict[str, Any], found: OldFeeds) -> None:
    lowered = _lowered(data)
    if "rss" in _names(lowered.get("disablekinds")):
        return
    base = _lowered(_lowered(lowered.get("outputformats")).get("rss")).get("basename")
    name = f"{base if isinstance(base, str) and base else 'index'}.xml"
    outputs = _lowered(lowered.get("outputs"))
    disabled = set(_names(lowered.get("disablekinds")))

    def has_feed(*kinds: str) -> bool:
        kind = next((k for k in kinds if k in outputs), kinds[0])
        return kind not in disabled and (kind not in outputs or "rss" in _names(outputs[kind]))

    if has_feed("home"):
        found.add(name)
    if has_feed("section"):
        found.add(f"{{section}}/{name}")
    taxonomies = lowered.get("taxonomies")
    plurals = ([str(v) for v in taxonomies.values()] if isinstance(taxonomies, dict)
               else ["tags", "categories"])
    if has_feed("term", "taxonomy"):  # "taxonomy" meant a term's page before Hugo 0.73
        if "tags" in plurals:
            found.add(f"tags/{{tag}}/{name}")
        if others := [p for p in plurals if p != "tags"]:
            found.left.append(", ".join(f"/{p}/TERM/{name}" for p in others) + ": feeds of "
                              "pages vibesite does not have (its tag pages are /tags/TAG/)")


def _jekyll(data: dict[str, Any], old: Path, found: OldFeeds) -> None:
    plugins = [*_names(data.get("plugins")), *_names(data.get("gems"))]
    feed = data.get("feed") if isinstance(data.get("feed"), dict) else {}
    if "jekyll-feed" in plugins or feed:
        path = feed.get("path")
        found.add(path if isinstance(path, str) and path.strip() else "feed.xml")
        found.left += [f"feed.{key}: jekyll-feed's feeds per {key[:-1]} are not written; "
                       "old_feeds = [\"feed/{tag}.xml\"] writes one per tag"
                       for key in ("categories", "collections", "tags") if feed.get(key)]
    for name in JEKYLL_TEMPLATES:
        template = old / name
        if template.is_file() and template.read_bytes().startswith(b"---"):
            found.add(name)  # a Liquid template: vibesite writes the feed there instead
            found.exclude.append(name)


def _zola_sections(content: Path, names: list[str], found: OldFeeds) -> None:
    for index in sorted(content.rglob("_index.md")):
        match = _TOML_FRONT_MATTER.match(index.read_text(encoding="utf-8", errors="replace"))
        try:
            settings = tomllib.loads(match.group(1)) if match else {}
        except tomllib.TOMLDecodeError:
            continue
        if settings.get("generate_feeds") is True or settings.get("generate_feed") is True:
            folder = folder_id(index.parent.relative_to(content).as_posix())
            found.add(*(f"{folder}/{name}" if folder else name for name in names))


def _zola(data: dict[str, Any], content: Path, found: OldFeeds) -> None:
    names = data.get("feed_filenames")
    if not isinstance(names, list):
        single = data.get("feed_filename")
        names = [single if isinstance(single, str) else
                 "rss.xml" if "generate_rss" in data else "atom.xml"]
    names = [n for n in names if isinstance(n, str) and n.strip()]
    found.left += [f"feed_filenames: {n}: a feed of the site's own template; vibesite writes "
                   "Atom only" for n in names if not n.lower().endswith(FEED_SUFFIXES)]
    names = [n for n in names if n.lower().endswith(FEED_SUFFIXES)]
    on = any(data.get(key) is True for key in ("generate_feeds", "generate_feed", "generate_rss"))
    if on:
        found.add(*names)
    for taxonomy in data.get("taxonomies") or []:
        if not isinstance(taxonomy, dict) or not (taxonomy.get("feed") or taxonomy.get("rss")):
            continue
        if taxonomy.get("name") == "tags":
            found.add(*(f"tags/{{tag}}/{n}" for n in names))
        else:
            found.left.append(f"taxonomies: the feeds of {taxonomy.get('name')!s} are not "
                              "written (vibesite's tag pages are /tags/TAG/)")
    if content.is_dir():
        _zola_sections(content, names, found)


def old_feeds(generator: str, data: dict[str, Any], old: Path, content: Path) -> OldFeeds:
    """The feed URLs the old site had, from its settings (``data``) and defaults."""
    found = OldFeeds()
    if generator == "Hugo":
        _hugo(data, found)
    elif generator == "Jekyll":
        _jekyll(data, old, found)
    elif generator == "Zola":
        _zola(data, content, found)
    elif generator == "Obsidian":
        found.add("index.xml")  # Quartz publishes a vault's RSS feed there
    return found
