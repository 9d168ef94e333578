"""Problems found in user content, reported as ``path:line: level: message [code]``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    level: Level
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message} [{self.code}]"


@dataclass
class Diagnostics:
    """Collects every problem of a build so that it can fail once, listing them all."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int, message: str, code: str) -> None:
        self.items.append(Diagnostic(path, line, "error", message, code))

    def warning(self, path: str, line: int, message: str, code: str) -> None:
        self.items.append(Diagnostic(path, line, "warning", message, code))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "warning"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items)


class BuildError(Exception):
    """The build stopped; ``diagnostics`` says why (already formatted as file:line)."""

    def __init__(self, diagnostics: list[Diagnostic], summary: str) -> None:
        super().__init__(summary)
        self.diagnostics = diagnostics


class ConfigError(Exception):
    """The configuration or the command line is wrong; the message names file:line."""
