// llama.cpp's side of the tokenizer parity test: loads a GGUF's vocabulary
// with node-llama-cpp (prebuilt llama.cpp) and prints, for every corpus
// line, the same JSON as tests/tools/pipit_tokenize.cpp:
//   {"info": {...}, "lines": [{"text", "plain", "special", "detok_plain", "detok_special"}]}
// model.tokenize(text, false) / (text, true) call llama_tokenize with
// add_special = false, so no BOS; "info" reports llama.cpp's BOS decision.
//
// Usage: node tests/parity/tokenize_oracle.mjs MODEL.gguf CORPUS.txt
import fs from "node:fs";
import { getLlama } from "node-llama-cpp";

const [modelPath, corpusPath] = process.argv.slice(2);
if (!modelPath || !corpusPath) {
  console.error("usage: node tokenize_oracle.mjs MODEL.gguf CORPUS.txt");
  process.exit(2);
}

// Same escapes as pipit_tokenize: \n \t \r \\ \u{XXXX}.
function unescape(line) {
  let out = "";
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== "\\" || i + 1 >= line.length) { out += line[i]; continue; }
    const c = line[++i];
    if (c === "n") out += "\n";
    else if (c === "t") out += "\t";
    else if (c === "r") out += "\r";
    else if (c === "\\") out += "\\";
    else if (c === "u" && line[i + 1] === "{") {
      const close = line.indexOf("}", i);
      out += String.fromCodePoint(parseInt(line.slice(i + 2, close), 16));
      i = close;
    } else out += "\\" + c;
  }
  return out;
}

const llama = await getLlama({ gpu: false, logLevel: "error" });
const model = await llama.loadModel({ modelPath, vocabOnly: true });

// The vocabulary size is the length of the GGUF's token list; every id is
// asked whether llama.cpp treats it as end of generation.
const vocabSize = Number(model.fileInfo.metadata.tokenizer.ggml.tokens.length);
const eog = [];
for (let t = 0; t < vocabSize; t++) if (model.isEogToken(t)) eog.push(t);

const withBos = model.tokens.shouldPrependBosToken;
const info = {
  n_vocab: vocabSize,
  bos: model.tokens.bos ?? -1,
  eos: model.tokens.eos ?? -1,
  add_bos: withBos,
  bos_prefix: withBos && model.tokens.bos != null,
  eog,
};

const text = fs.readFileSync(corpusPath, "utf8");
const rawLines = text.split("\n");
if (rawLines.length > 0 && rawLines[rawLines.length - 1] === "") rawLines.pop();
const lines = rawLines.map((raw) => {
  const t = unescape(raw);
  // tokenize("") returns [] in node-llama-cpp, as llama.cpp does.
  const plain = Array.from(model.tokenize(t, false));
  const special = Array.from(model.tokenize(t, true));
  return {
    text: t,
    plain,
    special,
    detok_plain: model.detokenize(plain, false),
    detok_special: model.detokenize(special, true),
  };
});
process.stdout.write(JSON.stringify({ info, lines }) + "\n");
await model.dispose();
await llama.dispose();
