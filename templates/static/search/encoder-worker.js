// The query encoder's Web Worker: it fetches the model, its tokenizer and the runtime's
// WebAssembly, and runs ./model.js's ONNX session, all off the page's main thread. With them
// on the main thread, the search page of jbranchaud-til had 10.8 s of Lighthouse's Total
// Blocking Time (mobile, simulated 4x slower CPU), and 1.65 s still with only the session in
// a worker and the 37 MB read by the page. Started by ./encoder.js (a module worker).
//
// In: one message {type: "load", model, vendor, urls: {onnx, tokenizer, wasm}} (the manifest's
// model entry, the search/vendor/ URL, and the three files' URLs), then any number of
// {type: "embed", id, text}.
// Out: {type: "progress", bytes} as the files arrive (bytes since the last one, at most every
// PROGRESS_MS); {type: "ready"} or {type: "failed", message} for the load; {type: "vector", id,
// vector} (a Float64Array) or {type: "failed", id, message} for each embed, in the order asked
// (one inference at a time, as one session runs one).

import { counted } from "./loader.js";
import { filesLoader, loadEncoder } from "./model.js";

const PROGRESS_MS = 200;
let encoder = null;
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
  return response.body ? counted(response.body, onBytes) : response.arrayBuffer();
}

async function handle(data) {
  if (data.type === "load") {
    const { model, urls } = data;
    const progress = progressReporter();
    const [onnx, tokenizer, wasm] = await Promise.all(
      [urls.onnx, urls.tokenizer, urls.wasm].map((url) => fetchBytes(url, progress.onBytes)));
    progress.flush();
    const files = { [model.onnx]: onnx, [model.tokenizer]: tokenizer };
    encoder = await loadEncoder(model, filesLoader(files), data.vendor, wasm);
    return { type: "ready" };
  }
  if (!encoder) throw new Error("the encoder is not loaded");
  return { type: "vector", id: data.id, vector: await encoder.embed(data.text) };
}

self.addEventListener("message", ({ data }) => {
  queue = queue.then(() => handle(data)).then(
    (answer) => self.postMessage(answer),
    (error) => self.postMessage({ type: "failed", id: data.id, message: String(error?.message ?? error) }));
});
