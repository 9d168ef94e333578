// Loading one site's search index: search/manifest.json and the content-hashed files it names
// (the formats are described in vibesite/search/index.py).
//
// In: the site's base URL (where search/ is), and optionally a fetch function and a callback
// told the manifest's status ("loading", "ready", "error").
// Out: createLoader(...) -> a loader whose methods return promises: manifest() (checked to be
// format INDEX_VERSION), lexical(manifest, terms, prefix) -> {postingsByTerm, prefixShards,
// doclen} (./lexicon.js decodes the shards), docs(manifest,
// indices) -> doc records, texts(manifest, indices) -> doc records with their sections,
// vectors(manifest, onBytes)
// -> decoded passage vectors, file(name, "json" | "bytes", onBytes). onBytes(n), when given, is
// told the size of each chunk of a file's body as it arrives (the model download's progress).
// Each file is fetched once per loader; a failed fetch is tried again next time.
// Nothing is fetched when this module is imported.

import { decodeVectors } from "./codes.js";
import { decodeShard, shardHolding, shardsForTyped } from "./lexicon.js";

/** The search index format this script reads (Python: vibesite/search/index.py VERSION). */
export const INDEX_VERSION = 8;
export const MANIFEST = "search/manifest.json";

/** Doc lengths: `count` little-endian uint32. */
export function decodeDoclen(buffer, count) {
  if (buffer.byteLength !== count * 4) throw new Error("doclen size mismatch");
  const view = new DataView(buffer);
  const lengths = new Uint32Array(count);
  for (let i = 0; i < count; i++) lengths[i] = view.getUint32(i * 4, true);
  return lengths;
}

/** The manifest, if its format is INDEX_VERSION. */
export function checkManifest(manifest) {
  if (manifest.version !== INDEX_VERSION) {
    throw new Error(`unknown index version ${manifest.version}`);
  }
  return manifest;
}

/** A response body read to its end, telling `onBytes(n)` each chunk's size as it comes. */
export async function counted(body, onBytes) {
  const reader = body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    onBytes(value.byteLength);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes.buffer;
}

export function createLoader(base, {
  fetch: fetchUrl = (...args) => globalThis.fetch(...args),
  onManifest = () => {},
} = {}) {
  const url = (relative) => new URL(relative, base).href;
  const fetched = new Map();
  let manifestPromise = null;
  let doclenPromise = null;

  function file(relative, as, onBytes) {
    const address = url(relative);
    let promise = fetched.get(address);
    if (!promise) {
      promise = fetchUrl(address).then((response) => {
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${address}`);
        if (as === "json") return response.json();
        return onBytes && response.body ? counted(response.body, onBytes) : response.arrayBuffer();
      });
      promise.catch(() => fetched.delete(address));
      fetched.set(address, promise);
    }
    return promise;
  }

  /** Drop a file from the memo (the model, once a session holds its own copy). */
  function forget(relative) {
    fetched.delete(url(relative));
  }

  function manifest() {
    if (!manifestPromise) {
      onManifest("loading");
      manifestPromise = fetchUrl(url(MANIFEST), { cache: "no-cache" })
        .then((response) => {
          if (!response.ok) throw new Error(`${response.status}: ${MANIFEST}`);
          return response.json();
        })
        .then((loaded) => {
          checkManifest(loaded);
          onManifest("ready");
          return loaded;
        });
      manifestPromise.catch(() => {
        onManifest("error");
        manifestPromise = null;
      });
    }
    return manifestPromise;
  }

  function doclen(index) {
    if (!doclenPromise) {
      doclenPromise = file(index.lexical.doclen, "bytes")
        .then((buffer) => decodeDoclen(buffer, index.count));
      doclenPromise.catch(() => { doclenPromise = null; });
    }
    return doclenPromise;
  }

  const shards = new Map(); // path -> promise of the decoded shard (Map term -> postings)

  function shard(path) {
    if (!shards.has(path)) {
      const decoded = file(path, "json").then(decodeShard);
      decoded.catch(() => shards.delete(path));
      shards.set(path, decoded);
    }
    return shards.get(path);
  }

  /** The postings of each distinct term (null where there are none), reading only the shards
   *  whose term ranges hold them; with a typed `prefix` (./lexicon.js typedPrefix), the shards
   *  that may hold terms starting with it or the stems `completed` (./lexicon.js completions)
   *  (prefixShards, decoded); and the doc lengths (null when no term has a shard). */
  async function lexical(index, distinctTerms, prefix = null, completed = new Map()) {
    const ranges = index.lexical.shards;
    const holding = distinctTerms.map((term) => shardHolding(ranges, term));
    const around = prefix === null ? []
      : shardsForTyped(ranges, prefix, completed, index.lexical.prefix.shards);
    const [postingsByTerm, prefixShards, lengths] = await Promise.all([
      Promise.all(distinctTerms.map(async (term, i) => {
        if (holding[i] < 0) return null;
        return (await shard(ranges[holding[i]][1])).get(term) ?? null;
      })),
      Promise.all(around.map((at) => shard(ranges[at][1]))),
      holding.some((at) => at >= 0) || around.length ? doclen(index) : null,
    ]);
    return { postingsByTerm, prefixShards, doclen: lengths };
  }

  /** The entries of docs `indices` in the sharded lists of `part` (index.docs, index.text),
   *  reading only their shards. */
  async function sharded(part, indices) {
    const size = part.shard_size;
    const shards = [...new Set(indices.map((i) => Math.floor(i / size)))];
    const loaded = new Map(await Promise.all(
      shards.map(async (k) => [k, await file(part.files[k], "json")])));
    return indices.map((i) => loaded.get(Math.floor(i / size))[i % size]);
  }

  /** The records {url, title, date, summary} of docs `indices`. */
  function docs(index, indices) {
    return sharded(index.docs, indices);
  }

  /** The records of docs `indices` with their sections: {url, title, date, summary, sections:
   *  [[anchor, text], ...]} (vibesite/search/excerpt.py). */
  function texts(index, indices) {
    return sharded(index.text, indices);
  }

  async function vectors(index, onBytes) {
    const [buffer, countsBuffer] = await Promise.all([
      file(index.vectors, "bytes", onBytes),
      file(index.passages.counts, "bytes"),
    ]);
    return decodeVectors(buffer, countsBuffer, {
      dim: index.dim, count: index.count, bits: index.vector_bits,
      passages: index.passages.count,
    });
  }

  return { url, file, forget, manifest, lexical, docs, texts, vectors };
}
