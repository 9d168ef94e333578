// The query encoder: the site's int8 ONNX export of its sentence-transformers model, run by
// onnxruntime-web (WASM), with its tokenizer (@huggingface/tokenizers), both vendored.
//
// In: the manifest's `model` entry {onnx, tokenizer, max_length}, a loader (./loader.js, or
// filesLoader(files) of files already fetched) for those files, and the URL of the
// search/vendor/ folder. It runs where it is called: ./encoder.js calls it in a Web Worker.
// Out: loadEncoder(...) -> {embed(text) -> a promise of the query's unit vector (Float64Array)};
// encodeQuery(tokenizer, text, maxLength) -> {ids, typeIds}; poolAndNormalize(output) -> the
// unit vector of a model output (mean over tokens when it has a token axis).
// The runtime and tokenizer modules are imported only when loadEncoder is called.

export const ORT_MODULE = "onnxruntime-web/ort.wasm.min.mjs";
export const TOKENIZERS_MODULE = "tokenizers/tokenizers.min.mjs";

export function webAssemblyAvailable() {
  return typeof WebAssembly === "object" && WebAssembly !== null
    && typeof WebAssembly.instantiate === "function";
}

/** Encode `text` for a BERT-like model: truncated like `tokenizers` with max_length. */
export function encodeQuery(tokenizer, text, maxLength) {
  const tokens = tokenizer.tokenize(text, { add_special_tokens: false });
  const processed = (list) => (tokenizer.post_processor
    ? tokenizer.post_processor(list, null, true)
    : { tokens: list });
  const specials = processed([]).tokens.length;
  const kept = tokens.slice(0, Math.max(0, maxLength - specials));
  const { tokens: all, token_type_ids: typeIds } = processed(kept);
  const ids = all.map((t) => tokenizer.token_to_id(t) ?? tokenizer.model.unk_token_id);
  return { ids, typeIds: typeIds ?? ids.map(() => 0) };
}

/** The unit vector of a model output {dims, data}: [1, dim] as it is, [1, tokens, dim] averaged
 *  over the (unpadded) tokens first. */
export function poolAndNormalize(output) {
  const dim = output.dims[output.dims.length - 1];
  const vector = new Float64Array(dim);
  if (output.dims.length === 3) { // token embeddings: mean over the (unpadded) tokens
    const rows = output.dims[1];
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < dim; d++) vector[d] += output.data[r * dim + d];
    }
    for (let d = 0; d < dim; d++) vector[d] /= rows;
  } else {
    for (let d = 0; d < dim; d++) vector[d] = output.data[d];
  }
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += vector[d] * vector[d];
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < dim; d++) vector[d] /= norm;
  return vector;
}

/** A loader (as ./loader.js's file and forget) of files already fetched: `files` maps each
 *  name to its bytes (an ArrayBuffer), as ./encoder.js hands them to its worker. */
export function filesLoader(files) {
  return {
    file: async (name, as) => (as === "json"
      ? JSON.parse(new TextDecoder().decode(files[name])) : files[name]),
    forget: (name) => { delete files[name]; },
  };
}

/** Start an inference session and the tokenizer; the model's bytes are dropped from the
 *  loader's memo once the session holds its own copy. `wasmBinary`, when given, is the
 *  runtime's WebAssembly already fetched (else the runtime fetches it from `vendor`). */
export async function loadEncoder(model, loader, vendor, wasmBinary = null) {
  const [ort, tokenizers, tokenizerJson, modelBytes] = await Promise.all([
    import(vendor + ORT_MODULE),
    import(vendor + TOKENIZERS_MODULE),
    loader.file(model.tokenizer, "json"),
    loader.file(model.onnx, "bytes"),
  ]);
  ort.env.wasm.wasmPaths = vendor + "onnxruntime-web/";
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  if (wasmBinary) ort.env.wasm.wasmBinary = wasmBinary;
  ort.env.logLevel = "error";
  const session = await ort.InferenceSession.create(new Uint8Array(modelBytes), {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
    extra: { session: { disable_quant_qdq: "1" } },
  });
  loader.forget(model.onnx); // the session has its own copy
  const tokenizer = new tokenizers.Tokenizer(tokenizerJson, {});
  const maxLength = model.max_length;

  const embed = async (text) => {
    const { ids, typeIds } = encodeQuery(tokenizer, text, maxLength);
    const length = ids.length;
    const inputs = {
      input_ids: ids,
      attention_mask: ids.map(() => 1),
      token_type_ids: typeIds,
    };
    const feeds = {};
    for (const name of session.inputNames) {
      if (!(name in inputs)) throw new Error(`the model wants an unknown input ${name}`);
      feeds[name] = new ort.Tensor("int64", BigInt64Array.from(inputs[name], BigInt),
        [1, length]);
    }
    const outputs = await session.run(feeds);
    const name = session.outputNames.includes("sentence_embedding")
      ? "sentence_embedding" : session.outputNames[0];
    return poolAndNormalize(outputs[name]);
  };
  return { embed };
}
