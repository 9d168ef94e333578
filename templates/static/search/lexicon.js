// The keyword index's shards: exactly what vibesite/search/lexicon.py writes and reads.
//
// In: the manifest's lexical.shards [[first term, path], ...] (terms sorted by UTF-16 code
// units, JavaScript's own string order), a shard's JSON, a query. Out:
// - shardHolding(shards, term): the index of the shard a term would be in (-1: none);
// - shardsWithPrefix(shards, prefix, limit): the shards that may hold terms starting with it;
// - decodeShard(json): Map term -> [{doc, tf, positions}] (positions null for a term stored
//   with counts only, one found in most docs);
// - typedPrefix(query, minChars): the last word while typed, or null;
// - completions(prefix, suffixes, stem): the stems of the words a typed word may be the start
//   of ("embedd" -> "embed"), and shardsForTyped(shards, prefix, completed, limit);
// - expansions(shards, prefix, exact, limit, completed) and prefixPostings(exact, expanded): the
//   last word's postings while typed, the terms starting with it (or its completions' stems)
//   weighted below an exact match.
// Pure: nothing here touches the page or the network.

import { wordSpans, words } from "./analysis.js";

/** The index of the last shard whose first term is <= term (-1: before every shard). */
export function shardHolding(shards, term) {
  let lo = 0;
  let hi = shards.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (shards[mid][0] <= term) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The shards (at most `limit`, in order) that may hold terms starting with `prefix`: the one
 *  it would be in, then each next one whose first term starts with it
 *  (Python: lexicon.Shards.with_prefix). */
export function shardsWithPrefix(shards, prefix, limit) {
  const at = shardHolding(shards, prefix);
  const start = Math.max(at, 0);
  const out = [];
  for (let shard = start; shard < Math.min(start + limit, shards.length); shard += 1) {
    if ((shard > start || at < 0) && !shards[shard][0].startsWith(prefix)) break;
    out.push(shard);
  }
  return out;
}

/** A shard's JSON {"p": {term: [[doc gap, p1, g2, ...], ...]}, "f": {term: [doc gap, tf, ...]}}
 *  -> Map term -> [{doc, tf, positions}] (Python: lexicon.decode_shard). */
export function decodeShard(data) {
  const out = new Map();
  for (const [term, entries] of Object.entries(data.p ?? {})) {
    let doc = 0;
    out.set(term, entries.map((entry) => {
      doc += entry[0];
      const positions = [entry[1]];
      for (let i = 2; i < entry.length; i += 1) positions.push(positions[i - 2] + entry[i]);
      return { doc, tf: positions.length, positions };
    }));
  }
  for (const [term, flat] of Object.entries(data.f ?? {})) {
    let doc = 0;
    const decoded = [];
    for (let i = 0; i < flat.length; i += 2) {
      doc += flat[i];
      decoded.push({ doc, tf: flat[i + 1], positions: null });
    }
    out.set(term, decoded);
  }
  return out;
}

const length = (text) => [...text].length;

/** The last word of `query` as typed so far (NFKC, lowercase, not stemmed), when nothing follows
 *  it and it has at least `minChars` characters; else null (Python: lexicon.typed_prefix). */
export function typedPrefix(query, minChars) {
  const text = String(query);
  const spans = wordSpans(text);
  const found = words(text);
  if (!spans.length || spans[spans.length - 1][1] !== text.length || !found.length) return null;
  const word = found[found.length - 1];
  return length(word) >= minChars ? word : null;
}

/** The shards a word typed as `prefix` reads: shardsWithPrefix's, then those holding the stems
 *  `completed` (a Map, in term order; at most `limit` more) (Python: Shards.for_typed). */
export function shardsForTyped(shards, prefix, completed, limit) {
  const found = shardsWithPrefix(shards, prefix, limit);
  const extra = [];
  for (const term of [...completed.keys()].sort()) {
    const at = shardHolding(shards, term);
    if (at >= 0 && !found.includes(at) && !extra.includes(at) && extra.length < limit) {
      extra.push(at);
    }
  }
  return found.concat(extra);
}

/** The stems of the words `prefix` may be the start of, completing each of `suffixes` it ends
 *  part-way into ("embedd" + "ing" -> "embed"), but those that start with `prefix`: Map stem ->
 *  length(prefix) / length(the shortest such word) (Python: lexicon.completions). */
export function completions(prefix, suffixes, stem) {
  const found = new Map();
  for (const suffix of suffixes) {
    for (let cut = 0; cut < suffix.length; cut += 1) {
      if (!prefix.endsWith(suffix.slice(0, cut))) continue;
      const word = prefix + suffix.slice(cut);
      const term = stem(word);
      if (!term.startsWith(prefix)) {
        found.set(term, Math.max(found.get(term) ?? 0, length(prefix) / length(word)));
      }
    }
  }
  return found;
}

/** The terms of the decoded `shards` starting with `prefix` or among the stems `completed` (a
 *  Map from completions), but `exact`: the `limit` found in the most docs (then in term order),
 *  as [[term, weight, postings], ...]; the weight is length(prefix) / length(term), or the
 *  completion's (Python: lexicon.expansions). */
export function expansions(shards, prefix, exact, limit, completed = new Map()) {
  const found = new Map();
  for (const shard of shards) {
    for (const [term, postings] of shard) {
      if (term !== exact && (term.startsWith(prefix) || completed.has(term))) {
        found.set(term, postings);
      }
    }
  }
  const ranked = [...found.keys()].sort((a, b) => (found.get(b).length - found.get(a).length)
    || (a < b ? -1 : a > b ? 1 : 0));
  return ranked.slice(0, limit).map((term) => [term,
    completed.get(term) ?? length(prefix) / length(term), found.get(term)]);
}

/** The last word's postings while typed: its exact term's, plus each expansion's with its
 *  frequency times the expansion's weight; positions merged, null if one has none
 *  (Python: lexicon.prefix_postings). */
export function prefixPostings(exact, expanded) {
  const merged = new Map();
  const weighted = [[1, exact ?? []], ...expanded.map(([, weight, postings]) => [weight, postings])];
  for (const [weight, postings] of weighted) {
    for (const { doc, tf, positions } of postings) {
      const at = positions === null ? null : [...positions];
      const before = merged.get(doc);
      if (!before) {
        merged.set(doc, { doc, tf: weight * tf, positions: at });
        continue;
      }
      before.tf += weight * tf;
      before.positions = before.positions === null || at === null ? null
        : before.positions.concat(at);
    }
  }
  return [...merged.values()].sort((a, b) => a.doc - b.doc).map((entry) => ({
    ...entry, positions: entry.positions && entry.positions.sort((a, b) => a - b),
  }));
}
