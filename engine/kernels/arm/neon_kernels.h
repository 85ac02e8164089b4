// The NEON tables (aarch64): Q4_0, Q8_0, Q4_K and Q6_K dots; every other
// entry keeps the scalar reference. `neon` runs on any Armv8-A core;
// `neon_dotprod` uses SDOT (Armv8.2-A dotprod) and is only chosen when the
// CPU has it (platform::CpuHasArmDotProd).
#pragma once

#include "kernels/kernels.h"

namespace pipit::kernels::neon {
void FillKernels(KernelSet* set);
}  // namespace pipit::kernels::neon

namespace pipit::kernels::neon_dotprod {
void FillKernels(KernelSet* set);
}  // namespace pipit::kernels::neon_dotprod
