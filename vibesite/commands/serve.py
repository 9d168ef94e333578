"""``vibesite serve``: build, serve on 127.0.0.1, rebuild on change, reload the open page."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from vibesite.buildlock import LockError
from vibesite.config import Config
from vibesite.diagnostics import BuildError
from vibesite.embeddings.errors import StoreError
from vibesite.pipeline import BuildResult, build
from vibesite.site.write import WriteError

EVENTS_PATH = "/__vibesite/events"
RELOAD_SCRIPT = (
    "<script>new EventSource('" + EVENTS_PATH + "').onmessage = () => location.reload();"
    "</script>"
).encode()


class Generation:
    """A counter of finished builds that request threads can wait on."""

    def __init__(self) -> None:
        self.value = 0
        self.condition = threading.Condition()

    def bump(self) -> None:
        with self.condition:
            self.value += 1
            self.condition.notify_all()

    def wait_past(self, seen: int, timeout: float) -> int:
        with self.condition:
            self.condition.wait_for(lambda: self.value != seen, timeout=timeout)
            return self.value


class _Handler(http.server.SimpleHTTPRequestHandler):
    generation: Generation
    stopping: threading.Event

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path == EVENTS_PATH:
            self._events()
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.generation.value
        try:
            while not self.stopping.is_set():
                now = self.generation.wait_past(seen, timeout=1.0)
                if now != seen:
                    self.wfile.write(b"data: reload\n\n")
                    self.wfile.flush()
                    seen = now
        except (BrokenPipeError, ConnectionResetError):
            pass


def make_server(config: Config, port: int, generation: Generation,
                stopping: threading.Event) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"generation": generation, "stopping": stopping})
    bound = functools.partial(handler, directory=str(config.output_dir.resolve()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), bound)
    server.daemon_threads = True
    return server


def rebuild(config: Config, embedder: Any, log: Callable[[str], None]) -> BuildResult | None:
    try:
        # fork=False: forking while the server and watcher threads run could copy a held lock
        result = build(config, embedder=embedder, progress=sys.stderr.isatty(), fork=False)
    except BuildError as exc:
        for diagnostic in exc.diagnostics:
            log(str(diagnostic))
        log(f"{exc} (still serving the previous build)")
        return None
    except (WriteError, LockError, StoreError) as exc:
        log(f"error: {exc} (still serving the previous build)")
        return None
    log(f"Rebuilt: {result.articles} articles, {result.embedded_new} new and "
        f"{result.embedded_changed} changed embeddings, {sum(result.timings.values()):.2f}s")
    return result


def serve(config: Config, port: int = 8000, embedder: Any = None,
          stopping: threading.Event | None = None,
          log: Callable[[str], None] = print, ready: threading.Event | None = None) -> None:
    """Serve until ``stopping`` is set (or Ctrl-C); rebuild whenever the sources change."""
    from watchfiles import watch

    stopping = stopping or threading.Event()
    config = replace(config, base_url=f"http://127.0.0.1:{port}/")
    if embedder is None:  # the configured model, loaded once for every rebuild
        from vibesite.model.configured import ConfiguredModel

        embedder = ConfiguredModel(config)
    config.output_dir.mkdir(parents=True, exist_ok=True)
    generation = Generation()
    server = make_server(config, port, generation, stopping)  # a taken port fails before building
    rebuild(config, embedder, log)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log(f"Serving {config.output_dir} at http://127.0.0.1:{server.server_port}/ (Ctrl-C stops)")
    if ready:
        ready.set()
    watched = [p for p in (config.content_dir, config.templates_dir, config.static_dir,
                           *config.passthrough) if p.exists()]
    try:
        for _changes in watch(*watched, stop_event=stopping, debounce=200, rust_timeout=500):
            if rebuild(config, embedder, log) is not None:
                generation.bump()
    except KeyboardInterrupt:
        pass
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
