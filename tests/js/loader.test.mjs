// templates/static/search/loader.js on a real index written by vibesite/search/index.py
// (fixtures/index/), through a fetch over local files.
import assert from "node:assert/strict";
import { test } from "node:test";

import { decodeShard, shardHolding } from "../../templates/static/search/lexicon.js";
import {
  INDEX_VERSION, MANIFEST, checkManifest, createLoader, decodeDoclen,
} from "../../templates/static/search/loader.js";
import { FIXTURES, fileFetch, fixture } from "./helpers.mjs";

const BASE = new URL("index/", FIXTURES).href;
const python = fixture("search.json");
const manifestFile = fixture("index/search/manifest.json");

test("INDEX_VERSION is the format Python writes (vibesite/search/index.py VERSION)", () => {
  assert.equal(INDEX_VERSION, python.index_version);
  assert.equal(manifestFile.version, INDEX_VERSION);
});

test("checkManifest() refuses any other format version", () => {
  assert.equal(checkManifest(manifestFile), manifestFile);
  assert.throws(() => checkManifest({ ...manifestFile, version: INDEX_VERSION + 1 }),
    new RegExp(`unknown index version ${INDEX_VERSION + 1}`));
  assert.throws(() => checkManifest({ ...manifestFile, version: String(INDEX_VERSION) }),
    /unknown index version/);
});

test("manifest() is fetched once, uncached by the browser, and reports its status", async () => {
  const { fetch, requests } = fileFetch();
  const statuses = [];
  const loader = createLoader(BASE, { fetch, onManifest: (s) => statuses.push(s) });
  const [a, b] = await Promise.all([loader.manifest(), loader.manifest()]);
  assert.equal(a, b);
  assert.deepEqual(a, manifestFile);
  assert.deepEqual(requests, [{ url: new URL(MANIFEST, BASE).href, init: { cache: "no-cache" } }]);
  assert.deepEqual(statuses, ["loading", "ready"]);
});

test("a failed manifest reports an error and is fetched again on the next call", async () => {
  const fail = new Set(["manifest.json"]);
  const { fetch, requests } = fileFetch({ fail });
  const statuses = [];
  const loader = createLoader(BASE, { fetch, onManifest: (s) => statuses.push(s) });
  await assert.rejects(loader.manifest(), /404: search\/manifest\.json/);
  fail.clear();
  assert.equal((await loader.manifest()).count, manifestFile.count);
  assert.equal(requests.length, 2);
  assert.deepEqual(statuses, ["loading", "error", "loading", "ready"]);
});

test("lexical() reads only the shards whose ranges hold the terms, and Python's postings", async () => {
  const { fetch, requests } = fileFetch();
  const loader = createLoader(BASE, { fetch });
  const index = await loader.manifest();
  const ranges = index.lexical.shards;
  assert.ok(ranges.length > 2, "the fixture index has several lexical shards");
  const terms = ["rebas", "commit", "zzzz", "0"];
  const { postingsByTerm, prefixShards, doclen } = await loader.lexical(index, terms);
  assert.deepEqual(prefixShards, []);
  assert.equal(postingsByTerm.length, 4);
  assert.equal(postingsByTerm[2], null); // after the last term: in the last shard, not there
  assert.equal(postingsByTerm[3], null); // before the first term: in no shard
  for (const [i, term] of terms.slice(0, 2).entries()) {
    const shard = fixture(`index/${ranges[shardHolding(ranges, term)][1]}`);
    assert.deepEqual(postingsByTerm[i], decodeShard(shard).get(term));
    assert.ok(postingsByTerm[i].length > 0);
  }
  assert.deepEqual(Array.from(doclen).length, index.count);
  const lexFiles = requests.map((r) => r.url).filter((u) => u.includes("/lex/"));
  assert.equal(lexFiles.length, new Set(terms.map((t) => shardHolding(ranges, t))
    .filter((at) => at >= 0)).size);
});

test("lexical() with a prefix also reads the shards its terms may be in, once each", async () => {
  const { fetch, requests } = fileFetch();
  const loader = createLoader(BASE, { fetch });
  const index = await loader.manifest();
  const { prefixShards } = await loader.lexical(index, ["rebas"], "re");
  assert.ok(prefixShards.length >= 1 && prefixShards.length <= index.lexical.prefix.shards);
  assert.ok(prefixShards.some((shard) => [...shard.keys()].some((t) => t.startsWith("re"))));
  const lexFiles = requests.map((r) => r.url).filter((u) => u.includes("/lex/"));
  assert.equal(lexFiles.length, new Set(lexFiles).size);
});

test("a term named like an Object property is no posting", async () => {
  const { fetch } = fileFetch();
  const loader = createLoader(BASE, { fetch });
  const index = await loader.manifest();
  const { postingsByTerm } = await loader.lexical(index, ["constructor", "__proto__", "tostr"]);
  assert.equal(postingsByTerm[1], null);
  assert.ok(Array.isArray(postingsByTerm[0]) && postingsByTerm[0].length > 0);
});

test("docs() reads each doc shard once and returns Python's records in order", async () => {
  const { fetch, requests } = fileFetch();
  const loader = createLoader(BASE, { fetch });
  const index = await loader.manifest();
  assert.ok(index.docs.files.length > 1, "the fixture index has several doc shards");
  const records = await loader.docs(index, [7, 0, 1, 4]);
  assert.deepEqual(records.map((r) => r.url),
    ["git-history/", "git-rebase/", "sqlite-copies/", "js-constructors/"]);
  assert.equal(requests.filter((r) => r.url.includes("/docs/")).length, 3);
  await loader.docs(index, [2]);
  assert.equal(requests.filter((r) => r.url.includes("/docs/")).length, 3); // shard 0 again: kept
});

test("vectors() decodes the passage vectors and counts of the manifest", async () => {
  const { fetch } = fileFetch();
  const loader = createLoader(BASE, { fetch });
  const index = await loader.manifest();
  const vectors = await loader.vectors(index);
  assert.equal(vectors.offsets.length, index.dim);
  assert.equal(vectors.bits, index.vector_bits);
  assert.equal(vectors.stride % 4, 0); // 4-bit rows padded to whole words
  assert.equal(vectors.codes.length, index.passages.count * vectors.stride);
  assert.equal(vectors.owned.reduce((a, b) => a + b, 0), index.passages.count);
});

test("decodeDoclen() reads little-endian uint32 and checks the size", () => {
  const buffer = Uint8Array.from([1, 0, 0, 0, 0, 1, 0, 0]).buffer;
  assert.deepEqual(Array.from(decodeDoclen(buffer, 2)), [1, 256]);
  assert.throws(() => decodeDoclen(buffer, 3), /doclen size mismatch/);
});

test("a failed file is fetched again; forget() drops a kept one", async () => {
  const fail = new Set(["/docs/"]);
  const { fetch, requests } = fileFetch({ fail });
  const loader = createLoader(BASE, { fetch });
  const index = await loader.manifest();
  await assert.rejects(loader.file(index.docs.files[0], "json"), /404 Not Found/);
  fail.clear();
  const first = await loader.file(index.docs.files[0], "json");
  assert.equal(await loader.file(index.docs.files[0], "json"), first);
  loader.forget(index.docs.files[0]);
  await loader.file(index.docs.files[0], "json");
  assert.equal(requests.filter((r) => r.url.includes("/docs/0.")).length, 3);
});

test("creating a loader fetches nothing", () => {
  const { fetch, requests } = fileFetch();
  createLoader(BASE, { fetch });
  assert.deepEqual(requests, []);
});
