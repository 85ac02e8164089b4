// llama.cpp as a numerical oracle, through node-llama-cpp's prebuilt CPU
// binaries (never downloads, never builds).
//
//   node tests/parity/logits_oracle.mjs REQUEST.json OUT_PREFIX
//   echo '{"mode":"tokenize",...}' | node tests/parity/logits_oracle.mjs - -
//
// Logits mode. REQUEST: {"model": "x.gguf", "tokens": [1, 450, ...],
//   "steps": 4, "threads": 2, "context_size": 256, "batch_size": 512}
// Evaluates the prompt tokens, takes llama.cpp's raw next-token logits,
// appends llama.cpp's own greedy choice (argmax), and repeats: `steps`
// logits vectors and `steps` greedy tokens in all (the last greedy token is
// chosen but not evaluated). Writes
//   OUT_PREFIX.json  {"model", "n_vocab", "prompt", "steps", "greedy": [...],
//                     "logits_file": "OUT_PREFIX.f32", "shape": [steps, n_vocab],
//                     "settings": {...}}
//   OUT_PREFIX.f32   steps x n_vocab little-endian float32, row i = logits
//                    that chose greedy[i]
//
// Tokenize mode. REQUEST: {"mode": "tokenize", "model": "x.gguf",
//   "texts": ["Hello world", ...]}. Prints (or writes to OUT_PREFIX.json) for
// each text: {"text", "plain": ids without BOS, special tokens as text,
// "special": ids with special tokens parsed, "with_bos": "special" with BOS
// prepended when the model's add_bos_token says so}.
//
// Settings that matter for exact numerics, all fixed here: CPU only (no GPU
// offload), flash attention OFF (llama.cpp's "auto" would turn it on and
// change the attention accumulation), KV cache F16 (llama.cpp's default),
// the whole prompt in one batch (batch_size >= prompt length, so the prompt
// goes through the matrix-matrix path once), one sequence. Thread count does
// not change results in ggml's CPU backend (rows are split, not reductions).
// llama.cpp may repack quantized weights for its SIMD kernels on load
// ("CPU_REPACK" buffers), which can change summation order against a plain
// row-by-row dot product.
import fs from "node:fs";
import path from "node:path";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";

function fail(message) {
  process.stderr.write(`logits_oracle: ${message}\n`);
  process.exit(1);
}

function readRequest(arg) {
  const text = arg === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(arg, "utf8");
  const req = JSON.parse(text);
  if (typeof req.model !== "string") fail("request needs \"model\": path to a GGUF file");
  if (!fs.existsSync(req.model)) fail(`model ${req.model} not found`);
  return req;
}

async function loadLlama() {
  return getLlama({
    gpu: false,
    build: "never",           // never compile llama.cpp
    usePrebuiltBinaries: true,
    skipDownload: true,       // never fetch sources or binaries
    progressLogs: false,
    logLevel: LlamaLogLevel.error,
  });
}

function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

async function runLogits(llama, req, outPrefix) {
  if (!Array.isArray(req.tokens) || req.tokens.length === 0) fail("request needs a non-empty \"tokens\" array");
  const steps = req.steps ?? 1;
  const threads = req.threads ?? 2;
  const contextSize = req.context_size ?? 256;
  const batchSize = req.batch_size ?? Math.max(512, req.tokens.length);
  if (req.tokens.length + steps > contextSize) fail(`prompt (${req.tokens.length}) + steps (${steps}) exceed context_size ${contextSize}`);

  const model = await llama.loadModel({ modelPath: req.model, gpuLayers: 0, useMmap: true, defaultContextFlashAttention: false });
  const nVocab = model.fileInsights.vocabularySize ?? model.fileInfo.metadata.llama?.vocab_size;
  const context = await model.createContext({
    contextSize, batchSize, threads, sequences: 1, flashAttention: false,
  });
  const sequence = context.getSequence();
  const wantLogits = { generateNext: { logits: true, token: true } };

  const logitsOut = Buffer.alloc(steps * nVocab * 4);
  const greedy = [];
  let input = [...req.tokens.slice(0, -1), [req.tokens[req.tokens.length - 1], wantLogits]];
  for (let step = 0; step < steps; step++) {
    const results = await sequence.controlledEvaluate(input);
    const next = results[input.length - 1]?.next;
    if (!next?.logits) fail(`no logits at step ${step}`);
    const row = new Float32Array(nVocab).fill(Number.NaN);
    for (const [token, logit] of next.logits) row[token] = logit;
    const missing = row.findIndex((v) => Number.isNaN(v));
    if (missing >= 0) fail(`step ${step}: no logit for token ${missing} (got ${next.logits.size} of ${nVocab})`);
    Buffer.from(row.buffer).copy(logitsOut, step * nVocab * 4);
    // llama.cpp's greedy sampler takes the first maximum, as argmax does.
    const token = next.token ?? argmax(row);
    if (row[token] !== row[argmax(row)]) fail(`step ${step}: llama.cpp chose ${token}, not an argmax`);
    greedy.push(token);
    input = [[token, wantLogits]];
  }

  const header = {
    model: path.resolve(req.model),
    n_vocab: nVocab,
    prompt: req.tokens,
    steps,
    greedy,
    logits_file: `${outPrefix}.f32`,
    shape: [steps, nVocab],
    settings: { threads, context_size: contextSize, batch_size: batchSize, flash_attention: false, kv_type: "f16", gpu: false },
  };
  fs.writeFileSync(`${outPrefix}.f32`, logitsOut);
  fs.writeFileSync(`${outPrefix}.json`, JSON.stringify(header, null, 1));
  await context.dispose();
  await model.dispose();
  process.stderr.write(`logits_oracle: ${steps} steps, greedy ${JSON.stringify(greedy)}\n`);
}

async function runTokenize(llama, req, outPrefix) {
  if (!Array.isArray(req.texts)) fail("tokenize mode needs \"texts\": [...]");
  const model = await llama.loadModel({ modelPath: req.model, vocabOnly: true });
  const bos = model.tokens.bos;
  const addBos = model.tokens.shouldPrependBosToken && bos != null;
  const results = req.texts.map((text) => {
    const plain = Array.from(model.tokenize(text, false));
    const special = Array.from(model.tokenize(text, true));
    return { text, plain, special, with_bos: addBos ? [bos, ...special] : special };
  });
  const out = JSON.stringify({ model: path.resolve(req.model), bos, add_bos: addBos, results }, null, 1);
  if (outPrefix === "-") process.stdout.write(out + "\n");
  else fs.writeFileSync(`${outPrefix}.json`, out);
  await model.dispose();
}

const [requestArg, outPrefix] = process.argv.slice(2);
if (!requestArg || !outPrefix) fail("usage: node logits_oracle.mjs REQUEST.json|- OUT_PREFIX|-");
const req = readRequest(requestArg);
const llama = await loadLlama();
if ((req.mode ?? "logits") === "tokenize") await runTokenize(llama, req, outPrefix);
else if (outPrefix === "-") fail("logits mode needs an OUT_PREFIX for the binary logits file");
else await runLogits(llama, req, outPrefix);
await llama.dispose();
