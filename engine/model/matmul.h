// y = W x for a batch of activation rows, with W in any supported format.
// As in llama.cpp, each activation row is first converted to the weight's
// dot type (Q8_0, Q8_1, Q8_K, F16, ...) so the inner loop is an integer or
// half-precision dot product; each weight row is then read once per batch,
// not once per token.
#pragma once

#include <cstdint>
#include <vector>

#include "model/weights.h"
#include "platform/thread_pool.h"

namespace pipit {

// Reusable buffer for activations converted to a dot type.
struct ActivationBuffer {
  std::vector<uint8_t> bytes;
};

// x: [n_tokens, w.cols] floats; y: [n_tokens, w.rows] floats.
void MatMul(const Matrix& w, const float* x, int n_tokens, float* y, ActivationBuffer& scratch,
            platform::ThreadPool& pool);

// The same input through several matrices (Wq, Wk, Wv; W_gate, W_up): the
// input is converted once and one parallel pass covers all their rows.
// ys[i]: [n_tokens, ws[i]->rows]. Matrices of different widths or dot types
// are simply run one after another. Results equal separate MatMul calls.
void MatMulSharedInput(const Matrix* const* ws, float* const* ys, int n_mats, const float* x, int n_tokens,
                       ActivationBuffer& scratch, platform::ThreadPool& pool);

// Copies row `row` of w into out [w.cols] as floats (embedding lookup).
void DequantizeRow(const Matrix& w, int64_t row, float* out);

}  // namespace pipit
