"""``vibesite init DIR``: a new site that builds with no further edits.

In: a target folder, and with ``--from OLD`` another generator's site (``migrate.read_site``).
Out: the files of ``scaffold/`` copied there, with ``@VIBESITE_VERSION@`` replaced by the
running version, so the Pages workflow installs ``vibesite==<this version>`` (the same as
``vibesite --version``) and a later release changes no site until its author changes the pin.
From an old site: its settings as vibesite.toml instead of the sample one, no sample articles,
the lines vibesite needs added to an existing ``.gitignore``, and the workflow only where there
is none.
"""

from __future__ import annotations

from pathlib import Path

from vibesite import __version__
from vibesite.commands.migrate import MigrateError, read_site

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


def init_site(target: Path, force: bool = False, old: Path | None = None) -> list[str]:
    """Copy the scaffold into ``target`` (or, from the ``old`` site, write its settings: see the
    module docstring); refuse to overwrite files unless ``force``."""
    files = scaffold_files()
    written: dict[str, bytes] = {}
    if old is not None:
        try:
            migration = read_site(old, target)
        except MigrateError as exc:
            raise InitError(str(exc)) from exc
        files = [(s, rel) for s, rel in files if not rel.startswith("content/")
                 and not (rel == ".gitignore" and (target / rel).exists())
                 and not (rel.startswith(".github/") and (target / rel).exists())]
        written["vibesite.toml"] = migration.toml().encode()
        gitignore = target / ".gitignore"
        if gitignore.exists():
            have = gitignore.read_text(encoding="utf-8")
            need = [line for line in (SCAFFOLD / "gitignore").read_text().splitlines()
                    if line not in have.splitlines()]
            if need:
                written[".gitignore"] = (have.rstrip("\n") + "\n" + "\n".join(need)
                                         + "\n").lstrip("\n").encode()
    written = {rel: source.read_bytes().replace(VERSION_MARKER, __version__.encode())
               for source, rel in files if rel not in written} | written
    merged = {".gitignore"} if old is not None else set()  # lines added, nothing replaced
    clashes = [rel for rel in written if (target / rel).exists() and rel not in merged]
    if clashes and not force:
        raise InitError(f"{target} already has {', '.join(clashes)}; use --force to overwrite")
    for relative, data in written.items():
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    return list(written)
