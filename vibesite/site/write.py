"""Stage 7: write the site atomically: build a sibling folder, then swap it in.

Creating files is cheap on most disks but deleting or overwriting thousands of them is not
(seconds on this project's CI disk), so:
- when every output file already holds exactly the new bytes, nothing is written at all;
- otherwise the new site is written into ``.<name>.tmp-<pid>-<ns>`` beside the output,
  swapped in with one atomic exchange (two renames where the OS has no exchange), and the
  previous folder is deleted by a detached background process.
A failure before the swap removes the staging folder and leaves the previous site untouched;
a build killed while writing leaves its staging folder behind, and the next build deletes it.
An OSError (read-only or full disk, no permission) becomes a WriteError that says what to do.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from vibesite.site.render import RenderedSite


class WriteError(Exception):
    """The site could not be written; the message names the path and what to do."""


_OTHER_FOLDER = "choose another output folder with --output"
_ADVICE = {
    errno.ENOSPC: f"free some disk space, or {_OTHER_FOLDER}",
    errno.EDQUOT: f"free some disk space, or {_OTHER_FOLDER}",
    errno.EFBIG: f"the disk or a limit (ulimit -f) refuses files this large: raise the limit, "
                 f"or {_OTHER_FOLDER}",
    errno.EROFS: f"the disk holding {{folder}} is read-only: {_OTHER_FOLDER}",
    errno.EACCES: f"make sure {{folder}} is writable, or {_OTHER_FOLDER}",
    errno.EPERM: f"make sure {{folder}} is writable, or {_OTHER_FOLDER}",
    errno.ENOTDIR: f"a file stands where a folder is needed: move it, or {_OTHER_FOLDER}",
    errno.EEXIST: f"a file stands where a folder is needed: move it, or {_OTHER_FOLDER}",
}


def _write_error(exc: OSError, output: Path) -> WriteError:
    where = f" ({exc.filename})" if exc.filename and exc.filename != str(output) else ""
    advice = _ADVICE.get(exc.errno or 0, "check the output folder (--output, or output_dir in "
                                         "vibesite.toml)")
    return WriteError(f"cannot write the site to {output}: {exc.strerror or exc}{where}; "
                      f"{advice.format(folder=output.parent)}. Any previous site there is "
                      "unchanged.")


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
    """Write the site; return the number of files written (0 when it was already up to date).

    Raises WriteError, with the previous site intact, when the disk refuses the new one.
    """
    output = output.resolve()
    try:
        _delete_in_background(_leftovers(output))
        wanted = _wanted(site)
        if _unchanged(wanted, output):
            return 0
        output.parent.mkdir(parents=True, exist_ok=True)
        _write_and_swap(wanted, output)
    except OSError as exc:
        raise _write_error(exc, output) from exc
    return len(wanted)


def _write_and_swap(wanted: dict[str, bytes | Path], output: Path) -> None:
    # Unique per build: `serve` rebuilds in one process while the last old folder may still be
    # being deleted in the background.
    suffix = f"{os.getpid()}-{time.time_ns()}"
    staging = output.with_name(f".{output.name}.tmp-{suffix}")
    retired = output.with_name(f".{output.name}.old-{suffix}")
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
        _swap(staging, output, retired)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not output.exists():
            retired.rename(output)
        raise
    _delete_in_background(_leftovers(output))  # the site just retired, and any older one


def _swap(staging: Path, output: Path, retired: Path) -> None:
    """Make ``staging`` the output: never a moment without a site where the OS can help."""
    if output.exists() and _exchange(staging, output):
        # The new site is live; staging now holds the previous one. If it cannot be renamed,
        # the next build deletes it as a leftover: this build has succeeded either way.
        with contextlib.suppress(OSError):
            staging.rename(retired)
        return
    if output.exists():
        output.rename(retired)
    staging.rename(output)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _leftovers(output: Path) -> list[Path]:
    """Staging folders of builds that were killed (their process is gone), and old sites."""
    found = []
    for path in output.parent.glob(f".{glob.escape(output.name)}.*-*"):
        kind, _, suffix = path.name[len(output.name) + 2:].partition("-")
        pid = suffix.split("-", 1)[0]
        if not path.is_dir() or not pid.isdigit():
            continue
        if kind == "old" or (kind == "tmp" and not _running(int(pid))):
            found.append(path)
    return found


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process writes one site at a time: an older staging is stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
