// Q4_0 x Q8_0 and Q8_0 x Q8_0 dot products on SMLAD. One SMLAD multiplies
// two pairs of sign-extended bytes: SXTB16 takes bytes 0 and 2 of a word,
// SXTB16 with ROR #8 bytes 1 and 3, so a 4-byte word of weights against the
// matching word of activations is two SMLADs. Which weight meets which
// activation is all that matters; the block's integer sum is exact.
//
// Cost per 32-weight block (instructions, GCC 12 -O2): Q8_0 8 words x
// (2 LDR + 4 SXTB16 + 2 SMLAD) = 64; Q4_0 4 words x (1 LDR + 3 AND/LSR +
// 2 SSUB8 + 2 LDR + 8 SXTB16 + 4 SMLAD) = 80; plus ~15 for the two half
// scales (VCVTB: exact, so the same floats as Fp16ToFp32) and the float
// multiply and add.
#include <cstdint>

#include "kernels/kernels.h"
#include "kernels/m33/dsp_ops.h"
#include "kernels/m33/m33_kernels.h"
#include "quant/blocks_legacy.h"

namespace pipit::kernels::m33 {

using quant::BlockQ4_0;
using quant::BlockQ8_0;
using quant::kQK;

namespace {

// sum_j w[j] * a[j] over four bytes of each.
inline int32_t Dot4(uint32_t w, uint32_t a, int32_t acc) {
  acc = Smlad(Sxtb16(w), Sxtb16(a), acc);
  return Smlad(Sxtb16Ror8(w), Sxtb16Ror8(a), acc);
}

}  // namespace

float dot_q8_0_q8_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ8_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  float sum = 0.0f;
  const int n_blocks = static_cast<int>(n / kQK);  // 32-bit counter: cheaper on the M33
  for (int b = 0; b < n_blocks; ++b) {
    const int8_t* xq = x[b].qs;  // [32]
    const int8_t* yq = y[b].qs;  // [32]
    int32_t sum_q = 0;
#pragma GCC unroll 8
    for (int j = 0; j < kQK; j += 4) sum_q = Dot4(Load32(xq + j), Load32(yq + j), sum_q);
    // The reference's order: sum_q * (dx * dy).
    const float dd = HalfToFloat(x[b].d) * HalfToFloat(y[b].d);
    const float block = static_cast<float>(sum_q) * dd;
    sum += block;
  }
  return sum;
}

float dot_q4_0_q8_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ4_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  float sum = 0.0f;
  const int n_blocks = static_cast<int>(n / kQK);  // 32-bit counter: cheaper on the M33
  for (int b = 0; b < n_blocks; ++b) {
    const uint8_t* xq = x[b].qs;  // [16]: weight j in the low nibble, j + 16 in the high one
    const int8_t* yq = y[b].qs;   // [32]
    int32_t sum_q = 0;
#pragma GCC unroll 4
    for (int j = 0; j < kQK / 2; j += 4) {
      const uint32_t q = Load32(xq + j);
      // Nibbles 0..15 to bytes -8..7 (no byte overflows, so modulo 256 is exact).
      const uint32_t lo = Ssub8(q & 0x0F0F0F0Fu, 0x08080808u);         // weights j .. j+3
      const uint32_t hi = Ssub8((q >> 4) & 0x0F0F0F0Fu, 0x08080808u);  // weights j+16 .. j+19
      sum_q = Dot4(lo, Load32(yq + j), sum_q);
      sum_q = Dot4(hi, Load32(yq + j + kQK / 2), sum_q);
    }
    // The reference's order: (sum_q * dx) * dy.
    const float scaled = static_cast<float>(sum_q) * HalfToFloat(x[b].d);
    const float block = scaled * HalfToFloat(y[b].d);
    sum += block;
  }
  return sum;
}

void FillM33Kernels(KernelSet* set) {
  set->dot[static_cast<int>(DType::Q4_0)] = dot_q4_0_q8_0;
  set->dot[static_cast<int>(DType::Q8_0)] = dot_q8_0_q8_0;
  set->dot_half_float = dot_half_float;
  set->axpy_half = axpy_half;
  set->dot_half_rows = dot_half_rows;
  set->weighted_sum_half = weighted_sum_half;
}

}  // namespace pipit::kernels::m33
