#!/usr/bin/env bash
# Runs every test: unit tests (release, then ASan+UBSan), the corrupt-file
# suite, bounded fuzzing, and the llama.cpp parity suite. What CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

jobs=$(nproc)
echo "== unit and integration tests (release)"
ctest --preset release -j"$jobs" --timeout 1800

echo "== unit tests under AddressSanitizer + UBSan"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan -j"$jobs" --timeout 900

echo "== fuzzing (bounded)"
./tests/fuzz/run_fuzzers.sh

echo "== all tests passed"
