// Chooses the kernel table once. On x86 CPU features come from the
// compiler's builtins (cpuid + the OS's register-state check), so no OS
// header is needed; on aarch64 the OS reports them (platform/).
#include <cstdlib>
#include <cstring>

#include "kernels/kernel_names.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#define PIPIT_KERNELS_X86 1
#include <cpuid.h>  // the compiler's CPUID intrinsics (not an OS header)
namespace pipit::kernels::avx2 { PIPIT_DECLARE_KERNELS }
namespace pipit::kernels::avx512 { PIPIT_DECLARE_KERNELS }
#endif

#if defined(__aarch64__) && defined(__ARM_NEON)
#define PIPIT_KERNELS_NEON 1
#include "kernels/arm/neon_kernels.h"
#include "platform/platform.h"
#endif

// Cortex-M33 (Armv8-M with the DSP extension): kernels/m33/, built only for
// the firmware (engine/CMakeLists.txt, PIPIT_BAREMETAL).
#if defined(__ARM_FEATURE_DSP) && !defined(__aarch64__)
#define PIPIT_KERNELS_M33 1
#include "kernels/m33/m33_kernels.h"
#endif

namespace pipit::kernels {

// The scalar attention loops (generic/attention_scalar.cpp).
float DotHalfFloatScalar(const uint16_t* k, const float* q, int64_t n);
void AxpyHalfScalar(float a, const uint16_t* v, float* out, int64_t n);
void SoftmaxHalfScalar(float* scores, int64_t n);
void DotHalfRowsScalar(const uint16_t* k, size_t stride, int64_t n_rows, const float* q, int64_t n, float scale,
                       float* scores);
void WeightedSumHalfScalar(const float* w, const uint16_t* v, size_t stride, int64_t n_rows, int64_t n, float* out);

namespace {

// The reference functions, straight from the traits table.
KernelSet MakeScalarSet() {
  KernelSet set{};
  set.name = "scalar";
  for (uint32_t id = 0; id < kDTypeSlots; ++id) {
    const DTypeTraits* traits = FindDType(id);
    if (traits == nullptr) continue;
    set.dot[id] = traits->dot;
    set.quantize_activation[id] = traits->quantize;
  }
  set.dot_half_float = DotHalfFloatScalar;
  set.axpy_half = AxpyHalfScalar;
  set.dot_half_rows = DotHalfRowsScalar;
  set.weighted_sum_half = WeightedSumHalfScalar;
  set.softmax_half = SoftmaxHalfScalar;
  return set;
}

const KernelSet& ScalarSet() {
  static const KernelSet set = MakeScalarSet();
  return set;
}

#if PIPIT_KERNELS_X86
// F16C is CPUID leaf 1, ECX bit 29 (clang 14's __builtin_cpu_supports has no
// "f16c"). Every CPU with AVX2 and FMA has it; check anyway.
bool CpuHasF16c() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  return (ecx >> 29) & 1;
}

bool CpuHasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && CpuHasF16c();
}

// The avx512 table needs the Ice Lake-era subset: F, BW, VL and VNNI.
bool CpuHasAvx512Vnni() {
  return CpuHasAvx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

KernelSet MakeAvx2Set() {
  KernelSet set = ScalarSet();
  set.name = "avx2";
  PIPIT_FILL_KERNEL_SET(set, avx2);
  return set;
}

KernelSet MakeAvx512Set() {
  KernelSet set = ScalarSet();
  set.name = "avx512";
  PIPIT_FILL_KERNEL_SET(set, avx512);
  return set;
}
#endif

#if PIPIT_KERNELS_NEON
KernelSet MakeNeonSet() {
  KernelSet set = ScalarSet();
  set.name = "neon";
  neon::FillKernels(&set);
  return set;
}

KernelSet MakeNeonDotProdSet() {
  KernelSet set = ScalarSet();
  set.name = "neon-dotprod";
  neon_dotprod::FillKernels(&set);
  return set;
}
#endif

#if PIPIT_KERNELS_M33
KernelSet MakeM33Set() {
  KernelSet set = ScalarSet();
  set.name = "m33";
  m33::FillM33Kernels(&set);
  return set;
}
#endif

// The best table, ignoring PIPIT_KERNELS.
const KernelSet& BestSet() {
  const char* order[] = {"avx512", "avx2", "neon-dotprod", "neon", "m33"};
  for (const char* name : order) {
    if (const KernelSet* set = FindKernelSet(name)) return *set;
  }
  return ScalarSet();
}

const KernelSet& ChooseSet() {
  if (const char* forced = std::getenv("PIPIT_KERNELS")) {
    if (const KernelSet* set = FindKernelSet(forced)) return *set;
  }
  return BestSet();
}

}  // namespace

const KernelSet* FindKernelSet(const char* name) {
  if (std::strcmp(name, "scalar") == 0) return &ScalarSet();
#if PIPIT_KERNELS_X86
  if (std::strcmp(name, "avx2") == 0 && CpuHasAvx2()) {
    static const KernelSet set = MakeAvx2Set();
    return &set;
  }
  if (std::strcmp(name, "avx512") == 0 && CpuHasAvx512Vnni()) {
    static const KernelSet set = MakeAvx512Set();
    return &set;
  }
#endif
#if PIPIT_KERNELS_NEON
  if (std::strcmp(name, "neon") == 0) {
    static const KernelSet set = MakeNeonSet();
    return &set;
  }
  if (std::strcmp(name, "neon-dotprod") == 0 && platform::CpuHasArmDotProd()) {
    static const KernelSet set = MakeNeonDotProdSet();
    return &set;
  }
#endif
#if PIPIT_KERNELS_M33
  if (std::strcmp(name, "m33") == 0) {
    static const KernelSet set = MakeM33Set();
    return &set;
  }
#endif
  return nullptr;
}

const KernelSet& Kernels() {
  static const KernelSet& chosen = ChooseSet();
  return chosen;
}

}  // namespace pipit::kernels
