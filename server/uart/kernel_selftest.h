// A self-check the firmware runs on request (/selftest): the kernel table in
// use (the Cortex-M33 DSP table on the device) against the scalar reference
// on pseudo-random Q4_0 and Q8_0 rows, compared bit for bit. Cheap (a few
// thousand multiply-adds) and catches a kernel that the host tests, which
// only run the C emulation of the DSP instructions, cannot see.
#pragma once

#include <string>

namespace pipit::uart {

// Appends one line without '\n', e.g. "ok kernels=m33 q4_0=exact q8_0=exact
// rows=8". Returns false (and says "failed ...") when a dot differs.
bool RunKernelSelfTest(std::string* report);

}  // namespace pipit::uart
