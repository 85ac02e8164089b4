#include "model/matmul.h"

#include "kernels/kernels.h"

namespace pipit {
namespace {

// Weight rows per work item: 16 rows of a 2048-wide Q4_K matrix are 18 KiB,
// and 16 floats of output fill one cache line per token.
constexpr int64_t kRowChunk = 16;
// Tokens per pass over a chunk's rows (a multiple of the kernels' tile).
constexpr int kTokenTile = 4;

}  // namespace

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
  if (n_tokens == 1) {
    quantize(x, act, w.cols);  // not worth a hand-over
  } else {
    pool.ParallelForChunks(n_tokens, 1, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) quantize(x + t * w.cols, act + t * act_row_bytes, w.cols);
    });
  }

  // Threads take chunks of kRowChunk weight rows as they come free. Within
  // a chunk the tokens go kTokenTile at a time: the chunk's rows and the
  // tile's activations stay in L1 while the multi-token kernel decodes each
  // weight block once per tile. Every (row, token) result is the same
  // whatever the chunking (DotTokens is bit-identical to Dot), so results do
  // not depend on the thread count or the batch.
  const DType weight_type = w.dtype->type;
  pool.ParallelForChunks(w.rows, kRowChunk, [&](int64_t begin, int64_t end) {
    for (int t0 = 0; t0 < n_tokens; t0 += kTokenTile) {
      const int tile = n_tokens - t0 < kTokenTile ? n_tokens - t0 : kTokenTile;
      for (int64_t r = begin; r < end; ++r) {
        kernel_set.DotTokens(weight_type, w.Row(r), act + t0 * act_row_bytes, act_row_bytes, tile, w.cols,
                             y + static_cast<int64_t>(t0) * w.rows + r, static_cast<size_t>(w.rows));
      }
    }
  });
}

void DequantizeRow(const Matrix& w, int64_t row, float* out) { w.dtype->dequantize(w.Row(row), out, w.cols); }

}  // namespace pipit
