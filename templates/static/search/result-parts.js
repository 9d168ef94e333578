// The parts of a search's results that come from files: each doc's record and its excerpt (its
// sections, cut by ./excerpt.js), made once per search. With a query, both come from the doc's
// search/text/ shard (one fetch); without, the record from its (smaller) search/docs/ shard.
//
// A search may ask for the docs it will most likely show before its ranking is known
// (prefetch): their shards then load, and their excerpts are made, while the query is still
// being embedded and scored, instead of one more round trip after it. What a search shows is
// unchanged: parts(docs) gives the same records and excerpts either way.
//
// In: the manifest, a loader (./loader.js) and the query {terms, stem} whose words the excerpts
// mark (null: no excerpts, and only records fetched).
// Out: resultParts(...) -> {prefetch(docs) -> a promise of their loading's end (never
// rejected), parts(docs) -> a promise of [{record, anchor, html}] in the order of `docs`}
// (record: {url, title, date, summary}; anchor and html: "" with no query); nextTask() -> a
// promise resolved once the browser has run other tasks.

import { excerpt } from "./excerpt.js";

/** Let the browser run other tasks (input, paint) before going on. */
export const nextTask = () => (globalThis.scheduler?.yield ? globalThis.scheduler.yield()
  : new Promise((resolve) => { setTimeout(resolve, 0); }));

const NO_EXCERPT = { anchor: "", html: "" };

export function resultParts(index, loader, query) {
  const made = new Map(); // doc -> promise of {record, anchor, html}

  function part(doc) {
    let promise = made.get(doc);
    if (!promise) {
      // Each excerpt in a task of its own: one reads a whole article's text (up to 20,000
      // characters), and Lighthouse's Total Blocking Time counts every task over 50 ms.
      promise = query ? loader.texts(index, [doc]).then(async ([{ sections, ...record }]) => {
        await nextTask();
        return { record, ...excerpt(sections, query.terms, query.stem) };
      }) : loader.docs(index, [doc]).then(([record]) => ({ record, ...NO_EXCERPT }));
      made.set(doc, promise);
    }
    return promise;
  }

  /** Start loading the parts of `docs`; a failure is forgotten, so parts() asks again. A
   *  promise resolved once all have loaded or failed (it never rejects). */
  function prefetch(docs) {
    return Promise.all(docs.map((doc) => {
      const promise = part(doc);
      return promise.catch(() => { if (made.get(doc) === promise) made.delete(doc); });
    }));
  }

  function parts(docs) {
    return Promise.all(docs.map(part));
  }

  return { prefetch, parts };
}
