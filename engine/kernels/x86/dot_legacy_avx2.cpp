// dot legacy kernels built for AVX2 (flags set in engine/CMakeLists.txt).
#define PIPIT_ISA avx2
#include "kernels/x86/dot_legacy_impl.h"
