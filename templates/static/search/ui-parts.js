// The parts both search boxes use (./ui.js's header box, ./results-page.js's /search/ page):
// results as DOM nodes (text nodes and <mark> only, never innerHTML with content), the status
// line's mode and download progress, the semantic model's start on the first typed query, and
// a searcher that keeps only the answer to the latest query.
//
// In: an engine (./engine.js) and the page's DOM. Out: the exported helpers below; their
// words are the page's language's (./words.js).

import { word } from "./words.js";

export const HEADER_LIMIT = 8;
// The search page's results at a time: each needs its doc and text shards before the list
// paints (about 19 files for 10 results on jbranchaud-til, 35 for 20) and an excerpt made
// from its whole text, so 10 keep the first list's paint early (Lighthouse LCP).
export const PAGE_STEP = 10;
export const TYPING_PAUSE_MS = 120; // search once typing pauses this long
export const SETTLE_MS = 250; // the search page's first list waits this long for a loading model
export const PROGRESS_EVERY_MS = 1000; // the polite region's download progress, at most this often

export function modeText(state) {
  if (state.semantic === "ready") return word("hybrid");
  if (state.semantic === "loading") {
    return state.downloadBytes
      ? `${word("loading")} ${downloadText(state.downloaded, state.downloadBytes)}`
      : word("loading");
  }
  return word("keyword");
}

/** "3 of 21 MB": the bytes fetched of the model download's total. */
export function downloadText(done, total) {
  const digits = total < 1e7 ? 1 : 0;
  return word("download", { done: (Math.min(done, total) / 1e6).toFixed(digits),
                            total: (total / 1e6).toFixed(digits) });
}

/** Keep `node` showing the engine's mode (or `text()`): on every change of state, and as the
 *  model's bytes arrive at most every PROGRESS_EVERY_MS (a polite live region must not
 *  chatter). */
export function showMode(engine, node, text = () => modeText(engine.state)) {
  let shown = 0;
  const show = () => {
    shown = performance.now();
    node.textContent = text();
  };
  let timer = null;
  engine.listeners.add(show);
  engine.progress.add(() => { // shown once PROGRESS_EVERY_MS has passed since the last time
    timer ??= setTimeout(() => {
      timer = null;
      show();
    }, Math.max(0, PROGRESS_EVERY_MS - (performance.now() - shown)));
  });
  show();
}

export const delay = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** After the browser has painted what is on the page now. */
export const afterPaint = () => new Promise((resolve) => {
  requestAnimationFrame(() => setTimeout(resolve, 0));
});

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null && text !== "") node.textContent = text;
  return node;
}

export const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', "#x27": "'" };

/** An excerpt's HTML (escaped text and <mark>, from ./excerpt.js) as DOM nodes, built without
 *  parsing HTML: text nodes and <mark> elements only. */
export function excerptNodes(html) {
  const text = (part) => part.replace(/&(amp|lt|gt|quot|#x27);/g, (_, name) => ENTITIES[name]);
  return String(html).split(/(<mark>.*?<\/mark>)/s).filter(Boolean).map((part) => {
    if (!part.startsWith("<mark>")) return document.createTextNode(text(part));
    const mark = document.createElement("mark");
    mark.textContent = text(part.slice(6, -7));
    return mark;
  });
}

/** A result's excerpt (its summary when it has none) in a `tag` element. */
export function snippet(tag, className, result) {
  const node = el(tag, className);
  if (result.excerpt) node.append(...excerptNodes(result.excerpt));
  else node.textContent = result.summary;
  return node;
}

export function resultCount(n, query) {
  if (n === 0) return word("no_results", { query: query.trim() });
  return word("results", { count: n });
}

/** The reader's browser asks to save data (Save-Data, or a 2G connection). */
export function savingData(connection = globalThis.navigator?.connection) {
  return Boolean(connection && (connection.saveData || /(^|-)2g$/.test(connection.effectiveType ?? "")));
}

/** "21" or "8.9": a size in MB, as the download's total is written. */
export function megabytes(bytes) {
  return (bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0);
}

/** On the first typed query: load the semantic model, or, when the site wants it on demand
 *  or the reader saves data, offer a button that does (placed after `anchor`, or in it when
 *  `anchor` is an empty slot the page reserves). Once. */
export function semanticOnFirstQuery(engine, anchor) {
  let asked = false;
  return async () => {
    if (asked || engine.state.semantic !== "idle") return;
    asked = true;
    let model;
    try {
      model = await engine.model();
    } catch {
      return; // the search itself reports an unreachable index
    }
    if (!model) return;
    if (model.loading === "auto" && !savingData()) {
      engine.load();
      return;
    }
    const label = model.downloadBytes
      ? word("add_semantic_size", { size: megabytes(model.downloadBytes) })
      : word("add_semantic");
    const button = el("button", "vs-search__semantic button", label);
    button.type = "button";
    button.addEventListener("click", () => { button.remove(); engine.load(); });
    if (anchor.dataset.slot !== undefined) anchor.append(button);
    else anchor.after(button);
  };
}

/** The reader is pointing at or focused in `list`: a new ranking must not move it. */
export function inUse(list) {
  return list.contains(document.activeElement) || list.matches(":hover");
}

export function isTypingTarget(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
}

/** Runs searches for one input, keeping only the answer to the latest query. */
export class Searcher {
  constructor(engine, render) {
    this.engine = engine;
    this.render = render;
    this.generation = 0;
    this.query = "";
  }

  async run(query, limit, options = {}) {
    const generation = ++this.generation;
    this.query = query;
    try {
      const { hits, total } = await this.engine.results(query, { limit, ...options });
      if (generation === this.generation) this.render(query, hits, total, null);
    } catch (error) {
      if (generation === this.generation) this.render(query, [], 0, error);
    }
  }
}
