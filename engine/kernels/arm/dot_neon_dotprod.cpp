// The NEON table with the Armv8.2 dot-product instructions (SDOT); this file
// alone is compiled with +dotprod (engine/CMakeLists.txt).
#define PIPIT_NEON_NS neon_dotprod
#include "kernels/arm/dot_neon_impl.h"
