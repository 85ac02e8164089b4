// Hyperparameters of a llama-family model, read from GGUF metadata
// ("llama.embedding_length", ...) and checked for consistency.
#pragma once

#include "core/status.h"
#include "gguf/gguf.h"

namespace pipit {

struct ModelConfig {
  int n_vocab = 0;
  int n_embd = 0;       // residual stream width
  int n_layer = 0;
  int n_head = 0;       // query heads
  int n_head_kv = 0;    // key/value heads (grouped-query attention: n_head % n_head_kv == 0)
  int head_dim = 0;     // per-head width of q and k (and v)
  int n_ff = 0;         // SwiGLU hidden width
  int n_rot = 0;        // leading dims of each head that RoPE rotates
  int n_ctx_train = 0;  // context length the model was trained with
  float rms_eps = 1e-5f;
  float rope_base = 10000.0f;

  int q_dim() const { return n_head * head_dim; }
  int kv_dim() const { return n_head_kv * head_dim; }
};

// Reads and validates the config of a file whose general.architecture is
// "llama". Every error names the offending key.
Status ReadModelConfig(const gguf::Reader& file, ModelConfig* out);

}  // namespace pipit
