// The baseline NEON table (Armv8-A: no dot-product instructions).
#define PIPIT_NEON_NS neon
#include "kernels/arm/dot_neon_impl.h"
