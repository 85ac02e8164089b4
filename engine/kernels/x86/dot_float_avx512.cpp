// dot float kernels built for AVX512 (flags set in engine/CMakeLists.txt).
#define PIPIT_ISA avx512
#include "kernels/x86/dot_float_impl.h"
