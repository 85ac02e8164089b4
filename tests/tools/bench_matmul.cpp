// Micro-benchmark of MatMul (the prefill path): W (Q4_K / Q6_K / Q8_0,
// 2048 x 2048, TinyLlama's attention shape) times a batch of tokens, one
// thread, for each kernel table. Times are thread CPU time (the machine is
// shared: wall time would mostly measure the neighbours); best of several.
// Prints GMAC/s (multiply-adds per second) per batch size.
//   bench_matmul [tokens ...]   (default: 1 4 64)
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "kernels/kernels.h"
#include "model/matmul.h"
#include "platform/thread_pool.h"
#include "quant/dtype.h"

namespace {

double ThreadSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pipit;
  std::vector<int> token_counts;
  for (int i = 1; i < argc; ++i) token_counts.push_back(std::atoi(argv[i]));
  if (token_counts.empty()) token_counts = {1, 4, 64};
  const int64_t rows = 2048, cols = 2048;
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> floats(rows * cols);
  for (float& v : floats) v = normal(rng);
  int max_tokens = 1;
  for (int t : token_counts) max_tokens = t > max_tokens ? t : max_tokens;
  std::vector<float> x(max_tokens * cols), y(max_tokens * rows);
  for (float& v : x) v = normal(rng);
  platform::ThreadPool pool(1);
  ActivationBuffer scratch;

  std::printf("MatMul %lld x %lld, one thread, GMAC/s (thread CPU time)\n", (long long)rows, (long long)cols);
  for (DType type : {DType::Q4_K, DType::Q6_K, DType::Q8_0}) {
    const DTypeTraits& t = Traits(type);
    std::vector<uint8_t> bytes(RowBytes(t, cols) * rows);
    for (int64_t r = 0; r < rows; ++r) t.quantize(&floats[r * cols], bytes.data() + r * RowBytes(t, cols), cols);
    Matrix w{&t, bytes.data(), cols, rows, RowBytes(t, cols)};
    for (int tokens : token_counts) {
      double best = 1e30;
      for (int rep = 0; rep < 5; ++rep) {
        const double start = ThreadSeconds();
        MatMul(w, x.data(), tokens, y.data(), scratch, pool);
        const double s = ThreadSeconds() - start;
        best = s < best ? s : best;
      }
      std::printf("%-5s %s tokens=%-3d %7.1f GMAC/s\n", t.name, kernels::Kernels().name, tokens,
                  static_cast<double>(rows) * cols * tokens / best / 1e9);
    }
    // Cold decode: one token against a new copy of the matrix each time, from
    // a buffer far larger than the caches (bound by memory bandwidth).
    const size_t matrix_bytes = bytes.size();
    const int copies = static_cast<int>((size_t{384} << 20) / matrix_bytes);
    std::vector<uint8_t> big(matrix_bytes * copies);
    for (int c = 0; c < copies; ++c) std::copy(bytes.begin(), bytes.end(), big.begin() + c * matrix_bytes);
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      const double start = ThreadSeconds();
      for (int c = 0; c < copies; ++c) {
        Matrix wc{&t, big.data() + c * matrix_bytes, cols, rows, RowBytes(t, cols)};
        MatMul(wc, x.data(), 1, y.data(), scratch, pool);
      }
      const double s = ThreadSeconds() - start;
      best = s < best ? s : best;
    }
    std::printf("%-5s %s tokens=1 cold: %5.1f GB/s of weights\n", t.name, kernels::Kernels().name,
                static_cast<double>(matrix_bytes) * copies / best / 1e9);
  }
  return 0;
}
