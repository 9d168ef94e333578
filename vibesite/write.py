"""Stage 7: write the site atomically: build a sibling folder, then swap it in.

Creating files is cheap on most disks but deleting or overwriting thousands of them is not
(seconds on this project's CI disk), so:
- when every output file already holds exactly the new bytes, nothing is written at all;
- otherwise the new site is written into ``.<name>.tmp-<pid>`` beside the output, swapped in
  with two renames, and the previous folder is deleted by a detached background process.
A failure before the swap removes the staging folder and leaves the previous site untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from vibesite.render import RenderedSite


def _wanted(site: RenderedSite) -> dict[str, bytes | Path]:
    wanted: dict[str, bytes | Path] = {rel: src for src, rel in site.static}
    wanted.update(site.files)
    return wanted


def _unchanged(wanted: dict[str, bytes | Path], output: Path) -> bool:
    if not output.is_dir():
        return False
    existing = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    if existing != set(wanted):
        return False
    for relpath, content in wanted.items():
        target = output / relpath
        if isinstance(content, Path):
            if content.stat().st_size != target.stat().st_size:
                return False
            content = content.read_bytes()
        if target.read_bytes() != content:
            return False
    return True


def write_site(site: RenderedSite, output: Path) -> int:
    """Write the site; return the number of files written (0 when it was already up to date)."""
    output = output.resolve()
    wanted = _wanted(site)
    if _unchanged(wanted, output):
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    # Unique per build: `serve` rebuilds in one process while the last old folder may still be
    # being deleted in the background.
    suffix = f"{os.getpid()}-{time.time_ns()}"
    staging = output.with_name(f".{output.name}.tmp-{suffix}")
    retired = output.with_name(f".{output.name}.old-{suffix}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        made: set[Path] = set()
        for relpath, content in wanted.items():
            target = staging / relpath
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            else:
                target.write_bytes(content)
        if output.exists():
            output.rename(retired)
        staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not output.exists():
            retired.rename(output)
        raise
    _delete_in_background([p for p in output.parent.glob(f".{output.name}.old-*") if p.is_dir()])
    return len(wanted)


def _delete_in_background(folders: list[Path]) -> None:
    if not folders:
        return
    subprocess.Popen(
        [sys.executable, "-c",
         "import shutil, sys\nfor p in sys.argv[1:]: shutil.rmtree(p, ignore_errors=True)",
         *map(str, folders)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
