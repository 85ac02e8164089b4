#!/usr/bin/env bash
# Runs every test: unit and integration tests and the llama.cpp parity suite
# (release build), the unit tests again under ASan+UBSan, bounded fuzzing,
# the ARM kernels under qemu, and the UART firmware under QEMU (musca-b1).
# This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc)
start=$SECONDS
stage() { echo; echo "== $1 ($((SECONDS - start)) s)"; }

stage "unit, integration and parity tests (release)"
ctest --preset release -j"$jobs"

stage "unit tests under AddressSanitizer + UBSan"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan -j"$jobs"

stage "fuzzing (bounded)"
./tests/fuzz/run_fuzzers.sh

stage "ARM (aarch64) kernels under qemu-user"
./tests/arm/run_arm_tests.sh build/arm

stage "firmware (Cortex-M33) under QEMU musca-b1; RP2350 firmware build"
./tests/firmware/run_qemu_test.sh build/release

stage "all tests passed"
