// Multi-token (and single-token) Q4_K, Q6_K, Q8_0 dots built for avx2
// (flags set in engine/CMakeLists.txt).
#define PIPIT_ISA avx2
#include "kernels/x86/dot_tokens_impl.h"
