// vibesite search: the entry module of the header search box on every page and the full
// /search/ page (linked from templates/base.html as <script type="module">).
//
// Hybrid search over static files, with no server and no third-party request:
// - lexical: BM25 over a sharded inverted index (search/lex/*.json), query terms analysed exactly
//   like vibesite/search/analysis.py (./analysis.js, ranked by ./rank.js);
// - semantic: the query embedded in the browser by an int8 ONNX export of the site's
//   sentence-transformers model (./model.js: onnxruntime-web, WASM) and scored against int4
//   passage vectors (./codes.js; a doc scores as its best passage);
// - both scores combined (rank.js fuseResults), ranked exactly like vibesite/search/query.py.
// Lexical results show at once; the semantic model loads on the first typed query (or, when the
// site sets search_model = "on-demand" or the reader's browser saves data, from a button).
// A result only semantic ranking supports must reach the manifest's calibrated semantic_floor.
// Every file comes from this site (the <meta name="vibesite-base"> path): search/manifest.json
// names the others (content-hashed, ./loader.js), search/vendor/ holds the pinned third-party
// modules. The build names each of these modules by its content hash (vibesite/site/scripts.py).
//
// In: the page. Out: window.vibesiteSearch = {ready, state, search, results, embed, tokenize,
// words, model, load, prime}, and the page's search boxes wired (./ui.js).

import { words } from "./analysis.js";
import { createEngine } from "./engine.js";
import { MANIFEST } from "./loader.js";
import { init } from "./ui.js";

const baseMeta = document.querySelector('meta[name="vibesite-base"]');
const BASE = new URL(baseMeta ? baseMeta.content : "/", location.href);
const sitePath = (relative) => {
  const url = new URL(relative, BASE);
  return url.origin === location.origin ? url.pathname + url.search + url.hash : url.href;
};

// The manifest under the name pages give it (<meta name="vibesite-search">: `?v=` its content
// hash): a URL the browser may keep, and the search page's <link rel="preload"> of it is this
// request; the plain name (an older page) is asked with `cache: "no-cache"` (./loader.js).
const manifestMeta = document.querySelector('meta[name="vibesite-search"]');
const plainManifest = new URL(MANIFEST, BASE).href;
const fetchFile = (url, init) => (manifestMeta && url === plainManifest
  ? fetch(new URL(manifestMeta.content, location.href).href)
  : fetch(url, init));

const engine = createEngine({ base: BASE.href, sitePath, fetch: fetchFile });

window.vibesiteSearch = {
  ready: engine.ready, // resolves true once semantic search is on, false if it cannot be
  state: engine.state, // live: {manifest, semantic, error, loadMs, embedMs}
  search: engine.search,
  embed: engine.embed,
  tokenize: engine.tokenize,
  words,
  results: engine.results, // {hits, total}
  model: engine.model, // {loading, downloadBytes} or null
  load: engine.load, // start loading the semantic model now (as a box's first query does)
  prime: engine.prime, // embed and score a query ahead of its search (as a box does as it is typed)
};

/** Arriving from a search result: mark the query's words in the article. */
async function highlightFromAddress() {
  const query = new URLSearchParams(location.search).get("highlight");
  const root = document.querySelector(".post-content") ?? document.querySelector("main");
  if (!query || !root) return;
  // imported only here: a page opened from a search result is the only one that marks words
  const [terms, stem, { markTerms }] = await Promise.all([engine.tokenize(query),
    engine.tokenize.stemmer(), import("./highlight.js")]);
  markTerms(root, terms, stem);
}

function start() {
  // the boxes search as the reader types: the last word also matches as a prefix
  init({ ...engine, results: (query, options) => engine.results(query, { prefix: true, ...options }) },
    sitePath);
  highlightFromAddress().catch((error) => console.warn("vibesite search: highlight:", error));
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
