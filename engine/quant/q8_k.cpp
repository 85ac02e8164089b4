// Q8_K: the activation format of k-quant dot products. 256 int8 values with
// one float scale, plus the sums of each 16-value group (bsums), which let a
// dot product with a min-carrying format (Q2_K, Q4_K, Q5_K) apply each
// sub-block's min with one multiply.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/blocks_k.h"
#include "quant/formats.h"
#include "quant/kquant_search.h"

namespace pipit::quant {

void quantize_row_q8_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ8K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float* x = src + b * kQK_K;
    BlockQ8K& y = blocks[b];

    // The signed value of largest magnitude (first on ties).
    float max = 0;
    float amax = 0;
    for (int i = 0; i < kQK_K; ++i) {
      const float ax = std::fabs(x[i]);
      if (ax > amax) {
        amax = ax;
        max = x[i];
      }
    }
    if (amax == 0) {
      // llama.cpp leaves bsums untouched here; we zero them (the true sums).
      std::memset(&y, 0, sizeof y);
      continue;
    }
    // Scaling by the signed max maps it to -127 exactly. llama.cpp chose
    // -127 (not -128) so that SIMD kernels may negate any value.
    const float iscale = -127.f / max;
    for (int i = 0; i < kQK_K; ++i) y.qs[i] = static_cast<int8_t>(std::min(127, NearestInt(iscale * x[i])));
    for (int g = 0; g < kQK_K / 16; ++g) {
      int sum = 0;
      for (int i = 0; i < 16; ++i) sum += y.qs[16 * g + i];
      y.bsums[g] = static_cast<int16_t>(sum);
    }
    y.d = 1 / iscale;
  }
}

void dequantize_row_q8_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ8K*>(src);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    for (int i = 0; i < kQK_K; ++i) dst[b * kQK_K + i] = blocks[b].d * static_cast<float>(blocks[b].qs[i]);
  }
}

}  // namespace pipit::quant
