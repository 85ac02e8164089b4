// Q6_K: 6-bit weights in super-blocks of 256 (16 sub-blocks of 16) with
// signed 8-bit sub-block scales: x = d*sc*(q-32), no min.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/blocks_k.h"
#include "quant/formats.h"
#include "quant/fp16.h"
#include "quant/kquant_search.h"

namespace pipit::quant {
namespace {

// Signed level (-32..31) of weight e: in each 128-weight half, stripe s
// (32 weights) takes the low (s < 2) or high nibble of ql[l + 32*(s%2)] and
// bits 2s..2s+1 of qh[l].
inline int Q6Level(const BlockQ6K& b, int e) {
  const int half = e / 128, stripe = (e % 128) / 32, l = e % 32;
  const uint8_t ql = b.ql[64 * half + 32 * (stripe % 2) + l];
  const int low = stripe < 2 ? (ql & 0xF) : (ql >> 4);
  const int high = (b.qh[32 * half + l] >> (2 * stripe)) & 3;
  return (low | (high << 4)) - 32;
}

void QuantizeBlock(const float* x, BlockQ6K* y) {
  int8_t L[kQK_K];
  float scales[kQK_K / 16];

  float max_scale = 0;  // signed scale of largest magnitude
  float max_abs_scale = 0;
  for (int j = 0; j < kQK_K / 16; ++j) {
    scales[j] = SearchSymmetricScale(16, 32, x + 16 * j, L + 16 * j);
    const float a = std::fabs(scales[j]);
    if (a > max_abs_scale) {
      max_abs_scale = a;
      max_scale = scales[j];
    }
  }
  if (max_abs_scale < kGroupMaxEps) {
    std::memset(y, 0, sizeof *y);
    y->d = Fp32ToFp16(0.f);
    return;
  }

  const float iscale = -128.f / max_scale;
  y->d = Fp32ToFp16(1 / iscale);
  for (int j = 0; j < kQK_K / 16; ++j) {
    y->scales[j] = static_cast<int8_t>(std::min(127, NearestInt(iscale * scales[j])));
  }

  // Re-level against the stored scales; zero-scale sub-blocks keep the
  // levels of the search.
  const float d_all = Fp16ToFp32(y->d);
  for (int j = 0; j < kQK_K / 16; ++j) {
    const float d = d_all * static_cast<float>(y->scales[j]);
    if (d == 0) continue;
    for (int i = 0; i < 16; ++i) {
      const int l = NearestInt(x[16 * j + i] / d);
      L[16 * j + i] = static_cast<int8_t>(std::clamp(l, -32, 31) + 32);
    }
  }

  for (int half = 0; half < 2; ++half) {
    const int8_t* h = L + 128 * half;
    uint8_t* ql = y->ql + 64 * half;
    uint8_t* qh = y->qh + 32 * half;
    for (int l = 0; l < 32; ++l) {
      ql[l] = static_cast<uint8_t>((h[l] & 0xF) | ((h[l + 64] & 0xF) << 4));
      ql[l + 32] = static_cast<uint8_t>((h[l + 32] & 0xF) | ((h[l + 96] & 0xF) << 4));
      qh[l] = static_cast<uint8_t>((h[l] >> 4) | ((h[l + 32] >> 4) << 2) | ((h[l + 64] >> 4) << 4) |
                                   ((h[l + 96] >> 4) << 6));
    }
  }
}

}  // namespace

void quantize_row_q6_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ6K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) QuantizeBlock(src + b * kQK_K, &blocks[b]);
}

void dequantize_row_q6_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ6K*>(src);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const BlockQ6K& block = blocks[b];
    const float d = Fp16ToFp32(block.d);
    float* y = dst + b * kQK_K;  // [256]
    for (int e = 0; e < kQK_K; ++e) {
      // (d * sc) * q: the association llama.cpp uses.
      y[e] = d * static_cast<float>(block.scales[e / 16]) * static_cast<float>(Q6Level(block, e));
    }
  }
}

// Integer sums in 8 lanes (lane = element % 8), scaled to float once per
// block, lanes added at the end (ggml_vec_dot_q6_K_q8_K_generic's rounding).
float dot_q6_k_q8_k(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ6K*>(row);
  const auto* y = static_cast<const BlockQ8K*>(act);
  float lane_sums[8] = {};
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    int32_t lanes[8] = {};
    for (int j = 0; j < kQK_K / 16; ++j) {
      const int scale = x[b].scales[j];
      for (int e = 16 * j; e < 16 * j + 16; ++e) lanes[e % 8] += scale * (y[b].qs[e] * Q6Level(x[b], e));
    }
    const float d = Fp16ToFp32(x[b].d) * y[b].d;
    for (int l = 0; l < 8; ++l) lane_sums[l] += d * static_cast<float>(lanes[l]);
  }
  float sum = 0;
  for (int l = 0; l < 8; ++l) sum += lane_sums[l];
  return sum;
}

}  // namespace pipit::quant
