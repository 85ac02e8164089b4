// The NEON table (aarch64): Q4_0, Q8_0, Q4_K and Q6_K dots; every other entry
// keeps the scalar reference. Uses the dot-product instructions when the
// compiler targets them (__ARM_FEATURE_DOTPROD, e.g. -march=armv8.2-a+dotprod).
#pragma once

#include "kernels/kernels.h"

namespace pipit::kernels {

void FillNeonKernels(KernelSet* set);

}  // namespace pipit::kernels
