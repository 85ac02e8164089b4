#include "model/matmul.h"

#include "kernels/kernels.h"

namespace pipit {
namespace {

// Weight rows per work item: 16 rows of a 2048-wide Q4_K matrix are 18 KiB,
// and 16 floats of output fill one cache line per token.
constexpr int64_t kRowChunk = 16;
// Tokens per pass over a chunk's rows (a multiple of the kernels' tiles, 4
// or 8): 8 Q8_K rows of 2048 are 18 KiB, so rows and tokens share L1.
constexpr int kTokenTile = 8;
// (Software prefetch of the next rows was tried for decode: the hardware
// prefetchers already stream rows; explicit prefetches made it 20-40% slower
// in tests/tools/bench_matmul's cold run.)

// Converts x [n_tokens, cols] to rows of `act_type` in scratch; returns them.
uint8_t* QuantizeActivations(const DTypeTraits& act_type, const float* x, int n_tokens, int64_t cols,
                             ActivationBuffer& scratch, platform::ThreadPool& pool) {
  const size_t act_row_bytes = RowBytes(act_type, cols);
  if (scratch.bytes.size() < act_row_bytes * n_tokens) scratch.bytes.resize(act_row_bytes * n_tokens);
  uint8_t* act = scratch.bytes.data();
  // The SIMD quantizers are bit-identical to the reference ones.
  const kernels::QuantizeFn quantize = kernels::Kernels().QuantizeActivation(act_type.type);
  if (n_tokens == 1) {
    quantize(x, act, cols);  // not worth a hand-over
  } else {
    pool.ParallelForChunks(n_tokens, 1, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) quantize(x + t * cols, act + t * act_row_bytes, cols);
    });
  }
  return act;
}

// Rows [begin, end) of w times every token. Within the rows the tokens go
// kTokenTile at a time: the rows and the tile's activations stay in L1 while
// the multi-token kernel decodes each weight block once per tile. Every
// (row, token) result is the same whatever the chunking (DotTokens is
// bit-identical to Dot), so results depend neither on the thread count nor
// on the batch.
void RowsTimesTokens(const Matrix& w, const uint8_t* act, size_t act_row_bytes, int n_tokens, int64_t begin,
                     int64_t end, float* y) {
  const kernels::KernelSet& kernel_set = kernels::Kernels();
  const DType weight_type = w.dtype->type;
  for (int t0 = 0; t0 < n_tokens; t0 += kTokenTile) {
    const int tile = n_tokens - t0 < kTokenTile ? n_tokens - t0 : kTokenTile;
    for (int64_t r = begin; r < end; ++r) {
      kernel_set.DotTokens(weight_type, w.Row(r), act + t0 * act_row_bytes, act_row_bytes, tile, w.cols,
                           y + static_cast<int64_t>(t0) * w.rows + r, static_cast<size_t>(w.rows));
    }
  }
}

}  // namespace

void MatMul(const Matrix& w, const float* x, int n_tokens, float* y, ActivationBuffer& scratch,
            platform::ThreadPool& pool) {
  const DTypeTraits& act_type = Traits(w.dtype->dot_type);
  const uint8_t* act = QuantizeActivations(act_type, x, n_tokens, w.cols, scratch, pool);
  const size_t act_row_bytes = RowBytes(act_type, w.cols);
  // Threads take chunks of kRowChunk weight rows as they come free.
  pool.ParallelForChunks(w.rows, kRowChunk, [&](int64_t begin, int64_t end) {
    RowsTimesTokens(w, act, act_row_bytes, n_tokens, begin, end, y);
  });
}

void MatMulSharedInput(const Matrix* const* ws, float* const* ys, int n_mats, const float* x, int n_tokens,
                       ActivationBuffer& scratch, platform::ThreadPool& pool) {
  for (int m = 1; m < n_mats; ++m) {
    if (ws[m]->cols != ws[0]->cols || ws[m]->dtype->dot_type != ws[0]->dtype->dot_type) {
      for (int i = 0; i < n_mats; ++i) MatMul(*ws[i], x, n_tokens, ys[i], scratch, pool);
      return;
    }
  }
  const DTypeTraits& act_type = Traits(ws[0]->dtype->dot_type);
  const uint8_t* act = QuantizeActivations(act_type, x, n_tokens, ws[0]->cols, scratch, pool);
  const size_t act_row_bytes = RowBytes(act_type, ws[0]->cols);
  // One pass over the row chunks of all the matrices, back to back.
  int64_t n_chunks = 0;
  for (int m = 0; m < n_mats; ++m) n_chunks += (ws[m]->rows + kRowChunk - 1) / kRowChunk;
  pool.ParallelForChunks(n_chunks, 1, [&](int64_t first, int64_t last) {
    for (int64_t chunk = first; chunk < last; ++chunk) {
      int m = 0;
      int64_t local = chunk;
      for (; local >= (ws[m]->rows + kRowChunk - 1) / kRowChunk; ++m) local -= (ws[m]->rows + kRowChunk - 1) / kRowChunk;
      const int64_t begin = local * kRowChunk;
      const int64_t end = begin + kRowChunk < ws[m]->rows ? begin + kRowChunk : ws[m]->rows;
      RowsTimesTokens(*ws[m], act, act_row_bytes, n_tokens, begin, end, ys[m]);
    }
  });
}

void DequantizeRow(const Matrix& w, int64_t row, float* out) { w.dtype->dequantize(w.Row(row), out, w.cols); }

}  // namespace pipit
