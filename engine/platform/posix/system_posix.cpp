// POSIX clock, memory statistics and CPU count.
#include <sched.h>
#include <unistd.h>
#if defined(__linux__) && defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include <chrono>
#include <cstdio>
#include <cstring>

#include "platform/platform.h"

namespace pipit::platform {

double NowSeconds() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

// Linux reports "RssAnon:   1234 kB" and "RssFile:   5678 kB" in
// /proc/self/status; other POSIX systems report zero.
MemoryUsage ProcessMemory() {
  MemoryUsage usage;
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return usage;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long long kb = 0;
    if (std::strncmp(line, "RssAnon:", 8) == 0 && std::sscanf(line + 8, "%llu", &kb) == 1) {
      usage.anon_bytes = static_cast<size_t>(kb) * 1024;
    } else if (std::strncmp(line, "RssFile:", 8) == 0 && std::sscanf(line + 8, "%llu", &kb) == 1) {
      usage.file_bytes = static_cast<size_t>(kb) * 1024;
    }
  }
  std::fclose(f);
  // Totals over every mapping (Linux 4.14+); absent elsewhere.
  f = std::fopen("/proc/self/smaps_rollup", "r");
  if (f == nullptr) return usage;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long long kb = 0;
    if (std::strncmp(line, "FilePmdMapped:", 14) == 0 && std::sscanf(line + 14, "%llu", &kb) == 1) {
      usage.file_huge_bytes = static_cast<size_t>(kb) * 1024;
    }
  }
  std::fclose(f);
  return usage;
}

// CPUs this process may run on (respects taskset / container cpusets),
// falling back to the online CPU count.
int HardwareThreads() {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

bool CpuHasArmDotProd() {
#if defined(__ARM_FEATURE_DOTPROD)
  return true;  // the whole build targets it (e.g. Apple silicon)
#elif defined(__linux__) && defined(__aarch64__)
  // HWCAP_ASIMDDP is bit 20 of AT_HWCAP on arm64 Linux.
  constexpr unsigned long kHwcapAsimdDp = 1ul << 20;
  return (getauxval(AT_HWCAP) & kHwcapAsimdDp) != 0;
#else
  return false;
#endif
}

}  // namespace pipit::platform
