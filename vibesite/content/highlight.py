"""``==highlighted text==`` as ``<mark>`` (Obsidian, Quartz, and markdown-it's "mark" plugin).

In: the site's markdown-it instance (``highlight_plugin``). Out: an inline rule that reads
``==`` runs as delimiters, paired like ``~~strikethrough~~`` (a port of markdown-it-mark: the
delimiter list that ``balance_pairs`` matches, so a highlight may hold other markup,
``==**bold** words==``, and ``a == b`` or ``x ==y`` stay text by the flanking rules), and a
post-process step that turns each matched pair into ``mark_open`` / ``mark_close`` tokens
(``markup="=="``).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter

_EQUALS = 0x3D


def _tokenize(state: StateInline, silent: bool) -> bool:
    """Each ``==`` of a run as a text token and a delimiter (an odd run's extra ``=`` is text)."""
    if silent or state.src[state.pos] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        state.push("text", "", 0).content = "="
        length -= 1
    for _ in range(length // 2):
        state.push("text", "", 0).content = "=="
        state.delimiters.append(Delimiter(marker=_EQUALS, length=0, token=len(state.tokens) - 1,
                                          end=-1, open=scanned.can_open,
                                          close=scanned.can_close))
    state.pos += scanned.length
    return True


def _pairs(state: StateInline, delimiters: list[Delimiter]) -> None:
    lone: list[int] = []
    for opener in delimiters:
        if opener.marker != _EQUALS or opener.end == -1:
            continue
        closer = delimiters[opener.end]
        for index, kind, nesting in ((opener.token, "mark_open", 1),
                                     (closer.token, "mark_close", -1)):
            token = state.tokens[index]
            token.type, token.tag, token.nesting = kind, "mark", nesting
            token.markup, token.content = "==", ""
        before = state.tokens[closer.token - 1]
        if before.type == "text" and before.content == "=":
            lone.append(closer.token - 1)
    # an odd run's lone "=" goes after the mark_close tags that follow it (``===a===``)
    while lone:
        i = lone.pop()
        j = i + 1
        while j < len(state.tokens) and state.tokens[j].type == "mark_close":
            j += 1
        j -= 1
        if i != j:
            state.tokens[i], state.tokens[j] = state.tokens[j], state.tokens[i]


def _post_process(state: StateInline) -> None:
    _pairs(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _pairs(state, meta["delimiters"])


def highlight_plugin(md: MarkdownIt) -> None:
    """``==text==`` as ``<mark>text</mark>`` (see the module docstring)."""
    md.inline.ruler.before("emphasis", "mark", _tokenize)
    md.inline.ruler2.before("emphasis", "mark", _post_process)
