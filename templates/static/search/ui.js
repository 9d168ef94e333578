// The search user interface: the header search box (every page) and the /search/ page.
//
// In: the page's DOM (form[data-vs-search], [data-vs-search-page]; see templates/base.html and
// templates/search.html), an engine (./engine.js) and sitePath(relative) -> link.
// Out: init(engine, sitePath) wires every box on the page and the "/" shortcut. Results are
// built with DOM text nodes only (never innerHTML with content).
//
// A calm list (issue 12): results never move under the reader's pointer or focus. The header
// box re-ranks its open list when semantic ranking arrives only if the reader is not pointing
// at or moving through it. The search page paints the keyword list at once (merged with
// semantic ranking when that is ready, or becomes ready within SETTLE_MS), and the model's
// download starts only after that first paint; when semantic ranking arrives later, a button
// offers the updated list (in a slot the page keeps, so nothing shifts) instead of replacing
// a list the reader may be reading. (Replacing it by itself also made Lighthouse take the new
// list as the page's largest paint, after the 37 MB download: 199 s on jbranchaud-til.) The
// download's progress shows in MB of the total in the polite status region, at most once a
// second.
// The /search/ page is ./results-page.js; the parts both use are in ./ui-parts.js.

import {
  HEADER_LIMIT,
  TYPING_PAUSE_MS,
  modeText,
  showMode,
  el,
  snippet,
  resultCount,
  semanticOnFirstQuery,
  inUse,
  isTypingTarget,
  Searcher,
} from "./ui-parts.js";
import { word } from "./words.js";
import { SearchPage } from "./results-page.js";

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
      engine.prime?.(this.input.value); // the query's embedding need not wait for the pause
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
    this.count.textContent = error ? word("unavailable") : resultCount(total, query);
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
