"""``vibesite init --from OLD``: a vibesite.toml written from another generator's settings.

In: the folder of a Jekyll site (``_config.yml``), a Hugo site (``hugo.toml``, ``hugo.yaml``,
``config.toml`` or ``config.yaml``, at the top or in ``config/_default/`` with its
``params.toml``), a Zola site (``config.toml`` with ``base_url``) or an Obsidian vault
(``.obsidian/``), and the folder the new vibesite.toml goes in.
Out: ``Migration``: which generator it was, the vibesite.toml text (each setting that maps, as
the migration guide's table says, with ``content_dir`` pointing at the old content and
``passthrough`` at Hugo's or Zola's ``static/``, relative to the new file's folder), and the
settings left behind, named for the person to check.

Languages: Hugo's ``defaultContentLanguage`` (or its ``languageCode``), Zola's
``default_language`` and Jekyll polyglot's ``default_lang`` become ``language``; Hugo's and
Zola's ``[languages]`` tables (Hugo's ``config/_default/languages.toml`` too) and polyglot's
``languages`` list become ``languages``, each code with its name (Hugo's ``languageName``,
else the language's own name for itself).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vibesite.commands.migrate_feeds import old_feeds
from vibesite.commands.migrate_taxonomies import old_taxonomies
from vibesite.content.aliases import HUGO_FILES
from vibesite.content.languages import Languages

# What Jekyll itself never publishes, for a content folder that is the whole repository
JEKYLL_EXCLUDE = ("vibesite.toml", "README.md", "CONTRIBUTING.md", "LICENSE.md", "_drafts/**",
                  "_layouts/**",
                  "_includes/**", "_sass/**", "_data/**", "_plugins/**", "_site/**",
                  "vendor/**", "Gemfile*", "_config.yml", "*.gemspec", "node_modules/**",
                  "package*.json", ".jekyll-cache/**", "index.html", "404.html", "404.md")
_LEFT = {  # settings of the old site that have no vibesite key, and what to do instead
    "theme": "the theme: vibesite has its own (see theming)",
    "plugins": "plugins: vibesite reads common template tags itself",
    "paginate_path": "paginate_path: vibesite pages the home page at /page/N/",
    "outputs": "outputs: vibesite writes HTML, atom.xml (and old_feeds), sitemap.xml and "
               "related.json",
    "menu": "menus: vibesite's header lists Home, Archive, Tags, Topics and Map",
}


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


class MigrateError(Exception):
    pass


@dataclass
class Migration:
    generator: str
    settings: dict[str, Any] = field(default_factory=dict)  # vibesite key -> value
    left: list[str] = field(default_factory=list)  # old settings with no vibesite key

    def toml(self) -> str:
        lines = [f"# Written by `vibesite init --from`, from this {self.generator} site's "
                 "settings; every key is optional.", "# See the configuration reference for "
                 "the others."]
        lines += [f"{key} = {_toml(value)}" for key, value in self.settings.items()]
        if self.left:
            lines += ["", f"# Not carried over from {self.generator}:"]
            lines += [f"#   {note}" for note in self.left]
        return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):  # an inline table: { en = "English", fr = "Français" }
        return "{ " + ", ".join(f"{k if _BARE_KEY.match(k) else _toml(k)} = {_toml(v)}"
                                for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        items = ", ".join(_toml(v) for v in value)
        if len(items) <= 80:
            return f"[{items}]"
        return "[\n" + "".join(f"    {_toml(v)},\n" for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def _read(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        data = (tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
                if path.suffix == ".json" else yaml.safe_load(text))
    except (tomllib.TOMLDecodeError, ValueError, yaml.YAMLError) as exc:
        raise MigrateError(f"{path}: cannot read it: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _common(data: dict[str, Any], migration: Migration, keys: dict[str, str]) -> None:
    """Copy ``keys`` (old key -> vibesite key) that hold text; note the settings left."""
    for old, new in keys.items():
        if (value := _text(data.get(old))) is not None:
            migration.settings.setdefault(new, value)
    migration.left += [note for key, note in _LEFT.items() if data.get(key)]


def _jekyll(data: dict[str, Any], migration: Migration) -> None:
    _common(data, migration, {"title": "title", "description": "description", "lang": "language"})
    author = data.get("author")
    if name := _text(author.get("name") if isinstance(author, dict) else author):
        migration.settings["author"] = name
    if url := _text(data.get("url")):
        migration.settings["base_url"] = url.rstrip("/") + "/" + (
            (_text(data.get("baseurl")) or "").strip("/") + "/").lstrip("/")
    if isinstance(data.get("paginate"), int):
        migration.settings["per_page"] = data["paginate"]
    migration.settings["permalink"] = _text(data.get("permalink")) or "date"
    polyglot = data.get("languages")  # jekyll-polyglot: languages: ["en", "fr"], default_lang
    if isinstance(polyglot, list) and all(isinstance(c, str) for c in polyglot) and polyglot:
        default = _text(data.get("default_lang")) or polyglot[0]
        migration.settings.setdefault("language", default)
        _languages(migration, dict.fromkeys(polyglot, {}), "")
    own = [p for p in data.get("exclude") or [] if isinstance(p, str)]
    migration.settings["exclude"] = [*JEKYLL_EXCLUDE, *(p.rstrip("/") + "/**" if p.endswith("/")
                                                       else p for p in own)]


def _languages(migration: Migration, table: dict[str, Any], name_key: str) -> None:
    """``languages``: each enabled language's code and name (``name_key`` in its table, else
    its own name for itself); Hugo's per-language content folders are noted as left."""
    names: dict[str, str] = {}
    for code, spec in table.items():
        spec = {k.lower(): v for k, v in spec.items()} if isinstance(spec, dict) else {}
        if spec.get("disabled") is True:
            migration.left.append(f"languages.{code}: disabled, so not carried over")
            continue
        if _text(spec.get("contentdir")):
            migration.left.append(
                f"languages.{code}.contentDir: vibesite reads translations by file name "
                f"(name.{code}.md) or front matter lang, not by folder")
        names[code] = (name_key and _text(spec.get(name_key))) or Languages("", {}).name(code)
    if len(names) > 1:
        migration.settings["languages"] = names


def _hugo(data: dict[str, Any], migration: Migration) -> None:
    lowered = {k.lower(): v for k, v in data.items()}
    params = lowered.get("params") if isinstance(lowered.get("params"), dict) else {}
    default = _text(lowered.get("defaultcontentlanguage"))
    table = lowered.get("languages") if isinstance(lowered.get("languages"), dict) else {}
    own = table.get(default or "en")
    own_code = _text({k.lower(): v for k, v in own.items()}.get("languagecode")) \
        if isinstance(own, dict) else None
    code = _text(lowered.get("languagecode"))
    if own_code or (default and code and code.lower().split("-")[0] != default.lower()):
        code = own_code or default  # the top-level languageCode is another language's
    if language := code or default:
        migration.settings["language"] = language
    _languages(migration, table, "languagename")
    if lowered.get("defaultcontentlanguageinsubdir") is True:
        migration.left.append("defaultContentLanguageInSubdir: vibesite publishes the default "
                              "language at the root")
    _common(lowered, migration, {"title": "title"})
    _common(params, migration, {"description": "description", "author": "author"})
    if url := _text(lowered.get("baseurl")):
        migration.settings["base_url"] = url
    pager = (lowered.get("pagination") or {}).get("pagerSize") if isinstance(
        lowered.get("pagination"), dict) else lowered.get("paginate")
    if isinstance(pager, int):
        migration.settings["per_page"] = pager
    taxonomies = lowered.get("taxonomies")
    if isinstance(taxonomies, dict) and taxonomies:
        migration.settings["taxonomies"] = [str(v) for v in taxonomies.values()]
    migration.settings["alias_paths"] = "hugo"  # aliases without / are read from the page


def _zola(data: dict[str, Any], migration: Migration) -> None:
    _common(data, migration, {"title": "title", "description": "description",
                              "base_url": "base_url", "default_language": "language"})
    table = data.get("languages") if isinstance(data.get("languages"), dict) else {}
    if table:
        default = _text(data.get("default_language")) or "en"
        _languages(migration, {default: {}, **table}, "")
    names = [t.get("name") for t in data.get("taxonomies") or [] if isinstance(t, dict)]
    if names := [n for n in names if isinstance(n, str)]:
        migration.settings["taxonomies"] = names


def _with_feeds(migration: Migration, data: dict[str, Any], old: Path,
                content: Path) -> Migration:
    """``old_feeds``: the old site's feed URLs (vibesite.commands.migrate_feeds), and
    ``old_taxonomies``: its tag and category pages (vibesite.commands.migrate_taxonomies)."""
    feeds = old_feeds(migration.generator, data, old, content)
    if feeds.paths:
        migration.settings["old_feeds"] = feeds.paths
    if feeds.exclude and isinstance(migration.settings.get("exclude"), list):
        migration.settings["exclude"] += feeds.exclude
    migration.left += feeds.left
    taxonomies = old_taxonomies(migration.generator, data)
    if taxonomies.paths:
        migration.settings["old_taxonomies"] = taxonomies.paths
        migration.settings["old_term_slugs"] = taxonomies.slugs
    migration.left += taxonomies.left
    return migration


def read_site(old: Path, target: Path) -> Migration:
    """The vibesite settings of the site in ``old``, for a vibesite.toml in ``target``."""
    if not old.is_dir():
        raise MigrateError(f"{old} is not a folder")

    def content(folder: Path) -> str:
        return Path(os.path.relpath(folder.resolve(), target.resolve())).as_posix()

    if (old / "_config.yml").is_file():
        migration = Migration("Jekyll", {"content_dir": content(old)})
        data = _read(old / "_config.yml")
        _jekyll(data, migration)
        return _with_feeds(migration, data, old, old)
    found = next((old / name for name in HUGO_FILES if (old / name).is_file()), None)
    if found is not None:
        data = _read(found)
        params = found.with_name("params" + found.suffix)  # Hugo's config/_default/params.toml
        if found.parent.name == "_default" and params.is_file():
            data.setdefault("params", _read(params))
        languages = found.with_name("languages" + found.suffix)
        if found.parent.name == "_default" and languages.is_file():
            data.setdefault("languages", _read(languages))
        zola = found.name == "config.toml" and "base_url" in data
        folder = "content" if zola else _text(data.get("contentDir")) or "content"
        static = "static" if zola else _text(data.get("staticDir")) or "static"
        migration = Migration("Zola" if zola else "Hugo", {"content_dir": content(old / folder)})
        if (old / static).is_dir():  # served at the site root, as Hugo and Zola do
            migration.settings["passthrough"] = [content(old / static)]
        (_zola if zola else _hugo)(data, migration)
        return _with_feeds(migration, data, old, old / folder)
    if (old / ".obsidian").is_dir():
        return _with_feeds(Migration("Obsidian", {
            "content_dir": content(old), "title": old.resolve().name,
            "exclude": ["vibesite.toml", "README.md"]}), {}, old, old)
    raise MigrateError(f"{old} has no _config.yml (Jekyll), hugo.toml or config.toml (Hugo, "
                       "Zola) and no .obsidian folder (Obsidian)")
