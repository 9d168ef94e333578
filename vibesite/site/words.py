"""The theme's words in each page's language ("Archive", "Archiv", "アーカイブ").

In: the theme folders (``render.theme_dirs``: the site's own first, then the default theme),
each of which may hold ``i18n/<language>.toml`` (the default theme ships English and several
others), and a page's language code. Out: ``ThemeWords``: a page's words by key, with
``{name}`` placeholders filled and plural forms chosen (``{one = ..., other = ...}``); numbers
grouped as the language writes them (1,871 · 1 871 · 1.871); and the words the theme's scripts
show (the keys under ``script.``), for the page to hand them as JSON.

A key is looked up in ``fr-CA``, then ``fr``, then English, first in the site's own folder and
then in the theme's, key by key: a site overrides one word by writing only that word in its
``templates/i18n/fr.toml``, as Hugo's project i18n files override a theme's. English must hold
every key the templates use: a key missing there is an error, like an undefined variable.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

DEFAULT = "en"
SCRIPT = "script."  # the keys the theme's scripts read (static/theme.js, map.js, search/)
# CLDR plural rules for the cardinal "one" where it is not "exactly 1" (as Intl.PluralRules
# has them, so the scripts' plurals agree): French and Brazilian Portuguese count 0 as one;
# these languages have no singular form.
_ZERO_IS_ONE = {"fr", "pt"}
_NO_PLURAL = {"ja", "zh", "ko", "vi", "th", "id", "ms", "lo", "my"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# written in another script than their base language's words: no fallback to those (zh is
# Simplified Chinese; Traditional gets English unless the site adds zh-tw.toml)
_OWN_SCRIPT = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")


class ThemeWordsError(LookupError):
    """A key no words file defines (in English at least), or a words file that is not TOML:
    ``path`` and ``line`` say where, when known."""

    def __init__(self, message: str, path: str = "", line: int = 0) -> None:
        super().__init__(message, path, line)
        self.message, self.path, self.line = message, path, line

    def __str__(self) -> str:
        return self.message


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"nav": {"home": "Home"}}`` -> ``{"nav.home": "Home"}``; a table holding ``other`` is
    one plural entry, not a level."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict) and "other" not in value:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def read_words(path: Path) -> dict[str, Any]:
    """One words file, its keys dotted (``nav.home``)."""
    try:
        return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        raise ThemeWordsError(f"not a TOML file: {exc}", str(path),
                              int(found.group(1)) if found else 1) from exc


@lru_cache(maxsize=64)
def _read(path: Path, mtime: float) -> dict[str, Any]:
    return read_words(path)


def plural_form(lang: str, count: int) -> str:
    """CLDR's cardinal category of ``count`` for ``lang``, reduced to "one" and "other"."""
    base = lang.lower().split("-")[0]
    if base in _NO_PLURAL:
        return "other"
    if base in _ZERO_IS_ONE and lang.lower() != "pt-pt":
        return "one" if count in (0, 1) else "other"
    return "one" if count == 1 else "other"


def _fill(text: str, values: Mapping[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values
                            else m.group(0), text)


class ThemeWords:
    """The words files of ``folders`` (first wins, key by key)."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = [Path(f) / "i18n" for f in folders]
        self._tables: dict[str, dict[str, Any]] = {}
        self._scripts: dict[str, str] = {}  # script_words per language, as every page asks

    def table(self, lang: str) -> dict[str, Any]:
        """Every key in ``lang``: its own words over its base language's over English."""
        chain = [DEFAULT]
        base = lang.lower().split("-")[0]
        if lang.lower().startswith(_OWN_SCRIPT):
            base = DEFAULT
        chain += [c for c in (base, lang.lower()) if c not in chain]
        merged: dict[str, Any] = {}
        for code in chain:  # English first, the most specific last: later wins
            for folder in reversed(self.folders):  # the theme's, then the site's over it
                path = folder / f"{code}.toml"
                if path.is_file():
                    merged.update(_read(path, path.stat().st_mtime))
        return merged

    def _table(self, lang: str) -> dict[str, Any]:
        if lang not in self._tables:
            self._tables[lang] = self.table(lang)
        return self._tables[lang]


    def text(self, lang: str, key: str, values: Mapping[str, Any] | None = None) -> str:
        """The words of ``key`` in ``lang``, placeholders filled; a plural entry takes the form
        of ``values["count"]`` (its number grouped as the language writes numbers)."""
        entry = self._table(lang).get(key)
        if entry is None:
            raise ThemeWordsError(f"no words for {key!r} (not in the theme's i18n/{DEFAULT}.toml)")
        values = dict(values or {})
        count = values.get("count")
        if isinstance(entry, dict):
            entry = entry.get(plural_form(lang, int(count or 0)), entry["other"])
        if isinstance(count, int):
            values["count"] = self.number(lang, count)
        return _fill(str(entry), values)

    def markup(self, lang: str, key: str, values: Mapping[str, Any] | None = None) -> Markup:
        """``text`` for a template: the words escaped, each value escaped unless it is already
        markup (a link the template built)."""
        values = dict(values or {})
        plain = self.text(lang, key, {"count": values.pop("count")} if "count" in values else {})
        return Markup(_fill(str(escape(plain)), {k: escape(v) for k, v in values.items()}))

    def number(self, lang: str, value: int) -> str:
        """``value`` with its thousands grouped by the language's ``number.group``."""
        group = str(self._table(lang).get("number.group", ","))
        return f"{value:,}".replace(",", group)

    def script_words(self, lang: str) -> str:
        """The scripts' words in ``lang`` that differ from English, and the language, as JSON
        for a page ("" when there are none: the scripts carry the English ones)."""
        if lang not in self._scripts:
            self._scripts[lang] = self._script_words(lang)
        return self._scripts[lang]

    def _script_words(self, lang: str) -> str:
        # the scripts carry the default theme's English (the last folder's), not the site's
        theme = self.folders[-1] / f"{DEFAULT}.toml" if self.folders else None
        table = self._table(lang)
        english = _read(theme, theme.stat().st_mtime) if theme and theme.is_file() else {}
        changed = {k[len(SCRIPT):]: v for k, v in sorted(table.items())
                   if k.startswith(SCRIPT) and v != english.get(k)}
        if "number.group" in table and table["number.group"] != english.get("number.group"):
            changed["number_group"] = table["number.group"]
        if not changed:
            return ""
        # "</" cannot end the <script> element it is written into
        return json.dumps({"lang": lang, **changed}, ensure_ascii=False).replace("</", "<\\/")

