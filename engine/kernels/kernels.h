// The hot loops (dot products and activation quantizers), one table per
// instruction set. Kernels() picks the best table this CPU supports, once, at
// first use; the scalar table (the reference code of engine/quant/) is always
// built, so one binary runs on any CPU of its architecture.
//
// PIPIT_KERNELS=scalar|avx2|avx512|neon|neon-dotprod|m33 forces a table (tests, benchmarks); a
// table this build or CPU lacks falls back to the automatic choice.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quant/dtype.h"

namespace pipit::kernels {

// Same shapes as DTypeTraits::dot and DTypeTraits::quantize.
using DotFn = float (*)(const void* row, const void* act, int64_t n);
using QuantizeFn = void (*)(const float* src, void* dst, int64_t n);
// One weight row against n_tokens activation rows (act_stride bytes apart):
// out[i * out_stride] = dot(row, act_i). Each weight block is decoded once
// and reused for several tokens (prefill). Every result is bit-identical to
// the same table's single-token dot: the per-token accumulation order is the
// same code, so a token's output never depends on batch composition.
// Attention over the FP16 KV cache: sum_i q[i] * half(k[i]) (q already
// rounded to half by the caller), and out[i] += a * half(v[i]).
using DotHalfFloatFn = float (*)(const uint16_t* k, const float* q, int64_t n);
using AxpyHalfFn = void (*)(float a, const uint16_t* v, float* out, int64_t n);
// The same over the rows of a cache, `stride` halves apart (one call per
// query instead of one per cached position): scores[r] = scale * (q . k_r),
// and out = sum_r w[r] * v_r (out overwritten), rows in order.
using DotHalfRowsFn = void (*)(const uint16_t* k, size_t stride, int64_t n_rows, const float* q, int64_t n,
                               float scale, float* scores);
using WeightedSumHalfFn = void (*)(const float* w, const uint16_t* v, size_t stride, int64_t n_rows, int64_t n,
                                   float* out);
// Softmax of n >= 1 scores in place, as llama.cpp computes it: exp(s - max)
// in float, the sum in double, and each probability rounded to half (it
// multiplies half values next).
using SoftmaxHalfFn = void (*)(float* scores, int64_t n);
using DotTokensFn = void (*)(const void* row, const void* acts, size_t act_stride, int n_tokens, int64_t n,
                             float* out, size_t out_stride);

inline constexpr int kDTypeSlots = 31;  // every DType id is below this

struct KernelSet {
  const char* name;  // one of kKernelSetNames
  // By weight type: row of that type x activation row of its dot_type.
  DotFn dot[kDTypeSlots];
  // By activation (dot) type: float row -> Q8_0, Q8_1, Q8_K, F16, ...
  // Bit-identical to the reference quantizers.
  QuantizeFn quantize_activation[kDTypeSlots];
  // By weight type: the multi-token dot, or nullptr where the table has none
  // (then callers loop over dot; see DotTokens below).
  DotTokensFn dot_tokens[kDTypeSlots];
  // Attention inner loops (generic/attention_scalar.cpp is the reference;
  // SIMD versions differ only in float summation order).
  DotHalfFloatFn dot_half_float;
  AxpyHalfFn axpy_half;
  DotHalfRowsFn dot_half_rows;
  WeightedSumHalfFn weighted_sum_half;
  SoftmaxHalfFn softmax_half;  // SIMD versions: their own exp, within 2 ulp of std::exp

  DotFn Dot(DType weight) const { return dot[static_cast<uint32_t>(weight)]; }
  QuantizeFn QuantizeActivation(DType act) const { return quantize_activation[static_cast<uint32_t>(act)]; }
  DotTokensFn DotTokensOrNull(DType weight) const { return dot_tokens[static_cast<uint32_t>(weight)]; }

  // The multi-token dot, falling back to one Dot per token.
  void DotTokens(DType weight, const void* row, const void* acts, size_t act_stride, int n_tokens, int64_t n,
                 float* out, size_t out_stride) const {
    if (DotTokensFn fn = DotTokensOrNull(weight)) return fn(row, acts, act_stride, n_tokens, n, out, out_stride);
    const DotFn fn = Dot(weight);
    for (int t = 0; t < n_tokens; ++t) {
      out[t * out_stride] = fn(row, static_cast<const uint8_t*>(acts) + t * act_stride, n);
    }
  }
};

// Every table name any build knows, for tests and benchmarks that try them
// all (FindKernelSet returns nullptr for those this build or CPU lacks).
inline constexpr const char* kKernelSetNames[] = {"scalar", "avx2", "avx512", "neon", "neon-dotprod", "m33"};

// The table in use (chosen once; thread-safe).
const KernelSet& Kernels();

// A table by name, or nullptr when this build or this CPU does not have it.
// Every entry of a returned table is set for every type DTypeTraits knows.
const KernelSet* FindKernelSet(const char* name);

}  // namespace pipit::kernels
