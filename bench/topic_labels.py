"""Topic labels a reader can tell apart: duplicate labels of built sites, per level and across.

Usage: python bench/topic_labels.py SITE [SITE ...]

SITE is a built site's output folder (it holds ``topics.json``), optionally written
``NAME=FOLDER``. To build the four corpora of ../shared/corpora from warm caches:

    cp -a /tmp/cb/<corpus> /tmp/labels-<corpus> && cd /tmp/labels-<corpus> &&
    vibesite build --content ../shared/corpora/<corpus> --output site

(the cache is ``.vibesite`` beside the config, the working folder when there is none).

Prints per site the fine and broad topics, how many labels two or more topics share (fine
with fine, broad with broad, a fine one with a broad one; letter case ignored), every shared
label with its topics, the labels longer than four words, those that end in a number, and the
pairs of map labels of one level that overlap.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from vibesite.site.map_svg import label_overlaps  # noqa: E402

MAX_WORDS = 4


def _key(label: str) -> str:
    return " ".join(label.casefold().split())


def shared(topics: Sequence[tuple[int, str, str, str]]) -> tuple[dict[str, int], list[
        tuple[str, list[tuple[int, str, str, str]]]]]:
    """Labels two or more topics share, from (level, label, slug, parent) per topic: the
    counts fine/fine, broad/broad and fine/broad, and each shared label with its topics."""
    by_label: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    for topic in topics:
        by_label[_key(topic[1])].append(topic)
    counts = {"fine-fine": 0, "broad-broad": 0, "fine-broad": 0}
    found = []
    for key, holders in sorted(by_label.items()):
        levels = [t[0] for t in holders]
        counts["fine-fine"] += levels.count(2) > 1
        counts["broad-broad"] += levels.count(1) > 1
        counts["fine-broad"] += 1 in levels and 2 in levels
        if len(holders) > 1:
            found.append((key, holders))
    return counts, found


def report(name: str, site: Path) -> dict[str, int]:
    data = json.loads((site / "topics.json").read_text(encoding="utf-8"))
    topics = [(1, t["name"], t["slug"], "") for t in data.get("broad", [])]
    topics += [(2, t["name"], t["slug"], t.get("parent", "")) for t in data["topics"]]
    counts, found = shared(topics)
    labels = [t[1] for t in topics]
    long = [x for x in labels if len(x.replace(":", " ").split()) > MAX_WORDS]
    numbered = [x for x in labels if re.search(r"\d\)?$", x)]
    fine = sum(t[0] == 2 for t in topics)
    page = site / "map" / "index.html"
    svg = re.search(r"<svg\b.*?</svg>", page.read_text(encoding="utf-8"), re.S)
    overlaps = label_overlaps(svg.group(0)) if svg else {}
    print(f"{name}: {fine} fine, {len(topics) - fine} broad topics; labels shared "
          f"fine/fine {counts['fine-fine']}, broad/broad {counts['broad-broad']}, "
          f"fine/broad {counts['fine-broad']}; over {MAX_WORDS} words {len(long)}, "
          f"ending in a number {len(numbered)}; map label overlaps per level {overlaps}")
    for key, holders in found:
        print(f"  '{key}': " + ", ".join(f"{'broad' if lv == 1 else 'fine'} {slug}"
                                         + (f" (in {p})" if p else "")
                                         for lv, _, slug, p in holders))
    for label in long:
        print(f"  long: {label}")
    for label in numbered:
        print(f"  numbered: {label}")
    return {**counts, "long": len(long), "numbered": len(numbered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sites", nargs="+", help="output folder, or NAME=FOLDER")
    args = parser.parse_args()
    total: dict[str, int] = defaultdict(int)
    for arg in args.sites:
        name, _, folder = arg.rpartition("=")
        path = Path(folder)
        for key, value in report(name or path.parent.name, path).items():
            total[key] += value
    print("all: " + ", ".join(f"{k} {v}" for k, v in total.items()))


if __name__ == "__main__":
    main()
