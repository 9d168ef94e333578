"""Obsidian's Markdown beyond CommonMark, rendered as Obsidian and Quartz show it.

In: a note's body (``strip_comments``), and the site's markdown-it instance (``obsidian_plugin``).
Out:
- ``strip_comments``: the body without ``%%comments%%`` (inline or over several lines: Obsidian
  never shows them, so they must not reach the public site, its search index or embeddings),
  each comment's line breaks kept so warnings still name the right line. Code is left alone,
  and a ``%%`` with no closing one stays as text.
- ``vault_settings``: whether the content folder is an Obsidian vault (it has ``.obsidian/``),
  and the template folders its settings name (the Templates core plugin's and Templater's):
  their notes are templates for new notes, not pages.
- ``obsidian_plugin``: callouts (``> [!type] Title``; ``[!type]-`` starts folded and
  ``[!type]+`` open, both as ``<details>``), ``==highlighted text==`` as ``<mark>``
  (``vibesite.content.highlight``, so a highlight may hold other markup), block ids
  (a paragraph ending in `` ^name``, or a line ``^name`` under a list, table or quote) as the
  block's ``id`` so ``[[note#^name]]`` lands, and an image's ``{width=N}`` or
  ``{width=N height=M}`` (how ``wikilinks`` passes on ``![[picture.png|300]]``) as its size; in a
  vault (``md.options["inline_tags"]``), ``#tag`` and ``#nested/tag`` in the text as links to
  their tag pages (``<a class="tag-inline" data-tag="name" href="TAG_HREF + slug/">``, the slug
  a ``nested_tag_slug``: ``nested/tag``; the site's base path put in by ``with_tag_base``;
  ``inline_tags`` lists the names).
GitHub's own alerts (``> [!NOTE]`` alone on its line) are rendered by markdown-it itself, and
callouts take the same classes, so the theme styles both alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from vibesite.content.highlight import highlight_plugin
from vibesite.content.slugs import nested_tag_slug
from vibesite.content.template_tags import outside_code

_COMMENT = re.compile(r"%%.*?%%", re.S)
_CALLOUT = re.compile(r"\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*([^\n]*)\n?")
_BLOCK_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9-]+)$")
_SIZE = re.compile(r"\{width=(\d+)(?: height=(\d+))?\}")
# Obsidian's tags: letters, digits, _ - and / (nesting), at least one that is not a digit, after
# a space or at the start of a line
_TAG = re.compile(r"(?:(?<=\s)|^)#((?:[\w/-])*[^\W\d](?:[\w/-])*)")
_TAG_LINK = re.compile(r'<a class="tag-inline" data-tag="([^"]*)"')
TAG_HREF = "vibesite:tags/"  # where the tag pages are, until with_tag_base puts in the base
TEMPLATE_SETTINGS = ((".obsidian/templates.json", "folder"),
                     (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"))
# Obsidian's callout types and their aliases -> the five kinds GitHub's alerts have (and the
# theme styles); any other type is a note, as in Obsidian.
_KINDS = {
    "note": "note", "info": "note", "todo": "note", "abstract": "note", "summary": "note",
    "tldr": "note", "quote": "note", "cite": "note", "example": "note",
    "tip": "tip", "hint": "tip", "success": "tip", "check": "tip", "done": "tip",
    "important": "important", "question": "important", "help": "important", "faq": "important",
    "warning": "warning", "caution": "warning", "attention": "warning",
    "danger": "caution", "error": "caution", "failure": "caution", "fail": "caution",
    "missing": "caution", "bug": "caution",
}


@dataclass(frozen=True)
class VaultSettings:
    is_vault: bool = False
    template_folders: tuple[str, ...] = ()  # relative to the content folder, no "/" at the end


def vault_settings(content_dir: Path) -> VaultSettings:
    """What the vault's own settings say (see the module docstring); unreadable settings are
    read as not naming a folder."""
    if not (content_dir / ".obsidian").is_dir():
        return VaultSettings()
    folders = []
    for path, key in TEMPLATE_SETTINGS:
        try:
            value = json.loads((content_dir / path).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, str) and value.strip("/ "):
            folders.append(value.strip("/ "))
    return VaultSettings(True, tuple(dict.fromkeys(folders)))


def inline_tags(html: str) -> list[str]:
    """The names of the ``#tags`` in a rendered body, in order."""
    return [unescape(name) for name in _TAG_LINK.findall(html)]


def with_tag_base(html: str, base_path: str) -> str:
    """The rendered body with its tag links under the site's base path."""
    return html.replace(f'href="{TAG_HREF}', f'href="{base_path}tags/') if TAG_HREF in html \
        else html


def strip_comments(body: str) -> str:
    """``body`` without its ``%%comments%%`` (see the module docstring)."""
    if "%%" not in body:
        return body
    return outside_code(body, lambda text: _COMMENT.sub(
        lambda m: "\n" * m.group(0).count("\n"), text))


def _callouts(state: StateCore) -> None:
    """``> [!type] Title`` blockquotes as callouts (before inline parsing: the title and body
    are still Markdown source in the first paragraph's inline token)."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if (token.type != "blockquote_open" or i + 2 >= len(tokens)
                or tokens[i + 1].type != "paragraph_open"):
            continue
        inline = tokens[i + 2]
        match = _CALLOUT.match(inline.content)
        if not match:
            continue
        kind_name, fold, title = match.group(1).lower(), match.group(2), match.group(3).strip()
        kind = _KINDS.get(kind_name, "note")
        close = next(k for k in range(i + 1, len(tokens))
                     if tokens[k].type == "blockquote_close" and tokens[k].level == token.level)
        folded = bool(fold)
        tag, title_tag = ("details", "summary") if folded else ("div", "p")
        token.type, token.tag = "callout_open", tag
        token.attrs = {"class": f"markdown-alert markdown-alert-{kind} callout callout-{kind_name}"}
        if fold == "+":
            token.attrSet("open", "")
        tokens[close].type, tokens[close].tag = "callout_close", tag
        heading = Token("callout_title_open", title_tag, 1, level=token.level + 1,
                        attrs={"class": "markdown-alert-title"}, block=True)
        text = Token("inline", "", 0, level=token.level + 2, content=title
                     or kind_name.capitalize(), map=inline.map, children=[])
        end = Token("callout_title_close", title_tag, -1, level=token.level + 1, block=True)
        rest = inline.content[match.end():]
        if rest.strip():
            inline.content = rest
            if tokens[i + 1].map:  # the paragraph now starts below the marker line
                tokens[i + 1].map = [tokens[i + 1].map[0] + 1, tokens[i + 1].map[1]]
            tokens[i + 1:i + 1] = [heading, text, end]
        else:  # the marker line was the whole paragraph
            tokens[i + 1:i + 4] = [heading, text, end]


def _previous_block(tokens: list[Token], close: int) -> Token | None:
    """The opening token of the block that ends at ``tokens[close]``."""
    level = tokens[close].level
    for k in range(close, -1, -1):
        if tokens[k].nesting == 1 and tokens[k].level == level:
            return tokens[k]
    return None


def _block_ids(state: StateCore) -> None:
    """`` ^name`` ending a paragraph: the paragraph's id (its list item's in a tight list); a
    paragraph that is only ``^name``, after a paragraph, list, table or quote: that block's."""
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        token = tokens[i]
        children = token.children or []
        if token.type != "inline" or i == 0 or tokens[i - 1].type != "paragraph_open" \
                or not children or children[-1].type != "text":
            i += 1
            continue
        match = _BLOCK_ID.search(children[-1].content)
        if not match:
            i += 1
            continue
        name = "^" + match.group(1)
        alone = len(children) == 1 and match.start() == 0
        if alone and i >= 2 and tokens[i - 2].nesting == -1 \
                and tokens[i - 2].type != "heading_close":
            target = _previous_block(tokens, i - 2)
            if target is not None:
                target.attrSet("id", name)
                del tokens[i - 1:i + 2]
                i -= 1
                continue
        if alone:
            i += 1
            continue
        children[-1].content = children[-1].content[:match.start()].rstrip()
        token.content = token.content[:token.content.rfind("^")].rstrip()
        opener = tokens[i - 1]
        if opener.hidden and i >= 2 and tokens[i - 2].type == "list_item_open":
            opener = tokens[i - 2]
        opener.attrSet("id", name)
        i += 1


def _cut(text: str, pieces: Iterable[tuple[int, int, list[Token]]]) -> list[Token] | None:
    """``text`` as text tokens around ``pieces`` ((start, end, the tokens that replace
    text[start:end]), in order), or None when there are none."""
    out: list[Token] = []
    at = 0
    for start, end, tokens in pieces:
        if start > at:
            out.append(Token("text", "", 0, content=text[at:start]))
        out += tokens
        at = end
    if not out:
        return None
    if at < len(text):
        out.append(Token("text", "", 0, content=text[at:]))
    return out


def _image_sizes(state: StateCore) -> None:
    """``{width=N height=M}`` right after an image as its size."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children = token.children
        for k, child in enumerate(children[:-1]):
            after = children[k + 1]
            if child.type == "image" and after.type == "text":
                size = _SIZE.match(after.content)
                if size:
                    child.attrSet("width", size.group(1))
                    if size.group(2):
                        child.attrSet("height", size.group(2))
                    after.content = after.content[size.end():]
        token.children = [c for c in children if c.type != "text" or c.content]


def _tags(text: str, at_line_start: bool) -> Iterator[tuple[int, int, list[Token]]]:
    """The tags in ``text``, as tag links."""
    for match in _TAG.finditer(text):
        if match.start() == 0 and not at_line_start:
            continue  # right after a link, code or emphasis: not a tag in Obsidian either
        name = match.group(1).strip("/")
        if not name or not any(c.isalpha() or c == "_" for c in name):
            continue
        href = f"{TAG_HREF}{nested_tag_slug(name)}/"
        yield match.start(), match.start() + 1 + len(name), [
            Token("tag_link_open", "a", 1,
                  attrs={"class": "tag-inline", "data-tag": name, "href": href}),
            Token("text", "", 0, content="#" + name),
            Token("tag_link_close", "a", -1)]


def _inline_tags(state: StateCore) -> None:
    """``#tags`` as links to their pages, outside links and code (see the module docstring)."""
    if not state.md.options.get("inline_tags"):
        return
    for token in state.tokens:
        if token.type != "inline" or not token.children or "#" not in token.content:
            continue
        children: list[Token] = []
        in_link = 0
        for k, child in enumerate(token.children):
            in_link += child.type == "link_open"
            in_link -= child.type == "link_close"
            start = k == 0 or token.children[k - 1].type in ("softbreak", "hardbreak")
            split = _cut(child.content, _tags(child.content, start)) \
                if child.type == "text" and not in_link and "#" in child.content else None
            children += split or [child]
        token.children = children


def obsidian_plugin(md: MarkdownIt) -> None:
    """Callouts, highlights, block ids, image sizes and tags (see the module docstring)."""
    md.core.ruler.after("block", "callouts", _callouts)
    md.core.ruler.after("inline", "block_ids", _block_ids)
    md.core.ruler.after("inline", "image_sizes", _image_sizes)
    md.core.ruler.after("image_sizes", "inline_tags", _inline_tags)
    md.use(highlight_plugin)
