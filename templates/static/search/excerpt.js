// Why a result matched: its best section and an excerpt with the query's words marked, exactly
// as vibesite/search/excerpt.py does it on the same data (search/text/ files).
//
// In: a doc's sections [[anchor, text], ...] (text NFKC, one line, starting with its heading's
// words), the query's stemmed terms and the stemmer. Out: excerpt(...) -> {anchor, html}: the
// section with the most distinct matching terms (then the most matching words; the first on a
// tie) and in it the run of EXCERPT_WORDS words with the most matches (the earliest on a tie),
// text escaped, matching words in <mark>, "…" where it is cut.
// Pure: nothing here touches the page or the network.

import { wordSpans, words } from "./analysis.js";

export const EXCERPT_WORDS = 30;

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };
/** Python's html.escape. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function matched(word, wanted, stem) {
  const found = new Set();
  for (const part of words(word)) {
    const term = stem(part);
    if (wanted.has(term)) found.add(term);
  }
  return found;
}

/** Python: excerpt.excerpt(sections, terms, stem). */
export function excerpt(sections, terms, stem) {
  const wanted = new Set(terms);
  let best = [-1, -1];
  let chosen = { anchor: "", text: "", places: [], hits: [] };
  for (const [anchor, text] of sections) {
    const places = wordSpans(text);
    const found = places.map(([a, b]) => matched(text.slice(a, b), wanted, stem));
    const distinct = new Set(found.flatMap((f) => [...f])).size;
    const count = found.filter((f) => f.size > 0).length;
    if (distinct > best[0] || (distinct === best[0] && count > best[1])) {
      best = [distinct, count];
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
