"""What `vibesite ask` hands the model, on BEIR SciFact: recall of the passages in its prompt.

Usage: python bench/ask.py [--data DIR] [--cache DIR] [--site DIR] [-n 5] [--budget 3000]

Builds SciFact's 5,183 abstracts as ``bench/search_quality.py`` does (embeddings in ``--cache``,
so a rerun is warm; ``--site`` keeps the built site too, else a temporary folder), then for each
of the 300 test queries retrieves the passages ``vibesite ask`` would put in its prompt
(``vibesite.search.passages.retrieve``, default ``-n`` and ``--budget``) with the hybrid ranking
and with keyword-only ranking. With the ``llm-echo`` plugin installed, the hybrid prompts are
also sent to its ``echo`` model and the articles are read back from the prompt the model
received. Prints, per ranking: recall@n as the issue defines it (the share of queries with a
relevant abstract among the passages), BEIR recall@n (the share of relevant abstracts found),
passages and estimated tokens per prompt, and retrieval time per question.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _report import table  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import search_quality  # noqa: E402

from vibesite.commands.ask import INSTRUCTION, build_prompt  # noqa: E402
from vibesite.embeddings.store import EmbeddingStore  # noqa: E402
from vibesite.search.index import MANIFEST  # noqa: E402
from vibesite.search.passages import Passage, estimate_tokens, retrieve  # noqa: E402
from vibesite.search.query import SiteSearch  # noqa: E402

Qrels = dict[str, dict[str, int]]
PROMPT_URL = re.compile(r"^/d/([^/#\s]+)/", re.M)  # the URL line of each prompt entry


def recalls(found: dict[str, list[str]], qrels: Qrels) -> tuple[float, float]:
    """(share of queries with a relevant doc among ``found``, mean share of relevant docs)."""
    hit, share = [], []
    for qid, rels in qrels.items():
        relevant = {d for d, r in rels.items() if r > 0}
        got = relevant & set(found.get(qid, []))
        hit.append(1.0 if got else 0.0)
        share.append(len(got) / len(relevant))
    return statistics.fmean(hit), statistics.fmean(share)


def echo_model() -> object | None:
    try:
        import llm

        return llm.get_model("echo")
    except Exception:  # llm or llm-echo not installed
        return None


def run(search: SiteSearch, store: EmbeddingStore, queries: dict[str, str], limit: int,
        budget: int, semantic: bool) -> tuple[dict[str, list[Passage]], list[float]]:
    passages, seconds = {}, []
    for qid, text in queries.items():
        started = time.perf_counter()
        passages[qid] = retrieve(search, store, text, limit, budget, semantic=semantic)
        seconds.append(time.perf_counter() - started)
    return passages, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=search_quality.DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=search_quality.DEFAULT_CACHE,
                        help="vibesite cache_dir (embeddings, ONNX export), kept between runs")
    parser.add_argument("--site", type=Path, help="keep the built site here (reused if built)")
    parser.add_argument("-n", "--limit", type=int, default=5, help="passages per prompt")
    parser.add_argument("--budget", type=int, default=3000, help="estimated tokens per prompt")
    args = parser.parse_args()
    corpus, queries, qrels = search_quality.load_data(args.data)
    print(f"SciFact: {len(corpus)} abstracts, {len(queries)} test queries")
    args.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vibesite-ask-") as tmp:
        work = args.site or Path(tmp)
        site = work / "site"
        if not (site / MANIFEST).is_file():
            work.mkdir(parents=True, exist_ok=True)
            site = search_quality.build_site(corpus, work, args.cache.resolve())
        search = SiteSearch.load(site)
        with EmbeddingStore.existing(args.cache / "embeddings.db") as store:
            results = {
                "hybrid (vibesite ask)": run(search, store, queries, args.limit, args.budget,
                                             semantic=True),
                "keyword only (--keyword-only)": run(search, store, queries, args.limit,
                                                     args.budget, semantic=False),
            }
    rows = []
    for name, (passages, seconds) in results.items():
        found = {q: [p.id.removeprefix("d/") for p in ps] for q, ps in passages.items()}
        hit, share = recalls(found, qrels)
        tokens = [sum(estimate_tokens(p.text) for p in ps) for ps in passages.values()]
        rows.append([name, f"{hit:.4f}", f"{share:.4f}",
                     f"{statistics.fmean(len(ps) for ps in passages.values()):.2f}",
                     f"{statistics.fmean(tokens):.0f}",
                     f"{statistics.median(seconds) * 1000:.1f}"])
    n = args.limit
    print(f"\nPassages handed to the model (-n {n}, --budget {args.budget}):\n" + table(
        ["retrieval", f"recall@{n} (any relevant)", f"recall@{n} (BEIR)", "passages",
         "passage tokens", "ms/question p50"], rows))
    model = echo_model()
    if model is None:
        print("\n(llm-echo not installed: prompts not sent to a model)")
        return 0
    hybrid = results["hybrid (vibesite ask)"][0]
    received: dict[str, list[str]] = {}
    for qid, passages in hybrid.items():
        prompt = build_prompt("SciFact", queries[qid], passages)
        echoed = json.loads(model.prompt(prompt, system=INSTRUCTION).text())  # type: ignore[attr-defined]
        received[qid] = PROMPT_URL.findall(echoed["prompt"])
    hit, share = recalls(received, qrels)
    same = sum(received[q] == [p.id.removeprefix("d/") for p in hybrid[q]] for q in hybrid)
    print(f"\nRead back from the prompts the echo model received: recall@{n} (any relevant) "
          f"{hit:.4f}, BEIR {share:.4f}; article lists identical to retrieve()'s in "
          f"{same}/{len(hybrid)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
