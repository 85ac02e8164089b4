// Clock, memory statistics and CPU count on a microcontroller: one core, a
// board-provided microsecond counter, and newlib's heap statistics.
#include <malloc.h>

#include "platform/baremetal/board_hooks.h"
#include "platform/platform.h"

namespace pipit::platform {

double NowSeconds() { return static_cast<double>(pipit_board_micros()) * 1e-6; }

// anon_bytes: heap bytes in use (malloc'd, i.e. KV cache, scratch buffers).
// file_bytes: 0 (weights are read straight from flash, not resident in RAM).
MemoryUsage ProcessMemory() {
  MemoryUsage usage;
  struct mallinfo info = mallinfo();
  usage.anon_bytes = static_cast<size_t>(info.uordblks);
  return usage;
}

int HardwareThreads() { return 1; }

}  // namespace pipit::platform
