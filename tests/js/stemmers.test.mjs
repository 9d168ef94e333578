// Every vendored snowball-<language>.mjs, through analysis.js (its FOLDS and DIGITS_UNSTEMMED),
// stems the words of tests/stem_words/<language>.txt exactly as Python's analysis.stemmer does
// (fixtures/stems.json); the index's language and the query's are one stemmer on both sides.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

import {
  DIGITS_UNSTEMMED, FOLDS, KEEPS_INITIAL, createTokenizer, stemAmong, stemmerModule,
} from "../../templates/static/search/analysis.js";
import { REPO, VENDOR, fixture } from "./helpers.mjs";

const expected = fixture("stems.json");
const WORDS = new URL("tests/stem_words/", REPO);
const stemmerOf = (name) => createTokenizer(new URL(stemmerModule(name), VENDOR).href).stemmer();

test("a module is vendored for every algorithm Python stems with, and no other", () => {
  const vendored = readdirSync(new URL("snowball-stemmers/", VENDOR))
    .filter((name) => name.endsWith(".mjs")).map((name) => name.slice(9, -4)).sort();
  assert.deepEqual(vendored, Object.keys(expected).sort());
  assert.ok(vendored.length >= 19, vendored.join(" "));
});

for (const name of Object.keys(expected)) {
  test(`${name}: the browser stems its word list like Python`, async () => {
    const words = readFileSync(new URL(`${name}.txt`, WORDS), "utf8").split(/\s+/).filter(Boolean);
    const want = expected[name].split(" ");
    assert.ok(words.length >= 2000, `${words.length} words`);
    assert.equal(want.length, words.length);
    const stem = await stemmerOf(name);
    const differ = words.map((word, i) => [word, want[i], stem(word)])
      .filter(([, python, js]) => python !== js);
    assert.deepEqual(differ.slice(0, 20), [], `${differ.length} of ${words.length} differ`);
  });
}

test("French, Russian and Danish words the 0.6.0 modules stem otherwise agree", async () => {
  const french = await stemmerOf("french");
  assert.equal(french("chats"), "chat");
  assert.equal(french("naïve"), french("naive"));
  assert.equal((await stemmerOf("russian"))("актёры"), "актер");
  const danish = await stemmerOf("danish");
  assert.equal(danish("a700"), "a700");
  assert.equal(danish("husene"), "hus");
  assert.deepEqual(Object.keys(FOLDS).sort(), ["french", "russian"]);
  assert.deepEqual(DIGITS_UNSTEMMED, ["danish"]);
});

test("stemAmong skips words by their first letter only where stems keep it", async () => {
  const german = await stemmerOf("german");
  assert.equal(KEEPS_INITIAL.includes("german"), false);
  assert.equal(stemAmong(german, ["uberweis"])("überweisung"), "uberweis");
  const english = await stemmerOf("english");
  assert.equal(stemAmong(english, ["run"])("walking"), null);
});

test("no stemmer: the words as they are", async () => {
  const tokenize = createTokenizer(null);
  assert.deepEqual(await tokenize("Chats Häuser"), ["chats", "häuser"]);
  const later = createTokenizer(async () => new URL(stemmerModule("french"), VENDOR).href);
  assert.deepEqual(await later("Les chats"), ["le", "chat"]);
  assert.throws(() => stemmerModule("../x"));
});
