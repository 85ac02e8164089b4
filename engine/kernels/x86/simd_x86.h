// Small intrinsic helpers shared by the x86 kernel files. Included only by
// TUs compiled with -mavx2 -mfma -mf16c (and, for *_avx512.cpp, the AVX-512
// flags); PIPIT_ISA names the namespace (avx2 or avx512).
//
// Everything here has internal linkage (anonymous namespace): an inline
// function with external linkage compiled with AVX flags could be the copy the
// linker keeps for callers in portable code (ODR/COMDAT), which would crash
// on a CPU without AVX. For the same reason the kernel files do not call the
// inline helpers of engine/quant/ (fp16.h, kquant_scales.h, ...) and use only
// always-inlined intrinsics and <cstdint>/<cstring>.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#ifndef PIPIT_ISA
#error "define PIPIT_ISA (avx2 or avx512) before including simd_x86.h"
#endif

#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
#define PIPIT_X86_VNNI 1
#else
#define PIPIT_X86_VNNI 0
#endif

namespace pipit::kernels::PIPIT_ISA {
namespace {

inline float HalfToFloat(uint16_t h) { return _cvtsh_ss(h); }
inline uint16_t FloatToHalf(float f) { return _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }

inline float HorizontalMax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline int32_t HorizontalSumI32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

inline __m256i Load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// acc[i] += sum of the four products u8 * s8 in 32-bit lane i.
// (AVX2: maddubs never saturates here because callers keep u * s pairs
// below 2^15: u <= 128 and s in [-127, 127].)
inline __m256i DotU8S8(__m256i acc, __m256i u, __m256i s) {
#if PIPIT_X86_VNNI
  return _mm256_dpbusd_epi32(acc, u, s);
#else
  const __m256i pairs = _mm256_maddubs_epi16(u, s);
  return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
#endif
}

// Signed x signed via |a| * (b with a's sign); needs b != -128.
inline __m256i DotS8S8(__m256i acc, __m256i a, __m256i b) {
  return DotU8S8(acc, _mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
}

// acc[i] += scale16[2i] * (u*s pair sum 2i) + scale16[2i+1] * (pair 2i+1):
// a per-16-bit-lane scale, for formats with per-sub-block integer scales.
inline __m256i DotU8S8Scaled(__m256i acc, __m256i u, __m256i s, __m256i scale16) {
  const __m256i pairs = _mm256_maddubs_epi16(u, s);
#if PIPIT_X86_VNNI && !defined(PIPIT_NO_DPWSSD)
  return _mm256_dpwssd_epi32(acc, pairs, scale16);
#else
  return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, scale16));
#endif
}

// Two 16-bit scales: lanes 0..7 get `low`, lanes 8..15 `high` (bytes 0..15
// and 16..31 of a 32-byte quant vector).
inline __m256i ScalePair16(int low, int high) {
  return _mm256_set_m128i(_mm_set1_epi16(static_cast<int16_t>(high)), _mm_set1_epi16(static_cast<int16_t>(low)));
}

// Byte i of the result is 0xFF when bit i of `bits` is set, else 0.
inline __m256i ExpandBits32(uint32_t bits) {
#if defined(__AVX512BW__) && defined(__AVX512VL__)
  return _mm256_movm_epi8(bits);
#else
  // Byte i takes byte i/8 of the word, then tests bit i%8.
  const __m256i word = _mm256_set1_epi32(static_cast<int32_t>(bits));
  const __m256i spread = _mm256_shuffle_epi8(
      word, _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000));
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
  return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
#endif
}

}  // namespace
}  // namespace pipit::kernels::PIPIT_ISA
