// The grammar property test (issue 4): on random-weights models, where the
// model wants arbitrary tokens, constrained sampling over many seeds, several
// schemas and temperatures, with budgets as small as each schema allows,
// must always produce text that parses and validates against its schema with
// a real validator (ajv 2020-12 + ajv-formats).
//
// usage: node property_test.mjs --build BUILD_DIR [--seeds N] [--json OUT]
// Needs BUILD_DIR/tests/pipit_grammar_sample and the fixture models in
// .cache/models (tests/fixtures/make_fixtures.sh).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const build = opt('--build', path.join(repo, 'build/release'));
const seeds = Number(opt('--seeds', '6'));
const tool = path.join(build, 'tests/pipit_grammar_sample');

// Two vocabularies: SentencePiece with byte fallback (llama2) and byte-level BPE (llama3).
const models = ['tiny-tinyllama-F32', 'tiny-llama3-F32'].map(m => path.join(repo, '.cache/models', `${m}.gguf`));
// Schemas of the corpus: required/optional properties, nested arrays with
// bounds, enum/const, anyOf/oneOf, allOf, recursive $ref, formats, patterns,
// integer ranges, string lengths, open objects.
const schemas = ['object_props', 'arrays_nested', 'enum_const', 'any_of', 'one_of_discriminated', 'all_of', 'ref_tree',
  'ref_list', 'formats', 'patterns', 'integers', 'string_lengths', 'additional_default', 'prefix_items',
  'formats_required', 'patterns_required', 'integers_required', 'strings_required'];
const temps = '0.7,1.5,4';
// Extra tokens over the grammar's minimum: 0 is the smallest budget possible.
const extras = [0, 6];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pipit-grammar-'));
let total = 0, invalid = 0, failed = 0;
let nextSeed = 1;
const seedsUsed = new Set();
const summary = [];
for (const model of models) {
  for (const name of schemas) {
    const corpus = JSON.parse(fs.readFileSync(path.join(here, 'schemas', `${name}.json`), 'utf8'));
    const schemaFile = path.join(work, `${name}.json`);
    fs.writeFileSync(schemaFile, JSON.stringify(corpus.schema));
    const ajv = new Ajv2020({ strictTypes: false, strictTuples: false });
    addFormats(ajv);
    const validate = ajv.compile(corpus.schema);
    for (const extra of extras) {
      let out;
      // A fresh block of seeds for every run: no seed is used twice.
      nextSeed += seeds * temps.split(',').length;
      try {
        out = execFileSync(tool, ['-m', model, '--schema', schemaFile, '--seeds', String(seeds), '--seed0',
          String(nextSeed), '--temps', temps, '--extra', String(extra)], { encoding: 'utf8', maxBuffer: 1 << 26 });
      } catch (e) {
        out = e.stdout ?? '';  // exit 3: some samples failed; they are counted below
        if (e.status !== 3) { console.log(`FAIL ${name}: tool exited ${e.status}: ${e.stderr}`); failed++; continue; }
      }
      const lines = out.trim().split('\n').map(l => JSON.parse(l));
      const head = lines.shift();
      let ok = 0;
      for (const s of lines) {
        total++;
        seedsUsed.add(s.seed);
        let value, parsed = false;
        try { value = JSON.parse(s.text); parsed = true; } catch {}
        const valid = parsed && validate(value);
        if (s.error || !s.accepting || !valid) {
          invalid++;
          if (invalid <= 20)
            console.log(`INVALID ${path.basename(model)} ${name} seed ${s.seed} temp ${s.temp} budget ${s.budget}: ` +
              `${JSON.stringify(s.text)} ${s.error ?? ''} ${parsed ? JSON.stringify(validate.errors) : 'not JSON'}`);
        } else {
          ok++;
        }
      }
      summary.push({ model: path.basename(model), schema: name, extra, min_tokens: head.min_tokens,
        budget: head.budget, samples: lines.length, valid: ok });
    }
  }
}
fs.rmSync(work, { recursive: true, force: true });
for (const s of summary)
  console.log(`${s.model.padEnd(22)} ${s.schema.padEnd(22)} budget ${String(s.budget).padStart(3)} (min ${s.min_tokens}): ${s.valid}/${s.samples} valid`);
console.log(`property_test: ${total} samples from ${seedsUsed.size} distinct seeds, ${total - invalid} valid, ${invalid} invalid, ${failed} tool failures`);
const json = opt('--json');
if (json) fs.writeFileSync(json, JSON.stringify({ total, invalid, failed, summary }, null, 1));
// The issue asks for at least 1000 seeds: a smaller run does not count as a pass.
process.exit(invalid || failed || seedsUsed.size < 1000 ? 1 : 0);
