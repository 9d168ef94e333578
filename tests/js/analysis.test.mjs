// templates/static/search/analysis.js against vibesite/search/analysis.py (fixtures/analysis.json)
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MAX_TOKEN_CHARS, STEMMER_MODULE, createTokenizer, memoizedStem, stemAmong, words,
} from "../../templates/static/search/analysis.js";
import { VENDOR, fixture } from "./helpers.mjs";

const expected = fixture("analysis.json");
const tokenize = createTokenizer(new URL(STEMMER_MODULE, VENDOR).href);

test("MAX_TOKEN_CHARS is Python's", () => {
  assert.equal(MAX_TOKEN_CHARS, expected.max_token_chars);
  assert.equal(MAX_TOKEN_CHARS, 40);
});

test("words() splits like Python for every fixture text", () => {
  assert.ok(expected.cases.length >= 20);
  for (const { text, words: want } of expected.cases) assert.deepEqual(words(text), want, text);
});

test("tokenize() stems like Python (Snowball English 2.x) for every fixture text", async () => {
  for (const { text, terms } of expected.cases) assert.deepEqual(await tokenize(text), terms, text);
});

test("a token of exactly MAX_TOKEN_CHARS code points is kept, one more is dropped", () => {
  assert.deepEqual(words("x".repeat(40)), ["x".repeat(40)]);
  assert.deepEqual(words("x".repeat(41)), []);
  // astral letters are 2 UTF-16 units each: counted as code points, like Python
  assert.deepEqual(words("𐐨".repeat(40)), ["𐐨".repeat(40)]);
  assert.deepEqual(words("𐐨".repeat(41)), []);
  // ...after NFKC: 41 mathematical bold letters fold to 41 ASCII ones, still too long
  assert.deepEqual(words("𝐚".repeat(40)), ["a".repeat(40)]);
});

test("words(): NFKC, lowercase, final sigma, marks kept, punctuation and emoji split", () => {
  assert.deepEqual(words("ﬁle ＡＢＣ x²"), ["file", "abc", "x2"]);
  assert.deepEqual(words("ΟΔΟΣ"), ["οδος"]);
  assert.deepEqual(words("e\u0301clair"), ["\u00e9clair"]);
  assert.deepEqual(words("don't 🚀rocket C++"), ["don", "t", "rocket", "c"]);
  assert.deepEqual(words("日本語の検索"), ["日本", "本語", "語の", "の検", "検索"]);
  assert.deepEqual(words("python3入門"), ["python3", "入門"]);
  // a CJK run is never too long: its pairs are the terms
  assert.deepEqual(words("東京".repeat(30)).length, 59);
  assert.deepEqual(words(""), []);
});

test("known stems (and the ones Snowball 3 changed stay the old way)", async () => {
  assert.deepEqual(await tokenize("running generously organization international added"),
    ["run", "generous", "organ", "intern", "ad"]);
});

test("memoizedStem() stems each word once", () => {
  const seen = [];
  const stem = memoizedStem({ stem: (w) => { seen.push(w); return w.slice(0, 3); } });
  assert.equal(stem("rebasing"), "reb");
  assert.equal(stem("rebasing"), "reb");
  assert.equal(stem("commits"), "com");
  assert.deepEqual(seen, ["rebasing", "commits"]);
});

test("a tokenizer whose stemmer cannot load rejects, and tries again on the next call", async () => {
  const broken = createTokenizer(new URL("no-such-stemmer.mjs", VENDOR).href);
  await assert.rejects(broken("text"));
  await assert.rejects(broken("text"));
});

test("a stem keeps its word's first character, so stemAmong() skips only words that cannot match",
  async () => {
    const stem = await tokenize.stemmer();
    // Snowball's exceptions and suffix rules that rewrite more than they cut, and every word of
    // the fixtures (words() never gives an apostrophe, the one thing a stem drops in front)
    const vocabulary = new Set(["skies", "dying", "lying", "tying", "idly", "gently", "ugly",
      "early", "only", "singly", "sses", "ies", "ied", "cries", "tied", "possibility",
      "organization", "relational", "happy", "yearly", "ÿies", "日本語", "x²"]);
    for (const { text } of expected.cases) words(text).forEach((word) => vocabulary.add(word));
    for (const word of vocabulary) assert.equal(stem(word)[0], word[0], word);
    const terms = new Set(["die", "possibl", "happi", "organ", "sky", "日本"]);
    const among = stemAmong(stem, terms);
    for (const word of vocabulary) {
      const full = stem(word);
      if (terms.has(full)) assert.equal(among(word), full, word);
      else assert.ok(among(word) === null || among(word) === full, word);
    }
    assert.equal(among("dying"), "die");
    assert.equal(among("possibility"), "possibl");
    assert.equal(among("rebase"), null); // no term starts with r: not stemmed
  });
