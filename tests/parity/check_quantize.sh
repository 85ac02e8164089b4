#!/usr/bin/env bash
# Checks pipit-quantize against llama.cpp's quantizer (llama_model_quantize
# in the prebuilt libllama of node-llama-cpp): for every preset and two
# random-weight models (256-wide rows with GQA; 64-wide rows, tied
# embeddings, so the 32-wide fallbacks apply), the per-tensor types and the
# quantized bytes must be identical.
#
# usage: tests/parity/check_quantize.sh [BUILD_DIR]   (default build/release)
# Needs: g++, git (to read llama.h from node-llama-cpp's source bundle), python3.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-${PIPIT_BUILD_DIR:-$repo/build/release}}"
work="$repo/.cache/check_quantize"
libs="$repo/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
src="$repo/.cache/llama.cpp-src"
mkdir -p "$work"

# llama.h of exactly the llama.cpp release the prebuilt libraries come from.
if [[ ! -f "$src/include/llama.h" ]]; then
  git -c advice.detachedHead=false clone -q "$repo/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$src"
fi
if [[ ! -x "$work/llama_quantize" || "$repo/tests/parity/llama_quantize.cpp" -nt "$work/llama_quantize" ]]; then
  g++ -O1 -std=c++17 "$repo/tests/parity/llama_quantize.cpp" -I"$src/include" -I"$src/ggml/include" \
    -L"$libs" -l:libllama.v0.5.0.so -l:libggml.v0.5.0.so -l:libggml-base.so -Wl,-rpath,"$libs" \
    -o "$work/llama_quantize"
fi

"$build/tests/pipit_fixture" --vocab "$repo/.cache/vocab/tinyllama.json" --embd 256 --layers 16 --heads 8 \
  --kv-heads 2 --ff 768 --type F32 --out "$work/wide-F32.gguf" 2>/dev/null
"$build/tests/pipit_fixture" --vocab "$repo/.cache/vocab/tinyllama.json" --embd 64 --layers 3 --heads 4 \
  --kv-heads 4 --ff 160 --tied --type F32 --out "$work/narrow-F32.gguf" 2>/dev/null

# preset name -> LLAMA_FTYPE number
declare -A ftype=([F16]=1 [BF16]=32 [Q4_0]=2 [Q4_1]=3 [Q5_0]=8 [Q5_1]=9 [Q8_0]=7 [Q2_K]=10 [Q3_K_S]=11
                  [Q3_K_M]=12 [Q3_K_L]=13 [Q4_K_S]=14 [Q4_K_M]=15 [Q5_K_S]=16 [Q5_K_M]=17 [Q6_K]=18)
# Q2_K_S is left out: llama.cpp refuses it without an importance matrix.
failed=0
for model in wide narrow; do
  for preset in "${!ftype[@]}"; do
    "$work/llama_quantize" "$work/$model-F32.gguf" "$work/llama.gguf" "${ftype[$preset]}" >"$work/llama.log" 2>&1 ||
      { echo "llama.cpp failed on $model $preset (see $work/llama.log)"; failed=1; continue; }
    "$build/engine/pipit-quantize" "$work/$model-F32.gguf" "$work/pipit.gguf" "$preset" >"$work/pipit.log" 2>&1 ||
      { echo "pipit-quantize failed on $model $preset (see $work/pipit.log)"; failed=1; continue; }
    if result=$(python3 "$repo/tests/parity/compare_gguf_tensors.py" "$work/llama.gguf" "$work/pipit.gguf"); then
      echo "ok   $model $preset: ${result##*$'\n'}"
    else
      echo "FAIL $model $preset:"; echo "$result"; failed=1
    fi
  done
done
exit $failed
