// Writes a seeded random corpus for the tokenizer parity test: short texts
// built from pieces that stress the tokenizers' corner cases (runs of
// spaces, tabs and newlines, digits, apostrophes, punctuation, CJK, emoji,
// combining marks, unassigned code points, special-token texts). Same seed,
// same file. Lines use the corpus escapes (\n \t \r \\).
//
// Usage: node tests/parity/make_random_corpus.mjs OUT.txt [n_lines=400] [seed=1]
import fs from "node:fs";

const [out, nArg, seedArg] = process.argv.slice(2);
const nLines = Number(nArg ?? 400);
let state = BigInt(seedArg ?? 1) || 1n;
function rand(n) {  // xorshift64
  state ^= (state << 13n) & 0xFFFFFFFFFFFFFFFFn;
  state ^= state >> 7n;
  state ^= (state << 17n) & 0xFFFFFFFFFFFFFFFFn;
  return Number(state % BigInt(n));
}
const pick = (list) => list[rand(list.length)];

const pieces = [
  " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\n ", "\t\t",
  "a", "the", "The", "HELLO", "world", "x", "I", "don", "'s", "'t", "'RE", "'ll", "'", "''",
  "0", "7", "12", "123", "4567", "3.14", "1,000", "٣٤", "½", "²",
  ".", ",", "!", "?", "...", "(", ")", "[", "]", "{", "}", "<", ">", "/", "\\", "_", "-", "--", "=", "+", "*",
  "#", "@", "$", "%", "^", "&", "|", "~", "`", "\"", ";", ":",
  "中", "文字", "日本語", "カタカナ", "한국어", "ä", "é", "e\u0301", "\u0301", "ß", "Ω", "ж", "ش", "ש",
  "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "\u200b", "\u00a0", "\u3000", "\u2028", "\u0085",
  "\u0378", "\ue000", "\ufffd", "\u{1d400}", "\u{10ffff}",
  "<s>", "</s>", "<unk>", "<|eot_id|>", "<|begin_of_text|>", "<|start_header_id|>", "[INST]", "<0x0A>",
];

function escape(s) {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
}

const lines = [];
for (let i = 0; i < nLines; i++) {
  let text = "";
  const n = 1 + rand(12);
  for (let k = 0; k < n; k++) text += pick(pieces);
  lines.push(escape(text));
}
fs.writeFileSync(out, lines.join("\n") + "\n");
