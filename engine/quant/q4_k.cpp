// Q4_K: 4-bit weights in super-blocks of 256 (8 sub-blocks of 32), each
// sub-block with a 6-bit scale and a 6-bit min: x = d*sc*q - dmin*m.
#include <algorithm>
#include <cmath>

#include "quant/blocks_k.h"
#include "quant/formats.h"
#include "quant/fp16.h"
#include "quant/kquant_scales.h"
#include "quant/kquant_search.h"

namespace pipit::quant {

namespace {

void QuantizeBlock(const float* x, BlockQ4K* y) {
  uint8_t L[kQK_K];
  QuantizeScalesAndLevelsK4(x, 15, -1.f, 20, L, &y->d, &y->dmin, y->scales);
  // Sub-blocks 2p and 2p+1 share qs[32p..32p+31]: low then high nibble.
  for (int p = 0; p < 4; ++p) {
    for (int l = 0; l < 32; ++l) y->qs[32 * p + l] = static_cast<uint8_t>(L[64 * p + l] | (L[64 * p + 32 + l] << 4));
  }
}

// Level (0..15) of weight e.
inline int Q4Level(const BlockQ4K& b, int e) {
  const uint8_t byte = b.qs[32 * (e / 64) + e % 32];
  return (e % 64) < 32 ? (byte & 0xF) : (byte >> 4);
}

}  // namespace

void quantize_row_q4_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ4K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) QuantizeBlock(src + b * kQK_K, &blocks[b]);
}

void dequantize_row_q4_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ4K*>(src);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const BlockQ4K& block = blocks[b];
    const float d = Fp16ToFp32(block.d);
    const float dmin = Fp16ToFp32(block.dmin);
    float* y = dst + b * kQK_K;  // [256]
    for (int j = 0; j < kQK_K / 32; ++j) {
      uint8_t sc, m;
      GetScaleMinK4(j, block.scales, &sc, &m);
      const float dl = d * static_cast<float>(sc);
      const float ml = dmin * static_cast<float>(m);
      for (int e = 32 * j; e < 32 * j + 32; ++e) y[e] = dl * static_cast<float>(Q4Level(block, e)) - ml;
    }
  }
}

// Integer sums in 8 lanes (lane = element % 8), scaled to float once per
// block; mins subtracted per block through the activation's 16-element sums;
// lanes added at the end. Same rounding as ggml_vec_dot_q4_K_q8_K_generic.
float dot_q4_k_q8_k(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ4K*>(row);
  const auto* y = static_cast<const BlockQ8K*>(act);
  float lane_sums[8] = {};
  float sum = 0;
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    int32_t lanes[8] = {};
    int min_sum = 0;
    for (int j = 0; j < kQK_K / 32; ++j) {
      uint8_t sc, m;
      GetScaleMinK4(j, x[b].scales, &sc, &m);
      min_sum += (y[b].bsums[2 * j] + y[b].bsums[2 * j + 1]) * m;
      for (int e = 32 * j; e < 32 * j + 32; ++e) lanes[e % 8] += sc * (y[b].qs[e] * Q4Level(x[b], e));
    }
    const float d = Fp16ToFp32(x[b].d) * y[b].d;
    for (int l = 0; l < 8; ++l) lane_sums[l] += d * static_cast<float>(lanes[l]);
    const float dmin = Fp16ToFp32(x[b].dmin) * y[b].d;
    sum -= dmin * static_cast<float>(min_sum);
  }
  for (int l = 0; l < 8; ++l) sum += lane_sums[l];
  return sum;
}

}  // namespace pipit::quant
