"""Search a reader can trust: does nonsense find nothing, and do real queries still find?

Usage: python bench/search_trust.py SITE_DIR [SITE_DIR ...] [--queries N] [--seed S]

Each SITE_DIR is a site built by vibesite with semantic search (for example the demo in
``site/`` and ``vibesite build --content ../shared/corpora/jbranchaud-til --output /tmp/til``).
Through ``vibesite.search.query.SiteSearch`` (the browser's ranking, the site's own ONNX query
encoder and its manifest's calibrated ``semantic_floor``), prints per site:

- the floor, and the share of N random-letter queries with no results (goal >= 98%); the
  queries come from another seed than the build's calibration, and have 1 to 3 "words";
- for every article title used as the query: the share with at least one result (it should be
  all of them), with the page first, and in the top 3, and the MRR@10; beside the same
  figures with keyword ranking alone (BM25), so the floor is seen not to cost real queries.

Prints a report; exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from vibesite.search.query import SiteSearch  # noqa: E402


def random_queries(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join("".join(rng.choice(string.ascii_lowercase)
                             for _ in range(rng.randint(3, 12)))
                     for _ in range(rng.randint(1, 3)))
            for _ in range(count)]


def title_figures(search: SiteSearch, semantic: bool) -> dict[str, float]:
    found = first = top3 = 0
    reciprocal = 0.0
    count = search.count
    for doc in range(count):
        record = search._doc(doc)
        hits = search.search(record["title"], limit=10, semantic=semantic)
        urls = [h.url for h in hits]
        found += bool(hits)
        if record["url"] in urls:
            rank = urls.index(record["url"]) + 1
            first += rank == 1
            top3 += rank <= 3
            reciprocal += 1 / rank
    return {"any": found / count, "first": first / count, "top3": top3 / count,
            "mrr": reciprocal / count}


def report(site: Path, queries: int, seed: int) -> None:
    search = SiteSearch.load(site)
    started = time.perf_counter()
    floor = search.manifest.get("semantic_floor")
    nonsense = random_queries(queries, seed)
    empty = sum(1 for q in nonsense if not search.search(q, limit=10))
    hybrid = title_figures(search, semantic=True)
    keyword = title_figures(search, semantic=False)
    print(f"\n{site}  ({search.count} articles, semantic_floor {floor})")
    print(f"  random-letter queries with no results: {empty}/{len(nonsense)} "
          f"({100 * empty / len(nonsense):.1f}%; goal >= 98%)")
    print("  article titles as queries     any result   first    top 3   MRR@10")
    for name, figures in (("hybrid (shipped)", hybrid), ("keyword only (BM25)", keyword)):
        print(f"    {name:26s} {figures['any']:10.3f} {figures['first']:8.3f} "
              f"{figures['top3']:8.3f} {figures['mrr']:8.3f}")
    print(f"  ({time.perf_counter() - started:.1f}s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", type=Path, nargs="+")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for site in args.sites:
        report(site, args.queries, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
