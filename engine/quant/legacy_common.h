// Helpers shared by the legacy (32-weight block) formats: the block scans
// that llama.cpp's reference quantizers start with.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace pipit::quant::legacy {

// The value of largest magnitude, sign kept; the first one wins a tie.
// Returns 0 for an all-zero block.
inline float SignedAbsMax(const float* x, int n) {
  float amax = 0.0f;
  float max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

inline float AbsMax(const float* x, int n) {
  float amax = 0.0f;
  for (int j = 0; j < n; ++j) {
    const float a = std::fabs(x[j]);
    amax = amax > a ? amax : a;
  }
  return amax;
}

inline void MinMax(const float* x, int n, float* min, float* max) {
  *min = FLT_MAX;
  *max = -FLT_MAX;
  for (int j = 0; j < n; ++j) {
    if (x[j] < *min) *min = x[j];
    if (x[j] > *max) *max = x[j];
  }
}

// 1/d, or 0 for a zero scale (an all-zero or constant block).
inline float InverseOrZero(float d) { return d != 0.0f ? 1.0f / d : 0.0f; }

inline uint32_t LoadQh(const uint8_t qh[4]) {
  uint32_t bits;
  std::memcpy(&bits, qh, sizeof bits);  // little-endian on every target we build for
  return bits;
}

inline void StoreQh(uint32_t bits, uint8_t qh[4]) { std::memcpy(qh, &bits, sizeof bits); }

}  // namespace pipit::quant::legacy
