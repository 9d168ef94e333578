// Text analysis: exactly what vibesite/search/analysis.py does, so that a query typed in the
// browser finds the terms the index was built from.
//
// In: any text. Out:
// - words(text): the tokens before stemming: NFKC, lowercase, maximal runs of Unicode letters,
//   numbers and marks, tokens over MAX_TOKEN_CHARS code points dropped; runs of Han, Hiragana
//   and Katakana (CJK_RANGES) within a token become overlapping character pairs;
// - createTokenizer(stemmer)(text): a promise of the stemmed terms, in order, with repeats
//   (the Snowball stemmer of the index's language, vendored as one ES module per language,
//   stemmerModule(name), is imported on the first call; none: the words as they are);
// - languageStem(stemmer, name): a module's stemmer with the language's FOLDS and
//   DIGITS_UNSTEMMED (Python: analysis.stemmer);
// - stemAmong(stem, terms): the stemmer, skipping the words that cannot stem to one of terms;
// Pure: nothing here touches the page or the network when imported.

export const MAX_TOKEN_CHARS = 40;
/** The module of Snowball algorithm `name` ("french"), relative to the search/vendor/ folder
 *  (Python: analysis.stemmer_module). */
export function stemmerModule(name) {
  if (!/^[a-z]+$/.test(String(name))) throw new Error(`no stemmer module for ${name}`);
  return `snowball-stemmers/snowball-${name}.mjs`;
}
/** The English stemmer's module (the index's manifest names the site's: lexical.stemmer). */
export const STEMMER_MODULE = stemmerModule("english");
/** Characters replaced in a word before it is stemmed, and the algorithms that keep a word
 *  holding a digit as it is: what makes snowball-stemmers 0.6.0 stem like Python's
 *  snowballstemmer 2.x (Python: analysis.FOLDS, DIGITS_UNSTEMMED). */
export const FOLDS = { french: { "ë": "e", "ï": "i" }, russian: { "ё": "е" } };
export const DIGITS_UNSTEMMED = ["danish"];
/** The algorithms whose stem of a word starts with the word's first character (stemAmong);
 *  the others strip prefixes (Arabic, Irish), fold accents (German über -> uber) or letters. */
export const KEEPS_INITIAL = ["basque", "danish", "english", "hungarian", "norwegian",
  "romanian", "swedish"];
const STEM_MEMO_SIZE = 50000;

const TOKEN_RE = /[\p{L}\p{N}\p{M}]+/gu;
/** Han, Hiragana and Katakana (and 々〆〇): Python's analysis.CJK_RANGES. */
export const CJK_RANGES = [[0x3005, 0x3007], [0x3040, 0x30ff], [0x31f0, 0x31ff],
  [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff], [0x20000, 0x2fa1f]];
const hex = (cp) => `\\u{${cp.toString(16)}}`;
const CJK_RUN = new RegExp(`([${CJK_RANGES.map(([a, b]) => `${hex(a)}-${hex(b)}`).join("")}]+)`, "u");

const short = (token) => token.length <= MAX_TOKEN_CHARS || [...token].length <= MAX_TOKEN_CHARS;

/** A token's CJK runs as character pairs, the parts between them as they are. */
function cjkSplit(token, out) {
  token.split(CJK_RUN).forEach((part, i) => {
    if (i % 2 === 0) {
      if (part && short(part)) out.push(part);
      return;
    }
    const chars = [...part];
    if (chars.length === 1) out.push(part);
    for (let j = 0; j + 1 < chars.length; j += 1) out.push(chars[j] + chars[j + 1]);
  });
}

/** The tokens before stemming: NFKC, lowercase, runs of letters, numbers and marks; CJK runs
 *  as overlapping character pairs. */
export function words(text) {
  const lowered = String(text).normalize("NFKC").toLowerCase();
  const out = [];
  const cjk = CJK_RUN.test(lowered);
  for (const match of lowered.matchAll(TOKEN_RE)) {
    const token = match[0];
    if (cjk) cjkSplit(token, out);
    else if (short(token)) out.push(token);
  }
  return out;
}

/** Where the runs of letters, numbers and marks of `text` are, as it is (no NFKC, no
 *  lowercasing): [[start, end], ...] in UTF-16 units (Python: analysis.word_spans). */
export function wordSpans(text) {
  return Array.from(String(text).matchAll(TOKEN_RE), (m) => [m.index, m.index + m[0].length]);
}

/** `stemmer.stem`, remembering up to STEM_MEMO_SIZE words at a time. */
export function memoizedStem(stemmer) {
  const memo = new Map();
  return (word) => {
    let stem = memo.get(word);
    if (stem === undefined) {
      stem = stemmer.stem(word);
      if (memo.size > STEM_MEMO_SIZE) memo.clear();
      memo.set(word, stem);
    }
    return stem;
  };
}

/** A stem(word) that stems only the words whose stem may be one of `terms`, null for the rest
 *  (all of them, for a `stem` whose keepsInitial is false: see KEEPS_INITIAL): the Snowball
 *  English stem of a word as words() gives it (no apostrophe) starts with the
 *  word's first character (its changes are suffix changes, and the exceptions, such as dying ->
 *  die, keep it; checked on 101,306 words of the corpora and 2,000,000 random suffix chains),
 *  so a word whose first character starts none of them cannot stem to one. The excerpts and
 *  the page highlight stem every word of a text; this leaves them about one word in ten. */
export function stemAmong(stem, terms) {
  if (stem.keepsInitial === false) return stem;
  const initials = new Set([...terms].map((term) => term[0]));
  return (word) => (initials.has(word[0]) ? stem(word) : null);
}

/** The stemmer of a module (its newStemmer(name)) as Python's analysis.stemmer(name) stems:
 *  the language's FOLDS first, a word holding a digit kept under DIGITS_UNSTEMMED. */
export function languageStem(stemmer, name) {
  const fold = FOLDS[name];
  const foldRe = fold ? new RegExp(`[${Object.keys(fold).join("")}]`, "gu") : null;
  const keepDigits = DIGITS_UNSTEMMED.includes(name);
  return {
    stem: (word) => {
      if (keepDigits && /[0-9]/.test(word)) return word;
      return stemmer.stem(foldRe ? word.replace(foldRe, (c) => fold[c]) : word);
    },
  };
}

const unstemmed = (word) => word;

/** A tokenize(text) -> Promise<stemmed terms> (Python: analysis.tokenize) whose stemmer is
 *  that of the module at `stemmer`, a URL (its one algorithm: algorithms()[0]), imported on
 *  first use (again after a failed import); `stemmer` may be null (no stemming: the words as
 *  they are) or a function giving a promise of either (the manifest's stemmer, once it is
 *  known). tokenize.stemmer() is a promise of the stem(word) function itself; its keepsInitial
 *  says whether stemAmong may skip words by their first character. */
export function createTokenizer(stemmer) {
  let loading = null;
  const load = async () => {
    const url = typeof stemmer === "function" ? await stemmer() : stemmer;
    if (url === null || url === undefined) return unstemmed;
    const mod = await import(url);
    const name = mod.algorithms()[0];
    const stem = memoizedStem(languageStem(mod.newStemmer(name), name));
    stem.keepsInitial = KEEPS_INITIAL.includes(name);
    return stem;
  };
  const loadStem = () => {
    if (!loading) {
      loading = load();
      loading.catch(() => { loading = null; });
    }
    return loading;
  };
  const tokenize = async (text) => {
    const stem = await loadStem();
    return words(text).map(stem);
  };
  tokenize.stemmer = loadStem;
  return tokenize;
}
