"""The article: what the parse stage makes of one Markdown source, and what every later
stage reads (its id is the URL path, unique in the site; its language and its versions in
other languages, vibesite.content.languages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vibesite.content import dates


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str


@dataclass(frozen=True)
class Version:
    """One language version of a page: what "Read in:" and hreflang links name."""

    lang: str  # as the site writes it: "fr", "pt-br"; the default language's code for it
    name: str  # "Français"
    url: str  # site-relative, as Article.url


@dataclass(frozen=True)
class Article:
    id: str  # the slug path, e.g. "git/accessing-a-lost-commit"; unique
    source: str  # path relative to the content folder
    title: str
    date: datetime
    updated: datetime | None
    tags: tuple[Tag, ...]
    summary: str
    html_body: str
    text: str  # the body as plain text
    reading_minutes: int
    weight: float | None = None  # front matter ``weight``/``order``: first in its section
    linked_from: tuple[tuple[str, str], ...] = ()  # (title, url) of the articles linking here
    lang: str = ""  # its language when not the site's ("fr"); "" in the site's language
    versions: tuple[Version, ...] = ()  # every language version, itself too; () when alone
    original: str = ""  # a translation's: the id of its version in the site's language
    # (front matter key, name) of each taxonomy term as written ("categories", "Go"); a vault's
    # #tags under "tags": the old site's term URLs (vibesite.site.old_terms)
    terms: tuple[tuple[str, str], ...] = ()

    @property
    def listed(self) -> bool:
        """Listed on the home, section, archive, tag and topic pages, the map and the feed:
        every page but a translation of a page in the site's language (reached from it)."""
        return not self.original

    @property
    def url(self) -> str:
        return self.id + "/" if self.id else ""  # "": a home page introduction

    @property
    def date_display(self) -> str:
        return dates.display(self.date)

    @property
    def date_iso(self) -> str:
        return self.date.isoformat()

    @property
    def updated_display(self) -> str | None:
        return dates.display(self.updated) if self.updated else None

    @property
    def embed_text(self) -> str:
        """What the model sees: the title, then the body as plain text."""
        return f"{self.title}\n\n{self.text}".strip()


