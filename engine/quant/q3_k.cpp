// Q3_K: 3-bit weights in super-blocks of 256 (16 sub-blocks of 16) with
// signed 6-bit sub-block scales: x = d*(sc-32)*(q-4), no min.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/blocks_k.h"
#include "quant/formats.h"
#include "quant/fp16.h"
#include "quant/kquant_scales.h"
#include "quant/kquant_search.h"

namespace pipit::quant {
namespace {

// Signed level (-4..3) of weight e: two low bits from the stripe layout of
// qs; the hmask bit set means the level is q, clear means q - 4.
inline int Q3Level(const BlockQ3K& b, int e) {
  const int half = e / 128, stripe = (e % 128) / 32, l = e % 32;
  const int low = (b.qs[32 * half + l] >> (2 * stripe)) & 3;
  const bool high = (b.hmask[l] >> (e / 32)) & 1;
  return high ? low : low - 4;
}

void QuantizeBlock(const float* x, BlockQ3K* y) {
  int8_t L[kQK_K];
  float scales[kQK_K / 16];

  float max_scale = 0;  // signed scale of largest magnitude
  float amax = 0;
  for (int j = 0; j < kQK_K / 16; ++j) {
    scales[j] = SearchSymmetricScaleIterative(16, 4, x + 16 * j, L + 16 * j);
    const float a = std::fabs(scales[j]);
    if (a > amax) {
      amax = a;
      max_scale = scales[j];
    }
  }

  if (max_scale != 0) {
    const float iscale = -32.f / max_scale;
    uint8_t levels[16];
    for (int j = 0; j < kQK_K / 16; ++j) {
      // llama.cpp keeps this in an int8 before clamping; same values here.
      const int8_t l = static_cast<int8_t>(NearestInt(iscale * scales[j]));
      levels[j] = static_cast<uint8_t>(std::max(-32, std::min(31, static_cast<int>(l))) + 32);
    }
    PackQ3KScales(levels, y->scales);
    y->d = Fp32ToFp16(1 / iscale);
  } else {
    std::memset(y->scales, 0, sizeof y->scales);
    y->d = Fp32ToFp16(0.f);
  }

  // Re-level against the stored scales; zero-scale sub-blocks keep the
  // levels of the search.
  const float d_all = Fp16ToFp32(y->d);
  for (int j = 0; j < kQK_K / 16; ++j) {
    const float d = d_all * static_cast<float>(static_cast<int8_t>(Q3KScale(y->scales, j)));
    if (d == 0) continue;
    for (int i = 0; i < 16; ++i) {
      const int l = NearestInt(x[16 * j + i] / d);
      L[16 * j + i] = static_cast<int8_t>(std::clamp(l, -4, 3) + 4);
    }
  }

  // Levels 0..7: bit 2 goes to hmask (bit e/32 of byte e%32), the low two
  // bits to qs in the same stripe order as Q2_K.
  std::memset(y->hmask, 0, sizeof y->hmask);
  for (int e = 0; e < kQK_K; ++e) {
    if (L[e] > 3) {
      y->hmask[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
      L[e] = static_cast<int8_t>(L[e] - 4);
    }
  }
  for (int half = 0; half < 2; ++half) {
    const int8_t* h = L + 128 * half;
    for (int l = 0; l < 32; ++l) {
      y->qs[32 * half + l] = static_cast<uint8_t>(h[l] | (h[l + 32] << 2) | (h[l + 64] << 4) | (h[l + 96] << 6));
    }
  }
}

}  // namespace

void quantize_row_q3_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ3K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) QuantizeBlock(src + b * kQK_K, &blocks[b]);
}

void dequantize_row_q3_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ3K*>(src);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const BlockQ3K& block = blocks[b];
    const float d = Fp16ToFp32(block.d);
    float* y = dst + b * kQK_K;  // [256]
    for (int j = 0; j < kQK_K / 16; ++j) {
      const float dl = d * static_cast<float>(Q3KScale(block.scales, j));
      for (int e = 16 * j; e < 16 * j + 16; ++e) y[e] = dl * static_cast<float>(Q3Level(block, e));
    }
  }
}

// Integer sums in 8 lanes (lane = element % 8), scaled to float once per
// block, lanes added at the very end: the same rounding as llama.cpp's
// ggml_vec_dot_q3_K_q8_K_generic, so results match it exactly.
float dot_q3_k_q8_k(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ3K*>(row);
  const auto* y = static_cast<const BlockQ8K*>(act);
  float lane_sums[8] = {};
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    int32_t lanes[8] = {};
    for (int j = 0; j < kQK_K / 16; ++j) {
      const int scale = Q3KScale(x[b].scales, j);
      for (int e = 16 * j; e < 16 * j + 16; ++e) lanes[e % 8] += scale * (y[b].qs[e] * Q3Level(x[b], e));
    }
    const float d = Fp16ToFp32(x[b].d) * y[b].d;
    for (int l = 0; l < 8; ++l) lane_sums[l] += d * static_cast<float>(lanes[l]);
  }
  float sum = 0;
  for (int l = 0; l < 8; ++l) sum += lane_sums[l];
  return sum;
}

}  // namespace pipit::quant
