// The llama.cpp parity suite: the same GGUF files through llama.cpp
// (node-llama-cpp's prebuilt CPU build) and through pipit, compared logit by
// logit along llama.cpp's greedy continuation.
//
//   node tests/parity/run_parity.mjs --build build/release [--cache DIR]
//        [--only SUBSTRING] [--big] [--steps N] [--json OUT]
//
// For every case: write the model (tests/tools/pipit_fixture, cached),
// tokenize the prompt with llama.cpp, let llama.cpp evaluate it and continue
// greedily for N steps recording its raw logits, then have pipit evaluate
// the very same token sequence (tests/tools/pipit_logits) and compare.
//
// Why a tolerance at all, and how large. pipit's arithmetic per block is
// bit-identical to ggml's scalar code (tests/unit/test_quant_*.cpp check it
// against ggml itself), activations are quantized with the same rounding,
// and the attention rounds queries and probabilities to half precision where
// llama.cpp does. What remains is the order of float additions inside dot
// products (SIMD lanes), ~1e-7 relative. On a one-layer model that is all
// one sees (median error ~1e-6). But every later rounding step (a query or a
// probability rounded to half, an activation rounded to 8 bits) turns such a
// last-bit difference into a whole rounding step now and then, and through
// several layers of random weights these re-rolls compound (a perturbation
// d re-rolls ~127*d of the 8-bit roundings, each one step: the next layer's
// error is ~sqrt(d/127), so within a few layers any last-bit difference grows
// to the full activation-quantization noise, and stays there): on a 3-layer
// Q4_K model, pipit's own scalar and AVX-512 kernels (same math, different
// addition order) disagree by ~5% of the logits' rms. So each case measures
// that noise floor itself (pipit with PIPIT_KERNELS=scalar vs the SIMD
// kernels) and llama.cpp must agree with pipit about as well as pipit agrees
// with itself:
//   median over steps of max|err| <= max(tol,      3 x the floor's median)
//   worst step's max|err|         <= max(spikeTol, 3 x the floor's worst)
// all relative to the rms of llama.cpp's logits (~2.5 here). A layout, scale
// or indexing bug gives errors of order 1 at every step and fails both.
// tol/spikeTol are floors under those bounds, set per class below: one-layer
// models (F32/F16/BF16 1e-4 / 2e-3, the issue's ~1e-4; quantized 1e-3 / 0.1:
// isolated re-rolls measured at <= 5e-4 / 6e-2) and deep models, where the
// floor does not see every source of re-rolls (llama.cpp's own expf and
// summation order in softmax are not pipit's) and measured medians are
// 5e-2..9e-2 (quantized) and 3e-4..1.4e-2 (F32..BF16).
//
// Greedy: at each step pipit's argmax must be llama.cpp's greedy token, up to
// the first step where llama.cpp's top-2 margin is below the worst-step
// bound (a near-tie); both evaluate the same sequence, so this is "greedy
// continuations identical up to the first near-tie".
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const build = path.resolve(opt("--build", path.join(repo, "build/release")));
const cache = path.resolve(opt("--cache", process.env.PIPIT_CACHE_DIR || path.join(repo, ".cache")));
const only = opt("--only", "");
const big = args.includes("--big");
const steps = Number(opt("--steps", "8"));
const jsonOut = opt("--json", "");

const fixtureTool = path.join(build, "tests/pipit_fixture");
const logitsTool = path.join(build, "tests/pipit_logits");
const oracle = path.join(repo, "tests/parity/logits_oracle.mjs");
for (const tool of [fixtureTool, logitsTool]) {
  if (!fs.existsSync(tool)) throw new Error(`${tool} not found: build the tests first`);
}

const FLOAT_TYPES = ["F32", "F16", "BF16"];
const QUANT_TYPES = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"];
const PRESETS = ["Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "Q8_0", "Q4_0"];

// 256-wide rows so every k-quant applies; GQA 8:2.
const SMALL = ["--embd", "256", "--layers", "3", "--heads", "8", "--kv-heads", "2", "--ff", "512", "--ctx", "512"];
// Tolerances, relative to the rms of the reference logits (see the header).
// Tight: one-layer models, where only isolated re-rolls occur.
const FLOAT_TOL = { tol: 1e-4, spikeTol: 2e-3 };
const QUANT_TOL = { tol: 1e-3, spikeTol: 1e-1 };
// Deep models: re-rolls compound; measured llama.cpp-vs-pipit medians of
// 5e-2..9e-2 (quantized) and 3e-4..1.4e-2 (F32..BF16), the same as pipit's
// own kernel sets against each other where the floor captures it.
const DEEP_FLOAT_TOL = { tol: 2e-2, spikeTol: 4e-2 };
const DEEP_QUANT_TOL = { tol: 1.5e-1, spikeTol: 2.5e-1 };
const cases = [];
const ONE_LAYER = SMALL.map((v, i) => (SMALL[i - 1] === "--layers" ? "1" : v));
for (const t of [...FLOAT_TYPES, ...QUANT_TYPES]) {
  const float = FLOAT_TYPES.includes(t);
  // Q4_0: llama.cpp runs 256-row Q4_0 matrices through its repacked 8x8
  // kernels (CPU_REPACK), which part ways with its row-by-row path and ours
  // at the deep-model level even on one layer (median 4.5e-2 measured).
  const oneLayerTol = float ? FLOAT_TOL : t === "Q4_0" ? DEEP_QUANT_TOL : QUANT_TOL;
  cases.push({ name: `1layer-pure-${t}`, vocab: "tinyllama", shape: ONE_LAYER, type: t, pure: true, ...oneLayerTol });
  cases.push({ name: `pure-${t}`, vocab: "tinyllama", shape: SMALL, type: t, pure: true, ...(float ? DEEP_FLOAT_TOL : DEEP_QUANT_TOL) });
}
for (const p of PRESETS) cases.push({ name: `preset-${p}`, vocab: "tinyllama", shape: SMALL, type: p, ...DEEP_QUANT_TOL });
// Rows of 320: k-quant presets fall back to 32-wide legacy types per tensor.
cases.push({
  name: "fallback-Q4_K_M-320", vocab: "tinyllama", type: "Q4_K_M", ...DEEP_QUANT_TOL,
  shape: ["--embd", "320", "--layers", "2", "--heads", "5", "--kv-heads", "5", "--ff", "640", "--ctx", "512"],
});
cases.push({ name: "mistral-Q4_K_M", vocab: "mistral", shape: SMALL, type: "Q4_K_M", extra: ["--rope-base", "1000000"], ...DEEP_QUANT_TOL });
cases.push({
  name: "llama3-Q5_K_M-tied-ropefreqs", vocab: "llama3", shape: SMALL, type: "Q5_K_M", ...DEEP_QUANT_TOL,
  extra: ["--rope-base", "500000", "--llama3-rope", "--tied"],
});
cases.push({
  name: "headdim128-gqa4-F16", vocab: "tinyllama", type: "F16", ...DEEP_FLOAT_TOL,
  shape: ["--embd", "512", "--layers", "2", "--heads", "4", "--kv-heads", "1", "--ff", "768", "--ctx", "512"],
});
if (big) {
  cases.push({
    name: "tinyllama-shaped-Q4_K_M", vocab: "tinyllama", type: "Q4_K_M", ...DEEP_QUANT_TOL, modelName: "tinyllama-shaped-Q4_K_M",
    shape: ["--embd", "2048", "--layers", "22", "--heads", "32", "--kv-heads", "4", "--ff", "5632", "--ctx", "2048"],
  });
}

const PROMPT = "The history of the printing press begins in 1440, when Johannes Gutenberg";

function run(cmd, argv, input) {
  return execFileSync(cmd, argv, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 1 << 28 });
}

function ensureModel(c) {
  const name = c.modelName || `parity-${c.name}`;
  const file = path.join(cache, "models", `${name}.gguf`);
  const stamp = fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
  if (stamp > fs.statSync(fixtureTool).mtimeMs) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const argv = ["--vocab", path.join(cache, "vocab", `${c.vocab}.json`), "--name", name, "--type", c.type,
    "--out", file, ...c.shape, ...(c.extra || [])];
  if (c.pure) argv.push("--pure");
  run(fixtureTool, argv);
  return file;
}

function readF32(file) {
  const buf = fs.readFileSync(file);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

function compare(c, model, work) {
  // llama.cpp: tokenize (with BOS as the model says), evaluate, continue.
  const tok = JSON.parse(run("node", [oracle, "-", "-"], JSON.stringify({ mode: "tokenize", model, texts: [PROMPT] })));
  const prompt = tok.results[0].with_bos;
  const prefix = path.join(work, c.name);
  fs.writeFileSync(`${prefix}.req.json`, JSON.stringify({ model, tokens: prompt, steps, threads: 2, context_size: 256 }));
  run("node", [oracle, `${prefix}.req.json`, `${prefix}.llama`]);
  const meta = JSON.parse(fs.readFileSync(`${prefix}.llama.json`, "utf8"));
  const ref = readF32(`${prefix}.llama.f32`);
  const nv = meta.n_vocab;

  // pipit: the same sequence (prompt + llama.cpp's greedy tokens but the last).
  const seq = [...prompt, ...meta.greedy.slice(0, -1)];
  run(logitsTool, [model, "--tokens", seq.join(" "), "--n-prompt", String(prompt.length), "--out", `${prefix}.pipit.f32`, "-j", "2"]);
  const got = readF32(`${prefix}.pipit.f32`);
  if (got.length !== ref.length) throw new Error(`${c.name}: pipit wrote ${got.length / nv} steps, llama.cpp ${ref.length / nv}`);
  // The noise floor: pipit against itself with the scalar reference kernels.
  execFileSync(logitsTool, [model, "--tokens", seq.join(" "), "--n-prompt", String(prompt.length), "--out", `${prefix}.scalar.f32`, "-j", "2"],
    { env: { ...process.env, PIPIT_KERNELS: "scalar" }, stdio: "ignore" });
  const scalar = readF32(`${prefix}.scalar.f32`);

  // Per step: max |a - b| relative to the rms of that step's reference logits.
  const stepErrors = (a, b) => {
    const out = [];
    for (let s = 0; s < meta.steps; s++) {
      let maxErr = 0, sumSqRef = 0;
      for (let i = s * nv; i < (s + 1) * nv; i++) {
        const e = Math.abs(a[i] - b[i]);
        if (!(e <= maxErr)) maxErr = Number.isNaN(e) ? Infinity : e;
        sumSqRef += ref[i] * ref[i];
      }
      out.push(maxErr / Math.sqrt(sumSqRef / nv));
    }
    return out;
  };
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const worstOf = (v) => Math.max(...v);
  let rmsRef = 0;
  for (let i = 0; i < ref.length; i++) rmsRef += ref[i] * ref[i];
  rmsRef = Math.sqrt(rmsRef / ref.length);
  const err = stepErrors(got, ref), floor = stepErrors(got, scalar);
  const medianBound = Math.max(c.tol, 3 * median(floor));
  const worstBound = Math.max(c.spikeTol, 3 * worstOf(floor));
  let greedyMatched = 0, nearTieAt = -1;
  for (let s = 0; s < meta.steps; s++) {
    const row = ref.subarray(s * nv, (s + 1) * nv), mine = got.subarray(s * nv, (s + 1) * nv);
    let first = -Infinity, second = -Infinity, best = 0;
    for (let i = 0; i < nv; i++) {
      if (row[i] > first) { second = first; first = row[i]; } else if (row[i] > second) second = row[i];
      if (mine[i] > mine[best]) best = i;
    }
    if (first - second < worstBound * rmsRef) { nearTieAt = s; break; }
    if (best !== meta.greedy[s]) break;
    greedyMatched++;
  }
  const greedyOk = greedyMatched === meta.steps || nearTieAt === greedyMatched;
  return {
    name: c.name, type: c.type, vocab: c.vocab, prompt_tokens: prompt.length, steps: meta.steps, rms_logit: rmsRef,
    median_err: median(err), worst_err: worstOf(err), median_floor: median(floor), worst_floor: worstOf(floor),
    median_bound: medianBound, worst_bound: worstBound, greedy_matched: greedyMatched, near_tie_at: nearTieAt,
    ok: median(err) <= medianBound && worstOf(err) <= worstBound && greedyOk,
  };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "pipit-parity-"));
const results = [];
let failed = 0;
for (const c of cases.filter((c) => c.name.includes(only))) {
  let r;
  try {
    r = compare(c, ensureModel(c), work);
  } catch (e) {
    r = { name: c.name, ok: false, error: String(e.stderr || e.message || e).trim().split("\n").slice(-3).join(" | ") };
  }
  results.push(r);
  if (!r.ok) failed++;
  const e = (v) => v.toExponential(1);
  const line = r.error
    ? `FAIL ${r.name}: ${r.error}`
    : `${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(30)} median ${e(r.median_err)} (<= ${e(r.median_bound)})  ` +
      `worst ${e(r.worst_err)} (<= ${e(r.worst_bound)})  floor ${e(r.median_floor)}/${e(r.worst_floor)}  ` +
      `greedy ${r.greedy_matched}/${r.steps}` +
      (r.near_tie_at >= 0 ? ` (near-tie at step ${r.near_tie_at})` : "");
  console.log(line);
}
fs.rmSync(work, { recursive: true, force: true });
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 1));
console.log(`parity: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
