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
tests=(test_kernels test_context)
cmake --build "$build/pipit" -j"$jobs" --target "${tests[@]}"

status=0
for t in "${tests[@]}"; do
  echo "=== $t (qemu-aarch64)"
  qemu-aarch64 -L /usr/aarch64-linux-gnu "$build/pipit/tests/$t" || status=1
done
exit $status
