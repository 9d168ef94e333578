"""Stage 6: render every page with Jinja2 (autoescape, StrictUndefined) into bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from vibesite.assemble import AssembledSite
from vibesite.config import Config

PACKAGE_DIR = Path(__file__).resolve().parent


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

    env.globals["url"] = url
    return env


def render(config: Config, site: AssembledSite, folders: Sequence[Path]) -> RenderedSite:
    env = make_environment(config, folders)
    env.globals["site"] = site.info
    files = dict(site.files)
    for page in site.pages:
        template = env.get_template(page.template)
        title = _page_title(page.context, site.info.title, page.template)
        html = template.render(page_title=title, canonical_url=config.absolute_url(page.url),
                               **page.context)
        files[page.output] = html.encode("utf-8")
    return RenderedSite(files, site.static)


def _page_title(context: dict, site_title: str, template: str) -> str:
    if "article" in context:
        return str(context["article"].title)
    if "tag" in context:
        return f"Tag: {context['tag'].name}"
    if "topic" in context and template == "topic.html":
        return f"Topic: {context['topic'].name}"
    return {"archive.html": "Archive", "tags.html": "Tags", "404.html": "Page not found",
            "search.html": "Search", "topics.html": "Topics", "map.html": "Map"}.get(
        template, site_title)
