"""The theme's finishing touches on an article's rendered HTML, and its table of contents.

In: the HTML of an article body (markdown-it's, with Pygments' highlighting and the author's own
HTML). Out: the same HTML made accessible where markdown-it leaves it short, and the list of its
h2/h3 headings for a table of contents:

- ``<pre>`` blocks are focusable (``tabindex="0"``), so a block wider than the screen can be
  scrolled with the keyboard (axe's scrollable-region-focusable; MkDocs Material does the same);
- task-list checkboxes get a name, the text of their item (axe's label rule);
- footnote back-links (``↩︎``) say where they go instead of "leftwards arrow with hook".

Done here rather than in the Markdown renderer so that the render cache and the embeddings are
untouched by theme changes; each rewrite matches only markdown-it's own markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html import unescape

_PRE = re.compile(r"<pre((?:\s[^>]*)?)>")
_TASK = re.compile(r'(<li class="task-list-item[^"]*">\s*)(<input class="task-list-item-checkbox"'
                   r"(?![^>]*aria-label)[^>]*?)\s*/?>([^<]*)")
_BACKREF = re.compile(r'<a href="#fnref([^"]*)" class="footnote-backref">')
_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_ANCHOR = re.compile(r'<a class="header-anchor"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]*>")

TOC_MIN_HEADINGS = 3  # fewer headings than this: the article is short, no table of contents


@dataclass(frozen=True)
class TocEntry:
    level: int  # 2 or 3
    id: str
    text: str
    children: tuple[TocEntry, ...] = ()  # the h3s under an h2


def _label_task(match: re.Match[str]) -> str:
    text = unescape(match.group(3)).strip()
    label = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'{match.group(1)}{match.group(2)} aria-label="{label or "Task"}">{match.group(3)}'


def _backref(match: re.Match[str]) -> str:
    number = match.group(1).split(":")[0]
    return (f'<a href="#fnref{match.group(1)}" class="footnote-backref" '
            f'aria-label="Back to the text of footnote {number}">')


def finish(html: str) -> str:
    """``html`` with focusable code blocks, named checkboxes and named footnote back-links."""
    if "<pre" in html:
        html = _PRE.sub(lambda m: m.group() if "tabindex" in m.group(1)
                        else f'<pre{m.group(1)} tabindex="0">', html)
    if "task-list-item-checkbox" in html:
        html = _TASK.sub(_label_task, html)
    if "footnote-backref" in html:
        html = _BACKREF.sub(_backref, html)
    return html


def table_of_contents(html: str) -> tuple[TocEntry, ...]:
    """The h2 headings of ``html`` (ids from the anchors plugin), each with the h3s under it
    (an h3 before any h2 stands at the top), or () when there are fewer than TOC_MIN_HEADINGS
    headings in all."""
    found = _HEADING.findall(html)
    if len(found) < TOC_MIN_HEADINGS:
        return ()
    top: list[TocEntry] = []
    for level, anchor, inner in found:
        entry = TocEntry(int(level), anchor,
                         " ".join(unescape(_TAG.sub("", _ANCHOR.sub("", inner))).split()))
        if entry.level == 3 and top and top[-1].level == 2:
            top[-1] = replace(top[-1], children=(*top[-1].children, entry))
        else:
            top.append(entry)
    return tuple(top)
