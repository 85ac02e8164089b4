#!/usr/bin/env bash
# Makes the model the RP2350 firmware serves: a random-weight llama model
# sized for 4 MB of XIP flash and 520 KB of SRAM (the arithmetic is in
# server/uart/README.md), with the llama2 SentencePiece vocabulary cut to its
# first 2048 tokens (specials, byte fallback, then pieces in score order).
#
#   .cache/models/pico-Q4_0.gguf   the firmware model (every matrix Q4_0, tied output)
#   .cache/models/pico-Q8_0.gguf   the same shape in Q8_0 (tests of the Q8_0 kernels;
#                                  too slow to stream from flash at 20 tok/s)
#
# Needs the vocabulary JSONs (tests/fixtures/make_fixtures.sh makes them) and
# tests/pipit_fixture in BUILD_DIR. Idempotent: a model is remade only when
# missing or older than the tool or the vocabulary.
#
# usage: scripts/make_firmware_model.sh [BUILD_DIR]   (default: $PIPIT_BUILD_DIR or build/release)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${PIPIT_BUILD_DIR:-$repo/build/release}}"
fixture="$build/tests/pipit_fixture"
vocab="$repo/.cache/vocab/tinyllama.json"
mkdir -p "$repo/.cache/models"

if [[ ! -x "$fixture" ]]; then
  echo "make_firmware_model: $fixture not found; build it first:" >&2
  echo "  cmake -S $repo -B $build && cmake --build $build --target pipit_fixture" >&2
  exit 1
fi
if [[ ! -e "$vocab" ]]; then
  node "$repo/tests/fixtures/export_vocab.mjs" "$repo/.cache/vocab"
fi

# The shape: 4 layers of width 192, 6 query heads of 32 sharing one key/value
# head, SwiGLU width 384, 2048 tokens, tied output, trained context 256.
shape=(--embd 192 --layers 4 --heads 6 --kv-heads 1 --ff 384 --ctx 256 --vocab-size 2048 --tied --pure)

for type in Q4_0 Q8_0; do
  out="$repo/.cache/models/pico-$type.gguf"
  if [[ ! -e "$out" || "$fixture" -nt "$out" || "$vocab" -nt "$out" || "${BASH_SOURCE[0]}" -nt "$out" ]]; then
    "$fixture" --vocab "$vocab" --name "pipit-pico-$type" --out "$out" "${shape[@]}" --type "$type" -v 2>&1 |
      { grep -v '^\[' >&2 || true; }
  fi
  echo "$out ($(stat -c %s "$out") bytes)"
done
