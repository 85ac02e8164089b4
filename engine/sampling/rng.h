// A small, seeded random number generator whose output is the same on every
// compiler, standard library and CPU: xoshiro256** (Blackman & Vigna), seeded
// through splitmix64. std::mt19937 is portable too, but the std::*_distribution
// adaptors are not (libstdc++, libc++ and MSVC turn the same bits into
// different numbers), so the uniform draws are done here from raw bits.
#pragma once

#include <cstdint>

namespace pipit {

class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed = 0) { Seed(seed); }

  // Expands one 64-bit seed into the 256-bit state with splitmix64, which
  // never yields the all-zero state xoshiro must avoid.
  void Seed(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& word : s_) word = SplitMix64(&x);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits: every value is k / 2^53, exactly
  // representable, so the result is bit-identical everywhere.
  double UniformDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform in [0, 1) with 24 random bits (k / 2^24).
  float UniformFloat() { return static_cast<float>(Next() >> 40) * 0x1.0p-24f; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  static uint64_t SplitMix64(uint64_t* state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  uint64_t s_[4];
};

}  // namespace pipit
