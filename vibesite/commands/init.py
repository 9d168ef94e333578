"""``vibesite init DIR``: a new site that builds with no further edits.

In: a target folder. Out: the files of ``scaffold/`` copied there, with ``@VIBESITE_VERSION@``
replaced by the running version, so the Pages workflow installs ``vibesite==<this version>``
(the same as ``vibesite --version``) and a later release changes no site until its author
changes the pin.
"""

from __future__ import annotations

from pathlib import Path

from vibesite import __version__

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
_RENAMES = {"gitignore": ".gitignore"}  # kept without the dot inside the package
VERSION_MARKER = b"@VIBESITE_VERSION@"


class InitError(Exception):
    pass


def scaffold_files() -> list[tuple[Path, str]]:
    """(source, relative destination) for every file of a new site."""
    files = []
    for path in sorted(SCAFFOLD.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            relative = path.relative_to(SCAFFOLD).as_posix()
            files.append((path, _RENAMES.get(relative, relative)))
    return files


def init_site(target: Path, force: bool = False) -> list[str]:
    """Copy the scaffold into ``target``; refuse to overwrite files unless ``force``."""
    files = scaffold_files()
    clashes = [rel for _, rel in files if (target / rel).exists()]
    if clashes and not force:
        raise InitError(f"{target} already has {', '.join(clashes)}; use --force to overwrite")
    for source, relative in files:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(source.read_bytes().replace(VERSION_MARKER, __version__.encode()))
    return [rel for _, rel in files]
