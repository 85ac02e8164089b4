// Kernels for the Cortex-M33 (Armv8-M Mainline with the DSP extension, e.g.
// the RP2350): int8 dot products on the 2 x 16-bit SIMD multiply-accumulate
// (SMLAD). Every result is bit-identical to the scalar reference
// (engine/quant/): the per-block integer sums are exact in any order, and
// the float scaling and accumulation follow the reference statement by
// statement. Everything else in the table stays scalar.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pipit::kernels {
struct KernelSet;
}

namespace pipit::kernels::m33 {

float dot_q4_0_q8_0(const void* row, const void* act, int64_t n);
float dot_q8_0_q8_0(const void* row, const void* act, int64_t n);
// Attention over the FP16 KV cache (hardware half conversion).
float dot_half_float(const uint16_t* k, const float* q, int64_t n);
void axpy_half(float a, const uint16_t* v, float* out, int64_t n);
void dot_half_rows(const uint16_t* k, size_t stride, int64_t n_rows, const float* q, int64_t n, float scale,
                   float* scores);
void weighted_sum_half(const float* w, const uint16_t* v, size_t stride, int64_t n_rows, int64_t n, float* out);

// Puts the kernels above into `set` (a copy of the scalar table).
void FillM33Kernels(KernelSet* set);

}  // namespace pipit::kernels::m33
