#!/usr/bin/env bash
# Corrupt-file suite for a real file on disk: writes the sample GGUF with
# `gguf_check --write-sample`, derives corrupt variants with plain shell tools,
# and checks that gguf_check (mmap + Reader) accepts the intact file and
# rejects every variant with exit code 1 and exactly one non-empty line on
# stderr (a crash or a sanitizer report fails the suite).
#
# With PIPIT_BINARY and MODEL, every variant is also fed to the `pipit` CLI
# (same expectations: exit 1, one line), and model-level damage is checked
# on a real model: missing keys, missing tensors, inconsistent metadata.
#
# usage: run_corrupt_suite.sh GGUF_CHECK_BINARY [WORK_DIR [PIPIT_BINARY MODEL]]
set -u
check=${1:?usage: run_corrupt_suite.sh GGUF_CHECK_BINARY [WORK_DIR [PIPIT_BINARY MODEL]]}
work=${2:-$(mktemp -d)}
pipit=${3:-}
model=${4:-}
mkdir -p "$work"
sample="$work/sample.gguf"
failures=0

"$check" --write-sample "$sample" || { echo "FAIL: --write-sample"; exit 1; }
size=$(stat -c %s "$sample")

if ! "$check" "$sample" > "$work/intact.out" 2> "$work/intact.err"; then
  echo "FAIL: intact sample rejected: $(cat "$work/intact.err")"
  exit 1
fi
grep -q "GGUF version 3" "$work/intact.out" || { echo "FAIL: no summary for the intact file"; exit 1; }

# patch FILE OFFSET HEXBYTES: overwrite bytes in place (little-endian values
# are spelled byte by byte, e.g. "01000000" for u32 1).
patch_bytes() {
  printf "$(echo "$2" | sed 's/../\\x&/g')" | dd of="$1" bs=1 seek="$3" conv=notrunc status=none
}
variant() {  # variant NAME: copy of the sample to corrupt
  cp "$sample" "$work/$1.gguf"
  echo "$work/$1.gguf"
}
# Byte offset of the first occurrence of a string in the sample.
offset_of() { grep -obaF "$1" "$sample" | head -1 | cut -d: -f1; }

expect_rejected() {  # expect_rejected FILE [TEXT]
  expect_rejected_by "$check" "$@"
  if [ -n "$pipit" ]; then expect_rejected_by "$pipit" "$@"; fi
}
expect_rejected_by() {  # expect_rejected_by TOOL FILE [TEXT]
  local tool=$1 file=$2 want=${3:-}
  if [ "$tool" = "$pipit" ]; then
    "$tool" "$file" -p x -n 1 > /dev/null 2> "$work/err" < /dev/null
  else
    "$tool" "$file" > /dev/null 2> "$work/err"
  fi
  local rc=$?
  local lines
  lines=$(wc -l < "$work/err")
  if [ "$rc" -ne 1 ]; then
    echo "FAIL: $(basename "$file"): exit code $rc (want 1)"; sed 's/^/    /' "$work/err" | head -20
    failures=$((failures + 1))
  elif [ "$lines" -ne 1 ] || [ ! -s "$work/err" ]; then
    echo "FAIL: $(basename "$file"): want one non-empty line on stderr, got $lines"; head -5 "$work/err"
    failures=$((failures + 1))
  elif [ -n "$want" ] && ! grep -qF -- "$want" "$work/err"; then
    echo "FAIL: $(basename "$file"): message lacks '$want': $(cat "$work/err")"
    failures=$((failures + 1))
  else
    echo "ok   $(basename "$tool") $(basename "$file"): $(cat "$work/err")"
  fi
}

# Truncations: empty, inside the header, inside metadata, tensor infos, data.
for n in 0 3 4 10 23 24 100 $((size / 2)) $((size - 33)) $((size - 1)); do
  head -c "$n" "$sample" > "$work/truncated_$n.gguf"
  expect_rejected "$work/truncated_$n.gguf"
done

f=$(variant bad_magic); patch_bytes "$f" 41424344 0; expect_rejected "$f" "not a GGUF file (magic is 'ABCD')"
f=$(variant version1); patch_bytes "$f" 01000000 4; expect_rejected "$f" "unsupported version 1"
f=$(variant version4); patch_bytes "$f" 04000000 4; expect_rejected "$f" "unsupported version 4"
f=$(variant huge_tensor_count); patch_bytes "$f" 0000000000000040 8; expect_rejected "$f" "tensor count"
f=$(variant huge_kv_count); patch_bytes "$f" 0000000000000040 16; expect_rejected "$f" "metadata key count"

key=tokenizer.ggml.tokens
f=$(variant huge_array_count)
patch_bytes "$f" 0000000000000040 $(( $(offset_of $key) + ${#key} + 8 ))
expect_rejected "$f" "'$key'"

key=llama.block_count
f=$(variant bad_value_type)
patch_bytes "$f" 63000000 $(( $(offset_of $key) + ${#key} ))
expect_rejected "$f" "'llama.block_count': value type 99 is not a GGUF type"

key=general.alignment
f=$(variant alignment3)
patch_bytes "$f" 03000000 $(( $(offset_of $key) + ${#key} + 4 ))
expect_rejected "$f" "general.alignment"

# Tensor infos: name, u32 n_dims, u64 ne[n_dims], u32 type, u64 offset.
name=blk.0.attn_q.weight   # 2 dims
at=$(( $(offset_of $name) + ${#name} ))
f=$(variant n_dims5); patch_bytes "$f" 05000000 $at; expect_rejected "$f" "n_dims is 5"
f=$(variant bad_type); patch_bytes "$f" 63000000 $((at + 20)); expect_rejected "$f" "type id 99"
f=$(variant bad_ne0); patch_bytes "$f" 1000000000000000 $((at + 4)); expect_rejected "$f" "block size"
f=$(variant misaligned); patch_bytes "$f" 8100000000000000 $((at + 24)); expect_rejected "$f" "alignment"
f=$(variant offset_past_end); patch_bytes "$f" 0000000000010000 $((at + 24)); expect_rejected "$f" "past the end of the file"
f=$(variant dup_tensor); patch_bytes "$f" 71 $(( $(offset_of blk.0.attn_k.weight) + 11 ))
expect_rejected "$f" "duplicate tensor name 'blk.0.attn_q.weight'"
f=$(variant dup_key); patch_bytes "$f" 61 $(( $(offset_of test.dup_b) + 9 ))
expect_rejected "$f" "duplicate metadata key 'test.dup_a'"

# Not a file at all / garbage.
expect_rejected "$work/does-not-exist.gguf" "does-not-exist.gguf"
expect_rejected "$work" "not a regular file"
head -c 4096 /dev/zero | tr '\0' 'x' > "$work/garbage.gguf"; expect_rejected "$work/garbage.gguf" "not a GGUF file"

# Model-level damage on a real model, through the CLI only: the GGUF is
# well-formed, the model in it is not.
if [ -n "$pipit" ]; then
  msample=$work/model.gguf
  cp "$model" "$msample"
  model_variant() {  # model_variant NAME FROM TO: rename the first FROM to TO
    local f="$work/$1.gguf" at
    cp "$msample" "$f"
    at=$(grep -obaF "$2" "$f" | head -1 | cut -d: -f1)
    printf '%s' "$3" | dd of="$f" bs=1 seek="$at" conv=notrunc status=none
    echo "$f"
  }
  f=$(model_variant missing_key llama.embedding_length llama.embedding_lengtX)
  expect_rejected_by "$pipit" "$f" "llama.embedding_length"
  f=$(model_variant missing_arch general.architecture general.architecturX)
  expect_rejected_by "$pipit" "$f" "general.architecture"
  f=$(model_variant missing_tensor blk.1.ffn_up.weight blk.1.ffn_up.weighX)
  expect_rejected_by "$pipit" "$f" "tensor 'blk.1.ffn_up.weight' is missing"
  f=$(model_variant missing_tokens tokenizer.ggml.tokens tokenizer.ggml.tokenX)
  expect_rejected_by "$pipit" "$f" "tokenizer.ggml.tokens"
  f=$(model_variant wrong_arch "llama.block_count" "llamb.block_count")
  expect_rejected_by "$pipit" "$f" "llama.block_count"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures corrupt-file check(s) failed"
  exit 1
fi
echo "corrupt-file suite passed"
