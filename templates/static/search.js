// vibesite search: the header search box on every page and the full /search/ page.
//
// Hybrid search over static files, with no server and no third-party request:
// - lexical: BM25 over a sharded inverted index (search/lex/*.json), query terms analysed exactly
//   like vibesite/textsearch.py (NFKC, lowercase, letter/number/mark runs, Snowball English);
// - semantic: the query embedded in the browser by an int8 ONNX export of the site's
//   sentence-transformers model (onnxruntime-web, WASM) and scored against int4 passage vectors
//   (a doc scores as its best passage);
// - both fused by reciprocal-rank fusion, ranked exactly like vibesite/search_query.py.
// Lexical results show at once; the semantic model loads on the first focus of a search box.
// Every file comes from this site (the <meta name="vibesite-base"> path): search/manifest.json
// names the others (content-hashed), search/vendor/ holds the pinned third-party modules.
// Results are built with DOM text nodes only (never innerHTML with content).

const MODE_TEXT = {
  keyword: "Keyword results",
  loading: "Loading semantic model…",
  hybrid: "Semantic + keyword results",
};
const HEADER_LIMIT = 8;
const PAGE_STEP = 20;
const MAX_TOKEN_CHARS = 40;

const baseMeta = document.querySelector('meta[name="vibesite-base"]');
const BASE = new URL(baseMeta ? baseMeta.content : "/", location.href);
const siteUrl = (relative) => new URL(relative, BASE).href;
const sitePath = (relative) => {
  const url = new URL(relative, BASE);
  return url.origin === location.origin ? url.pathname + url.search + url.hash : url.href;
};
const VENDOR = siteUrl("search/vendor/");

const state = {
  manifest: "idle", // idle | loading | ready | error
  semantic: "idle", // idle | loading | ready | unavailable | error
  error: null, // why semantic search is off, when it is
  loadMs: null, // time to load the model, tokenizer and vectors
  embedMs: null, // time of the last query embedding
};

const listeners = new Set();
const notify = () => listeners.forEach((listener) => listener());

// ---------------------------------------------------------------------------------------------
// Text analysis: the same as vibesite/textsearch.py
// ---------------------------------------------------------------------------------------------

const TOKEN_RE = /[\p{L}\p{N}\p{M}]+/gu;

/** The tokens before stemming: NFKC, lowercase, runs of letters, numbers and marks. */
export function words(text) {
  const lowered = String(text).normalize("NFKC").toLowerCase();
  const out = [];
  for (const match of lowered.matchAll(TOKEN_RE)) {
    const token = match[0];
    if (token.length <= MAX_TOKEN_CHARS || [...token].length <= MAX_TOKEN_CHARS) out.push(token);
  }
  return out;
}

let stemmerPromise = null;

function loadStemmer() {
  if (!stemmerPromise) {
    stemmerPromise = import(VENDOR + "snowball-stemmers/snowball-english.mjs").then((mod) => {
      const stemmer = mod.newStemmer("english");
      const memo = new Map();
      return (word) => {
        let stem = memo.get(word);
        if (stem === undefined) {
          stem = stemmer.stem(word);
          if (memo.size > 50000) memo.clear();
          memo.set(word, stem);
        }
        return stem;
      };
    });
    stemmerPromise.catch(() => { stemmerPromise = null; });
  }
  return stemmerPromise;
}

/** Stemmed search terms of `text`, in order, with repeats (Python: textsearch.tokenize). */
export async function tokenize(text) {
  const stem = await loadStemmer();
  return words(text).map(stem);
}

const utf8 = new TextEncoder();

/** FNV-1a 32-bit over the UTF-8 bytes of `text`. */
export function fnv1a32(text) {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Which lexical shard holds a stemmed term (Python: textsearch.shard_of). */
export function shardOf(term, nShards) {
  return fnv1a32(term) % nShards;
}

// ---------------------------------------------------------------------------------------------
// Loading the index files
// ---------------------------------------------------------------------------------------------

const fetched = new Map();

function fetchFile(relative, as) {
  const url = siteUrl(relative);
  let promise = fetched.get(url);
  if (!promise) {
    promise = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${url}`);
      return as === "json" ? response.json() : response.arrayBuffer();
    });
    promise.catch(() => fetched.delete(url));
    fetched.set(url, promise);
  }
  return promise;
}

let manifestPromise = null;

function loadManifest() {
  if (!manifestPromise) {
    state.manifest = "loading";
    manifestPromise = fetch(siteUrl("search/manifest.json"), { cache: "no-cache" })
      .then((response) => {
        if (!response.ok) throw new Error(`${response.status}: search/manifest.json`);
        return response.json();
      })
      .then((manifest) => {
        if (manifest.version !== 2) throw new Error(`unknown index version ${manifest.version}`);
        state.manifest = "ready";
        return manifest;
      });
    manifestPromise.catch(() => {
      state.manifest = "error";
      manifestPromise = null;
    });
  }
  return manifestPromise;
}

let doclenPromise = null;

function loadDoclen(manifest) {
  if (!doclenPromise) {
    doclenPromise = fetchFile(manifest.lexical.doclen, "bytes").then((buffer) => {
      if (buffer.byteLength !== manifest.count * 4) throw new Error("doclen size mismatch");
      const view = new DataView(buffer);
      const lengths = new Uint32Array(manifest.count);
      for (let i = 0; i < manifest.count; i++) lengths[i] = view.getUint32(i * 4, true);
      return lengths;
    });
    doclenPromise.catch(() => { doclenPromise = null; });
  }
  return doclenPromise;
}

/** The passage vectors: per-dimension offsets and scales, and 4-bit codes (two a byte, the
 *  even dimension in the low nibble) or 8-bit codes (Python: vibesite/vector_codes.py). */
async function loadVectors(manifest) {
  const [buffer, countsBuffer] = await Promise.all([
    fetchFile(manifest.vectors, "bytes"),
    fetchFile(manifest.passages.counts, "bytes"),
  ]);
  const { dim, count } = manifest;
  const bits = manifest.vector_bits;
  if (bits !== 4 && bits !== 8) throw new Error(`unknown vector_bits ${bits}`);
  const width = bits === 8 ? dim : Math.ceil(dim / 2);
  const passages = manifest.passages.count;
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

async function docsFor(manifest, indices) {
  const size = manifest.docs.shard_size;
  const shards = [...new Set(indices.map((i) => Math.floor(i / size)))];
  const loaded = new Map(await Promise.all(
    shards.map(async (k) => [k, await fetchFile(manifest.docs.files[k], "json")])));
  return indices.map((i) => loaded.get(Math.floor(i / size))[i % size]);
}

// ---------------------------------------------------------------------------------------------
// Ranking: the same math as vibesite/search_query.py
// ---------------------------------------------------------------------------------------------

const byScoreThenDoc = (a, b) => (b.score - a.score) || (a.doc - b.doc);

/** BM25 over the distinct query terms; docs with score > 0, best first (ties: doc order). */
async function lexicalRanking(manifest, terms) {
  const lexical = manifest.lexical;
  const distinct = [...new Set(terms)];
  const shardFiles = distinct.map((term) => lexical.files[String(shardOf(term, lexical.n_shards))]);
  const [postingsByTerm, doclen] = await Promise.all([
    Promise.all(distinct.map(async (term, i) => {
      if (!shardFiles[i]) return null;
      const shard = await fetchFile(shardFiles[i], "json");
      return Object.hasOwn(shard, term) ? shard[term] : null;
    })),
    shardFiles.some(Boolean) ? loadDoclen(manifest) : null,
  ]);
  const n = manifest.count;
  const { k1, b, avgdl } = lexical;
  const scores = new Map();
  for (const postings of postingsByTerm) {
    if (!postings || postings.length === 0) continue;
    const df = postings.length;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    for (const [doc, tf] of postings) {
      const dl = doclen[doc];
      const add = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl));
      scores.set(doc, (scores.get(doc) ?? 0) + add);
    }
  }
  const ranked = [];
  for (const [doc, score] of scores) if (score > 0) ranked.push({ doc, score });
  ranked.sort(byScoreThenDoc);
  return ranked.slice(0, manifest.candidates);
}

/** All docs by their best passage's sum_d q_d * (offset_d + scale_d * code_pd), in float64;
 *  the best `candidates`. */
function semanticRanking(manifest, vectors, query) {
  const { dim, count } = manifest;
  const { offsets, scales, owned, codes } = vectors;
  const qs = new Float64Array(dim);
  let qo = 0;
  for (let d = 0; d < dim; d++) {
    qs[d] = query[d] * scales[d];
    qo += query[d] * offsets[d];
  }
  const ranked = new Array(count);
  for (let i = 0, row = 0; i < count; i++) {
    let best = -Infinity;
    for (let p = 0; p < owned[i]; p++, row += dim) {
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += qs[d] * codes[row + d];
      if (qo + sum > best) best = qo + sum;
    }
    ranked[i] = { doc: i, score: best };
  }
  ranked.sort(byScoreThenDoc);
  return ranked.slice(0, manifest.candidates);
}

/** Reciprocal-rank fusion: sum of 1 / (k + rank), rank 1-based; best first (ties: doc order). */
function fuse(manifest, lexical, semantic) {
  const fused = new Map();
  const add = (ranking, key) => ranking.forEach(({ doc }, i) => {
    const entry = fused.get(doc) ?? { doc, score: 0, lexicalRank: null, semanticRank: null };
    entry.score += 1 / (manifest.rrf_k + i + 1);
    entry[key] = i + 1;
    fused.set(doc, entry);
  });
  add(lexical, "lexicalRank");
  add(semantic, "semanticRank");
  return [...fused.values()].sort(byScoreThenDoc);
}

// ---------------------------------------------------------------------------------------------
// The semantic model (loaded on demand)
// ---------------------------------------------------------------------------------------------

let resolveReady;
const ready = new Promise((resolve) => { resolveReady = resolve; });
let semanticPromise = null;

function webAssemblyAvailable() {
  return typeof WebAssembly === "object" && WebAssembly !== null
    && typeof WebAssembly.instantiate === "function";
}

/** Encode `text` for a BERT-like model: truncated like `tokenizers` with max_length. */
function encodeQuery(tokenizer, text, maxLength) {
  const tokens = tokenizer.tokenize(text, { add_special_tokens: false });
  const processed = (list) => (tokenizer.post_processor
    ? tokenizer.post_processor(list, null, true)
    : { tokens: list });
  const specials = processed([]).tokens.length;
  const kept = tokens.slice(0, Math.max(0, maxLength - specials));
  const { tokens: all, token_type_ids: typeIds } = processed(kept);
  const ids = all.map((t) => tokenizer.token_to_id(t) ?? tokenizer.model.unk_token_id);
  return { ids, typeIds: typeIds ?? ids.map(() => 0) };
}

const TYPING_PAUSE_MS = 120; // search once typing pauses this long

function startSemantic() {
  if (!semanticPromise) semanticPromise = loadSemantic();
  return semanticPromise;
}

async function loadSemantic() {
  let manifest;
  try {
    manifest = await loadManifest();
  } catch (error) {
    return semanticOff("error", error);
  }
  if (!manifest.model) return semanticOff("unavailable", "this site has no query encoder");
  if (!webAssemblyAvailable()) return semanticOff("unavailable", "WebAssembly is not available");
  state.semantic = "loading";
  notify();
  const started = performance.now();
  try {
    const [ort, tokenizers, tokenizerJson, modelBytes, vectors] = await Promise.all([
      import(VENDOR + "onnxruntime-web/ort.wasm.min.mjs"),
      import(VENDOR + "tokenizers/tokenizers.min.mjs"),
      fetchFile(manifest.model.tokenizer, "json"),
      fetchFile(manifest.model.onnx, "bytes"),
      loadVectors(manifest),
    ]);
    ort.env.wasm.wasmPaths = VENDOR + "onnxruntime-web/";
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = "error";
    const session = await ort.InferenceSession.create(new Uint8Array(modelBytes), {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
      extra: { session: { disable_quant_qdq: "1" } },
    });
    fetched.delete(siteUrl(manifest.model.onnx)); // the session has its own copy
    const tokenizer = new tokenizers.Tokenizer(tokenizerJson, {});
    const maxLength = manifest.model.max_length;

    const embed = async (text) => {
      const t0 = performance.now();
      const { ids, typeIds } = encodeQuery(tokenizer, text, maxLength);
      const length = ids.length;
      const inputs = {
        input_ids: ids,
        attention_mask: ids.map(() => 1),
        token_type_ids: typeIds,
      };
      const feeds = {};
      for (const name of session.inputNames) {
        if (!(name in inputs)) throw new Error(`the model wants an unknown input ${name}`);
        feeds[name] = new ort.Tensor("int64", BigInt64Array.from(inputs[name], BigInt),
          [1, length]);
      }
      const outputs = await session.run(feeds);
      const name = session.outputNames.includes("sentence_embedding")
        ? "sentence_embedding" : session.outputNames[0];
      const output = outputs[name];
      const dim = output.dims[output.dims.length - 1];
      const vector = new Float64Array(dim);
      if (output.dims.length === 3) { // token embeddings: mean over the (unpadded) tokens
        const rows = output.dims[1];
        for (let r = 0; r < rows; r++) {
          for (let d = 0; d < dim; d++) vector[d] += output.data[r * dim + d];
        }
        for (let d = 0; d < dim; d++) vector[d] /= rows;
      } else {
        for (let d = 0; d < dim; d++) vector[d] = output.data[d];
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += vector[d] * vector[d];
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dim; d++) vector[d] /= norm;
      state.embedMs = performance.now() - t0;
      return vector;
    };

    const warm = await embed("warm up");
    if (warm.length !== manifest.dim) {
      throw new Error(`the model gives ${warm.length} dimensions, the index has ${manifest.dim}`);
    }
    state.loadMs = performance.now() - started;
    state.semantic = "ready";
    state.error = null;
    const semantic = { embed, vectors };
    resolveReady(true);
    notify();
    return semantic;
  } catch (error) {
    return semanticOff("error", error);
  }
}

function semanticOff(kind, why) {
  state.semantic = kind;
  state.error = String(why && why.message ? why.message : why);
  if (kind === "error") console.warn("vibesite search: semantic search is off:", why);
  resolveReady(false);
  notify();
  return null;
}

function currentSemantic() {
  return state.semantic === "ready" ? semanticPromise : null;
}

function modeText() {
  if (state.semantic === "ready") return MODE_TEXT.hybrid;
  if (state.semantic === "loading") return MODE_TEXT.loading;
  return MODE_TEXT.keyword;
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/**
 * Search the site: [{url (site-relative), href, title, date, summary, score (fused RRF),
 * lexicalRank, semanticRank}], best first, like Python's SiteSearch.search. Semantic ranking
 * is fused in only once the model has loaded (and `semantic` is not false).
 */
export async function search(query, { limit = 10, semantic = true } = {}) {
  if (!String(query).trim()) return [];
  const manifest = await loadManifest();
  if (manifest.count === 0) return [];
  const terms = await tokenize(query);
  const lexical = terms.length ? await lexicalRanking(manifest, terms) : [];
  const model = semantic ? currentSemantic() : null;
  let semanticRanked = [];
  if (model) {
    const { embed, vectors } = await model;
    const vector = await embed(String(query));
    semanticRanked = semanticRanking(manifest, vectors, vector);
  }
  const top = fuse(manifest, lexical, semanticRanked).slice(0, limit);
  const docs = await docsFor(manifest, top.map((hit) => hit.doc));
  return top.map((hit, i) => ({
    url: docs[i].url,
    href: sitePath(docs[i].url),
    title: docs[i].title,
    date: docs[i].date,
    summary: docs[i].summary,
    score: hit.score,
    lexicalRank: hit.lexicalRank,
    semanticRank: hit.semanticRank,
  }));
}

/** The query's unit embedding (loads the model if needed): a debugging and testing aid. */
export async function embed(text) {
  const model = await startSemantic();
  if (!model) throw new Error(`semantic search is off: ${state.error}`);
  return Array.from(await model.embed(String(text)));
}

// ---------------------------------------------------------------------------------------------
// User interface
// ---------------------------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null && text !== "") node.textContent = text;
  return node;
}

function resultCount(n) {
  return n === 0 ? "No results" : n === 1 ? "1 result" : `${n} results`;
}

function isTypingTarget(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
}

/** Runs searches for one input, keeping only the answer to the latest query. */
class Searcher {
  constructor(render) {
    this.render = render;
    this.generation = 0;
    this.query = "";
  }

  async run(query, limit) {
    const generation = ++this.generation;
    this.query = query;
    try {
      const results = await search(query, { limit });
      if (generation === this.generation) this.render(query, results, null);
    } catch (error) {
      if (generation === this.generation) this.render(query, [], error);
    }
  }
}

/** The header box: an ARIA 1.2 combobox with a listbox popup. */
class HeaderBox {
  constructor(form) {
    this.form = form;
    this.input = form.querySelector("input[type='search']");
    this.panel = form.querySelector(".vs-search__panel");
    this.list = form.querySelector("[role='listbox']");
    this.count = form.querySelector(".vs-search__count");
    this.mode = form.querySelector(".vs-search__mode");
    this.all = form.querySelector(".vs-search__all");
    this.results = [];
    this.active = -1;
    this.searcher = new Searcher((query, results, error) => this.show(query, results, error));

    this.input.addEventListener("focus", () => {
      startSemantic();
      if (this.input.value.trim()) this.update();
    });
    this.input.addEventListener("input", () => {
      // Wait for a pause in typing: no index shards fetched for "r", "re", "reb"...
      clearTimeout(this.typing);
      this.typing = setTimeout(() => this.update(), TYPING_PAUSE_MS);
    });
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    form.addEventListener("focusout", (event) => {
      if (!form.contains(event.relatedTarget)) this.close();
    });
    form.addEventListener("submit", (event) => {
      if (!this.input.value.trim()) event.preventDefault();
    });
    this.list.addEventListener("mousedown", (event) => event.preventDefault());
    listeners.add(() => {
      this.mode.textContent = modeText();
      if (!this.panel.hidden && this.input.value.trim()) this.update();
    });
    this.mode.textContent = modeText();
  }

  update() {
    const query = this.input.value;
    this.all.href = sitePath("search/") + (query.trim() ? `?q=${encodeURIComponent(query)}` : "");
    if (!query.trim()) {
      this.searcher.generation++;
      this.results = [];
      this.close();
      return;
    }
    this.searcher.run(query, HEADER_LIMIT);
  }

  show(query, results, error) {
    const keep = this.active >= 0 ? this.results[this.active]?.url : null;
    this.results = results;
    this.list.replaceChildren(...results.map((result, i) => this.option(result, i)));
    this.count.textContent = error ? "Search is unavailable" : resultCount(results.length);
    this.mode.textContent = modeText();
    if (document.activeElement === this.input) this.open();
    const index = keep ? results.findIndex((r) => r.url === keep) : -1;
    this.setActive(index);
  }

  option(result, i) {
    const item = el("li", "vs-search__option");
    item.id = `${this.list.id}-${i}`;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    const link = el("a", "vs-search__link");
    link.href = result.href;
    link.tabIndex = -1;
    link.append(el("span", "vs-search__title", result.title));
    if (result.date) link.append(el("span", "vs-search__date", result.date));
    if (result.summary) link.append(el("span", "vs-search__snippet", result.summary));
    item.append(link);
    item.addEventListener("mousemove", () => { if (this.active !== i) this.setActive(i); });
    return item;
  }

  open() {
    this.panel.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  }

  close() {
    this.panel.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.setActive(-1);
  }

  setActive(index) {
    const options = this.list.children;
    if (this.active >= 0 && options[this.active]) {
      options[this.active].setAttribute("aria-selected", "false");
    }
    this.active = index >= 0 && index < options.length ? index : -1;
    if (this.active >= 0) {
      const option = options[this.active];
      option.setAttribute("aria-selected", "true");
      this.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  onKey(event) {
    if (event.isComposing) return;
    const n = this.results.length;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp": {
        event.preventDefault();
        if (this.panel.hidden) {
          if (this.input.value.trim()) this.update();
          return;
        }
        if (!n) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        let next = this.active + step;
        if (this.active < 0 && step < 0) next = n - 1;
        if (next >= n || next < -1) next = -1;
        this.setActive(next);
        return;
      }
      case "Enter":
        if (!this.panel.hidden && this.active >= 0) {
          event.preventDefault();
          location.assign(this.results[this.active].href);
        }
        return; // otherwise the form goes to the search page
      case "Escape":
        event.preventDefault();
        this.searcher.generation++; // an answer still on its way must not reopen the popup
        if (!this.panel.hidden) this.close();
        else if (this.input.value) this.input.value = "";
        return;
      default:
    }
  }
}

/** The /search/ page: its own box, results as a plain list of links, `?q=` in the address. */
class SearchPage {
  constructor(root) {
    this.input = root.querySelector("input[type='search']");
    this.count = root.querySelector(".vs-results__count");
    this.mode = root.querySelector(".vs-results__mode");
    this.list = root.querySelector(".vs-results__list");
    this.more = root.querySelector(".vs-results__more");
    this.limit = PAGE_STEP;
    this.searcher = new Searcher((query, results, error) => this.show(query, results, error));
    root.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.update(true);
    });
    this.input.addEventListener("focus", () => startSemantic());
    this.input.addEventListener("input", () => {
      this.limit = PAGE_STEP;
      clearTimeout(this.typing);
      this.typing = setTimeout(() => this.update(false), TYPING_PAUSE_MS);
    });
    this.more.addEventListener("click", () => {
      this.limit += PAGE_STEP;
      this.searcher.run(this.input.value, this.limit);
    });
    listeners.add(() => {
      this.mode.textContent = modeText();
      if (this.input.value.trim()) this.searcher.run(this.input.value, this.limit);
    });
    this.mode.textContent = modeText();
    const query = new URLSearchParams(location.search).get("q") ?? "";
    this.input.value = query;
    this.input.focus({ preventScroll: true });
    if (query.trim()) this.update(false);
  }

  update(push) {
    const query = this.input.value;
    const url = new URL(location.href);
    if (query.trim()) url.searchParams.set("q", query); else url.searchParams.delete("q");
    if (url.href !== location.href) history[push ? "pushState" : "replaceState"](null, "", url);
    if (!query.trim()) {
      this.searcher.generation++;
      this.list.replaceChildren();
      this.count.textContent = "";
      this.more.hidden = true;
      return;
    }
    this.searcher.run(query, this.limit);
  }

  show(query, results, error) {
    this.list.replaceChildren(...results.map((result) => {
      const item = el("li", "vs-results__item");
      const heading = el("h2", "vs-results__title");
      const link = el("a", null, result.title);
      link.href = result.href;
      heading.append(link);
      item.append(heading);
      if (result.date) item.append(el("p", "vs-results__date", result.date));
      if (result.summary) item.append(el("p", "vs-results__snippet", result.summary));
      return item;
    }));
    this.count.textContent = error ? "Search is unavailable" : resultCount(results.length);
    this.mode.textContent = modeText();
    this.more.hidden = Boolean(error) || results.length < this.limit;
  }
}

function focusShortcut(event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.defaultPrevented || isTypingTarget(event.target)) return;
  const input = document.querySelector("[data-vs-search-page] input[type='search']")
    ?? document.querySelector("[data-vs-search] input[type='search']");
  if (!input) return;
  event.preventDefault();
  input.focus();
  input.select();
}

function init() {
  document.querySelectorAll("form[data-vs-search]").forEach((form) => new HeaderBox(form));
  document.querySelectorAll("[data-vs-search-page]").forEach((root) => new SearchPage(root));
  document.addEventListener("keydown", focusShortcut);
}

window.vibesiteSearch = {
  ready, // resolves true once semantic search is on, false if it cannot be (never rejects)
  state, // live: {manifest, semantic, error, loadMs, embedMs}
  search,
  embed,
  tokenize,
  words,
  shardOf,
  load: startSemantic, // start loading the semantic model now (as a box's first focus does)
};

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init, { once: true });
} else {
  init();
}
