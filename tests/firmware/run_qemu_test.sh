#!/usr/bin/env bash
# The UART firmware under QEMU (musca-b1, Cortex-M33), driven like a user:
# builds the firmware-qemu preset, makes the firmware model
# (scripts/make_firmware_model.sh) and its flash image, boots QEMU with the
# image at the board's model address and runs tests/firmware/uart_driver.py
# (protocol checks, greedy answers equal to the host pipit with
# PIPIT_KERNELS=scalar, a no-model boot, and the instructions/token estimate).
# Also builds the firmware-rp2350 preset (build only: no hardware in CI).
#
# usage: tests/firmware/run_qemu_test.sh [HOST_BUILD_DIR]   (default: build/release;
#        needs engine/pipit and tests/pipit_fixture there)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
host_build="$(realpath -m "${1:-$repo/build/release}")"
cd "$repo"

for preset in firmware-qemu firmware-rp2350; do
  log="build/$preset.log"
  mkdir -p build
  if ! { cmake --preset "$preset" && cmake --build --preset "$preset" -j"${JOBS:-2}"; } > "$log" 2>&1; then
    tail -40 "$log"
    echo "FAIL: the $preset preset does not build (log: $log)"
    exit 1
  fi
  grep -E "^memory map|^  (flash|ram)|\.uf2:" "$log" || true  # the memory map summary
done
test -f build/firmware-rp2350/pipit-rp2350.elf
test -f build/firmware-rp2350/pipit-rp2350.uf2
elf=build/firmware-qemu/pipit-qemu.elf

# The model address is the firmware's link-time symbol: read it, do not repeat it.
addr="0x$(arm-none-eabi-nm "$elf" | awk '$3 == "__pipit_model_start" {print $1}')"
flash_end="0x$(arm-none-eabi-nm "$elf" | awk '$3 == "__pipit_flash_end" {print $1}')"

scripts/make_firmware_model.sh "$host_build" > /dev/null
gguf=.cache/models/pico-Q4_0.gguf
work=build/firmware-qemu/test
mkdir -p "$work"
python3 server/uart/tools/pack_model.py "$gguf" -o "$work/model.img" --max-size $((flash_end - addr)) > /dev/null

python3 tests/firmware/uart_driver.py --qemu-elf "$elf" --model-image "$work/model.img" --model-addr "$addr" \
  --gguf "$gguf" --pipit "$host_build/engine/pipit"
