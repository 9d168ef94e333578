// Ranking: the same math as vibesite/search/query.py, on plain data (no files, no page).
//
// In: per query term, its postings [{doc, tf, positions}, ...] (or null; positions ascending,
// or null for a term stored with counts only: ./lexicon.js); the docs' BM25 lengths; the
// manifest's BM25 parameters {k1, b, avgdl, proximity: {weight, window}}; the query's term
// pairs; per-doc scores; rankings.
// Out: BM25 scores with the phrase and proximity part (a Map doc -> score); rankings [{doc,
// score}], best first, ties broken by the lower doc number; the full result list of a search
// (fuseResults: the keyword and semantic scores combined, semantic-only docs under the floor
// left out) [{doc, score, lexicalRank, semanticRank}], or its first few and the total
// (fuseTop).

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

/** How many tokens apart, at most, the second term of a query pair may follow the first in a
 *  section (Python: proximity.PROXIMITY_WINDOW; the index's own is in its manifest). */
export const PROXIMITY_WINDOW = 3;

/** The neighbouring pairs of the query's stemmed terms (a term beside itself left out), each
 *  once, in first-occurrence order (Python: proximity.query_pairs). */
export function queryPairs(terms) {
  const seen = new Set();
  const pairs = [];
  for (let i = 0; i + 1 < terms.length; i += 1) {
    const [a, b] = [terms[i], terms[i + 1]];
    const key = JSON.stringify([a, b]);
    if (a !== b && !seen.has(key)) {
      seen.add(key);
      pairs.push([a, b]);
    }
  }
  return pairs;
}

/** Sum of 1 / gap over the positions p of `first` that have `second` after them, gap to the
 *  nearest later one, for gap <= window; both ascending (Python: proximity.proximity_tf). */
export function proximityTf(first, second, window = PROXIMITY_WINDOW) {
  let total = 0;
  let j = 0;
  for (const p of first) {
    while (j < second.length && second[j] <= p) j += 1;
    if (j === second.length) break;
    const gap = second[j] - p;
    if (gap <= window) total += 1 / gap;
  }
  return total;
}

/** BM25 of every doc in the postings ([{doc, tf, positions}, ...] or null) of the distinct query
 *  terms, the terms added in order, then phrase and proximity: for each pair [i, j] of indexes
 *  into postingsByTerm (queryPairs), in order, `proximity.weight` times a BM25 pseudo-term of
 *  frequency proximityTf and the rarer term's idf (Python: SiteSearch.lexical_scores).
 *  Map doc -> score. */
export function bm25Scores(postingsByTerm, doclen, count,
  { k1, b, avgdl, proximity, common }, pairs = []) {
  const scores = new Map();
  const idf = postingsByTerm.map((p) => (p && p.length ? bm25Idf(count, p.length) : null));
  postingsByTerm.forEach((postings, t) => {
    if (idf[t] === null) return;
    for (const { doc, tf } of postings) {
      const part = bm25Term(idf[t], tf, doclen[doc], avgdl, k1, b);
      scores.set(doc, (scores.get(doc) ?? 0) + part);
    }
  });
  const weight = proximity?.weight ?? 0;
  if (!weight) return matchedByEvidence(scores, postingsByTerm, count, common);
  for (const [i, j] of pairs) {
    if (idf[i] === null || idf[j] === null) continue;
    const pairIdf = Math.min(idf[i], idf[j]);
    const later = new Map(postingsByTerm[j].map((entry) => [entry.doc, entry]));
    for (const { doc, positions } of postingsByTerm[i]) {
      const other = later.get(doc);
      if (!other || positions === null || other.positions === null) continue;
      const tf = proximityTf(positions, other.positions, proximity.window);
      if (tf > 0) {
        scores.set(doc, scores.get(doc) + weight * bm25Term(pairIdf, tf, doclen[doc], avgdl,
          k1, b));
      }
    }
  }
  return matchedByEvidence(scores, postingsByTerm, count, common);
}

/** The scores of the docs holding a query term that is not common, when the query has one: a
 *  term in more than `common.share` of the `count` docs and at least `common.min_docs` of them
 *  ("how", "the") adds to a match's score but is no match by itself; all of them for a query of
 *  common terms alone, or when `common` is undefined (an index from before the rule). Python:
 *  query.matched_by_evidence. */
export function matchedByEvidence(scores, postingsByTerm, count, common) {
  if (common === undefined || common === null) return scores;
  const present = postingsByTerm.filter((p) => p && p.length);
  const evidence = present.filter((p) => !(p.length > common.share * count
    && p.length >= common.min_docs));
  if (!evidence.length || evidence.length === present.length) return scores;
  const matched = new Set();
  for (const postings of evidence) for (const { doc } of postings) matched.add(doc);
  for (const doc of [...scores.keys()]) if (!matched.has(doc)) scores.delete(doc);
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

/** The positions of the `limit` best of `scores` (score descending, then position ascending),
 *  best first: what sorting them all by byScoreThenDoc gives first, without sorting them all
 *  (10,000 docs: 5 ms a query to sort in the worker, on the critical path). Scores are read in
 *  position order, so a score equal to one kept never displaces it. null if a score is NaN
 *  (the sort's own order is then the reference). */
export function bestPositions(scores, limit) {
  const keep = Math.max(0, Math.min(limit, scores.length));
  const top = []; // positions, best first
  if (!keep) return top;
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i];
    if (Number.isNaN(score)) return null;
    if (top.length === keep) {
      if (!(score > scores[top[keep - 1]])) continue;
      top.pop();
    }
    let at = top.length;
    while (at > 0 && score > scores[top[at - 1]]) at--;
    top.splice(at, 0, i);
  }
  return top;
}

/** Every doc of a per-doc score array, best first, the first `limit`
 *  (Python: query.rank_array). */
export function rankAll(scores, limit) {
  const best = bestPositions(scores, limit);
  if (best) return best.map((doc) => ({ doc, score: scores[doc] }));
  const ranked = Array.from(scores, (score, doc) => ({ doc, score }));
  ranked.sort(byScoreThenDoc);
  return ranked.slice(0, limit);
}

/** Every result of a search (Python: SiteSearch.results), in doc order, unranked:
 *  [{doc, score, lexicalRank, semanticRank}]. `lexicalAll`: every keyword match [{doc, score}]
 *  in BM25 order; its part is score / the best score. `semantic`: null (keyword results alone,
 *  ranked by that part) or codes.js docScores {best, semantic} (with `top`, the first
 *  `candidates` docs by semantic score, when codes.js semanticScores already ranked them):
 *  each doc scores `fusion.alpha` times its keyword part (0 if none) plus 1 - alpha times its
 *  semantic score, and a doc no keyword matches is left out when its best passage is under
 *  `floor` (null: no floor).
 *  `lexicalRank`: the rank among the keyword matches; `semanticRank`: among the first
 *  `candidates` by semantic score, else null. */
function fusedEntries(lexicalAll, semantic, fusion, candidates, floor) {
  const top = lexicalAll.length ? lexicalAll[0].score : 1;
  const lexical = new Map(lexicalAll.map(({ doc, score }, i) => [doc,
    { part: score / top, rank: i + 1 }]));
  if (!semantic) {
    return lexicalAll.map(({ doc }) => ({
      doc, score: lexical.get(doc).part, lexicalRank: lexical.get(doc).rank, semanticRank: null,
    })).sort((a, b) => a.doc - b.doc);
  }
  const first = semantic.top ?? rankAll(semantic.semantic, candidates).map(({ doc }) => doc);
  const semanticRank = new Map(Array.from(first, (doc, i) => [doc, i + 1]));
  const { alpha } = fusion;
  const results = [];
  for (let doc = 0; doc < semantic.best.length; doc++) {
    const keyword = lexical.get(doc);
    if (!keyword && floor !== null && floor !== undefined && !(semantic.best[doc] >= floor)) {
      continue;
    }
    results.push({
      doc,
      score: alpha * (keyword ? keyword.part : 0) + (1 - alpha) * semantic.semantic[doc],
      lexicalRank: keyword ? keyword.rank : null,
      semanticRank: semanticRank.get(doc) ?? null,
    });
  }
  return results;
}

/** Every result of a search, best first (fusedEntries ranked; Python: SiteSearch.results). */
export function fuseResults(lexicalAll, semantic, fusion, candidates, floor) {
  return fusedEntries(lexicalAll, semantic, fusion, candidates, floor).sort(byScoreThenDoc);
}

/** The first `limit` of fuseResults and how many there are, {top, total}, without ranking
 *  them all. */
export function fuseTop(lexicalAll, semantic, fusion, candidates, floor, limit) {
  const all = fusedEntries(lexicalAll, semantic, fusion, candidates, floor);
  const best = bestPositions(all.map(({ score }) => score), limit); // all is in doc order
  const top = best ? best.map((at) => all[at]) : all.sort(byScoreThenDoc).slice(0, limit);
  return { top, total: all.length };
}
