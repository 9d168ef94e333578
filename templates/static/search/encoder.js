// The query encoder and the passage vectors as the page uses them: ./model.js and the scoring
// of ./codes.js run in a Web Worker (./encoder-worker.js, which fetches the model's files and
// the vectors itself, so that neither reading 37 MB, nor the session, nor scoring thousands of
// passages blocks the page), or on this thread where the browser has no workers.
//
// In: the manifest (its `model` entry, vectors, passage counts, sizes and `candidates`), a
// loader (./loader.js), the URL of search/vendor/, and onBytes(n), told the size of the model,
// tokenizer, runtime and vector bytes as they arrive.
// Out: startEncoder(...) -> a promise of {embed(text) -> a promise of the query's unit vector
// (Float64Array), rank(text) -> a promise of {vector, scores, embedMs}: the vector, every doc's
// semantic scores and the best `candidates` docs (./codes.js semanticScores) and the
// embedding's milliseconds}; it rejects when the model or the vectors cannot load;
// webAssemblyAvailable() (./model.js). ./engine.js imports this module only when the model
// starts loading.

import { semanticScores } from "./codes.js";
import { filesLoader, loadEncoder } from "./model.js";

export { webAssemblyAvailable } from "./model.js";

export const RUNTIME_WASM = "onnxruntime-web/ort-wasm-simd-threaded.wasm";

/** The worker, answering one message at a time: call(message) -> its answer. */
function workerCalls(worker, onBytes) {
  const waiting = [];
  const settle = (answer) => {
    const next = waiting.shift();
    if (!next) return;
    if (answer.type === "failed") next.reject(new Error(answer.message));
    else next.resolve(answer);
  };
  worker.addEventListener("message", ({ data }) => {
    if (data.type === "progress") onBytes(data.bytes);
    else settle(data);
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    settle({ type: "failed", message: event.message || "the encoder's worker failed" });
  });
  return (message) => new Promise((resolve, reject) => {
    waiting.push({ resolve, reject });
    worker.postMessage(message);
  });
}

/** The encoder and the vectors on this thread (a browser without workers). */
async function startHere(index, loader, vendor, onBytes) {
  const { model } = index;
  const wasmUrl = vendor + RUNTIME_WASM;
  const [onnx, tokenizer, wasm, vectors] = await Promise.all([
    loader.file(model.onnx, "bytes", onBytes),
    loader.file(model.tokenizer, "bytes", onBytes),
    loader.file(wasmUrl, "bytes", onBytes),
    loader.vectors(index, onBytes),
  ]);
  [model.onnx, model.tokenizer, wasmUrl].forEach((name) => loader.forget(name));
  const files = { [model.onnx]: onnx, [model.tokenizer]: tokenizer };
  const encoder = await loadEncoder(model, filesLoader(files), vendor, wasm);
  return {
    embed: encoder.embed,
    rank: async (text) => {
      const started = performance.now();
      const vector = await encoder.embed(text);
      const embedMs = performance.now() - started;
      return { vector, embedMs, scores: semanticScores(vectors, vector,
        index.fusion.passage_mean, index.candidates) };
    },
  };
}

export async function startEncoder(index, loader, vendor, onBytes = () => {}) {
  if (typeof Worker !== "function") return startHere(index, loader, vendor, onBytes);
  const { model } = index;
  const worker = new Worker(new URL("./encoder-worker.js", import.meta.url), { type: "module" });
  const call = workerCalls(worker, onBytes);
  const urls = {
    onnx: loader.url(model.onnx),
    tokenizer: loader.url(model.tokenizer),
    wasm: loader.url(vendor + RUNTIME_WASM),
    vectors: loader.url(index.vectors),
    counts: loader.url(index.passages.counts),
  };
  const sizes = { dim: index.dim, count: index.count, bits: index.vector_bits,
    passages: index.passages.count };
  try {
    await call({ type: "load", model, vendor, urls, sizes, candidates: index.candidates,
      passageMean: index.fusion.passage_mean });
  } catch (error) {
    worker.terminate();
    throw error;
  }
  let next = 0;
  return {
    embed: async (text) => (await call({ type: "embed", id: next++, text })).vector,
    rank: async (text) => {
      const { vector, scores, embedMs } = await call({ type: "rank", id: next++, text });
      return { vector, scores, embedMs };
    },
  };
}
