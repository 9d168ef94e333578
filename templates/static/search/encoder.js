// The query encoder as the page uses it: ./model.js run in a Web Worker (./encoder-worker.js,
// which fetches the model's files itself, so that neither reading 37 MB nor the session blocks
// the page), or on this thread where the browser has no workers.
//
// In: the manifest's `model` entry, a loader (./loader.js), the URL of search/vendor/, and
// onBytes(n), told the size of the model, tokenizer and runtime bytes as they arrive.
// Out: startEncoder(...) -> a promise of {embed(text) -> a promise of the query's unit vector
// (Float64Array)}, like model.js's loadEncoder; it rejects when the model cannot start.

import { filesLoader, loadEncoder } from "./model.js";

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

export async function startEncoder(model, loader, vendor, onBytes = () => {}) {
  const wasmUrl = vendor + RUNTIME_WASM;
  if (typeof Worker !== "function") {
    const [onnx, tokenizer, wasm] = await Promise.all([
      loader.file(model.onnx, "bytes", onBytes),
      loader.file(model.tokenizer, "bytes", onBytes),
      loader.file(wasmUrl, "bytes", onBytes),
    ]);
    [model.onnx, model.tokenizer, wasmUrl].forEach((name) => loader.forget(name));
    const files = { [model.onnx]: onnx, [model.tokenizer]: tokenizer };
    return loadEncoder(model, filesLoader(files), vendor, wasm);
  }
  const worker = new Worker(new URL("./encoder-worker.js", import.meta.url), { type: "module" });
  const call = workerCalls(worker, onBytes);
  const urls = { onnx: loader.url(model.onnx), tokenizer: loader.url(model.tokenizer),
    wasm: loader.url(wasmUrl) };
  try {
    await call({ type: "load", model, vendor, urls });
  } catch (error) {
    worker.terminate();
    throw error;
  }
  let next = 0;
  return { embed: async (text) => (await call({ type: "embed", id: next++, text })).vector };
}
