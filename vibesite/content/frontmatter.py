"""Split a Markdown file into front matter (YAML ``---`` or TOML ``+++``) and body; read its
values as text (``clean_value``, ``text_of``) and name them in messages (``shown``)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from typing import Any

import yaml

from vibesite.diagnostics import Diagnostics

try:  # the C loader is ~10x faster; fall back to pure Python where libyaml is missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader


class _YamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML, but dates stay text: vibesite parses them itself, tolerantly and with the
    line in hand (PyYAML would crash on ``2019-02-30`` and cannot say where)."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

# Front matter values that read as one piece of text (bool is an int, datetime a date).
# A list or table is never turned into text: an aliased YAML list can stand for billions.
SCALARS = (str, int, float, date)
_KINDS = {list: "a list", dict: "a table", set: "a set", bytes: "binary data"}
_WS = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # C0 controls that are not white space
# A character reference in a title or tag: Jekyll writes front matter text into the page as
# it is, so "U&#46;S&#46; Web Design System&#58; May call" and "&ldquo;agilefall&rdquo;"
# (817 titles and descriptions of digitalgov-hugo, 6 of 18f-blog-jekyll) read as characters
# there. Only references closed by ";": "AT&T" and "&para" stay as typed.
_CHAR_REF = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def clean_value(value: Any) -> str:
    """A scalar as one line of text, control characters dropped; anything else gives ""."""
    if not isinstance(value, SCALARS):
        return ""
    return _WS.sub(" ", _CONTROL.sub("", str(value))).strip()


def text_of(value: Any) -> str:
    """A front matter scalar as displayed text: ``clean_value``, character references decoded."""
    return clean_value(_CHAR_REF.sub(lambda m: unescape(m.group()), clean_value(value)))


def shown(value: Any) -> str:
    """A front matter value for a message: quoted and short, or what kind of thing it is."""
    if not isinstance(value, SCALARS):
        return _KINDS.get(type(value), type(value).__name__)
    text = str(value)
    return repr(text if len(text) <= 60 else text[:60] + "…")


_FENCES = {"---": "yaml", "+++": "toml"}
NESTED_TOO_DEEPLY = ("front matter is nested too deeply (lists or tables inside each other "
                     "hundreds of levels down); flatten it")


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    raw: str = ""  # the front matter text, for finding a key's line
    first_line: int = 0  # 1-based line of the first front matter line (after the fence)
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        match = re.search(rf"^[\"']?{re.escape(key)}[\"']?\s*[:=]", self.raw, flags=re.M)
        if not match:
            return max(self.first_line - 1, 1)
        return self.first_line + self.raw.count("\n", 0, match.start())


def normalize_newlines(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, relpath: str, diagnostics: Diagnostics) -> FrontMatter:
    """``text`` must already have LF newlines. Problems go to ``diagnostics``; never raises."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    kind = _FENCES.get(lines[start].rstrip()) if start < len(lines) else None
    if kind is None:
        return FrontMatter({}, text, 1)
    fence = lines[start].rstrip()
    end = next(
        (i for i in range(start + 1, len(lines))
         if lines[i].rstrip() == fence or (kind == "yaml" and lines[i].rstrip() == "...")),
        None,
    )
    if end is None:
        diagnostics.error(relpath, start + 1,
                          f"front matter opened with '{fence}' is never closed; add a '{fence}' "
                          "line after it", "front-matter-unclosed")
        return FrontMatter({}, "", len(lines))
    raw = "\n".join(lines[start + 1 : end])
    first_line = start + 2
    body = "\n".join(lines[end + 1 :])
    parse = _parse_yaml if kind == "yaml" else _parse_toml
    data = parse(raw, relpath, first_line, diagnostics)
    return FrontMatter(data, body, end + 2, raw, first_line)


def _parse_yaml(raw: str, relpath: str, first_line: int, diagnostics: Diagnostics) -> dict:
    try:
        data = yaml.load(raw, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        if "\t" in raw and (repaired := _load_with_spaces(raw)) is not None:
            _warn_tab(relpath, first_line, exc, diagnostics)
            return _mapping(repaired, relpath, first_line, diagnostics)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = min(_error_line(exc, first_line), first_line + raw.rstrip("\n").count("\n"))
        diagnostics.error(relpath, line,
                          f"invalid YAML front matter: {problem}; fix the YAML or quote the value",
                          "yaml-invalid")
        return {}
    except (ValueError, RecursionError) as exc:  # e.g. !!float abc
        return _cannot_build(exc, "YAML", relpath, first_line, diagnostics)
    if "\t" in raw and _BaseLoader is not yaml.SafeLoader:
        # libyaml tolerates some tabs that YAML (and so Jekyll, Hugo) rejects: say so.
        try:
            yaml.load(raw, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            _warn_tab(relpath, first_line, exc, diagnostics)
        except (ValueError, RecursionError):
            pass  # a date PyYAML cannot build is reported by the date parser with its line
    return _mapping(data, relpath, first_line, diagnostics)


def _load_with_spaces(raw: str) -> object | None:
    try:
        return yaml.load(raw.replace("\t", "  "), Loader=_YamlLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def _cannot_build(exc: ValueError | RecursionError, kind: str, relpath: str, first_line: int,
                  diagnostics: Diagnostics) -> dict:
    """A value the loader cannot build (``!!float abc``, an integer of 5,000 digits), or
    nesting deeper than Python's stack."""
    if isinstance(exc, RecursionError):
        message = NESTED_TOO_DEEPLY
    else:  # without Python's advice ("...; use sys.set_int_max_str_digits() to ...")
        problem = str(exc).split("; use sys.", 1)[0]
        message = f"invalid {kind} front matter: {problem}; fix or quote the value"
    diagnostics.error(relpath, first_line, message, f"{kind.lower()}-invalid")
    return {}


def _error_line(exc: yaml.YAMLError, first_line: int) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return first_line + (mark.line if mark else 0)


def _warn_tab(relpath: str, first_line: int, exc: yaml.YAMLError, diagnostics: Diagnostics) -> None:
    diagnostics.warning(relpath, _error_line(exc, first_line),
                        "tab character in YAML front matter (YAML allows only spaces, other "
                        "tools reject this file); read as spaces: replace the tab with spaces",
                        "yaml-tab")


def _parse_toml(raw: str, relpath: str, first_line: int, diagnostics: Diagnostics) -> dict:
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        last_line = first_line + raw.rstrip("\n").count("\n")
        line = first_line + int(found.group(1)) - 1 if found else last_line
        message = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)", "", str(exc))
        diagnostics.error(relpath, line, f"invalid TOML front matter: {message}", "toml-invalid")
        return {}
    except (ValueError, RecursionError) as exc:
        return _cannot_build(exc, "TOML", relpath, first_line, diagnostics)


def _mapping(data: Any, relpath: str, first_line: int, diagnostics: Diagnostics) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        diagnostics.error(relpath, first_line,
                          "front matter must be a set of 'key: value' lines, not a "
                          f"{type(data).__name__}", "front-matter-not-mapping")
        return {}
    return {str(k): v for k, v in data.items()}
