// templates/static/search/lexicon.js against vibesite/search/lexicon.py (fixtures/lexicon.json)
import assert from "node:assert/strict";
import { test } from "node:test";

import { STEMMER_MODULE, createTokenizer } from "../../templates/static/search/analysis.js";
import {
  completions, decodeShard, expansions, prefixPostings, shardHolding, shardsForTyped,
  shardsWithPrefix, typedPrefix,
} from "../../templates/static/search/lexicon.js";
import { VENDOR, fixture } from "./helpers.mjs";

const expected = fixture("lexicon.json");
const asJson = (postings) => JSON.parse(JSON.stringify(postings));

test("typedPrefix() is Python's typed_prefix: the last word, when nothing follows it", () => {
  assert.ok(expected.typed_prefix.some(([, word]) => word === null));
  for (const [query, word] of expected.typed_prefix) {
    assert.equal(typedPrefix(query, 3), word, JSON.stringify(query));
  }
});

test("shardHolding() and shardsWithPrefix() find Python's shards (UTF-16 order)", () => {
  assert.ok(expected.found.length >= 10);
  for (const { term, shard, with_prefix: withPrefix } of expected.found) {
    assert.equal(shardHolding(expected.shards, term), shard, term);
    for (const [limit, shards] of Object.entries(withPrefix)) {
      assert.deepEqual(shardsWithPrefix(expected.shards, term, Number(limit)), shards,
        `${term} ${limit}`);
    }
  }
});

test("decodeShard() gives Python's postings: doc gaps added up, counts-only terms", () => {
  const decoded = decodeShard(expected.shard);
  assert.deepEqual(Object.fromEntries(decoded), expected.decoded);
  assert.equal(decoded.get("application")[0].positions, null);
});

test("expansions() and prefixPostings() weight a prefix's terms as Python does", () => {
  const decoded = decodeShard(expected.shard);
  const expanded = expansions([decoded], "ap", "api", 2);
  assert.deepEqual(asJson(expanded), expected.expansions);
  assert.deepEqual(asJson(prefixPostings(decoded.get("api"), expanded)),
    expected.prefix_postings);
});

test("completions() gives Python's stems of a word typed part-way into an ending", async () => {
  const stem = await createTokenizer(new URL(STEMMER_MODULE, VENDOR).href).stemmer();
  assert.deepEqual([...completions("embedd", expected.suffixes, stem)], [["embed", 0.75]]);
  for (const [typed, stems] of Object.entries(expected.completions)) {
    assert.deepEqual(Object.fromEntries(completions(typed, expected.suffixes, stem)), stems,
      typed);
  }
});

test("shardsForTyped() adds the shards holding the completions' stems, as Python does", () => {
  assert.ok(expected.typed_shards.some(([, , shards]) => shards.length > 2));
  for (const [typed, stems, shards] of expected.typed_shards) {
    const completed = new Map(stems.map((term) => [term, 1]));
    assert.deepEqual(shardsForTyped(expected.shards, typed, completed, 2), shards, typed);
  }
});

test("expansions() takes the completions' stems with their weights", () => {
  const decoded = decodeShard(expected.shard);
  const completed = new Map([["applic", 0.8], ["apt", 0.5]]);
  assert.deepEqual(asJson(expansions([decoded], "applicat", "applicat", 8, completed)),
    expected.completed_expansions);
});

test("an exact match outweighs the same count of a longer word that starts with it", () => {
  const exact = [{ doc: 0, tf: 1, positions: [3] }];
  const longer = [{ doc: 1, tf: 1, positions: [3] }];
  const merged = prefixPostings(exact, [["sqlite", 0.5, longer]]);
  assert.deepEqual(merged.map((p) => [p.doc, p.tf]), [[0, 1], [1, 0.5]]);
});
