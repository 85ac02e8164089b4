#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with the `fuzz` CMake
# preset (clang + ASan/UBSan) and runs each one for a bounded time. Fails when
# a fuzzer finds a crash, leak or sanitizer error; the reproducer is left in
# <build>/fuzz-artifacts/.
#
# Environment:
#   PIPIT_FUZZ_SECONDS    total fuzzing time shared by all targets (default 60)
#   PIPIT_FUZZ_BUILD_DIR  build directory (default: the preset's build/fuzz)
#   PIPIT_FUZZ_JOBS       build parallelism (default 2)
#
# Needs: clang (clang-14), libclang-rt-14-dev (libFuzzer + sanitizer
# runtimes), libgtest-dev, nlohmann-json3-dev, cmake, ninja-build or make.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
total=${PIPIT_FUZZ_SECONDS:-60}
jobs=${PIPIT_FUZZ_JOBS:-2}
cd "$repo"

if [ -n "${PIPIT_FUZZ_BUILD_DIR:-}" ]; then
  build=$PIPIT_FUZZ_BUILD_DIR
  cmake --preset fuzz -B "$build" > /dev/null
else
  build=$repo/build/fuzz
  cmake --preset fuzz > /dev/null
fi

targets=()
for src in tests/fuzz/fuzz_*.cpp; do
  targets+=("$(basename "$src" .cpp)")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets in tests/fuzz/"
  exit 0
fi
cmake --build "$build" -j "$jobs" --target "${targets[@]}" gguf_check

per_target=$(( total / ${#targets[@]} ))
[ "$per_target" -lt 5 ] && per_target=5
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"

status=0
for name in "${targets[@]}"; do
  corpus=$build/fuzz-corpus/$name
  seeds=$build/fuzz-seeds/$name
  mkdir -p "$corpus" "$seeds"
  # Seeds: checked-in inputs if any, plus generated ones.
  if [ -d "tests/fuzz/corpus/$name" ]; then cp -r "tests/fuzz/corpus/$name/." "$seeds/"; fi
  case $name in
    fuzz_gguf) "$build/tests/gguf_check" --write-sample "$seeds/sample.gguf" ;;
  esac
  echo "== $name: ${per_target}s"
  if ! "$build/tests/$name" -max_total_time="$per_target" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/$name-" -print_final_stats=1 "$corpus" "$seeds" \
        > "$build/$name.log" 2>&1; then
    echo "FAIL: $name found a problem; log: $build/$name.log; reproducer(s):"
    ls -1 "$artifacts" | grep "^$name-" | sed "s|^|  $artifacts/|"
    tail -40 "$build/$name.log"
    status=1
  else
    grep -E "^(stat::number_of_executed_units|Done)" "$build/$name.log" | tail -2 | sed 's/^/   /'
  fi
done
exit $status
