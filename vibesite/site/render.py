"""Stage 6: render every page with Jinja2 (autoescape, StrictUndefined) into bytes.

Many pages are rendered by a pool of forked processes, one per core: a forked worker inherits
the assembled site as it is (nothing is pickled on the way in), rebuilds its own Jinja
environment, renders a slice of the pages and sends their bytes back. Same bytes either way.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2

from vibesite.config import Config
from vibesite.cores import die_with_parent, usable_cores
from vibesite.diagnostics import BuildError, Diagnostic
from vibesite.site.article_html import finish, table_of_contents
from vibesite.site.assemble import AssembledSite
from vibesite.site.words import ThemeWords, ThemeWordsError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # vibesite/
# bench/scale.py --render, 2 cores: the pool breaks even near 250 pages on an idle machine
# and is 1.4x faster from 2,000; with other work on the cores it was slower up to ~3,500.
PARALLEL_PAGES = 2000
SLICES_PER_WORKER = 16  # smaller slices even out slow pages (big articles) between workers


def theme_dirs(config: Config) -> list[Path]:
    """Template folders, first wins: the site's own, then the default theme."""
    bundled = PACKAGE_DIR / "templates"  # inside an installed wheel
    default = bundled if bundled.is_dir() else PACKAGE_DIR.parent / "templates"
    folders = [config.templates_dir, default]
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and folder.resolve() not in [u.resolve() for u in unique]:
            unique.append(folder)
    return unique


class ThemeError(Exception):
    """A template or words file that cannot render a page: where (the file, its line) and
    why. Plain arguments, so it crosses back from a render worker as it is."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(path, line, message)
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True)
class RenderedSite:
    files: dict[str, bytes]  # path inside the site folder -> content
    static: tuple[tuple[Path, str], ...]


def make_environment(config: Config, folders: Sequence[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    base_path = config.base_path

    def url(path: str) -> str:
        return base_path + path.lstrip("/")

    words = ThemeWords(folders)

    def page_lang(context: jinja2.runtime.Context) -> str:
        return str(context.get("page_lang") or config.language)

    @jinja2.pass_context
    def i18n(context: jinja2.runtime.Context, key: str, **values: object) -> str:
        """The theme's words for ``key`` in the page's language (vibesite.site.words)."""
        return words.markup(page_lang(context), key, values)

    @jinja2.pass_context
    def count(context: jinja2.runtime.Context, value: int) -> str:
        """1,871 articles (1 871 in French), as the search box writes its totals."""
        return words.number(page_lang(context), int(value))

    env.globals["url"] = url
    env.globals["absolute_url"] = config.absolute_url  # hreflang links want full URLs
    env.filters["finish_html"] = finish  # accessible code blocks, checkboxes, footnote links
    env.filters["count"] = count
    env.globals["i18n"] = i18n
    env.globals["script_words"] = words.script_words
    env.globals["theme_words"] = words
    env.globals["table_of_contents"] = table_of_contents
    return env


def render(config: Config, site: AssembledSite, folders: Sequence[Path],
           workers: int | None = None) -> RenderedSite:
    """Every page's HTML; ``workers`` None means one per core once there are PARALLEL_PAGES
    pages (and the platform can fork), 1 means in this process. A template that fails (an
    undefined name, a syntax error, a words key no file has) raises BuildError with
    ``file:line: error: ... [template-error]``, naming the page it was rendering."""
    try:
        return _render(config, site, folders, workers)
    except ThemeError as exc:
        raise BuildError([Diagnostic(exc.path, exc.line, "error", exc.message,
                                     "template-error")],
                         "the theme could not render the site") from exc


def _render(config: Config, site: AssembledSite, folders: Sequence[Path],
            workers: int | None) -> RenderedSite:
    if workers is None:
        workers = usable_cores() if len(site.pages) >= PARALLEL_PAGES else 1
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "darwin":
        workers = 1  # forking a process that has threads is unsafe on macOS
    files = dict(site.files)
    if workers <= 1 or not site.pages:
        env = site_environment(config, site, folders)
        files.update(_render_pages(config, site, env, 0, len(site.pages)))
        return RenderedSite(files, site.static)
    step = -(-len(site.pages) // (workers * SLICES_PER_WORKER))
    starts = range(0, len(site.pages), step)
    # Fork, so the workers inherit ``site`` (initargs are not pickled when forking); the
    # children only run Jinja, never the threads (BLAS, OpenMP) the parent may have started.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_start_worker,
                             initargs=(os.getpid(), config, site, folders)) as pool:
        for part in pool.map(_render_slice, starts, [min(s + step, len(site.pages))
                                                     for s in starts]):
            files.update(part)
    return RenderedSite(files, site.static)


@dataclass(frozen=True)
class _WorkerState:
    config: Config
    site: AssembledSite
    env: jinja2.Environment


_WORKER: list[_WorkerState] = []  # in each pool process: set once by _start_worker


def _start_worker(parent: int, config: Config, site: AssembledSite,
                  folders: Sequence[Path]) -> None:
    die_with_parent(parent)
    _WORKER.append(_WorkerState(config, site, site_environment(config, site, folders)))


def _render_slice(start: int, stop: int) -> list[tuple[str, bytes]]:
    state = _WORKER[0]
    return _render_pages(state.config, state.site, state.env, start, stop)


def site_environment(config: Config, site: AssembledSite,
                     folders: Sequence[Path]) -> jinja2.Environment:
    env = make_environment(config, folders)
    env.globals["site"] = site.info

    def asset(path: str) -> str:
        """``url(path)`` plus ``?v=<content hash>``: a changed script or style is fetched anew
        (browsers may keep ``static/`` files for hours), an unchanged one stays cached. A module
        written under a content-hashed name (``static/search/main.js``) links to that name."""
        hashed = site.info.asset_paths.get(path.lstrip("/"))
        if hashed is not None:
            return env.globals["url"](hashed)
        version = site.info.asset_versions.get(path.lstrip("/"))
        return env.globals["url"](path) + (f"?v={version}" if version else "")

    def module_preloads(path: str) -> list[str]:
        """URLs of every module ``path`` imports, directly or not, for
        ``<link rel="modulepreload">``: the browser fetches them at once instead of one level
        of imports after another."""
        return [env.globals["url"](p) for p in site.info.asset_imports.get(path.lstrip("/"), ())]

    env.globals["asset"] = asset
    env.globals["module_preloads"] = module_preloads
    return env


def _render_pages(config: Config, site: AssembledSite, env: jinja2.Environment, start: int,
                  stop: int) -> list[tuple[str, bytes]]:
    """(output path, HTML bytes) of ``site.pages[start:stop]``."""
    out = []
    for page in site.pages[start:stop]:
        try:
            template = env.get_template(page.template)
            lang = str(page.context.get("page_lang") or config.language)
            title = _page_title(page.context, site.info.title, page.template,
                                env.globals["theme_words"], lang)
            html = template.render(page_title=title, canonical_url=config.absolute_url(page.url),
                                   **page.context)
        except (jinja2.TemplateError, ThemeWordsError) as exc:
            raise _theme_error(exc, page.output, config.templates_dir) from None
        out.append((page.output, html.encode("utf-8")))
    return out


def _theme_error(exc: Exception, output: str, own: Path) -> ThemeError:
    """Where ``exc`` happened: a words file's line, a template syntax error's, or the last
    template line in the traceback (Jinja writes template lines into it)."""
    where = f" (rendering {output})"
    if isinstance(exc, ThemeWordsError) and exc.path:
        return ThemeError(_shown(exc.path, own), exc.line, f"{exc.message}{where}")
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return ThemeError(_shown(exc.filename, own), exc.lineno or 1, f"{exc.message}{where}")
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.endswith((".html", ".xml", ".txt"))]
    path, line = (frames[-1].filename, frames[-1].lineno or 1) if frames else ("<theme>", 1)
    return ThemeError(_shown(path, own), line, f"{exc}{where}")


def _shown(path: str, own: Path) -> str:
    """A theme file as an error names it: ``templates/404.html`` in the site's own templates
    folder ``own``; a default theme file by its full path."""
    try:
        return (Path(own.name) / Path(path).resolve().relative_to(own.resolve())).as_posix()
    except ValueError:
        return path


def _page_title(context: dict, site_title: str, template: str, words: ThemeWords,
                lang: str) -> str:
    if "article" in context:
        return str(context["article"].title)
    if "tag" in context:
        return words.text(lang, "meta.tag_title", {"name": context["tag"].name})
    if "section" in context:
        return str(context["section"].title)
    if "topic" in context and template == "topic.html":
        return words.text(lang, "meta.topic_title", {"name": context["topic"].name})
    key = _TITLES.get(template)
    return words.text(lang, key) if key else site_title


_TITLES = {"archive.html": "nav.archive", "tags.html": "nav.tags", "search.html": "nav.search",
           "404.html": "meta.not_found_title", "topics.html": "nav.topics", "map.html": "nav.map"}
