// The query encoder's Web Worker: it fetches the model, its tokenizer, the runtime's WebAssembly
// and the passage vectors, runs ./model.js's ONNX session and scores the passages
// (./codes.js), all off the page's main thread. With them on the main thread, the search page
// of jbranchaud-til had 10.8 s of Lighthouse's Total Blocking Time (mobile, simulated 4x
// slower CPU), 1.65 s still with only the session in a worker and the 37 MB read by the page,
// and a 275 ms task with only the vectors' decoding and scoring on the page. Started by
// ./encoder.js (a module worker).
//
// In: one message {type: "load", model, vendor, urls: {onnx, tokenizer, wasm, vectors, counts},
// sizes: {dim, count, bits, passages}, passageMean, candidates} (the manifest's model entry, the
// search/vendor/ URL, the five files' URLs, the vectors' sizes, fusion.passage_mean and how many
// docs a semantic ranking keeps), then any number of {type: "embed", id, text} or
// {type: "rank", id, text}.
// Out: {type: "progress", bytes} as the files arrive (bytes since the last one, at most every
// PROGRESS_MS); {type: "ready"} or {type: "failed", message} for the load; for each embed
// {type: "vector", id, vector} (a Float64Array), for each rank {type: "ranked", id, vector,
// scores, embedMs} (./codes.js semanticScores: every doc's best passage and semantic scores and
// the best `candidates` docs, their buffers transferred; and the embedding's milliseconds), or
// {type: "failed", id, message}; in the order asked (one inference at a time, as one session
// runs one).

import { decodeVectors, semanticScores } from "./codes.js";
import { counted } from "./loader.js";
import { filesLoader, loadEncoder } from "./model.js";

const PROGRESS_MS = 200;
let encoder = null;
let vectors = null;
let candidates = 0;
let passageMean = 0;
let queue = Promise.resolve();

/** onBytes(n) for the fetches; their sum sent at most every PROGRESS_MS, and always in the
 *  end (a file may stop short while another still comes). */
function progressReporter() {
  let pending = 0;
  let timer = null;
  const flush = () => {
    clearTimeout(timer);
    timer = null;
    if (pending) self.postMessage({ type: "progress", bytes: pending });
    pending = 0;
  };
  const onBytes = (n) => {
    pending += n;
    timer ??= setTimeout(flush, PROGRESS_MS);
  };
  return { onBytes, flush };
}

async function fetchBytes(url, onBytes) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${url}`);
  return response.body && onBytes ? counted(response.body, onBytes) : response.arrayBuffer();
}

async function handle(data) {
  if (data.type === "load") {
    const { model, urls } = data;
    const progress = progressReporter();
    const [onnx, tokenizer, wasm, vectorBytes, counts] = await Promise.all([
      fetchBytes(urls.onnx, progress.onBytes),
      fetchBytes(urls.tokenizer, progress.onBytes),
      fetchBytes(urls.wasm, progress.onBytes),
      fetchBytes(urls.vectors, progress.onBytes),
      fetchBytes(urls.counts),
    ]);
    progress.flush();
    vectors = decodeVectors(vectorBytes, counts, data.sizes);
    candidates = data.candidates;
    passageMean = data.passageMean;
    const files = { [model.onnx]: onnx, [model.tokenizer]: tokenizer };
    encoder = await loadEncoder(model, filesLoader(files), data.vendor, wasm);
    return { type: "ready" };
  }
  if (!encoder) throw new Error("the encoder is not loaded");
  const started = performance.now();
  const vector = await encoder.embed(data.text);
  if (data.type === "embed") return { type: "vector", id: data.id, vector };
  const embedMs = performance.now() - started;
  return { type: "ranked", id: data.id, vector, embedMs,
    scores: semanticScores(vectors, vector, passageMean, candidates) };
}

/** The buffers of a rank answer's score arrays: moved to the page, not copied. */
const transferred = (answer) => (answer.scores
  ? [answer.scores.best.buffer, answer.scores.semantic.buffer, answer.scores.top.buffer] : []);

self.addEventListener("message", ({ data }) => {
  queue = queue.then(() => handle(data)).then(
    (answer) => self.postMessage(answer, transferred(answer)),
    (error) => self.postMessage({ type: "failed", id: data.id,
      message: String(error?.message ?? error) }));
});
