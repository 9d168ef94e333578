// The /search/ page (templates/search.html): its own box, results as a plain list of links,
// `?q=` in the address, and a calm list (see ./ui.js).
//
// In: the page's [data-vs-search-page] element and an engine (./engine.js).
// Out: new SearchPage(root, engine) wires the page.

import {
  PAGE_STEP,
  TYPING_PAUSE_MS,
  SETTLE_MS,
  modeText,
  showMode,
  delay,
  afterPaint,
  el,
  snippet,
  resultCount,
  semanticOnFirstQuery,
  Searcher,
} from "./ui-parts.js";
import { word } from "./words.js";

/** The /search/ page: its own box, results as a plain list of links, `?q=` in the address. */
export class SearchPage {
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
    this.searcher = new Searcher(engine,
      (query, results, total, error) => this.show(query, results, total, error));
    const firstQuery = semanticOnFirstQuery(engine, this.slot);
    root.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.update(true);
    });
    this.input.addEventListener("input", () => {
      if (this.input.value.trim()) firstQuery();
      engine.prime?.(this.input.value); // the query's embedding need not wait for the pause
      this.limit = PAGE_STEP;
      clearTimeout(this.typing);
      this.typing = setTimeout(() => this.update(false), TYPING_PAUSE_MS);
    });
    this.more.addEventListener("click", () => {
      this.limit += PAGE_STEP;
      this.searcher.run(this.input.value, this.limit, { semantic: this.semantic });
    });
    engine.listeners.add(() => this.semanticArrived());
    showMode(engine, this.mode, () => this.modeNow());
    const query = new URLSearchParams(location.search).get("q") ?? "";
    this.input.value = query;
    this.input.focus({ preventScroll: true });
    if (query.trim()) this.firstList(firstQuery);
  }

  /** The list for the address's query: merged if semantic ranking is ready within SETTLE_MS,
   *  else keyword; the model's download (when it is to start by itself) only once it shows. */
  async firstList(firstQuery) {
    if (this.engine.state.semantic === "loading") {
      await Promise.race([this.engine.ready, delay(SETTLE_MS)]);
    }
    await this.update(false);
    await afterPaint();
    firstQuery();
  }

  /** What the list shown is: keyword results while an updated list waits to be shown. */
  modeNow() {
    const { state } = this.engine;
    return state.semantic === "ready" && !this.semantic ? word("keyword") : modeText(state);
  }

  /** Semantic ranking is ready. A list on the page is never replaced by itself: the reader
   *  may be reading it, pointing at it or in it. When the merged ranking orders it
   *  differently, a button offers the updated list; when it orders it the same, only the count
   *  changes. An empty list (no keyword match) simply gets the merged results. The merged
   *  ranking is compared without its excerpts: they are made (each stems a whole article)
   *  only for a list that is shown. */
  async semanticArrived() {
    const query = this.input.value;
    if (this.engine.state.semantic !== "ready" || !query.trim() || this.semantic) return;
    if (!this.list.children.length) { // nothing shown to move
      this.semantic = true;
      await this.searcher.run(query, this.limit);
      return;
    }
    const generation = ++this.searcher.generation; // this answer replaces any on its way
    let answer;
    try {
      answer = await this.engine.results(query, { limit: this.limit, excerpts: false });
    } catch {
      return; // the keyword list stays
    }
    if (generation !== this.searcher.generation) return; // the reader searched again
    const { hits, total } = answer;
    // without excerpts a link has no #section: the pages and their order are compared
    const shown = [...this.list.children].map((item) => item.dataset.url);
    const same = hits.length === shown.length && hits.every((hit, i) => shown[i] === hit.url);
    if (same) {
      this.semantic = true;
      this.count.textContent = resultCount(total, query);
      this.mode.textContent = this.modeNow();
      this.more.hidden = hits.length >= total;
      return;
    }
    const button = el("button", "vs-results__updated button",
      word("updated"));
    button.type = "button";
    button.addEventListener("click", async () => {
      this.semantic = true;
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
      item.dataset.url = result.url; // the page, whatever section the link names
      const heading = el("h2", "vs-results__title");
      const link = el("a", null, result.title);
      link.href = result.href;
      heading.append(link);
      item.append(heading);
      if (result.date) item.append(el("p", "vs-results__date", result.date));
      if (result.excerpt || result.summary) item.append(snippet("p", "vs-results__snippet", result));
      return item;
    }));
    this.count.textContent = error ? word("unavailable") : resultCount(total, query);
    this.mode.textContent = this.modeNow();
    this.more.hidden = Boolean(error) || results.length >= total;
  }
}
