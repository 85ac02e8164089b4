#include "model/matmul.h"

#include "kernels/kernels.h"

namespace pipit {

void MatMul(const Matrix& w, const float* x, int n_tokens, float* y, ActivationBuffer& scratch,
            platform::ThreadPool& pool) {
  const DTypeTraits& act_type = Traits(w.dtype->dot_type);
  const size_t act_row_bytes = RowBytes(act_type, w.cols);
  if (scratch.bytes.size() < act_row_bytes * n_tokens) scratch.bytes.resize(act_row_bytes * n_tokens);
  uint8_t* act = scratch.bytes.data();

  // The SIMD table in use (engine/kernels/): same results as the reference
  // quantizers, dots equal up to float summation order.
  const kernels::KernelSet& kernel_set = kernels::Kernels();
  const kernels::QuantizeFn quantize = kernel_set.QuantizeActivation(act_type.type);
  pool.ParallelFor(n_tokens, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) quantize(x + t * w.cols, act + t * act_row_bytes, w.cols);
  });

  // Threads split the weight rows; each weight row meets every token while
  // it is hot in cache.
  const kernels::DotFn dot = kernel_set.Dot(w.dtype->type);
  pool.ParallelFor(w.rows, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const uint8_t* row = w.Row(r);
      for (int t = 0; t < n_tokens; ++t) {
        y[t * w.rows + r] = dot(row, act + t * act_row_bytes, w.cols);
      }
    }
  });
}

void DequantizeRow(const Matrix& w, int64_t row, float* out) { w.dtype->dequantize(w.Row(row), out, w.cols); }

}  // namespace pipit
