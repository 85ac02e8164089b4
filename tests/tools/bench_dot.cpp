// Micro-benchmark of the dot kernels: y = W x for one token with W shaped
// like a 1B model's FFN gate (5632 rows x 2048 columns), single thread, for
// every kernel table this CPU runs. Prints GB/s of weight bytes processed:
//   hot  - the same matrix again and again (it stays in cache: compute bound)
// Both report the best of several runs (the machine may be shared).
//   cold - a new matrix each time from a buffer far larger than the caches
//          (the decode case: bound by memory bandwidth)
// Usage: bench_dot [--cpu] [type ...]   (default: every weight type)
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "quant/dtype.h"

namespace {

using pipit::DType;
using pipit::DTypeTraits;
using pipit::kernels::KernelSet;

constexpr int64_t kRows = 5632;
constexpr int64_t kCols = 2048;
constexpr size_t kColdBytes = size_t{512} << 20;  // well beyond any L3

// --cpu: time by this thread's CPU time instead of the wall clock, so that
// other work on a shared machine (which only delays us) does not count.
bool g_cpu_time = false;

double Seconds() {
  if (g_cpu_time) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs one matrix-vector product per call over `rows` rows at `weights`.
float MatVec(pipit::kernels::DotFn dot, const uint8_t* weights, size_t row_bytes, const uint8_t* act) {
  float sink = 0;
  for (int64_t r = 0; r < kRows; ++r) sink += dot(weights + r * row_bytes, act, kCols);
  return sink;
}

void Bench(const KernelSet& set, const DTypeTraits& t, const std::vector<uint8_t>& weights, const uint8_t* act,
           double* hot_gbs, double* cold_gbs) {
  const size_t row_bytes = pipit::RowBytes(t, kCols);
  const size_t matrix_bytes = row_bytes * kRows;
  const size_t n_matrices = weights.size() / matrix_bytes;
  const auto dot = set.Dot(t.type);
  volatile float sink = 0;
  // Hot: one matrix, repeated for ~0.3 s; the fastest run counts (the
  // machine is shared: the best time is the least disturbed one).
  sink = sink + MatVec(dot, weights.data(), row_bytes, act);
  double best = 1e30, total = 0;
  while (total < 0.3) {
    const double start = Seconds();
    sink = sink + MatVec(dot, weights.data(), row_bytes, act);
    const double t = Seconds() - start;
    best = t < best ? t : best;
    total += t;
  }
  *hot_gbs = static_cast<double>(matrix_bytes) / best / 1e9;
  // Cold: every matrix of the big buffer once per pass; the best pass counts.
  best = 1e30;
  for (int pass = 0; pass < 3; ++pass) {
    const double start = Seconds();
    for (size_t m = 0; m < n_matrices; ++m) sink = sink + MatVec(dot, weights.data() + m * matrix_bytes, row_bytes, act);
    const double t = Seconds() - start;
    best = t < best ? t : best;
  }
  *cold_gbs = static_cast<double>(matrix_bytes) * n_matrices / best / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<const DTypeTraits*> types;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--cpu") == 0) {
      g_cpu_time = true;
      continue;
    }
    const DTypeTraits* t = pipit::FindDTypeByName(argv[i]);
    if (!t || !t->dot) {
      std::fprintf(stderr, "unknown weight type '%s'\n", argv[i]);
      return 2;
    }
    types.push_back(t);
  }
  if (types.empty()) {
    for (DType d : {DType::Q4_K, DType::Q6_K, DType::Q8_0, DType::Q5_K, DType::Q4_0, DType::F16, DType::F32,
                    DType::Q3_K, DType::Q2_K, DType::Q5_0, DType::Q5_1, DType::Q4_1, DType::BF16}) {
      types.push_back(&pipit::Traits(d));
    }
  }
  std::vector<const KernelSet*> sets;
  for (const char* name : pipit::kernels::kKernelSetNames) {
    if (const KernelSet* set = pipit::kernels::FindKernelSet(name)) sets.push_back(set);
  }

  std::mt19937 rng(42);
  std::printf("W: %lld x %lld, one token, one thread; GB/s of weights (hot = in cache, cold = from RAM)\n",
              static_cast<long long>(kRows), static_cast<long long>(kCols));
  std::printf("%-6s", "type");
  for (const KernelSet* set : sets) std::printf(" %9s-hot %8s-cold", set->name, set->name);
  std::printf("\n");
  for (const DTypeTraits* t : types) {
    // Weights: quantize one random row, then tile it (speed does not depend
    // on the values, and the reference quantizers are slow for 512 MB).
    const size_t row_bytes = pipit::RowBytes(*t, kCols);
    std::vector<float> row_f(kCols);
    std::normal_distribution<float> normal;
    for (float& v : row_f) v = normal(rng);
    std::vector<uint8_t> row(row_bytes);
    t->quantize(row_f.data(), row.data(), kCols);
    std::vector<uint8_t> weights((kColdBytes / row_bytes) * row_bytes);
    for (size_t off = 0; off < weights.size(); off += row_bytes) std::memcpy(weights.data() + off, row.data(), row_bytes);

    const DTypeTraits& act_type = pipit::Traits(t->dot_type);
    std::vector<uint8_t> act(pipit::RowBytes(act_type, kCols));
    act_type.quantize(row_f.data(), act.data(), kCols);

    std::printf("%-6s", t->name);
    for (const KernelSet* set : sets) {
      double hot, cold;
      Bench(*set, *t, weights, act.data(), &hot, &cold);
      std::printf(" %13.2f %13.2f", hot, cold);
      std::fflush(stdout);
    }
    std::printf("\n");
  }
  return 0;
}
