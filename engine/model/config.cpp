#include "model/config.h"

#include <string>

namespace pipit {
namespace {

Status ReadPositive(const gguf::Reader& file, const std::string& key, int* out) {
  uint32_t v = 0;
  PIPIT_TRY(file.GetU32(key, &v));
  if (v == 0 || v > (1u << 24)) return Status::Error("metadata '%s' = %u is out of range", key.c_str(), v);
  *out = static_cast<int>(v);
  return Status::Ok();
}

}  // namespace

Status ReadModelConfig(const gguf::Reader& file, ModelConfig* out) {
  std::string_view arch;
  PIPIT_TRY(file.GetString("general.architecture", &arch));
  if (arch != "llama") {
    return Status::Error("architecture '%.*s' is not supported (supported: llama)", static_cast<int>(arch.size()),
                         arch.data());
  }
  const std::string p = "llama.";
  ModelConfig c;
  PIPIT_TRY(ReadPositive(file, p + "embedding_length", &c.n_embd));
  PIPIT_TRY(ReadPositive(file, p + "block_count", &c.n_layer));
  PIPIT_TRY(ReadPositive(file, p + "attention.head_count", &c.n_head));
  PIPIT_TRY(ReadPositive(file, p + "feed_forward_length", &c.n_ff));
  c.n_ctx_train = 2048;
  if (file.Find(p + "context_length")) PIPIT_TRY(ReadPositive(file, p + "context_length", &c.n_ctx_train));

  c.n_head_kv = c.n_head;
  if (file.Find(p + "attention.head_count_kv")) PIPIT_TRY(ReadPositive(file, p + "attention.head_count_kv", &c.n_head_kv));
  if (c.n_head % c.n_head_kv != 0) {
    return Status::Error("metadata: attention.head_count (%d) is not a multiple of attention.head_count_kv (%d)",
                         c.n_head, c.n_head_kv);
  }
  if (c.n_embd % c.n_head != 0 && !file.Find(p + "attention.key_length")) {
    return Status::Error("metadata: embedding_length (%d) is not a multiple of attention.head_count (%d)", c.n_embd,
                         c.n_head);
  }
  c.head_dim = c.n_embd / c.n_head;
  if (file.Find(p + "attention.key_length")) PIPIT_TRY(ReadPositive(file, p + "attention.key_length", &c.head_dim));
  if (file.Find(p + "attention.value_length")) {
    int value_dim = 0;
    PIPIT_TRY(ReadPositive(file, p + "attention.value_length", &value_dim));
    if (value_dim != c.head_dim) {
      return Status::Error("metadata: attention.value_length (%d) differs from key_length (%d): not supported",
                           value_dim, c.head_dim);
    }
  }
  if (c.head_dim > 512) return Status::Error("metadata: head size %d is larger than the 512 pipit supports", c.head_dim);
  c.n_rot = c.head_dim;
  if (file.Find(p + "rope.dimension_count")) PIPIT_TRY(ReadPositive(file, p + "rope.dimension_count", &c.n_rot));
  if (c.n_rot > c.head_dim || c.n_rot % 2 != 0) {
    return Status::Error("metadata: rope.dimension_count (%d) must be even and at most the head size (%d)", c.n_rot,
                         c.head_dim);
  }
  PIPIT_TRY(file.GetF32(p + "attention.layer_norm_rms_epsilon", &c.rms_eps));
  if (!(c.rms_eps > 0.0f && c.rms_eps < 1.0f)) {
    return Status::Error("metadata: attention.layer_norm_rms_epsilon = %g is out of range", c.rms_eps);
  }
  PIPIT_TRY(file.GetF32Opt(p + "rope.freq_base", &c.rope_base));
  if (!(c.rope_base > 1.0f)) return Status::Error("metadata: rope.freq_base = %g is out of range", c.rope_base);

  // The vocabulary size: from metadata if present, else from the token list.
  uint32_t n_vocab = 0;
  if (file.Find(p + "vocab_size")) {
    PIPIT_TRY(file.GetU32(p + "vocab_size", &n_vocab));
  } else if (const gguf::KeyValue* tokens = file.Find("tokenizer.ggml.tokens")) {
    n_vocab = static_cast<uint32_t>(tokens->value.count);
  }
  if (n_vocab == 0) return Status::Error("metadata: neither llama.vocab_size nor tokenizer.ggml.tokens gives the vocabulary size");
  c.n_vocab = static_cast<int>(n_vocab);
  *out = c;
  return Status::Ok();
}

}  // namespace pipit
