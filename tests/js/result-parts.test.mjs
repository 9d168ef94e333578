// templates/static/search/result-parts.js on a real index (fixtures/index/): a search's records
// and excerpts, each shard fetched once, the same whether prefetched or not.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createTokenizer, STEMMER_MODULE } from "../../templates/static/search/analysis.js";
import { excerpt } from "../../templates/static/search/excerpt.js";
import { createLoader } from "../../templates/static/search/loader.js";
import { resultParts } from "../../templates/static/search/result-parts.js";
import { FIXTURES, VENDOR, fileFetch } from "./helpers.mjs";

const BASE = new URL("index/", FIXTURES).href;
const tokenize = createTokenizer(new URL(STEMMER_MODULE, VENDOR).href);

async function setUp(options) {
  const { fetch, requests } = fileFetch(options);
  const loader = createLoader(BASE, { fetch });
  const index = await loader.manifest();
  const query = { terms: await tokenize("git rebase"), stem: await tokenize.stemmer() };
  requests.length = 0; // the manifest's
  const names = () => requests.map(({ url }) => url.slice(BASE.length)).sort();
  return { loader, index, query, requests, names };
}

test("parts() gives each doc's record and its excerpt, the shards read once", async () => {
  const { loader, index, query, names } = await setUp();
  const docs = [7, 0, 4, 1];
  const found = await resultParts(index, loader, query).parts(docs);
  const texts = await loader.texts(index, docs);
  // docs 0, 1, 4 in text shard 0, 7 in 1: one fetch a shard for the records and excerpts
  assert.deepEqual(names(), index.text.files);
  const records = await loader.docs(index, docs);
  assert.deepEqual(found, docs.map((doc, i) => ({
    record: records[i], ...excerpt(texts[i].sections, query.terms, query.stem) })));
  assert.ok(found.some(({ html }) => html.includes("<mark>")));
});

test("prefetched docs need no request more, and give the same parts", async () => {
  const { loader, index, query, requests, names } = await setUp();
  const parts = resultParts(index, loader, query);
  await parts.prefetch([0, 1, 2]); // all in text shard 0
  assert.deepEqual(names(), [index.text.files[0]]);
  const asked = requests.length;
  const found = await parts.parts([2, 0, 1]);
  assert.equal(requests.length, asked);
  const fresh = await resultParts(index, createLoader(BASE, { fetch: fileFetch().fetch }), query)
    .parts([2, 0, 1]);
  assert.deepEqual(found, fresh);
  // a doc not prefetched: only its own shard more
  await parts.parts([5]);
  assert.deepEqual(requests.slice(asked).map(({ url }) => url.slice(BASE.length)),
    [index.text.files[1]]);
});

test("a failed prefetch is forgotten: parts() asks again, and gets the parts", async () => {
  const fail = new Set(["search/text/"]);
  const { loader, index, query, requests } = await setUp({ fail });
  const parts = resultParts(index, loader, query);
  assert.deepEqual(await parts.prefetch([3]), [undefined]); // failed, and never rejects
  fail.clear();
  const [found] = await parts.parts([3]);
  assert.equal(requests.filter(({ url }) => url.endsWith(index.text.files[0])).length, 2);
  assert.ok(requests.every(({ url }) => !url.includes("search/docs/")));
  assert.equal(found.record.url, (await loader.docs(index, [3]))[0].url);
});

test("with no query to mark, no text shard is read and the excerpts are empty", async () => {
  const { loader, index, names } = await setUp();
  const parts = resultParts(index, loader, null);
  parts.prefetch([6]);
  const [found] = await parts.parts([6]);
  assert.equal(found.anchor, "");
  assert.equal(found.html, "");
  assert.deepEqual(names(), [index.docs.files[2]]);
});
