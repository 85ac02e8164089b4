// Attention loops built for avx2 (flags set in engine/CMakeLists.txt).
#define PIPIT_ISA avx2
#include "kernels/x86/attention_impl.h"
