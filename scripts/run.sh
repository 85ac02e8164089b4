#!/usr/bin/env bash
# Sets up, builds, and generates text.
#   scripts/run.sh                         demo: a TinyLlama-shaped random-weight model
#   scripts/run.sh MODEL.gguf [options]    your model; options as for `pipit`
# With no -p and nothing piped in, a default prompt is used.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >&2

args=("$@")
if [ ${#args[@]} -eq 0 ] || [[ "${args[0]}" == -* ]]; then
  demo=.cache/models/tinyllama-shaped-Q4_K_M.gguf
  if [ ! -f "$demo" ]; then
    echo "run: writing the demo model $demo (TinyLlama 1.1B shape, Q4_K_M, random weights)..." >&2
    [ -f .cache/vocab/tinyllama.json ] || node tests/fixtures/export_vocab.mjs .cache/vocab >&2
    build/release/tests/pipit_fixture --vocab .cache/vocab/tinyllama.json --name tinyllama-shaped-Q4_K_M \
      --embd 2048 --layers 22 --heads 32 --kv-heads 4 --ff 5632 --ctx 2048 --type Q4_K_M --out "$demo" >&2
  fi
  args=("$demo" "${args[@]}")
fi

has_prompt=0
for a in "${args[@]}"; do [[ "$a" == "-p" || "$a" == "--tokenize" ]] && has_prompt=1; done
if [ "$has_prompt" -eq 0 ] && [ -t 0 ]; then
  args+=(-p "Once upon a time, in a small village by the sea," -n 64)
fi
exec build/release/engine/pipit "${args[@]}"
