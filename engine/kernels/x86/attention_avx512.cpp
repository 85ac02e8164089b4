// Attention loops built for avx512 (flags set in engine/CMakeLists.txt).
#define PIPIT_ISA avx512
#include "kernels/x86/attention_impl.h"
