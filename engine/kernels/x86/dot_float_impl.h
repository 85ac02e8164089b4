// F32, F16 and BF16 dot products for AVX2 / AVX-512: fused multiply-adds
// into four 8-lane float accumulators (as llama.cpp's SIMD code; the
// reference sums float products in double, so results differ by rounding).
#include "kernels/x86/simd_x86.h"

namespace pipit::kernels::PIPIT_ISA {

namespace {

inline __m256 LoadF32(const float* p) { return _mm256_loadu_ps(p); }
inline __m256 LoadF16(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
inline __m256 LoadBF16(const uint16_t* p) {
  const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
}

inline float ScalarF16(uint16_t h) { return _cvtsh_ss(h); }
inline float ScalarBF16(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline float ScalarF32(float f) { return f; }

// sum x[i] * y[i] with Load (8 lanes) and Scalar (tail) conversions.
template <typename T, __m256 (*Load)(const T*), float (*Scalar)(T)>
float DotFloatLike(const T* x, const T* y, int64_t n) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k) acc[k] = _mm256_fmadd_ps(Load(x + i + 8 * k), Load(y + i + 8 * k), acc[k]);
  }
  for (; i + 8 <= n; i += 8) acc[0] = _mm256_fmadd_ps(Load(x + i), Load(y + i), acc[0]);
  float sum = HorizontalSum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
  for (; i < n; ++i) sum += Scalar(x[i]) * Scalar(y[i]);
  return sum;
}

}  // namespace

float dot_f32_f32(const void* row, const void* act, int64_t n) {
  return DotFloatLike<float, LoadF32, ScalarF32>(static_cast<const float*>(row), static_cast<const float*>(act), n);
}

float dot_f16_f16(const void* row, const void* act, int64_t n) {
  return DotFloatLike<uint16_t, LoadF16, ScalarF16>(static_cast<const uint16_t*>(row),
                                                    static_cast<const uint16_t*>(act), n);
}

float dot_bf16_bf16(const void* row, const void* act, int64_t n) {
  return DotFloatLike<uint16_t, LoadBF16, ScalarBF16>(static_cast<const uint16_t*>(row),
                                                      static_cast<const uint16_t*>(act), n);
}

}  // namespace pipit::kernels::PIPIT_ISA
