// Q5_K: 5-bit weights in super-blocks of 256 (8 sub-blocks of 32), each
// sub-block with a 6-bit scale and a 6-bit min: x = d*sc*q - dmin*m. The low
// four bits are laid out as in Q4_K; the fifth bit lives in qh.
#include <cstring>

#include "quant/blocks_k.h"
#include "quant/formats.h"
#include "quant/fp16.h"
#include "quant/kquant_scales.h"
#include "quant/kquant_search.h"

namespace pipit::quant {
namespace {

void QuantizeBlock(const float* x, BlockQ5K* y) {
  uint8_t L[kQK_K];
  QuantizeScalesAndLevelsK4(x, 31, -0.5f, 15, L, &y->d, &y->dmin, y->scales);
  // Sub-blocks 2p and 2p+1 share qs[32p..32p+31] (low, high nibble) and
  // bits 2p, 2p+1 of qh[0..31].
  std::memset(y->qh, 0, sizeof y->qh);
  for (int p = 0; p < 4; ++p) {
    for (int l = 0; l < 32; ++l) {
      const int lo = L[64 * p + l], hi = L[64 * p + 32 + l];
      y->qs[32 * p + l] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
      y->qh[l] |= static_cast<uint8_t>(((lo >> 4) << (2 * p)) | ((hi >> 4) << (2 * p + 1)));
    }
  }
}

// Level (0..31) of weight e.
inline int Q5Level(const BlockQ5K& b, int e) {
  const int sub = e / 32;  // bit index in qh
  const uint8_t byte = b.qs[32 * (e / 64) + e % 32];
  const int low = sub % 2 == 0 ? (byte & 0xF) : (byte >> 4);
  return low | (((b.qh[e % 32] >> sub) & 1) << 4);
}

}  // namespace

void quantize_row_q5_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ5K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) QuantizeBlock(src + b * kQK_K, &blocks[b]);
}

void dequantize_row_q5_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ5K*>(src);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const BlockQ5K& block = blocks[b];
    const float d = Fp16ToFp32(block.d);
    const float dmin = Fp16ToFp32(block.dmin);
    float* y = dst + b * kQK_K;  // [256]
    for (int j = 0; j < kQK_K / 32; ++j) {
      uint8_t sc, m;
      GetScaleMinK4(j, block.scales, &sc, &m);
      const float dl = d * static_cast<float>(sc);
      const float ml = dmin * static_cast<float>(m);
      for (int e = 32 * j; e < 32 * j + 32; ++e) y[e] = dl * static_cast<float>(Q5Level(block, e)) - ml;
    }
  }
}

// Same structure and rounding as dot_q4_k_q8_k (ggml_vec_dot_q5_K_q8_K_generic).
float dot_q5_k_q8_k(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ5K*>(row);
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
      for (int e = 32 * j; e < 32 * j + 32; ++e) lanes[e % 8] += sc * (y[b].qs[e] * Q5Level(x[b], e));
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
