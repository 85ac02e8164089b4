// The row loops of the attention kernels, over a table's own single-row
// primitives (q . k and out += a * v): the scalar table and the m33 one
// differ only in those, and stay bit-identical to each other through them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pipit::kernels {

using DotHalfRow = float (*)(const uint16_t* k, const float* q, int64_t n);
using AxpyHalfRow = void (*)(float a, const uint16_t* v, float* out, int64_t n);

// scores[r] = scale * (q . k_r), rows `stride` halves apart.
template <DotHalfRow dot>
void DotHalfRowsWith(const uint16_t* k, size_t stride, int64_t n_rows, const float* q, int64_t n, float scale,
                     float* scores) {
  for (int64_t r = 0; r < n_rows; ++r) scores[r] = dot(k + r * stride, q, n) * scale;
}

// out = sum_r w[r] * v_r, rows in order.
template <AxpyHalfRow axpy>
void WeightedSumHalfWith(const float* w, const uint16_t* v, size_t stride, int64_t n_rows, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = 0.0f;
  for (int64_t r = 0; r < n_rows; ++r) axpy(w[r], v + r * stride, out, n);
}

}  // namespace pipit::kernels
