// The kernel functions every SIMD table provides, with the reference names of
// engine/quant/formats.h. Expand PIPIT_DECLARE_KERNELS inside an ISA's
// namespace (pipit::kernels::avx2, ...) to declare its set.
#pragma once

#include <cstddef>
#include <cstdint>

#define PIPIT_DECLARE_KERNELS                                            \
  float dot_f32_f32(const void* row, const void* act, int64_t n);        \
  float dot_f16_f16(const void* row, const void* act, int64_t n);        \
  float dot_bf16_bf16(const void* row, const void* act, int64_t n);      \
  float dot_q4_0_q8_0(const void* row, const void* act, int64_t n);      \
  float dot_q4_1_q8_1(const void* row, const void* act, int64_t n);      \
  float dot_q5_0_q8_0(const void* row, const void* act, int64_t n);      \
  float dot_q5_1_q8_1(const void* row, const void* act, int64_t n);      \
  float dot_q8_0_q8_0(const void* row, const void* act, int64_t n);      \
  float dot_q2_k_q8_k(const void* row, const void* act, int64_t n);      \
  float dot_q3_k_q8_k(const void* row, const void* act, int64_t n);      \
  float dot_q4_k_q8_k(const void* row, const void* act, int64_t n);      \
  float dot_q5_k_q8_k(const void* row, const void* act, int64_t n);      \
  float dot_q6_k_q8_k(const void* row, const void* act, int64_t n);      \
  void quantize_row_q8_0(const float* src, void* dst, int64_t n);        \
  void quantize_row_q8_1(const float* src, void* dst, int64_t n);        \
  void quantize_row_q8_k(const float* src, void* dst, int64_t n);        \
  void quantize_row_f16(const float* src, void* dst, int64_t n);        \
  void dot_tokens_q4_k_q8_k(const void* row, const void* acts, size_t act_stride, int n_tokens, int64_t n, \
                            float* out, size_t out_stride);             \
  void dot_tokens_q6_k_q8_k(const void* row, const void* acts, size_t act_stride, int n_tokens, int64_t n, \
                            float* out, size_t out_stride);             \
  void dot_tokens_q8_0_q8_0(const void* row, const void* acts, size_t act_stride, int n_tokens, int64_t n, \
                            float* out, size_t out_stride);             \
  float dot_half_float(const uint16_t* k, const float* q, int64_t n);   \
  void axpy_half(float a, const uint16_t* v, float* out, int64_t n);   \
  void dot_half_rows(const uint16_t* k, size_t stride, int64_t n_rows, const float* q, int64_t n, float scale, \
                     float* scores);                                     \
  void weighted_sum_half(const float* w, const uint16_t* v, size_t stride, int64_t n_rows, int64_t n, float* out); \
  void softmax_half(float* scores, int64_t n);

// Fills `set` (a KernelSet) with every kernel of namespace `ns`.
#define PIPIT_FILL_KERNEL_SET(set, ns)                                   \
  do {                                                                   \
    (set).dot[static_cast<int>(DType::F32)] = ns::dot_f32_f32;           \
    (set).dot[static_cast<int>(DType::F16)] = ns::dot_f16_f16;           \
    (set).dot[static_cast<int>(DType::BF16)] = ns::dot_bf16_bf16;        \
    (set).dot[static_cast<int>(DType::Q4_0)] = ns::dot_q4_0_q8_0;        \
    (set).dot[static_cast<int>(DType::Q4_1)] = ns::dot_q4_1_q8_1;        \
    (set).dot[static_cast<int>(DType::Q5_0)] = ns::dot_q5_0_q8_0;        \
    (set).dot[static_cast<int>(DType::Q5_1)] = ns::dot_q5_1_q8_1;        \
    (set).dot[static_cast<int>(DType::Q8_0)] = ns::dot_q8_0_q8_0;        \
    (set).dot[static_cast<int>(DType::Q2_K)] = ns::dot_q2_k_q8_k;        \
    (set).dot[static_cast<int>(DType::Q3_K)] = ns::dot_q3_k_q8_k;        \
    (set).dot[static_cast<int>(DType::Q4_K)] = ns::dot_q4_k_q8_k;        \
    (set).dot[static_cast<int>(DType::Q5_K)] = ns::dot_q5_k_q8_k;        \
    (set).dot[static_cast<int>(DType::Q6_K)] = ns::dot_q6_k_q8_k;        \
    (set).quantize_activation[static_cast<int>(DType::Q8_0)] = ns::quantize_row_q8_0; \
    (set).quantize_activation[static_cast<int>(DType::Q8_1)] = ns::quantize_row_q8_1; \
    (set).quantize_activation[static_cast<int>(DType::Q8_K)] = ns::quantize_row_q8_k; \
    (set).quantize_activation[static_cast<int>(DType::F16)] = ns::quantize_row_f16;   \
    (set).dot_tokens[static_cast<int>(DType::Q4_K)] = ns::dot_tokens_q4_k_q8_k; \
    (set).dot_tokens[static_cast<int>(DType::Q6_K)] = ns::dot_tokens_q6_k_q8_k; \
    (set).dot_tokens[static_cast<int>(DType::Q8_0)] = ns::dot_tokens_q8_0_q8_0; \
    (set).dot_half_float = ns::dot_half_float;                           \
    (set).axpy_half = ns::axpy_half;                                     \
    (set).dot_half_rows = ns::dot_half_rows;                             \
    (set).weighted_sum_half = ns::weighted_sum_half;                     \
    (set).softmax_half = ns::softmax_half;                               \
  } while (0)
