// The query encoder's Web Worker: ./model.js's ONNX session and tokenizer, off the page's main
// thread. With them on the main thread, compiling the runtime and the model blocked the search
// page for 11 s of Lighthouse's Total Blocking Time (mobile, simulated 4x slower CPU); here
// they block nothing the reader does. Started by ./encoder.js (a module worker).
//
// In: one message {type: "load", model, vendor, files: {[model.onnx]: bytes, [model.tokenizer]:
// bytes}, wasm: the runtime's bytes} (the manifest's model entry, the search/vendor/ URL, and
// ArrayBuffers the page fetched), then any number of {type: "embed", id, text}.
// Out: {type: "ready"} or {type: "failed", message} for the load; {type: "vector", id, vector}
// (a Float64Array) or {type: "failed", id, message} for each embed, in the order asked (one
// inference at a time, as one session runs one).

import { filesLoader, loadEncoder } from "./model.js";

let encoder = null;
let queue = Promise.resolve();

async function handle(data) {
  if (data.type === "load") {
    encoder = await loadEncoder(data.model, filesLoader(data.files), data.vendor, data.wasm);
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
