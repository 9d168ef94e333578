// templates/static/search/codes.js against vibesite/search/codes.py (fixtures/codes.json)
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  decodeVectors, docScores, rowBytes,
} from "../../templates/static/search/codes.js";
import { assertClose, bytesOf, fixture } from "./helpers.mjs";

const { cases } = fixture("codes.json");

function decode(c) {
  return decodeVectors(bytesOf(c.vectors_b64), bytesOf(c.counts_b64),
    { dim: c.dim, count: c.counts.length, bits: c.bits, passages: c.passages });
}

test("the fixtures hold 4- and 8-bit vectors of odd and even dimensions", () => {
  assert.deepEqual([...new Set(cases.map((c) => c.bits))].sort(), [4, 8]);
  assert.ok(cases.some((c) => c.dim % 2 === 1 && c.bits === 4));
});

test("decodeVectors() gives Python's offsets, scales and unpacked codes exactly", () => {
  for (const c of cases) {
    const v = decode(c);
    const where = `${c.bits} bits, dim ${c.dim}`;
    assert.deepEqual(Array.from(v.offsets), c.offsets, where);
    assert.deepEqual(Array.from(v.scales), c.scales, where);
    assert.deepEqual(Array.from(v.codes), c.codes, where);
    assert.deepEqual(Array.from(v.owned), c.counts, where);
    assert.ok(v.codes.every((code) => code < 2 ** c.bits), where);
  }
});

test("offset + scale * code is Python's Quantized.dequantize(), bit for bit", () => {
  for (const c of cases) {
    const v = decode(c);
    const values = [];
    for (let p = 0; p < c.passages; p++) {
      for (let d = 0; d < c.dim; d++) values.push(v.offsets[d] + v.scales[d] * v.codes[p * c.dim + d]);
    }
    assert.deepEqual(values, c.dequantized, `${c.bits} bits, dim ${c.dim}`);
  }
});

test("docScores() is each doc's best passage and semantic score, as Python scores them", () => {
  for (const c of cases) {
    const { best, semantic } = docScores(decode(c), c.query, c.passage_mean);
    assert.equal(best.length, c.counts.length);
    assertClose(best, c.best, 1e-12, `${c.bits} bits, dim ${c.dim}`);
    assertClose(semantic, c.semantic, 1e-12, `${c.bits} bits, dim ${c.dim}`);
  }
  assert.ok(cases.some((c) => c.semantic.some((value, i) => value < c.best[i])));
});

test("rowBytes(): one byte a dimension at 8 bits, two dimensions a byte at 4", () => {
  assert.equal(rowBytes(384, 8), 384);
  assert.equal(rowBytes(384, 4), 192);
  assert.equal(rowBytes(5, 4), 3);
});

test("decodeVectors() refuses files that do not fit the manifest", () => {
  const c = cases.find((x) => x.bits === 4);
  const sizes = { dim: c.dim, count: c.counts.length, bits: 4, passages: c.passages };
  const vectors = bytesOf(c.vectors_b64);
  const counts = bytesOf(c.counts_b64);
  assert.throws(() => decodeVectors(vectors, counts, { ...sizes, bits: 2 }), /unknown vector_bits 2/);
  assert.throws(() => decodeVectors(vectors.slice(1), counts, sizes), /vectors size mismatch/);
  assert.throws(() => decodeVectors(vectors, counts.slice(4), sizes),
    /passage counts size mismatch/);
  const zero = new Uint32Array(new Uint8Array(counts).buffer.slice(0));
  zero[0] = 0;
  zero[1] += 1; // the total still matches, one doc has none
  assert.throws(() => decodeVectors(vectors, zero.buffer, sizes), /doc 0 has no passage vector/);
  const more = new Uint32Array(new Uint8Array(counts).buffer.slice(0));
  more[0] += 1;
  assert.throws(() => decodeVectors(vectors, more.buffer, sizes), /do not add up/);
});
