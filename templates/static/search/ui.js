// The search user interface: the header search box (every page) and the /search/ page.
//
// In: the page's DOM (form[data-vs-search], [data-vs-search-page]; see templates/base.html and
// templates/search.html), an engine (./engine.js) and sitePath(relative) -> link.
// Out: init(engine, sitePath) wires every box on the page and the "/" shortcut. Results are
// built with DOM text nodes only (never innerHTML with content).
//
// A calm list (issue 12): results never move under the reader's pointer or focus. The search
// page paints the keyword list at once (merged with semantic ranking when that is ready, or
// becomes ready within SETTLE_MS); the model's download starts only after that first paint.
// When semantic ranking arrives later, the merged list replaces the keyword list only if the
// reader has not touched it (pointer, focus, scroll, More results); otherwise a button offers
// the updated list, in a slot the page reserves so that nothing shifts. The download's
// progress shows in MB of the total in the polite status region, at most once a second.

const MODE_TEXT = {
  keyword: "Keyword results",
  loading: "Loading semantic model…",
  hybrid: "Semantic + keyword results",
};
const HEADER_LIMIT = 8;
const PAGE_STEP = 20;
const TYPING_PAUSE_MS = 120; // search once typing pauses this long
const SETTLE_MS = 250; // the search page's first list waits this long for a loading model
const PROGRESS_EVERY_MS = 1000; // the polite region's download progress, at most this often

function modeText(state) {
  if (state.semantic === "ready") return MODE_TEXT.hybrid;
  if (state.semantic === "loading") {
    return state.downloadBytes
      ? `${MODE_TEXT.loading} ${downloadText(state.downloaded, state.downloadBytes)}`
      : MODE_TEXT.loading;
  }
  return MODE_TEXT.keyword;
}

/** "3 of 21 MB": the bytes fetched of the model download's total. */
export function downloadText(done, total) {
  const digits = total < 1e7 ? 1 : 0;
  return `${(Math.min(done, total) / 1e6).toFixed(digits)} of ${(total / 1e6).toFixed(digits)} MB`;
}

/** Keep `node` showing the engine's mode: on every change of state, and as the model's bytes
 *  arrive at most every PROGRESS_EVERY_MS (a polite live region must not chatter). */
function showMode(engine, node) {
  let shown = 0;
  const show = () => {
    shown = performance.now();
    node.textContent = modeText(engine.state);
  };
  engine.listeners.add(show);
  engine.progress.add(() => {
    const now = performance.now();
    const done = engine.state.downloaded >= (engine.state.downloadBytes ?? Infinity);
    if (done || now - shown >= PROGRESS_EVERY_MS) show();
  });
  show();
}

const delay = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** After the browser has painted what is on the page now. */
const afterPaint = () => new Promise((resolve) => {
  requestAnimationFrame(() => setTimeout(resolve, 0));
});

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null && text !== "") node.textContent = text;
  return node;
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', "#x27": "'" };

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
function snippet(tag, className, result) {
  const node = el(tag, className);
  if (result.excerpt) node.append(...excerptNodes(result.excerpt));
  else node.textContent = result.summary;
  return node;
}

function resultCount(n, query) {
  if (n === 0) return `No results for \u2018${query.trim()}\u2019`;
  return n === 1 ? "1 result" : `${n} results`;
}

/** The reader's browser asks to save data (Save-Data, or a 2G connection). */
export function savingData(connection = globalThis.navigator?.connection) {
  return Boolean(connection && (connection.saveData || /(^|-)2g$/.test(connection.effectiveType ?? "")));
}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/** On the first typed query: load the semantic model, or, when the site wants it on demand
 *  or the reader saves data, offer a button that does (placed after `anchor`, or in it when
 *  `anchor` is an empty slot the page reserves). Once. */
function semanticOnFirstQuery(engine, anchor) {
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
    const size = model.downloadBytes ? ` (${megabytes(model.downloadBytes)})` : "";
    const button = el("button", "vs-search__semantic button", `Add semantic search${size}`);
    button.type = "button";
    button.addEventListener("click", () => { button.remove(); engine.load(); });
    if (anchor.dataset.slot !== undefined) anchor.append(button);
    else anchor.after(button);
  };
}

/** The reader is pointing at or focused in `list`: a new ranking must not move it. */
function inUse(list) {
  return list.contains(document.activeElement) || list.matches(":hover");
}

function isTypingTarget(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
}

/** Runs searches for one input, keeping only the answer to the latest query. */
class Searcher {
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

/** The header box: an ARIA 1.2 combobox with a listbox popup. */
class HeaderBox {
  constructor(form, engine, sitePath) {
    this.form = form;
    this.engine = engine;
    this.sitePath = sitePath;
    this.input = form.querySelector("input[type='search']");
    this.panel = form.querySelector(".vs-search__panel");
    this.list = form.querySelector("[role='listbox']");
    this.count = form.querySelector(".vs-search__count");
    this.mode = form.querySelector(".vs-search__mode");
    this.all = form.querySelector(".vs-search__all");
    this.results = [];
    this.active = -1;
    this.searcher = new Searcher(engine,
      (query, results, total, error) => this.show(query, results, total, error));
    const firstQuery = semanticOnFirstQuery(engine, this.all);

    this.input.addEventListener("focus", () => {
      if (this.input.value.trim()) this.update();
    });
    this.input.addEventListener("input", () => {
      if (this.input.value.trim()) firstQuery();
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
    engine.listeners.add(() => {
      // Semantic ranking arrived: merge it in, unless the reader is using the list.
      if (!this.panel.hidden && this.input.value.trim() && this.active < 0 && !inUse(this.list)) {
        this.update();
      }
    });
    showMode(engine, this.mode);
  }

  update() {
    const query = this.input.value;
    this.all.href = this.sitePath("search/") + (query.trim() ? `?q=${encodeURIComponent(query)}` : "");
    if (!query.trim()) {
      this.searcher.generation++;
      this.results = [];
      this.close();
      return;
    }
    this.searcher.run(query, HEADER_LIMIT);
  }

  show(query, results, total, error) {
    const keep = this.active >= 0 ? this.results[this.active]?.url : null;
    this.results = results;
    this.list.replaceChildren(...results.map((result, i) => this.option(result, i)));
    this.count.textContent = error ? "Search is unavailable" : resultCount(total, query);
    this.mode.textContent = modeText(this.engine.state);
    if (document.activeElement === this.input) this.open();
    const index = keep ? results.findIndex((r) => r.url === keep) : -1;
    this.setActive(index);
  }

  option(result, i) {
    const item = el("li", "vs-search__option");
    item.id = `${this.list.id}-${i}`;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    // No link inside an option (ARIA: an option holds no interactive content); choosing the
    // option (click, or Enter on the active one) opens the result.
    item.dataset.href = result.href;
    const link = el("span", "vs-search__link");
    link.append(el("span", "vs-search__title", result.title));
    if (result.date) link.append(el("span", "vs-search__date", result.date));
    if (result.excerpt || result.summary) link.append(snippet("span", "vs-search__snippet", result));
    item.append(link);
    item.addEventListener("mousemove", () => { if (this.active !== i) this.setActive(i); });
    item.addEventListener("click", () => location.assign(result.href));
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
        clearTimeout(this.typing); // nor may a search still waiting for the typing pause
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
  constructor(root, engine) {
    this.engine = engine;
    this.input = root.querySelector("input[type='search']");
    this.count = root.querySelector(".vs-results__count");
    this.mode = root.querySelector(".vs-results__mode");
    this.list = root.querySelector(".vs-results__list");
    this.more = root.querySelector(".vs-results__more");
    this.slot = root.querySelector(".vs-results__notice");
    this.limit = PAGE_STEP;
    this.semantic = false; // the list shown has semantic ranking in it
    this.touched = false; // the reader has used the list shown (pointer, focus, scroll, More)
    this.searcher = new Searcher(engine,
      (query, results, total, error) => this.show(query, results, total, error));
    const firstQuery = semanticOnFirstQuery(engine, this.slot);
    root.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.update(true);
    });
    this.input.addEventListener("input", () => {
      if (this.input.value.trim()) firstQuery();
      this.limit = PAGE_STEP;
      clearTimeout(this.typing);
      this.typing = setTimeout(() => this.update(false), TYPING_PAUSE_MS);
    });
    this.more.addEventListener("click", () => {
      this.touched = true;
      this.limit += PAGE_STEP;
      this.searcher.run(this.input.value, this.limit, { semantic: this.semantic });
    });
    const touch = () => { this.touched = true; };
    for (const type of ["pointermove", "pointerdown", "focusin"]) {
      this.list.addEventListener(type, touch, { passive: true });
    }
    addEventListener("scroll", touch, { passive: true });
    engine.listeners.add(() => this.semanticArrived());
    showMode(engine, this.mode);
    const query = new URLSearchParams(location.search).get("q") ?? "";
    this.input.value = query;
    this.input.focus({ preventScroll: true });
    if (query.trim()) this.firstList(query, firstQuery);
  }

  /** The list for the address's query: merged if semantic ranking is ready within SETTLE_MS,
   *  else keyword; the model's download (when it is to start by itself) only once it shows. */
  async firstList(query, firstQuery) {
    if (this.engine.state.semantic === "loading") {
      await Promise.race([this.engine.ready, delay(SETTLE_MS)]);
    }
    await this.update(false);
    await afterPaint();
    firstQuery();
  }

  /** Semantic ranking is ready: merge it into the list shown, unless the reader is using it;
   *  then offer the merged list instead, if it differs. */
  async semanticArrived() {
    const query = this.input.value;
    if (this.engine.state.semantic !== "ready" || !query.trim() || this.semantic) return;
    if (!this.touched && !inUse(this.list)) {
      this.semantic = true;
      this.searcher.run(query, this.limit);
      return;
    }
    const generation = this.searcher.generation;
    const { hits, total } = await this.engine.results(query, { limit: this.limit });
    if (generation !== this.searcher.generation) return; // a newer search has been shown
    const shown = [...this.list.querySelectorAll(".vs-results__title a")];
    const same = hits.length === shown.length
      && hits.every((hit, i) => shown[i].getAttribute("href") === hit.href);
    if (same) {
      this.semantic = true;
      this.count.textContent = resultCount(total, query);
      this.more.hidden = hits.length >= total;
      return;
    }
    const button = el("button", "vs-results__updated button",
      "Updated results with semantic ranking: show them");
    button.type = "button";
    button.addEventListener("click", async () => {
      this.semantic = true;
      this.touched = false;
      await this.searcher.run(query, this.limit);
      button.remove();
      this.list.querySelector("a")?.focus();
    });
    this.slot.replaceChildren(button);
  }

  async update(push) {
    const query = this.input.value;
    const url = new URL(location.href);
    if (query.trim()) url.searchParams.set("q", query); else url.searchParams.delete("q");
    if (url.href !== location.href) history[push ? "pushState" : "replaceState"](null, "", url);
    this.semantic = this.engine.state.semantic === "ready";
    this.touched = false;
    this.slot.querySelector(".vs-results__updated")?.remove();
    if (!query.trim()) {
      this.searcher.generation++;
      this.list.replaceChildren();
      this.count.textContent = "";
      this.more.hidden = true;
      return;
    }
    await this.searcher.run(query, this.limit);
  }

  show(query, results, total, error) {
    this.list.replaceChildren(...results.map((result) => {
      const item = el("li", "vs-results__item");
      const heading = el("h2", "vs-results__title");
      const link = el("a", null, result.title);
      link.href = result.href;
      heading.append(link);
      item.append(heading);
      if (result.date) item.append(el("p", "vs-results__date", result.date));
      if (result.excerpt || result.summary) item.append(snippet("p", "vs-results__snippet", result));
      return item;
    }));
    this.count.textContent = error ? "Search is unavailable" : resultCount(total, query);
    this.mode.textContent = modeText(this.engine.state);
    this.more.hidden = Boolean(error) || results.length >= total;
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

/** Wire every search box of the page to `engine`, and "/" to focus one. */
export function init(engine, sitePath) {
  document.querySelectorAll("form[data-vs-search]")
    .forEach((form) => new HeaderBox(form, engine, sitePath));
  document.querySelectorAll("[data-vs-search-page]")
    .forEach((root) => new SearchPage(root, engine));
  document.addEventListener("keydown", focusShortcut);
}
