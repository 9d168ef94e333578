"""Build every third-party corpus in ../shared/corpora and print one summary table.

Usage: python bench/corpora.py [--corpora DIR] [--work DIR] [--only NAME ...]

Each corpus is built by the real CLI in its own process (``python -m vibesite build --content
CORPUS --output WORK/NAME/site``, run from ``WORK/NAME`` so its cache is
``WORK/NAME/.vibesite``: rerun with the same ``--work`` for warm builds; the first build of
the 40k-file corpus embeds for ~25 minutes on 2 cores). Prints, per corpus: Markdown files,
articles built, files written, warnings by code, exit status, tracebacks seen on stderr, wall
seconds and peak RSS of the build process. Exits 1 if any build crashed (a traceback, or an
exit status other than 0 and 1), else 0.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from _report import table  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_WORK = Path("/tmp/vibesite-corpora")
BUILT = re.compile(r"Built (\d+) articles, wrote (\d+|no) files")
DIAGNOSTIC = re.compile(r":\d+: (warning|error): .* \[([a-z0-9-]+)\]$")
LEFT_OUT = re.compile(r"\(left out: ([^)]*)\)")


def build(corpus: Path, work: Path) -> dict[str, object]:
    """One cold-or-warm build in a child process; what its output and exit say."""
    work.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "vibesite", "build", "--content", str(corpus),
               "--output", str(work / "site")]
    started = time.perf_counter()
    with open(work / "stdout.txt", "w") as out, open(work / "stderr.txt", "w") as err:
        child = subprocess.Popen(command, cwd=work, stdout=out, stderr=err,
                                 env={**os.environ, "PYTHONPATH": str(REPO)})
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS
    seconds = time.perf_counter() - started
    stdout, stderr = (work / "stdout.txt").read_text(), (work / "stderr.txt").read_text()
    built = BUILT.search(stdout)
    codes = Counter(m.group(2) if m.group(1) == "warning" else f"ERROR {m.group(2)}"
                    for line in stderr.splitlines() if (m := DIAGNOSTIC.search(line)))
    left_out = LEFT_OUT.search(stdout)
    return {
        "files": sum(1 for _ in corpus.rglob("*.md")),
        "articles": int(built.group(1)) if built else 0,
        "written": int(built.group(2)) if built and built.group(2) != "no" else 0,
        "left_out": left_out.group(1) if left_out else "",
        "warnings": codes, "rc": os.waitstatus_to_exitcode(status),
        "tracebacks": stderr.count("Traceback (most recent call last)"),
        "seconds": seconds,
        "rss_gb": usage.ru_maxrss / 1024 ** 2,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="one folder per corpus: its cache, site and build output")
    parser.add_argument("--only", nargs="*", help="corpus folder names (default: all)")
    args = parser.parse_args()
    names = args.only or sorted(p.name for p in args.corpora.iterdir() if p.is_dir())
    rows, crashed = [], False
    for name in names:
        print(f"building {name} ...", file=sys.stderr, flush=True)
        result = build(args.corpora / name, args.work / name)
        warnings = result["warnings"]
        assert isinstance(warnings, Counter)
        crashed |= bool(result["tracebacks"]) or result["rc"] not in (0, 1)
        rows.append([name, f"{result['files']:,}", f"{result['articles']:,}",
                     f"{result['written']:,}", str(result["left_out"]) or "-",
                     ", ".join(f"{code} {n}" for code, n in sorted(warnings.items())) or "0",
                     str(result["rc"]), str(result["tracebacks"]),
                     f"{result['seconds']:.1f}", f"{result['rss_gb']:.2f} GB"])
    print(table(["corpus", ".md files", "articles", "files written", "left out",
                 "warnings by code",
                 "exit", "tracebacks", "seconds", "peak RSS"], rows))
    print(f"\nbuild output: {args.work}/<corpus>/stdout.txt, stderr.txt")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
