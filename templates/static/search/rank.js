// Ranking: the same math as vibesite/search/query.py, on plain data (no files, no page).
//
// In: per query term, its postings [[doc, tf], ...] (or null); the docs' BM25 lengths; the
// manifest's BM25 parameters {k1, b, avgdl}; per-doc scores; rankings.
// Out: BM25 scores (a Map doc -> score); rankings [{doc, score}], best first, ties broken by
// the lower doc number; their reciprocal-rank fusion [{doc, score, lexicalRank, semanticRank}];
// the full result list of a search (fuseResults), semantic-only docs under the floor left out.

/** Sort order of every ranking: score descending, then doc ascending. */
export const byScoreThenDoc = (a, b) => (b.score - a.score) || (a.doc - b.doc);

/** BM25 idf of a term found in `df` of `count` docs (Python: query.bm25_idf). */
export function bm25Idf(count, df) {
  return Math.log(1 + (count - df + 0.5) / (df + 0.5));
}

/** One term's BM25 contribution to one doc (Python: query.bm25_term, same evaluation order). */
export function bm25Term(idf, tf, dl, avgdl, k1, b) {
  return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl));
}

/** BM25 of every doc in the postings of the (distinct) terms: Map doc -> score, the terms
 *  added in order. */
export function bm25Scores(postingsByTerm, doclen, count, { k1, b, avgdl }) {
  const scores = new Map();
  for (const postings of postingsByTerm) {
    if (!postings || postings.length === 0) continue;
    const idf = bm25Idf(count, postings.length);
    for (const [doc, tf] of postings) {
      scores.set(doc, (scores.get(doc) ?? 0) + bm25Term(idf, tf, doclen[doc], avgdl, k1, b));
    }
  }
  return scores;
}

/** The docs of a Map doc -> score with score > 0, best first, the first `limit`
 *  (Python: query.rank_scores). */
export function rankPositive(scores, limit) {
  const ranked = [];
  for (const [doc, score] of scores) if (score > 0) ranked.push({ doc, score });
  ranked.sort(byScoreThenDoc);
  return ranked.slice(0, limit);
}

/** Every doc of a per-doc score array, best first, the first `limit`
 *  (Python: query.rank_array). */
export function rankAll(scores, limit) {
  const ranked = Array.from(scores, (score, doc) => ({ doc, score }));
  ranked.sort(byScoreThenDoc);
  return ranked.slice(0, limit);
}

/** Reciprocal-rank fusion of two rankings ([{doc}], best first): sum of 1 / (k + rank), rank
 *  1-based; best first, ties broken by doc (Python: query.rrf_fuse([lexical, semantic], k)). */
export function rrfFuse(lexical, semantic, k) {
  const fused = new Map();
  const add = (ranking, key) => ranking.forEach(({ doc }, i) => {
    const entry = fused.get(doc) ?? { doc, score: 0, lexicalRank: null, semanticRank: null };
    entry.score += 1 / (k + i + 1);
    entry[key] = i + 1;
    fused.set(doc, entry);
  });
  add(lexical, "lexicalRank");
  add(semantic, "semanticRank");
  return [...fused.values()].sort(byScoreThenDoc);
}

/** Every result of a search (Python: SiteSearch.results): the RRF of the first `candidates`
 *  keyword matches and the semantic ranking, leaving out docs that no keyword matches and
 *  whose semantic score is under `floor` (null: no floor), then the remaining keyword matches
 *  in BM25 order, each scored 1 / (k + its rank). `lexicalRank` is the rank among all keyword
 *  matches. [{doc, score, lexicalRank, semanticRank}], best first. */
export function fuseResults(lexicalAll, semantic, k, candidates, floor) {
  const lexicalRank = new Map(lexicalAll.map(({ doc }, i) => [doc, i + 1]));
  const fused = rrfFuse(lexicalAll.slice(0, candidates), semantic, k);
  const semanticScore = new Map(semantic.map(({ doc, score }) => [doc, score]));
  const results = fused.filter(({ doc }) => lexicalRank.has(doc)
    || floor === null || floor === undefined || semanticScore.get(doc) >= floor);
  for (const entry of results) entry.lexicalRank = lexicalRank.get(entry.doc) ?? null;
  const listed = new Set(results.map(({ doc }) => doc));
  lexicalAll.slice(candidates).forEach(({ doc }, i) => {
    if (!listed.has(doc)) {
      const rank = candidates + i + 1;
      results.push({ doc, score: 1 / (k + rank), lexicalRank: rank, semanticRank: null });
    }
  });
  return results;
}

