"""The article: what the parse stage makes of one Markdown source, and what every later
stage reads (its id is the URL path, unique in the site)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vibesite.content import dates


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str


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


