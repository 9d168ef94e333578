// templates/static/search/codes.js against vibesite/search/codes.py (fixtures/codes.json)
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  codeAt, decodeVectors, docScores, rowBytes,
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
    const codes = [];
    for (let p = 0; p < c.passages; p++) {
      for (let d = 0; d < c.dim; d++) codes.push(codeAt(v, p, d));
    }
    assert.deepEqual(codes, c.codes, where);
    assert.deepEqual(Array.from(v.owned), c.counts, where);
    assert.ok(codes.every((code) => code < 2 ** c.bits), where);
  }
});

test("offset + scale * code is Python's Quantized.dequantize(), bit for bit", () => {
  for (const c of cases) {
    const v = decode(c);
    const values = [];
    for (let p = 0; p < c.passages; p++) {
      for (let d = 0; d < c.dim; d++) values.push(v.offsets[d] + v.scales[d] * codeAt(v, p, d));
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

/** 4-bit vectors of `dim` dimensions from seeded pseudo-random codes: {buffer, counts, codes,
 *  offsets, scales} (codes[p][d], as the file holds them). */
function packedVectors(dim, owned, seed) {
  let state = seed;
  const next = () => { state = (state * 1103515245 + 12345) % 2 ** 31; return state / 2 ** 31; };
  const passages = owned.reduce((a, b) => a + b, 0);
  const width = rowBytes(dim, 4);
  const buffer = new ArrayBuffer(8 * dim + passages * width);
  const view = new DataView(buffer);
  const offsets = [];
  const scales = [];
  for (let d = 0; d < dim; d++) {
    view.setFloat32(4 * d, next() - 0.5, true);
    view.setFloat32(4 * (dim + d), next() / 8, true);
    offsets.push(view.getFloat32(4 * d, true));
    scales.push(view.getFloat32(4 * (dim + d), true));
  }
  const bytes = new Uint8Array(buffer, 8 * dim);
  const codes = [];
  for (let p = 0; p < passages; p++) {
    codes.push(Array.from({ length: dim }, () => Math.floor(next() * 16)));
    codes[p].forEach((code, d) => { bytes[p * width + (d >> 1)] |= d & 1 ? code << 4 : code; });
  }
  return { buffer, counts: new Uint32Array(owned).buffer, codes, offsets, scales, passages };
}

test("docScores() of 4-bit rows (read a word at a time, padded or not) is the plain dot product",
  () => {
    for (const dim of [384, 10, 7, 8]) {
      const owned = [1, 3, 2, 1, 4];
      const c = packedVectors(dim, owned, dim);
      const v = decodeVectors(c.buffer, c.counts,
        { dim, count: owned.length, bits: 4, passages: c.passages });
      assert.equal(v.stride % 4, 0);
      const query = Array.from({ length: dim }, (_, d) => Math.cos(d * 1.7) / Math.sqrt(dim));
      const sums = c.codes.map((row) => row.reduce(
        (sum, code, d) => sum + query[d] * (c.offsets[d] + c.scales[d] * code), 0));
      const best = [];
      const semantic = [];
      for (let i = 0, p = 0; i < owned.length; p += owned[i], i++) {
        const mine = sums.slice(p, p + owned[i]);
        best.push(Math.max(...mine));
        const mean = mine.reduce((a, b) => a + b, 0) / mine.length;
        semantic.push((best[i] + 0.25 * mean) / 1.25);
      }
      const scores = docScores(v, query, 0.25);
      assertClose(scores.best, best, 1e-12, `dim ${dim}`);
      assertClose(scores.semantic, semantic, 1e-12, `dim ${dim}`);
    }
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
