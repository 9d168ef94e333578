"""A vault's front matter read as Quartz 4 reads it (its FrontMatter transformer,
``quartz/plugins/transformers/frontmatter.ts``), and the flags every site's front matter may
give as text.

In: front matter values. Out:
- ``coalesce``: the value of the first key that is set (not missing, not null), as Quartz's
  ``coalesceAliases`` reads ``tags`` then ``tag``, ``aliases`` then ``alias``;
- ``string_list``: Quartz's ``coerceToArray``: a list's texts and numbers, or one text (or
  number) split at commas, each trimmed, empty ones dropped (Obsidian's
  ``parseFrontMatterAliases`` splits one text at commas too);
- ``vault_tag``: a tag name as a vault means it: a leading ``#`` dropped (Obsidian writes
  ``#tag`` in the text, and notes copy it), ``/`` kept between the levels of a nested tag
  (``lang/python``), and whether it holds white space (Quartz reads ``tags: a b`` as one tag,
  ``a-b``; Obsidian as two; vibesite reads one, as the published site had it, and warns
  ``[tag-space]``); ``vault_tags`` reads a list of them;
- ``flag``: ``true``/``false`` given as a boolean or as text (``draft: "true"``: Quartz's
  RemoveDrafts and Hugo read the text too); None for anything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_SPACE = re.compile(r"\s")
SPACED_TAG = ("tag '%s' holds a space: read as one tag, as Quartz does (Obsidian reads a tag "
              "a word); separate tags with commas")


def coalesce(data: Mapping[str, Any], keys: Iterable[str]) -> Any:
    """The value of the first of ``keys`` that ``data`` sets to something other than null."""
    return next((data[key] for key in keys if data.get(key) is not None), None)


def _name(item: Any) -> str:
    number = isinstance(item, int | float) and not isinstance(item, bool)
    return str(item).strip() if isinstance(item, str) or number else ""


def string_list(value: Any) -> list[str]:
    """``value`` as Quartz's ``coerceToArray`` reads it (see the module docstring)."""
    if isinstance(value, list):
        items = [_name(item) for item in value]
    else:
        items = [part.strip() for part in _name(value).split(",")]
    return [item for item in items if item]


def vault_tag(name: str) -> tuple[str, bool]:
    """The tag ``name`` means in a vault, and whether it holds white space."""
    name = "/".join(part.strip() for part in name.strip().lstrip("#").split("/") if part.strip())
    return name, bool(_SPACE.search(name))


def vault_tags(names: list[str]) -> tuple[list[str], str]:
    """``names`` as ``vault_tag`` reads each (empty ones dropped), and the first holding white
    space ("" if none)."""
    read = [vault_tag(name) for name in names]
    return [name for name, _ in read if name], next((n for n, space in read if space), "")


def flag(value: Any) -> bool | None:
    """True or False for a boolean or its text (any case), else None."""
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else ""
    return {"true": True, "false": False}.get(text)
