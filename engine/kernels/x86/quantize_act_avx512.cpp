// quantize act kernels built for AVX512 (flags set in engine/CMakeLists.txt).
#define PIPIT_ISA avx512
#include "kernels/x86/quantize_act_impl.h"
