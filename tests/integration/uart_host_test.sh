#!/usr/bin/env bash
# The UART protocol on the host (pipit_uart_host) against the CLI: a greedy
# answer of the firmware model must equal `pipit -t 0` stdout byte for byte
# (text plus the trailing newline), both on the scalar kernels, which the
# device's m33 kernels equal bit for bit. Also checks that the session
# survives garbage and keeps answering.
#
# usage: uart_host_test.sh BUILD_DIR WORK_DIR
set -euo pipefail
build="$1" work="$2"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$work"
model="$("$repo/scripts/make_firmware_model.sh" "$build" | sed -n 's/^\(.*pico-Q4_0\.gguf\) .*/\1/p')"
host="$build/tests/pipit_uart_host" pipit="$build/engine/pipit"
export PIPIT_KERNELS=scalar

fail=0
for prompt in "Once upon a time" "Hello, wörld ✓ 123" "the"; do
  printf '/temp 0\n%s\n' "$prompt" | "$host" "$model" > "$work/device.txt"
  "$pipit" "$model" -p "$prompt" -n 32 -t 0 -c 256 -q > "$work/cli.txt"
  # The answer: after the "> " that follows the #ok line, up to "#end".
  python3 - "$work/device.txt" "$work/answer.txt" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
start = d.index(b'\n> ', d.index(b'#ok ')) + 3
end = d.index(b'\n#end ', start)
open(sys.argv[2], 'wb').write(d[start:end + 1])
PY
  if cmp -s "$work/answer.txt" "$work/cli.txt"; then
    echo "ok: '$prompt'"
  else
    echo "FAIL: '$prompt': device and pipit differ"; diff <(od -c "$work/answer.txt") <(od -c "$work/cli.txt") | head; fail=1
  fi
done

# Garbage, an over-long line and a bad command, then a prompt: three #error
# lines and one answer.
{ printf '\x1b[A\xff\n'; head -c 1000 /dev/zero | tr '\0' 'x'; printf '\n/temp hot\nhello\n'; } |
  "$host" "$model" > "$work/garbage.txt"
errors=$(grep -c '^> #error\|^#error' "$work/garbage.txt" || true)
ends=$(grep -c '^#end ' "$work/garbage.txt" || true)
if [[ "$errors" == 3 && "$ends" == 1 ]]; then
  echo "ok: garbage answered with 3 #error lines, then served"
else
  echo "FAIL: garbage session: $errors #error lines, $ends #end lines"; cat "$work/garbage.txt"; fail=1
fi
exit $fail
