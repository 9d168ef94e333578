// Passage vectors: decoding the bytes vibesite/search/codes.py writes, and scoring a query.
//
// In: the vectors file (little-endian: `dim` float32 offsets, `dim` float32 scales, then one row
// of codes per passage: 8 bits one byte a dimension, or 4 bits two dimensions a byte, the even
// dimension in the low nibble), the passage counts file (one uint32 a doc) and the manifest's
// sizes {dim, count, bits, passages}.
// Out: decodeVectors -> {offsets, scales, owned, bits, dim, stride, codes}: float64 offsets and
// scales, each doc's passage count, and the rows of codes as stored (v ~= offset + scale * code),
// `stride` bytes apart (4 bits: padded with zeros to whole 32-bit words); codeAt(vectors,
// passage, d) -> one code; docScores(vectors, query, passageMean) -> per doc, the best of its
// passages' dot products with the query, and its semantic score (best + passageMean * mean) /
// (1 + passageMean), in float64 (Python: query.SiteSearch.doc_scores, to about 1e-16: the
// terms are added in another order); semanticScores(vectors, query, passageMean, candidates)
// -> those and `top`, the best `candidates` docs by semantic score (an Int32Array, best first).
// ./encoder-worker.js runs them off the page's main thread (on jbranchaud-til, 2,604 passages:
// about 50 ms of blocking script on the page, 200 ms under Lighthouse's 4x slower CPU).
//
// 4-bit rows are scored by table lookup: per query, a table of the 256 values each byte of a
// row can add (q_2b * scale_2b * low nibble + q_2b+1 * scale_2b+1 * high nibble), so a row of
// 384 dimensions costs 192 lookups and adds instead of 384 multiply-adds, its bytes read four
// at a time (bench/search_cost.py, 10,000 articles, 30,739 passages: 21.5 -> 6.7 ms in node).

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
  // 4 bits: rows padded to whole 32-bit words (and the words aligned), read a word at a time
  const stride = bits === 4 ? 4 * Math.ceil(width / 4) : width;
  let codes = packed;
  if (stride !== width || (bits === 4 && packed.byteOffset % 4)) {
    codes = new Uint8Array(passages * stride);
    for (let p = 0; p < passages; p++) {
      codes.set(packed.subarray(p * width, (p + 1) * width), p * stride);
    }
  }
  return { offsets, scales, owned, bits, dim, stride, codes };
}

/** The code of dimension `d` of passage `passage`. */
export function codeAt({ bits, stride, codes }, passage, d) {
  if (bits === 8) return codes[passage * stride + d];
  const byte = codes[passage * stride + (d >> 1)];
  return d & 1 ? byte >> 4 : byte & 15;
}

// Which byte of a row each byte lane of a 32-bit word holds: lane k is bits 8k..8k+7.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Per byte lane of each word of a 4-bit row, what each of the 256 byte values adds to the
 *  dot product: entry (4j + k) * 256 + x, for the row's byte 4j + k (little-endian). */
function byteTable(query, scales, dim, stride) {
  const table = new Float64Array(stride * 256);
  for (let at = 0; at < stride; at++) {
    const byte = LITTLE_ENDIAN ? at : at - (at % 4) + 3 - (at % 4);
    const d = 2 * byte;
    const low = d < dim ? query[d] * scales[d] : 0;
    const high = d + 1 < dim ? query[d + 1] * scales[d + 1] : 0;
    for (let x = 0, t = at * 256; x < 256; x++, t++) table[t] = low * (x & 15) + high * (x >> 4);
  }
  return table;
}

/** Each passage's sum_d q_d * scale_d * code_pd, 4-bit rows (byteTable). */
function packedSums(vectors, query) {
  const { scales, dim, stride, codes } = vectors;
  const table = byteTable(query, scales, dim, stride);
  const words = new Uint32Array(codes.buffer, codes.byteOffset, codes.byteLength / 4);
  const perRow = stride / 4;
  const sums = new Float64Array(words.length / perRow);
  for (let p = 0, row = 0; p < sums.length; p++, row += perRow) {
    let even = 0;
    let odd = 0;
    for (let j = 0, t = 0; j < perRow; j++, t += 1024) {
      const w = words[row + j];
      even += table[t + (w & 255)] + table[t + 512 + ((w >>> 16) & 255)];
      odd += table[t + 256 + ((w >>> 8) & 255)] + table[t + 768 + (w >>> 24)];
    }
    sums[p] = even + odd;
  }
  return sums;
}

/** Each passage's sum_d q_d * scale_d * code_pd, 8-bit rows. */
function byteSums(vectors, query) {
  const { scales, dim, stride, codes } = vectors;
  const qs = new Float64Array(dim);
  for (let d = 0; d < dim; d++) qs[d] = query[d] * scales[d];
  const sums = new Float64Array(codes.length / stride);
  for (let p = 0, row = 0; p < sums.length; p++, row += stride) {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += qs[d] * codes[row + d];
    sums[p] = sum;
  }
  return sums;
}

/** Per doc, {best, semantic}: its best passage's sum_d q_d * (offset_d + scale_d * code_pd),
 *  and (best + passageMean * the mean of its passages' sums, added in order) / (1 + passageMean),
 *  in float64 (Python: query.SiteSearch.doc_scores). */
export function docScores(vectors, query, passageMean) {
  const { offsets, owned, bits } = vectors;
  const count = owned.length;
  let qo = 0;
  for (let d = 0; d < offsets.length; d++) qo += query[d] * offsets[d];
  const sums = bits === 4 ? packedSums(vectors, query) : byteSums(vectors, query);
  const best = new Float64Array(count);
  const semantic = new Float64Array(count);
  for (let i = 0, p = 0; i < count; i++) {
    let top = -Infinity;
    let total = 0;
    for (let end = p + owned[i]; p < end; p++) {
      const score = qo + sums[p];
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
