"""The site configuration: defaults, overridden by ``vibesite.toml``, overridden by the CLI."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from vibesite.diagnostics import ConfigError

CONFIG_FILE = "vibesite.toml"
DEFAULT_MODEL = "all-MiniLM-L6-v2"
SEARCH_MODEL_CHOICES = ("auto", "on-demand", "off")
ORDER_CHOICES = ("date", "weight")
HOME_CHOICES = ("latest", "sections")
ALIAS_PATHS_CHOICES = ("auto", "hugo", "quartz", "root")
# How the old generator slugified taxonomy terms (old_term_slugs; vibesite.content.term_slugs)
TERM_SLUG_CHOICES = ("hugo", "hugo-keep-case", "hugo-no-accents", "hugo-keep-case-no-accents",
                     "zola", "zola-safe", "zola-off", "jekyll", "jekyll-raw", "jekyll-pretty",
                     "jekyll-ascii", "jekyll-latin", "quartz")


@dataclass(frozen=True)
class Config:
    title: str = "My site"
    description: str = ""
    author: str = ""
    base_url: str = "/"
    language: str = "en"
    content_dir: Path = Path("content")
    output_dir: Path = Path("site")
    cache_dir: Path = Path(".vibesite")
    templates_dir: Path = Path("templates")
    static_dir: Path = Path("static")
    # Folders whose files are published at the site root as they are: Hugo's and Zola's static/
    passthrough: tuple[Path, ...] = ()
    include: tuple[str, ...] = ("**/*.md", "**/*.markdown", "**/*.mdown", "**/*.mkd")
    exclude: tuple[str, ...] = ("README.md", "CONTRIBUTING.md", "LICENSE.md")
    # Front matter keys whose names become tags (Hugo's custom taxonomies: add "series", ...)
    taxonomies: tuple[str, ...] = ("tags", "categories")
    # Jekyll's site-wide permalink for posts (files in a _posts folder): a pattern such as
    # "/:year/:month/:day/:title/", or a style (date, pretty, ordinal, none); "": /title/
    permalink: str = ""
    # How aliases/redirect_from entries without a leading / are read: "root" (Jekyll, Zola),
    # "hugo" (from the page's folder), "quartz" (an Obsidian vault: slugified as Quartz does);
    # "auto": "quartz" in a vault, "hugo" beside a Hugo config file, else "root"
    alias_paths: str = "auto"
    per_page: int = 20
    # The order of the home page and of previous/next links: "date" (newest first) or "weight"
    # (front matter weight/order, smallest first; articles without one after them, newest first).
    order: str = "date"
    # The home page: "latest" (the articles in site order, per_page a page) or "sections" (an
    # overview of the top-level folders, each with its first articles: a guide's "Start here").
    home: str = "latest"
    model: str = DEFAULT_MODEL
    batch_size: int = 32
    device: str = "auto"
    related_count: int = 10
    drafts: bool = False
    strict: bool = False
    search: bool = True
    # When the browser downloads the semantic model: "auto" (on the first typed query, unless
    # the reader's browser asks to save data), "on-demand" (a button) or "off" (keyword only).
    search_model: str = "auto"
    raw_html: bool = True  # False: HTML written in Markdown is shown as text, not run
    template_syntax: bool = True  # False: Hugo shortcodes and Liquid tags are kept as text
    math: bool = False  # True: $...$ is LaTeX on every page (else where its front matter says)
    topic_count: int = 0  # 0: chosen from the data
    topic_threshold: float = 0.5  # cosine to a seed topic's centre to be listed on it
    topic_names: dict[str, str] = field(default_factory=dict)  # slug -> display name
    topic_seeds: tuple[dict[str, Any], ...] = ()  # [[topic_seeds]] slug, name, examples
    # The site's other languages, code -> name: [languages] fr = "Français" (``language`` is the
    # default one, at the site root; the others under /CODE/). Empty: file names tell.
    languages: dict[str, str] = field(default_factory=dict)
    ask_model: str = ""  # `vibesite ask`: an llm model name ("" prints the prompt instead)
    # The old site's feed URLs, written with the site's feed (atom.xml): "index.xml" (Hugo),
    # "feed.xml" (jekyll-feed); "{section}/index.xml" and "tags/{tag}/index.xml" for each
    # section's and tag's own feed (vibesite.site.old_feeds)
    old_feeds: tuple[str, ...] = ()
    # The old site's taxonomy pages, redirected to the tag pages: "categories/{categories}/"
    # (each term under that front matter key, slugified by old_term_slugs), "categories/" (a
    # list page: to /tags/); set by init --from (vibesite.site.old_terms)
    old_taxonomies: tuple[str, ...] = ()
    old_term_slugs: str = "hugo"  # how the old generator slugified terms (content.term_slugs)
    # not a setting: the line of each "topic_names.SLUG", "topic_seeds.SLUG",
    # "old_feeds.PATH" and "old_taxonomies.PATH" in the file
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def db_path(self) -> Path:
        return self.cache_dir / "embeddings.db"

    @property
    def base_path(self) -> str:
        """The path part of base_url, always with a leading and trailing slash."""
        path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", self.base_url.strip(), flags=re.I)
        return "/" + path.strip("/") + "/" if path.strip("/") else "/"

    def absolute_url(self, site_path: str) -> str:
        root = self.base_url if "://" in self.base_url else self.base_path
        return root.rstrip("/") + "/" + site_path.lstrip("/")


_PATH_KEYS = {"content_dir", "output_dir", "cache_dir", "templates_dir", "static_dir"}
_KEYS = {f.name: f for f in fields(Config) if f.name != "key_lines"}
_TABLE = re.compile(r"^\s*\[{1,2}\s*([A-Za-z0-9_.-]+)\s*\]{1,2}")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?\Z", re.I)
_ENTRY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=(.*)$""")
_PLACEHOLDERS = ("{section}", "{tag}")  # in an old feed path (vibesite.site.old_feeds)


def _default(key: str) -> Any:
    spec = _KEYS[key]
    return spec.default_factory() if callable(spec.default_factory) else spec.default


def _key_line(text: str, key: str) -> int:
    match = re.search(rf"^\s*{re.escape(key)}\s*=", text, flags=re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _entry_lines(text: str, data: dict[str, Any]) -> dict[str, int]:
    """``topic_names.SLUG`` and ``topic_seeds.SLUG`` -> the line that names it (the line of
    the key itself when written inline)."""
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        if header := _TABLE.match(line):
            table = header.group(1)
            continue
        entry = _ENTRY.match(line)
        if not entry:
            continue
        key = entry.group(1)
        try:
            key = tomllib.loads(f"k = {key}")["k"] if key[0] in "\"'" else key
            value = tomllib.loads(f"v = {entry.group(2)}").get("v")
        except tomllib.TOMLDecodeError:
            value = None
        if table == "topic_names":
            lines.setdefault(f"topic_names.{key}", number)
        elif table == "topic_seeds" and key == "slug" and isinstance(value, str):
            lines.setdefault(f"topic_seeds.{value}", number)
    for key in ("topic_names", "topic_seeds"):
        value = data.get(key)
        slugs = (value if isinstance(value, dict) else
                 [v.get("slug") for v in value if isinstance(v, dict)]
                 if isinstance(value, list) else [])
        for slug in slugs:
            lines.setdefault(f"{key}.{slug}", _key_line(text, key))
    for key in ("old_feeds", "old_taxonomies"):
        if isinstance(data.get(key), list):
            lines.update(_old_feed_lines(text, data[key], key))
    return lines


def _old_feed_lines(text: str, paths: list[Any], key: str = "old_feeds") -> dict[str, int]:
    """``old_feeds.PATH`` (or KEY.PATH) -> the line its string is on (an array may span
    lines)."""
    match = re.search(rf"^\s*{key}\s*=", text, flags=re.M)
    start = match.start() if match else 0
    lines: dict[str, int] = {}
    for path in paths:
        if not isinstance(path, str):
            continue
        found = min((i for i in (text.find(q + path + q, start) for q in "\"'") if i >= 0),
                    default=start)
        lines.setdefault(f"{key}.{path.strip().lstrip('/')}",
                         text.count("\n", 0, found) + 1)
        start = max(start, found)
    return lines


def _seed(value: Any) -> dict[str, Any]:
    if (not isinstance(value, dict) or set(value) - {"slug", "name", "examples"}
            or not isinstance(value.get("slug"), str)
            or not isinstance(value.get("examples"), list)
            or not all(isinstance(e, str) for e in value["examples"])):
        raise TypeError("a list of tables with slug = \"...\", name = \"...\", examples = [...]")
    return value


def _old_feed_path(path: str) -> bool:
    """A path in the site, a file name at its end, with {section} or {tag} at most once."""
    parts = path.strip().lstrip("/").split("/")
    bare = path
    for placeholder in _PLACEHOLDERS:
        bare = bare.replace(placeholder, "")
    return (all(p and p not in (".", "..") for p in parts) and "{" not in bare
            and "}" not in bare and sum(path.count(p) for p in _PLACEHOLDERS) <= 1)


def _old_taxonomy_path(path: str) -> bool:
    """A path in the site with one ``{KEY}`` at most (vibesite.site.old_terms)."""
    parts = path.strip().lstrip("/").removesuffix("/").split("/")
    bare = re.sub(r"\{[A-Za-z0-9_-]+\}", "", path, count=1)
    return all(p and p not in (".", "..") for p in parts) and not re.search(r"[{}]", bare)


def _coerce(key: str, value: Any, default: Any) -> Any:
    if key == "topic_names":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise TypeError("a table of slug = \"Name\" lines")
        return dict(value)
    if key == "languages":
        if not isinstance(value, dict) or not all(
                isinstance(v, str) and _LANGUAGE_CODE.match(k) for k, v in value.items()):
            raise TypeError('a table of code = "Name" lines, codes such as fr, pt-br, zh-hans')
        return dict(value)
    if key == "topic_seeds":
        if not isinstance(value, list):
            raise TypeError("a list of [[topic_seeds]] tables")
        return tuple(_seed(v) for v in value)
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise TypeError("a number between 0 and 1")
        return float(value)
    if key in ("search_model", "order", "home", "alias_paths", "old_term_slugs"):
        choices = {"search_model": SEARCH_MODEL_CHOICES, "order": ORDER_CHOICES,
                   "home": HOME_CHOICES, "alias_paths": ALIAS_PATHS_CHOICES,
                   "old_term_slugs": TERM_SLUG_CHOICES}[key]
        if value not in choices:
            raise TypeError(" or ".join(f'"{c}"' for c in choices))
        return value
    if key == "topic_count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TypeError("0 (automatic) or a positive integer")
        return value
    if key == "old_feeds":
        paths = value if isinstance(value, list) else [None]
        if not all(isinstance(p, str) and _old_feed_path(p) for p in paths):
            raise TypeError('a list of paths in the site such as "index.xml" or '
                            '"tags/{tag}/index.xml" ({section} and {tag} the only placeholders, '
                            "at most one)")
        return tuple(dict.fromkeys(p.strip().lstrip("/") for p in paths))
    if key == "old_taxonomies":
        paths = value if isinstance(value, list) else [None]
        if not all(isinstance(p, str) and _old_taxonomy_path(p) for p in paths):
            raise TypeError('a list of paths in the site such as "categories/{categories}/" '
                            'or "categories/" (one {KEY} at most, KEY a front matter key)')
        return tuple(dict.fromkeys(p.strip().lstrip("/") for p in paths))
    if key in _PATH_KEYS:
        if not isinstance(value, str):
            raise TypeError("a path string")
        return Path(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError("a list of strings")
        return tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError("true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise TypeError("a positive integer")
        return value
    if not isinstance(value, str):
        raise TypeError("a string")
    return value


def load_config(path: Path | None, root: Path | None = None) -> Config:
    """Read ``path`` (or ``root/vibesite.toml`` if present); paths resolve against its folder."""
    root = root or Path.cwd()
    if path is None:
        candidate = root / CONFIG_FILE
        if not candidate.exists():
            return _resolve(Config(), root)
        path = candidate
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{path}:1: error: cannot read the config file: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or 1
        raise ConfigError(f"{path}:{line}: error: invalid TOML: {exc}") from exc
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = _key_line(text, key)
        if key not in _KEYS:
            close = difflib.get_close_matches(key, list(_KEYS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(f"{path}:{line}: error: unknown key '{key}'{hint}")
            continue
        try:
            values[key] = _coerce(key, value, _default(key))
        except TypeError as exc:
            problems.append(f"{path}:{line}: error: '{key}' must be {exc}, not {value!r}")
    for entry in values.get("old_taxonomies", ()):
        named = re.search(r"\{([A-Za-z0-9_-]+)\}", entry)
        if named and named.group(1) not in values.get("taxonomies", _default("taxonomies")):
            problems.append(f"{path}:{_key_line(text, 'old_taxonomies')}: error: "
                            f"'old_taxonomies' names '{{{named.group(1)}}}', which is not one "
                            "of 'taxonomies' (the front matter keys read as tags)")
    if problems:
        raise ConfigError("\n".join(problems))
    return _resolve(Config(**values, key_lines=_entry_lines(text, data)), path.parent)


def _resolve(config: Config, root: Path) -> Config:
    paths = {k: (root / getattr(config, k)) for k in _PATH_KEYS}
    return replace(config, **paths, passthrough=tuple(root / p for p in config.passthrough))


def with_overrides(config: Config, **overrides: Any) -> Config:
    """Apply command-line overrides (None means not given)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return replace(config, **given)
