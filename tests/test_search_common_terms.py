"""A word most pages hold ("how", "to": more than half of them, and at least 64) adds to a
match's score but matches no page by itself, when the query has a rarer word: "how to rename a
branch" lists the pages about renaming or branches, not every page that says "how to"
(``query.matched_by_evidence``; the browser's ``rank.js`` matchedByEvidence has its own test in
tests/js/rank.test.mjs). A small site has no such words."""

from __future__ import annotations

from typing import Any

from _sitebuild import build_quiet

from vibesite.search.lexicon import Posting
from vibesite.search.query import SiteSearch, matched_by_evidence

CHORES = {f"chore-{i}.md": f"# Chore {i}\n\nHow to do chore number {i} with a tool.\n"
          for i in range(66)}
PAGES = {
    "rename.md": "# Renaming a branch\n\nHow to give a branch another name with git branch -m.\n",
    "stash.md": "# Stashing\n\nHow to put changes aside for later and how to get them back.\n",
    "listing.md": "# Tags\n\nHow to list the tags of a repository.\n",
    "remote.md": "# Remotes\n\nA remote is another copy of the repository.\n",
}


def test_pages_holding_only_common_words_are_no_match(make_site: Any, fake_embedder: Any
                                                       ) -> None:
    config = make_site({**PAGES, **CHORES})
    build_quiet(config, fake_embedder)
    search = SiteSearch.load(config.output_dir)
    assert search.manifest["lexical"]["common"] == {"share": 0.5, "min_docs": 64}
    found = search.results("how to rename a branch", limit=10, semantic=False)
    assert [hit.url for hit in found.hits] == ["rename/"] and found.total == 1
    # "how" and "to" are on 69 of the 70 pages: alone they match as before
    assert search.results("how to", semantic=False).total == 69
    # "list" and "repository" are rare: evidence, with "how" adding to the score
    both = search.results("how to list a repository", limit=10, semantic=False)
    assert {hit.url for hit in both.hits} == {"listing/", "remote/"} and both.total == 2
    assert both.hits[0].url == "listing/"  # "how" and "list" are on it too
    # an index from before the rule (no "common" in its manifest): every page holds "how",
    # "to" or "a", so every page was a result
    older = dict(search.manifest, lexical={k: v for k, v in search.manifest["lexical"].items()
                                           if k != "common"})
    assert SiteSearch(search.site_dir, older).results(
        "how to rename a branch", semantic=False).total == 70


def test_matched_by_evidence_keeps_scores_as_they_were() -> None:
    common = [Posting(0, 1, None), Posting(1, 1, None), Posting(2, 1, None)]
    rare = [Posting(2, 1, None)]
    scores = {0: 0.5, 1: 0.5, 2: 2.5}
    rule = {"share": 0.5, "min_docs": 3}
    assert matched_by_evidence(scores, {"how": common, "branch": rare}, 4, rule) == {2: 2.5}
    assert matched_by_evidence(scores, {"how": common, "zzz": []}, 4, rule) == scores
    assert matched_by_evidence(scores, {"how": common, "branch": rare}, 4, None) == scores
    # 3 of 4 docs is more than half, but under min_docs: a small site's words all count
    small = {"share": 0.5, "min_docs": 64}
    assert matched_by_evidence(scores, {"how": common, "branch": rare}, 4, small) == scores
