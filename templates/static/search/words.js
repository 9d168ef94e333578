// The search scripts' words in the page's language. English below; a page in another language
// (or a site that changed a word) hands its own in <script type="application/json"
// id="vs-words"> (vibesite.site.words: the [script] keys of templates/i18n/<language>.toml,
// only those that differ from English, with "lang" and "number_group").
//
// In: the page's words, if any. Out: word(key, values): the words filled in ({count} grouped
// as the language writes numbers, a plural chosen by Intl.PluralRules), groupNumber(n).

export const ENGLISH = {
  keyword: "Keyword results",
  loading: "Loading semantic model…",
  hybrid: "Semantic + keyword results",
  download: "{done} of {total} MB",
  no_results: "No results for ‘{query}’",
  results: { one: "{count} result", other: "{count} results" },
  unavailable: "Search is unavailable",
  add_semantic: "Add semantic search",
  add_semantic_size: "Add semantic search ({size} MB)",
  updated: "Updated results with semantic ranking: show them",
};

let onPage = null;

/** The page's words (its #vs-words JSON), {} when it has none or no document. */
export function pageWords() {
  if (onPage === null) {
    onPage = {};
    const node = globalThis.document?.getElementById("vs-words");
    try {
      if (node) onPage = JSON.parse(node.textContent);
    } catch {
      onPage = {}; // words a site mistyped: English rather than no search
    }
  }
  return onPage;
}

/** `n` with its thousands grouped by the words' number_group ("," in English). */
export function groupNumber(n, words = pageWords()) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, words.number_group ?? ",");
}

/** The words of `key`, `{name}` filled from `values` (Python: ThemeWords.text). */
export function word(key, values = {}, words = pageWords()) {
  let entry = words[key] ?? ENGLISH[key];
  if (entry !== null && typeof entry === "object") {
    const form = new Intl.PluralRules(words.lang ?? "en").select(values.count ?? 0);
    entry = entry[form] ?? entry.other;
  }
  const filled = { ...values };
  if (typeof values.count === "number") filled.count = groupNumber(values.count, words);
  return String(entry).replace(/\{(\w+)\}/g, (match, name) => (name in filled ? String(filled[name]) : match));
}
