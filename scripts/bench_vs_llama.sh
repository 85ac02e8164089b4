#!/usr/bin/env bash
# Side-by-side speed of pipit and llama.cpp on the same GGUF file.
#
#   scripts/bench_vs_llama.sh MODEL [-p 512] [-n 128] [-t 2] [-r 5] [-k 2]
#   scripts/bench_vs_llama.sh --build-only
#
# llama-bench is built from the llama.cpp source that node-llama-cpp ships
# (a git bundle, so no network is needed) into .cache/, once; later runs reuse
# it. Both tools then run k rounds each, alternating (pipit, llama, pipit,
# llama, ...) so noise from other work on the machine hits both alike; the
# table shows the median over all rounds' repetitions, the pipit/llama.cpp
# ratio, decode's effective GB/s against the bandwidth pipit-bench measured,
# and the peak anonymous RSS of each process (sampled from /proc).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$ROOT/.cache
BUNDLE=$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle
LLAMA_SRC=$CACHE/llama.cpp-bench-src
LLAMA_BUILD=$CACHE/llama.cpp-build
LLAMA_BENCH=$LLAMA_BUILD/bin/llama-bench
PIPIT_BUILD=${PIPIT_BUILD_DIR:-$ROOT/build/bench}
PIPIT_BENCH=$PIPIT_BUILD/engine/pipit-bench
JOBS=$(nproc)

usage() {
  sed -n '4,5p' "$0" | sed 's/^# *//' >&2
  exit 2
}

# --- building -------------------------------------------------------------

build_llama_bench() {
  [[ -x $LLAMA_BENCH ]] && return
  if [[ ! -d $LLAMA_SRC/.git ]]; then
    echo "cloning llama.cpp from $BUNDLE" >&2
    git -c advice.detachedHead=false clone --quiet "$BUNDLE" "$LLAMA_SRC"
  fi
  echo "building llama-bench (several minutes on 2 cores)" >&2
  # AMX is off because it crashes on these VMs; CURL is not needed to bench
  # a local file.
  cmake -S "$LLAMA_SRC" -B "$LLAMA_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGGML_NATIVE=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
    -DGGML_OPENMP=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF >/dev/null
  cmake --build "$LLAMA_BUILD" --target llama-bench -j"$JOBS" >/dev/null
}

build_pipit_bench() {
  cmake -S "$ROOT" -B "$PIPIT_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$PIPIT_BUILD" --target pipit-bench -j"$JOBS" >/dev/null
}

if [[ ${1:-} == --build-only ]]; then
  build_llama_bench
  build_pipit_bench
  exit 0
fi

# --- arguments ------------------------------------------------------------

[[ $# -ge 1 && -f $1 ]] || usage
MODEL=$1; shift
P=512 N=128 T=2 R=5 K=2
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || usage
  case $1 in
    -p) P=$2 ;; -n) N=$2 ;; -t) T=$2 ;; -r) R=$2 ;; -k) K=$2 ;;
    *) usage ;;
  esac
  shift 2
done

build_llama_bench
build_pipit_bench

# --- running --------------------------------------------------------------

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# Runs a command with stdout to $1 and stderr to $1.err, samples its RssAnon
# every 50 ms and prints the peak in MiB. Sampling stops early once stderr
# has the line "measuring memory bandwidth": pipit-bench's 1 GiB bandwidth
# buffer is not part of its working memory.
run_sampling_anon() {
  local out=$1; shift
  "$@" >"$out" 2>"$out.err" &
  local pid=$! peak_kb=0 key value _ err tick
  exec {tick}<> <(:)  # a pipe nobody writes to: `read -t` on it sleeps without forking
  # Bash builtins only (no grep/awk processes): a sampler that forks would
  # take CPU time from the benchmark it watches on a 2-core machine.
  while kill -0 "$pid" 2>/dev/null; do
    err=""
    read -r -d '' err <"$out.err" || true
    [[ $err == *"measuring memory bandwidth"* ]] && break
    while read -r key value _; do
      if [[ $key == RssAnon: ]]; then
        ((value > peak_kb)) && peak_kb=$value
        break
      fi
    done <"/proc/$pid/status" 2>/dev/null || true
    read -r -t 0.05 -u "$tick" _ || true
  done
  exec {tick}<&-
  if ! wait "$pid"; then
    echo "failed: $*" >&2; cat "$out.err" >&2; exit 1
  fi
  echo $((peak_kb / 1024))
}

for ((round = 1; round <= K; round++)); do
  echo "round $round/$K: pipit-bench" >&2
  anon=$(run_sampling_anon "$OUT/pipit.$round.json" \
    "$PIPIT_BENCH" "$MODEL" -p "$P" -n "$N" -t "$T" -r "$R" --json)
  echo "$anon" >"$OUT/pipit.$round.anon"
  echo "round $round/$K: llama-bench" >&2
  anon=$(run_sampling_anon "$OUT/llama.$round.json" \
    "$LLAMA_BENCH" -m "$MODEL" -p "$P" -n "$N" -t "$T" -r "$R" -o json)
  echo "$anon" >"$OUT/llama.$round.anon"
done

# --- table ----------------------------------------------------------------

python3 - "$OUT" "$K" "$MODEL" "$P" "$N" "$T" <<'EOF'
import json, statistics, sys
out, rounds, model, p, n, t = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]

pipit = {"pp": [], "tg": [], "anon": [], "bw": [], "wbytes": 0, "kernels": ""}
llama = {"pp": [], "tg": [], "anon": []}
for r in range(1, rounds + 1):
    last = open(f"{out}/pipit.{r}.json").read().strip().splitlines()[-1]
    j = json.loads(last)
    pipit["pp"] += j["pp_samples"]
    pipit["tg"] += j["tg_samples"]
    pipit["bw"].append(j["bandwidth_gb_s"])
    pipit["wbytes"] = j["weight_bytes_per_token"]
    pipit["kernels"] = j["kernels"]
    pipit["anon"].append(int(open(f"{out}/pipit.{r}.anon").read()))
    for test in json.load(open(f"{out}/llama.{r}.json")):
        key = "pp" if test["n_gen"] == 0 else "tg"
        llama[key] += test["samples_ts"]
    llama["anon"].append(int(open(f"{out}/llama.{r}.anon").read()))

def med(xs): return statistics.median(xs) if xs else float("nan")
def spread(xs):  # half the min..max range, as % of the median
    return 50.0 * (max(xs) - min(xs)) / med(xs) if xs else float("nan")

bw = max(pipit["bw"])
gb = pipit["wbytes"] / 1e9
print(f"\nmodel {model}  p={p} n={n} t={t}  rounds={rounds}  "
      f"pipit kernels={pipit['kernels']}")
print(f"measured read bandwidth (pipit-bench, {t} threads, best): {bw:.1f} GB/s; "
      f"weights read per token: {gb*1000:.0f} MB\n")
print(f"{'':18}{'pipit':>10}{'llama.cpp':>11}{'pipit/llama':>13}   noise: ±% of median (pipit / llama)")
for name, key in (("prefill tok/s", "pp"), ("decode tok/s", "tg")):
    a, b = med(pipit[key]), med(llama[key])
    if pipit[key] and llama[key]:
        print(f"{name:18}{a:10.2f}{b:11.2f}{a/b:13.2f}   "
              f"±{spread(pipit[key]):.0f}% / ±{spread(llama[key]):.0f}%")
if pipit["tg"] and llama["tg"]:
    ga, gl = med(pipit["tg"]) * gb, med(llama["tg"]) * gb
    print(f"{'decode GB/s':18}{ga:10.1f}{gl:11.1f}{ga/gl:13.2f}   "
          f"= {100*ga/bw:.0f}% / {100*gl/bw:.0f}% of the measured bandwidth")
aa, al = max(pipit["anon"]), max(llama["anon"])
print(f"{'peak RssAnon MiB':18}{aa:10d}{al:11d}{aa/max(al,1):13.2f}")
EOF
