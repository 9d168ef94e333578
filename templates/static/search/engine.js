// The search engine of one site: hybrid search over its static index, with no server.
//
// In: the site's base URL (where search/ is), a sitePath(relative) -> link function, and
// optionally the vendor folder's URL and a fetch function.
// Out: createEngine(...) -> {state, ready, listeners, progress, search, results, prime, embed,
// tokenize, load}:
// - results(query, {limit, semantic, excerpts}) -> {hits, total}: hits [{url, href, title, date,
//   summary, score, lexicalRank, semanticRank, match, anchor, excerpt}], best first, and how
//   many results there are in all, like Python's vibesite.search.query.SiteSearch.results
//   (excerpts: false skips the excerpts and their files); search(...) -> its hits;
// - prime(query): a box's text as it is typed, embedded and scored ahead of its search when the
//   model is ready (never loads it), so the search after the typing pause finds it done;
// - model() -> {loading, downloadBytes} or null: what loading the semantic model would fetch;
// - load() starts loading the semantic model (once); `ready` resolves true once semantic search
//   is on, false if it cannot be (never rejects); `state` is live: {manifest, semantic, error,
//   loadMs, embedMs, downloaded, downloadBytes, timing}; every listener is called when the semantic
//   state changes, every `progress` listener as the model's bytes arrive.
// lexicalRanking and fusedHits are the steps of a search, on their own (the semantic scores
// come from ./encoder.js: codes.js semanticScores).
// Nothing is fetched when this module is imported; ./encoder.js (and ./model.js) only once the
// semantic model starts loading.

import { createTokenizer, stemmerModule } from "./analysis.js";
import { createLoader } from "./loader.js";
import { completions, expansions, prefixPostings, typedPrefix } from "./lexicon.js";
import {
  bm25Scores, fuseTop, queryPairs, rankPositive,
} from "./rank.js";
import { nextTask, resultParts } from "./result-parts.js";

// A search's work is split into tasks a few tens of ms long at most on a phone (Lighthouse's
// Total Blocking Time counts every task over 50 ms): decoding the keyword shards, ranking,
// asking for the results' doc and text shards (about 20 fetches for ten), and each excerpt
// (./result-parts.js).

/** BM25 (with phrase and proximity) ranking of every doc holding one of the query's stemmed
 *  terms (in order, with repeats), best first, {ranked: [{doc, score}], expanded}. With
 *  `prefix` (the last word as typed: ./lexicon.js typedPrefix), the last term's postings also
 *  hold its `expanded` terms [[term, weight, postings]]: those that start with it and the stems
 *  `completed` (./lexicon.js completions), weighted below an exact match (Python:
 *  SiteSearch.expansions); without, `expanded` is []. */
export async function lexicalRanking(index, loader, terms, prefix = null, completed = new Map()) {
  const distinct = [...new Set(terms)];
  const pairs = queryPairs(terms).map(([a, b]) => [distinct.indexOf(a), distinct.indexOf(b)]);
  const { postingsByTerm, prefixShards, doclen } = await loader.lexical(index, distinct, prefix,
    completed);
  let expanded = [];
  if (prefix !== null) {
    const last = distinct.indexOf(terms[terms.length - 1]);
    expanded = expansions(prefixShards, prefix, distinct[last], index.lexical.prefix.terms,
      completed);
    const merged = prefixPostings(postingsByTerm[last], expanded);
    postingsByTerm[last] = merged.length ? merged : null;
  }
  await nextTask(); // the shards were decoded (and a prefix's postings merged) in this task
  return { ranked: rankPositive(bm25Scores(postingsByTerm, doclen, index.count, index.lexical,
    pairs), index.count), expanded };
}

/** What supports a result: "keyword", "semantic" or "both" (Python: Hit.match). */
export function matchKind({ lexicalRank, semanticRank }) {
  if (lexicalRank === null) return "semantic";
  return semanticRank === null ? "keyword" : "both";
}

/** A result's link: the page, `?highlight=` the query (the page marks its words: ./highlight.js)
 *  and `#anchor` of the section that matched. */
export function resultHref(sitePath, url, anchor, query) {
  const highlight = String(query ?? "").trim();
  return sitePath(url) + (highlight ? `?highlight=${encodeURIComponent(highlight)}` : "")
    + (anchor ? `#${anchor}` : "");
}

/** The best `limit` of the fused rankings (semantic-only docs under the manifest's
 *  semantic_floor left out), with their doc records and excerpts, and the total:
 *  {hits: [{url, href, title, date, summary, score, lexicalRank, semanticRank, match, anchor,
 *  excerpt}], total}. `query` is {text, terms, stem}: what to mark (Python: SiteSearch.results);
 *  null: no excerpts (anchor and excerpt ""). `parts`: the search's ./result-parts.js, when it
 *  has prefetched some; `lap(stage)` is told when the ranking and the hits are done. */
export async function fusedHits(index, loader, lexical, semantic, limit, sitePath, query,
  { parts = resultParts(index, loader, query), lap = () => {} } = {}) {
  const { top, total } = fuseTop(lexical, semantic, index.fusion, index.candidates,
    index.semantic_floor ?? null, limit);
  lap("fused");
  await nextTask(); // asking for the doc and text shards takes a task of its own
  const found = await parts.parts(top.map((hit) => hit.doc));
  lap("hits");
  const hits = top.map((hit, i) => {
    const { record, anchor, html } = found[i];
    return {
      url: record.url,
      href: resultHref(sitePath, record.url, anchor, query?.text),
      title: record.title,
      date: record.date,
      summary: record.summary,
      score: hit.score,
      lexicalRank: hit.lexicalRank,
      semanticRank: hit.semanticRank,
      match: matchKind(hit),
      anchor,
      excerpt: html,
    };
  });
  return { hits, total };
}

/** The semantic rankings of a search's texts, by `rank(text)` (the worker's: a promise of
 *  {vector, scores, embedMs}), the last one kept: {ranking(text) -> its promise (the kept one for
 *  the same text: the search page asks for the same query again when the reader wants more
 *  results or the merged list), prime(text): rank it ahead of its search when `ready()` (a box
 *  as the reader types; while another text is being ranked only the latest one typed waits, so
 *  fast typing never queues up work)}. A failed ranking is not kept. */
export function semanticRankings(rank, ready) {
  let last = { text: null, promise: null };
  let computing = null; // the ranking being computed
  let primed = null; // the text typed while another was ranked

  function ranking(text) {
    if (last.text === text) return last.promise;
    const promise = rank(text);
    last = { text, promise };
    computing = promise;
    promise.then(() => {}, () => {
      if (last.promise === promise) last = { text: null, promise: null };
    }).then(() => {
      if (computing === promise) computing = null;
      const next = primed;
      primed = null;
      if (next !== null) prime(next);
    });
    return promise;
  }

  function prime(query) {
    const text = String(query);
    if (!ready() || !text.trim() || last.text === text) return;
    if (computing) primed = text;
    else ranking(text);
  }

  return { ranking, prime };
}

export function createEngine({ base, sitePath, vendor = new URL("search/vendor/", base).href,
  fetch } = {}) {
  const state = {
    manifest: "idle", // idle | loading | ready | error
    semantic: "idle", // idle | loading | ready | unavailable | error
    error: null, // why semantic search is off, when it is
    loadMs: null, // time to load the model, tokenizer and vectors
    embedMs: null, // time of the last query embedding
    downloaded: 0, // bytes of the model, tokenizer, runtime and vectors fetched so far
    downloadBytes: null, // of the manifest's model.download_bytes
    // the last search's stages, ms from its start to each one's end: query (the manifest and
    // the stemmer), lexical, scored (the worker's embedding and scoring, which runs beside the
    // keyword part), prefetched (the keyword list's first records and excerpts, loaded while
    // the query is scored), semantic (both awaited), fused, hits (records and excerpts); set
    // once it ends
    timing: null,
  };
  const listeners = new Set();
  const progress = new Set(); // called as the model's bytes arrive (not a change of state)
  const onBytes = (n) => {
    state.downloaded += n;
    progress.forEach((listener) => listener());
  };
  const notify = () => listeners.forEach((listener) => listener());
  const loader = createLoader(base, {
    ...(fetch ? { fetch } : {}),
    onManifest: (status) => { state.manifest = status; },
  });
  // the manifest names the index's stemmer, the site's language's (lexical.stemmer; null: none)
  const tokenize = createTokenizer(async () => {
    const name = (await loader.manifest()).lexical.stemmer;
    return name ? vendor + stemmerModule(name) : null;
  });
  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });
  let semanticPromise = null;

  function semanticOff(kind, why) {
    state.semantic = kind;
    state.error = String(why && why.message ? why.message : why);
    if (kind === "error") console.warn("vibesite search: semantic search is off:", why);
    resolveReady(false);
    notify();
    return null;
  }

  async function loadSemantic() {
    let index;
    try {
      index = await loader.manifest();
    } catch (error) {
      return semanticOff("error", error);
    }
    if (!index.model) return semanticOff("unavailable", "this site has no query encoder");
    // the encoder's modules load with the model, not before the page's first list
    let encoding;
    try {
      encoding = await import("./encoder.js");
    } catch (error) {
      return semanticOff("error", error);
    }
    if (!encoding.webAssemblyAvailable()) {
      return semanticOff("unavailable", "WebAssembly is not available");
    }
    state.semantic = "loading";
    state.downloadBytes = index.model.download_bytes ?? null;
    notify();
    const started = performance.now();
    try {
      // the model, the vectors and their scoring live in a worker (./encoder.js)
      const encoder = await encoding.startEncoder(index, loader, vendor, onBytes);
      const rank = async (text) => {
        const answer = await encoder.rank(text);
        state.embedMs = answer.embedMs;
        return answer;
      };
      const warm = (await rank("warm up")).vector;
      if (warm.length !== index.dim) {
        throw new Error(`the model gives ${warm.length} dimensions, the index has ${index.dim}`);
      }
      state.loadMs = performance.now() - started;
      state.semantic = "ready";
      state.error = null;
      const embed = async (text) => {
        const t0 = performance.now();
        const vector = await encoder.embed(text);
        state.embedMs = performance.now() - t0;
        return vector;
      };
      const semantic = { embed, rank };
      resolveReady(true);
      notify();
      return semantic;
    } catch (error) {
      return semanticOff("error", error);
    }
  }

  /** What downloading the semantic model involves: {loading: "auto" | "on-demand",
   *  downloadBytes} (the site's choice and the bytes to fetch), or null without a model. */
  async function model() {
    const index = await loader.manifest();
    if (!index.model) return null;
    return { loading: index.model.loading ?? "auto", downloadBytes: index.model.download_bytes ?? null };
  }

  /** Start loading the semantic model now (as a box's first typed query does). */
  function load() {
    if (!semanticPromise) semanticPromise = loadSemantic();
    return semanticPromise;
  }

  const rankings = semanticRankings((text) => semanticPromise.then((loaded) => loaded.rank(text)),
    () => state.semantic === "ready");

  let lastKeyword = { key: null, part: null };
  /** The keyword ranking of the query's terms (and typed prefix) and the terms its excerpts
   *  mark; the last query's is kept, as the search page asks for the same query again when
   *  semantic ranking arrives or the reader asks for more results. */
  function keywordPart(index, terms, typed, stem) {
    const key = JSON.stringify([terms, typed]);
    if (lastKeyword.key === key) return lastKeyword.part;
    const completed = typed === null ? new Map()
      : completions(typed, index.lexical.prefix.suffixes ?? [], stem);
    const part = (async () => {
      if (!terms.length) return { lexical: [], marked: terms };
      const { ranked, expanded } = await lexicalRanking(index, loader, terms, typed, completed);
      // the excerpts also mark the words the typed prefix matched (Python: SiteSearch.results)
      return { lexical: ranked, marked: [...terms, ...expanded.map(([term]) => term)] };
    })();
    lastKeyword = { key, part };
    part.catch(() => { if (lastKeyword.part === part) lastKeyword = { key: null, part: null }; });
    return part;
  }

  /** Search the site: {hits, total}; semantic ranking is fused in only once the model has
   *  loaded (and `semantic` is not false). `prefix`: the query is being typed, so its last
   *  word, when nothing follows it, also matches the words that start with it (Python:
   *  SiteSearch.results(..., prefix=True)). */
  async function results(query, {
    limit = 10, semantic = true, excerpts = true, prefix = false,
  } = {}) {
    if (!String(query).trim()) return { hits: [], total: 0 };
    const started = performance.now();
    const timing = {}; // ms from the start of this search to the end of each stage
    const lap = (stage) => { timing[stage] = performance.now() - started; };
    // the stemmer the manifest names loads once it comes (the search page preloads it)
    const [index, terms] = await Promise.all([loader.manifest(), tokenize(query)]);
    if (index.count === 0) return { hits: [], total: 0 };
    const typed = prefix && terms.length ? typedPrefix(query, index.lexical.prefix.min_chars)
      : null;
    const stem = await tokenize.stemmer();
    lap("query");
    // the worker embeds and scores the query while the keyword shards load and are ranked (or
    // already has, primed while it was typed)
    const ranked = semantic && state.semantic === "ready" ? rankings.ranking(String(query)) : null;
    ranked?.then(() => lap("scored"), () => {}); // a failure is thrown where it is awaited
    const { lexical, marked } = await keywordPart(index, terms, typed, stem);
    lap("lexical");
    const marks = excerpts ? { text: String(query), terms: marked, stem } : null;
    const parts = resultParts(index, loader, marks);
    // While the query is still scored, the shards and excerpts of the keyword list's first
    // `limit`: the fused list shows mostly those (bench/search_cost.py: 78% of its results).
    if (ranked) {
      parts.prefetch(lexical.slice(0, limit).map(({ doc }) => doc)).then(() => lap("prefetched"));
    }
    const semanticScored = ranked ? (await ranked).scores : null;
    lap("semantic");
    const answer = await fusedHits(index, loader, lexical, semanticScored, limit, sitePath, marks,
      { parts, lap });
    state.timing = timing;
    return answer;
  }

  /** The best `limit` hits of `results`. */
  async function search(query, options) {
    return (await results(query, options)).hits;
  }

  /** The query's unit embedding (loads the model if needed): a debugging and testing aid. */
  async function embed(text) {
    const model = await load();
    if (!model) throw new Error(`semantic search is off: ${state.error}`);
    return Array.from(await model.embed(String(text)));
  }

  return { state, ready, listeners, progress, search, results, prime: rankings.prime, embed,
    tokenize, load, model };
}
