// Why a result matched: its best section and an excerpt with the query's words marked, exactly
// as vibesite/search/excerpt.py does it on the same data (search/text/ files).
//
// In: a doc's sections [[anchor, text], ...] (text NFKC, one line, starting with its heading's
// words), the query's stemmed terms and the stemmer. Out: excerpt(...) -> {anchor, html}: the
// section with the most distinct matching terms (then the query's words most together, in
// order: rank.js proximityTf summed over its pairs; then the most matching words; the first on
// a tie) and in it the run of EXCERPT_WORDS words with the most matches (the earliest on a tie),
// text escaped, matching words in <mark>, "…" where it is cut.
// Pure: nothing here touches the page or the network.

import { stemAmong, wordSpans, words } from "./analysis.js";
import { proximityTf, queryPairs } from "./rank.js";

export const EXCERPT_WORDS = 30;

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };
/** Python's html.escape. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Sum of proximityTf over the query's pairs, in the sequence of a section's terms (null: a
 *  term that is none of the query's, not stemmed; Python: excerpt._nearness). */
function nearness(stems, pairs) {
  if (!pairs.length) return 0;
  const at = new Map();
  let position = 0;
  for (const word of stems) {
    for (const term of word) {
      if (term !== null) {
        if (!at.has(term)) at.set(term, []);
        at.get(term).push(position);
      }
      position += 1;
    }
  }
  let total = 0;
  for (const [a, b] of pairs) if (at.has(a) && at.has(b)) total += proximityTf(at.get(a), at.get(b));
  return total;
}

/** Python: excerpt.excerpt(sections, terms, stem). */
export function excerpt(sections, terms, stem) {
  const wanted = new Set(terms);
  const pairs = queryPairs(terms);
  const stemWanted = stemAmong(stem, wanted); // null for a word that matches no term
  let best = [-1, -1, -1];
  let chosen = { anchor: "", text: "", places: [], hits: [] };
  for (const [anchor, text] of sections) {
    const places = wordSpans(text);
    const stems = places.map(([a, b]) => words(text.slice(a, b)).map(stemWanted));
    const found = stems.map((word) => new Set(word.filter((term) => wanted.has(term))));
    const distinct = new Set(found.flatMap((f) => [...f])).size;
    const near = nearness(stems, pairs);
    const count = found.filter((f) => f.size > 0).length;
    if (distinct > best[0] || (distinct === best[0] && (near > best[1]
      || (near === best[1] && count > best[2])))) {
      best = [distinct, near, count];
      chosen = { anchor, text, places, hits: found.map((f) => f.size > 0) };
    }
  }
  const { anchor, text, places, hits } = chosen;
  if (!places.length) return { anchor, html: escapeHtml([...text].slice(0, 200).join("")) };
  const window = Math.min(EXCERPT_WORDS, places.length);
  let first = 0;
  let most = -1;
  for (let i = 0; i + window <= places.length; i += 1) {
    let n = 0;
    for (let j = i; j < i + window; j += 1) n += hits[j] ? 1 : 0;
    if (n > most) { most = n; first = i; }
  }
  const last = first + window - 1;
  const start = first ? places[first][0] : 0;
  const end = last < places.length - 1 ? places[last][1] : text.length;
  let out = start ? "…" : "";
  let cursor = start;
  for (let j = first; j <= last; j += 1) {
    if (!hits[j]) continue;
    const [a, b] = places[j];
    out += `${escapeHtml(text.slice(cursor, a))}<mark>${escapeHtml(text.slice(a, b))}</mark>`;
    cursor = b;
  }
  out += escapeHtml(text.slice(cursor, end)) + (end < text.length ? "…" : "");
  return { anchor, html: out };
}
