"""Lighthouse's four scores (performance, accessibility, best practices, SEO) for the page types
of built sites, in Debian's Chromium, offline.

Usage: python bench/lighthouse.py SITE_DIR [SITE_DIR ...] [--article ID] [--pages home,article,...]
       [--gzip] [--runs N] [--reports DIR]

Each SITE_DIR is a site built by vibesite. Build it with the address it will be served at, so
that canonical links and robots.txt are what a real deployment has, for example
``vibesite build --output /tmp/demo --base-url http://127.0.0.1:8741/``: the site is served
from 127.0.0.1 on the port its home page's canonical link names (any free port when there is
none). Pages: home, article (``--article``, else the longest article), topics, map, search (with
``?q=`` the article's first title word). Lighthouse is the npm package: ``npm install --no-save
lighthouse@12`` here, or ``VIBESITE_LIGHTHOUSE`` naming its ``cli/index.js``; Chromium is
``/usr/bin/chromium`` or ``VIBESITE_CHROMIUM``. Mobile form factor, simulated throttling
(Lighthouse's defaults). ``--gzip`` serves text files gzip-compressed, as GitHub Pages does
(Python's http.server sends them raw: the TIL map page is 382 kB raw, 83 kB gzip). Goal
(issue 14): >= 95 in every category on every page.

Scores, performance above all, depend on the machine's load: ``--runs N`` (default 3) runs
each page N times and prints the median with the range (``95 (91-97)``), the largest
contentful paint's median in seconds, the total blocking time's median and range in ms, and
the load average before and after.

Prints a table per site and the failing audits of each page's median run; exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "tests", REPO / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from _report import table  # noqa: E402
from browser import CHROMIUM_ARGS, chromium_path, serve  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = ("home", "article", "topics", "map", "search")


def lighthouse_cli() -> Path:
    named = os.environ.get("VIBESITE_LIGHTHOUSE")
    path = Path(named) if named else REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not path.is_file():
        sys.exit(f"no Lighthouse at {path}: npm install --no-save lighthouse@12, "
                 "or set VIBESITE_LIGHTHOUSE to its cli/index.js")
    return path


def served_port(site: Path) -> int:
    """The port of the home page's canonical link when it is on 127.0.0.1, else 0 (any)."""
    home = (site / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<link rel="canonical" href="http://127\.0\.0\.1:(\d+)/', home)
    return int(found.group(1)) if found else 0


def longest_article(site: Path) -> str:
    ids = json.loads((site / "related.json").read_text(encoding="utf-8"))
    return max(ids, key=lambda i: ((site / i / "index.html").stat().st_size, i))


def page_paths(site: Path, article: str | None) -> dict[str, str]:
    article = article or longest_article(site)
    title = re.search(r'<h1 class="post-title">([^<]*)',
                      (site / article / "index.html").read_text(encoding="utf-8"))
    word = re.findall(r"\w+", title.group(1) if title else "")
    return {"home": "", "article": f"{article}/", "topics": "topics/", "map": "map/",
            "search": f"search/?q={word[0] if word else 'the'}"}


def run_lighthouse(cli: Path, url: str, out: Path) -> dict[str, object]:
    flags = " ".join(a for a in CHROMIUM_ARGS if a != "--headless") + " --headless=new"
    subprocess.run(["node", str(cli), url, "--quiet", "--output=json", f"--output-path={out}",
                    f"--chrome-path={chromium_path()}", f"--chrome-flags={flags}",
                    "--only-categories=" + ",".join(CATEGORIES)],
                   check=True, timeout=300,
                   env={**os.environ, "CHROME_PATH": chromium_path() or ""})
    return json.loads(out.read_text(encoding="utf-8"))


def failing_audits(report: dict) -> list[str]:
    audits = report["audits"]
    out = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 0.9:
                out.append(f"{category}: {ref['id']} ({audit['score']:.2f}) {audit['title']}"
                           + (f" = {audit['displayValue']}" if audit.get("displayValue") else ""))
    return out


def spread(values: list[int]) -> str:
    """The median, with the range when the runs differ: ``95 (91-97)``."""
    median = round(statistics.median(values))
    return str(median) if min(values) == max(values) else f"{median} ({min(values)}-{max(values)})"


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def bench_site(cli: Path, site: Path, article: str | None, pages: list[str],
               compress: bool = False, runs: int = 3, keep: Path | None = None) -> None:
    paths = page_paths(site, article)
    rows, notes = [], []
    load_before = load_average()
    with (serve(site, port=served_port(site), compress=compress) as base,
          tempfile.TemporaryDirectory() as tmp):
        folder = keep / site.name if keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in pages:
            reports = [run_lighthouse(cli, base + paths[name], folder / f"{name}-{run}.json")
                       for run in range(runs)]
            scores = [[round(100 * (r["categories"][c]["score"] or 0)) for r in reports]
                      for c in CATEGORIES]
            lcp = statistics.median(r["audits"]["largest-contentful-paint"]["numericValue"]
                                    for r in reports) / 1000
            tbt = [round(r["audits"]["total-blocking-time"]["numericValue"]) for r in reports]
            rows.append([f"{name} ({paths[name] or '/'})", *map(spread, scores), f"{lcp:.1f}",
                         spread(tbt)])
            ranked = sorted(reports, key=lambda r: r["categories"]["performance"]["score"] or 0)
            notes += [f"  {name}: {line}" for line in failing_audits(ranked[len(ranked) // 2])]
    print(f"\n{site}" + (" (text files gzip-compressed, as GitHub Pages sends them)"
                          if compress else "")
          + f"\n{runs} run(s) per page; load average (1, 5, 15 min) {load_before} before, "
          f"{load_average()} after")
    print(table(["page", *CATEGORIES, "LCP s", "TBT ms"], rows))
    if notes:
        print("audits under 0.9 (median run):\n" + "\n".join(notes))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sites", nargs="+", type=Path)
    parser.add_argument("--article", help="the article's id (default: the longest page)")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--gzip", action="store_true",
                        help="send text files gzip-compressed, as GitHub Pages does")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (median, range)")
    parser.add_argument("--reports", type=Path,
                        help="keep Lighthouse's JSON reports here (SITE_NAME/PAGE-RUN.json)")
    args = parser.parse_args()
    cli = lighthouse_cli()
    for site in args.sites:
        bench_site(cli, site, args.article, args.pages.split(","), args.gzip, args.runs,
                   args.reports)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
