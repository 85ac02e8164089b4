#!/usr/bin/env bash
# Tokenizer parity with llama.cpp (node-llama-cpp's prebuilt library): for
# each real vocabulary (TinyLlama/LLaMA SPM, Mistral SPM, Llama 3 BPE) write
# a vocabulary-only GGUF, tokenize every line of the corpora with both
# llama.cpp (tokenize_oracle.mjs) and pipit (pipit_tokenize), and compare
# token ids (plain and parse-special), detokenized text, BOS behaviour and
# the end-of-generation token set.
#
# Usage: tests/parity/tokenizer_parity.sh [BUILD_DIR]   (default build/tok)
# Needs .cache/vocab/*.json (node tests/fixtures/export_vocab.mjs).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$repo/build/tok}"
tool="$build/tests/pipit_tokenize"
work="$repo/.cache/tokenizer_parity"
mkdir -p "$work"

[[ -x "$tool" ]] || { echo "missing $tool: cmake --build $build --target pipit_tokenize" >&2; exit 2; }
if [[ ! -f "$repo/.cache/vocab/llama3.json" ]]; then
  node "$repo/tests/fixtures/export_vocab.mjs"
fi

node "$repo/tests/parity/make_random_corpus.mjs" "$work/random_corpus.txt" 400 1
corpora=("$repo/tests/parity/tokenizer_corpus.txt" "$work/random_corpus.txt")

status=0
for vocab in tinyllama mistral llama3; do
  gguf="$work/$vocab.vocab.gguf"
  "$tool" vocab-gguf "$repo/.cache/vocab/$vocab.json" "$gguf"
  for corpus in "${corpora[@]}"; do
    name="$vocab/$(basename "$corpus" .txt)"
    node "$repo/tests/parity/tokenize_oracle.mjs" "$gguf" "$corpus" \
      > "$work/oracle.json" 2> "$work/oracle.log" \
      || { cat "$work/oracle.log" >&2; exit 2; }
    "$tool" tokenize "$gguf" "$corpus" > "$work/pipit.json"
    node "$repo/tests/parity/compare_tokens.mjs" "$name" "$work/oracle.json" "$work/pipit.json" \
      || status=1
  done
done
exit $status
