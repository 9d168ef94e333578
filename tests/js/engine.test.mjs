// templates/static/search/engine.js: whole searches on a real index (fixtures/index/) give what
// Python's vibesite.search.query.SiteSearch gives on it (fixtures/search.json).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  createEngine, fusedHits, lexicalRanking, resultHref, semanticRankings,
} from "../../templates/static/search/engine.js";
import { semanticScores } from "../../templates/static/search/codes.js";
import { createLoader } from "../../templates/static/search/loader.js";
import { FIXTURES, VENDOR, assertClose, fileFetch, fixture } from "./helpers.mjs";

const BASE = new URL("index/", FIXTURES).href;
const { cases, typed } = fixture("search.json");
const sitePath = (relative) => `/sub/${relative}`;

function sameHits(js, py, query) {
  const fields = (h) => [h.url, h.title, h.date, h.summary, h.lexicalRank, h.semanticRank, h.match,
    h.anchor, h.excerpt];
  assert.deepEqual(js.map(fields), py.map(fields), query);
  assertClose(js.map((h) => h.score), py.map((h) => h.score), 1e-12, query);
  js.forEach((h) => assert.equal(h.href, resultHref(sitePath, h.url, h.anchor, query)));
}

test("the fixture queries find something, lexically and semantically", () => {
  assert.ok(cases.length >= 8);
  assert.ok(cases.filter((c) => c.lexical.length > 0).length >= 5);
  assert.ok(cases.some((c) => c.terms.length > 0 && c.lexical.length === 0));
  // The fixture index's semantic floor leaves some semantic-only docs out, not all of them.
  assert.ok(cases.some((c) => c.hybrid.some((h) => h.match === "semantic")));
  assert.ok(cases.some((c) => c.query.trim() && c.hybrid_total < 5));
  assert.ok(cases.some((c) => c.lexical_total > c.lexical.length));
});

test("engine.search() without the model ranks like Python's lexical search", async () => {
  const { fetch } = fileFetch();
  const engine = createEngine({ base: BASE, sitePath, vendor: VENDOR.href, fetch });
  for (const c of cases) {
    assert.deepEqual(await engine.tokenize(c.query), c.terms, c.query);
    sameHits(await engine.search(c.query, { limit: 5 }), c.lexical, c.query);
    assert.equal((await engine.results(c.query, { limit: 5 })).total, c.lexical_total, c.query);
  }
  assert.equal(engine.state.manifest, "ready");
  assert.equal(engine.state.semantic, "idle");
});

test("a typed query's last word matches as a prefix, ranked like Python's (prefix=True)", async () => {
  const { fetch } = fileFetch();
  const engine = createEngine({ base: BASE, sitePath, vendor: VENDOR.href, fetch });
  assert.ok(typed.length >= 5);
  assert.deepEqual(typed.find((c) => c.query === "sqli").lexical.map((h) => h.url),
    ["sqlite-copies/"]);
  for (const c of typed) {
    const answer = await engine.results(c.query, { limit: 5, prefix: true });
    sameHits(answer.hits, c.lexical, c.query);
    assert.equal(answer.total, c.lexical_total, c.query);
  }
  assert.deepEqual(await engine.search("sqli", { limit: 5 }), []); // not typed: whole words
});

test("semantic scores and hybrid rankings are Python's for the same query vector", async () => {
  const { fetch } = fileFetch();
  const loader = createLoader(BASE, { fetch });
  const index = await loader.manifest();
  const vectors = await loader.vectors(index);
  for (const c of cases) {
    if (!c.query.trim()) continue;
    const lexical = c.terms.length ? (await lexicalRanking(index, loader, c.terms)).ranked
      : [];
    const semantic = semanticScores(vectors, Float64Array.from(c.vector),
      index.fusion.passage_mean, index.candidates);
    assert.equal(semantic.best.length, index.count);
    for (let doc = 0; doc < index.count; doc++) { // the fixture's are rounded to 10 decimals
      assert.ok(Math.abs(semantic.best[doc] - c.best_scores[doc]) <= 1e-10, `${c.query}: ${doc}`);
      assert.ok(Math.abs(semantic.semantic[doc] - c.semantic_scores[doc]) <= 1e-10,
        `${c.query}: ${doc}`);
    }
    const stem = await createEngine({ base: BASE, sitePath, vendor: VENDOR.href, fetch })
      .tokenize.stemmer();
    const { hits, total } = await fusedHits(index, loader, lexical, semantic, 5, sitePath,
      { text: c.query, terms: c.terms, stem });
    sameHits(hits, c.hybrid, c.query);
    assert.equal(total, c.hybrid_total, c.query);
  }
});

test("a blank query finds nothing and fetches nothing", async () => {
  const { fetch, requests } = fileFetch();
  const engine = createEngine({ base: BASE, sitePath, vendor: VENDOR.href, fetch });
  assert.deepEqual(await engine.search("   "), []);
  assert.deepEqual(requests, []);
});

test("a site without a query model turns semantic search off, and says why", async () => {
  const { fetch } = fileFetch();
  const engine = createEngine({ base: BASE, sitePath, vendor: VENDOR.href, fetch });
  let calls = 0;
  engine.listeners.add(() => { calls += 1; });
  assert.equal(await engine.load(), null);
  assert.equal(await engine.ready, false);
  assert.equal(engine.state.semantic, "unavailable");
  assert.equal(engine.state.error, "this site has no query encoder");
  assert.equal(calls, 1);
  await assert.rejects(engine.embed("x"), /semantic search is off: this site has no query encoder/);
});

test("a missing index makes the search fail and semantic search an error", async (t) => {
  t.mock.method(console, "warn", () => {});
  const { fetch } = fileFetch({ fail: new Set(["manifest.json"]) });
  const engine = createEngine({ base: BASE, sitePath, vendor: VENDOR.href, fetch });
  await assert.rejects(engine.search("git"), /404: search\/manifest\.json/);
  assert.equal(engine.state.manifest, "error");
  assert.equal(await engine.load(), null);
  assert.equal(engine.state.semantic, "error");
  assert.equal(await engine.ready, false);
});

test("a result links to its section and asks the page to mark the query", () => {
  assert.equal(resultHref(sitePath, "git/x/", "squash", " git rebase "),
    "/sub/git/x/?highlight=git%20rebase#squash");
  assert.equal(resultHref(sitePath, "git/x/", "", "a&b"), "/sub/git/x/?highlight=a%26b");
  assert.ok(cases.some((c) => c.hybrid.some((h) => h.anchor === "squash")));
  assert.ok(cases.some((c) => c.hybrid.some((h) => h.excerpt.includes("<mark>"))));
});

test("semanticRankings: one ranking a text, primed while typing, the latest text waiting", async () => {
  const asked = [];
  const pending = new Map(); // text -> resolve
  const rank = (text) => {
    asked.push(text);
    return new Promise((resolve, reject) => {
      pending.set(text, { resolve: () => resolve({ text }), reject });
    });
  };
  let ready = false;
  const { ranking, prime } = semanticRankings(rank, () => ready);
  prime("sql");
  assert.deepEqual(asked, [], "nothing is ranked before the model is ready");
  ready = true;
  prime("sql");
  prime("sqli"); // the worker is on "sql": "sqli" waits
  prime("sqlit"); // ... and replaces it
  prime(" ");
  assert.deepEqual(asked, ["sql"]);
  pending.get("sql").resolve();
  await new Promise((resolve) => { setTimeout(resolve, 0); });
  assert.deepEqual(asked, ["sql", "sqlit"], "only the latest typed text was waiting");
  const search = ranking("sqlit"); // the search after the pause: the primed ranking
  assert.deepEqual(asked, ["sql", "sqlit"]);
  pending.get("sqlit").resolve();
  assert.deepEqual(await search, { text: "sqlit" });
  assert.equal(ranking("sqlit"), search, "the same query again is not ranked again");
  const other = ranking("sqlite");
  assert.deepEqual(asked, ["sql", "sqlit", "sqlite"]);
  pending.get("sqlite").reject(new Error("worker failed"));
  await assert.rejects(other, /worker failed/);
  await new Promise((resolve) => { setTimeout(resolve, 0); });
  ranking("sqlite"); // a failed ranking is not kept
  assert.deepEqual(asked, ["sql", "sqlit", "sqlite", "sqlite"]);
});
