// Checks the labels of the JSON Schema corpus (tests/grammar/schemas/*.json)
// against a real validator, ajv (draft 2020-12) with ajv-formats:
//   valid           must validate (and the grammar must accept them: unit test)
//   invalid         must not validate (and the grammar must reject them)
//   valid_rejected  must validate, though the grammar rejects them (the
//                   documented gaps: member order, non-canonical spellings)
// Together with tests/unit/test_json_schema.cpp (which checks the grammar
// against the same labels) this says: grammar and ajv agree on every case.
// usage: node check_corpus.mjs [DIR]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] ?? path.join(here, 'schemas');
let failures = 0, checked = 0;
for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort()) {
  const corpus = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const ajv = new Ajv2020({ strictTypes: false, strictTuples: false });
  addFormats(ajv);
  const validate = ajv.compile(corpus.schema);
  const verdict = text => {
    let value;
    try { value = JSON.parse(text); } catch { return false; }
    return validate(value);
  };
  for (const [list, expected] of [['valid', true], ['invalid', false], ['valid_rejected', true]]) {
    for (const text of corpus[list] ?? []) {
      checked++;
      if (verdict(text) !== expected) {
        failures++;
        console.log(`FAIL ${file} ${list}: ${JSON.stringify(text)} -> ajv says ${!expected ? 'valid' : 'invalid'}`);
      }
    }
  }
}
console.log(`check_corpus: ${checked} instances, ${failures} disagree with ajv`);
process.exit(failures ? 1 : 0);
