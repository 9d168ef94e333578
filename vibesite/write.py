"""Stage 7: write the site atomically: build a sibling folder, then swap it in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from vibesite.render import RenderedSite


def write_site(site: RenderedSite, output: Path) -> int:
    """Write every file into ``.<name>.tmp-<pid>`` next to ``output``, then swap folders.

    If anything fails before the swap, the previous ``output`` is untouched and the temporary
    folder is removed. Returns the number of files written.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        made: set[Path] = set()
        for relpath, data in site.files.items():
            _write(staging / relpath, data, made)
        for source, relpath in site.static:
            target = staging / relpath
            _mkdir(target.parent, made)
            shutil.copyfile(source, target)
        if output.exists():
            output.rename(retired)
        staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not output.exists():
            retired.rename(output)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return len(site.files) + len(site.static)


def _mkdir(folder: Path, made: set[Path]) -> None:
    if folder not in made:
        folder.mkdir(parents=True, exist_ok=True)
        made.add(folder)


def _write(path: Path, data: bytes, made: set[Path]) -> None:
    _mkdir(path.parent, made)
    path.write_bytes(data)
