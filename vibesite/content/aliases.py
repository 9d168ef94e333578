"""Old URLs: where each ``aliases``/``redirect_from`` entry is written, read the way the
generator the site came from read it, and the redirect pages to write.

In: front matter values (``aliases``, ``redirect_from``: one text or a list; in a vault also
``alias``, and one text is a list split at commas, as Quartz reads them), the site's
``alias_paths`` setting and content folder, then every page (articles and section pages) with
its final URL, and the files the site already publishes.
Out: ``alias_list`` (a page's entries), ``alias_style`` (how a site's entries are read),
``alias_file`` (the file one entry is written to, "" when its ``..`` climbs above the site
root), and ``redirects``: ``(output file, page id)`` for every redirect to write.

How an entry is read (``alias_paths``; the same rules in the guide's migration article):
- ``"root"`` (Jekyll's ``redirect_from``, which adds a leading ``/``; Zola's ``aliases``, which
  it splits on ``/`` under the output folder): from the site root, ``/`` or not.
- ``"hugo"``: ``/foo`` from the site root; ``foo``, ``./foo`` and ``../foo`` from the folder
  holding the page's URL, as Hugo's renderAliases joins the page's path with ``..`` and the
  entry (``/posts/my-post/`` with ``foo``: ``/posts/foo/``; a French page's: ``/fr/posts/foo/``).
- ``"quartz"`` (an Obsidian vault published with Quartz 4): also each note's own Quartz URL,
  where it is not vibesite's (``/notes/Backup-Plan``, capitals kept; vibesite's is
  ``/notes/backup-plan/``), redirects from ``notes/Backup-Plan.html``. Each entry is
  slugified as Quartz's
  ``slugifyFilePath`` does (white space ``-``, ``&`` ``-and-``, ``%`` ``-percent``, ``?`` and ``#``
  dropped, letter case kept, a ``.md`` ending dropped: ``My Other Name`` is
  ``/My-Other-Name/``), a bare name from the site root, ``./`` and ``../`` from the note's
  folder (Quartz's own slug of it, not vibesite's lower-case one). A note's ``permalink`` is one
  more entry (Quartz adds it to the note's aliases; the note keeps its own URL).
- ``"auto"`` (the default): ``"quartz"`` in a vault (``.obsidian/`` in the content folder),
  ``"hugo"`` when a Hugo config file is in the folder above the content folder (where
  ``vibesite init --from`` points ``content_dir``), else ``"root"``.

``x.html`` is a file, anything else a folder with ``index.html``. Warnings: ``[alias-outside]``
for an entry whose ``..`` climbs above the site root (Hugo stops at the root, Zola writes
outside its folder; vibesite writes nothing); ``[alias-unsafe]`` for a vault entry still
holding a character no URL carries as it is (``"<>\\|*^`{}``, control characters); and
``[alias-clash]`` for a file another page or file already has, or one of vibesite's own
pages (``/topics/...``: one warning a page, counting them). Letter case counts, as on the web
servers sites are published from: ``/Notes/`` redirects to ``/notes/``; where the two are one
folder (macOS, Windows) the page, written after the redirects, wins. A translation repeating its
original's entries (its front matter copied) leaves them to the original, silently.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from vibesite.content.article import Article
from vibesite.content.quartz import coalesce, string_list
from vibesite.diagnostics import Diagnostics

# Hugo's config files, at the top of a site or in config/_default/ (read by init --from too)
HUGO_FILES = tuple(f"{folder}{name}.{ext}" for folder in ("", "config/_default/")
                   for name in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json"))
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"<>\\|*^`{}]')


def alias_list(data: Mapping[str, Any], quartz: bool = False) -> list[str]:
    """``aliases`` (Hugo, Zola, Obsidian) and ``redirect_from`` (Jekyll): one text or a list.
    ``quartz`` (a vault): ``aliases``, else the singular ``alias``, one text split at commas,
    numbers kept as names, as Quartz 4 and Obsidian read them (vibesite.content.quartz)."""
    found = string_list(coalesce(data, ("aliases", "alias"))) if quartz else []
    for key in ("redirect_from",) if quartz else ("aliases", "redirect_from"):
        value = data.get(key)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        found += [item.strip() for item in items if isinstance(item, str) and item.strip()]
    return found


def hugo_config(site: Path) -> Path | None:
    """The Hugo config file of the site in ``site``, if it has one (a ``config.toml`` with
    ``base_url`` is Zola's)."""
    for name in HUGO_FILES:
        path = site / name
        if path.is_file():
            return None if name == "config.toml" and _is_zola(path) else path
    return None


def _is_zola(path: Path) -> bool:
    try:
        return "base_url" in tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def alias_style(setting: str, content_dir: Path, is_vault: bool) -> str:
    """``"hugo"``, ``"quartz"`` or ``"root"``: ``setting``, or for ``"auto"`` what the content
    folder shows (see the module docstring)."""
    if setting != "auto":
        return setting
    if is_vault:
        return "quartz"
    return "hugo" if hugo_config(content_dir.parent) else "root"


def quartz_slug(path: str) -> str:
    """A path slugified segment by segment as Quartz 4's ``slugifyFilePath`` does."""
    path = re.sub(r"\.md$", "", path.strip())
    return "/".join(re.sub(r"\s", "-", part).replace("&", "-and-").replace("%", "-percent")
                    .replace("?", "").replace("#", "") for part in path.split("/"))


def _quartz_folder(source: str) -> str:
    """The folder of a note's Quartz slug: an ``index`` note's is the folder above its own."""
    parent = PurePosixPath(source).parent
    if PurePosixPath(source).stem in ("index", "_index"):
        parent = parent.parent
    return "" if str(parent) == "." else quartz_slug(str(parent))


def quartz_note_file(page: Article) -> str:
    """The file that serves a note's old Quartz URL (``/notes/Backup-Plan``, GitHub Pages and
    most hosts serve it from ``notes/Backup-Plan.html``), or "" when Quartz's URL is
    vibesite's but for its trailing slash, or the note is a folder's index."""
    if page.lang or PurePosixPath(page.source).stem in ("index", "_index"):
        return ""
    slug = quartz_slug(page.source)
    return "" if slug == page.id else f"{slug}.html"


def alias_file(alias: str, style: str, page_id: str, source: str) -> str:
    """The file ``alias`` of the page ``page_id`` (built from ``source``) is written to, inside
    the site folder, read in ``style``; "" when it climbs above the site root."""
    path = alias.split("#")[0].split("?")[0].strip() if style != "quartz" else alias.strip()
    base = ""
    if style == "hugo" and not path.startswith("/"):
        base = str(PurePosixPath(page_id).parent) if "/" in page_id else ""
    elif style == "quartz":
        path = quartz_slug(path)
        if re.match(r"\.\.?(/|$)", path):
            base = _quartz_folder(source)
    parts: list[str] = [p for p in base.split("/") if p]
    for part in path.split("/"):
        if part == "..":
            if not parts:
                return ""
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    joined = "/".join(parts)
    if re.search(r"\.html?$", joined):
        return joined
    return f"{joined}/index.html" if joined else "index.html"


def redirects(pages: Sequence[Article], aliases: Mapping[str, tuple[list[str], int]],
              taken: Mapping[str, str], reserved: frozenset[str], style: str,
              diagnostics: Diagnostics) -> tuple[tuple[str, str], ...]:
    """``(output file, page id)`` of every redirect to write. ``aliases``: source -> its
    entries and their front matter line; ``taken``: the files pages and static files already
    use -> the source that made them; ``style``: how entries are read (``alias_style``)."""
    owner = dict(taken)
    result: dict[str, str] = {}
    url_of = {a.source: a.url for a in pages}
    for page in sorted(pages, key=lambda a: (bool(a.lang), a.source)):
        paths, line = aliases.get(page.source, ([], 1))
        versions = {v.url for v in page.versions}
        generated: list[str] = []  # entries at URLs vibesite uses itself: one warning a page
        for alias in paths:
            out = alias_file(alias, style, page.id, page.source)
            if not out or (style == "quartz" and _UNSAFE.search(out)):
                why = ("climbs above the site root" if not out else
                       "holds a character a URL cannot carry as it is")
                diagnostics.warning(page.source, line, f"alias '{alias}' {why}; no redirect is "
                                    "written", "alias-outside" if not out else "alias-unsafe")
                continue
            other = owner.get(out)
            if other == page.source or url_of.get(other or "") in versions:
                continue  # the page is already there, or another version of it redirects
            if other is None and (out == "index.html" or out.split("/")[0] in reserved):
                generated.append(alias)
            elif other is not None:
                diagnostics.warning(page.source, line, f"alias '{alias}' is also the URL of "
                                    f"{other}; no redirect is written there", "alias-clash")
            else:
                owner[out] = page.source
                result[out] = page.id
        own = quartz_note_file(page) if style == "quartz" else ""
        if own and own not in owner and not _UNSAFE.search(own):  # the note's Quartz URL
            owner[own] = page.source
            result[own] = page.id
        if generated:
            more = f" and {len(generated) - 1} more are URLs" if len(generated) > 1 else \
                " is also the URL of a page"
            diagnostics.warning(page.source, line, f"alias '{generated[0]}'{more} vibesite "
                                "generates; no redirect is written there", "alias-clash")
    return tuple(sorted(result.items()))
