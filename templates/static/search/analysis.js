// Text analysis: exactly what vibesite/search/analysis.py does, so that a query typed in the
// browser finds the terms the index was built from.
//
// In: any text. Out:
// - words(text): the tokens before stemming: NFKC, lowercase, maximal runs of Unicode letters,
//   numbers and marks, tokens over MAX_TOKEN_CHARS code points dropped;
// - createTokenizer(stemmerUrl)(text): a promise of the stemmed terms, in order, with repeats
//   (the Snowball English stemmer, vendored as an ES module, is imported on the first call);
// - fnv1a32(text): FNV-1a 32-bit over the UTF-8 bytes; shardOf(term, n): the lexical shard of a
//   stemmed term.
// Pure: nothing here touches the page or the network when imported.

export const MAX_TOKEN_CHARS = 40;
/** The stemmer module, relative to the search/vendor/ folder. */
export const STEMMER_MODULE = "snowball-stemmers/snowball-english.mjs";
const STEM_MEMO_SIZE = 50000;

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

/** A tokenize(text) -> Promise<stemmed terms> (Python: analysis.tokenize) whose stemmer is
 *  the English one of the module at `stemmerUrl`, imported on first use (again after a failed
 *  import). */
export function createTokenizer(stemmerUrl) {
  let loading = null;
  const loadStem = () => {
    if (!loading) {
      loading = import(stemmerUrl).then((mod) => memoizedStem(mod.newStemmer("english")));
      loading.catch(() => { loading = null; });
    }
    return loading;
  };
  return async (text) => {
    const stem = await loadStem();
    return words(text).map(stem);
  };
}

const utf8 = new TextEncoder();

/** FNV-1a 32-bit over the UTF-8 bytes of `text` (Python: analysis.fnv1a_32). */
export function fnv1a32(text) {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Which lexical shard holds a stemmed term (Python: analysis.shard_of). */
export function shardOf(term, nShards) {
  return fnv1a32(term) % nShards;
}
