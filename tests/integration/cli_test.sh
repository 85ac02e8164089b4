#!/usr/bin/env bash
# The `pipit` CLI as a user drives it: stdout carries only generated text,
# stats go to stderr, bad flags and bad files fail with one clear message,
# seeds reproduce across thread counts, and --cache skips the prefill.
#
#   cli_test.sh PIPIT_BINARY MODEL.gguf WORK_DIR
set -uo pipefail
pipit=$1 model=$2 work=$3
mkdir -p "$work"
failures=0
pass=0
check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name" >&2; failures=$((failures + 1)); fi
}

# Greedy generation: text on stdout, stats on stderr.
"$pipit" "$model" -p "Once upon a time" -n 12 -t 0 -j 2 >"$work/out" 2>"$work/err"
check "greedy run exits 0" test $? -eq 0
check "stdout has text" test -s "$work/out"
check "stdout has no stats" bash -c "! grep -q 'tok/s' '$work/out'"
for stat in "prompt tokens:" "prefill:" "generation:" "time to first:" "anonymous" "file-backed"; do
  check "stderr reports '$stat'" grep -q "$stat" "$work/err"
done

# Same prompt via stdin (echo adds a newline that is not part of the prompt).
echo "Once upon a time" | "$pipit" "$model" -n 12 -t 0 -j 2 -q >"$work/out_stdin" 2>/dev/null
check "stdin prompt == -p prompt" cmp -s "$work/out" "$work/out_stdin"

# Seeded sampling reproduces, whatever the thread count.
"$pipit" "$model" -p "Hello" -n 16 -t 0.9 -s 7 -j 1 -q >"$work/s1" 2>/dev/null
"$pipit" "$model" -p "Hello" -n 16 -t 0.9 -s 7 -j 3 -q >"$work/s2" 2>/dev/null
"$pipit" "$model" -p "Hello" -n 16 -t 0.9 -s 8 -j 2 -q >"$work/s3" 2>/dev/null
check "same seed, different threads: same text" cmp -s "$work/s1" "$work/s2"
check "different seed: different text" bash -c "! cmp -s '$work/s1' '$work/s3'"

# --tokenize: one line of ids, BOS first for a SentencePiece model.
ids=$("$pipit" "$model" -p "Hello world" --tokenize 2>/dev/null)
check "--tokenize prints ids" bash -c "[[ '$ids' =~ ^[0-9]+( [0-9]+)*$ ]]"
check "--tokenize starts with BOS 1" bash -c "[[ '$ids' == 1\ * ]]"

# --cache: the second run reuses the prompt and gives the same text.
rm -f "$work/p.kv"
prompt="The history of the printing press begins in the fifteenth century"
"$pipit" "$model" -p "$prompt" -n 8 -t 0 --cache "$work/p.kv" >"$work/c1" 2>"$work/c1.err"
check "cache file written" test -s "$work/p.kv"
"$pipit" "$model" -p "$prompt" -n 8 -t 0 --cache "$work/p.kv" >"$work/c2" 2>"$work/c2.err"
check "cache reused" grep -q "cache: reused" "$work/c2.err"
check "cached run gives the same text" cmp -s "$work/c1" "$work/c2"
echo garbage >"$work/bad.kv"
"$pipit" "$model" -p "$prompt" -n 8 -t 0 --cache "$work/bad.kv" >"$work/c3" 2>"$work/c3.err"
check "corrupt cache is reported" grep -q "cache not used" "$work/c3.err"
check "corrupt cache is ignored, output unchanged" cmp -s "$work/c1" "$work/c3"

# Bad flags: usage and exit 2.
for args in "-n" "-n abc" "-t -1" "--bogus" "-j 0" ""; do
  # shellcheck disable=SC2086
  "$pipit" $( [ -n "$args" ] && echo "$model" ) $args -p x >/dev/null 2>"$work/usage"
  code=$?
  check "bad flags '$args' exit 2" test $code -eq 2
  check "bad flags '$args' print usage" grep -q "usage: pipit" "$work/usage"
done

# Bad model files: one line, exit 1, no crash.
head -c 1000 "$model" >"$work/truncated.gguf"
printf 'GGUX\3\0\0\0' >"$work/magic.gguf"
for f in "$work/truncated.gguf" "$work/magic.gguf" "$work/does-not-exist.gguf"; do
  "$pipit" "$f" -p x >/dev/null 2>"$work/err"
  code=$?
  check "bad model $(basename "$f") exits 1" test $code -eq 1
  check "bad model $(basename "$f") names the file" grep -q "$(basename "$f")" "$work/err"
  check "bad model $(basename "$f") one line" test "$(wc -l <"$work/err")" -eq 1
done

# Constrained output. --json: one valid JSON object (checked by node's
# JSON.parse) for any seed and any budget from the smallest (2 tokens: "{}")
# up, within the budget; on the SentencePiece model and, when generated, the
# 128k byte-level BPE one.
is_json_object='const v = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (typeof v !== "object" || v === null || Array.isArray(v)) process.exit(1);'
json_models=("$model")
llama3=$(dirname "$model")/tiny-llama3-F32.gguf
[ -f "$llama3" ] && json_models+=("$llama3")
for m in "${json_models[@]}"; do
  for n in 2 3 4 7 12 30; do
    for seed in 1 2 3; do
      "$pipit" "$m" -p "Give me JSON" --json -n $n -s $seed -t 1.5 -j 2 >"$work/json" 2>"$work/json.err"
      code=$?
      tag="--json -n $n -s $seed $(basename "$m")"
      check "$tag exits 0" test $code -eq 0
      check "$tag is a JSON object: $(head -c 200 "$work/json")" node -e "$is_json_object" <"$work/json"
      used=$(sed -n 's/^generation: .*(\([0-9]*\) tokens.*/\1/p' "$work/json.err")
      check "$tag used $used <= $n tokens" test "${used:-999}" -le $n
    done
  done
done
"$pipit" "$model" -p "JSON" --json -n 40 -t 0 -j 2 -q >"$work/json" 2>/dev/null
check "--json greedy is a JSON object" node -e "$is_json_object" <"$work/json"
"$pipit" "$model" -p x --json -n 1 >/dev/null 2>"$work/err"
code=$?
check "--json -n 1 exits 1" test $code -eq 1
check "--json -n 1 explains the budget" grep -q "budget 1 tokens is below the 2 this grammar needs" "$work/err"

# --grammar FILE: output in the language; a bad file fails with line:column.
printf '# yes or no\nroot ::= answer "!"\nanswer ::= "yes" | "no"\n' >"$work/yn.gbnf"
for seed in 1 2 3 4; do
  out=$("$pipit" "$model" -p "Answer" --grammar "$work/yn.gbnf" -n 8 -s $seed -t 1 -q 2>/dev/null)
  check "--grammar output '$out' is yes! or no!" bash -c "[[ '$out' == 'yes!' || '$out' == 'no!' ]]"
done
printf 'root ::= "a" item\nitem ::= ("b" | "c"\n' >"$work/bad.gbnf"
"$pipit" "$model" -p x --grammar "$work/bad.gbnf" >/dev/null 2>"$work/err"
code=$?
check "bad grammar exits 1" test $code -eq 1
check "bad grammar names file, line and column" grep -q "bad.gbnf: line 2, column 10: '(' is never closed" "$work/err"
check "bad grammar error is one line" test "$(wc -l <"$work/err")" -eq 1
printf 'root ::= "a" missing\n' >"$work/undef.gbnf"
"$pipit" "$model" -p x --grammar "$work/undef.gbnf" >/dev/null 2>"$work/err"
check "undefined rule is named with its position" grep -q "line 1, column 14: undefined rule 'missing'" "$work/err"
"$pipit" "$model" -p x --grammar "$work/nope.gbnf" >/dev/null 2>"$work/err"
code=$?
check "missing grammar file exits 1" test $code -eq 1
"$pipit" "$model" -p x --json --grammar "$work/yn.gbnf" >/dev/null 2>&1
code=$?
check "--json with --grammar is a usage error" test $code -eq 2

echo "$pass passed, $failures failed"
exit $((failures > 0))
