#!/usr/bin/env bash
# Speed estimate for the RP2350 from QEMU: the QEMU test runs the firmware with
# -icount shift=0 (1 virtual ns per instruction), so the firmware's own
# ms_per_token is instructions per token. Prints M instructions/token, tok/s
# at 150 MHz for 1.0 and 1.5 cycles per instruction, and the cap set by
# reading every weight once per token from XIP flash at ~25 MB/s.
# usage: tests/firmware/estimate_speed.sh [HOST_BUILD_DIR]
set -euo pipefail
"$(dirname "$0")/run_qemu_test.sh" "$@" | grep -E "^speed:|passed, .* failed"
