// F32, F16 and BF16 rows: conversions and reference dot products.
//
// The dots follow ggml's scalar (non-SIMD) loops, ggml_vec_dot_{f32,f16,bf16}:
// each product is formed in float and the sum is accumulated in double, then
// rounded to float once. For F16 and BF16 the float product is exact (11- or
// 8-bit mantissas), so the result depends only on the double summation order.
// SIMD kernels accumulate in float lanes instead and agree to ~1e-6 relative.
#include <cstring>

#include "quant/formats.h"
#include "quant/fp16.h"

namespace pipit::quant {

void dequantize_row_f32(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

void quantize_row_f32(const float* src, void* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

void dequantize_row_f16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);  // [n] halves
  for (int64_t i = 0; i < n; ++i) dst[i] = Fp16ToFp32(h[i]);
}

void quantize_row_f16(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);  // [n] halves
  for (int64_t i = 0; i < n; ++i) h[i] = Fp32ToFp16(src[i]);
}

void dequantize_row_bf16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);  // [n] bf16
  for (int64_t i = 0; i < n; ++i) dst[i] = Bf16ToFp32(h[i]);
}

void quantize_row_bf16(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);  // [n] bf16
  for (int64_t i = 0; i < n; ++i) h[i] = Fp32ToBf16(src[i]);
}

float dot_f32_f32(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const float*>(row);
  const auto* y = static_cast<const float*>(act);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float product = x[i] * y[i];  // rounded to float first, as ggml does
    sum += product;
  }
  return static_cast<float>(sum);
}

float dot_f16_f16(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const uint16_t*>(row);
  const auto* y = static_cast<const uint16_t*>(act);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float product = Fp16ToFp32(x[i]) * Fp16ToFp32(y[i]);
    sum += product;
  }
  return static_cast<float>(sum);
}

float dot_bf16_bf16(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const uint16_t*>(row);
  const auto* y = static_cast<const uint16_t*>(act);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float product = Bf16ToFp32(x[i]) * Bf16ToFp32(y[i]);
    sum += product;
  }
  return static_cast<float>(sum);
}

}  // namespace pipit::quant
