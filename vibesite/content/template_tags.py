"""Other generators' template syntax in a Markdown body: rendered natively or removed, never run.

In: a body (front matter already split off), the content folder's Markdown sources (for
Hugo's ``ref``). Out: the body rewritten as plain Markdown, and how many tags were removed
with the 0-based line of the first one (for one ``[template-syntax]`` warning per file).

Rendered: Hugo ``figure``/``img`` (a Markdown image), ``highlight`` (a fenced block),
``ref``/``relref`` (the target's path, which vibesite.content.links then turns into its URL),
``youtube``/``vimeo``/``gist`` (plain links, no third-party embed), ``note``/``tip``/
``warning``... (a callout); Zola's built-in ``{{ youtube(id="...") }}``, ``vimeo``,
``streamable`` and ``gist`` (links, as Hugo's; a Zola site's own shortcodes stay as written);
Liquid ``highlight``, ``raw``/``endraw`` (what is inside stays as written), ``link``,
``post_url``, ``oembed`` (a link), and ``site.baseurl``/``site.url``/``relative_url``/
``absolute_url`` in link targets. Every other Hugo shortcode and Liquid ``{% tag %}`` is
removed, the content between a paired tag's ends kept. Liquid ``{{ ... }}`` output is touched
only when it reads ``site.*``/``page.*`` or has a filter, since prose about other template
languages (``{{ .Name }}``, ``${{ secrets.X }}``) is common; a quoted URL through a site's own
filter (``{{ "https://..." | embed: "Title" }}``) becomes a link, and ``{{ page.image }}`` (or
``page.images[0]``) the page's front matter value, as Jekyll fills it.
Fenced code, indented code and code spans are never changed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\2[`~]*[ \t]*$|\Z)",
                    re.M | re.S)
_INDENTED = re.compile(r"(?:(?<=\n\n)|\A)(?:(?: {4}|\t)[^\n]*\n?)+")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.S)
_PAIRED_HIGHLIGHT = re.compile(
    r"\{%-?\s*highlight\s+([\w+#.-]+)[^%]*%\}\n?(.*?)\n?\{%-?\s*endhighlight\s*-?%\}"
    r"|\{\{[<%]\s*highlight\s+\"?([\w+#.-]+)\"?[^>%]*[>%]\}\}\n?(.*?)\n?"
    r"\{\{[<%]\s*/highlight\s*[>%]\}\}", re.S)
_SHORTCODE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w-]+)((?:\"[^\"]*\"|'[^']*'|[^\"'])*?)\s*"
                        r"/?\s*[>%]\}\}", re.S)
_LIQUID_TAG = re.compile(r"\{%-?\s*(\w+)\s*(.*?)\s*-?%\}", re.S)
_LIQUID_OUT = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_LIQUID_SITE = re.compile(r"(?:site|page)\.\w+(?:\.\w+)*")
_STRING = re.compile(r"^(['\"])(.*)\1$")
_WEB = re.compile(r"https?://\S+$")
_PAGE_VARIABLE = re.compile(r"page\.(\w+)(?:\[(\d+)\])?")
_ZOLA_CALL = re.compile(r"(youtube|vimeo|streamable|gist)\((.*)\)", re.S)
_ARG = re.compile(r"(?:([\w-]+)=)?(\"[^\"]*\"|'[^']*'|[^\s\"']+)")
CALLOUTS = frozenset({"note", "tip", "warning", "caution", "important", "info", "alert",
                      "callout", "danger", "admonition"})
_PROTECT = "\x00{}\x00"  # a placeholder for a protected piece, by number


@dataclass(frozen=True)
class Converted:
    body: str
    removed: int  # tags removed (unknown)
    first_line: int | None  # 0-based body line of the first one
    first_tag: str = ""


class Protected:
    """Pieces of a body kept out of a rewrite: each replaced by a placeholder, then put back."""

    def __init__(self) -> None:
        self.pieces: list[str] = []

    def keep(self, text: str) -> str:
        self.pieces.append(text)
        return _PROTECT.format(len(self.pieces) - 1)

    def code_blocks(self, text: str) -> str:
        text = _FENCE.sub(lambda m: self.keep(m.group(0)), text)
        return _INDENTED.sub(lambda m: self.keep(m.group(0)), text)

    def code_spans(self, text: str) -> str:
        return _CODE_SPAN.sub(lambda m: self.keep(m.group(0)), text)

    def restore(self, text: str) -> str:
        while "\x00" in text:
            restored = re.sub("\x00(\\d+)\x00", lambda m: self.pieces[int(m.group(1))], text)
            if restored == text:
                break
            text = restored
        return text


def outside_code(body: str, transform: Callable[[str], str]) -> str:
    """``transform`` applied to ``body`` with its code blocks and code spans left as they are."""
    kept = Protected()
    return kept.restore(transform(kept.code_spans(kept.code_blocks(body))))


def _args(text: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for key, value in _ARG.findall(text):
        value = value[1:-1] if value[:1] in "\"'" and len(value) > 1 else value
        if key:
            named[key] = value
        else:
            positional.append(value)
    return positional, named


class _Converter:
    def __init__(self, body: str, source: str, sources: frozenset[str],
                 page: Mapping[str, Any]) -> None:
        self.original = body
        self.source = source
        self.sources = sources
        self.page = page
        self.kept = Protected()
        self.removed = 0
        self.first: tuple[int, str] | None = None  # (offset in the body, the tag)

    def remove(self, match: re.Match[str], *_: str) -> str:
        """Count a removed tag; remember the one nearest the top (passes run tag by kind)."""
        self.removed += 1
        at = self.original.find(match.group(0))
        at = at if at >= 0 else len(self.original)
        if self.first is None or at < self.first[0]:
            tag = re.sub(r"\s+", " ", match.group(0))
            self.first = (at, tag if len(tag) <= 40 else tag[:39] + "…")
        return ""

    def ref(self, target: str) -> str:
        """Hugo's ref: a path from the page's folder or the content root, or a file name."""
        path, _, fragment = target.partition("#")
        fragment = f"#{fragment}" if fragment else ""
        if not path:
            return fragment
        here = posixpath.dirname(self.source)
        for candidate in (posixpath.normpath(posixpath.join(here, path)), path.lstrip("/")):
            for name in (candidate, candidate + ".md", posixpath.join(candidate, "_index.md"),
                         posixpath.join(candidate, "index.md")):
                if name in self.sources:
                    return "/" + name + fragment
        by_name = [s for s in self.sources if PurePosixPath(s).name in (path, path + ".md")]
        return ("/" + by_name[0] if len(by_name) == 1 else path) + fragment

    def shortcode(self, match: re.Match[str], body: str) -> str:
        closing, name, rest = match.group(2), match.group(3).lower(), match.group(4)
        positional, named = _args(rest)
        first = positional[0] if positional else ""
        if closing:
            return "\n\n</div>\n" if name in CALLOUTS else self.remove(match, name, body)
        if name in CALLOUTS:
            kind = name if name != "callout" else named.get("type", "note")
            return f'<div class="callout callout-{re.sub(r"[^a-z-]", "", kind)}">\n\n'
        if name in ("ref", "relref"):
            return self.ref(named.get("path", first))
        if name in ("figure", "img"):
            src = named.get("src", first)
            alt = named.get("alt") or named.get("caption") or named.get("title") or ""
            title = named.get("caption") or named.get("title")
            image = f"![{alt}](<{src}>" + (f' "{title}")' if title else ")") if src else ""
            return f"[{image}](<{named['link']}>)" if image and named.get("link") else image
        if name in ("youtube", "vimeo") and (vid := named.get("id", first)):
            return _video_link(name, vid)
        if name == "gist" and len(positional) >= 2:
            return f"[Gist {positional[1]}](https://gist.github.com/{positional[0]}/{positional[1]})"
        return self.remove(match, name, body)

    def liquid_tag(self, match: re.Match[str], body: str) -> str:
        name, rest = match.group(1), match.group(2)
        target = rest.split()[0] if rest.split() else ""
        if name == "link" and target:
            return "/" + target.lstrip("/")
        if name == "post_url" and target:
            name_md = PurePosixPath(target).name + ".md"
            found = [s for s in self.sources if PurePosixPath(s).name == name_md]
            return "/" + (found[0] if len(found) == 1 else f"_posts/{target}.md")
        if name == "oembed" and target:
            return f"<{target}>"
        return self.remove(match)

    def liquid_output(self, match: re.Match[str]) -> str:
        inner = match.group(1)
        first, *filters = [p.strip() for p in inner.split("|")]
        string = _STRING.match(first)
        if _LIQUID_SITE.fullmatch(first) and first in ("site.baseurl", "site.url",
                                                       "site.github.url"):
            return ""
        call = _ZOLA_CALL.fullmatch(first)
        if call and not filters and (link := _zola_link(call.group(1), call.group(2))):
            return link
        variable = _PAGE_VARIABLE.fullmatch(first)
        value = self.page.get(variable.group(1)) if variable and not filters else None
        if variable and variable.group(2) is not None:
            index = int(variable.group(2))
            value = value[index] if isinstance(value, list) and index < len(value) else None
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)  # the page's own front matter, as Jekyll fills it in
        if string and filters and filters[0].split(":")[0] in (
                "relative_url", "absolute_url", "prepend"):
            return string.group(2)
        before = match.string[max(match.start() - 2, 0):match.start()]
        if string and filters and _WEB.match(string.group(2)) and not before.endswith(("=", '"',
                                                                                      "'")):
            # a site's own filter over a URL (18F's {{ "https://youtube..." | embed: "Title" }}):
            # a link, titled by the filter's text when it has one, as Hugo's youtube is
            label = next((_STRING.match(a.strip()).group(2) for f in filters
                          for a in f.partition(":")[2].split(",") if _STRING.match(a.strip())),
                         string.group(2))
            return f"[{label}](<{string.group(2)}>)"
        if _LIQUID_SITE.fullmatch(first) or (filters and string):
            return self.remove(match)
        return match.group(0)

    def convert(self) -> str:
        kept = self.kept
        text = kept.code_blocks(self.original)
        text = _RAW.sub(lambda m: kept.keep(m.group(1)), text)
        text = _PAIRED_HIGHLIGHT.sub(lambda m: kept.keep(
            f"```{m.group(1) or m.group(3)}\n{m.group(2) if m.group(1) else m.group(4)}\n```"),
            text)
        text = kept.code_spans(text)
        text = _SHORTCODE.sub(lambda m: self.shortcode(m, text), text)
        text = _LIQUID_TAG.sub(lambda m: self.liquid_tag(m, text), text)
        text = _LIQUID_OUT.sub(self.liquid_output, text)
        return kept.restore(text)


_VIDEOS = {"youtube": ("YouTube", "https://www.youtube.com/watch?v="),
           "vimeo": ("Vimeo", "https://vimeo.com/"),
           "streamable": ("Streamable", "https://streamable.com/")}


def _video_link(name: str, vid: str) -> str:
    """A plain link to a video, for Hugo's and Zola's video shortcodes (no third-party embed)."""
    site, url = _VIDEOS[name]
    return f"[{site} video {vid}]({url}{vid})"


def _zola_link(name: str, arguments: str) -> str | None:
    """Zola's built-in shortcodes as links, as Hugo's youtube, vimeo and gist are."""
    named = _args(arguments.replace(",", " "))[1]
    if name == "gist":
        return f"[Gist]({named['url']})" if named.get("url") else None
    return _video_link(name, named["id"]) if named.get("id") else None


def has_template_syntax(body: str) -> bool:
    return "{{" in body or "{%" in body


def convert(body: str, source: str, sources: Iterable[str],
            page: Mapping[str, Any] | None = None) -> Converted:
    """``body`` with other generators' tags rendered as Markdown or removed; ``page``: its
    front matter, for Liquid's ``{{ page.image }}``."""
    if not has_template_syntax(body):
        return Converted(body, 0, None)
    converter = _Converter(body, source, frozenset(sources), page or {})
    text = converter.convert()
    first = converter.first
    return Converted(text, converter.removed, body.count("\n", 0, first[0]) if first else None,
                     first[1] if first else "")
