// Compares the JSON of tokenize_oracle.mjs (llama.cpp) and pipit_tokenize
// (ours) line by line. Prints each difference and a summary line
//   <name>: plain N/T special N/T detok N/T info ok|DIFF
// and exits 1 unless everything matches.
//
// Usage: node tests/parity/compare_tokens.mjs NAME ORACLE.json OURS.json
import fs from "node:fs";

const [name, oraclePath, oursPath] = process.argv.slice(2);
const oracle = JSON.parse(fs.readFileSync(oraclePath, "utf8"));
const ours = JSON.parse(fs.readFileSync(oursPath, "utf8"));

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let ok = true;
const show = (s) => JSON.stringify(s.length > 80 ? s.slice(0, 80) + "…" : s);

for (const key of ["n_vocab", "bos", "eos", "add_bos", "bos_prefix", "eog"]) {
  if (!same(oracle.info[key], ours.info[key])) {
    ok = false;
    console.log(`${name}: info.${key}: llama.cpp ${JSON.stringify(oracle.info[key])} pipit ${JSON.stringify(ours.info[key])}`);
  }
}
if (oracle.lines.length !== ours.lines.length) {
  console.log(`${name}: line count differs: llama.cpp ${oracle.lines.length} pipit ${ours.lines.length}`);
  process.exit(1);
}
const counts = { plain: 0, special: 0, detok: 0 };
oracle.lines.forEach((o, i) => {
  const p = ours.lines[i];
  if (o.text !== p.text) {
    console.log(`${name}: line ${i + 1}: texts differ (escape handling?) ${show(o.text)} vs ${show(p.text)}`);
    ok = false;
    return;
  }
  for (const kind of ["plain", "special"]) {
    if (same(o[kind], p[kind])) counts[kind]++;
    else {
      ok = false;
      console.log(`${name}: line ${i + 1} ${kind} ${show(o.text)}\n  llama.cpp ${JSON.stringify(o[kind])}\n  pipit     ${JSON.stringify(p[kind])}`);
    }
  }
  if (o.detok_plain === p.detok_plain && o.detok_special === p.detok_special) counts.detok++;
  else {
    ok = false;
    console.log(`${name}: line ${i + 1} detokenize ${show(o.text)}\n  llama.cpp ${JSON.stringify(o.detok_plain)} | ${JSON.stringify(o.detok_special)}\n  pipit     ${JSON.stringify(p.detok_plain)} | ${JSON.stringify(p.detok_special)}`);
  }
});
const total = oracle.lines.length;
console.log(`${name}: plain ${counts.plain}/${total} special ${counts.special}/${total} detok ${counts.detok}/${total}`);
process.exit(ok ? 0 : 1);
