// FNV-1a, 64-bit: a small, dependency-free hash for fingerprints and file
// checksums (integrity against truncation and corruption, not adversaries).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pipit {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;

inline uint64_t Fnv1a(const void* data, size_t n, uint64_t hash = kFnvOffset) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < n; ++i) {
    hash ^= p[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace pipit
