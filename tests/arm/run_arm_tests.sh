#!/usr/bin/env bash
# Cross-builds the ARM (aarch64) kernel tests and runs them under qemu-user.
# Needs Debian's g++-aarch64-linux-gnu and qemu-user. GoogleTest is built for
# aarch64 from /usr/src/googletest (once); nlohmann_json is header-only and
# its host package is used. Only tests that need no llama.cpp oracle (an
# x86-only library) are run.
# Usage: tests/arm/run_arm_tests.sh [build-dir]   (default: build/arm)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(realpath -m "${1:-$repo/build/arm}")"
toolchain="$repo/cmake/aarch64-linux-gnu.cmake"
deps="$build/deps"
jobs="${JOBS:-2}"

if [ ! -f "$deps/lib/cmake/GTest/GTestConfig.cmake" ]; then
  cmake -S /usr/src/googletest -B "$build/googletest" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_GMOCK=OFF -DCMAKE_INSTALL_PREFIX="$deps" > /dev/null
  cmake --build "$build/googletest" -j"$jobs" > /dev/null
  cmake --install "$build/googletest" > /dev/null
fi

# Packages: our aarch64 GTest first, then the host's header-only nlohmann_json.
cmake -S "$repo" -B "$build/pipit" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_FIND_ROOT_PATH="$deps" -DCMAKE_PREFIX_PATH=/ \
  -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=BOTH -Dnlohmann_json_DIR=/usr/share/cmake/nlohmann_json > /dev/null
tests=(test_kernels test_attention_kernels test_matmul test_context)
cmake --build "$build/pipit" -j"$jobs" --target "${tests[@]}"

# qemu's default CPU ("max") has the dot-product instructions, so every
# table runs against the scalar reference; then a Cortex-A72 (Raspberry Pi 4:
# no dotprod) checks that dispatch falls back to the baseline NEON table.
status=0
for t in "${tests[@]}"; do
  echo "=== $t (qemu-aarch64, -cpu max)"
  PIPIT_EXPECT_KERNELS=neon-dotprod qemu-aarch64 -cpu max -L /usr/aarch64-linux-gnu "$build/pipit/tests/$t" || status=1
done
echo "=== test_kernels (qemu-aarch64, -cpu cortex-a72)"
PIPIT_EXPECT_KERNELS=neon qemu-aarch64 -cpu cortex-a72 -L /usr/aarch64-linux-gnu "$build/pipit/tests/test_kernels" || status=1
exit $status
