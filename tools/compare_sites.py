"""Compare two built sites file by file: are they byte-identical, and if not, where?

Usage: python tools/compare_sites.py BEFORE_SITE AFTER_SITE [BEFORE AFTER ...] [--show N]
           [--skip GLOB ...] [--ignore REGEX]

Takes pairs of output folders (e.g. one corpus built by two commits, with the same cache
folder so no embedding is recomputed) and prints, per pair: files compared, files only in
one, files that differ (the first N of each, with the first differing line for text files).
Exits 0 when every pair is byte-identical, 1 otherwise. ``--skip`` leaves out the paths that
match a glob (e.g. ``'static/search/*'``), ``--ignore`` removes what a regular expression
matches from both sides before comparing (e.g. the lines that link a changed script), so a
change expected to touch only those is shown to touch nothing else.

To compare two commits on every corpus (the embeddings cache is shared, so the second build
is warm and only the code differs)::

    git worktree add /tmp/before REV
    (cd /tmp/before && python bench/corpora.py --work /tmp/cmp)     # builds /tmp/cmp/*/site
    for s in /tmp/cmp/*/site; do mv "$s" "$s.before"; done
    python bench/corpora.py --work /tmp/cmp                          # this checkout
    python tools/compare_sites.py $(for s in /tmp/cmp/*/site; do echo "$s.before $s"; done)
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import sys
from pathlib import Path


def files_of(root: Path, skip: list[str]) -> dict[str, Path]:
    found = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    return {rel: p for rel, p in found.items() if not any(fnmatch.fnmatch(rel, g) for g in skip)}


def first_difference(a: bytes, b: bytes) -> str:
    """Where two files part: the line number and both lines, for text; else the byte offset."""
    try:
        left, right = a.decode().splitlines(), b.decode().splitlines()
    except UnicodeDecodeError:
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                  min(len(a), len(b)))
        return f"binary, {len(a)} vs {len(b)} bytes, first difference at byte {at}"
    for number, (x, y) in enumerate(zip(left, right, strict=False), 1):
        if x != y:
            return f"line {number}: {x[:160]!r} vs {y[:160]!r}"
    return f"{len(left)} vs {len(right)} lines"


def compare(before: Path, after: Path, show: int, skip: list[str],
            ignore: re.Pattern[bytes] | None) -> bool:
    old, new = files_of(before, skip), files_of(after, skip)
    only_old = sorted(set(old) - set(new))
    only_new = sorted(set(new) - set(old))

    def read(path: Path) -> bytes:
        data = path.read_bytes()
        return ignore.sub(b"", data) if ignore is not None else data

    changed = [p for p in sorted(set(old) & set(new)) if read(old[p]) != read(new[p])]
    same = not (only_old or only_new or changed)
    print(f"{before} -> {after}: {len(set(old) & set(new)):,} files in both, "
          f"{len(only_old)} only before, {len(only_new)} only after, {len(changed)} differ"
          f"{' (byte-identical)' if same else ''}")
    for label, paths in (("only before", only_old), ("only after", only_new)):
        for path in paths[:show]:
            print(f"  {label}: {path}")
    for path in changed[:show]:
        where = first_difference(read(old[path]), read(new[path]))
        print(f"  differs: {path}: {where}")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="BEFORE AFTER pairs")
    parser.add_argument("--show", type=int, default=10, help="paths listed per kind (default 10)")
    parser.add_argument("--skip", action="append", default=[], metavar="GLOB",
                        help="leave out the site paths that match (repeatable)")
    parser.add_argument("--ignore", metavar="REGEX",
                        help="remove what this matches from both sides before comparing")
    args = parser.parse_args()
    if len(args.folders) % 2:
        parser.error("give the folders in BEFORE AFTER pairs")
    pairs = zip(args.folders[::2], args.folders[1::2], strict=True)
    ignore = re.compile(args.ignore.encode()) if args.ignore else None
    results = [compare(before, after, args.show, args.skip, ignore) for before, after in pairs]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
