// Ranking: the same math as vibesite/search/query.py, on plain data (no files, no page).
//
// In: per query term, its postings [{doc, tf, positions}, ...] (or null; positions ascending, or
// null for a term stored with counts only: ./lexicon.js); the docs' BM25 lengths; the manifest's BM25 parameters {k1, b, avgdl,
// proximity: {weight, window}}; the query's term pairs; per-doc scores; rankings.
// Out: BM25 scores with the phrase and proximity part (a Map doc -> score); rankings [{doc, score}], best first, ties broken by
// the lower doc number; the docs holding the whole query as a phrase; the reciprocal-rank
// fusion of the rankings [{doc, score, lexicalRank, semanticRank}];
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
export function bm25Scores(postingsByTerm, doclen, count, { k1, b, avgdl, proximity },
  pairs = []) {
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
  if (!weight) return scores;
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
  return scores;
}

/** The docs holding the query's terms (two or more; as indexes into postingsByTerm, in order,
 *  with repeats) one right after another: at some position p, term i at p + i for every i;
 *  a term stored without positions matches anywhere, if at least two words are placed;
 *  ascending (Python: proximity.phrase_docs). */
export function phraseDocs(postingsByTerm, termIndexes) {
  if (termIndexes.length < 2) return [];
  const distinct = [...new Set(termIndexes)];
  const byDoc = new Map(distinct.map((t) => [t,
    new Map((postingsByTerm[t] ?? []).map((entry) => [entry.doc, entry]))]));
  const docs = [...byDoc.get(distinct[0]).keys()].sort((a, b) => a - b);
  return docs.filter((doc) => {
    if (!distinct.every((t) => byDoc.get(t).has(doc))) return false;
    const placed = [];
    termIndexes.forEach((t, i) => {
      const { positions } = byDoc.get(t).get(doc);
      if (positions !== null) placed.push([i, new Set(positions)]);
    });
    if (placed.length < 2) return false;
    const [[i0, first], ...rest] = placed;
    return [...first].some((p) => rest.every(([i, at]) => at.has(p - i0 + i)));
  });
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

/** Reciprocal-rank fusion of the rankings ([{doc}], best first): sum of 1 / (k + rank), rank
 *  1-based, added lexical, semantic, then phrase; best first, ties broken by doc (Python:
 *  query.rrf_fuse([lexical, semantic, phrase], k)). */
export function rrfFuse(lexical, semantic, k, phrase = []) {
  const fused = new Map();
  const add = (ranking, key) => ranking.forEach(({ doc }, i) => {
    const entry = fused.get(doc) ?? { doc, score: 0, lexicalRank: null, semanticRank: null };
    entry.score += 1 / (k + i + 1);
    if (key) entry[key] = i + 1;
    fused.set(doc, entry);
  });
  add(lexical, "lexicalRank");
  add(semantic, "semanticRank");
  add(phrase, null);
  return [...fused.values()].sort(byScoreThenDoc);
}

/** Every result of a search (Python: SiteSearch.results): the RRF of the first `candidates`
 *  keyword matches, the semantic ranking and the first `candidates` keyword matches that hold
 *  the query as a phrase (`phrase: true`), leaving out docs that no keyword matches and
 *  whose semantic score is under `floor` (null: no floor), then the remaining keyword matches
 *  in BM25 order, each scored 1 / (k + its rank). `lexicalRank` is the rank among all keyword
 *  matches. [{doc, score, lexicalRank, semanticRank}], best first. */
export function fuseResults(lexicalAll, semantic, k, candidates, floor) {
  const lexicalRank = new Map(lexicalAll.map(({ doc }, i) => [doc, i + 1]));
  const phrase = lexicalAll.filter((hit) => hit.phrase).slice(0, candidates);
  const fused = rrfFuse(lexicalAll.slice(0, candidates), semantic, k, phrase);
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

