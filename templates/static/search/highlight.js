// Arriving from a search result (`?highlight=the+query`, as Pagefind does): mark the query's
// words in the page, the same words an excerpt marks (./excerpt.js: a word matches when one of
// its stemmed terms is a query term).
//
// In: the element to mark in, the query's stemmed terms and the stemmer.
// Out: markTerms(...) wraps each matching word in <mark class="vs-highlight"> and returns how
// many it marked. Text in scripts, styles, form fields and existing marks is left alone.

import { stemAmong, wordSpans, words } from "./analysis.js";

const SKIP = new Set(["SCRIPT", "STYLE", "TEXTAREA", "MARK", "NOSCRIPT"]);

export function markTerms(root, terms, stem) {
  const wanted = new Set(terms);
  if (!root || wanted.size === 0) return 0;
  const stemWanted = stemAmong(stem, wanted);
  const matches = (word) => words(word).some((part) => wanted.has(stemWanted(part)));
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement.closest([...SKIP].join(","))
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
  let marked = 0;
  for (const node of nodes) {
    const text = node.data;
    const hits = wordSpans(text).filter(([a, b]) => matches(text.slice(a, b)));
    if (!hits.length) continue;
    const fragment = root.ownerDocument.createDocumentFragment();
    let cursor = 0;
    for (const [a, b] of hits) {
      fragment.append(text.slice(cursor, a));
      const mark = root.ownerDocument.createElement("mark");
      mark.className = "vs-highlight";
      mark.textContent = text.slice(a, b);
      fragment.append(mark);
      cursor = b;
    }
    fragment.append(text.slice(cursor));
    node.replaceWith(fragment);
    marked += hits.length;
  }
  return marked;
}
