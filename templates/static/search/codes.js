// Passage vectors: decoding the bytes vibesite/search/codes.py writes, and scoring a query.
//
// In: the vectors file (little-endian: `dim` float32 offsets, `dim` float32 scales, then one row
// of codes per passage: 8 bits one byte a dimension, or 4 bits two dimensions a byte, the even
// dimension in the low nibble), the passage counts file (one uint32 a doc) and the manifest's
// sizes {dim, count, bits, passages}.
// Out: decodeVectors -> {offsets, scales, owned, codes}: float64 offsets and scales, each doc's
// passage count, and the codes unpacked to one byte a dimension (v ~= offset + scale * code);
// docScores(vectors, query, passageMean) -> per doc, the best of its passages' dot products with
// the query, and its semantic score (best + passageMean * mean) / (1 + passageMean), in float64
// (Python: query.SiteSearch.doc_scores); semanticScores(vectors, query, passageMean, candidates)
// -> those and `top`, the best `candidates` docs by semantic score (an Int32Array, best first).
// ./encoder-worker.js runs them off the page's main thread (on jbranchaud-til, 2,604 passages:
// about 50 ms of blocking script on the page, 200 ms under Lighthouse's 4x slower CPU).

import { rankAll } from "./rank.js";

export const VECTOR_BITS = [4, 8];

/** Bytes of one passage's row of codes. */
export function rowBytes(dim, bits) {
  return bits === 8 ? dim : Math.ceil(dim / 2);
}

/** The vectors and passage counts, checked against the manifest's sizes. */
export function decodeVectors(buffer, countsBuffer, { dim, count, bits, passages }) {
  if (!VECTOR_BITS.includes(bits)) throw new Error(`unknown vector_bits ${bits}`);
  const width = rowBytes(dim, bits);
  if (buffer.byteLength !== 8 * dim + passages * width) throw new Error("vectors size mismatch");
  if (countsBuffer.byteLength !== 4 * count) throw new Error("passage counts size mismatch");
  const view = new DataView(buffer);
  const offsets = new Float64Array(dim);
  const scales = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    offsets[d] = view.getFloat32(4 * d, true);
    scales[d] = view.getFloat32(4 * (dim + d), true);
  }
  const countsView = new DataView(countsBuffer);
  const owned = new Uint32Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    owned[i] = countsView.getUint32(4 * i, true);
    if (owned[i] < 1) throw new Error(`doc ${i} has no passage vector`);
    total += owned[i];
  }
  if (total !== passages) throw new Error("passage counts do not add up");
  const packed = new Uint8Array(buffer, 8 * dim, passages * width);
  let codes = packed;
  if (bits === 4) { // unpacked once, so scoring reads one byte per dimension
    codes = new Uint8Array(passages * dim);
    for (let p = 0, at = 0; p < passages; p++) {
      const row = p * width;
      for (let d = 0; d < dim; d++, at++) {
        const byte = packed[row + (d >> 1)];
        codes[at] = d & 1 ? byte >> 4 : byte & 15;
      }
    }
  }
  return { offsets, scales, owned, codes };
}

/** Per doc, {best, semantic}: its best passage's sum_d q_d * (offset_d + scale_d * code_pd),
 *  and (best + passageMean * the mean of its passages' sums, added in order) / (1 + passageMean),
 *  in float64 (Python: query.SiteSearch.doc_scores). */
export function docScores(vectors, query, passageMean) {
  const { offsets, scales, owned, codes } = vectors;
  const dim = offsets.length;
  const count = owned.length;
  const qs = new Float64Array(dim);
  let qo = 0;
  for (let d = 0; d < dim; d++) {
    qs[d] = query[d] * scales[d];
    qo += query[d] * offsets[d];
  }
  const best = new Float64Array(count);
  const semantic = new Float64Array(count);
  for (let i = 0, row = 0; i < count; i++) {
    let top = -Infinity;
    let total = 0;
    for (let p = 0; p < owned[i]; p++, row += dim) {
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += qs[d] * codes[row + d];
      const score = qo + sum;
      if (score > top) top = score;
      total += score;
    }
    best[i] = top;
    semantic[i] = (top + passageMean * (total / owned[i])) / (1 + passageMean);
  }
  return { best, semantic };
}

/** docScores, and `top`: the first `candidates` docs by semantic score, best first (an
 *  Int32Array; rank.js rankAll), so the page need not sort every doc (rank.js fuseResults). */
export function semanticScores(vectors, query, passageMean, candidates) {
  const scores = docScores(vectors, query, passageMean);
  const top = Int32Array.from(rankAll(scores.semantic, candidates), ({ doc }) => doc);
  return { ...scores, top };
}
