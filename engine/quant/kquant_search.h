// Scale searches shared by the k-quant weight quantizers. Each one picks, for
// a small group of weights, a scale (and for the "x = d*q - m" formats a min)
// and the integer levels that minimise a weighted error. They follow
// llama.cpp's reference quantizers step for step (same candidates, same
// float operations in the same order), so our Q2_K..Q6_K files come out
// byte-identical to llama.cpp's quantize_row_<type>_ref.
#pragma once

#include <cstdint>
#include <cstring>

namespace pipit::quant {

// Below this magnitude a group counts as all zeros (llama.cpp's GROUP_MAX_EPS).
inline constexpr float kGroupMaxEps = 1e-15f;

// Round to nearest, ties to even, for |x| <= 2^22: adding 1.5*2^23 puts the
// integer part in the low mantissa bits. (Out of that range the result is
// meaningless, but deterministic and identical to llama.cpp's.)
inline int NearestInt(float x) {
  float shifted = x + 12582912.f;
  int32_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  return (bits & 0x007fffff) - 0x00400000;
}

// Symmetric levels: picks a scale s and L[i] in [0, 2*nmax) so that
// x[i] ~ s * (L[i] - nmax), trying 19 scales around nmax/max|x| and keeping
// the one with the least error weighted by x^2 (llama.cpp's make_qx_quants
// with rmse_type 1 and no importance weights). Returns s (0 for an all-zero
// group).
float SearchSymmetricScale(int n, int nmax, const float* x, int8_t* L);

// Symmetric levels for Q3_K: starts from nmax/max|x| and then moves single
// levels while that lowers the x^2-weighted error (make_q3_quants with
// do_rmse). L[i] in [0, 2*nmax); returns the scale.
float SearchSymmetricScaleIterative(int n, int nmax, const float* x, int8_t* L);

// Asymmetric levels: x[i] ~ scale * L[i] - min_out with L[i] in [0, nmax]
// and min_out >= 0, minimising sum weights[i] * err (err = |diff| when
// use_abs_error, else diff^2). Tries nstep+1 candidate scales
// (rmin + rdelta*k + nmax) / (max - min), each refined by least squares
// (make_qkx2_quants). `scratch` holds n bytes. Returns the scale.
float SearchScaleAndMin(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* min_out,
                        uint8_t* scratch, float rmin, float rdelta, int nstep, bool use_abs_error);

// The whole scale stage of Q4_K and Q5_K (quantize_row_q4_K_ref and
// quantize_row_q5_K_ref differ only in nmax and the search range): per
// 32-weight sub-block a SearchScaleAndMin weighted by RMS + |x|, the 6-bit
// encoding of the scales and mins under half-precision d and dmin, then the
// final levels L[256] in [0, nmax] against the scales as stored.
void QuantizeScalesAndLevelsK4(const float* x, int nmax, float rmin, int nstep, uint8_t* L, uint16_t* y_d,
                               uint16_t* y_dmin, uint8_t* packed_scales);

}  // namespace pipit::quant
