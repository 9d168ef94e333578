// templates/static/search/excerpt.js: the same excerpts and anchors as Python's
// vibesite.search.excerpt for the same sections and query (fixtures/excerpt.json).
import assert from "node:assert/strict";
import { test } from "node:test";

import { createTokenizer, STEMMER_MODULE } from "../../templates/static/search/analysis.js";
import { escapeHtml, excerpt } from "../../templates/static/search/excerpt.js";
import { VENDOR, fixture } from "./helpers.mjs";

const { cases } = fixture("excerpt.json");
const tokenize = createTokenizer(new URL(STEMMER_MODULE, VENDOR).href);

test("excerpt() picks Python's section and marks Python's words", async () => {
  const stem = await tokenize.stemmer();
  assert.ok(cases.length >= 8);
  for (const c of cases) {
    assert.deepEqual(await tokenize(c.query), c.terms, c.query);
    const got = c.sections.length ? excerpt(c.sections, c.terms, stem) : { anchor: "", html: "" };
    assert.deepEqual(got, { anchor: c.anchor, html: c.html }, c.query);
  }
});

test("the fixtures cover a cut excerpt, a later section, no match and escaping", () => {
  assert.ok(cases.some((c) => c.html.startsWith("…") && c.html.endsWith("…")));
  assert.ok(cases.some((c) => c.anchor !== ""));
  assert.ok(cases.some((c) => c.sections.length && !c.html.includes("<mark>")));
  assert.ok(cases.some((c) => c.html.includes("&lt;") && c.html.includes("&amp;")));
});

test("escapeHtml is Python's html.escape", () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;");
});
