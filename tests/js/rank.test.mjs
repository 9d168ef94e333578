// templates/static/search/rank.js against vibesite/search/query.py (fixtures/rank.json)
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  bm25Idf, bm25Scores, bm25Term, byScoreThenDoc, matchedByEvidence, proximityTf, queryPairs,
  bestPositions, fuseResults, fuseTop, rankAll, rankPositive,
} from "../../templates/static/search/rank.js";
import { assertClose, fixture } from "./helpers.mjs";

const expected = fixture("rank.json");

test("bm25Idf() is Python's bm25_idf (to the last few bits of Math.log)", () => {
  assert.ok(expected.idf.length >= 5);
  for (const { count, df, idf } of expected.idf) {
    assertClose([bm25Idf(count, df)], [idf], 1e-15, `idf(${count}, ${df})`);
  }
  assert.ok(bm25Idf(10, 10) > 0); // a term in every doc still counts a little
});

test("bm25Term() is Python's bm25_term, bit for bit (same evaluation order)", () => {
  assert.ok(expected.terms.length >= 20);
  for (const { idf, tf, dl, avgdl, k1, b, value } of expected.terms) {
    assert.equal(bm25Term(idf, tf, dl, avgdl, k1, b), value, JSON.stringify({ tf, dl, k1, b }));
  }
});

test("bm25Scores() adds each term's contribution per doc, skipping terms with no postings", () => {
  const doclen = Uint32Array.from([10, 20, 5]);
  const params = { k1: 1.2, b: 0.75, avgdl: 11.6667 };
  const at = (doc, ...positions) => ({ doc, tf: positions.length, positions });
  const scores = bm25Scores([[at(0, 2, 7), at(2, 1)], null, [], [at(2, 0, 1, 2)]], doclen, 3,
    params);
  assert.deepEqual([...scores.keys()], [0, 2]);
  const idf1 = bm25Idf(3, 2);
  const idf2 = bm25Idf(3, 1);
  assert.equal(scores.get(0), bm25Term(idf1, 2, 10, 11.6667, 1.2, 0.75));
  assert.equal(scores.get(2), bm25Term(idf1, 1, 5, 11.6667, 1.2, 0.75)
    + bm25Term(idf2, 3, 5, 11.6667, 1.2, 0.75));
});

test("bm25Scores() adds weight x a BM25 pseudo-term per query pair found in order, nearby", () => {
  const doclen = Uint32Array.from([6, 6]);
  const proximity = { weight: 0.5, window: 3 };
  const params = { k1: 1.2, b: 0.75, avgdl: 6, proximity };
  // doc 0: "a b ...": a at 0, b at 1; doc 1: "b ... a": b at 0, a at 4 (the wrong order)
  const at = (doc, position) => ({ doc, tf: 1, positions: [position] });
  const postings = [[at(0, 0), at(1, 4)], [at(0, 1), at(1, 0)], [at(1, 2)]];
  const plain = bm25Scores(postings, doclen, 3, { ...params, proximity: { weight: 0, window: 3 } },
    [[0, 1]]);
  assert.equal(plain.get(0), plain.get(1) - bm25Term(bm25Idf(3, 1), 1, 6, 6, 1.2, 0.75));
  const scores = bm25Scores(postings, doclen, 3, params, [[0, 1], [2, 0]]);
  const idf = bm25Idf(3, 2);
  assert.equal(scores.get(0), plain.get(0) + 0.5 * bm25Term(idf, 1, 6, 6, 1.2, 0.75));
  // doc 1: the pair (2, 0): term 2 at 2, term 0 at 4: a gap of 2, counted 1/2, the rarer idf
  assert.equal(scores.get(1), plain.get(1)
    + 0.5 * bm25Term(Math.min(bm25Idf(3, 1), idf), 0.5, 6, 6, 1.2, 0.75));
  assert.deepEqual(bm25Scores(postings, doclen, 3, { k1: 1.2, b: 0.75, avgdl: 6 }, [[0, 1]]),
    plain); // an index without proximity in its manifest: plain BM25
});

test("bm25Scores() leaves out docs holding only terms most docs hold, when a rarer one is asked", () => {
  const doclen = Uint32Array.from([4, 4, 4, 4]);
  const common = { share: 0.5, min_docs: 3 };
  const params = { k1: 1.2, b: 0.75, avgdl: 4, common };
  const at = (doc) => ({ doc, tf: 1, positions: [0] });
  const how = [at(0), at(1), at(2)]; // 3 of 4 docs: common
  const branch = [at(2), at(3)]; // 2 of 4: at most half, evidence
  const scores = bm25Scores([how, branch], doclen, 4, params);
  assert.deepEqual([...scores.keys()].sort(), [2, 3]);
  const all = bm25Scores([how, branch], doclen, 4, { ...params, common: undefined });
  assert.equal(scores.get(2), all.get(2)); // the common term still adds to a match's score
  assert.deepEqual([...bm25Scores([how, null], doclen, 4, params).keys()], [0, 1, 2]);
  assert.deepEqual([...matchedByEvidence(new Map([[0, 1], [3, 2]]), [how, branch], 4, common)
    .keys()], [3]);
  // 3 of 4 docs is more than half but under min_docs: a small site's words all count
  assert.deepEqual([...bm25Scores([how, branch], doclen, 4, { ...params,
    common: { share: 0.5, min_docs: 64 } }).keys()].sort(), [0, 1, 2, 3]);
});

test("bm25Scores() leaves out the pairs of a term stored without positions", () => {
  const doclen = Uint32Array.from([6]);
  const params = { k1: 1.2, b: 0.75, avgdl: 6, proximity: { weight: 0.5, window: 3 } };
  const postings = [[{ doc: 0, tf: 1, positions: [0] }], [{ doc: 0, tf: 3, positions: null }]];
  assert.deepEqual(bm25Scores(postings, doclen, 2, params, [[0, 1]]),
    bm25Scores(postings, doclen, 2, params, []));
});

test("queryPairs() and proximityTf() are Python's (vibesite.search.proximity)", () => {
  assert.ok(expected.query_pairs.length >= 4 && expected.proximity_tf.length >= 10);
  for (const { terms, pairs } of expected.query_pairs) assert.deepEqual(queryPairs(terms), pairs);
  for (const { first, second, window, value } of expected.proximity_tf) {
    assert.equal(proximityTf(first, second, window), value, JSON.stringify({ first, second }));
  }
});

test("rankPositive() is Python's rank_scores: score > 0, best first, ties by doc", () => {
  for (const { scores, limit, ranked } of expected.rank_scores) {
    const got = rankPositive(new Map(scores), limit);
    assert.deepEqual(got.map((hit) => hit.doc), ranked, JSON.stringify(scores));
    got.forEach((hit) => assert.equal(hit.score, new Map(scores).get(hit.doc)));
  }
});

test("rankAll() is Python's rank_array: every doc, best first, ties by doc", () => {
  for (const { scores, limit, ranked } of expected.rank_array) {
    assert.deepEqual(rankAll(Float64Array.from(scores), limit).map((hit) => hit.doc), ranked);
  }
  assert.deepEqual(rankAll([1, -Infinity, -Infinity, 2], 10).map((hit) => hit.doc), [3, 0, 1, 2]);
});

test("fuseResults() is Python's fusion.fuse: same docs, order, scores and ranks", () => {
  assert.ok(expected.fuse.some(({ fused }) => fused.length > 3));
  for (const { lexical, semantic, fusion, candidates, floor, fused } of expected.fuse) {
    const got = fuseResults(lexical.map(([doc, score]) => ({ doc, score })),
      semantic && { best: Float64Array.from(semantic[0]), semantic: Float64Array.from(semantic[1]) },
      fusion, candidates, floor);
    assert.deepEqual(got.map(({ doc, score, lexicalRank, semanticRank }) => [doc, score,
      lexicalRank, semanticRank]), fused, JSON.stringify({ lexical, semantic, fusion, floor }));
  }
});

test("bestPositions() keeps what a full sort puts first, ties by position", () => {
  let seed = 7;
  const random = () => { seed = (seed * 48271) % 2147483647; return seed / 2147483647; };
  const sorted = (scores) => Array.from(scores, (score, doc) => ({ doc, score }))
    .sort(byScoreThenDoc).map(({ doc }) => doc);
  for (let round = 0; round < 200; round++) {
    const n = Math.floor(random() * 300);
    // few distinct values: many ties; some rounds ascending, the selection's worst case
    const scores = Float64Array.from({ length: n }, (_, i) => (round % 5 === 0 ? i
      : Math.floor(random() * 8) - (random() < 0.05 ? Infinity : 0)));
    for (const limit of [0, 1, 3, 100, n, n + 5]) {
      assert.deepEqual(bestPositions(scores, limit), sorted(scores).slice(0, limit),
        `round ${round}, limit ${limit}`);
    }
  }
  assert.equal(bestPositions([1, Number.NaN, 2], 2), null);
  assert.deepEqual(rankAll([1, Number.NaN, 2], 3).length, 3); // NaN: the full sort's order
});

test("fuseTop() is the first `limit` of fuseResults() and their number", () => {
  for (const { lexical, semantic, fusion, candidates, floor } of expected.fuse) {
    const args = [lexical.map(([doc, score]) => ({ doc, score })),
      semantic && { best: Float64Array.from(semantic[0]), semantic: Float64Array.from(semantic[1]) },
      fusion, candidates, floor];
    const all = fuseResults(...args);
    for (const limit of [0, 1, 2, 5, all.length + 1]) {
      assert.deepEqual(fuseTop(...args, limit), { top: all.slice(0, limit), total: all.length });
    }
  }
  // keyword results alone: tied parts keep BM25's order, which puts the lower doc first
  const tied = [{ doc: 9, score: 2 }, { doc: 2, score: 1 }, { doc: 5, score: 1 }];
  assert.deepEqual(fuseTop(tied, null, { alpha: 0.4 }, 10, null, 2).top.map((h) => h.doc), [9, 2]);
});

test("fuseResults() without semantic scores ranks keyword matches by BM25 over the best", () => {
  const got = fuseResults([{ doc: 4, score: 2 }, { doc: 1, score: 1 }], null,
    { alpha: 0.4 }, 100, 0.5);
  assert.deepEqual(got, [
    { doc: 4, score: 1, lexicalRank: 1, semanticRank: null },
    { doc: 1, score: 0.5, lexicalRank: 2, semanticRank: null },
  ]);
});

test("byScoreThenDoc sorts by score descending, then doc ascending", () => {
  const hits = [{ doc: 3, score: 1 }, { doc: 1, score: 2 }, { doc: 0, score: 1 }];
  assert.deepEqual(hits.sort(byScoreThenDoc).map((h) => h.doc), [1, 0, 3]);
});
