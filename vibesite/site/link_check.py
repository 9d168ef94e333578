"""After render: every link the theme wrote (navigation, tags, topics, related, pagination,
scripts and styles) leads to a file of the built site, and so does every Markdown link that
the parse could not match to a page or content file (``check_body_links``).

In: the rendered site's files, the static files, the site's base URL and path, and each
page's own Markdown body (its links were checked against their source lines already, by
vibesite.content.links, but for those it left to this check). Out: one ``[broken-link]``
warning per missing target, naming the first page and line that links to it and how many
pages do, or for a Markdown link its source's file and line; nothing is written.

Only root-relative and absolute links into the site are checked: the default theme writes
every link that way (the ``url()`` helper), and relative links come only from Markdown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from html import unescape
from urllib.parse import unquote, urlsplit

from vibesite.content.links import UncheckedLink
from vibesite.diagnostics import Diagnostics

_LINKS = re.compile(rb'\s(?:href|src)="([^"]*)"')


def _site_path(target: str, base_url: str, base_path: str) -> str | None:
    """The path inside the site that ``target`` names, or None when it is not a link into
    the site that this check can judge (another site, a relative or fragment-only link)."""
    root = base_url.rstrip("/") + "/"  # Zola's base_url has no trailing slash
    if "://" in base_url and (target.startswith(root) or target == root[:-1]):
        target = base_path + target[len(root):]
    elif "://" in target or target.startswith("//") or not target.startswith("/"):
        return None
    if not target.startswith(base_path):
        return None  # above the site's folder: another site on the same host
    path = unquote(urlsplit(target[len(base_path):]).path)
    return path


def _exists(path: str, files: set[str]) -> bool:
    return (path in files or path.rstrip("/") + "/index.html" in files if path.strip("/")
            else "index.html" in files)


def check_body_links(links: Iterable[UncheckedLink], pages: Mapping[str, bytes],
                     static: Iterable[str], diagnostics: Diagnostics) -> None:
    """Warn, at its source line, about each Markdown link whose path the built site does not
    write: no page (``path/index.html``), no file, and no ``path.html``, which GitHub Pages
    and most static hosts serve for ``/path`` (Quartz's URLs, redirects written so)."""
    files = set(pages) | set(static)
    for link in links:
        if not (_exists(link.path, files) or f"{link.path}.html" in files):
            diagnostics.warning(link.source, link.line, f"link '{link.target}' leads to no "
                                "page or file of this site", "broken-link")


def check_theme_links(pages: Mapping[str, bytes], static: Iterable[str],
                      base_url: str, base_path: str, bodies: Mapping[str, str],
                      diagnostics: Diagnostics, output_name: str = "site") -> None:
    """Warn once per target of ``pages`` (site path -> bytes) that leads to none of their
    paths or ``static`` ones. ``bodies`` maps a page's path to its Markdown body's HTML,
    whose links are skipped here (vibesite.content.links checked them, with source lines)."""
    files = set(pages) | set(static)
    first: dict[str, tuple[str, int]] = {}
    pages_linking: Counter[str] = Counter()
    for page, data in pages.items():
        if not page.endswith(".html"):
            continue
        own = {unescape(m.decode()) for m in _LINKS.findall(bodies.get(page, "").encode())}
        missing: set[str] = set()
        for match in _LINKS.finditer(data):
            target = unescape(match.group(1).decode("utf-8", "replace"))
            if target in own or target in missing:
                continue
            path = _site_path(target, base_url, base_path)
            if path is None or _exists(path, files):
                continue
            missing.add(target)
            first.setdefault(target, (page, data.count(b"\n", 0, match.start()) + 1))
        pages_linking.update(missing)
    for target, (page, line) in sorted(first.items(), key=lambda item: item[1]):
        count = pages_linking[target]
        also = f" (and {count - 1} other page(s))" if count > 1 else ""
        diagnostics.warning(f"{output_name}/{page}", line, f"the theme links to '{target}'"
                            f"{also}, which this build does not write", "broken-link")
