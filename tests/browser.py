"""Browser tests' helpers: a static file server on 127.0.0.1 and Debian's headless Chromium.

Playwright (the Python package) drives the system Chromium (``apt-get install chromium``);
Playwright's own browser downloads are never used. ``VIBESITE_CHROMIUM`` may name another
Chromium binary.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".json": "application/json", ".wasm": "application/wasm",
          ".onnx": "application/octet-stream", ".bin": "application/octet-stream",
          ".svg": "image/svg+xml", ".xml": "application/xml", ".txt": "text/plain"}


def chromium_path() -> str | None:
    """The Chromium to drive, or None when there is none."""
    named = os.environ.get("VIBESITE_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def why_no_browser() -> str | None:
    """Why browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright)"
    if chromium_path() is None:
        return "no Chromium binary (apt-get install chromium, or set VIBESITE_CHROMIUM)"
    return None


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"
    extensions_map = {"": "application/octet-stream", **_TYPES}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__not_under_the_base_path__")
        return super().translate_path("/" + path[len(self.prefix):])

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


# What GitHub Pages sends gzip-compressed to a browser that accepts it
_COMPRESSED = {".html", ".js", ".mjs", ".css", ".json", ".svg", ".xml", ".txt"}


class _GzipHandler(_Handler):
    """As GitHub Pages serves a site: text files gzip-compressed (Content-Encoding)."""

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if (not path.is_file() or path.suffix not in _COMPRESSED
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            super().do_GET()
            return
        data = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def serve(folder: Path, prefix: str = "/", port: int = 0,
          compress: bool = False) -> Iterator[str]:
    """Serve ``folder`` at ``http://127.0.0.1:<port, or a free one><prefix>`` from a thread;
    ``compress``: text files gzip-compressed, as GitHub Pages sends them."""
    handler = type("Handler", (_GzipHandler if compress else _Handler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="test-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


WAIT_MS = 90_000  # loading the model: ~40 MB of WASM and ONNX compiled on a small CI machine


class Recorder:
    """Every request a page makes, and every console error and uncaught exception."""

    def __init__(self, page: Any) -> None:
        self.urls: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}")
                if msg.type == "error" else None)

    def fetched(self, pattern: str) -> list[str]:
        return [u for u in self.urls if re.search(pattern, u)]


def option_titles(page: Any) -> list[str]:
    return page.locator("#vs-search-listbox .vs-search__title").all_inner_texts()
