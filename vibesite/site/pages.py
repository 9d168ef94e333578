"""One page of the site to render: where it goes, its template and what the template gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    url: str  # site-relative, "" for the home page, "archive/", "git/x/"
    output: str  # file path inside the site folder
    template: str
    context: dict[str, Any]
