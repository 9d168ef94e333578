// Shared by the tests of templates/static/search/: where things are, the fixtures that
// tools/js_fixtures.py writes from the Python implementation, a fetch over local files.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export const REPO = new URL("../../", import.meta.url);
export const MODULES = new URL("templates/static/search/", REPO);
export const VENDOR = new URL("vibesite/vendor/", REPO);
export const FIXTURES = new URL("fixtures/", import.meta.url);

/** A fixture JSON file of tests/js/fixtures/. */
export function fixture(name) {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8"));
}

/** An ArrayBuffer holding exactly the bytes of base64 `text`. */
export function bytesOf(text) {
  const buffer = Buffer.from(text, "base64");
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
}

/** A fetch() over file: URLs that records every URL asked for; `fail` (a set of URL
 *  substrings) answers 404 while it holds them. */
export function fileFetch({ fail = new Set() } = {}) {
  const requests = [];
  const fetchFile = async (url, init) => {
    requests.push({ url: String(url), init });
    if ([...fail].some((part) => String(url).includes(part))) {
      return { ok: false, status: 404, statusText: "Not Found" };
    }
    const data = await readFile(fileURLToPath(url));
    return {
      ok: true, status: 200, statusText: "OK",
      json: async () => JSON.parse(data.toString("utf8")),
      arrayBuffer: async () => data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
    };
  };
  return { fetch: fetchFile, requests };
}

/** |actual - expected| <= rel * |expected| (or exactly equal), element by element. */
export function assertClose(actual, expected, rel = 1e-12, message = "") {
  const a = Array.from(actual);
  assert.equal(a.length, expected.length, `${message}: length`);
  a.forEach((value, i) => {
    const want = expected[i];
    const ok = value === want || Math.abs(value - want) <= rel * Math.abs(want);
    assert.ok(ok, `${message}[${i}]: ${value} is not ${want} (rel ${rel})`);
  });
}
