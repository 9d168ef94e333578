"""The old site's taxonomy page URLs, read from its settings for ``vibesite init --from``.

In: the generator's name and its settings (Jekyll's ``_config.yml``, Hugo's or Zola's config,
as read). Out: ``OldTaxonomies``: the ``old_taxonomies`` entries and the ``old_term_slugs``
rule (see vibesite.site.old_terms and vibesite.content.term_slugs), and the settings about
taxonomy pages vibesite cannot carry over, as notes.

- Hugo: each taxonomy of ``[taxonomies]`` (default ``tags`` and ``categories``): its terms at
  ``/<plural>/<term>/`` and its list page at ``/<plural>/``, unless ``disableKinds`` turns them
  off (``term`` and ``taxonomy``; ``taxonomy`` and ``taxonomyTerm`` before Hugo 0.73);
  ``uglyURLs = true``: ``/<plural>/<term>.html``; the rule ``hugo``, with
  ``disablePathToLower`` and ``removePathAccents``.
- Zola: each taxonomy of the default language (``taxonomies = [{name = ...}]``, unless
  ``render = false``): ``/<name>/<slug>/`` and ``/<name>/`` under ``taxonomy_root``; the rule
  from ``[slugify] taxonomies`` (``on``, ``safe``, ``off``).
- Jekyll: core Jekyll writes no tag pages; with the jekyll-archives plugin, the ``tag`` and
  ``category`` archives it enables (``jekyll-archives.enabled``) at its ``permalinks``
  (default ``/tag/:name/``, ``/category/:name/``); the rule ``jekyll`` (``Utils.slugify``).
- Obsidian: Quartz's tag pages, ``/tags/<tag>`` (served from ``tags/<tag>.html``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vibesite.content.term_slugs import term_slug


@dataclass
class OldTaxonomies:
    paths: list[str] = field(default_factory=list)  # old_taxonomies entries
    slugs: str = ""  # old_term_slugs
    left: list[str] = field(default_factory=list)  # settings with no vibesite key

    def add(self, *paths: str) -> None:
        for path in paths:
            path = path.strip().lstrip("/")
            if path and path not in self.paths:
                self.paths.append(path)


def _lowered(value: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def _hugo(data: dict[str, Any], found: OldTaxonomies) -> None:
    lowered = _lowered(data)
    table = lowered.get("taxonomies")
    plurals = ([str(v) for v in table.values() if v] if isinstance(table, dict)
               else ["tags", "categories"])
    disabled = {str(k).lower() for k in lowered.get("disablekinds") or []
                if isinstance(k, str)}
    old_kinds = "taxonomyterm" in disabled  # before Hugo 0.73: taxonomy was a term's page
    no_terms = ("taxonomy" if old_kinds else "term") in disabled
    no_lists = ("taxonomyterm" if old_kinds else "taxonomy") in disabled
    ugly = lowered.get("uglyurls")
    if isinstance(ugly, dict):
        found.left.append("uglyURLs per section: the taxonomy pages are taken as /PLURAL/TERM/; "
                          "edit old_taxonomies if they were .html files")
    end = ".html" if ugly is True else "/"
    permalinks = _lowered(lowered.get("permalinks"))
    for plural in plurals:
        custom = permalinks.get(plural.lower()) or _lowered(permalinks.get("term")).get(
            plural.lower())
        if custom:
            found.left.append(f"permalinks.{plural}: {custom}: not carried over; old_taxonomies "
                              f"takes {plural}'s pages as /{plural}/TERM/")
        if not no_terms:
            found.add(f"{plural}/{{{plural}}}{end}")
        if not no_lists:
            found.add(f"{plural}{end}" if end == ".html" else f"{plural}/")
    found.slugs = "hugo" + ("-keep-case" if lowered.get("disablepathtolower") is True else "") \
        + ("-no-accents" if lowered.get("removepathaccents") is True else "")
    if isinstance(lowered.get("languages"), dict) and len(lowered["languages"]) > 1:
        found.left.append("the taxonomy pages of the other languages (/fr/tags/TERM/): "
                          "not redirected")


def _zola(data: dict[str, Any], found: OldTaxonomies) -> None:
    strategy = _lowered(data.get("slugify")).get("taxonomies", "on")
    rule = {"on": "zola", "safe": "zola-safe", "off": "zola-off"}.get(str(strategy), "zola")
    root = str(data.get("taxonomy_root") or "").strip("/")
    for taxonomy in data.get("taxonomies") or []:
        name = taxonomy.get("name") if isinstance(taxonomy, dict) else None
        if not isinstance(name, str) or taxonomy.get("render") is False:
            continue
        if taxonomy.get("lang") and taxonomy["lang"] != data.get("default_language", "en"):
            continue  # another language's taxonomy (before Zola 0.15), under /LANG/
        folder = "/".join(p for p in (root, term_slug(name, rule) or name) if p)
        found.add(f"{folder}/{{{name}}}/", f"{folder}/")
    if found.paths:
        found.slugs = rule


def _jekyll(data: dict[str, Any], found: OldTaxonomies) -> None:
    plugins = [str(p).lower() for key in ("plugins", "gems")
               for p in (data.get(key) if isinstance(data.get(key), list) else [])]
    if "jekyll-archives" not in plugins:
        return
    settings = data.get("jekyll-archives") if isinstance(data.get("jekyll-archives"),
                                                         dict) else {}
    enabled = settings.get("enabled", [])
    permalinks = settings.get("permalinks") if isinstance(settings.get("permalinks"),
                                                          dict) else {}
    for kind, key in (("tag", "tags"), ("category", "categories")):
        if not (enabled in (True, "all") or isinstance(enabled, list) and key in enabled):
            continue
        pattern = permalinks.get(kind) or f"/{kind}/:name/"
        path = re.sub(r":name\b", f"{{{key}}}", str(pattern).replace(":type", kind))
        if not path.endswith(("/", ".html")):
            found.left.append(f"jekyll-archives.permalinks.{kind}: {pattern}: a URL without "
                              "/ or .html at its end is not redirected")
            continue
        found.add(path)
    mode = settings.get("slug_mode")
    if found.paths:
        found.slugs = f"jekyll-{mode}" if mode in ("raw", "pretty", "ascii", "latin") \
            else "jekyll"


def old_taxonomies(generator: str, data: dict[str, Any]) -> OldTaxonomies:
    """The taxonomy page URLs the old site had, from its settings (``data``) and defaults."""
    found = OldTaxonomies()
    if generator == "Hugo":
        _hugo(data, found)
    elif generator == "Zola":
        _zola(data, found)
    elif generator == "Jekyll":
        _jekyll(data, found)
    elif generator == "Obsidian":
        found.add("tags/{tags}")
        found.slugs = "quartz"
    return found
