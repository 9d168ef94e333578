"""The tests' helpers (plain functions, no fixtures: those are in conftest.py): tiny sites
written into a folder, named tiny sites, builds, diagnostics as lines, built pages read back."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from vibesite.config import Config, load_config
from vibesite.content.discover import discover
from vibesite.content.parse import Article, ParsedContent, parse
from vibesite.diagnostics import BuildError, Diagnostic, Diagnostics
from vibesite.pipeline import BuildResult, build
from vibesite.site.link_check import check_body_links

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
MODEL = "all-MiniLM-L6-v2"  # the packaged default model

Files = Mapping[str, str | bytes]

# Named tiny sites, like Sphinx's tests/roots: content for tests that need "a small site", not
# particular text. ``make_site("two-posts")`` (or ``site_config(root, "two-posts")``) writes one.
SITES: dict[str, Files] = {
    # two dated posts (one tagged) and a static file next to them
    "two-posts": {
        "first.md": "---\ntitle: First post\ndate: 2024-03-01\ntags: [intro]\n---\nHello world.\n",
        "second.md": "---\ntitle: Second post\ndate: 2024-03-02\n---\nMore words here.\n",
        "img/logo.txt": "not markdown, copied as is",
    },
    # a Hugo-like site in English with French translations by file name (languages = fr):
    # a post, a page bundle, a post with no translation and a translation with no original
    "hugo-multilingual": {
        "posts/first.md": "---\ntitle: First post\ndate: 2024-03-01\ntags: [intro]\n---\n"
                          "Databases keep rows in tables.\n",
        "posts/first.fr.md": "---\ntitle: Premier article\ndate: 2024-03-01\ntags: [intro]\n"
                             "---\nLes bases de données gardent des lignes.\n",
        "posts/bundle/index.md": "---\ntitle: Bundle\ndate: 2024-03-03\n---\n"
                                 "Databases keep indexes beside tables.\n",
        "posts/bundle/index.fr.md": "---\ntitle: Paquet\ndate: 2024-03-03\n---\n"
                                    "Les bases de données gardent des index.\n",
        "posts/second.md": "---\ntitle: Second post\ndate: 2024-03-02\n---\n"
                           "Databases keep rows and indexes.\n",
        "posts/seul.fr.md": "---\ntitle: Seul\ndate: 2024-03-04\n---\nUn article seul.\n",
    },
    # six dated posts, alternately about databases (even numbers) and cats (odd numbers)
    "six-posts": {
        f"post-{i}.md": f"---\ntitle: Post {i}\ndate: 2024-01-{i + 1:02d}\n---\nBody number {i} "
        f"about {'cats' if i % 2 else 'databases'}.\n"
        for i in range(6)
    },
}


class FakeEmbedder:
    """Bag of hashed words: deterministic, instant, and similar texts get similar vectors.

    For fast unit tests of the plumbing only; the real model has its own tests.
    """

    model_id = "fake/hashed-words"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls: list[list[str]] = []

    def windows(self, title: str, text: str) -> list[str]:
        return [f"{title}\n\n{text}".strip()]

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        out[:, 0] += 1e-3
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    @property
    def encoded(self) -> list[str]:
        return [t for call in self.calls for t in call]


def write_files(root: Path, files: Files) -> None:
    for relpath, data in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")


def named(files: Files | str | None) -> Files:
    """``files`` themselves, or the named site's (``SITES``); None: no files."""
    return SITES[files] if isinstance(files, str) else files or {}


def site_config(root: Path, files: Files | str | None = None, **overrides: object) -> Config:
    """The Config of a site in ``root``, ``files`` (or the named site's) written into its
    ``content/``: output in ``site/``, caches in ``.vibesite/``, the site's own ``templates/``
    and ``static/``; ``overrides`` are Config fields. Call again with more files to add them."""
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    write_files(content, named(files))
    settings: dict[str, object] = {
        "content_dir": content, "output_dir": root / "site", "cache_dir": root / ".vibesite",
        "templates_dir": root / "templates", "static_dir": root / "static",
        "title": "Test site",
        # absolute, as the Pages workflow passes it: a relative one warns [base-url-relative]
        "base_url": "https://example.org/",
    }
    settings.update(overrides)
    return Config(**settings)  # type: ignore[arg-type]


def site_with_toml(root: Path, files: Files | str | None = None, **settings: object) -> Config:
    """A site for tests that run vibesite itself (its CLI, a subprocess): ``files`` (or the
    named site's) in ``root/content`` and ``settings`` written to ``root/vibesite.toml``,
    which is read back as the CLI reads it. Paths are relative to ``root``, as for a user."""
    write_files(root / "content", named(files))
    (root / "vibesite.toml").write_text("".join(
        f"{key} = {json.dumps(str(value) if isinstance(value, Path) else value)}\n"
        for key, value in settings.items()), encoding="utf-8")
    return load_config(root / "vibesite.toml")


def share_onnx_cache(cache_dir: Path, shared: Path) -> None:
    """Point ``cache_dir/onnx`` at the session's exports, so each site does not export again."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    if not (cache_dir / "onnx").exists():
        (cache_dir / "onnx").symlink_to(shared, target_is_directory=True)


def build_quiet(config: Config, embedder: object) -> BuildResult:
    return build(config, embedder=embedder, progress=False)  # type: ignore[arg-type]


def built_with_model(root: Path, files: Files | str, onnx_cache: Path, embedder: object,
                     **overrides: object) -> Config:
    """A tiny site in ``root`` built with ``embedder`` (the real model), its query encoder
    taken from the session's exports."""
    share_onnx_cache(root / ".vibesite", onnx_cache)
    config = site_config(root, files, **overrides)
    build_quiet(config, embedder)
    return config


def lines(diagnostics: object) -> list[str]:
    """Diagnostics as the ``path:line: level: message [code]`` lines the user sees."""
    return [str(d) for d in diagnostics]  # type: ignore[attr-defined]


def build_ok(config: Config, embedder: object) -> tuple[BuildResult, list[str]]:
    """Build and return the result with its warnings as lines (the build must succeed)."""
    result = build_quiet(config, embedder)
    return result, lines(result.diagnostics)


def build_fails(config: Config, embedder: object) -> tuple[BuildError, list[str]]:
    """Build, expecting BuildError; return it with its diagnostics as lines."""
    with pytest.raises(BuildError) as info:
        build_quiet(config, embedder)
    return info.value, lines(info.value.diagnostics)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to compare a site before and after."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def page(config: Config, url: str) -> str:
    """The HTML of the page at site-relative ``url`` ("" for the home page, "x/" for x)."""
    return (config.output_dir / url / "index.html").read_text(encoding="utf-8")


def has_page(config: Config, url: str) -> bool:
    return (config.output_dir / url / "index.html").is_file()


def post_body(html: str) -> str:
    """The rendered Markdown of an article page (inside ``div.post-content``)."""
    match = re.search(r'<div class="post-content">\n(.*?)\n  </div>\n</article>', html, re.S)
    assert match, "no post-content in the page"
    return match.group(1)


def post_title(html: str) -> str:
    """The article's visible H1 (the theme's optional ``<wbr>`` break points removed)."""
    match = re.search(r'<h1 class="post-title">(.*?)</h1>', html, re.S)
    assert match, "no post title in the page"
    return match.group(1).replace("<wbr>", "")


def head_title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "no <title> in the page"
    return match.group(1)


def published(html: str) -> str:
    """The ``datetime`` of the article's ``<time>`` element (ISO 8601)."""
    match = re.search(r'<p class="post-meta">\s*<time datetime="([^"]+)">', html)
    assert match, "no post date in the page"
    return match.group(1)


def parse_site(config: Config) -> tuple[ParsedContent, Diagnostics]:
    """Stages 1 and 2 only (discover, parse): no embedding, rendering or writing. The Markdown
    links the parse leaves for the built site (to paths no page or content file has) are
    checked as a build writing nothing else would: [broken-link]."""
    diagnostics = Diagnostics()
    parsed = parse(config, discover(config, diagnostics), diagnostics)
    check_body_links(parsed.unchecked_links, {}, (), diagnostics)
    return parsed, diagnostics


def by_source(parsed: ParsedContent) -> dict[str, Article]:
    return {a.source: a for a in parsed.articles}


def codes(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> list[str]:
    return [d.code for d in diagnostics]


class HtmlElements(HTMLParser):
    """Every element with its attributes, and all the text, of an HTML document, as a
    browser's parser sees them (so an unescaped ``<img onerror>`` shows up as an element)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)
