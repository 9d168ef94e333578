"""Do existing sites come over intact? Build corpora, crawl what was written, count the breaks.

Usage: python bench/links.py [--corpora DIR] [--work DIR] [--only NAME ...] [--site DIR ...]

Each corpus of ../shared/corpora (the 40k-file winrt-api-docs only with ``--only``) is built
(its ``content/`` folder where it has one, as Hugo and Zola read it) in this
process with a hashed-words embedder (links do not depend on the model, and a real
model would spend minutes embedding), into ``WORK/NAME/site``; ``--site DIR`` crawls sites
already built instead. Prints, per site: Markdown files, articles, HTML pages, internal
links and images checked, broken ones by cause (``.md`` target left as written, no such page
or file, no such anchor), broken images, pages whose text shows other generators' template
syntax (``{{<``, ``{{%``, ``{%``), and the build's own link warnings by code.

The crawl resolves every ``href``/``src`` without a scheme against the page's URL (the site
is built with base URL ``/``): a target is there when the file, or ``index.html`` in the
folder, was written, and its ``#fragment`` is an ``id`` of that page.
"""

from __future__ import annotations

import argparse
import hashlib
import posixpath
import re
import sys
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import numpy as np
from _report import table  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_WORK = Path("/tmp/vibesite-links")
SKIPPED = {"winrt-api-docs"}  # 40k files: only when named with --only
EXTERNAL = re.compile(r"(?:[a-z][a-z0-9+.-]*:|//)", re.I)
TEMPLATE = re.compile(r"\{\{[<%]|\{%")
LINK_CODES = ("broken-link", "broken-anchor", "broken-image")


class HashedWords:
    """Deterministic bag-of-words vectors: enough for related lists and topics to exist."""

    model_id = "bench/hashed-words"

    def windows(self, title: str, text: str) -> list[str]:
        return [f"{title}\n\n{text}".strip()]

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % 64] += 1.0
        out[:, 0] += 1e-3
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []  # (tag, target)
        self.text: list[str] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if found.get("name") and tag == "a":
            self.ids.add(found["name"] or "")
        if tag == "a" and found.get("href"):
            self.refs.append(("a", found["href"] or ""))
        elif tag == "img" and found.get("src"):
            self.refs.append(("img", found["src"] or ""))
        if tag in ("code", "pre", "script", "style"):
            self._code += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "pre", "script", "style"):
            self._code = max(0, self._code - 1)

    def handle_data(self, data: str) -> None:
        if not self._code:
            self.text.append(data)


def crawl(site: Path) -> dict[str, int]:
    pages: dict[str, _Page] = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        pages[path.relative_to(site).as_posix()] = parser
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    counts: Counter[str] = Counter(pages=len(pages))
    for name, page in pages.items():
        counts["template pages"] += bool(TEMPLATE.search("".join(page.text)))
        for tag, target in page.refs:
            if EXTERNAL.match(target):
                continue
            counts["internal"] += 1
            cause = _broken(name, tag, target, files, pages)
            if cause:
                counts[cause] += 1
    return dict(counts)


def _broken(page: str, tag: str, target: str, files: set[str],
            pages: dict[str, _Page]) -> str | None:
    path, _, fragment = target.partition("#")
    path = unquote(path.partition("?")[0])
    if not path:
        found = page
    else:
        joined = path.lstrip("/") if path.startswith("/") else posixpath.join(
            posixpath.dirname(page), path)
        resolved = posixpath.normpath(joined)
        resolved = "" if resolved == "." else resolved
        if resolved in files:
            found = resolved
        elif posixpath.join(resolved, "index.html") in files:
            found = posixpath.join(resolved, "index.html")
        elif tag == "img":
            return "broken img"
        else:
            return "to .md" if re.search(r"\.(md|markdown|mdown|mkd)$", path) else "no page"
    if fragment and found in pages and unquote(fragment) not in pages[found].ids:
        return "no anchor"
    return None


def build(corpus: Path, work: Path) -> Counter[str]:
    """Build ``corpus`` into ``work/site`` in this process; the link warnings by code (the
    lines themselves in ``work/link-warnings.txt``)."""
    from vibesite.config import load_config
    from vibesite.diagnostics import BuildError
    from vibesite.pipeline import build as build_site

    root = corpus / "content" if (corpus / "content").is_dir() else corpus  # Hugo's, Zola's
    config = replace(load_config(None, work), content_dir=root, output_dir=work / "site",
                     cache_dir=work / ".vibesite")
    try:
        result = build_site(config, embedder=HashedWords(), progress=False)  # type: ignore[arg-type]
        diagnostics = result.diagnostics
    except BuildError as exc:
        print(f"{corpus.name}: {exc}", file=sys.stderr)
        diagnostics = tuple(exc.diagnostics)
    linked = [str(d) for d in diagnostics if d.code in LINK_CODES]
    (work / "link-warnings.txt").write_text("".join(line + "\n" for line in linked))
    return Counter(d.code for d in diagnostics if d.code in LINK_CODES)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--site", nargs="*", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    headers = ["site", "md files", "pages", "internal", "to .md", "no page", "no anchor",
               "broken img", "template pages", *(f"[{c}]" for c in LINK_CODES)]
    targets: list[tuple[str, Path, Path | None]] = []
    if args.site:
        targets = [(s.name, s, None) for s in args.site]
    else:
        for corpus in sorted(p for p in args.corpora.iterdir() if p.is_dir()):
            if (args.only is None and corpus.name not in SKIPPED) or (
                    args.only and corpus.name in args.only):
                targets.append((corpus.name, args.work / corpus.name / "site", corpus))
    for name, site, corpus in targets:
        warned: Counter[str] = Counter()
        if corpus is not None:
            warned = build(corpus, site.parent)
        counts = crawl(site)
        md_files = sum(1 for p in corpus.rglob("*") if re.search(
            r"\.(md|markdown|mdown|mkd)$", p.name)) if corpus else 0
        rows.append([name, str(md_files), *(str(counts.get(k, 0)) for k in headers[2:9]),
                     *(str(warned.get(c, 0)) for c in LINK_CODES)])
        print(f"{name}: done", file=sys.stderr, flush=True)
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
