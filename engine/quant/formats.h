// Reference (scalar, portable) implementations of every format. One file per
// format family defines these; engine/quant/dtype.cpp binds them into the
// traits table. SIMD kernels (engine/kernels/) are tested against these.
#pragma once

#include <cstdint>

namespace pipit::quant {

#define PIPIT_DECLARE_FORMAT(name)                                      \
  void dequantize_row_##name(const void* src, float* dst, int64_t n);   \
  void quantize_row_##name(const float* src, void* dst, int64_t n);

PIPIT_DECLARE_FORMAT(f32)
PIPIT_DECLARE_FORMAT(f16)
PIPIT_DECLARE_FORMAT(bf16)
PIPIT_DECLARE_FORMAT(q4_0)
PIPIT_DECLARE_FORMAT(q4_1)
PIPIT_DECLARE_FORMAT(q5_0)
PIPIT_DECLARE_FORMAT(q5_1)
PIPIT_DECLARE_FORMAT(q8_0)
PIPIT_DECLARE_FORMAT(q8_1)
PIPIT_DECLARE_FORMAT(q2_k)
PIPIT_DECLARE_FORMAT(q3_k)
PIPIT_DECLARE_FORMAT(q4_k)
PIPIT_DECLARE_FORMAT(q5_k)
PIPIT_DECLARE_FORMAT(q6_k)
PIPIT_DECLARE_FORMAT(q8_k)

#undef PIPIT_DECLARE_FORMAT

// Dot products: weight row (first type) x activation row (second type).
float dot_f32_f32(const void* row, const void* act, int64_t n);
float dot_f16_f16(const void* row, const void* act, int64_t n);
float dot_bf16_bf16(const void* row, const void* act, int64_t n);
float dot_q4_0_q8_0(const void* row, const void* act, int64_t n);
float dot_q4_1_q8_1(const void* row, const void* act, int64_t n);
float dot_q5_0_q8_0(const void* row, const void* act, int64_t n);
float dot_q5_1_q8_1(const void* row, const void* act, int64_t n);
float dot_q8_0_q8_0(const void* row, const void* act, int64_t n);
float dot_q2_k_q8_k(const void* row, const void* act, int64_t n);
float dot_q3_k_q8_k(const void* row, const void* act, int64_t n);
float dot_q4_k_q8_k(const void* row, const void* act, int64_t n);
float dot_q5_k_q8_k(const void* row, const void* act, int64_t n);
float dot_q6_k_q8_k(const void* row, const void* act, int64_t n);

}  // namespace pipit::quant
