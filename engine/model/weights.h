// The model's tensors, bound by name and checked for shape and type. Matrix
// data points into the memory-mapped file (or XIP flash): nothing is copied
// except the small 1-D vectors (norm weights, RoPE factors), which are
// converted to float once.
#pragma once

#include <vector>

#include "core/status.h"
#include "gguf/gguf.h"
#include "model/config.h"

namespace pipit {

// A row-major matrix of `rows` rows with `cols` elements each, stored in
// `dtype` blocks: row r starts at data + r * row_bytes.
struct Matrix {
  const DTypeTraits* dtype = nullptr;
  const uint8_t* data = nullptr;
  int64_t cols = 0;  // GGUF ne[0]: the input width of y = W x
  int64_t rows = 0;  // GGUF ne[1]: the output width
  size_t row_bytes = 0;

  const uint8_t* Row(int64_t r) const { return data + r * row_bytes; }
};

struct LayerWeights {
  std::vector<float> attn_norm;  // [n_embd]
  Matrix wq;                     // [q_dim  rows, n_embd cols]
  Matrix wk;                     // [kv_dim rows, n_embd cols]
  Matrix wv;                     // [kv_dim rows, n_embd cols]
  Matrix wo;                     // [n_embd rows, q_dim cols]
  std::vector<float> ffn_norm;   // [n_embd]
  Matrix w_gate;                 // [n_ff rows, n_embd cols]
  Matrix w_up;                   // [n_ff rows, n_embd cols]
  Matrix w_down;                 // [n_embd rows, n_ff cols]
};

struct Weights {
  Matrix token_embd;              // [n_vocab rows, n_embd cols]
  std::vector<LayerWeights> layers;
  std::vector<float> output_norm;  // [n_embd]
  Matrix output;                   // [n_vocab rows, n_embd cols]; token_embd when tied
  std::vector<float> rope_freqs;   // [n_rot / 2] frequency divisors, empty when absent
  bool tied_output = false;
};

Status BindWeights(const gguf::Reader& file, const ModelConfig& config, Weights* out);

}  // namespace pipit
