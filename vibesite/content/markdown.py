"""Markdown to HTML and to plain text, with one configured markdown-it-py instance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from vibesite.content.latex import math_plugin
from vibesite.content.obsidian import obsidian_plugin

_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_HIDDEN = re.compile(r"<(script|style|template)\b.*?(</\1\s*>|\Z)", re.S | re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u200b\f\v]+")
_FORMATTER = HtmlFormatter(nowrap=True)


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    text: str  # plain text of the body, blocks separated by newlines
    h1_title: str | None  # the first level-1 heading, as text, when it was taken out
    h1_line: int | None  # 0-based line of that heading within the body
    # (tag, target, 0-based body line) of every link and image that stays inside the site:
    # targets as markdown-it normalised them, i.e. as the HTML holds them (unescaped)
    refs: tuple[tuple[str, str, int], ...] = ()


@lru_cache(maxsize=128)
def _lexer(lang: str):  # type: ignore[no-untyped-def]
    try:
        return get_lexer_by_name(lang, stripnl=False)
    except ClassNotFound:
        return None


def _highlight(code: str, lang: str, _attrs: str) -> str:
    if lang.lower() == "mermaid":  # a diagram: drawn by mermaid in the browser (theme.js)
        return f'<pre class="mermaid">{escape(code)}</pre>\n'
    lexer = _lexer(lang.lower()) if lang else None
    if lexer is None:
        return ""  # markdown-it escapes and wraps it in <pre><code>
    body = highlight(code, lexer, _FORMATTER)
    return f'<pre class="highlight"><code class="language-{escape(lang)}">{body}</code></pre>\n'


_COMMENTS_ONLY = re.compile(r"\s*(<!--.*?-->\s*)+", re.DOTALL)


def _escaped_inline(self: RendererHTML, tokens: list[Token], idx: int, *_: object) -> str:
    content = tokens[idx].content
    return "" if _COMMENTS_ONLY.fullmatch(content) else escapeHtml(content)


def _escaped_block(self: RendererHTML, tokens: list[Token], idx: int, *_: object) -> str:
    """Escaped, in a paragraph; a block of HTML comments only (``<!--more-->`` excerpt markers
    of Jekyll and Hugo posts) is dropped, as a browser would not show it either."""
    content = tokens[idx].content
    if _COMMENTS_ONLY.fullmatch(content):
        return ""
    return f"<p>{escapeHtml(content.strip())}</p>\n"


_HEADING_ID = re.compile(r"\s*\{#([\w.:-]+)\}\s*$")


def _heading_ids(state: StateCore) -> None:
    """``## Title {#custom-id}`` (Goldmark, Pandoc, kramdown): the heading's id, text cleaned."""
    tokens = state.tokens
    for i, token in enumerate(tokens[:-1]):
        inline = tokens[i + 1]
        if token.type != "heading_open" or not inline.children:
            continue
        last = inline.children[-1]
        match = _HEADING_ID.search(last.content) if last.type == "text" else None
        if match:
            token.attrSet("id", match.group(1))
            last.content = last.content[:match.start()]
            inline.content = _HEADING_ID.sub("", inline.content)


def heading_ids_plugin(md: MarkdownIt) -> None:
    """Explicit heading ids, set before the anchors plugin (which keeps them) runs."""
    md.core.ruler.after("inline", "heading_ids", _heading_ids)


def _take_title(state: StateCore) -> None:
    """With ``env["take_h1"]``, the first h1 leaves the body for ``env["h1"]`` (its text and
    0-based line) before the anchors plugin runs, so it takes no id from the headings below."""
    if not state.env.get("take_h1"):
        return
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            state.env["h1"] = (_SPACES.sub(" ", inline_text(tokens[i + 1])).strip(),
                               token.map[0] if token.map else None)
            del tokens[i : i + 3]
            return


def title_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("text_join", "take_title", _take_title)


def make_markdown(raw_html: bool = True, inline_tags: bool = False,
                  math: bool = False) -> MarkdownIt:
    """The site's Markdown. ``raw_html=False`` shows the author's HTML as text. It is still
    parsed as HTML and only rendered escaped, so the plain text (summaries, search index,
    embeddings) is the same either way: switching does not re-embed anything.

    ``md.options["raw_html"]`` records the switch for the render cache's key, as
    ``md.options["inline_tags"]`` records ``inline_tags``: an Obsidian vault's ``#tags`` in the
    text become tag links (``vibesite.content.obsidian``); ``math``: ``$...$`` is LaTeX
    (``vibesite.content.latex``, ``md.options["math"]``).
    """
    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight, "alerts": True})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin).use(heading_ids_plugin)
    md.use(title_plugin).use(obsidian_plugin)
    # Every heading below the title gets an id, as Hugo, Zola and GitHub give one: a link to
    # a "##### Small heading" or to a second "# Part" must land (Zola's posts link to both).
    md.use(anchors_plugin, min_level=1, max_level=6, permalink=True, permalinkSymbol="#")
    md.options["raw_html"] = raw_html
    md.options["inline_tags"] = inline_tags
    if math:
        md.use(math_plugin)
    if not raw_html:
        md.add_render_rule("html_inline", _escaped_inline)
        md.add_render_rule("html_block", _escaped_block)
    return md


def inline_text(token: Token) -> str:
    """The text a reader sees in an inline token: markup dropped, raw HTML kept as text."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(inline_text(child))
    return "".join(parts)


def _html_text(html: str, tag_gap: str) -> str:
    """What a reader sees of raw HTML: no tags, comments, scripts or styles; entities decoded."""
    return unescape(_TAG.sub(tag_gap, _HIDDEN.sub(" ", html)))


def _plain_text(tokens: list[Token]) -> str:
    blocks: list[str] = []
    for token in tokens:
        if token.type == "inline":
            text = "".join(
                _html_text(c.content, " " if _BREAK.match(c.content) else "")
                if c.type == "html_inline" else c.content
                if c.type in ("text", "code_inline") else " "
                if c.type in ("softbreak", "hardbreak") else ""
                for c in token.children or []
            )
            blocks.append(text)
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content)
        elif token.type == "html_block":
            blocks.append(_html_text(token.content, " "))
    lines = (_SPACES.sub(" ", b).strip() for b in "\n".join(blocks).split("\n"))
    return "\n".join(line for line in lines if line)


# A scheme (https:, mailto:, data:...) or a protocol-relative //host: not a link into the site.
_EXTERNAL = re.compile(r"(?:[a-z][a-z0-9+.-]*:|//)", re.I)


_HTML_REF = re.compile(r"""\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def _html_references(html: str, line: int) -> list[tuple[str, str, int]]:
    """``href``/``src`` attributes in raw HTML (entities decoded), with their lines."""
    found = []
    for match in _HTML_REF.finditer(html):
        target = unescape(match.group(2) if match.group(2) is not None else match.group(3))
        if target and not _EXTERNAL.match(target):
            tag = "a" if match.group(1).lower() == "href" else "img"
            found.append((tag, target, line + html.count("\n", 0, match.start())))
    return found


def _references(tokens: list[Token]) -> tuple[tuple[str, str, int], ...]:
    """Links (``a``) and images (``img``) to relative or root-relative targets, in Markdown
    and in raw HTML, with the 0-based body line each starts on (the heading permalinks the
    anchors plugin adds left out)."""
    found: list[tuple[str, str, int]] = []
    line = 0
    for token in tokens:
        if token.map:
            line = token.map[0]
        if token.type == "html_block":
            found += _html_references(token.content, line)
        if token.type != "inline":
            continue
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "html_inline":
                found += _html_references(child.content, line)
                line += child.content.count("\n")
            elif child.type == "text":
                line += child.content.count("\n")
            elif child.type in ("link_open", "image"):
                tag, attr = ("a", "href") if child.type == "link_open" else ("img", "src")
                target = str(child.attrs.get(attr) or "")
                if (target and not _EXTERNAL.match(target)
                        and child.attrs.get("class") != "header-anchor"):
                    found.append((tag, target, line))
    return tuple(found)


def render_markdown(md: MarkdownIt, body: str, take_h1: bool) -> RenderedMarkdown:
    env: dict = {"take_h1": take_h1}
    tokens = md.parse(body, env)
    h1_title, h1_line = env.get("h1", (None, None))
    html = md.renderer.render(tokens, md.options, env)
    return RenderedMarkdown(html, _plain_text(tokens), h1_title or None, h1_line,
                            _references(tokens))
