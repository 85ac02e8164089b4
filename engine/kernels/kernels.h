// The hot loops (dot products and activation quantizers), one table per
// instruction set. Kernels() picks the best table this CPU supports, once, at
// first use; the scalar table (the reference code of engine/quant/) is always
// built, so one binary runs on any CPU of its architecture.
//
// PIPIT_KERNELS=scalar|avx2|avx512|neon forces a table (tests, benchmarks); a
// table this build or CPU lacks falls back to the automatic choice.
#pragma once

#include <cstdint>

#include "quant/dtype.h"

namespace pipit::kernels {

// Same shapes as DTypeTraits::dot and DTypeTraits::quantize.
using DotFn = float (*)(const void* row, const void* act, int64_t n);
using QuantizeFn = void (*)(const float* src, void* dst, int64_t n);

inline constexpr int kDTypeSlots = 31;  // every DType id is below this

struct KernelSet {
  const char* name;  // "scalar", "avx2", "avx512", "neon"
  // By weight type: row of that type x activation row of its dot_type.
  DotFn dot[kDTypeSlots];
  // By activation (dot) type: float row -> Q8_0, Q8_1, Q8_K, F16, ...
  // Bit-identical to the reference quantizers.
  QuantizeFn quantize_activation[kDTypeSlots];

  DotFn Dot(DType weight) const { return dot[static_cast<uint32_t>(weight)]; }
  QuantizeFn QuantizeActivation(DType act) const { return quantize_activation[static_cast<uint32_t>(act)]; }
};

// The table in use (chosen once; thread-safe).
const KernelSet& Kernels();

// A table by name, or nullptr when this build or this CPU does not have it.
// Every entry of a returned table is set for every type DTypeTraits knows.
const KernelSet* FindKernelSet(const char* name);

}  // namespace pipit::kernels
